"""The redaction filter, driven through real loggers and handlers.

Every case logs through a real ``logging.Logger`` whose handler writes to a buffer,
with the filter put in place by ``install_redaction``, and asserts on the emitted text.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iotpay_desk.api import DirectAddCardRequest, request_params, sign
from iotpay_desk.api.redact import (
    RedactingFilter,
    forget_secret,
    install_redaction,
    redact,
    register_secret,
)
from iotpay_desk.api.rules import luhn_ok
from iotpay_desk.api.sign import sign_base

KEY = "TESTKEY_NOT_REAL_0123456789abcde"
VISA = "4242424242424242"
MC = "5555555555554444"
PAY_ORDER_ID = "PC20240101215009579871439079"
REFUND = {
    "mchId": "10000701",
    "mchRefundNo": "R1234567890abc",
    "loginName": "jack_chen",
    "refundAmount": 100,
    "payOrderId": PAY_ORDER_ID,
}
REFUND_SIGN = "EB3B3CC6629B99BAC8C3D1731D48AD82"


@dataclass
class Captured:
    logger: logging.Logger
    stream: io.StringIO
    handler: logging.Handler

    @property
    def text(self) -> str:
        return self.stream.getvalue()


def make_logger(name: str, fmt: str = "%(levelname)s %(name)s %(message)s") -> Captured:
    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(fmt))
    logger.addHandler(handler)
    return Captured(logger, stream, handler)


_names = itertools.count()


@pytest.fixture
def log() -> Iterator[Captured]:
    captured = make_logger(f"redact-test.n{next(_names)}")
    install_redaction(captured.logger)
    yield captured
    captured.logger.removeHandler(captured.handler)


@pytest.fixture
def registered_key() -> Iterator[str]:
    register_secret(KEY)
    yield KEY
    forget_secret(KEY)


def test_install_puts_one_filter_on_every_handler() -> None:
    captured = make_logger("redact-test.install")
    second = logging.StreamHandler(io.StringIO())
    captured.logger.addHandler(second)
    try:
        filt = install_redaction(captured.logger)
        install_redaction(captured.logger)  # idempotent
        for handler in (captured.handler, second):
            assert [f for f in handler.filters if isinstance(f, RedactingFilter)] == [filt]
    finally:
        captured.logger.removeHandler(captured.handler)
        captured.logger.removeHandler(second)


def test_card_in_message_args(log: Captured) -> None:
    log.logger.info("charging card %s for %d cents", VISA, 1500)
    assert VISA not in log.text
    assert "charging card 424242******4242 for 1500 cents" in log.text


def test_card_in_an_f_string(log: Captured) -> None:
    card, cvv = MC, "737"
    log.logger.warning(f"card {card} cvv={cvv} declined")
    assert MC not in log.text
    assert "737" not in log.text
    assert "555555******4444" in log.text


@pytest.mark.parametrize(
    "spelled",
    ["4242 4242 4242 4242", "4242-4242-4242-4242", "378282246310005", "3782 822463 10005"],
)
def test_grouped_and_other_card_numbers(log: Captured, spelled: str) -> None:
    log.logger.info("number: %s.", spelled)
    digits = spelled.replace(" ", "").replace("-", "")
    assert digits not in log.text.replace(" ", "").replace("-", "")
    assert digits[-4:] in log.text


def test_a_neighbouring_number_does_not_hide_a_card(log: Captured) -> None:
    log.logger.info("qty 3 %s 2 attempts, then %s 7", VISA, MC)
    assert VISA not in log.text
    assert MC not in log.text
    assert "qty 3 424242******4242 2 attempts, then 555555******4444 7" in log.text


def test_card_in_an_exception_traceback(log: Captured) -> None:
    def charge(number: str) -> None:
        raise ValueError(f"cannot charge {number}: card declined, cvv 'cvv': '123'")

    try:
        charge(VISA)
    except ValueError:
        log.logger.exception("charge failed for %s", VISA)
    assert "Traceback (most recent call last)" in log.text
    assert "ValueError: cannot charge 424242******4242: card declined" in log.text
    assert VISA not in log.text
    assert "'123'" not in log.text


def test_chained_exception_text(log: Captured) -> None:
    try:
        try:
            json.loads("{")
        except ValueError as inner:
            raise RuntimeError(json.dumps({"cardNum": VISA, "cvv": "4321"})) from inner
    except RuntimeError:
        log.logger.error("boom", exc_info=True)
    assert "JSONDecodeError" in log.text
    assert VISA not in log.text
    assert "4321" not in log.text


@pytest.mark.parametrize(
    "shape",
    [
        '{{"cvv": "{cvv}", "holder": "J"}}',
        '{{"cvv":"{cvv}"}}',
        "{{'cvv': '{cvv}'}}",
        '{{"CVV": {cvv}}}',
        "cvv={cvv}&holder=J",
        "cvc: {cvv}",
        "DirectAddCardRequest(cvv='{cvv}')",
        '"{{\\"cvv\\": \\"{cvv}\\"}}"',
    ],
)
def test_cvv_in_any_spelling(log: Captured, shape: str) -> None:
    log.logger.info(shape.format(cvv="8642"))
    assert "8642" not in log.text
    assert "[redacted]" in log.text


def test_json_request_body_with_card_data(log: Captured) -> None:
    params = request_params(
        DirectAddCardRequest(
            card_id="604567999",
            card_num=VISA,
            holder="Jack Chen",
            cvv="8642",
            login_name="jack123",
            expiry_date="1230",
        ),
        "10000701",
    )
    params["sign"] = sign(params, KEY)
    log.logger.debug("-> %s", json.dumps(params))
    log.logger.debug("-> %r", params)
    assert VISA not in log.text
    assert "8642" not in log.text
    assert params["sign"] not in log.text
    assert '"cardNum": "424242******4242"' in log.text
    assert "'cardNum': '424242******4242'" in log.text
    assert "604567999" in log.text  # the card id is not a secret
    assert "Jack Chen" in log.text


def test_sign_hex_anywhere(log: Captured) -> None:
    log.logger.info("got sign %s", REFUND_SIGN)
    log.logger.info("lower %s", REFUND_SIGN.lower())
    log.logger.info("body %s", json.dumps({**REFUND, "sign": REFUND_SIGN}))
    assert REFUND_SIGN not in log.text.upper()
    assert "got sign [sign]" in log.text
    assert PAY_ORDER_ID in log.text


def test_sign_string_with_an_unregistered_key(log: Captured) -> None:
    log.logger.debug("sign string: %s", sign_base(REFUND, "SOME_OTHER_KEY_98765"))
    assert "SOME_OTHER_KEY_98765" not in log.text
    assert "&key=[redacted]" in log.text
    assert "refundAmount=100" in log.text


def test_registered_key_anywhere(log: Captured, registered_key: str) -> None:
    log.logger.info("merchant key is %s", registered_key)
    log.logger.info(f"reading {registered_key!r} from the keychain")
    log.logger.info("sign string: %s", sign_base(REFUND, registered_key))
    try:
        raise KeyError(registered_key)
    except KeyError:
        log.logger.exception("lookup failed")
    assert registered_key not in log.text
    assert log.text.count("[redacted]") >= 4


def test_a_forgotten_key_is_no_longer_redacted(log: Captured) -> None:
    register_secret("ROTATED_KEY_XYZ123")
    forget_secret("ROTATED_KEY_XYZ123")
    log.logger.info("old value ROTATED_KEY_XYZ123")
    assert "ROTATED_KEY_XYZ123" in log.text


def test_short_values_are_not_registered(log: Captured) -> None:
    register_secret("ab")
    try:
        log.logger.info("tab cab ab")
        assert "tab cab ab" in log.text
    finally:
        forget_secret("ab")


@pytest.mark.parametrize(
    "line",
    [
        f"payOrderId={PAY_ORDER_ID} status=2",
        "refund RP20240102100000123456789012 of PC20240101215009579871439079",
        "amount=1500 refundable=150000 total 99999999999 cents",
        "paySuccTime=2024-01-01 21:50:09",
        "epoch 1704139809 ms 1704139809123 ns 1704139809123456789",
        "stamp 20240101215009 and 20240101215009123",
        "mchOrderNo=A20240101-000123 mchRefundNo=R1234567890abc",
        "cardNum=424242******4242 last4 4242 card •••• 4242",
        "secureId 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "ip 192.77.33.56 port 8765 phone 416-555-0199",
        "design=good monkey business signal=3",
    ],
)
def test_ids_amounts_and_timestamps_survive(log: Captured, line: str) -> None:
    log.logger.info(line)
    assert log.text == f"INFO {log.logger.name} {line}\n"


def test_extra_fields_are_redacted() -> None:
    captured = make_logger("redact-test.extra", "%(message)s card=%(card)s")
    install_redaction(captured.logger)
    try:
        captured.logger.info("hello", extra={"card": VISA})
        assert captured.text == "hello card=424242******4242\n"
    finally:
        captured.logger.removeHandler(captured.handler)


def test_stack_info_is_redacted(log: Captured) -> None:
    log.logger.info("where", stack_info=True)  # 4111111111111111 in the source line
    assert "Stack (most recent call last)" in log.text
    assert "4111111111111111" not in log.text


def test_a_broken_format_string_keeps_the_record(log: Captured) -> None:
    log.logger.info("%d cents for %s", "not a number", VISA)
    assert VISA not in log.text
    assert "cents for" in log.text


def test_non_string_messages(log: Captured) -> None:
    log.logger.info({"cardNum": VISA, "cvv": "8642"})
    log.logger.info(ValueError(VISA))
    assert VISA not in log.text
    assert "8642" not in log.text


def test_every_handler_and_a_propagating_third_party_logger() -> None:
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        install_redaction()
        child = logging.getLogger("redact-test.thirdparty.httpx")
        child.setLevel(logging.DEBUG)
        child.debug("request body %s", json.dumps({"cardNum": VISA, "cvv": "8642"}))
        assert VISA not in stream.getvalue()
        assert "8642" not in stream.getvalue()
        assert "424242******4242" in stream.getvalue()
    finally:
        root.removeHandler(handler)


# --------------------------------------------------------------------------- properties


def with_check_digit(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


cards = st.builds(
    lambda first, rest: with_check_digit(first + rest),
    st.sampled_from(["34", "37", "4", "51", "55", "2221", "2720", "6011", "62", "35"]),
    st.text(alphabet="0123456789", min_size=11, max_size=14),
)
around = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
edges = st.sampled_from([" ", ",", ";", "=", ":", '"', "'", "(", ")", "[", "\n", "\t", "/"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards, around, edges, edges, around)
def test_a_card_never_survives_in_any_text(
    card: str, before: str, left: str, right: str, after: str
) -> None:
    out = redact(before + left + card + right + after)
    assert card not in out


@settings(max_examples=200, deadline=None)
@given(cards, st.sampled_from([" ", "-"]))
def test_a_card_in_groups_of_four_never_survives(card: str, sep: str) -> None:
    grouped = sep.join(card[i : i + 4] for i in range(0, len(card), 4))
    out = redact(f"card {grouped} ok")
    assert card not in out.replace(" ", "").replace("-", "")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**11), st.integers(1_000_000_000, 2_000_000_000))
def test_amounts_and_epoch_times_survive(cents: int, epoch: int) -> None:
    line = f"amount={cents} at {epoch} ({epoch * 1000} ms, {epoch * 10**9} ns)"
    assert redact(line) == line


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["PC", "RP", "PW"]),
    st.datetimes().map(lambda d: d.strftime("%Y%m%d%H%M%S")),
    st.text(alphabet="0123456789", min_size=12, max_size=12),
)
def test_pay_order_ids_survive(prefix: str, stamp: str, tail: str) -> None:
    line = f"payOrderId={prefix}{stamp.zfill(14)}{tail} status=2"
    assert redact(line) == line


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=3, max_size=4), st.sampled_from(['"', "'"]))
def test_cvv_fields_never_survive(cvv: str, quote: str) -> None:
    out = redact(f"{{{quote}cvv{quote}: {quote}{cvv}{quote}}}")
    assert cvv not in out

"""parse_notify: a verified order, or a clear error for a bad sign or bad JSON."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iotpay_desk.api import NOTIFY_ACK, InvalidNotify, Order, Outcome, parse_notify, sign
from iotpay_desk.api.sign import sign_base

KEY = "TESTKEY_NOT_REAL_0123456789abcde"

NOTIFY = {
    "payOrderId": "PC20240101215009579871439079",
    "mchId": "10000701",
    "mchOrderNo": "1234567890abc",
    "originalOrderId": "",
    "amount": 1500,
    "currency": "CAD",
    "payType": "pay",
    "refundable": 1500,
    "status": 2,
    "invoiceNum": "",
    "paySuccTime": "2024-01-01 21:50:09",
    "cardNum": "424242******4242",
    "cardType": "V",
    "expiryDate": "1230",
    "authNum": "123456",
    "transNum": "T-1",
    "channel": "PF_CC",
}


def signed(message: dict[str, Any], key: str = KEY) -> dict[str, Any]:
    return {**message, "sign": sign(message, key)}


def body(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode()


def test_ack_is_success() -> None:
    assert NOTIFY_ACK == "SUCCESS"


def test_a_signed_notify_gives_its_order() -> None:
    order = parse_notify(body(signed(NOTIFY)), KEY)
    assert order == Order.from_dict(NOTIFY)
    assert order.pay_order_id == "PC20240101215009579871439079"
    assert order.amount == 1500
    assert order.outcome is Outcome.SUCCEEDED


def test_text_body_and_bytes_body() -> None:
    text = json.dumps(signed(NOTIFY), ensure_ascii=False)
    assert parse_notify(text, KEY) == parse_notify(text.encode("utf-8"), KEY)


def test_refund_notify() -> None:
    refund = {
        **NOTIFY,
        "payOrderId": "RP20240102100000123456789012",
        "payType": "refund",
        "originalOrderId": NOTIFY["payOrderId"],
        "mchOrderNo": "R1",
        "amount": 500,
        "refundable": 0,
    }
    order = parse_notify(body(signed(refund)), KEY)
    assert order.is_refund
    assert order.original_order_id == NOTIFY["payOrderId"]


def test_lowercase_sign_accepted() -> None:
    message = signed(NOTIFY)
    message["sign"] = message["sign"].lower()
    assert parse_notify(body(message), KEY).amount == 1500


def test_case_insensitive_key_order_accepted() -> None:
    # IOTPay's PHP SDK sorts keys case-insensitively; a field such as "Zone" puts the
    # two orders apart, and both signs must verify.
    message = {**NOTIFY, "Zone": "EST"}
    base = sign_base(message, KEY, casefold=True)
    php_sign = hashlib.md5(base.encode(), usedforsecurity=False).hexdigest().upper()
    assert php_sign != sign(message, KEY)
    assert parse_notify(body({**message, "sign": php_sign}), KEY).amount == 1500


def test_fields_unknown_to_us_are_part_of_the_sign() -> None:
    message = signed({**NOTIFY, "newField": "v"})
    assert parse_notify(body(message), KEY).amount == 1500
    message.pop("newField")
    with pytest.raises(InvalidNotify, match="sign does not match"):
        parse_notify(body(message), KEY)


@pytest.mark.parametrize(
    "tamper",
    [
        {"amount": 150000},
        {"status": 9},
        {"payOrderId": "PC20240101215009579871439080"},
        {"cardNum": "555555******4444"},
        {"refundable": 0},
    ],
)
def test_a_changed_field_is_refused(tamper: dict[str, Any]) -> None:
    message = {**signed(NOTIFY), **tamper}
    with pytest.raises(InvalidNotify, match="sign does not match"):
        parse_notify(body(message), KEY)


def test_the_wrong_key_is_refused() -> None:
    with pytest.raises(InvalidNotify, match="sign does not match"):
        parse_notify(body(signed(NOTIFY, "ANOTHER_KEY_0123456789")), KEY)


def test_an_empty_key_is_refused() -> None:
    # With no key anyone could sign: never accept it.
    with pytest.raises(InvalidNotify, match="no merchant key"):
        parse_notify(body(signed(NOTIFY, "")), "")


def test_a_missing_sign_is_refused() -> None:
    with pytest.raises(InvalidNotify, match="sign is missing"):
        parse_notify(body(NOTIFY), KEY)


@pytest.mark.parametrize("bad_sign", ["", None, 0, "X" * 32, ["A"]])
def test_a_malformed_sign_is_refused(bad_sign: Any) -> None:
    with pytest.raises(InvalidNotify, match="sign does not match"):
        parse_notify(body({**NOTIFY, "sign": bad_sign}), KEY)


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"not json", b"\xff\xfe\x00", "{'single': 'quotes'}", b'{"a": 1}{"b": 2}'],
)
def test_bad_json_is_refused(raw: bytes | str) -> None:
    with pytest.raises(InvalidNotify, match="not valid JSON"):
        parse_notify(raw, KEY)


@pytest.mark.parametrize("raw", [b"[]", b'"SUCCESS"', b"42", b"null", b"[{}]"])
def test_a_json_value_that_is_not_an_object_is_refused(raw: bytes) -> None:
    with pytest.raises(InvalidNotify, match="not a JSON object"):
        parse_notify(raw, KEY)


def test_a_signed_message_without_pay_order_id_is_refused() -> None:
    message = {k: v for k, v in NOTIFY.items() if k != "payOrderId"}
    with pytest.raises(InvalidNotify, match="payOrderId is missing"):
        parse_notify(body(signed(message)), KEY)


def test_errors_are_value_errors_and_never_carry_the_key() -> None:
    for raw in (b"{", body(signed(NOTIFY, "wrong-key-123456")), body(NOTIFY)):
        with pytest.raises(ValueError, match=r"^notify: ") as info:
            parse_notify(raw, KEY)
        assert isinstance(info.value, InvalidNotify)
        assert KEY not in str(info.value)


def test_an_unmasked_card_number_in_a_notify_is_masked() -> None:
    order = parse_notify(body(signed({**NOTIFY, "cardNum": "4242424242424242"})), KEY)
    assert order.card_num == "424242******4242"


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=10).filter(lambda k: k not in NOTIFY and k != "sign"),
        st.one_of(st.text(max_size=10), st.integers(), st.none()),
        max_size=5,
    ),
    st.randoms(use_true_random=False),
)
def test_any_extra_fields_in_any_order_verify(extra: dict[str, Any], rnd: Any) -> None:
    message = signed({**NOTIFY, **extra})
    items = list(message.items())
    rnd.shuffle(items)
    assert parse_notify(json.dumps(dict(items)), KEY) == Order.from_dict(NOTIFY)

"""From core errors to the words the user reads (English and French)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from iotpay_desk.api import (
    CannotConnect,
    InvalidRequest,
    IotPayClient,
    IotPayRejected,
    OutcomeUnknown,
    PurchaseWithWalletRequest,
    QueryRequest,
    RefundRequest,
    request_params,
    rules,
)
from iotpay_desk.api.rules import ENGLISH, BrokenRule, RuleCode, RuleParam
from iotpay_desk.core import credentials
from iotpay_desk.core.credentials import KeychainError, KeychainState
from iotpay_desk.gui import errors
from iotpay_desk.gui.amounts import format_cents
from iotpay_desk.gui.errors import (
    Kind,
    describe,
    field_label,
    rule_text,
    show_message,
)
from iotpay_desk.gui.i18n import Translators, install_translators
from iotpay_desk.journal import ActionKind
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxClock, SandboxServer
from iotpay_desk.services import CannotReachIotPay, InvalidInput, MoneyService, OrderNotFound
from tests.gui.conftest import QLoop
from tests.services.conftest import pay


def _invalid(req: object) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        request_params(req, "10000701")  # type: ignore[arg-type]
    return info.value


def test_invalid_request_names_the_field_and_the_rule(qapp: QApplication) -> None:
    exc = _invalid(
        RefundRequest(mch_refund_no="R1", login_name="cashier1", refund_amount=0, pay_order_id="P")
    )
    msg = describe(exc)
    assert msg.kind is Kind.USER
    assert msg.field == "refundAmount"
    assert msg.text == "Refund amount: must be more than 0 cents. Correct it and try again."


def test_too_long_text_rule(qapp: QApplication) -> None:
    exc = _invalid(
        RefundRequest(
            mch_refund_no="R1", login_name="a_very_long_login", refund_amount=5, pay_order_id="P"
        )
    )
    assert describe(exc).text == (
        "Operator login: must be at most 12 characters. Correct it and try again."
    )


def test_every_field_rule_of_the_core_is_typed(qapp: QApplication) -> None:
    """Feed each field rule of iotpay_desk.api.rules bad values: each answer is a typed
    rule with its own (translatable) wording, its parameters formatted."""
    produced = [
        rules.text(12)(5),
        rules.text(12)("  "),
        rules.text(12)("x" * 13),
        rules.text(12)("a\x01"),
        rules.cents("5"),
        rules.cents(0),
        rules.cents(rules.MAX_CENTS + 1),
        rules.one_of("CAD")("USD"),
        rules.one_of(*rules.CHANNELS)("X"),
        rules.base64_text()(""),
        rules.base64_text(4)("AAAAAAAA"),
        rules.base64_text()("not base64!"),
        rules.mmyy("1399"),
        rules.card_number("42x"),
        rules.card_number("4242"),
        rules.card_number("4242424242424241"),
        rules.cvv("12"),
        rules.url()("ftp://x"),
        rules.ip_address("999.1.1.1"),
        rules.id30(" A1"),
        _invalid(QueryRequest()).rule,
        _invalid(QueryRequest(mch_order_no="A", pay_order_id="B")).rule,
        _invalid(
            PurchaseWithWalletRequest(
                mch_order_no="A", amount=5, login_name="c", wallet_type="ApplePay"
            )
        ).rule,
    ]
    for rule in produced:
        assert isinstance(rule, BrokenRule), rule
        assert rule.code is not RuleCode.AS_GIVEN
        assert rule_text(rule) != str(rule) or rule.code in _SAME_IN_ENGLISH, rule
    assert rule_text(rules.one_of(*rules.CHANNELS)("X")) == "must be one of: PF_CC, UPI_EX"
    assert rule_text(rules.text(12)("x" * 13)) == "must be at most 12 characters"
    # Words from elsewhere (IOTPay's retMsg) are shown as they are, never parsed.
    assert rule_text("the amount exceeds 12 characters") == "the amount exceeds 12 characters"
    assert not hasattr(errors, "_AT_MOST")
    assert not hasattr(errors, "_OVER_REFUNDABLE")


# Codes whose English screen text is word for word the log text.
_SAME_IN_ENGLISH = {
    RuleCode.REQUIRED,
    RuleCode.TEXT,
    RuleCode.NOT_BLANK,
    RuleCode.NO_CONTROL_CHARS,
    RuleCode.NO_EDGE_SPACES,
    RuleCode.WHOLE_CENTS,
    RuleCode.MORE_THAN_ZERO_CENTS,
    RuleCode.TOO_LARGE,
    RuleCode.BASE64_TEXT,
    RuleCode.BASE64_VALID,
    RuleCode.MMYY,
    RuleCode.DIGITS_ONLY,
    RuleCode.CARD_LENGTH,
    RuleCode.LUHN,
    RuleCode.CVV,
    RuleCode.IP_ADDRESS,
}

_SAMPLES: dict[str, RuleParam] = {
    "max": 1200,
    "min": 24,
    "left": 123456,
    "choices": ("PF_CC", "UPI_EX"),
    "kind": "refund",
    "rule": BrokenRule(RuleCode.NOT_BLANK),
    "text": "order not exist",
}


def _sample(code: RuleCode) -> BrokenRule:
    names = re.findall(r"\{(\w+)\}", ENGLISH[code])
    return BrokenRule(code, **{name: _SAMPLES[name] for name in names})


def _every_rule_text() -> dict[RuleCode, str]:
    return {code: rule_text(_sample(code)) for code in RuleCode}


def test_every_rule_code_reads_in_english_and_french(qapp: QApplication) -> None:
    """One table turns every code into words, in both languages, parameters in place."""
    assert set(errors._RULE_TEXTS) == set(RuleCode)
    before = QLocale()
    QLocale.setDefault(QLocale("en_CA"))
    try:
        english = _every_rule_text()
        tr = install_translators("fr")
        assert tr.installed, "the French catalogue did not load"
        QLocale.setDefault(QLocale("fr_CA"))
        try:
            french = _every_rule_text()
        finally:
            tr.remove()
    finally:
        QLocale.setDefault(before)
    for code in RuleCode:
        for text in (english[code], french[code]):
            assert text.strip(), code
            assert not re.search(r"%\d|\{\w*\}", text), (code, text)
        if code is not RuleCode.AS_GIVEN:  # IOTPay's own words stay as they came
            assert french[code] != english[code], (code, english[code])
    assert english[RuleCode.OVER_REFUNDABLE] == "is more than what is left to refund ($1,234.56)"
    assert "1\u00a0234,56\u00a0$" in french[RuleCode.OVER_REFUNDABLE]
    assert english[RuleCode.MAX_CHARS] == "must be at most 1,200 characters"
    assert english[RuleCode.NOT_RESENDABLE] == "cannot be sent again (Refund)"
    assert english[RuleCode.PCI_WHO].endswith("must not be blank")
    assert english[RuleCode.PAYMENT_PENDING] != str(BrokenRule(RuleCode.PAYMENT_PENDING))


def test_iotpay_rejection_shows_its_reason(qapp: QApplication) -> None:
    msg = describe(IotPayRejected("cc_refund", "refund amount exceeds refundable"))
    assert msg.kind is Kind.USER
    assert "“refund amount exceeds refundable”" in msg.text
    assert "contact IOTPay support" in msg.text


def test_iotpay_not_found(qapp: QApplication) -> None:
    msg = describe(IotPayRejected("cc_query", "order not exist"))
    assert msg.text.startswith("IOTPay has no such order or card (“order not exist”).")


def test_rejection_reason_is_redacted(qapp: QApplication) -> None:
    msg = describe(IotPayRejected("cc_directaddcard", "bad card 4242424242424242"))
    assert "4242424242424242" not in msg.text
    assert "424242******4242" in msg.text


def test_cannot_connect(qapp: QApplication) -> None:
    text = "Could not reach IOTPay. Check the internet connection and try again."
    assert describe(CannotConnect("cc_query", "ConnectError")).text == text
    assert describe(CannotReachIotPay("ConnectError")).text == text


def test_outcome_unknown_is_a_state_not_an_error(qapp: QApplication) -> None:
    msg = describe(OutcomeUnknown("cc_refund", "ReadTimeout"))
    assert msg.kind is Kind.PENDING
    assert msg.text.startswith("Checking with IOTPay…")
    assert "Do not repeat it" in msg.text


def test_cancellation_is_silent(qtbot: QtBot) -> None:
    msg = describe(asyncio.CancelledError())
    assert msg.kind is Kind.CANCELLED
    parent = QWidget()
    qtbot.addWidget(parent)
    assert show_message(parent, msg) is None


def test_internal_error_has_details(qapp: QApplication) -> None:
    try:
        raise KeyError("boom")
    except KeyError as exc:
        msg = describe(exc)
    assert msg.kind is Kind.INTERNAL
    assert "KeyError" in msg.details
    assert "test_internal_error_has_details" in msg.details


def test_keychain_texts_match_the_core() -> None:
    core = {
        credentials.MSG_NO_KEYCHAIN,
        credentials.MSG_PLAINTEXT_REFUSED,
        credentials.MSG_UNREACHABLE,
        credentials.MSG_LOCKED,
        credentials.MSG_WRITE_FAILED,
    }
    assert set(errors._KEYCHAIN_TEXTS) == core


def test_keychain_error(qapp: QApplication) -> None:
    exc = KeychainError(KeychainState.LOCKED, credentials.MSG_LOCKED, "KeyringLocked")
    assert describe(exc).text == credentials.MSG_LOCKED


@pytest.fixture
def canadian_english(qapp: QApplication) -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale("en_CA"))
    yield
    QLocale.setDefault(before)


def test_money_service_errors(canadian_english: None) -> None:
    over = InvalidInput("amount", BrokenRule(RuleCode.OVER_REFUNDABLE, left=1250))
    assert describe(over).text == (
        "Amount: is more than what is left to refund ($12.50). Correct it and try again."
    )
    assert describe(over).field == "amount"
    missing = describe(OrderNotFound("PC2024"))
    assert missing.text.startswith("IOTPay has no order “PC2024”.")
    assert missing.field == "query"


@pytest.mark.parametrize(
    ("locale", "cents", "text"),
    [
        ("en_CA", 1250, "$12.50"),
        ("en_CA", 5, "$0.05"),
        ("en_CA", 123456789, "$1,234,567.89"),
        ("en_CA", -100, "-$1.00"),
        ("fr_CA", 1250, "12,50\u00a0$"),
        ("fr_CA", 123456789, "1\u00a0234\u00a0567,89\u00a0$"),
    ],
)
def test_format_cents(qapp: QApplication, locale: str, cents: int, text: str) -> None:
    assert format_cents(cents, QLocale(locale)) == text


@pytest.fixture
def french(qapp: QApplication) -> Iterator[Translators]:
    tr = install_translators("fr")
    assert tr.language == "fr"
    assert tr.installed, "the French catalogue did not load"
    yield tr
    tr.remove()


def test_messages_in_french(french: Translators) -> None:
    assert describe(CannotConnect("cc_query", "x")).text == (
        "Impossible de joindre IOTPay. Vérifiez la connexion Internet et réessayez."
    )
    exc = _invalid(
        RefundRequest(mch_refund_no="R1", login_name="cashier1", refund_amount=0, pay_order_id="P")
    )
    assert describe(exc).text == (
        "Montant du remboursement : doit être supérieur à 0 cent. Corrigez-le et réessayez."
    )
    assert field_label("cardNum") == "Numéro de carte"
    locked = KeychainError(KeychainState.LOCKED, credentials.MSG_LOCKED)
    assert describe(locked).text.startswith("Le trousseau de votre système est verrouillé")


def test_profile_file_problems(qapp: QApplication, tmp_path) -> None:
    from iotpay_desk.core.atomic import CorruptFileError
    from iotpay_desk.core.profiles import (
        Environment,
        Profile,
        ProfileInvalid,
        ProfileStore,
        ProfileStoreError,
    )

    (tmp_path / "profiles.json").write_text("{not json", "utf-8")
    store = ProfileStore(tmp_path)
    with pytest.raises(CorruptFileError) as corrupt:
        store.load()
    msg = describe(corrupt.value)
    assert msg.kind is Kind.USER
    assert msg.text.startswith("profiles.json could not be read")
    assert corrupt.value.kept_as is not None
    assert corrupt.value.kept_as.name in msg.text

    (tmp_path / "profiles.json").write_text('{"schema": 99, "profiles": []}', "utf-8")
    with pytest.raises(ProfileStoreError) as newer:
        ProfileStore(tmp_path).load()
    assert describe(newer.value).text.startswith("The merchant profiles were saved by a newer")

    bad = Profile.new("", Environment.PRODUCTION, "10000701", operators=["cashier1"])
    with pytest.raises(ProfileInvalid) as invalid:
        ProfileStore(tmp_path / "other").add(bad)
    assert describe(invalid.value).text == (
        "The profile cannot be saved: Profile name: must not be blank."
    )


@pytest.mark.parametrize(
    ("language", "locale", "expected", "english_left"),
    [
        ("en", "en_CA", "is a payment still waiting for IOTPay's answer", ""),
        ("fr", "fr_CA", "est un paiement qui attend encore la réponse d’IOTPay", "pending"),
    ],
)
def test_a_refused_void_of_a_pending_payment_reads_in_the_desks_language(
    qtbot: QtBot,
    qloop: QLoop,
    sandbox_factory: Callable[..., SandboxServer],
    tmp_path: Path,
    language: str,
    locale: str,
    expected: str,
    english_left: str,
) -> None:
    """The service refuses with a code; the box the cashier sees says it in the desk's
    language (this reached French users in English when rules were English sentences)."""
    frozen = sandbox_factory(clock=SandboxClock(frozen=True))  # the pending card stays pending
    before = QLocale()
    tr = install_translators(language)
    QLocale.setDefault(QLocale(locale))
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    journal = open_sqlite_ledger(tmp_path / "journal.sqlite3")

    async def scenario() -> InvalidInput:
        async with IotPayClient(frozen.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key) as client:
            pending = await pay(client, 1000, card="4000000000000077", expect_status=0)
            service = MoneyService(client, journal, operator="jack")
            draft = await service.new_draft(ActionKind.VOID, pending.pay_order_id)
            with pytest.raises(InvalidInput) as info:
                await service.void(pending.pay_order_id, draft_id=draft.id)
            return info.value

    try:
        refused = qloop.run(scenario())
        assert refused.rule.code is RuleCode.PAYMENT_PENDING
        assert str(refused) == "payOrderId: the payment is still pending"  # the log's English
        box = show_message(parent, describe(refused))
        assert box is not None
        assert box.isVisible()
        assert expected in box.text()
        if english_left:
            assert english_left not in box.text()
        assert box.text().startswith(field_label("payOrderId"))
        # Nothing typed is wrong: the message does not ask to correct it.
        assert "Correct it" not in box.text()
        assert "Corrigez" not in box.text()
        box.close()
    finally:
        journal.close()
        tr.remove()
        QLocale.setDefault(before)

"""From core errors to the words the user reads (English and French)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from iotpay_desk.api import (
    CannotConnect,
    InvalidRequest,
    IotPayRejected,
    OutcomeUnknown,
    PurchaseWithWalletRequest,
    QueryRequest,
    RefundRequest,
    request_params,
    rules,
)
from iotpay_desk.core import credentials
from iotpay_desk.core.credentials import KeychainError, KeychainState
from iotpay_desk.gui import errors
from iotpay_desk.gui.errors import (
    Kind,
    describe,
    field_label,
    format_cents,
    rule_text,
    show_message,
)
from iotpay_desk.gui.i18n import Translators, install_translators
from iotpay_desk.services import CannotReachIotPay, InvalidInput, OrderNotFound


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


def test_every_rule_text_of_the_core_has_wording(qapp: QApplication) -> None:
    """Feed each field rule of iotpay_desk.api.rules bad values; every text it can return
    must have its own (translatable) wording here."""
    produced = {
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
    }
    produced.discard(None)
    for text in produced:
        assert text is not None
        assert rule_text(text) != text or text in errors._RULES, text
    assert _invalid(QueryRequest()).rule in errors._RULES
    assert _invalid(QueryRequest(mch_order_no="A", pay_order_id="B")).rule in errors._RULES
    wallet = _invalid(
        PurchaseWithWalletRequest(
            mch_order_no="A", amount=5, login_name="c", wallet_type="ApplePay"
        )
    )
    assert wallet.rule in errors._RULES
    assert rule_text("must be PF_CC or UPI_EX") == "must be one of: PF_CC, UPI_EX"


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
    over = InvalidInput("amount", "more than the refundable amount (1250 cents left)")
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

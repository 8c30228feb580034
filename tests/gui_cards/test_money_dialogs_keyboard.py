"""The money forms as a cashier meets them, against the real sandbox: "10,50" typed in
English charges $10.50 (not $1,050.00) and the form says so in figures and words first;
every form opens with the cursor in its amount field; and no two buttons of one form start
with the same word, in English or in French (the void form's "Annuler le paiement" beside
"Annuler")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton

from iotpay_desk.gui.charge_dialog import ChargeDialog
from iotpay_desk.gui.direct_add_dialog import DirectAddDialog
from iotpay_desk.gui.i18n import install_translators, translations_dir
from iotpay_desk.gui.purchase_dialog import PurchaseDialog
from iotpay_desk.gui.receipt import ReceiptDialog
from iotpay_desk.gui.refund_dialog import RefundDialog
from iotpay_desk.gui.wallet_dialog import WalletDialog
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.sandbox import SandboxServer
from tests.services.conftest import pay

from .conftest import QLoop, until
from .desk import TEST_CARDS, Services, desk_services
from .pagedriver import future_mmyy


async def bind(s: Services) -> str:
    card = await s.cards.direct_add_card(
        "Ada L.", TEST_CARDS["visa"], future_mmyy(), "123", "Ada Lovelace"
    )
    return card.card_id


async def opened(dialog: QDialog) -> QDialog:
    """Open ``dialog`` as the desk does (``open()``, then its draft) and wait for it."""
    dialog.open()
    start = getattr(dialog, "start", None)
    if start is not None:
        start()
        submit = dialog.findChild(QPushButton, "submit")
        assert submit is not None
        await until(submit.isEnabled, what="the draft")
    return dialog


def charges(sandbox: SandboxServer) -> list[int]:
    return [int(o["amount"]) for o in sandbox.orders() if o["endpoint"] == "cc_purchasewithtoken"]


@pytest.fixture(params=["en", "fr"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The desk in English or French (the shipped catalogues), on an English system."""
    translators = install_translators(request.param, directory=translations_dir())
    yield request.param
    translators.remove()


# ------------------------------------------------------------------ "10,50" in English


def test_ten_fifty_typed_in_english_is_previewed_and_charged_as_ten_fifty(
    language: str, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """On an English system (the desk in English, or in French): "," is the locale's
    thousands separator, yet "10,50" can only mean ten fifty."""
    assert QLocale().decimalPoint() == "."

    async def scenario() -> ChargeDialog:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card_id = await bind(s)
            dialog = ChargeDialog(s.money, await s.cards.list_cards(), card_id)
            await opened(dialog)
            QTest.keyClicks(QApplication.focusWidget() or dialog.amount, "10,50")
            assert dialog.amount.text() == "10,50"
            assert dialog.amount_echo.cents == 1050
            if language == "en":
                assert dialog.amount_echo.text() == (
                    "Understood: $10.50 — ten dollars and fifty cents."
                )
                assert dialog.confirmation.text().startswith("Charge $10.50 to Visa ••••4242")
            else:
                assert "$10.50" in dialog.confirmation.text()
            QTest.keyClick(dialog.amount, Qt.Key.Key_Return)  # the cashier presses Enter
            await until(lambda: dialog.outcome is not None, what="the charge", within=15)
            dialog.close()
            return dialog

    dialog = qloop.run(scenario())
    assert dialog.outcome is not None
    assert dialog.outcome.state is ActionState.SUCCEEDED
    assert dialog.outcome.action.amount_cents == 1050
    assert "$10.50" in dialog.message.text()
    assert charges(sandbox) == [1050]  # counted at IOTPay's end


def test_an_ambiguous_amount_is_refused_with_the_rule_and_nothing_is_charged(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> ChargeDialog:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card_id = await bind(s)
            dialog = ChargeDialog(s.money, await s.cards.list_cards(), card_id)
            await opened(dialog)
            QTest.keyClicks(dialog.amount, "1,234,56")
            assert dialog.amount_echo.text().startswith("Amount: is ambiguous")
            dialog.submit.click()
            await until(dialog.message.isVisible, what="the refusal")
            dialog.close()
            return dialog

    dialog = qloop.run(scenario())
    assert dialog.message.text() == (
        "Amount: is ambiguous — cents follow a “.” or a “,” (one or two digits: 10.50 or "
        "10,50) and thousands are grouped by three (1,050). Correct it and try again."
    )
    assert dialog.amount.text() == "1,234,56"  # nothing typed is lost
    assert dialog.outcome is None
    assert charges(sandbox) == []


# ------------------------------------------------------------------ focus in the amount


@pytest.mark.parametrize("which", ["refund", "charge", "purchase", "wallet"])
def test_money_forms_open_with_the_cursor_in_the_amount(
    which: str, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> tuple[QLineEdit, str]:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            if which == "refund":
                order = await pay(s.client, 5000)
                detail = await s.money.lookup(order.pay_order_id)
                dialog: QDialog = RefundDialog(s.money, detail, ActionKind.REFUND)
            elif which == "charge":
                card_id = await bind(s)
                dialog = ChargeDialog(s.money, await s.cards.list_cards(), card_id)
            elif which == "purchase":
                dialog = PurchaseDialog(s.money)
            else:
                dialog = WalletDialog(s.money)
            await opened(dialog)
            dialog.activateWindow()
            await until(lambda: QApplication.activeWindow() is dialog, what="the form active")
            amount = dialog.findChild(QLineEdit, dialog.amount.objectName())  # type: ignore[attr-defined]
            assert amount is not None
            focus = QApplication.focusWidget()
            assert focus is amount, f"focus on {focus and focus.objectName()}"
            # What the cashier types lands there (a refund's amount is selected: replaced).
            QTest.keyClicks(focus, "12,5")
            typed = amount.text()
            dialog.close()
            return amount, typed

    _, typed = qloop.run(scenario())
    assert typed == "12,5"


# ------------------------------------------------------------------ button words


def first_words(dialog: QDialog) -> list[str]:
    """The first word of every visible button of ``dialog`` (mnemonic and "…" dropped)."""
    words = []
    for button in dialog.findChildren(QPushButton):
        if button.isVisible() and button.window() is dialog:
            text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            words.append(text.split()[0].rstrip("…").casefold())
    return words


def test_no_two_buttons_of_a_money_form_start_with_the_same_word(
    language: str, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> dict[str, list[str]]:
        seen: dict[str, list[str]] = {}
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card_id = await bind(s)
            order = await pay(s.client, 5000)
            detail = await s.money.lookup(order.pay_order_id)
            dialogs: dict[str, QDialog] = {
                "refund": RefundDialog(s.money, detail, ActionKind.REFUND),
                "void": RefundDialog(s.money, detail, ActionKind.VOID),
                "charge": ChargeDialog(s.money, await s.cards.list_cards(), card_id),
                "purchase": PurchaseDialog(s.money),
                "wallet": WalletDialog(s.money),
                "direct add": DirectAddDialog(s.cards),
                "receipt": ReceiptDialog("Demo Café\nSale $12.50", title="R", file_stem="r"),
            }
            for name, dialog in dialogs.items():
                await opened(dialog)
                seen[name] = first_words(dialog)
                dialog.close()
            # After IOTPay refused a partial refund: the void offer, Receipt… and Close.
            refund = RefundDialog(s.money, detail, ActionKind.REFUND)
            await opened(refund)
            refund.amount.setText("12.50")
            refund.submit.click()
            await until(lambda: refund.outcome is not None, what="the refusal")
            assert refund.other.isVisible()
            seen["refund refused"] = first_words(refund)
            refund.close()
        return seen

    seen = qloop.run(scenario())
    if language == "fr":
        assert "annuler" in seen["void"]  # the French catalogue was loaded
    for name, words in seen.items():
        assert len(words) >= 2, (name, words)
        assert len(set(words)) == len(words), f"{name} ({language}): {words}"

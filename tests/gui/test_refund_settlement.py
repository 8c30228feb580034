"""A same-day partial refund must not turn into a full void: the refund form says before
anything is sent that the payment has not settled (and when it will), and after IOTPay's
refusal the void it offers names the full amount it would cancel. On the real sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from iotpay_desk.gui.orders import OrdersPage
from iotpay_desk.gui.refund_dialog import RefundDialog
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.sandbox import SandboxServer
from tests.gui.conftest import QLoop, until
from tests.gui.test_orders import Desk, look_up, open_form
from tests.services.conftest import returns_at_sandbox

# Amounts and times read as a Canadian English desk shows them.
pytestmark = pytest.mark.usefixtures("canadian_english")


@pytest.fixture
def desk(qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Desk]:
    d = Desk(qtbot, qloop, sandbox, tmp_path)
    d.start()
    yield d
    d.close()


def test_partial_refund_before_settlement_is_explained_before_sending(
    desk: Desk, qtbot: QtBot
) -> None:
    payment = desk.pay(5000)  # 09:00 in Toronto: settles at the 21:00 cut-off tonight
    page = desk.orders

    async def scenario() -> tuple[RefundDialog, str, str]:
        await look_up(desk, qtbot, payment.pay_order_id)
        assert page.advice.text().startswith("Not settled yet")
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        # Up front, before anything is typed or sent.
        assert dialog.settlement.isVisible()
        full_text = dialog.settlement.text()
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "12.50")
        partial_text = dialog.settlement.text()
        assert dialog.settlement.isVisible()
        assert dialog.amount_echo.text() == ("Understood: $12.50 — twelve dollars and fifty cents.")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until_outcome(dialog)
        return dialog, plain(full_text), plain(partial_text)

    dialog, full_text, partial_text = desk.qloop.run(scenario())
    assert full_text.startswith(
        "Not settled yet: IOTPay refunds a payment only once it has settled, tonight at 9:00 p.m. E"
    )
    assert "void it instead: a void returns the full $50.00." in full_text
    assert "To return only $12.50, wait until then and refund it." in partial_text
    assert "a void, which cancels the full $50.00." in partial_text

    # IOTPay refused the partial refund; the void it offers says it takes everything.
    assert dialog.outcome is not None
    assert dialog.outcome.state is ActionState.FAILED
    text = plain(dialog.message.text())
    assert "A void cancels the whole payment: $50.00, not $12.50." in text
    assert "To return only $12.50, refund it once it has settled (tonight at 9:00 p.m. E" in text
    assert dialog.other.isVisible()
    assert dialog.other.text() == "&Void the full $50.00 instead"
    assert not dialog.settlement.isVisible()  # the message says it now
    assert desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id)) == []

    # Taking it opens the void form, which names the full amount again; nothing is sent.
    async def swap() -> RefundDialog:
        qtbot.mouseClick(dialog.other, Qt.MouseButton.LeftButton)
        await until_form(desk, dialog)
        second = page.dialog
        assert second is not None
        return second

    second = desk.qloop.run(swap())
    assert second.kind is ActionKind.VOID
    labels = [w.text() for w in second.findChildren(QLabel) if w.isVisible()]
    assert any("a void cancels all of it ($50.00)" in t for t in labels), labels
    second.reject()


def test_full_refund_before_settlement_keeps_the_plain_void_offer(desk: Desk, qtbot: QtBot) -> None:
    payment = desk.pay(2000)

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        assert dialog.amount.text() == "20.00"
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until_outcome(dialog)
        return dialog

    dialog = desk.qloop.run(scenario())
    assert "void it instead" in dialog.message.text()
    assert dialog.other.text() == "&Void instead"  # the same money either way


def test_after_settlement_nothing_is_explained(desk: Desk, qtbot: QtBot) -> None:
    payment = desk.pay(5000)
    desk.sandbox.advance(13 * 3600)  # 22:00: past the cut-off

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        return await open_form(desk, qtbot, ActionKind.REFUND)

    dialog = desk.qloop.run(scenario())
    assert not dialog.settlement.isVisible()
    dialog.reject()


def plain(text: str) -> str:
    """Qt puts a narrow no-break space in "9:00 p.m."."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


async def until_outcome(dialog: RefundDialog) -> None:
    """IOTPay's answer, and the Orders page's refresh it starts, finished on this loop run."""
    page = dialog.parent().findChild(OrdersPage)
    await until(lambda: dialog.outcome is not None, what="IOTPay's answer")
    await until(lambda: page.lookup_button.isEnabled(), what="the page refreshed")


async def until_form(desk: Desk, first: RefundDialog) -> None:
    await until(lambda: desk.orders.dialog is not first, what="the other form")


def test_settled_earlier_than_the_cut_off_the_refund_goes_and_the_warning_goes(
    desk: Desk, qtbot: QtBot
) -> None:
    """The cut-off is the profile's estimate: when IOTPay settled earlier, the partial
    refund is still sent as asked, and the "not settled" line leaves with the outcome."""
    payment = desk.pay(5000)
    desk.sandbox.settle()  # IOTPay settled it already; the profile's cut-off is 21:00

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        assert dialog.settlement.isVisible()
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "12,50")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until_outcome(dialog)
        return dialog

    dialog = desk.qloop.run(scenario())
    assert dialog.message.text().startswith("Refunded $12.50.")
    assert not dialog.settlement.isVisible()
    at_sandbox = desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id))
    assert [o["amount"] for o in at_sandbox] == [1250]

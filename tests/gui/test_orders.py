"""Orders, the refund/void form and Activity, driven like a cashier, on the real sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iotpay_desk.api import IotPayClient, Order, RefundRequest
from iotpay_desk.core.profiles import Environment, Profile
from iotpay_desk.gui.activity import KIND, OPERATOR, OUTCOME, PAYMENT, WHEN
from iotpay_desk.gui.mainwindow import MainWindow, Page
from iotpay_desk.gui.refund_dialog import RefundDialog
from iotpay_desk.gui.words import local_time
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services import MoneyService
from iotpay_desk.services.money import NOT_RECEIVED_AFTER_S
from iotpay_desk.services.rules import TORONTO
from tests.gui.conftest import QLoop, message_boxes, until
from tests.services.conftest import pay, returns_at_sandbox

FAST_CHECKS = (0.0, 0.05, 0.1, 0.2)


# Amounts and times read as a Canadian English desk shows them.
pytestmark = pytest.mark.usefixtures("canadian_english")


class Desk:
    """A main window wired to a money service on the sandbox, as the app wires it."""

    def __init__(
        self,
        qtbot: QtBot,
        qloop: QLoop,
        sandbox: SandboxServer,
        tmp: Path,
        *,
        tz: tzinfo = TORONTO,
        not_received_after: float = 0.0,
    ) -> None:
        self.qloop = qloop
        self.sandbox = sandbox
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0), trust_env=False)
        self.client = IotPayClient(
            sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=self.http, backoff=0.02
        )
        self.journal = open_sqlite_ledger(tmp / "journal.sqlite3")
        profile = Profile.new(
            "Sandbox",
            Environment.SANDBOX,
            DEMO_MERCHANT.mch_id,
            operators=["jack"],
            custom_url=sandbox.url,
        )
        self.window = MainWindow(profile=profile)
        qtbot.addWidget(self.window)
        self.service = MoneyService(
            self.client,
            self.journal,
            operator="jack",
            check_delays=FAST_CHECKS,
            not_received_after=not_received_after,
            clock=sandbox.clock.local_now,
            tz=tz,
            on_change=self.window.action_changed,
        )
        self.window.show()
        self.orders = self.window.orders

    def start(self, retype_above: int | None = None) -> None:
        """Wire the service in, on the running loop (as the app does): the pages start
        loading the journal at once."""
        self.qloop.call(
            lambda: self.window.set_money_service(self.service, retype_above=retype_above)
        )

    def pay(self, amount: int = 5000) -> Order:
        return self.qloop.run(pay(self.client, amount))

    def close(self) -> None:
        self.window.set_money_service(None)
        self.qloop.run(self.http.aclose())
        self.journal.close()


@pytest.fixture
def desk(qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Desk]:
    d = Desk(qtbot, qloop, sandbox, tmp_path)
    d.start()
    yield d
    d.close()


async def look_up(desk: Desk, qtbot: QtBot, text: str) -> None:
    page = desk.orders
    before = page.detail
    page.query.clear()
    qtbot.keyClicks(page.query, text)
    qtbot.keyClick(page.query, Qt.Key.Key_Return)
    await until(
        lambda: (
            (page.detail is not before or page.message.isVisible())
            and page.lookup_button.isEnabled()
        ),
        what="look-up finished",
    )


async def open_form(desk: Desk, qtbot: QtBot, kind: ActionKind) -> RefundDialog:
    page = desk.orders
    button = page.refund_button if kind is ActionKind.REFUND else page.void_button
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    assert dialog.kind is kind
    await until(lambda: dialog.submit.isEnabled(), what="draft ready")
    return dialog


def test_look_up_then_void_before_the_cut_off(desk: Desk, qtbot: QtBot) -> None:
    payment = desk.pay(5000)
    page = desk.orders

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.mch_order_no)
        assert page.payment_box.isVisible()
        assert page.values["pay_order_id"].text() == payment.pay_order_id
        assert page.values["amount"].text() == "$50.00"
        assert page.values["refundable"].text() == "$50.00"
        assert page.values["status"].text() == "Paid"
        assert page.values["card"].text() == "Visa 424242******4242"
        assert page.zone.text() == "Times in Eastern Time (America/Toronto)"
        assert page.advice.text().startswith("Not settled yet")
        assert page.void_button.isDefault()
        dialog = await open_form(desk, qtbot, ActionKind.VOID)
        qtbot.keyClicks(dialog.reason, "wrong item")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.outcome is not None, what="void outcome")
        await until(lambda: page.values["refundable"].text() == "$0.00", what="refreshed")
        return dialog

    dialog = desk.qloop.run(scenario())
    assert dialog.message.text().startswith("Voided $50.00.")
    assert "IOTPay's reference: RP" in dialog.message.text()
    assert not dialog.submit.isVisible()
    assert dialog.cancel.text() == "&Close"
    assert page.refund_button.isEnabled() is False
    assert page.values["status"].text() == "Voided"  # not "Paid" (issue 8 #6)
    at_sandbox = desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id))
    assert len(at_sandbox) == 1
    assert page.returns.rowCount() == 1
    assert page.returns.item(0, 0).text() == "Void"
    assert page.returns.item(0, 2).text() == "Done"
    activity = desk.window.activity
    assert activity.table.rowCount() == 1
    assert activity.table.item(0, KIND).text() == "Void"
    assert activity.table.item(0, OUTCOME).text() == "Done"
    assert activity.table.item(0, OPERATOR).text() == "jack"
    assert activity.table.item(0, PAYMENT).text() == payment.pay_order_id


def test_partial_refund_after_settlement_and_double_click(desk: Desk, qtbot: QtBot) -> None:
    payment = desk.pay(5000)
    desk.sandbox.advance(13 * 3600)  # 22:00 in Toronto: past the 21:00 cut-off, settled
    page = desk.orders

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        assert page.advice.text().startswith("Settled")
        assert page.refund_button.isDefault()
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        assert dialog.amount.text() == "50.00"
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "12.50")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)  # disabled by now
        dialog.send()  # even a second submit that gets through sends nothing more
        await until(lambda: dialog.outcome is not None, what="refund outcome")
        await until(lambda: page.values["refundable"].text() == "$37.50", what="refreshed")
        # The dialog reported its outcome more than once (the second submit): every
        # refresh it started finishes here, on this loop run, not in the next one.
        await until(lambda: page.lookup_button.isEnabled(), what="every refresh finished")
        return dialog

    dialog = desk.qloop.run(scenario())
    assert dialog.message.text().startswith("Refunded $12.50.")
    at_sandbox = desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id))
    assert [o["amount"] for o in at_sandbox] == [1250]
    assert not page.void_button.isEnabled()  # partly refunded: only refunds now
    assert page.values["status"].text() == "Partly refunded ($12.50)"


def test_refund_too_early_offers_the_void_and_keeps_what_was_typed(
    desk: Desk, qtbot: QtBot
) -> None:
    payment = desk.pay(2000)
    page = desk.orders

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        first = await open_form(desk, qtbot, ActionKind.REFUND)
        qtbot.keyClicks(first.reason, "customer changed mind")
        qtbot.mouseClick(first.submit, Qt.MouseButton.LeftButton)
        await until(lambda: first.outcome is not None, what="refusal")
        assert first.outcome is not None
        assert first.outcome.state is ActionState.FAILED
        assert "void it instead" in first.message.text()
        assert first.other.isVisible()
        assert first.other.text() == "&Void instead"
        qtbot.mouseClick(first.other, Qt.MouseButton.LeftButton)
        await until(lambda: page.dialog is not first, what="void form")
        second = page.dialog
        assert second is not None
        assert second.kind is ActionKind.VOID
        assert second.reason.text() == "customer changed mind"
        await until(lambda: second.submit.isEnabled(), what="draft ready")
        qtbot.mouseClick(second.submit, Qt.MouseButton.LeftButton)
        await until(lambda: second.outcome is not None, what="void outcome")
        return second

    second = desk.qloop.run(scenario())
    assert second.message.text().startswith("Voided $20.00.")


def test_amount_over_what_is_left_is_refused_before_sending(desk: Desk, qtbot: QtBot) -> None:
    payment = desk.pay(5000)
    desk.sandbox.settle()

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "60")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.message.isVisible() and dialog.submit.isEnabled())
        return dialog

    dialog = desk.qloop.run(scenario())
    assert dialog.message.text() == (
        "Amount: is more than what is left to refund ($50.00). Correct it and try again."
    )
    assert dialog.outcome is None
    assert desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id)) == []


def test_large_amounts_are_typed_twice(desk: Desk, qtbot: QtBot) -> None:
    desk.start(retype_above=1000)
    payment = desk.pay(5000)
    desk.sandbox.settle()

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        assert dialog.amount_again.isVisible()  # $50.00 > $10.00
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "5")
        assert not dialog.amount_again.isVisible()
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "20.00")
        qtbot.keyClicks(dialog.amount_again, "2.00")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.message.isVisible())
        assert dialog.message.text().startswith("The two amounts differ.")
        assert dialog.outcome is None
        dialog.amount_again.selectAll()
        qtbot.keyClicks(dialog.amount_again, "20")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.outcome is not None)
        return dialog

    dialog = desk.qloop.run(scenario())
    assert dialog.message.text().startswith("Refunded $20.00.")


def test_unknown_order(desk: Desk, qtbot: QtBot) -> None:
    page = desk.orders

    async def scenario() -> None:
        await look_up(desk, qtbot, "NO-SUCH-ORDER-1")

    desk.qloop.run(scenario())
    assert page.message.isVisible()
    assert page.message.text().startswith("IOTPay has no order “NO-SUCH-ORDER-1”.")
    assert not page.payment_box.isVisible()
    assert page.query.hasFocus() or page.query.selectedText() == "NO-SUCH-ORDER-1"
    assert message_boxes(desk.window) == []


def test_lost_answer_is_checked_not_resent(desk: Desk, qtbot: QtBot) -> None:
    """The connection drops after IOTPay committed the refund: the desk says it is
    checking, finds the refund with cc_query, and never sends it twice."""
    payment = desk.pay(3000)
    desk.sandbox.settle()
    desk.sandbox.set_faults([FaultSpec("drop_after_commit", "cc_refund", count=1)])
    page = desk.orders
    activity = desk.window.activity

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.outcome is not None, what="outcome")
        await until(lambda: activity.table.rowCount() == 1)
        return dialog

    dialog = desk.qloop.run(scenario())
    assert dialog.outcome is not None
    # Resolved by cc_query within the check schedule: IOTPay had it.
    assert dialog.outcome.state is ActionState.SUCCEEDED
    assert dialog.message.text().startswith("Refunded $30.00.")
    at_sandbox = desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id))
    assert len(at_sandbox) == 1
    assert activity.table.item(0, OUTCOME).text() == "Done"
    activity.select(next(iter(activity.known)))
    assert "Checks with IOTPay: " in activity.details.text()
    desk.window.show_page(Page.ACTIVITY)
    assert page.isHidden()


def test_without_a_service_nothing_can_be_looked_up(qtbot: QtBot) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    assert not win.orders.query.isEnabled()
    assert not win.orders.lookup_button.isEnabled()
    assert win.orders.offline.isVisible()
    assert not win.activity.empty.isHidden()
    assert win.activity.table.isHidden()


def test_keyboard_only_look_up_and_refund(desk: Desk, qtbot: QtBot) -> None:
    """Alt+O to the search field, Enter to look up, Tab order through the actions."""
    payment = desk.pay(1500)
    desk.sandbox.advance(13 * 3600)
    page = desk.orders
    desk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk.window)

    async def scenario() -> None:
        qtbot.keyClick(desk.window, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
        await until(page.query.hasFocus, what="Alt+O focuses the search field")
        qtbot.keyClicks(page.query, payment.pay_order_id)
        qtbot.keyClick(page.query, Qt.Key.Key_Return)
        await until(lambda: page.detail is not None and page.lookup_button.isEnabled())
        page.query.setFocus()
        chain = []
        widget = page.query
        for _ in range(3):
            widget = widget.nextInFocusChain()
            while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or not widget.isEnabled():
                widget = widget.nextInFocusChain()
            chain.append(widget.objectName())
        assert chain == ["lookup", "void", "refund"]

    desk.qloop.run(scenario())


def test_card_vault_gets_the_profile_services(desk: Desk) -> None:
    from iotpay_desk.gui.vault import VaultPage
    from iotpay_desk.services import CardService

    cards = CardService(desk.client, desk.journal, operator="jack")
    desk.qloop.call(lambda: desk.window.set_money_service(desk.service, cards=cards))
    vault = desk.window.pages[Page.VAULT]
    assert isinstance(vault, VaultPage)
    assert vault.cards_service is cards
    # The vault's "Added" times are on the merchant's clock, named once on the page.
    assert vault.model.tz is cards.tz
    assert vault.zone.text() == "Times in Eastern Time (America/Toronto)"
    desk.qloop.call(lambda: desk.window.set_money_service(None))
    assert vault.cards_service is None


# The offscreen platform cannot raise windows or grab the keyboard; it says so.
def test_receipts_reprinted_from_the_order(desk: Desk, qtbot: QtBot) -> None:
    payment = desk.pay(4200)
    desk.sandbox.advance(13 * 3600)  # settled
    page = desk.orders

    async def scenario() -> None:
        await look_up(desk, qtbot, payment.pay_order_id)
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "10.00")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.outcome is not None, what="refund outcome")
        await until(lambda: page.returns.rowCount() == 1, what="refund listed")

    desk.qloop.run(scenario())
    assert page.receipt_button.isEnabled()
    paid = page.order_receipt()
    assert paid is not None
    assert paid.pay_order_id == payment.pay_order_id
    assert paid.amount_cents == 4200
    assert paid.card_num == "424242******4242"
    refund = page.return_receipt(0)
    assert refund is not None
    assert refund.amount_cents == 1000
    assert refund.original_pay_order_id == payment.pay_order_id
    assert refund.pay_order_id.startswith("RP")
    assert "4242424242424242" not in repr(refund)
    # The real dialog opens from the button, with the order's id in its title.
    qtbot.mouseClick(page.receipt_button, Qt.MouseButton.LeftButton)
    shown = [
        w for w in QApplication.topLevelWidgets() if w.isVisible() and "Receipt" in w.windowTitle()
    ]
    assert shown
    assert payment.pay_order_id in shown[0].windowTitle()
    for w in shown:
        w.close()


# The offscreen platform cannot raise windows or grab the keyboard; it says so.
def test_recent_lookups_reopen_with_one_click(desk: Desk, qtbot: QtBot) -> None:
    first = desk.pay(1100)
    second = desk.pay(2200)
    page = desk.orders

    async def scenario() -> None:
        await look_up(desk, qtbot, first.pay_order_id)
        await look_up(desk, qtbot, second.mch_order_no)
        await until(lambda: page.recent.count() == 2, what="recent list filled")

    desk.qloop.run(scenario())
    assert page.detail is not None
    assert page.detail.order.pay_order_id == second.pay_order_id
    # newest first; the older one reopens with one click
    older = page.recent.item(1)
    assert first.mch_order_no in older.text()
    rect = page.recent.visualItemRect(older)
    qtbot.mouseClick(page.recent.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    async def reopened() -> None:
        await until(
            lambda: (
                page.detail is not None
                and page.detail.order.pay_order_id == first.pay_order_id
                and page.lookup_button.isEnabled()
            ),
            what="reopened",
        )

    desk.qloop.run(reopened())
    assert page.values["amount"].text() == "$11.00"


def test_ctrl_f_finds_an_order_from_any_page(desk: Desk, qtbot: QtBot) -> None:
    payment = desk.pay(1300)
    page = desk.orders
    desk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk.window)
    page.query.setText("something typed earlier")
    desk.window.show_page(Page.ACTIVITY)

    async def scenario() -> None:
        qtbot.keyClick(desk.window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        await until(page.query.hasFocus, what="Ctrl+F focuses the look-up field")
        assert page.query.selectedText() == "something typed earlier"
        qtbot.keyClicks(page.query, payment.pay_order_id)  # replaces the selection
        qtbot.keyClick(page.query, Qt.Key.Key_Return)
        await until(lambda: page.detail is not None and page.lookup_button.isEnabled())

    desk.qloop.run(scenario())
    assert page.isVisible()
    assert page.detail is not None
    assert page.detail.order.pay_order_id == payment.pay_order_id


def test_a_recorded_notification_shows_with_the_order(desk: Desk, qtbot: QtBot) -> None:
    payment = desk.pay(2500)
    page = desk.orders

    async def scenario() -> None:
        await look_up(desk, qtbot, payment.pay_order_id)

    desk.qloop.run(scenario())
    notified = page.values["notified"]
    assert notified.text() == "—"  # no notify receiver: nothing, and nothing missing
    # A notify receiver recorded IOTPay's notification twice (one retry).
    at = datetime(2025, 3, 1, 14, 5, tzinfo=UTC)
    desk.journal.record_notification(payment, now=at)
    desk.journal.record_notification(payment, now=at)

    async def again() -> None:
        before = page.detail
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)  # the same order
        await until(lambda: page.detail is not before, what="looked up again")

    desk.qloop.run(again())
    # On the merchant's clock (the profile's zone, Toronto by default), not the computer's.
    expected = f"{local_time(at.astimezone(TORONTO))} — Paid (IOTPay sent it 2 times)"
    assert notified.text() == expected


# -- issue 8: counter safety on the Orders page --------------------------------------------------


def test_a_failed_look_up_leaves_nothing_of_the_previous_payment_actionable(
    desk: Desk, qtbot: QtBot
) -> None:
    """Look up A, then mistype B: A must not stay on screen with Refund and Void on (a
    typo would then refund the wrong customer). While B is being looked up, A is greyed
    out and nothing acts on it; once B is not found, A is gone."""
    payment = desk.pay(4100)
    page = desk.orders

    async def scenario() -> None:
        await look_up(desk, qtbot, payment.pay_order_id)
        assert page.void_button.isEnabled()
        assert page.receipt_button.isEnabled()
        desk.sandbox.set_faults([FaultSpec("latency", "cc_query", count=2, latency_ms=400)])
        page.query.clear()
        qtbot.keyClicks(page.query, "NO-SUCH-ORDER-2")
        qtbot.keyClick(page.query, Qt.Key.Key_Return)
        await until(lambda: not page.lookup_button.isEnabled(), what="look-up started")
        assert not page.payment_box.isEnabled()  # greyed out while the look-up runs
        assert not page.void_button.isEnabled()
        assert not page.refund_button.isEnabled()
        assert not page.receipt_button.isEnabled()
        await until(
            lambda: page.message.isVisible() and page.lookup_button.isEnabled(),
            what="look-up failed",
        )

    desk.qloop.run(scenario())
    assert page.message.text().startswith("IOTPay has no order “NO-SUCH-ORDER-2”.")
    assert page.detail is None
    assert not page.payment_box.isVisible()
    assert not page.returns.isVisible()
    for button in (page.void_button, page.refund_button, page.receipt_button):
        assert not button.isEnabled()
    assert page.order_receipt() is None
    page.open_form(ActionKind.VOID)  # even called directly, nothing opens
    assert page.dialog is None
    assert desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id)) == []


def test_editing_the_field_disables_the_actions_until_looked_up_again(
    desk: Desk, qtbot: QtBot
) -> None:
    first = desk.pay(1200)
    second = desk.pay(3400)
    page = desk.orders

    async def scenario() -> None:
        await look_up(desk, qtbot, first.mch_order_no)
        assert page.void_button.isEnabled()
        assert not page.stale.isVisible()
        page.query.selectAll()
        qtbot.keyClicks(page.query, second.mch_order_no)  # typed, not looked up yet
        assert not page.void_button.isEnabled()
        assert not page.refund_button.isEnabled()
        assert not page.receipt_button.isEnabled()
        assert not page.payment_box.isEnabled()
        assert page.stale.isVisible()
        assert page.stale.text().startswith(f"The payment below is {first.mch_order_no},")
        assert page.order_receipt() is None
        qtbot.mouseClick(page.void_button, Qt.MouseButton.LeftButton)
        assert page.dialog is None
        qtbot.keyClick(page.query, Qt.Key.Key_Return)
        await until(
            lambda: (
                page.detail is not None
                and page.detail.order.pay_order_id == second.pay_order_id
                and page.lookup_button.isEnabled()
            ),
            what="second payment looked up",
        )

    desk.qloop.run(scenario())
    assert page.values["amount"].text() == "$34.00"
    assert page.void_button.isEnabled()
    assert page.receipt_button.isEnabled()
    assert page.payment_box.isEnabled()
    assert not page.stale.isVisible()
    receipt = page.order_receipt()
    assert receipt is not None
    assert receipt.pay_order_id == second.pay_order_id


# The offscreen platform cannot raise windows or grab the keyboard; it says so.
def test_refund_and_void_stay_off_while_a_refund_of_the_payment_is_unresolved(
    desk: Desk, qtbot: QtBot
) -> None:
    """Issue 8 B: the Orders page offers no second refund or void while one is in flight,
    and says why."""
    payment = desk.pay(5000)
    desk.sandbox.settle()
    desk.sandbox.set_faults([FaultSpec("latency", "cc_refund", count=1, latency_ms=1500)])
    page = desk.orders

    async def scenario() -> RefundDialog:
        await look_up(desk, qtbot, payment.pay_order_id)
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "10.00")
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: page.in_flight.isVisibleTo(page), what="in-flight refund shown")
        assert not page.refund_button.isEnabled()
        assert not page.void_button.isEnabled()
        assert page.in_flight.text().startswith("A refund of $10.00 is being sent to IOTPay.")
        assert dialog.outcome is None  # still at IOTPay
        page.open_form(ActionKind.REFUND)  # called directly: refused too
        assert page.dialog is dialog
        await until(lambda: dialog.outcome is not None, what="refund outcome")
        await until(lambda: page.refund_button.isEnabled(), what="refund offered again")
        await until(lambda: page.lookup_button.isEnabled(), what="refresh finished")
        return dialog

    dialog = desk.qloop.run(scenario())
    assert dialog.message.text().startswith("Refunded $10.00.")
    assert not page.in_flight.isVisibleTo(page)
    assert page.values["refundable"].text() == "$40.00"
    assert page.values["status"].text() == "Partly refunded ($10.00)"


def test_an_unresolved_refund_from_another_desk_keeps_refund_and_void_off(
    qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Issue 8 B, across processes: another desk on the same journal is refunding the
    payment; this desk's look-up sees the unresolved refund, and a look-up after it
    succeeded offers Refund again with what is left."""
    desk = Desk(qtbot, qloop, sandbox, tmp_path, not_received_after=NOT_RECEIVED_AFTER_S)
    desk.start()
    # The same file, another connection.
    other_journal = open_sqlite_ledger(tmp_path / "journal.sqlite3")
    other = MoneyService(
        desk.client,
        other_journal,
        operator="jill",
        check_delays=FAST_CHECKS,
        clock=sandbox.clock.local_now,
    )
    try:
        payment = desk.pay(5000)
        sandbox.settle()
        sandbox.set_faults([FaultSpec("latency", "cc_refund", count=1, latency_ms=2000)])
        page = desk.orders

        async def scenario() -> None:
            draft = await other.new_draft(ActionKind.REFUND, payment.pay_order_id)
            task = asyncio.ensure_future(
                other.refund(payment.pay_order_id, 1000, draft_id=draft.id)
            )
            await until(
                lambda: desk.journal.open_actions(DEMO_MERCHANT.mch_id), what="intent written"
            )
            await look_up(desk, qtbot, payment.pay_order_id)
            assert page.detail is not None
            assert not page.refund_button.isEnabled()
            assert not page.void_button.isEnabled()
            assert page.in_flight.isVisibleTo(page)
            assert page.in_flight.text().startswith("A refund of $10.00 is being")
            assert "IOTPay" in page.in_flight.text()
            result = await task
            assert result.succeeded
            before = page.detail
            qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)  # re-check
            await until(
                lambda: page.detail is not before and page.lookup_button.isEnabled(),
                what="looked up again",
            )

        qloop.run(scenario(), timeout=30)
        assert page.refund_button.isEnabled()
        assert not page.in_flight.isVisibleTo(page)
        assert page.values["refundable"].text() == "$40.00"
        assert page.values["status"].text() == "Partly refunded ($10.00)"
    finally:
        desk.close()
        other_journal.close()


# The offscreen platform cannot raise windows or grab the keyboard; it says so.
def test_status_after_a_full_refund_here_and_one_made_elsewhere(desk: Desk, qtbot: QtBot) -> None:
    """Issue 8 #6: a payment refunded in full no longer reads "Paid"."""
    here = desk.pay(2500)
    elsewhere = desk.pay(1800)
    desk.sandbox.settle()
    page = desk.orders

    async def refund_elsewhere() -> None:  # straight to IOTPay, not through this desk
        await desk.client.refund(
            RefundRequest(
                mch_refund_no="Rx" + elsewhere.pay_order_id[-20:],
                login_name="jack",
                refund_amount=1800,
                pay_order_id=elsewhere.pay_order_id,
            )
        )

    async def scenario() -> None:
        await look_up(desk, qtbot, here.pay_order_id)
        assert page.values["status"].text() == "Paid"
        dialog = await open_form(desk, qtbot, ActionKind.REFUND)
        assert dialog.amount.text() == "25.00"  # all of it
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.outcome is not None, what="refund outcome")
        await until(lambda: page.values["refundable"].text() == "$0.00", what="refreshed")
        await until(lambda: page.lookup_button.isEnabled(), what="refresh finished")
        assert page.values["status"].text() == "Refunded"
        await refund_elsewhere()
        await look_up(desk, qtbot, elsewhere.pay_order_id)

    desk.qloop.run(scenario())
    # IOTPay says nothing is left and this desk made no refund or void of it: IOTPay
    # does not say which it was.
    assert page.values["status"].text() == "Refunded or voided in full"
    assert not page.refund_button.isEnabled()


# The offscreen platform cannot raise windows or grab the keyboard; it says so.
def test_every_time_is_on_the_merchants_clock(
    qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Issue 8 #8: IOTPay's paySuccTime (Toronto) and the journal's times (UTC) are both
    shown in the profile's zone, which each page states."""
    vancouver = ZoneInfo("America/Vancouver")
    desk = Desk(qtbot, qloop, sandbox, tmp_path, tz=vancouver)
    desk.start()
    try:
        payment = desk.pay(2000)
        page = desk.orders
        activity = desk.window.activity

        async def scenario() -> None:
            await look_up(desk, qtbot, payment.pay_order_id)
            dialog = await open_form(desk, qtbot, ActionKind.VOID)
            qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
            await until(lambda: dialog.outcome is not None, what="void outcome")
            await until(lambda: page.returns.rowCount() == 1, what="void listed")
            await until(lambda: page.lookup_button.isEnabled(), what="refresh finished")
            await until(lambda: activity.table.rowCount() == 1, what="activity row")
            await until(lambda: page.recent.count() == 1, what="recent look-up")

        qloop.run(scenario())
        # IOTPay's time is Toronto's wall clock (the API reference, section 7.1).
        paid = datetime.strptime(payment.pay_succ_time, "%Y-%m-%d %H:%M:%S")
        paid = paid.replace(tzinfo=TORONTO)
        assert page.values["paid_at"].text() == local_time(paid.astimezone(vancouver))
        (void,) = desk.journal.actions_for_target(DEMO_MERCHANT.mch_id, payment.pay_order_id)
        when = local_time(void.created_at.astimezone(vancouver))
        assert page.returns.item(0, 3).text() == when
        assert activity.table.item(0, WHEN).text() == when
        (lookup,) = desk.journal.recent_lookups(DEMO_MERCHANT.mch_id)
        assert page.recent.item(0).text().endswith(local_time(lookup.at.astimezone(vancouver)))
        # The zone is said once on each page.
        note = "Times in Pacific Time (America/Vancouver)"
        assert page.zone.text() == note
        assert page.zone.isVisibleTo(page)
        assert activity.zone.text() == note
        assert activity.zone.isVisibleTo(activity)
    finally:
        desk.close()

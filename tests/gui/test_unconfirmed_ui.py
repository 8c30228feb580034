"""A refund IOTPay commits late, driven like a cashier: the form never says "nothing
moved" while IOTPay may still commit it, and "send again" reuses the refund's number,
so the late first send and the second make one refund at the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from iotpay_desk.api import IotPayClient
from iotpay_desk.gui.refund_dialog import RefundDialog
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services import MoneyService
from iotpay_desk.services.money import NOT_RECEIVED_AFTER_S
from tests.gui.conftest import QLoop, until
from tests.gui.test_orders import FAST_CHECKS, Desk, look_up, open_form
from tests.plugins.lateproxy import LateProxy
from tests.services.conftest import returns_at_sandbox

# Amounts and times read as a Canadian English desk shows them.
pytestmark = pytest.mark.usefixtures("canadian_english")


@pytest.fixture
def late_desk(
    qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, late_proxy: LateProxy, tmp_path: Path
) -> Iterator[Desk]:
    """A desk whose calls go through the late proxy and give up after a second."""
    d = Desk(qtbot, qloop, sandbox, tmp_path)
    d.late_http = httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=1.0), trust_env=False)
    d.service = MoneyService(
        IotPayClient(
            late_proxy.url,
            DEMO_MERCHANT.mch_id,
            DEMO_MERCHANT.key,
            http=d.late_http,
            backoff=0.02,
            query_attempts=2,
        ),
        d.journal,
        operator="jack",
        check_delays=FAST_CHECKS,
        not_received_after=NOT_RECEIVED_AFTER_S,
        clock=sandbox.clock.local_now,
        on_change=d.window.action_changed,
    )
    d.start()
    yield d
    d.close()
    qloop.run(d.late_http.aclose())


async def refund_through_the_form(
    desk: Desk, qtbot: QtBot, pay_order_id: str, amount: str
) -> RefundDialog:
    """Look the payment up, open its refund form, type the amount, click Refund, and
    wait for what the form says."""
    await look_up(desk, qtbot, pay_order_id)
    dialog = await open_form(desk, qtbot, ActionKind.REFUND)
    dialog.amount.selectAll()
    qtbot.keyClicks(dialog.amount, amount)
    qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.outcome is not None, within=15.0, what="outcome")
    return dialog


def test_a_refund_delivered_late_is_sent_again_with_its_number_and_refunds_once(
    late_desk: Desk, qtbot: QtBot, late_proxy: LateProxy
) -> None:
    desk = late_desk
    payment = desk.pay(5000)
    desk.sandbox.settle()
    late_proxy.hold("cc_refund")

    dialog = desk.qloop.run(refund_through_the_form(desk, qtbot, payment.pay_order_id, "5.00"))
    assert dialog.outcome is not None
    assert dialog.outcome.state is ActionState.CHECKING
    text = dialog.message.text()
    assert "no record of this refund yet" in text
    assert "nothing moved" not in text
    assert "try again" not in text.lower()
    assert dialog.outcome.action.mch_no in text
    assert dialog.resend.isVisible()
    assert not dialog.again.isVisible()  # never a new number while this one may land

    async def send_again() -> None:
        qtbot.mouseClick(dialog.resend, Qt.MouseButton.LeftButton)
        await until(
            lambda: dialog.outcome is not None and dialog.outcome.succeeded,
            within=15.0,
            what="sent again",
        )

    desk.qloop.run(send_again())
    assert dialog.message.text().startswith("Refunded $5.00.")
    assert not dialog.resend.isVisible()
    late_proxy.release()  # the first send lands now: IOTPay refuses its used number
    at_sandbox = desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id))
    assert [o["amount"] for o in at_sandbox] == [500]
    desk.qloop.run(desk.service.wait_idle())


def test_an_unconfirmed_refund_is_sent_again_from_activity_after_its_form_closed(
    late_desk: Desk, qtbot: QtBot, late_proxy: LateProxy
) -> None:
    desk = late_desk
    payment = desk.pay(5000)
    desk.sandbox.settle()
    late_proxy.hold("cc_refund")
    activity = desk.window.activity

    async def refund_and_close() -> None:
        dialog = await refund_through_the_form(desk, qtbot, payment.pay_order_id, "7.00")
        dialog.reject()
        await until(lambda: activity.table.rowCount() == 1, what="in Activity")

    desk.qloop.run(refund_and_close())
    # The Orders page does not offer a second refund while this one is unconfirmed.
    assert not desk.orders.refund_button.isEnabled()
    (action_id,) = activity.known
    activity.select(action_id)
    assert activity.resend_button.isEnabled()
    assert "no record of it yet" in activity.details.text()

    async def send_again() -> None:
        qtbot.mouseClick(activity.resend_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: activity.known[action_id].state is ActionState.SUCCEEDED,
            within=15.0,
            what="sent again",
        )

    desk.qloop.run(send_again())
    assert not activity.resend_button.isEnabled()
    late_proxy.release()
    at_sandbox = desk.qloop.run(returns_at_sandbox(desk.sandbox.url, payment.pay_order_id))
    assert [o["amount"] for o in at_sandbox] == [700]
    desk.qloop.run(desk.service.wait_idle())

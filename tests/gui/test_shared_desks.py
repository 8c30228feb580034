"""Two desks on one ledger: what one desk is sending or checking shows on the other as
"Being checked by <desk>", and a second refund is refused naming the desk and operator
that started the first."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from iotpay_desk.gui.errors import describe
from iotpay_desk.journal import ActionKind, ActionState, new_mch_no
from iotpay_desk.sandbox import DEMO_MERCHANT
from iotpay_desk.services import ActionInProgress
from tests.gui.conftest import until
from tests.gui.test_ledgerbridge import TwoDesks, activity_rows, desks  # noqa: F401

pytestmark = pytest.mark.usefixtures("canadian_english")


def test_another_desks_refund_in_flight_shows_who_checks_it(
    desks: TwoDesks,  # noqa: F811
    qtbot: QtBot,
) -> None:
    window = desks.window
    paid = desks.pay(5000)
    orders = window.orders

    async def scenario() -> None:
        # The back office's refund is on its way to IOTPay: its intent is written, its
        # lease held by that desk.
        intent = await asyncio.to_thread(
            desks.back_journal.create_intent,
            kind=ActionKind.REFUND,
            mch_id=DEMO_MERCHANT.mch_id,
            mch_no=new_mch_no("R"),
            operator="jill",
            target_pay_order_id=paid.pay_order_id,
            amount_cents=1000,
        )
        assert intent.lease_desk == "Back"
        await until(
            lambda: (
                activity_rows(window) == [("Refund", paid.pay_order_id, "Being checked by Back")]
            ),
            within=3.0,
            what="the other desk's refund on Activity",
        )
        window.activity.select(intent.id)
        assert "Desk: Back" in window.activity.details.text()

        # Orders: the refund is listed as the other desk's, and Refund/Void stay off.
        qtbot.keyClicks(orders.query, paid.pay_order_id)
        qtbot.keyClick(orders.query, Qt.Key.Key_Return)
        await until(lambda: orders.detail is not None and orders.lookup_button.isEnabled())
        item = orders.returns.item(0, 2)
        assert item is not None
        assert item.text() == "Being checked by Back"
        assert not orders.refund_button.isEnabled()
        assert not orders.void_button.isEnabled()

        # The service refuses a second refund, whatever the screen shows, and says who.
        draft = await desks.front.new_draft(ActionKind.REFUND, paid.pay_order_id)
        with pytest.raises(ActionInProgress) as refused:
            await desks.front.refund(paid.pay_order_id, 500, draft_id=draft.id)
        text = describe(refused.value).text
        assert "Started at Back by jill." in text
        assert text.endswith("Nothing was sent.")

        # The back office gets IOTPay's answer: both desks see it end.
        await asyncio.to_thread(
            desks.back_journal.complete, intent.id, ActionState.FAILED, ret_msg="test"
        )
        await until(
            lambda: activity_rows(window) == [("Refund", paid.pay_order_id, "Refused")],
            within=3.0,
            what="the outcome from the other desk",
        )

    desks.qloop.run(scenario())

"""The Activity page: every money action of the desk, named by its kind, with its payment,
card and customer, driven on the real sandbox (issue 8 #11)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from iotpay_desk.gui.activity import (
    AMOUNT,
    CARD,
    CUSTOMER,
    KIND,
    OPERATOR,
    OUTCOME,
    PAYMENT,
    WHEN,
    ActivityPage,
)
from iotpay_desk.gui.words import local_time
from iotpay_desk.journal import Action, ActionKind
from iotpay_desk.sandbox import SandboxServer
from iotpay_desk.services import CardService
from iotpay_desk.services.rules import TORONTO
from tests.gui.conftest import QLoop, until
from tests.gui.test_orders import Desk

CUSTOMER_LABEL = "Ada Lovelace (table 4)"


# Amounts and times read as a Canadian English desk shows them.
pytestmark = pytest.mark.usefixtures("canadian_english")


@pytest.fixture
def desk(qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Desk]:
    d = Desk(qtbot, qloop, sandbox, tmp_path)
    yield d
    d.close()


def row_of(page: ActivityPage, action_id: int) -> int:
    for row in range(page.table.rowCount()):
        item = page.table.item(row, 0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) == action_id:
            return row
    raise AssertionError(f"action {action_id} is not listed")


def cells(page: ActivityPage, action: Action) -> dict[int, str]:
    row = row_of(page, action.id)
    return {col: page.table.item(row, col).text() for col in range(page.table.columnCount())}


def test_every_row_says_what_it_was_and_for_whom(
    desk: Desk, qtbot: QtBot, sandbox: SandboxServer
) -> None:
    """A card charge, a refund of it and a purchase link: each row names its kind, the
    payment (the charge's own IOTPay order ID; the refunded payment's for the refund),
    the amount, the card's last four digits and the customer."""
    cards = CardService(
        desk.client,
        desk.journal,
        operator="jack",
        direct_add_enabled=True,
        clock=sandbox.clock.local_now,
    )
    desk.qloop.call(lambda: desk.window.set_money_service(desk.service, cards=cards))
    page = desk.window.activity
    service = desk.service

    async def scenario() -> tuple[Action, Action, Action]:
        card = await cards.direct_add_card(
            CUSTOMER_LABEL, "4242424242424242", "1230", "123", "Ada Lovelace"
        )
        draft = await service.new_draft(ActionKind.CHARGE_TOKEN)
        charge = await service.charge_card(draft.id, card.card_id, 2500)
        assert charge.succeeded
        assert charge.order is not None
        sandbox.settle()
        refund_draft = await service.new_draft(ActionKind.REFUND, charge.order.pay_order_id)
        refund = await service.refund(charge.order.pay_order_id, 1000, draft_id=refund_draft.id)
        assert refund.succeeded
        link = await service.start_purchase(1500)
        qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: (
                page.table.rowCount() == 3 and page.customers and page.refresh_button.isEnabled()
            ),
            what="the journal and the vault's labels read",
        )
        return charge.action, refund.action, link.action

    charge, refund, link = desk.qloop.run(scenario())
    assert charge.pay_order_id
    headings = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    assert headings == [
        "When",
        "Kind",
        "Amount",
        "Outcome",
        "Payment",
        "Card",
        "Customer",
        "Operator",
    ]
    intro = [label.text() for label in page.findChildren(QLabel)]
    assert any(t.startswith("Every charge, purchase link, refund and void") for t in intro)
    assert not any("Every refund and void" in t for t in intro)

    assert cells(page, charge) == {
        WHEN: cells(page, charge)[WHEN],
        KIND: "Card charge",
        PAYMENT: charge.pay_order_id,  # its own payment, not "—"
        AMOUNT: "$25.00",
        CARD: "•••• 4242",
        CUSTOMER: CUSTOMER_LABEL,
        OUTCOME: "Done",
        OPERATOR: "jack",
    }
    got = cells(page, refund)
    assert got[KIND] == "Refund"
    assert got[PAYMENT] == charge.pay_order_id  # the payment it returns money from
    assert got[AMOUNT] == "$10.00"
    assert got[CARD] == "•••• 4242"
    assert got[CUSTOMER] == CUSTOMER_LABEL
    got = cells(page, link)
    assert got[KIND] == "Purchase link"
    assert got[AMOUNT] == "$15.00"
    assert got[CUSTOMER] == "Walk-in"
    # Newest first.
    assert row_of(page, link.id) < row_of(page, refund.id) < row_of(page, charge.id)

    # The details call each number by its name.
    page.select(charge.id)
    details = page.details.text()
    assert details.startswith(f"Order number: {charge.mch_no}")
    assert "Refund number" not in details
    assert f"IOTPay order ID: {charge.pay_order_id}" in details
    page.select(refund.id)
    details = page.details.text()
    assert details.startswith(f"Refund number: {refund.mch_no}")
    assert f"Payment returned: {charge.pay_order_id}" in details
    # Times on the merchant's clock, stated once.
    assert page.zone.text() == "Times in Eastern Time (America/Toronto)"
    assert page.zone.isVisibleTo(page)
    assert cells(page, charge)[WHEN] == local_time(charge.created_at.astimezone(TORONTO))


def test_without_the_vault_the_customer_is_the_charges_user_id(desk: Desk) -> None:
    """A card charge whose card is not in the vault (or no card service): the customer
    column shows the mchUserId the charge was made for."""
    desk.start()
    page = desk.window.activity
    service = desk.service

    async def scenario() -> Action:
        cards = CardService(desk.client, desk.journal, operator="jack", direct_add_enabled=True)
        card = await cards.direct_add_card("Bob", "5555555555554444", "1230", "123", "Bob B")
        draft = await service.new_draft(ActionKind.CHARGE_TOKEN)
        charge = await service.charge_card(draft.id, card.card_id, 1200, mch_user_id="customer-77")
        await until(lambda: page.table.rowCount() == 1, what="listed")
        return charge.action

    charge = desk.qloop.run(scenario())
    got = cells(page, charge)
    assert got[KIND] == "Card charge"
    assert got[CUSTOMER] == "customer-77"
    assert got[CARD] == "•••• 4444"

"""Every order the desk sees reaches the merchant's books (iotpay_desk/ledger/books.py):
a charge, refund or void a desk makes (in the action's own transaction, with who and
why), an order looked up (confirmed by cc_query), a notification (unconfirmed). Against
the real sandbox over loopback and a real ledger file."""

from __future__ import annotations

import pytest

from iotpay_desk.api import IotPayClient, Order
from iotpay_desk.journal import ActionKind, ActionState, new_mch_no
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.books import BooksFilter
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services import CardService, MoneyService

from .conftest import FUTURE_EXPIRY, pay

pytestmark = pytest.mark.asyncio
MCH = DEMO_MERCHANT.mch_id


async def test_a_looked_up_order_is_in_the_books_confirmed(
    service: MoneyService, client: IotPayClient, journal: LedgerJournal
) -> None:
    p = await pay(client, 4200, mch_order_no="order-books-1")
    assert journal.books.get(MCH, p.pay_order_id) is None  # made outside the desk
    await service.lookup("order-books-1")
    entry = journal.books.get(MCH, p.pay_order_id)
    assert entry is not None
    assert (entry.kind, entry.source, entry.amount_cents, entry.mch_order_no) == (
        "payment",
        "lookup",
        4200,
        "order-books-1",
    )
    assert (entry.card_brand, entry.card_last4) == ("V", "4242")
    assert entry.confirmed_at is not None
    assert entry.paid_at == p.pay_succ_time
    assert entry.operator == ""  # not made by a desk


async def test_what_a_desk_makes_is_booked_with_who_and_why(
    service: MoneyService,
    client: IotPayClient,
    journal: LedgerJournal,
    direct_cards: CardService,
    sandbox: SandboxServer,
) -> None:
    card = await direct_cards.direct_add_card(
        "Ada", "4242424242424242", FUTURE_EXPIRY, "123", "Ada Buyer"
    )
    draft = await service.new_draft(ActionKind.CHARGE_TOKEN)
    charged = await service.charge_card(
        draft.id, card.card_id, 3000, subject="Order 12", note="by phone", mch_user_id="cust-9"
    )
    assert charged.succeeded
    assert charged.order is not None
    payment = journal.books.get(MCH, charged.order.pay_order_id)
    assert payment is not None
    assert (payment.kind, payment.source, payment.amount_cents) == ("payment", "desk", 3000)
    assert (payment.operator, payment.desk) == (charged.action.operator, journal.desk.name)
    assert (payment.subject, payment.note, payment.card_id, payment.customer) == (
        "Order 12",
        "by phone",
        card.card_id,
        "cust-9",
    )

    sandbox.settle()
    d = await service.new_draft(ActionKind.REFUND, charged.order.pay_order_id)
    refund = await service.refund(charged.order.pay_order_id, 1000, "damaged", draft_id=d.id)
    assert refund.succeeded
    assert refund.order is not None
    booked = journal.books.get(MCH, refund.order.pay_order_id)
    assert booked is not None
    assert (booked.kind, booked.original_order_id, booked.amount_cents, booked.reason) == (
        "refund",
        charged.order.pay_order_id,
        1000,
        "damaged",
    )

    other = await pay(client, 800)
    d = await service.new_draft(ActionKind.VOID, other.pay_order_id)
    void = await service.void(other.pay_order_id, "wrong amount", draft_id=d.id)
    assert void.succeeded
    assert void.order is not None
    voided = journal.books.get(MCH, void.order.pay_order_id)
    assert voided is not None
    assert voided.kind == "void"

    # The payment, looked up again, says what IOTPay says was refunded.
    await service.order_detail(charged.order.pay_order_id)
    again = journal.books.get(MCH, charged.order.pay_order_id)
    assert again is not None
    assert again.refunded_cents == 1000
    assert again.operator == charged.action.operator  # who made it is kept
    kinds = {e.kind for e in journal.books.page(MCH, BooksFilter())}
    assert kinds == {"payment", "refund", "void"}


async def test_a_declined_charge_is_booked_and_a_refused_call_is_not(
    service: MoneyService,
    journal: LedgerJournal,
    direct_cards: CardService,
    sandbox: SandboxServer,
) -> None:
    card = await direct_cards.direct_add_card(
        "Bo", "4000000000000002", FUTURE_EXPIRY, "123", "Ada Buyer"
    )
    draft = await service.new_draft(ActionKind.CHARGE_TOKEN)
    declined = await service.charge_card(draft.id, card.card_id, 700)
    assert not declined.succeeded
    assert declined.order is not None
    entry = journal.books.get(MCH, declined.order.pay_order_id)
    assert entry is not None
    assert entry.status == 9

    # A call IOTPay refused made no order: nothing to book.
    before = len(journal.books.page(MCH))
    action = journal.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no=new_mch_no("R"),
        operator="jack",
        target_pay_order_id=declined.order.pay_order_id,
        amount_cents=100,
    )
    journal.complete(
        action.id, ActionState.FAILED, order=Order(pay_order_id=""), ret_msg="not refundable"
    )
    assert len(journal.books.page(MCH)) == before


async def test_a_notification_is_booked_unconfirmed(journal: LedgerJournal) -> None:
    order = Order(
        pay_order_id="PC20250301120000000000000077",
        mch_id=MCH,
        mch_order_no="web-77",
        amount=1999,
        status=3,
        card_num="555555******4444",
        card_type="M",
    )
    journal.record_notification(order)
    journal.record_notification(order)  # IOTPay's retry
    entry = journal.books.get(MCH, order.pay_order_id)
    assert entry is not None
    assert (entry.source, entry.status, entry.confirmed_at) == ("notify", 3, None)
    assert (entry.card_brand, entry.card_last4) == ("M", "4444")
    assert len(journal.books.page(MCH)) == 1

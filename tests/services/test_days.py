"""End of day through the service (iotpay_desk/services/days.py): the figures of a day
the desk worked through the real sandbox, what needs attention, closing the day and the
changes after it; the profile's cut-off decides the business day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from iotpay_desk import ledger
from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import ActionKind
from iotpay_desk.journal.days import DayAlreadyClosed, business_day_of
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services import CardService, MoneyService

from .conftest import FUTURE_EXPIRY, pay

pytestmark = pytest.mark.asyncio
MCH = DEMO_MERCHANT.mch_id
TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_of_day(
    request: pytest.FixtureRequest, journal: LedgerJournal
) -> Iterator[LedgerJournal]:
    """The profile's SQLite ledger, or a shared ledger on a PostgreSQL server."""
    if request.param == "sqlite":
        yield journal
        return
    url = request.getfixturevalue("pg_url")
    engine = ledger.open_engine(url)
    ledger.migrate(engine)
    shared = LedgerJournal(engine)
    yield shared
    shared.close()


async def test_a_worked_day_adds_up_and_closes_once(
    make_service: Callable[..., MoneyService],
    make_cards: Callable[..., CardService],
    client: IotPayClient,
    ledger_of_day: LedgerJournal,
    sandbox: SandboxServer,
) -> None:
    journal = ledger_of_day
    service = make_service(journal=journal)
    direct_cards = make_cards(journal=journal, direct_add_enabled=True)
    days = service.days
    today = days.today()
    assert today == business_day_of(sandbox.clock.local_now(), service.cutoff, service.tz)
    card = await direct_cards.direct_add_card(
        "Ada", "4242424242424242", FUTURE_EXPIRY, "123", "Ada"
    )
    d = await service.new_draft(ActionKind.CHARGE_TOKEN)
    charged = await service.charge_card(d.id, card.card_id, 3000, subject="Order 1")
    assert charged.succeeded
    assert charged.order is not None
    other = await pay(client, 800)
    await service.lookup(other.pay_order_id)  # the desk finds it, then voids it
    d = await service.new_draft(ActionKind.VOID, other.pay_order_id)
    assert (await service.void(other.pay_order_id, "wrong amount", draft_id=d.id)).succeeded
    sandbox.settle()
    d = await service.new_draft(ActionKind.REFUND, charged.order.pay_order_id)
    refund = await service.refund(charged.order.pay_order_id, 1000, "damaged", draft_id=d.id)
    assert refund.succeeded

    figures = await days.figures(today)
    t = figures.total
    assert (t.sales_count, t.sales_cents) == (2, 3800)
    assert (t.refunds_cents, t.voids_cents) == (1000, 800)
    assert t.net_cents == 2000
    assert {ln.key for ln in figures.by_operator} == {"jack", ""}  # the looked-up payment
    assert [ln.key for ln in figures.by_brand] == ["V"]
    nets = await days.daily_nets(today, 30)
    assert len(nets) == 30
    assert nets[-1].day == today
    assert nets[-1].net_cents == 2000
    assert sum(n.net_cents for n in nets[:-1]) == 0
    assert await days.attention(today) == []

    closed = await days.close_day(today)
    assert closed.figures.total.net_cents == 2000
    assert (closed.operator, closed.desk) == ("jack", journal.desk.name)
    assert await days.get_close(today) == closed
    with pytest.raises(DayAlreadyClosed):
        await days.close_day(today)
    with pytest.raises(ValueError, match="business_day"):
        await days.close_day(today + timedelta(days=1))

    # A second refund after the close: the day is flagged, its close is unchanged.
    d = await service.new_draft(ActionKind.REFUND, charged.order.pay_order_id)
    again = await service.refund(charged.order.pay_order_id, 500, "second", draft_id=d.id)
    assert again.succeeded
    assert again.order is not None
    changes = await days.changes_since_close(today)
    assert [(c.pay_order_id, c.what, c.kind) for c in changes] == [
        (again.order.pay_order_id, "added", "refund")
    ]
    assert (await days.get_close(today)) == closed
    assert (await days.figures(today)).total.net_cents == 1500


async def test_the_cutoff_moves_an_order_to_the_next_business_day(
    make_service: Callable[..., MoneyService], client: IotPayClient, sandbox: SandboxServer
) -> None:
    # A cut-off one minute before "now" puts now's payments in tomorrow's business day.
    wall = sandbox.clock.local_now().astimezone(TORONTO)
    cutoff = (wall - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    if cutoff > wall.time():
        pytest.skip("too close to midnight in Toronto for this check")
    service = make_service(cutoff=cutoff)
    tomorrow = wall.date() + timedelta(days=1)
    assert service.days.today() == tomorrow
    paid = await pay(client, 1200)
    await service.lookup(paid.pay_order_id)
    assert (await service.days.figures(tomorrow)).total.sales_cents == 1200
    assert (await service.days.figures(wall.date())).total.sales_cents == 0

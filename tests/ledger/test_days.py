"""Business days in the ledger (iotpay_desk/ledger/days.py): a day's figures by brand,
operator and desk, the daily nets, what needs attention, closing a day once (also when
two desks close it at the same moment) and what changed in it since; on both backends."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from iotpay_desk.api.models import Order, OrderStatus
from iotpay_desk.journal import ActionKind, ActionState, DeskIdentity
from iotpay_desk.journal.days import DayAlreadyClosed, business_day_of, day_bounds
from iotpay_desk.ledger.journal import LedgerJournal

MCH = "10000701"
OTHER = "10000702"
TORONTO = ZoneInfo("America/Toronto")
CUTOFF = time(21, 0)
DAY = date(2025, 3, 4)
# The business day of Mar 4: from Mar 3 21:00 to Mar 4 21:00, Toronto (EST, UTC-5).
START = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
END = datetime(2025, 3, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
def journal(backend: Engine) -> LedgerJournal:
    return LedgerJournal(backend, desk=DeskIdentity("front"), clock=lambda: END)


_n = iter(range(1, 10**9))


def _order(
    at: datetime,
    amount: int,
    *,
    kind: str = "pay",
    status: int = 2,
    brand: str = "V",
    original: str = "",
    mch: str = MCH,
    refundable: int | None = None,
) -> Order:
    n = next(_n)
    prefix = "PC" if kind == "pay" else "RP"
    return Order(
        pay_order_id=f"{prefix}20250304{n:018d}",
        mch_id=mch,
        mch_order_no=f"M{n:08d}",
        amount=amount,
        pay_type=kind,
        refundable=amount if refundable is None else refundable,
        status=OrderStatus(status),
        pay_succ_time=at.astimezone(TORONTO).strftime("%Y-%m-%d %H:%M:%S"),
        card_num="424242******4242" if brand else "",
        card_type=brand,
        original_order_id=original,
    )


def _book(j: LedgerJournal, order: Order, **kw: Any) -> Order:
    j.books.record(
        order, source=kw.pop("source", "desk"), confirmed=kw.pop("confirmed", True), **kw
    )
    return order


def test_business_day_bounds_follow_the_cutoff_on_the_wall_clock() -> None:
    assert day_bounds(DAY, CUTOFF, TORONTO) == (START, END)
    # The spring change (Mar 9, 2025): the day is 23 hours long; the cut-off stays 21:00.
    since, until = day_bounds(date(2025, 3, 9), CUTOFF, TORONTO)
    assert until - since == timedelta(hours=23)
    assert until.astimezone(TORONTO).hour == 21
    # At the cut-off a payment belongs to the next day.
    assert business_day_of(END, CUTOFF, TORONTO) == DAY + timedelta(days=1)
    assert business_day_of(END - timedelta(seconds=1), CUTOFF, TORONTO) == DAY
    assert business_day_of(START, CUTOFF, TORONTO) == DAY


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
    st.times(),
)
def test_every_time_is_in_the_bounds_of_its_business_day(naive: datetime, cutoff: time) -> None:
    cutoff = cutoff.replace(microsecond=0, tzinfo=None)
    when = naive.replace(tzinfo=UTC)
    day = business_day_of(when, cutoff, TORONTO)
    since, until = day_bounds(day, cutoff, TORONTO)
    assert since <= when < until


def test_figures_count_successful_orders_by_brand_operator_and_desk(journal: LedgerJournal) -> None:
    j = journal
    p1 = _book(
        j, _order(START + timedelta(hours=1), 10_000, brand="V"), operator="jack", desk="front"
    )
    p2 = _book(j, _order(START + timedelta(hours=2), 2_500, brand="M"), operator="amy", desk="back")
    _book(
        j,
        _order(START + timedelta(hours=3), 700, brand="V", status=9),
        operator="jack",
        desk="front",
    )
    # A refund of p1 (IOTPay's refund order carries no card: counts under Visa) and a
    # void of p2 the same day.
    _book(
        j,
        _order(
            START + timedelta(hours=4), 1_500, kind="refund", brand="", original=p1.pay_order_id
        ),
        operator="amy",
        desk="back",
    )
    _book(
        j,
        _order(
            START + timedelta(hours=5), 2_500, kind="refund", brand="", original=p2.pay_order_id
        ),
        kind="void",
        operator="jack",
        desk="front",
    )
    # Outside the day (at the cut-off: the next day), another merchant, a payment seen
    # only by lookup (no one's name on it).
    _book(j, _order(END, 99_999))
    _book(j, _order(START + timedelta(hours=1), 55_555, mch=OTHER))
    _book(j, _order(START + timedelta(hours=6), 300, brand="A"), source="lookup")

    f = j.days.figures(MCH, DAY, CUTOFF, TORONTO)
    assert (f.since, f.until) == (START, END)
    t = f.total
    assert (t.sales_count, t.sales_cents) == (3, 12_800)
    assert (t.refunds_count, t.refunds_cents) == (1, 1_500)
    assert (t.voids_count, t.voids_cents) == (1, 2_500)
    assert t.net_cents == 12_800 - 1_500 - 2_500
    assert f.failed_count == 1
    by_brand = {ln.key: ln for ln in f.by_brand}
    assert by_brand["V"].sales_cents == 10_000
    assert by_brand["V"].refunds_cents == 1_500
    assert by_brand["M"].voids_cents == 2_500
    assert by_brand["M"].net_cents == 0
    assert by_brand["A"].net_cents == 300
    by_op = {ln.key: ln for ln in f.by_operator}
    assert by_op["jack"].net_cents == 10_000 - 2_500
    assert by_op["amy"].net_cents == 2_500 - 1_500
    assert by_op[""].net_cents == 300
    assert [ln.key for ln in f.by_operator][-1] == ""  # no one's name: last
    assert {ln.key: ln.net_cents for ln in f.by_desk} == {"front": 7_500, "back": 1_000, "": 300}
    # Every breakdown adds up to the total.
    for lines in (f.by_brand, f.by_operator, f.by_desk):
        assert sum(ln.net_cents for ln in lines) == t.net_cents
        assert sum(ln.count for ln in lines) == t.count


def test_daily_nets_cover_every_day_and_add_up(journal: LedgerJournal) -> None:
    j = journal
    for d in range(5):
        base = START + timedelta(days=d)
        for i in range(d + 1):
            _book(j, _order(base + timedelta(hours=i), 1_000))
    p = _book(j, _order(START + timedelta(hours=12), 4_000))
    _book(
        j,
        _order(START + timedelta(days=2, hours=12), 500, kind="refund", original=p.pay_order_id),
    )
    nets = j.days.daily_nets(MCH, DAY - timedelta(days=1), DAY + timedelta(days=5), CUTOFF, TORONTO)
    assert [n.day for n in nets] == [DAY + timedelta(days=i) for i in range(-1, 6)]
    assert [n.net_cents for n in nets] == [0, 5_000, 2_000, 2_500, 4_000, 5_000, 0]
    for n in nets[1:-1]:
        assert n.net_cents == j.days.figures(MCH, n.day, CUTOFF, TORONTO).total.net_cents
    assert j.days.daily_nets(MCH, DAY, DAY - timedelta(days=1), CUTOFF, TORONTO) == []


def test_attention_lists_unknown_outcomes_unconfirmed_orders_and_quiet_payments(
    journal: LedgerJournal,
) -> None:
    j = journal
    in_day = START + timedelta(hours=3)
    charge = j.create_intent(
        kind=ActionKind.CHARGE_TOKEN, mch_id=MCH, mch_no="C0000000001", operator="jack",
        amount_cents=4_200, card_id="CARD1", now=in_day,
    )  # fmt: skip
    paid = _book(j, _order(in_day, 9_000))
    refund = j.create_intent(
        kind=ActionKind.REFUND, mch_id=MCH, mch_no="R0000000001", operator="jack",
        target_pay_order_id=paid.pay_order_id, amount_cents=1_000, now=in_day,
    )  # fmt: skip
    done = j.create_intent(
        kind=ActionKind.CHARGE_TOKEN, mch_id=MCH, mch_no="C0000000002", operator="jack",
        amount_cents=100, card_id="CARD1", now=in_day,
    )  # fmt: skip
    j.complete(done.id, ActionState.FAILED, ret_msg="declined", now=in_day)
    notified = _order(in_day + timedelta(hours=1), 3_000)
    j.record_notification(notified)  # booked unconfirmed
    heard = _book(j, _order(in_day + timedelta(hours=2), 1_100))
    j.record_notification(heard)

    items = j.days.attention(MCH, DAY, CUTOFF, TORONTO)
    kinds = {(i.kind, i.action_id or i.pay_order_id) for i in items}
    assert ("outcome_unknown", charge.id) in kinds
    assert ("refund_unconfirmed", refund.id) in kinds
    assert ("not_confirmed", notified.pay_order_id) in kinds
    assert all(i.action_id != done.id for i in items)
    assert not any(i.kind == "no_notification" for i in items)
    quiet = [i for i in j.days.attention(MCH, DAY, CUTOFF, TORONTO, receiver_runs=True)
             if i.kind == "no_notification"]  # fmt: skip
    assert {i.pay_order_id for i in quiet} == {paid.pay_order_id}
    # The next day has none of it.
    assert j.days.attention(MCH, DAY + timedelta(days=1), CUTOFF, TORONTO) == []


def test_attention_shows_the_last_reconciliation_differences(journal: LedgerJournal) -> None:
    j = journal
    paid = _book(j, _order(START + timedelta(hours=1), 5_000))
    with j.engine.begin() as conn:
        for run, states in enumerate((("differs", "not_found"), ("differs",))):
            job = conn.execute(
                text(
                    "INSERT INTO jobs (mch_id, kind, title, business_day, state, total, created_at)"
                    " VALUES (:m, 'reconcile', '', :d, 'done', 2, :t) RETURNING id"
                ),
                {"m": MCH, "d": DAY.isoformat(), "t": f"2025-03-05T0{run}:00:00.000000Z"},
            ).scalar_one()
            for line, state in enumerate(states):
                conn.execute(
                    text(
                        "INSERT INTO job_items (job_id, line_no, ref, state, pay_order_id, detail)"
                        " VALUES (:j, :l, :r, :s, :p, :d)"
                    ),
                    {"j": job, "l": line, "r": paid.pay_order_id, "s": state,
                     "p": paid.pay_order_id, "d": f"run {run}: status 2→3"},
                )  # fmt: skip
    items = [i for i in j.days.attention(MCH, DAY, CUTOFF, TORONTO) if i.kind == "status_differs"]
    # Only the last run counts, with the order's number and amount from the books.
    assert [(i.detail, i.mch_order_no, i.amount_cents) for i in items] == [
        ("run 1: status 2→3", paid.mch_order_no, 5_000)
    ]


def test_a_day_is_closed_once_and_later_changes_are_flagged(journal: LedgerJournal) -> None:
    j = journal
    p = _book(j, _order(START + timedelta(hours=1), 8_000))
    q = _book(j, _order(START + timedelta(hours=2), 2_000))
    closed = j.days.close_day(MCH, DAY, CUTOFF, TORONTO, operator="amy", desk="front", now=END)
    assert (closed.operator, closed.desk, closed.day) == ("amy", "front", DAY)
    assert closed.figures.total.net_cents == 10_000
    assert closed.figures == j.days.figures(MCH, DAY, CUTOFF, TORONTO)
    assert len(closed.digest) == 64
    assert j.days.changes_since_close(MCH, DAY) == []
    audit = [a for a in j.audit_page(10) if a.event == "day.closed"]
    assert len(audit) == 1
    assert audit[0].detail["net_cents"] == 10_000

    with pytest.raises(DayAlreadyClosed) as err:
        j.days.close_day(MCH, DAY, CUTOFF, TORONTO, operator="jack", desk="back")
    assert err.value.operator == "amy"

    # After the close: q refunded in full, as IOTPay now says (a confirmed look-up), and a late
    # notification of a payment of that day.
    j.books.record(
        replace(q, status=OrderStatus.NOTIFIED, refundable=0), source="lookup", confirmed=True
    )
    late = _order(START + timedelta(hours=5), 1_234)
    j.record_notification(late)
    changes = {c.pay_order_id: c for c in j.days.changes_since_close(MCH, DAY)}
    assert set(changes) == {q.pay_order_id, late.pay_order_id}
    assert changes[q.pay_order_id].what == "changed"
    assert changes[q.pay_order_id].before == (2, 2_000, 0)
    assert changes[q.pay_order_id].after == (3, 2_000, 2_000)
    assert changes[late.pay_order_id].what == "added"
    assert changes[late.pay_order_id].before is None
    assert p.pay_order_id not in changes
    # The close itself keeps its figures as closed.
    assert j.days.get_close(MCH, DAY) == closed
    assert j.days.closes(MCH, DAY - timedelta(days=3), DAY) == [closed]
    assert j.days.get_close(OTHER, DAY) is None


def test_two_desks_closing_one_day_at_once_close_it_once(journal: LedgerJournal) -> None:
    j = journal
    _book(j, _order(START + timedelta(hours=1), 8_000))
    results: list[object] = []
    barrier = threading.Barrier(4)

    def close(name: str) -> None:
        barrier.wait()
        try:
            results.append(j.days.close_day(MCH, DAY, CUTOFF, TORONTO, operator=name, desk=name))
        except DayAlreadyClosed as exc:
            results.append(exc)

    threads = [threading.Thread(target=close, args=(f"desk{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    closes = [r for r in results if not isinstance(r, DayAlreadyClosed)]
    assert len(closes) == 1
    assert len(results) == 4
    with j.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM day_closes")).scalar_one() == 1
        rows = conn.execute(text("SELECT count(*) FROM day_close_orders")).scalar_one()
        assert rows == 1
        events = conn.execute(
            select(text("count(*)")).select_from(text("audit")).where(text("event = 'day.closed'"))
        ).scalar_one()
        assert events == 1

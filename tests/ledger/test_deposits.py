"""Bank deposits in the ledger (both backends) and the matcher that pairs them with
business days' nets."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from iotpay_desk.journal.days import DailyNet
from iotpay_desk.journal.deposits import (
    DayAlreadyPaid,
    DepositAlreadyMatched,
    DepositNotFound,
    DepositWindow,
    NewDeposit,
    plan_matches,
)
from iotpay_desk.ledger.deposits import Deposits

MCH = "10000701"
NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
D = date(2026, 11, 2)  # a Monday


def day(n: int) -> date:
    return D + timedelta(days=n)


def nets(*values: int, start: int = 0) -> list[DailyNet]:
    return [DailyNet(day(start + k), v) for k, v in enumerate(values)]


# --------------------------------------------------------------------------- the matcher


def test_each_day_matches_its_own_deposit_next_day() -> None:
    days = nets(1000, 2000, 3000)
    deposits = [(1, day(1), 1000), (2, day(2), 2000), (3, day(3), 3000)]
    plan = plan_matches(deposits, days)
    assert [(m.deposit_id, [d.day for d in m.days], m.lag) for m in plan.matches] == [
        (1, [day(0)], 1),
        (2, [day(1)], 1),
        (3, [day(2)], 1),
    ]
    assert plan.ambiguous == ()


def test_weekend_paid_together_on_monday() -> None:
    # Friday 100.00, Saturday 50.00, Sunday 25.00 paid as one deposit on Monday.
    days = nets(10000, 5000, 2500, 0, start=4)
    plan = plan_matches([(7, day(7), 17500)], days)
    (m,) = plan.matches
    assert [d.day for d in m.days] == [day(4), day(5), day(6)]
    assert m.net_cents == 17500


def test_days_at_zero_inside_a_run_need_no_deposit() -> None:
    days = nets(10000, 0, 2500, start=4)  # nothing sold on Saturday
    (m,) = plan_matches([(1, day(7), 12500)], days).matches
    assert [d.day for d in m.days] == [day(4), day(6)]


def test_a_single_day_is_preferred_to_a_sum() -> None:
    # 30.00 is Wednesday's net, and also Monday + Tuesday's.
    days = nets(1000, 2000, 3000)
    (m,) = plan_matches([(1, day(3), 3000)], days).matches
    assert [d.day for d in m.days] == [day(2)]


def test_the_closest_day_is_preferred() -> None:
    days = nets(5000, 1, 5000)
    (m,) = plan_matches([(1, day(3), 5000)], days).matches
    assert [d.day for d in m.days] == [day(2)]
    assert m.lag == 1


def test_window_edges() -> None:
    days = nets(4200)
    window = DepositWindow(1, 3)
    assert plan_matches([(1, day(0), 4200)], days, window=window).matches == ()
    assert plan_matches([(1, day(1), 4200)], days, window=window).matches[0].lag == 1
    assert plan_matches([(1, day(3), 4200)], days, window=window).matches[0].lag == 3
    assert plan_matches([(1, day(4), 4200)], days, window=window).matches == ()
    # The default window: the same day up to 5 days after.
    assert plan_matches([(1, day(0), 4200)], days).matches[0].lag == 0
    assert plan_matches([(1, day(5), 4200)], days).matches[0].lag == 5
    assert plan_matches([(1, day(6), 4200)], days).matches == ()
    assert plan_matches([(1, day(-1), 4200)], days).matches == ()


def test_a_tie_is_left_ambiguous() -> None:
    # Two deposits of 20.00 the same day; the day before made 20.00: which one paid it?
    days = nets(2000, 2000)
    deposits = [(1, day(2), 2000), (2, day(2), 2000)]
    plan = plan_matches(deposits, days)
    assert plan.matches == ()
    (amb,) = plan.ambiguous
    assert amb.deposit_ids == (1, 2)
    assert amb.options == ((day(1),),)


def test_a_tie_leaves_the_others_matched() -> None:
    days = nets(2000, 0, 0, 0, 0, 0, 0, 3100)
    deposits = [(1, day(1), 2000), (2, day(1), 2000), (3, day(8), 3100)]
    plan = plan_matches(deposits, days)
    assert [(m.deposit_id, m.days[0].day) for m in plan.matches] == [(3, day(7))]
    assert plan.ambiguous[0].deposit_ids == (1, 2)


def test_a_sum_is_taken_by_the_closest_end() -> None:
    days = nets(1000, 2000, 1000)  # Mon+Tue = 30.00, Tue+Wed = 30.00
    (m,) = plan_matches([(9, day(3), 3000)], days).matches
    # Tue+Wed ends a day before the deposit, Mon+Tue two days before.
    assert [d.day for d in m.days] == [day(1), day(2)]


def test_two_sums_sharing_a_day_at_the_same_distance_are_ambiguous() -> None:
    # Mon+Tue (40.00) and Tue+Wed (40.00) and two deposits of 40.00, each posted a day
    # after one of the sums' ends … and a third posted so both are one day after it.
    days = nets(1000, 3000, 1000, start=0)
    plan = plan_matches([(1, day(3), 4000), (2, day(3), 4000)], days)
    assert plan.matches == ()
    assert plan.ambiguous[0].options == ((day(1), day(2)),)


def test_each_day_and_deposit_used_once() -> None:
    days = nets(5000)
    plan = plan_matches([(1, day(1), 5000), (2, day(3), 5000)], days)
    assert [m.deposit_id for m in plan.matches] == [1]
    days = nets(5000, 5000)
    plan = plan_matches([(1, day(2), 5000)], days)
    assert len(plan.matches) == 1
    assert plan.matches[0].days[0].day == day(1)


def test_days_at_zero_and_withdrawals_are_never_matched() -> None:
    plan = plan_matches([(1, day(1), 0), (2, day(1), -500)], nets(0, -500))
    assert plan.matches == ()
    assert plan.ambiguous == ()


def test_negative_day_inside_a_weekend_sum() -> None:
    # Saturday's refunds exceeded its sales: the weekend's deposit is the sum.
    days = nets(10000, -1500, 4000, start=4)
    (m,) = plan_matches([(1, day(7), 12500)], days).matches
    assert [d.net_cents for d in m.days] == [10000, -1500, 4000]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=-3000, max_value=9000), min_size=1, max_size=20),
    st.lists(
        st.tuples(
            st.integers(min_value=-2, max_value=25), st.integers(min_value=1, max_value=9000)
        ),
        max_size=15,
    ),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=4),
)
def test_every_planned_match_keeps_the_rules(
    values: list[int], deposits: list[tuple[int, int]], first: int, extra: int
) -> None:
    window = DepositWindow(first, first + extra)
    days = nets(*values)
    deps = [(i, day(when), cents) for i, (when, cents) in enumerate(deposits)]
    plan = plan_matches(deps, days, window=window)
    by_id = {i: (posted, cents) for i, posted, cents in deps}
    used_days: list[date] = []
    for m in plan.matches:
        posted, cents = by_id[m.deposit_id]
        assert m.net_cents == cents  # exactly the deposit
        assert 1 <= len(m.days) <= 3
        assert all(d.net_cents != 0 for d in m.days)
        assert (m.days[-1].day - m.days[0].day).days <= 2  # consecutive calendar days
        assert window.first <= (posted - m.days[-1].day).days <= window.last
        used_days += [d.day for d in m.days]
    assert len(used_days) == len(set(used_days))  # each day paid once
    ids = [m.deposit_id for m in plan.matches]
    assert len(ids) == len(set(ids))  # each deposit used once
    ambiguous = {i for a in plan.ambiguous for i in a.deposit_ids}
    assert not ambiguous & set(ids)
    # A deposit equal to one day's net, alone in its window, is always matched to it.
    for i, posted, cents in deps:
        fits = [
            n
            for n in days
            if n.net_cents == cents and window.first <= (posted - n.day).days <= window.last
        ]
        rivals = [
            j
            for j, p2, c2 in deps
            if j != i
            and any(
                c2 == n.net_cents and window.first <= (p2 - n.day).days <= window.last for n in days
            )
        ]
        if len(fits) == 1 and not rivals:
            assert i in ids


# --------------------------------------------------------------------------- the store


def new(n: int, cents: int, ref: str, account: str = "1234567") -> NewDeposit:
    return NewDeposit(account, day(n), cents, f"IOTPAY {ref}", ref)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_statement_is_stored_once(backend: Engine) -> None:
    store = Deposits(backend, clock=lambda: NOW)
    rows = [new(1, 1000, "f1"), new(2, 2000, "f2")]
    first = store.add(MCH, rows, source="ofx", file_name="nov.ofx", operator="jack")
    assert (first.added, first.already) == (2, 0)
    again = store.add(
        MCH, [*rows, new(3, 3000, "f3")], source="ofx", file_name="nov2.ofx", operator="jack"
    )
    assert (again.added, again.already) == (1, 2)
    listed = store.between(MCH, day(0), day(10))
    assert [(d.posted_on, d.amount_cents, d.ref) for d in listed] == [
        (day(1), 1000, "f1"),
        (day(2), 2000, "f2"),
        (day(3), 3000, "f3"),
    ]
    assert listed[0].file_name == "nov.ofx"
    assert listed[0].imported_at == NOW
    assert listed[0].source == "ofx"
    # Another account's line with the same ref is another deposit; another merchant's too.
    other = store.add(
        MCH, [new(1, 1000, "f1", account="999")], source="ofx", file_name="x", operator="j"
    )
    assert other.added == 1
    assert store.between("other", day(0), day(10)) == []


def test_a_statement_is_stored_whole_or_not_at_all(backend: Engine) -> None:
    store = Deposits(backend, clock=lambda: NOW)
    huge = NewDeposit("1", day(1), 2**63, "x", "big")  # beyond the column's 64 bits
    with pytest.raises(Exception):  # noqa: B017, PT011 - the database (or driver) refuses it
        store.add(MCH, [new(1, 1000, "a"), huge], source="csv", file_name="f", operator="j")
    assert count(backend, "bank_deposits") == 0


def test_descriptions_keep_no_card_number(backend: Engine) -> None:
    store = Deposits(backend, clock=lambda: NOW)
    row = NewDeposit("1", day(1), 500, "REFUND 4242424242424242", "r1")
    store.add(MCH, [row], source="csv", file_name="f.csv", operator="j")
    (got,) = store.between(MCH, day(1), day(1))
    assert "4242424242424242" not in got.description


def test_matches_recorded_listed_and_undone(backend: Engine) -> None:
    store = Deposits(backend, clock=lambda: NOW)
    ids = store.add(
        MCH, [new(1, 1000, "a"), new(4, 3000, "b")], source="csv", file_name="f", operator="j"
    ).ids
    made = store.record_matches(
        MCH,
        [(ids[0], [DailyNet(day(0), 1000)]), (ids[1], nets(1000, 2000, start=2))],
        how="auto",
        operator="jack",
    )
    assert [(m.deposit_id, m.day, m.day_net_cents, m.how) for m in made] == [
        (ids[0], day(0), 1000, "auto"),
        (ids[1], day(2), 1000, "auto"),
        (ids[1], day(3), 2000, "auto"),
    ]
    got = store.get(MCH, ids[1])
    assert got is not None
    assert got.days == (day(2), day(3))
    assert got.difference_cents == 0
    assert [m.day for m in store.matched_days(MCH, day(0), day(2))] == [day(0), day(2)]
    deposits, matches = store.overview(MCH, day(4), day(4), day(3), day(9))
    assert [d.id for d in deposits] == [ids[1]]
    assert [m.day for m in matches] == [day(3)]
    removed = store.unmatch(MCH, ids[1])
    assert [m.day for m in removed] == [day(2), day(3)]
    assert store.get(MCH, ids[1]).matches == ()  # type: ignore[union-attr]
    assert store.unmatch(MCH, ids[1]) == []
    assert store.get("other", ids[0]) is None


def test_a_day_is_paid_by_one_deposit_at_most(backend: Engine) -> None:
    store = Deposits(backend, clock=lambda: NOW)
    a, b, c = store.add(
        MCH,
        [new(1, 1000, "a"), new(2, 1000, "b"), new(3, 500, "c")],
        source="csv",
        file_name="f",
        operator="j",
    ).ids
    store.record_matches(MCH, [(a, [DailyNet(day(0), 1000)])], how="auto", operator="j")
    with pytest.raises(DayAlreadyPaid) as caught:
        # c's match is good, b's is not: neither is written.
        store.record_matches(
            MCH,
            [(c, [DailyNet(day(5), 500)]), (b, [DailyNet(day(0), 1000)])],
            how="manual",
            operator="j",
        )
    assert caught.value.day == day(0)
    assert count(backend, "deposit_matches") == 1
    with pytest.raises(DepositAlreadyMatched):
        store.record_matches(MCH, [(a, [DailyNet(day(9), 1000)])], how="manual", operator="j")
    with pytest.raises(DepositNotFound):
        store.record_matches(MCH, [(9999, [DailyNet(day(9), 1)])], how="manual", operator="j")
    # The database itself refuses a second deposit for a day, whatever the code does.
    with backend.connect() as conn, pytest.raises(Exception):  # noqa: B017, PT011
        conn.execute(
            text(
                "INSERT INTO deposit_matches (mch_id, deposit_id, business_day, day_net_cents,"
                " how, operator, matched_at) VALUES (:m, :d, :day, 1, 'manual', 'x', 'now')"
            ),
            {"m": MCH, "d": b, "day": day(0).isoformat()},
        )


def test_two_desks_matching_one_day_at_once(backend: Engine) -> None:
    store = Deposits(backend, clock=lambda: NOW)
    ids = store.add(
        MCH, [new(1, 700, f"r{k}") for k in range(2)], source="csv", file_name="f", operator="j"
    ).ids
    outcomes: list[str] = []
    gate = threading.Barrier(2)

    def desk(deposit_id: int) -> None:
        gate.wait()
        try:
            store.record_matches(
                MCH, [(deposit_id, [DailyNet(day(0), 700)])], how="manual", operator="j"
            )
            outcomes.append("matched")
        except DayAlreadyPaid:
            outcomes.append("refused")
        except Exception as exc:  # PostgreSQL: a unique violation seen at commit
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=desk, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("matched") == 1
    assert count(backend, "deposit_matches") == 1

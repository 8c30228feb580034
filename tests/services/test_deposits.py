"""Bank deposits through the service (iotpay_desk/services/deposits.py), end to end: days
worked through the real sandbox into the books of a real ledger, the bank's statement
imported from a file, deposits matched to the days' nets, by hand and undone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from iotpay_desk.api import IotPayClient
from iotpay_desk.journal.deposits import DayAlreadyPaid, DepositAlreadyMatched, DepositNotFound
from iotpay_desk.journal.statements import DateOrderUnknown, StatementError
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.sandbox import SandboxServer
from iotpay_desk.services import MoneyService
from iotpay_desk.services.errors import InvalidInput

from .conftest import pay

pytestmark = pytest.mark.asyncio
DAY_S = 86_400


async def work_a_day(service: MoneyService, client: IotPayClient, *amounts: int) -> None:
    """Payments of the business day ``service`` is in, found by the desk (in its books)."""
    for cents in amounts:
        order = await pay(client, cents)
        await service.lookup(order.pay_order_id)


def statement(tmp_path: Path, name: str, lines: list[tuple[date, str, str, str]]) -> Path:
    """A bank's CSV export: date (MM/DD/YYYY), description, withdrawal, deposit."""
    rows = ["Date,Description,Withdrawal,Deposit"]
    rows += [f"{d:%m/%d/%Y},{desc},{out},{got}" for d, desc, out, got in lines]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def test_statement_imported_and_matched_to_the_days_nets(
    service: MoneyService,
    client: IotPayClient,
    journal: LedgerJournal,
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    deposits = service.deposits
    first = service.days.today()
    await work_a_day(service, client, 3000, 1250)  # day 0: 42.50
    sandbox.clock.advance(DAY_S)
    await work_a_day(service, client, 800)  # day 1: 8.00
    sandbox.clock.advance(DAY_S)
    await work_a_day(service, client, 1500)  # day 2: 15.00 …
    sandbox.clock.advance(DAY_S)
    await work_a_day(service, client, 2500)  # … and day 3: 25.00, paid together
    sandbox.clock.advance(DAY_S)
    await work_a_day(service, client, 999)  # day 4: 9.99, never paid
    d = [first + timedelta(days=k) for k in range(5)]
    nets = await service.days.daily_nets(d[4], 5)
    assert [n.net_cents for n in nets] == [4250, 800, 1500, 2500, 999]

    path = statement(
        tmp_path,
        "chequing.csv",
        [
            (d[1], "IOTPAY SETTLEMENT", "", "42.50"),
            (d[1], "RENT", '"1,200.00"', ""),
            (d[2], "IOTPAY SETTLEMENT", "", "8.00"),
            (d[4], "IOTPAY SETTLEMENT", "", "40.00"),
            (d[4], "E-TRANSFER FROM ADA", "", "77.00"),
            (d[4], "IOTPAY SETTLEMENT", "", "oops"),
        ],
    )
    try:
        plan = await deposits.read_statement(path)
    except DateOrderUnknown:
        plan = await deposits.read_statement(path, date_order="mdy")
    assert plan.file_name == "chequing.csv"
    assert [(b.line, b.text) for b in plan.bad_lines] == [(7, "“oops” is not an amount")]
    assert len(plan.deposits) == 4
    result = await deposits.import_statement(plan)
    assert (result.added, result.already, result.withdrawals, result.bad_lines) == (4, 0, 1, 1)
    again = await deposits.import_statement(await deposits.read_statement(path, date_order="mdy"))
    assert (again.added, again.already) == (0, 4)

    report = await deposits.match(d[0], d[4])
    by_amount = {dep.amount_cents: dep for dep in report.report.deposits}
    assert [m.amount_cents for m in report.matched] == [4250, 800, 4000]
    assert by_amount[4250].days == (d[0],)
    assert by_amount[800].days == (d[1],)
    assert by_amount[4000].days == (d[2], d[3])  # two days paid together
    assert all(m.how == "auto" for dep in report.matched for m in dep.matches)
    assert all(dep.difference_cents == 0 for dep in report.matched)
    assert [dep.amount_cents for dep in report.report.unmatched] == [7700]
    assert report.ambiguous == ()
    # Day 4's deposit may still come (its window has not passed).
    assert [(w.day, w.net_cents, w.overdue) for w in report.report.days_without_deposit] == [
        (d[4], 999, False)
    ]
    # Matching again changes nothing.
    assert (await deposits.match(d[0], d[4])).matched == ()

    # The e-transfer was the customer paying day 4 elsewhere: matched by hand.
    etransfer = by_amount[7700]
    done = await deposits.match_by_hand(etransfer.id, [d[4]])
    assert done.days == (d[4],)
    assert done.matches[0].how == "manual"
    assert done.matches[0].operator == "jack"
    assert done.difference_cents == 7700 - 999
    with pytest.raises(DepositAlreadyMatched):
        await deposits.match_by_hand(etransfer.id, [d[4]])
    # An automatic match undone; its deposit cannot take a day already paid.
    assert await deposits.unmatch(by_amount[4250].id) == 1
    with pytest.raises(DayAlreadyPaid):
        await deposits.match_by_hand(by_amount[4250].id, [d[4]])
    rematched = await deposits.match(d[0], d[4])
    assert [(m.amount_cents, m.days) for m in rematched.matched] == [(4250, (d[0],))]
    with pytest.raises(DepositNotFound):
        await deposits.match_by_hand(10**9, [d[4]])
    with pytest.raises(InvalidInput):
        await deposits.match_by_hand(etransfer.id, [])
    assert (await deposits.report(d[0], d[4])).days_without_deposit == ()

    assert await deposits.unmatch(etransfer.id) == 1
    assert await deposits.unmatch(etransfer.id) == 0
    later = await deposits.report(d[0], d[4])
    assert [w.day for w in later.days_without_deposit] == [d[4]]
    assert [dep.amount_cents for dep in later.unmatched] == [7700]

    # Ten days on, day 4 has had its window: no deposit yet.
    sandbox.clock.advance(10 * DAY_S)
    overdue = await deposits.report(d[0], d[4])
    assert [(w.day, w.overdue) for w in overdue.days_without_deposit] == [(d[4], True)]

    audit = journal.audit_page(limit=50)
    events = [e.event for e in audit]
    assert events.count("deposits_import") == 2
    assert events.count("deposits_matched") == 2  # each Match that paired something
    assert events.count("deposit_match") == 1
    assert events.count("deposit_unmatch") == 2
    # Each row was written with its change: it says what the change found.
    imports = [e.detail for e in audit if e.event == "deposits_import"]
    assert all({"added", "already"} <= set(d) for d in imports)
    assert all(e.detail["matches"] for e in audit if e.event == "deposits_matched")
    assert all(e.detail["days"] for e in audit if e.event == "deposit_unmatch")


async def test_a_bad_statement_is_refused_and_nothing_stored(
    service: MoneyService, journal: LedgerJournal, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Date,Memo\n2026-12-01,hello\n", encoding="utf-8")
    with pytest.raises(StatementError) as caught:
        await service.deposits.read_statement(path)
    assert "export.csv" in str(caught.value)
    today = service.days.today()
    assert (await service.deposits.report(today - timedelta(days=30), today)).deposits == ()


async def test_the_window_is_a_setting(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    deposits = service.deposits
    first = service.days.today()
    await work_a_day(service, client, 1234)
    path = statement(
        tmp_path, "late.csv", [(first + timedelta(days=7), "IOTPAY SETTLEMENT", "", "12.34")]
    )
    await deposits.import_statement(await deposits.read_statement(path, date_order="mdy"))
    assert (await deposits.match(first, first)).matched == ()
    deposits.set_window(0, 7)
    assert [m.amount_cents for m in (await deposits.match(first, first)).matched] == [1234]
    with pytest.raises(InvalidInput):
        deposits.set_window(5, 2)
    with pytest.raises(InvalidInput):
        await deposits.report(first, first - timedelta(days=1))


async def test_a_tie_is_listed_not_matched(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    deposits = service.deposits
    first = service.days.today()
    await work_a_day(service, client, 2500)
    next_day = first + timedelta(days=1)
    path = statement(
        tmp_path,
        "two.csv",
        [(next_day, "IOTPAY SETTLEMENT", "", "25.00"), (next_day, "E-TRANSFER", "", "25.00")],
    )
    await deposits.import_statement(await deposits.read_statement(path, date_order="mdy"))
    report = await deposits.match(first, first)
    assert report.matched == ()
    (tie,) = report.ambiguous
    assert len(tie.deposit_ids) == 2
    assert tie.options == ((first,),)
    assert len(report.report.unmatched) == 2
    assert [w.day for w in report.report.days_without_deposit] == [first]
    # The person decides.
    await deposits.match_by_hand(tie.deposit_ids[0], [first])
    after = await deposits.report(first, first)
    assert [d.id for d in after.matched] == [tie.deposit_ids[0]]
    assert after.matched[0].difference_cents == 0


async def test_two_desks_matching_at_once(
    service: MoneyService,
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    other = make_service(operator="jill")
    first = service.days.today()
    for k in range(4):
        await work_a_day(service, client, 1000 + k)
        sandbox.clock.advance(DAY_S)
    rows = [
        (first + timedelta(days=k + 1), "IOTPAY", "", f"{(1000 + k) / 100:.2f}") for k in range(4)
    ]
    path = statement(tmp_path, "s.csv", rows)
    await service.deposits.import_statement(
        await service.deposits.read_statement(path, date_order="mdy")
    )
    last = first + timedelta(days=3)
    mine, theirs = await asyncio.gather(
        service.deposits.match(first, last), other.deposits.match(first, last)
    )
    assert len(mine.matched) + len(theirs.matched) == 4
    after = await service.deposits.report(first, last)
    assert len(after.matched) == 4
    assert after.days_without_deposit == ()

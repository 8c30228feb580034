"""Reconcile a business day (iotpay_desk/services/reconcile.py): every order of the day
in a real ledger's books re-checked at the real sandbox; what IOTPay says otherwise
(a refund made behind the desk's back, a status a notification claimed, an order IOTPay
does not know) recorded and audited once; cancelled and killed runs resumed."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from iotpay_desk.api import IotPayClient, Order, OrderStatus, RefundRequest
from iotpay_desk.journal.days import business_day_of
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.jobs import AUDIT, JOBS
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services import MoneyService
from iotpay_desk.services.bulk import JobProgress

from .conftest import pay, wait_for
from .test_importing import items_of, run_and_kill

pytestmark = pytest.mark.asyncio

MCH = DEMO_MERCHANT.mch_id


def _today(service: MoneyService, sandbox: SandboxServer) -> date:
    return business_day_of(sandbox.clock.local_now(), service.cutoff, service.tz)


def _audit(journal: LedgerJournal) -> list[tuple[str, dict[str, Any]]]:
    with journal.engine.connect() as conn:
        rows = conn.execute(
            select(AUDIT.c.event, AUDIT.c.detail)
            .where(AUDIT.c.event.like("reconcile.%"))
            .order_by(AUDIT.c.id)
        ).all()
    return [(e, json.loads(d)) for e, d in rows]


async def _booked(service: MoneyService, client: IotPayClient, n: int) -> list[Order]:
    """``n`` payments at the sandbox, each looked up once (so in the books)."""
    orders = [await pay(client, 2000 + i) for i in range(n)]
    for o in orders:
        await service.lookup(o.pay_order_id)
    return orders


async def test_a_reconciliation_finds_what_changed_behind_the_desks_back(
    service: MoneyService,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    orders = await _booked(service, client, 3)
    day = _today(service, sandbox)
    # A refund made at IOTPay directly (the portal, another program): the books do not
    # know of it.
    sandbox.settle()
    await client.refund(
        RefundRequest(
            mch_refund_no="r" + uuid.uuid4().hex[:20],
            login_name="jack",
            refund_amount=1200,
            pay_order_id=orders[0].pay_order_id,
        )
    )
    # A notification that claimed more than IOTPay says.
    journal.record_order(
        replace(orders[1], status=OrderStatus.NOTIFIED), source="notify", confirmed=False
    )
    # An order in the books that IOTPay has never heard of.
    ghost = replace(orders[2], pay_order_id="PC" + orders[2].pay_order_id[2:16] + "999999999999")
    journal.record_order(ghost, source="notify", confirmed=False)

    seen: list[JobProgress] = []
    summary = await service.reconciler.reconcile_day(day, on_progress=seen.append)
    assert summary.state == "done"
    assert summary.business_day == day
    assert summary.counts == {"same": 1, "differs": 2, "not_found": 1}
    assert seen[-1].done == seen[-1].total == 4

    report = await service.reconciler.latest(day)
    assert report is not None
    assert report.summary.id == summary.id
    found = {i.pay_order_id: (i.state, i.detail) for i in report.items}
    assert found == {
        orders[0].pay_order_id: ("differs", "refunded 0→1200"),
        orders[1].pay_order_id: ("differs", "status 3→2"),
        ghost.pay_order_id: ("not_found", ""),
    }
    events = _audit(journal)
    assert Counter(e for e, _ in events) == {
        "reconcile.differs": 2,
        "reconcile.not_found": 1,
        "reconcile.done": 1,
    }
    differs = {d["pay_order_id"]: d for e, d in events if e == "reconcile.differs"}
    assert differs[orders[0].pay_order_id]["differs"] == "refunded 0→1200"
    assert differs[orders[0].pay_order_id]["mch_order_no"] == orders[0].mch_order_no
    assert events[-1][1]["counts"] == {"same": 1, "differs": 2, "not_found": 1}
    # The books now say what IOTPay says.
    first = journal.books.get(MCH, orders[0].pay_order_id)
    second = journal.books.get(MCH, orders[1].pay_order_id)
    assert first is not None
    assert first.refunded_cents == 1200
    assert second is not None
    assert second.status == 2
    # Another day has no reconciliation.
    assert await service.reconciler.latest(day - timedelta(days=3)) is None

    # Reconciled again: everything agrees now, but IOTPay still has no such order.
    again = await service.reconciler.reconcile_day(day)
    assert again.id != summary.id
    assert again.counts == {"same": 3, "not_found": 1}


async def test_a_cancelled_reconciliation_is_resumed_not_restarted(
    service: MoneyService,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    await _booked(service, client, 8)
    day = _today(service, sandbox)
    sandbox.set_faults([FaultSpec("latency", "cc_query", latency_ms=150)])
    seen: list[JobProgress] = []
    task = asyncio.create_task(
        service.reconciler.reconcile_day(day, on_progress=seen.append, concurrency=2)
    )
    await wait_for(lambda: any(p.done >= 2 for p in seen))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (unfinished,) = await service.reconciler.unfinished()
    assert unfinished.business_day == day
    assert 2 <= unfinished.done < 8
    sandbox.clear_faults()
    done = await service.reconciler.reconcile_day(day)
    assert done.id == unfinished.id
    assert done.counts == {"same": 8}
    with journal.engine.connect() as conn:
        assert conn.execute(select(JOBS.c.id).where(JOBS.c.kind == "reconcile")).all() == [
            (done.id,)
        ]
    assert [e for e, _ in _audit(journal)] == ["reconcile.done"]


async def test_a_reconciliation_killed_halfway_audits_each_difference_once(
    service: MoneyService,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    orders = await _booked(service, client, 24)
    for o in orders:  # the books believe one cent of each was refunded
        journal.record_order(replace(o, refundable=o.amount - 1), source="lookup", confirmed=True)
    day = _today(service, sandbox)
    job_id = await service.reconciler.start_day(day)
    await run_and_kill(sandbox, journal, "reconcile", job_id, at_least=6)
    killed = await service.reconciler.summary(job_id)
    assert killed.state == "running"
    assert 6 <= killed.count("differs") < 24

    resumed = await service.reconciler.reconcile_day(day)
    assert resumed.id == job_id
    assert resumed.counts == {"differs": 24}
    items = items_of(journal, job_id)
    assert len(items) == 24
    assert all(s == "differs" and at for _, s, at in items)
    events = _audit(journal)
    per_order = Counter(d["pay_order_id"] for e, d in events if e == "reconcile.differs")
    assert per_order == {o.pay_order_id: 1 for o in orders}
    assert [e for e, _ in events].count("reconcile.done") == 1
    for o in orders:
        entry = journal.books.get(MCH, o.pay_order_id)
        assert entry is not None
        assert entry.refunded_cents == 0

"""Jobs in the ledger (iotpay_desk/ledger/jobs.py): a job and its items written at once,
batches of results recorded once each with the orders booked, a reconciliation's
differences found against the books and audited, on both backends."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from iotpay_desk.api.models import Order, OrderStatus
from iotpay_desk.journal.jobs import ItemResult, NewItem, differences
from iotpay_desk.ledger.books import ORDERS, Books
from iotpay_desk.ledger.jobs import AUDIT, Jobs

MCH = "10000701"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _pay(n: int, **kw: Any) -> Order:
    values: dict[str, Any] = {
        "pay_order_id": f"PC2025030112{n:016d}",
        "mch_id": MCH,
        "mch_order_no": f"M{n:08d}",
        "amount": 1000 + n,
        "pay_type": "pay",
        "refundable": 1000 + n,
        "status": OrderStatus.SUCCESS,
        "pay_succ_time": "2025-03-01 09:30:00",
        "card_num": "424242******4242",
        "card_type": "V",
    }
    values.update(kw)
    return Order(**values)


@pytest.fixture
def jobs(backend: Engine) -> Jobs:
    return Jobs(backend, clock=lambda: T0)


def _audit(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    with engine.connect() as conn:
        rows = conn.execute(select(AUDIT.c.event, AUDIT.c.detail).order_by(AUDIT.c.id)).all()
    return [(e, json.loads(d)) for e, d in rows]


def _orders(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ORDERS)).scalar_one())


def test_differences_in_words_free_form() -> None:
    assert differences((2, 100, 0), (2, 100, 0)) == ""
    assert differences((2, 100, 0), (3, 100, 1500)) == "status 2→3; refunded 0→1500"
    assert differences((2, 100, 0), (2, 200, 0)) == "amount 100→200"


def test_an_import_is_written_at_once_and_each_result_recorded_once(
    jobs: Jobs, backend: Engine
) -> None:
    items = [NewItem(1, "M00000001"), NewItem(2, "", state="bad", detail="empty")]
    items += [NewItem(n, f"M{n:08d}") for n in range(3, 8)]
    job = jobs.create(MCH, "import", items, title="orders.csv", operator="jack", desk="front")
    assert job.state == "running"
    assert job.total == 7
    assert job.counts == {"pending": 6, "bad": 1}
    assert [s.id for s in jobs.open_jobs(MCH, "import")] == [job.id]
    pending = jobs.items(job.id, states=("pending", "failed"))
    assert [i.line_no for i in pending] == [1, 3, 4, 5, 6, 7]

    jobs.record(
        job.id,
        [
            ItemResult(1, "booked", order=_pay(1)),
            ItemResult(3, "booked", order=_pay(3)),
            ItemResult(4, "not_found"),
            ItemResult(5, "failed", detail="unreachable: timeout"),
        ],
    )
    # The same results again (a second desk resuming the job): nothing changes.
    jobs.record(job.id, [ItemResult(1, "booked", order=_pay(1)), ItemResult(4, "not_found")])
    got = jobs.get(job.id)
    assert got is not None
    assert got.counts == {"booked": 2, "not_found": 1, "failed": 1, "pending": 2, "bad": 1}
    assert got.open == 3
    assert _orders(backend) == 2
    assert jobs.finish(job.id).state == "running"  # items still open

    jobs.record(
        job.id,
        [
            ItemResult(5, "booked", order=_pay(5)),
            ItemResult(6, "booked", order=_pay(1)),  # the same order by its other name
            ItemResult(7, "booked", order=_pay(7)),
        ],
    )
    done = jobs.finish(job.id)
    assert done.state == "done"
    assert done.finished_at == T0
    assert done.counts == {"booked": 5, "not_found": 1, "bad": 1}
    assert _orders(backend) == 4
    assert jobs.open_jobs(MCH, "import") == []
    assert [e for e, _ in _audit(backend)] == ["import.done"]
    book = Books(backend).get(MCH, _pay(1).pay_order_id)
    assert book is not None
    assert book.source == "import"
    assert book.confirmed_at is not None

    # A second import of the same orders adds no row to the books.
    again = jobs.create(
        MCH, "import", [NewItem(1, "M00000001")], title="again.csv", operator="jack", desk="d"
    )
    jobs.record(again.id, [ItemResult(1, "booked", order=_pay(1, status=OrderStatus.NOTIFIED))])
    assert _orders(backend) == 4
    book = Books(backend).get(MCH, _pay(1).pay_order_id)
    assert book is not None
    assert book.status == 3


def test_a_card_number_never_reaches_an_item(jobs: Jobs) -> None:
    job = jobs.create(
        MCH,
        "import",
        [NewItem(1, "4242424242424242", state="bad", detail="card 4242424242424242")],
        title="cards 4111111111111111.csv",
        operator="jack",
        desk="front",
    )
    (item,) = jobs.items(job.id)
    assert "424242424242" not in item.ref
    assert "424242424242" not in item.detail
    assert "4111111111" not in job.title


def test_a_reconciliation_finds_and_audits_differences(jobs: Jobs, backend: Engine) -> None:
    books = Books(backend, clock=lambda: T0)
    for n in range(1, 5):
        books.record(_pay(n), source="desk", confirmed=True, now=T0)
    # Outside the day: not reconciled.
    books.record(
        _pay(9, pay_succ_time="2025-03-05 09:30:00"), source="desk", confirmed=True, now=T0
    )
    since, until = T0 - timedelta(days=1), T0 + timedelta(hours=6)
    job = jobs.create_reconcile(MCH, date(2025, 3, 1), since, until, operator="jack", desk="front")
    assert job.total == 4
    assert job.business_day == date(2025, 3, 1)
    items = jobs.items(job.id)
    assert [i.pay_order_id for i in items] == [_pay(n).pay_order_id for n in range(1, 5)]

    refunded = _pay(2, status=OrderStatus.NOTIFIED, refundable=_pay(2).amount - 500)
    jobs.record(
        job.id,
        [
            ItemResult(1, "same", order=_pay(1)),
            ItemResult(2, "same", order=refunded),
            ItemResult(3, "not_found", items[2].pay_order_id),
            ItemResult(4, "failed", items[3].pay_order_id, "unreachable: timeout"),
        ],
    )
    jobs.record(job.id, [ItemResult(2, "same", order=refunded)])  # once only
    assert jobs.finish(job.id).state == "running"
    report = jobs.latest_reconcile(MCH, date(2025, 3, 1))
    assert report is not None
    assert [(i.line_no, i.state, i.detail) for i in report.items] == [
        (2, "differs", "status 2→3; refunded 0→500"),
        (3, "not_found", ""),
        (4, "failed", "unreachable: timeout"),
    ]
    entry = books.get(MCH, refunded.pay_order_id)
    assert entry is not None
    assert (entry.status, entry.refunded_cents) == (3, 500)
    events = _audit(backend)
    assert [e for e, _ in events] == ["reconcile.differs", "reconcile.not_found"]
    assert events[0][1]["differs"] == "status 2→3; refunded 0→500"
    assert events[0][1]["books"] == {"status": 2, "amount_cents": 1002, "refunded_cents": 0}

    jobs.record(job.id, [ItemResult(4, "same", order=_pay(4))])
    done = jobs.finish(job.id)
    assert done.state == "done"
    assert done.counts == {"same": 2, "differs": 1, "not_found": 1}
    last_event, detail = _audit(backend)[-1]
    assert last_event == "reconcile.done"
    assert detail["counts"] == {"same": 2, "differs": 1, "not_found": 1}
    assert jobs.latest_reconcile(MCH, date(2025, 3, 2)) is None


def test_a_job_given_up_is_not_offered_again(jobs: Jobs) -> None:
    job = jobs.create(
        MCH, "import", [NewItem(1, "M1")], title="a.csv", operator="jack", desk="front"
    )
    assert jobs.finish(job.id, cancel=True).state == "cancelled"
    assert jobs.open_jobs(MCH, "import") == []
    assert jobs.finish(job.id).state == "cancelled"

"""The ledger's side of :mod:`iotpay_desk.journal.jobs`: imports and reconciliations kept
item by item (revision 0004's ``jobs`` and ``job_items``), so a job killed halfway
resumes where it was and does nothing twice.

- A job and all its items are written in one transaction, before its first query.
- A batch of results is one transaction: each item's state, the orders booked (the
  books' upsert: one row per order, however often it is imported) and, for a
  reconciliation, one audit row for each order that differs or that IOTPay does not
  know. Only items still open (``pending`` or ``failed``) are recorded: a result that
  comes twice (two desks resuming one job) counts once, and so does its audit row.
- A reconciliation compares IOTPay's answer with the books' row inside the batch's
  transaction (status, amount, refunded), then the books take IOTPay's answer.

Plain Python: nothing here imports Qt.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from iotpay_desk.journal import store as _journal
from iotpay_desk.journal.jobs import (
    DONE_STATES,
    ITEM_STATES,
    JOB_KINDS,
    OPEN_STATES,
    ItemResult,
    JobItem,
    JobSummary,
    NewItem,
    ReconcileReport,
    differences,
)
from iotpay_desk.journal.models import format_time, parse_time
from iotpay_desk.journal.scrub import scrub, scrub_detail

from .books import Books
from .groupcommit import transact
from .schema import metadata

__all__ = ["Jobs"]

JOBS = metadata.tables["jobs"]
ITEMS = metadata.tables["job_items"]
ORDERS = metadata.tables["orders"]
AUDIT = metadata.tables["audit"]

_SET_ITEM = (
    update(ITEMS)
    .where(ITEMS.c.job_id == bindparam("b_job"), ITEMS.c.line_no == bindparam("b_line"))
    .values(
        state=bindparam("b_state"),
        pay_order_id=bindparam("b_pay"),
        detail=bindparam("b_detail"),
        done_at=bindparam("b_at"),
    )
)
_IN_CHUNK = 500  # ids in one IN (...) list


@dataclass(frozen=True, slots=True)
class _Meta:
    mch_id: str
    kind: str
    operator: str
    desk: str
    business_day: str


def _summary(row: Any, counts: dict[str, int]) -> JobSummary:
    m = row._mapping
    return JobSummary(
        id=int(m["id"]),
        mch_id=m["mch_id"],
        kind=m["kind"],
        title=m["title"],
        business_day=date.fromisoformat(m["business_day"]) if m["business_day"] else None,
        operator=m["operator"],
        desk=m["desk"],
        state=m["state"],
        total=int(m["total"]),
        created_at=parse_time(m["created_at"]),
        finished_at=parse_time(m["finished_at"]) if m["finished_at"] else None,
        counts=counts,
    )


def _item(row: Any) -> JobItem:
    m = row._mapping
    return JobItem(
        job_id=int(m["job_id"]),
        line_no=int(m["line_no"]),
        ref=m["ref"],
        state=m["state"],
        pay_order_id=m["pay_order_id"],
        detail=m["detail"],
        done_at=parse_time(m["done_at"]) if m["done_at"] else None,
    )


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


class Jobs:
    """Imports and reconciliations in one ledger (``engine``, at head)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _journal._utcnow) -> None:
        self.engine = engine
        self._clock = clock
        self._books = Books(engine, clock=clock)
        self._meta: dict[int, _Meta] = {}

    def _now(self, now: datetime | None) -> str:
        return format_time(now or self._clock())

    # ------------------------------------------------------------------ creating

    def create(
        self,
        mch_id: str,
        kind: str,
        items: Sequence[NewItem],
        *,
        title: str,
        operator: str,
        desk: str,
        business_day: date | None = None,
        now: datetime | None = None,
    ) -> JobSummary:
        """A new ``running`` job with all its items, in one transaction (texts scrubbed
        of card numbers)."""
        if kind not in JOB_KINDS:
            raise ValueError(f"kind: one of {', '.join(JOB_KINDS)}")
        at = self._now(now)
        rows: list[dict[str, Any]] = []
        for it in items:
            if it.state not in ITEM_STATES:
                raise ValueError(f"state: one of {', '.join(ITEM_STATES)}")
            rows.append(
                {
                    "line_no": it.line_no,
                    "ref": scrub(it.ref),
                    "state": it.state,
                    "pay_order_id": it.pay_order_id,
                    "detail": scrub(it.detail),
                    "done_at": None if it.state in OPEN_STATES else at,
                }
            )
        job = {
            "mch_id": mch_id,
            "kind": kind,
            "title": scrub(title),
            "business_day": business_day.isoformat() if business_day else "",
            "operator": operator,
            "desk": desk,
            "state": "running",
            "total": len(rows),
            "created_at": at,
        }

        def body(conn: Connection) -> int:
            return self._insert_job(conn, job, rows)

        return self._get_or_fail(transact(self.engine, body))

    @staticmethod
    def _insert_job(conn: Connection, job: dict[str, Any], rows: list[dict[str, Any]]) -> int:
        job_id = int(conn.execute(insert(JOBS).values(job).returning(JOBS.c.id)).scalar_one())
        if rows:
            for r in rows:
                r["job_id"] = job_id
            conn.execute(insert(ITEMS), rows)
        return job_id

    def create_reconcile(
        self,
        mch_id: str,
        day: date,
        since: datetime,
        until: datetime,
        *,
        operator: str,
        desk: str,
        now: datetime | None = None,
    ) -> JobSummary:
        """A reconciliation of ``day``: one pending item for each order of the books from
        ``since`` to ``until`` (oldest first), written with the job in one transaction."""
        at = self._now(now)
        job = {
            "mch_id": mch_id,
            "kind": "reconcile",
            "title": day.isoformat(),
            "business_day": day.isoformat(),
            "operator": operator,
            "desk": desk,
            "state": "running",
            "total": 0,
            "created_at": at,
        }
        query = (
            select(ORDERS.c.pay_order_id)
            .where(
                ORDERS.c.mch_id == mch_id,
                ORDERS.c.at >= format_time(since),
                ORDERS.c.at < format_time(until),
            )
            .order_by(ORDERS.c.at, ORDERS.c.id)
        )

        def body(conn: Connection) -> int:
            ids = conn.execute(query).scalars().all()
            rows = [
                {
                    "line_no": n,
                    "ref": pid,
                    "state": "pending",
                    "pay_order_id": pid,
                    "detail": "",
                    "done_at": None,
                }
                for n, pid in enumerate(ids, start=1)
            ]
            job["total"] = len(rows)
            return self._insert_job(conn, job, rows)

        return self._get_or_fail(transact(self.engine, body))

    # ------------------------------------------------------------------ reading

    def _counts(self, conn: Connection, job_id: int) -> dict[str, int]:
        rows = conn.execute(
            select(ITEMS.c.state, func.count())
            .where(ITEMS.c.job_id == job_id)
            .group_by(ITEMS.c.state)
        ).all()
        return {state: int(n) for state, n in rows}

    def get(self, job_id: int) -> JobSummary | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(JOBS).where(JOBS.c.id == job_id)).first()
            if row is None:
                return None
            return _summary(row, self._counts(conn, job_id))

    def _get_or_fail(self, job_id: int) -> JobSummary:
        found = self.get(job_id)
        if found is None:
            raise KeyError(job_id)
        return found

    def items(
        self,
        job_id: int,
        *,
        states: Sequence[str] = (),
        after_line: int = 0,
        limit: int = 100_000,
    ) -> list[JobItem]:
        """Items in line order (``states``: only those), after line ``after_line``."""
        query = select(ITEMS).where(ITEMS.c.job_id == job_id, ITEMS.c.line_no > after_line)
        if states:
            query = query.where(ITEMS.c.state.in_(list(states)))
        query = query.order_by(ITEMS.c.line_no).limit(max(1, int(limit)))
        with self.engine.connect() as conn:
            return [_item(r) for r in conn.execute(query)]

    def open_jobs(self, mch_id: str, kind: str) -> list[JobSummary]:
        """The merchant's ``running`` jobs of ``kind``, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(JOBS)
                .where(JOBS.c.mch_id == mch_id, JOBS.c.kind == kind, JOBS.c.state == "running")
                .order_by(JOBS.c.id.desc())
            ).all()
            return [_summary(r, self._counts(conn, int(r.id))) for r in rows]

    def latest_reconcile(
        self, mch_id: str, day: date, *, limit: int = 500
    ) -> ReconcileReport | None:
        """The newest reconciliation of ``day`` (running, done or cancelled) and its items
        that differ, that IOTPay does not know, or that could not be checked."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(JOBS)
                .where(
                    JOBS.c.mch_id == mch_id,
                    JOBS.c.kind == "reconcile",
                    JOBS.c.business_day == day.isoformat(),
                )
                .order_by(JOBS.c.id.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            job_id = int(row.id)
            items = conn.execute(
                select(ITEMS)
                .where(
                    ITEMS.c.job_id == job_id,
                    ITEMS.c.state.in_(["differs", "not_found", "failed"]),
                )
                .order_by(ITEMS.c.line_no)
                .limit(max(1, int(limit)))
            ).all()
            return ReconcileReport(
                _summary(row, self._counts(conn, job_id)), tuple(_item(r) for r in items)
            )

    # ------------------------------------------------------------------ writing

    def _job_meta(self, job_id: int) -> _Meta:
        meta = self._meta.get(job_id)
        if meta is None:
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(
                        JOBS.c.mch_id,
                        JOBS.c.kind,
                        JOBS.c.operator,
                        JOBS.c.desk,
                        JOBS.c.business_day,
                    ).where(JOBS.c.id == job_id)
                ).first()
            if row is None:
                raise KeyError(job_id)
            meta = _Meta(*row)
            self._meta[job_id] = meta
        return meta

    def record(
        self, job_id: int, results: Sequence[ItemResult], *, now: datetime | None = None
    ) -> None:
        """Record a batch of results and book their orders, in one transaction (module
        docstring). A reconciliation's ``same`` with an order that disagrees with the
        books is recorded ``differs`` (what differs in ``detail``) with its audit row;
        a ``not_found`` of a reconciliation has its audit row too."""
        if not results:
            return
        meta = self._job_meta(job_id)
        reconcile = meta.kind == "reconcile"
        at = self._now(now)
        source = "lookup" if reconcile else "import"
        prepared: list[tuple[ItemResult, dict[str, Any] | None]] = []
        for r in results:
            if r.state not in ITEM_STATES or r.state == "pending":
                raise ValueError(f"state: one of {', '.join(DONE_STATES)} or failed")
            values = None
            if r.order is not None and r.state in ("booked", "same", "differs"):
                values = self._books.order_values(r.order, source=source, confirmed=True, now=now)
            prepared.append((r, values))
        lines = [r.line_no for r in results]

        def body(conn: Connection) -> None:
            still_open: set[int] = set()
            for part in _chunks(lines):
                still_open.update(
                    conn.execute(
                        select(ITEMS.c.line_no).where(
                            ITEMS.c.job_id == job_id,
                            ITEMS.c.line_no.in_(list(part)),
                            ITEMS.c.state.in_(OPEN_STATES),
                        )
                    ).scalars()
                )
            before: dict[str, tuple[int, int, int, str]] = {}
            if reconcile:
                ids = [v["pay_order_id"] for r, v in prepared if v and r.line_no in still_open]
                for part in _chunks(ids):
                    for pid, status, amount, refunded, mch_no in conn.execute(
                        select(
                            ORDERS.c.pay_order_id,
                            ORDERS.c.status,
                            ORDERS.c.amount_cents,
                            ORDERS.c.refunded_cents,
                            ORDERS.c.mch_order_no,
                        ).where(ORDERS.c.mch_id == meta.mch_id, ORDERS.c.pay_order_id.in_(part))
                    ):
                        before[pid] = (int(status), int(amount), int(refunded), mch_no)
            updates: list[dict[str, Any]] = []
            audits: list[dict[str, Any]] = []
            for r, values in prepared:
                if r.line_no not in still_open:
                    continue
                state, detail = r.state, r.detail
                pay_order_id = r.pay_order_id
                if values is not None:
                    pay_order_id = values["pay_order_id"]
                    if reconcile:
                        old = before.get(pay_order_id)
                        new = (values["status"], values["amount_cents"], values["refunded_cents"])
                        diff = differences(old[:3], new) if old is not None else ""
                        state, detail = ("differs", diff) if diff else ("same", "")
                        if diff and old is not None:
                            audits.append(
                                self._audit(
                                    meta,
                                    at,
                                    "reconcile.differs",
                                    {
                                        "job_id": job_id,
                                        "business_day": meta.business_day,
                                        "pay_order_id": pay_order_id,
                                        "mch_order_no": old[3] or values["mch_order_no"],
                                        "differs": diff,
                                        "books": dict(zip(_FIGURES, old[:3], strict=True)),
                                        "iotpay": dict(zip(_FIGURES, new, strict=True)),
                                    },
                                )
                            )
                    Books.upsert(conn, values)
                elif reconcile and state == "not_found":
                    audits.append(
                        self._audit(
                            meta,
                            at,
                            "reconcile.not_found",
                            {
                                "job_id": job_id,
                                "business_day": meta.business_day,
                                "pay_order_id": pay_order_id,
                            },
                        )
                    )
                updates.append(
                    {
                        "b_job": job_id,
                        "b_line": r.line_no,
                        "b_state": state,
                        "b_pay": pay_order_id,
                        "b_detail": scrub(detail)[:500],
                        "b_at": at,
                    }
                )
            if updates:
                conn.execute(_SET_ITEM, updates)
            if audits:
                conn.execute(insert(AUDIT), audits)

        transact(self.engine, body)

    @staticmethod
    def _audit(meta: _Meta, at: str, event: str, detail: dict[str, Any]) -> dict[str, Any]:
        return {
            "at": at,
            "operator": meta.operator,
            "action_id": None,
            "event": event,
            "detail": json.dumps(scrub_detail(detail), ensure_ascii=False, sort_keys=True),
            "mch_id": meta.mch_id,
            "desk": meta.desk,
        }

    def finish(
        self, job_id: int, *, cancel: bool = False, now: datetime | None = None
    ) -> JobSummary:
        """``cancelled`` (``cancel``), or ``done`` when no item is open any more, with
        one audit row of the job's summary; otherwise the job stays ``running``. A job
        finished already is left as it is."""
        meta = self._job_meta(job_id)
        at = self._now(now)

        def body(conn: Connection) -> None:
            counts = self._counts(conn, job_id)
            left = sum(counts.get(s, 0) for s in OPEN_STATES)
            if not cancel and left:
                return
            state = "cancelled" if cancel else "done"
            changed = conn.execute(
                update(JOBS)
                .where(JOBS.c.id == job_id, JOBS.c.state == "running")
                .values(state=state, finished_at=at)
            ).rowcount
            if changed:
                detail: dict[str, Any] = {"job_id": job_id, "state": state, "counts": counts}
                if meta.business_day:
                    detail["business_day"] = meta.business_day
                conn.execute(insert(AUDIT), [self._audit(meta, at, f"{meta.kind}.{state}", detail)])

        transact(self.engine, body)
        return self._get_or_fail(job_id)


_FIGURES = ("status", "amount_cents", "refunded_cents")

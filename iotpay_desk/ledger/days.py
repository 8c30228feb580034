"""The ledger's side of :mod:`iotpay_desk.journal.days`: a business day's figures, what
needs attention, closing a day and finding what changed in it since. Plain Python:
nothing here imports Qt.

Every query reads one merchant's orders of one time range through the books' index on
(merchant, time), so a day costs what its own orders cost, however large the books.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine, and_, case, func, insert, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from iotpay_desk.journal import store as _journal
from iotpay_desk.journal.days import (
    AttentionItem,
    DailyNet,
    DayAlreadyClosed,
    DayChange,
    DayClose,
    DayFigures,
    DayLine,
    day_bounds,
)
from iotpay_desk.journal.models import format_time, parse_time

from .groupcommit import transact
from .schema import metadata, open_state

__all__ = ["AuditWriter", "Days"]

ORDERS = metadata.tables["orders"]
ACTIONS = metadata.tables["actions"]
NOTES = metadata.tables["notifications"]
JOBS = metadata.tables["jobs"]
ITEMS = metadata.tables["job_items"]
CLOSES = metadata.tables["day_closes"]
CLOSE_ORDERS = metadata.tables["day_close_orders"]

SUCCESS = (2, 3)  # IOTPay's successful statuses
FAILED = 9
_MONEY_KINDS = {"payment": "sales", "refund": "refunds", "void": "voids"}
_RETURNS = ("refund", "void")

AuditWriter = Callable[[Connection, str, str, str, Mapping[str, Any], str], object]
"""Writes one audit row in the caller's transaction: (conn, at, operator, event, detail,
mch_id). The desk's name is the ledger's own."""


@dataclass
class _Tally:
    """Counts and cents per money kind while a day's rows are summed."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_MONEY_KINDS, 0))
    cents: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_MONEY_KINDS, 0))

    def add(self, kind: str, count: int, cents: int) -> None:
        self.counts[kind] += count
        self.cents[kind] += cents

    def line(self, key: str) -> DayLine:
        return DayLine(
            key=key,
            sales_count=self.counts["payment"],
            sales_cents=self.cents["payment"],
            refunds_count=self.counts["refund"],
            refunds_cents=self.cents["refund"],
            voids_count=self.counts["void"],
            voids_cents=self.cents["void"],
        )


def _lines(tallies: Mapping[str, _Tally]) -> tuple[DayLine, ...]:
    """Largest sales first, then by name; the group with no name last."""
    lines = [t.line(k) for k, t in tallies.items()]
    return tuple(sorted(lines, key=lambda ln: (ln.key == "", -ln.sales_cents, ln.key)))


def _in_day(since: datetime, until: datetime) -> list[Any]:
    return [ORDERS.c.at >= format_time(since), ORDERS.c.at < format_time(until)]


def _digest(rows: Iterable[tuple[str, str, int, int, int]]) -> str:
    """SHA-256 of a day's orders as (payOrderId, kind, status, amount, refunded), in
    payOrderId order: two closes of the same orders give the same digest."""
    h = hashlib.sha256()
    for pay_order_id, kind, status, amount, refunded in sorted(rows):
        h.update(f"{pay_order_id}\t{kind}\t{status}\t{amount}\t{refunded}\n".encode())
    return h.hexdigest()


class Days:
    """Business days of the merchants in one ledger (``engine``, at head). ``audit``
    writes an audit row inside a transaction (the ledger journal's own)."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = _journal._utcnow,
        audit: AuditWriter | None = None,
    ) -> None:
        self.engine = engine
        self._clock = clock
        self._audit = audit

    # ------------------------------------------------------------------ figures

    def figures(self, mch_id: str, day: date, cutoff: time, tz: tzinfo) -> DayFigures:
        with self.engine.connect() as conn:
            return self._figures(conn, mch_id, day, cutoff, tz)

    @staticmethod
    def _figures(conn: Connection, mch_id: str, day: date, cutoff: time, tz: tzinfo) -> DayFigures:
        since, until = day_bounds(day, cutoff, tz)
        o = ORDERS
        p = ORDERS.alias("payment")
        # A refund or void counts under its payment's brand (IOTPay's refund orders
        # often carry no card).
        brand = case(
            (o.c.card_brand != "", o.c.card_brand), else_=func.coalesce(p.c.card_brand, "")
        )
        query = (
            select(
                o.c.kind,
                brand.label("brand"),
                o.c.operator,
                o.c.desk,
                o.c.status,
                o.c.currency,
                func.count().label("n"),
                func.sum(o.c.amount_cents).label("cents"),
            )
            .select_from(
                o.outerjoin(
                    p,
                    and_(
                        o.c.kind.in_(_RETURNS),
                        p.c.mch_id == o.c.mch_id,
                        p.c.pay_order_id == o.c.original_order_id,
                    ),
                )
            )
            .where(o.c.mch_id == mch_id, *_in_day(since, until))
            .group_by(o.c.kind, brand, o.c.operator, o.c.desk, o.c.status, o.c.currency)
        )
        total = _Tally()
        brands: dict[str, _Tally] = {}
        operators: dict[str, _Tally] = {}
        desks: dict[str, _Tally] = {}
        currencies: dict[str, int] = {}
        failed = 0
        for kind, card, operator, desk, status, currency, n, cents in conn.execute(query):
            if status == FAILED:
                failed += n
            if status not in SUCCESS:
                continue
            currencies[currency] = currencies.get(currency, 0) + n
            for tally in (
                total,
                brands.setdefault(card, _Tally()),
                operators.setdefault(operator, _Tally()),
                desks.setdefault(desk, _Tally()),
            ):
                tally.add(kind, n, int(cents or 0))
        currency = max(currencies, key=lambda c: currencies[c]) if currencies else "CAD"
        return DayFigures(
            day=day,
            since=since,
            until=until,
            currency=currency,
            total=total.line(""),
            by_brand=_lines(brands),
            by_operator=_lines(operators),
            by_desk=_lines(desks),
            failed_count=failed,
        )

    def daily_nets(
        self, mch_id: str, first: date, last: date, cutoff: time, tz: tzinfo
    ) -> list[DailyNet]:
        """Every business day from ``first`` to ``last`` (both included), in order; days
        without orders at 0. One query: the days' bounds joined to the books' time
        index, summed by the database."""
        if last < first:
            return []
        days: list[date] = []
        day = first
        while day <= last:
            days.append(day)
            day += timedelta(days=1)
        out: dict[date, DailyNet] = {d: DailyNet(d, 0) for d in days}
        # At most ~2 years a query (each day is 3 parameters).
        for start in range(0, len(days), 800):
            chunk = days[start : start + 800]
            bounds = union_all(
                *(
                    select(
                        literal(d.isoformat()).label("day"),
                        literal(format_time(s)).label("since"),
                        literal(format_time(u)).label("until"),
                    )
                    for d in chunk
                    for s, u in [day_bounds(d, cutoff, tz)]
                )
            ).subquery("days")
            o = ORDERS
            signed = case((o.c.kind == "payment", o.c.amount_cents), else_=-o.c.amount_cents)
            query = (
                select(
                    bounds.c.day,
                    func.sum(signed),
                    func.sum(case((o.c.kind == "payment", o.c.amount_cents), else_=0)),
                    func.count(),
                )
                .select_from(bounds)
                .join(
                    o,
                    and_(
                        o.c.mch_id == mch_id,
                        o.c.at >= bounds.c.since,
                        o.c.at < bounds.c.until,
                    ),
                )
                .where(o.c.status.in_(SUCCESS))
                .group_by(bounds.c.day)
            )
            with self.engine.connect() as conn:
                for day_text, net, sales, n in conn.execute(query):
                    d = date.fromisoformat(day_text)
                    out[d] = DailyNet(d, int(net or 0), int(sales or 0), int(n))
        return [out[d] for d in days]

    # ------------------------------------------------------------------ attention

    def attention(
        self,
        mch_id: str,
        day: date,
        cutoff: time,
        tz: tzinfo,
        *,
        receiver_runs: bool = False,
        limit: int = 500,
    ) -> list[AttentionItem]:
        """What of the day needs a person: the desk's actions whose outcome is still
        unknown, orders only notified, the last reconciliation's differences, and (when
        a notify receiver runs) successful payments with no notification."""
        since, until = day_bounds(day, cutoff, tz)
        s, u = format_time(since), format_time(until)
        items: list[AttentionItem] = []
        a = ACTIONS.c
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(
                    a.id, a.kind, a.mch_no, a.target_pay_order_id, a.pay_order_id,
                    a.amount_cents, a.created_at, a.state,
                )
                .where(
                    open_state(a.state),  # in the SQL: the partial index actions_open
                    a.mch_id == mch_id,
                    a.created_at >= s,
                    a.created_at < u,
                )
                .order_by(a.id)
                .limit(limit)
            ):  # fmt: skip
                returning = row.kind in ("refund", "void")
                items.append(
                    AttentionItem(
                        kind="refund_unconfirmed" if returning else "outcome_unknown",
                        pay_order_id=row.pay_order_id or row.target_pay_order_id or "",
                        mch_order_no=row.mch_no,
                        amount_cents=int(row.amount_cents or 0),
                        action_id=row.id,
                        at=parse_time(row.created_at),
                        detail=row.kind,
                    )
                )
            o = ORDERS.c
            for note in conn.execute(
                select(o.pay_order_id, o.mch_order_no, o.amount_cents, o.at, o.kind, o.status)
                .where(o.mch_id == mch_id, o.at >= s, o.at < u, o.confirmed_at.is_(None))
                .order_by(o.at, o.id)
                .limit(limit)
            ):
                items.append(
                    AttentionItem(
                        kind="not_confirmed",
                        pay_order_id=note.pay_order_id,
                        mch_order_no=note.mch_order_no,
                        amount_cents=note.amount_cents,
                        at=parse_time(note.at),
                        detail=f"{note.kind} status {note.status}",
                    )
                )
            items.extend(self._reconcile_items(conn, mch_id, day, limit))
            if receiver_runs:
                n = NOTES.c
                heard = select(n.id).where(n.mch_id == o.mch_id, n.pay_order_id == o.pay_order_id)
                for quiet in conn.execute(
                    select(o.pay_order_id, o.mch_order_no, o.amount_cents, o.at)
                    .where(
                        o.mch_id == mch_id,
                        o.at >= s,
                        o.at < u,
                        o.kind == "payment",
                        o.status.in_(SUCCESS),
                        ~heard.exists(),
                    )
                    .order_by(o.at, o.id)
                    .limit(limit)
                ):
                    items.append(
                        AttentionItem(
                            kind="no_notification",
                            pay_order_id=quiet.pay_order_id,
                            mch_order_no=quiet.mch_order_no,
                            amount_cents=quiet.amount_cents,
                            at=parse_time(quiet.at),
                        )
                    )
        return items[:limit]

    @staticmethod
    def _reconcile_items(
        conn: Connection, mch_id: str, day: date, limit: int
    ) -> list[AttentionItem]:
        """The differences the day's last reconciliation found (its items that differ or
        that IOTPay does not know), with the books' order number and amount."""
        last = conn.execute(
            select(func.max(JOBS.c.id)).where(
                JOBS.c.mch_id == mch_id,
                JOBS.c.kind == "reconcile",
                JOBS.c.business_day == day.isoformat(),
            )
        ).scalar()
        if last is None:
            return []
        i, o = ITEMS.c, ORDERS.c
        rows = conn.execute(
            select(
                i.state, i.pay_order_id, i.ref, i.detail, i.done_at, o.mch_order_no,
                o.amount_cents,
            )
            .select_from(
                ITEMS.outerjoin(
                    ORDERS, and_(o.mch_id == mch_id, o.pay_order_id == i.pay_order_id)
                )
            )
            .where(i.job_id == last, i.state.in_(("differs", "not_found")))
            .order_by(i.line_no)
            .limit(limit)
        )  # fmt: skip
        return [
            AttentionItem(
                kind="status_differs" if r.state == "differs" else "not_found",
                pay_order_id=r.pay_order_id or r.ref,
                mch_order_no=r.mch_order_no or "",
                amount_cents=int(r.amount_cents or 0),
                at=parse_time(r.done_at) if r.done_at else None,
                detail=r.detail,
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ closing

    def close_day(
        self,
        mch_id: str,
        day: date,
        cutoff: time,
        tz: tzinfo,
        *,
        operator: str,
        desk: str,
        now: datetime | None = None,
    ) -> DayClose:
        """Close the day (see :class:`~iotpay_desk.journal.days.DayStore`): its figures
        and each of its orders kept as they are, with an audit row, in one transaction;
        the UNIQUE (merchant, day) constraint refuses a second close, also from another
        desk at the same moment."""
        at = format_time(now or self._clock())
        since, until = day_bounds(day, cutoff, tz)
        zone = getattr(tz, "key", None) or str(tz)

        def body(conn: Connection) -> int:
            # Figures and orders read inside the write transaction: what is closed is
            # what the figures say.
            figures = self._figures(conn, mch_id, day, cutoff, tz)
            rows = self._day_orders(conn, mch_id, since, until)
            close_id = conn.execute(
                insert(CLOSES)
                .values(
                    mch_id=mch_id,
                    business_day=day.isoformat(),
                    cutoff=cutoff.strftime("%H:%M"),
                    timezone=zone,
                    operator=operator,
                    desk=desk,
                    closed_at=at,
                    figures=json.dumps(figures.to_json(), sort_keys=True),
                    digest=_digest(rows),
                )
                .returning(CLOSES.c.id)
            ).scalar_one()
            if rows:
                conn.execute(
                    insert(CLOSE_ORDERS),
                    [
                        {
                            "close_id": close_id,
                            "pay_order_id": r[0],
                            "kind": r[1],
                            "status": r[2],
                            "amount_cents": r[3],
                            "refunded_cents": r[4],
                        }
                        for r in rows
                    ],
                )
            if self._audit is not None:
                self._audit(
                    conn,
                    at,
                    operator,
                    "day.closed",
                    {
                        "business_day": day.isoformat(),
                        "net_cents": figures.total.net_cents,
                        "orders": len(rows),
                        "digest": _digest(rows),
                    },
                    mch_id,
                )
            return int(close_id)

        try:
            transact(self.engine, body)
        except IntegrityError:
            found = self.get_close(mch_id, day)
            if found is None:
                raise
            raise DayAlreadyClosed(day, found.operator, found.desk) from None
        closed = self.get_close(mch_id, day)
        assert closed is not None
        return closed

    @staticmethod
    def _day_orders(
        conn: Connection, mch_id: str, since: datetime, until: datetime
    ) -> list[tuple[str, str, int, int, int]]:
        o = ORDERS.c
        return [
            (r[0], r[1], int(r[2]), int(r[3]), int(r[4]))
            for r in conn.execute(
                select(o.pay_order_id, o.kind, o.status, o.amount_cents, o.refunded_cents).where(
                    o.mch_id == mch_id, *_in_day(since, until)
                )
            )
        ]

    def get_close(self, mch_id: str, day: date) -> DayClose | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(CLOSES).where(
                    CLOSES.c.mch_id == mch_id, CLOSES.c.business_day == day.isoformat()
                )
            ).first()
        return _close(row._mapping) if row is not None else None

    def closes(self, mch_id: str, first: date, last: date) -> list[DayClose]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(CLOSES)
                .where(
                    CLOSES.c.mch_id == mch_id,
                    CLOSES.c.business_day >= first.isoformat(),
                    CLOSES.c.business_day <= last.isoformat(),
                )
                .order_by(CLOSES.c.business_day)
            ).all()
        return [_close(r._mapping) for r in rows]

    def changes_since_close(self, mch_id: str, day: date, *, limit: int = 500) -> list[DayChange]:
        """The day's orders now against the same orders when the day was closed: added
        to the day, gone from it, or changed (status, amount, refunded)."""
        closed = self.get_close(mch_id, day)
        if closed is None:
            return []
        since, until = closed.figures.since, closed.figures.until
        with self.engine.connect() as conn:
            now = {r[0]: r for r in self._day_orders(conn, mch_id, since, until)}
            c = CLOSE_ORDERS.c
            then = {
                r[0]: (r[0], r[1], int(r[2]), int(r[3]), int(r[4]))
                for r in conn.execute(
                    select(
                        c.pay_order_id, c.kind, c.status, c.amount_cents, c.refunded_cents
                    ).where(c.close_id == closed.id)
                )
            }
        changes: list[DayChange] = []
        for pay_order_id in sorted(set(now) | set(then)):
            old, new = then.get(pay_order_id), now.get(pay_order_id)
            before = (old[2], old[3], old[4]) if old else None
            after = (new[2], new[3], new[4]) if new else None
            if before == after:
                continue
            what = "added" if old is None else "removed" if new is None else "changed"
            kind = (new or old or ("", ""))[1]
            changes.append(DayChange(pay_order_id, what, kind, before, after))
            if len(changes) >= limit:
                break
        return changes


def _close(m: Any) -> DayClose:
    return DayClose(
        id=m["id"],
        mch_id=m["mch_id"],
        day=date.fromisoformat(m["business_day"]),
        closed_at=parse_time(m["closed_at"]),
        operator=m["operator"],
        desk=m["desk"],
        cutoff=m["cutoff"],
        timezone=m["timezone"],
        figures=DayFigures.from_json(json.loads(m["figures"])),
        digest=m["digest"],
    )

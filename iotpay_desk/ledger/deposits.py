"""The ledger's side of :mod:`iotpay_desk.journal.deposits`: bank deposits and their matches
to business days (tables ``bank_deposits`` and ``deposit_matches``). Plain Python: no Qt.

The rules are the database's: a deposit is stored once per account and ref (UNIQUE), a
business day is paid by one deposit at most (UNIQUE); every write is one transaction
(through :func:`~.groupcommit.transact`), so a statement is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from iotpay_desk.journal import store as _journal
from iotpay_desk.journal.days import DailyNet
from iotpay_desk.journal.deposits import (
    AddedDeposits,
    DayAlreadyPaid,
    Deposit,
    DepositAlreadyMatched,
    DepositMatch,
    DepositNotFound,
    NewDeposit,
)
from iotpay_desk.journal.models import format_time, parse_time
from iotpay_desk.journal.scrub import scrub

from .days import AuditWriter
from .groupcommit import transact
from .schema import metadata

__all__ = ["Deposits"]

DEPOSITS = metadata.tables["bank_deposits"]
MATCHES = metadata.tables["deposit_matches"]
SOURCES = ("csv", "ofx")
HOWS = ("auto", "manual")
Audit = tuple[str, Mapping[str, Any]]
"""The audit row a change writes in its transaction: the event and the caller's detail."""


class Deposits:
    """Bank deposits and their matches in the ledger behind ``engine``."""

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

    def _audited(
        self,
        conn: Connection,
        at: str,
        operator: str,
        audit: Audit | None,
        mch_id: str,
        **found: Any,
    ) -> None:
        """The audit row of a change, in the change's own transaction: ``audit`` is the
        caller's (event, detail); ``found`` adds what the write found (counts, days)."""
        if audit is not None and self._audit is not None:
            event, detail = audit
            self._audit(conn, at, operator, event, {**detail, **found}, mch_id)

    def _now(self, now: datetime | None) -> str:
        return format_time(now if now is not None else self._clock())

    # ------------------------------------------------------------------ statements

    def add(
        self,
        mch_id: str,
        deposits: Sequence[NewDeposit],
        *,
        source: str,
        file_name: str,
        operator: str,
        now: datetime | None = None,
        audit: Audit | None = None,
    ) -> AddedDeposits:
        if source not in SOURCES:
            raise ValueError(f"source: one of {SOURCES}")
        at = self._now(now)
        rows = [
            {
                "mch_id": mch_id,
                "account": d.account,
                "posted_on": d.posted_on.isoformat(),
                "amount_cents": int(d.amount_cents),
                "description": scrub(d.description),
                "ref": d.ref,
                "source": source,
                "file_name": scrub(file_name)[:255],
                "operator": operator,
                "imported_at": at,
            }
            for d in deposits
        ]
        dialect = self.engine.dialect.name
        ins: Any = (postgresql if dialect == "postgresql" else sqlite).insert(DEPOSITS)
        stmt = ins.on_conflict_do_nothing(
            index_elements=[DEPOSITS.c.mch_id, DEPOSITS.c.account, DEPOSITS.c.ref]
        ).returning(DEPOSITS.c.id)

        def write(conn: Connection) -> AddedDeposits:
            # Many rows a statement ("insertmanyvalues"); a row already there returns none.
            ids = sorted(int(r[0]) for r in conn.execute(stmt, rows)) if rows else []
            added = AddedDeposits(len(ids), len(rows) - len(ids), tuple(ids))
            self._audited(
                conn, at, operator, audit, mch_id, added=added.added, already=added.already
            )
            return added

        return transact(self.engine, write)

    # ------------------------------------------------------------------ reading

    def get(self, mch_id: str, deposit_id: int) -> Deposit | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(DEPOSITS).where(DEPOSITS.c.mch_id == mch_id, DEPOSITS.c.id == deposit_id)
            ).first()
            if row is None:
                return None
            return self._with_matches(conn, [row._mapping])[0]

    def between(self, mch_id: str, first: date, last: date) -> list[Deposit]:
        with self.engine.connect() as conn:
            return self._between(conn, mch_id, first, last)

    def matched_days(self, mch_id: str, first: date, last: date) -> list[DepositMatch]:
        with self.engine.connect() as conn:
            return self._matched_days(conn, mch_id, first, last)

    def _between(self, conn: Connection, mch_id: str, first: date, last: date) -> list[Deposit]:
        query = (
            select(DEPOSITS)
            .where(
                DEPOSITS.c.mch_id == mch_id,
                DEPOSITS.c.posted_on >= first.isoformat(),
                DEPOSITS.c.posted_on <= last.isoformat(),
            )
            .order_by(DEPOSITS.c.posted_on, DEPOSITS.c.id)
        )
        rows = [r._mapping for r in conn.execute(query)]
        return self._with_matches(conn, rows)

    def _matched_days(
        self, conn: Connection, mch_id: str, first: date, last: date
    ) -> list[DepositMatch]:
        query = (
            select(MATCHES)
            .where(
                MATCHES.c.mch_id == mch_id,
                MATCHES.c.business_day >= first.isoformat(),
                MATCHES.c.business_day <= last.isoformat(),
            )
            .order_by(MATCHES.c.business_day)
        )
        return [_match(r._mapping) for r in conn.execute(query)]

    def overview(
        self, mch_id: str, posted_first: date, posted_last: date, first_day: date, last_day: date
    ) -> tuple[list[Deposit], list[DepositMatch]]:
        """:meth:`between` and :meth:`matched_days` as of one moment (one snapshot), so a
        match made meanwhile shows on both sides or on neither."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                deposits = self._between(conn, mch_id, posted_first, posted_last)
                matches = self._matched_days(conn, mch_id, first_day, last_day)
        return deposits, matches

    def _with_matches(self, conn: Connection, rows: Sequence[Any]) -> list[Deposit]:
        ids = [int(r["id"]) for r in rows]
        found: dict[int, list[DepositMatch]] = {}
        for k in range(0, len(ids), 500):
            chunk = ids[k : k + 500]
            query = (
                select(MATCHES)
                .where(MATCHES.c.deposit_id.in_(chunk))
                .order_by(MATCHES.c.business_day)
            )
            for m in conn.execute(query):
                match = _match(m._mapping)
                found.setdefault(match.deposit_id, []).append(match)
        return [_deposit(r, tuple(found.get(int(r["id"]), ()))) for r in rows]

    # ------------------------------------------------------------------ matching

    def record_matches(
        self,
        mch_id: str,
        pairs: Sequence[tuple[int, Sequence[DailyNet]]],
        *,
        how: str,
        operator: str,
        now: datetime | None = None,
        audit: Audit | None = None,
    ) -> list[DepositMatch]:
        if how not in HOWS:
            raise ValueError(f"how: one of {HOWS}")
        at = self._now(now)

        def write(conn: Connection) -> list[DepositMatch]:
            made: list[DepositMatch] = []
            for deposit_id, days in pairs:
                if not days:
                    raise ValueError("a match needs at least one day")
                # The deposit's row, locked (PostgreSQL) so two desks cannot both match it.
                locked = conn.execute(
                    select(DEPOSITS.c.id)
                    .where(DEPOSITS.c.mch_id == mch_id, DEPOSITS.c.id == deposit_id)
                    .with_for_update()
                ).first()
                if locked is None:
                    raise DepositNotFound(deposit_id)
                if conn.execute(
                    select(MATCHES.c.id).where(MATCHES.c.deposit_id == deposit_id).limit(1)
                ).first():
                    raise DepositAlreadyMatched(deposit_id)
                for day in days:
                    values = {
                        "mch_id": mch_id,
                        "deposit_id": deposit_id,
                        "business_day": day.day.isoformat(),
                        "day_net_cents": int(day.net_cents),
                        "how": how,
                        "operator": operator,
                        "matched_at": at,
                    }
                    try:
                        row = conn.execute(
                            insert(MATCHES).values(values).returning(*MATCHES.c)
                        ).one()
                    except IntegrityError:
                        raise DayAlreadyPaid(day.day) from None
                    made.append(_match(row._mapping))
            self._audited(
                conn,
                at,
                operator,
                audit,
                mch_id,
                matches=[[m.deposit_id, m.day.isoformat(), m.day_net_cents] for m in made],
            )
            return made

        return transact(self.engine, write)

    def unmatch(
        self,
        mch_id: str,
        deposit_id: int,
        *,
        operator: str = "",
        now: datetime | None = None,
        audit: Audit | None = None,
    ) -> list[DepositMatch]:
        at = self._now(now)

        def write(conn: Connection) -> list[DepositMatch]:
            rows = conn.execute(
                delete(MATCHES)
                .where(MATCHES.c.mch_id == mch_id, MATCHES.c.deposit_id == deposit_id)
                .returning(*MATCHES.c)
            ).all()
            removed = sorted((_match(r._mapping) for r in rows), key=lambda m: m.day)
            if removed:
                self._audited(
                    conn,
                    at,
                    operator,
                    audit,
                    mch_id,
                    days=[m.day.isoformat() for m in removed],
                    how=removed[0].how,
                )
            return removed

        return transact(self.engine, write)


def _match(row: Any) -> DepositMatch:
    return DepositMatch(
        id=int(row["id"]),
        deposit_id=int(row["deposit_id"]),
        day=date.fromisoformat(row["business_day"]),
        day_net_cents=int(row["day_net_cents"]),
        how=row["how"],
        operator=row["operator"],
        matched_at=parse_time(row["matched_at"]),
    )


def _deposit(row: Any, matches: tuple[DepositMatch, ...]) -> Deposit:
    return Deposit(
        id=int(row["id"]),
        mch_id=row["mch_id"],
        account=row["account"],
        posted_on=date.fromisoformat(row["posted_on"]),
        amount_cents=int(row["amount_cents"]),
        description=row["description"],
        ref=row["ref"],
        source=row["source"],
        file_name=row["file_name"],
        operator=row["operator"],
        imported_at=parse_time(row["imported_at"]),
        matches=matches,
    )

"""The books: every IOTPay order the merchant's desks know of, one row each (the ledger's
``orders`` table, revision 0003), and the lists a bookkeeper reads them in.

IOTPay V3 has no call that lists orders, so the books are what the desks saw: the orders
they made (an action's answer), the orders looked up, the notifications the receiver
recorded, and orders imported from a file. Each source hands IOTPay's order to
:meth:`Books.record`; a second sighting of one order updates its row (one row per
``mch_id`` and ``payOrderId``, enforced by a UNIQUE constraint, written with the
database's own upsert).

What a later sighting may change, and what it may not:

- IOTPay's status and the amount already refunded follow IOTPay's latest confirmed
  answer (``cc_query``, ``confirmed=True``); a notification only moves the status on
  (2 → 3), never back, and never says what was refunded.
- Facts IOTPay only gives sometimes (the card, ``paySuccTime``, the merchant's order
  number) are filled in when first known and then kept.
- Who made an order, at which desk and why (operator, desk, reason, note, customer,
  card on file, subject) is the first that was recorded: only the desk that made it
  knows, and that never changes.
- A refund that a desk's action says was a void becomes a void (IOTPay's order calls
  both ``refund``).

Lists are newest first and read by keyset (the time and id of the last row of a page),
each filter through its own index, so a page is an index range, never a sort or a scan,
however many orders the books hold. Plain Python: nothing here imports Qt.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    table,
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from iotpay_desk.api.models import Order
from iotpay_desk.journal import store as _journal
from iotpay_desk.journal.books import (
    BOOK_KINDS,
    BOOK_SOURCES,
    SEARCH_MIN,
    BookEntry,
    BookKey,
    BooksFilter,
    FilterProblem,
)
from iotpay_desk.journal.models import format_time, parse_time
from iotpay_desk.journal.scrub import scrub

from .groupcommit import transact
from .schema import BOOKS_FTS, metadata
from .statement import Statement

__all__ = [
    "BOOK_KINDS",
    "BOOK_SOURCES",
    "BookEntry",
    "BookKey",
    "Books",
    "BooksFilter",
    "FilterProblem",
    "common_text",
    "paid_at_utc",
    "where_of",
]

ORDERS = metadata.tables["orders"]

# paySuccTime is America/Toronto local time (the API's rule), "yyyy-MM-dd HH:mm:ss".
TORONTO = ZoneInfo("America/Toronto")
_PAID_AT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_LAST4 = re.compile(r"[0-9]{4}")


def paid_at_utc(pay_succ_time: str) -> datetime | None:
    """IOTPay's ``paySuccTime`` (Toronto time) as an aware UTC time; None if it is empty
    or not a time. An hour that happens twice (the autumn change) is read as the first."""
    text = pay_succ_time.strip()
    if not _PAID_AT.fullmatch(text):
        return None
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=TORONTO)
    except ValueError:
        return None
    return local.astimezone(UTC)


def _last4(card_num: str) -> str:
    tail = card_num[-4:]
    return tail if _LAST4.fullmatch(tail) else ""


def where_of(
    flt: BooksFilter, mch_id: str, dialect: str = "sqlite", *, common: bool = False
) -> list[ColumnElement[bool]]:
    """``flt`` as conditions on ``orders`` (after its ``check()``), for ``dialect``
    (free text goes through each database's own index). ``common``: the free text is
    in many orders (SQLite: then the list is read in time order and each row's search
    text checked, instead of the text's matches gathered from the full-text index and
    sorted)."""
    c = ORDERS.c
    out: list[ColumnElement[bool]] = [c.mch_id == mch_id]
    if flt.since is not None:
        out.append(c.at >= format_time(flt.since))
    if flt.until is not None:
        out.append(c.at < format_time(flt.until))
    if flt.statuses:
        out.append(c.status.in_(sorted(flt.statuses)))
    if flt.kinds:
        out.append(c.kind.in_(sorted(flt.kinds)))
    if flt.amount_min is not None and flt.amount_min == flt.amount_max:
        out.append(c.amount_cents == flt.amount_min)  # one amount: read in time order
    else:
        if flt.amount_min is not None:
            out.append(c.amount_cents >= flt.amount_min)
        if flt.amount_max is not None:
            out.append(c.amount_cents <= flt.amount_max)
    if flt.last4:
        out.append(c.card_last4 == flt.last4)
    if flt.operator:
        out.append(c.operator == flt.operator)
    if flt.desk:
        out.append(c.desk == flt.desk)
    text = flt.text.strip()
    if len(text) >= SEARCH_MIN:
        # The search column holds the merchant's order number, the customer and card
        # and the texts: a whole one is a part of it, found through the one index.
        # IOTPay's own ids (28 characters each, the costliest to index by trigrams) are
        # matched whole, through their own indexes.
        out.append(_contains(text, dialect, mch_id, common=common))
    elif text:
        out.append(
            or_(
                c.pay_order_id == text,
                c.mch_order_no == text,
                c.original_order_id == text,
                c.customer == text,
                c.card_id == text,
            )
        )
    return out


COMMON_MATCHES = 2_000
"""Free text in more orders than this is "common" (SQLite: see :meth:`BooksFilter.where`);
below it, reading its matches and sorting them is quicker than scanning the list."""


def _fts_matches(text: str) -> Select[Any]:
    """The ids of the orders whose search text holds ``text`` (SQLite's FTS5 index)."""
    phrase = '"' + text.replace('"', '""') + '"'  # one FTS5 string, taken as it is
    return (
        select(literal_column("rowid"))
        .select_from(table(BOOKS_FTS))
        .where(literal_column(BOOKS_FTS).op("MATCH")(bindparam("search_phrase", phrase)))
    )


def common_text(conn: Connection, text: str) -> bool:
    """Free text in more than :data:`COMMON_MATCHES` orders of a SQLite ledger (of any
    merchant): see :meth:`BooksFilter.where`."""
    if len(text) < SEARCH_MIN:
        return False
    probe = _fts_matches(text).limit(COMMON_MATCHES + 1).subquery()
    found = conn.execute(select(func.count()).select_from(probe)).scalar_one()
    return bool(found > COMMON_MATCHES)


def _contains(text: str, dialect: str, mch_id: str, *, common: bool = False) -> ColumnElement[bool]:
    """``orders.search`` holds ``text`` (any case), or ``text`` is the whole IOTPay id of
    the order or of the payment it returned: through the database's indexes."""
    c = ORDERS.c
    pattern = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    anywhere = or_(
        c.search.like(f"%{pattern}%", escape="\\"),
        c.pay_order_id == text,
        c.original_order_id == text,
    )
    if dialect != "sqlite" or common:
        # PostgreSQL: its planner picks the trigram index or the list's own by its
        # statistics. SQLite, text in many orders: the list is read in time order and
        # each row's search text checked, which finds a page after a few hundred rows
        # (the full-text index would first gather every match).
        return anywhere
    whole = select(c.id).where(
        c.mch_id == mch_id, or_(c.pay_order_id == text, c.original_order_id == text)
    )
    # Rare text: its matches (one set of ids: SQLite reads an OR of a subquery and
    # columns by scanning), then sorted.
    return c.id.in_(union_all(_fts_matches(text), whole))


def _entry(row: Row[Any]) -> BookEntry:
    return _entry_from(row._mapping)


def _entry_from(m: Any) -> BookEntry:
    confirmed = m["confirmed_at"]
    return BookEntry(
        id=m["id"],
        mch_id=m["mch_id"],
        pay_order_id=m["pay_order_id"],
        mch_order_no=m["mch_order_no"],
        kind=m["kind"],
        original_order_id=m["original_order_id"],
        amount_cents=m["amount_cents"],
        refunded_cents=m["refunded_cents"],
        currency=m["currency"],
        status=m["status"],
        card_brand=m["card_brand"],
        card_last4=m["card_last4"],
        card_id=m["card_id"],
        customer=m["customer"],
        subject=m["subject"],
        operator=m["operator"],
        desk=m["desk"],
        reason=m["reason"],
        note=m["note"],
        at=parse_time(m["at"]),
        paid_at=m["paid_at"],
        first_seen_at=parse_time(m["first_seen_at"]),
        updated_at=parse_time(m["updated_at"]),
        confirmed_at=parse_time(confirmed) if confirmed else None,
        source=m["source"],
    )


class Books:
    """The books of the merchants in one ledger (``engine``, at head)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _journal._utcnow) -> None:
        self.engine = engine
        self._clock = clock
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"the books are on SQLite or PostgreSQL, not {dialect}")

    # ------------------------------------------------------------------ writing

    def record(
        self,
        order: Order,
        *,
        source: str,
        confirmed: bool,
        kind: str | None = None,
        operator: str = "",
        desk: str = "",
        reason: str = "",
        note: str = "",
        card_id: str = "",
        customer: str = "",
        subject: str = "",
        now: datetime | None = None,
    ) -> BookEntry:
        """Put IOTPay's ``order`` in the books, or update its row (module docstring).

        ``confirmed``: the order comes from IOTPay's answer to a call (``cc_query`` or the
        call that made it), not a notification. ``kind``: what the desk's action was
        (``void``), when known; otherwise IOTPay's payType decides."""
        return transact(
            self.engine,
            lambda conn: self.record_in(
                conn,
                order,
                source=source,
                confirmed=confirmed,
                kind=kind,
                operator=operator,
                desk=desk,
                reason=reason,
                note=note,
                card_id=card_id,
                customer=customer,
                subject=subject,
                now=now,
            ),
        )

    def record_in(
        self,
        conn: Connection,
        order: Order,
        *,
        source: str,
        confirmed: bool,
        kind: str | None = None,
        operator: str = "",
        desk: str = "",
        reason: str = "",
        note: str = "",
        card_id: str = "",
        customer: str = "",
        subject: str = "",
        now: datetime | None = None,
    ) -> BookEntry:
        """:meth:`record` inside a write transaction the caller holds."""
        values = self.order_values(order, source=source, confirmed=confirmed, kind=kind, now=now)
        if not order.mch_id:
            raise ValueError("an order in the books needs its payOrderId and mchId")
        values.update(
            operator=operator,
            desk=desk,
            reason=scrub(reason),
            note=scrub(note),
            card_id=card_id,
            customer=scrub(customer),
            subject=scrub(subject),
        )
        return _entry_of(self.upsert(conn, values))

    def order_values(
        self,
        order: Order,
        *,
        source: str,
        confirmed: bool,
        kind: str | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """The row :meth:`upsert` writes for IOTPay's ``order``, with no one's name on it
        yet (operator, desk, reason, note, card, customer and subject empty; the caller
        sets them). Worked out before a transaction, so a batch holding the ledger's
        writes waits for none of it."""
        if source not in BOOK_SOURCES:
            raise ValueError(f"source: one of {', '.join(BOOK_SOURCES)}")
        if not order.pay_order_id:
            raise ValueError("an order in the books needs its payOrderId and mchId")
        is_refund = order.pay_type == "refund"
        kind = kind or ("refund" if is_refund else "payment")
        if kind not in BOOK_KINDS:
            raise ValueError(f"kind: one of {', '.join(BOOK_KINDS)}")
        if kind == "payment" and is_refund:
            raise ValueError("kind: IOTPay's order is a refund or void, not a payment")
        at_text = format_time(now or self._clock())
        paid = paid_at_utc(order.pay_succ_time)
        status = int(order.status)
        refunded = 0
        if confirmed and kind == "payment" and status in (2, 3):
            refunded = min(order.amount, max(0, order.amount - order.refundable))
        return {
            "mch_id": order.mch_id,
            "pay_order_id": order.pay_order_id,
            "mch_order_no": order.mch_order_no,
            "kind": kind,
            "original_order_id": order.original_order_id,
            "amount_cents": max(0, order.amount),
            "refunded_cents": refunded,
            "currency": order.currency or "CAD",
            "status": status,
            "card_brand": order.card_type,
            "card_last4": _last4(order.card_num),
            "card_id": "",
            "customer": "",
            "subject": "",
            "operator": "",
            "desk": "",
            "reason": "",
            "note": "",
            "at": format_time(paid) if paid else at_text,
            "paid_at": order.pay_succ_time if paid else "",
            "first_seen_at": at_text,
            "updated_at": at_text,
            "confirmed_at": at_text if confirmed else None,
            "source": source,
        }

    @staticmethod
    def upsert(conn: Connection, values: dict[str, Any]) -> tuple[Any, ...]:
        """Write ``values`` (:meth:`order_values`, names set) by the books' rules, in the
        caller's transaction; the row as it now is."""
        return _UPSERT[conn.dialect.name].one(conn, values)

    # ------------------------------------------------------------------ reading

    def get(self, mch_id: str, pay_order_id: str) -> BookEntry | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ORDERS).where(
                    ORDERS.c.mch_id == mch_id, ORDERS.c.pay_order_id == pay_order_id
                )
            ).first()
        return _entry(row) if row is not None else None

    def page(
        self,
        mch_id: str,
        flt: BooksFilter | None = None,
        *,
        limit: int = 100,
        after: BookKey | None = None,
        through: BookKey | None = None,
    ) -> list[BookEntry]:
        """Up to ``limit`` orders matching ``flt``, newest first, after ``after`` (the
        :attr:`BookEntry.key` of the last row of the previous page) and, with
        ``through``, down to that key (included): a page read again between the keys it
        had, with whatever came into the books between them since."""
        flt = flt or BooksFilter()
        flt.check()
        if not 1 <= limit <= 10_000:
            raise FilterProblem("limit", "from 1 to 10,000 rows")
        dialect = self.engine.dialect.name
        with self.engine.connect() as conn:
            common = dialect == "sqlite" and common_text(conn, flt.text.strip())
            where = where_of(flt, mch_id, dialect, common=common)
            if after is not None:
                where.append(tuple_(ORDERS.c.at, ORDERS.c.id) < tuple_(after.at, after.id))
            if through is not None:
                where.append(tuple_(ORDERS.c.at, ORDERS.c.id) >= tuple_(through.at, through.id))
            query = (
                select(ORDERS)
                .where(*where)
                .order_by(ORDERS.c.at.desc(), ORDERS.c.id.desc())
                .limit(limit)
            )
            return [_entry(r) for r in conn.execute(query)]

    def count(self, mch_id: str, flt: BooksFilter | None = None) -> int:
        """How many orders ``flt`` shows (an export's progress: its total)."""
        flt = flt or BooksFilter()
        flt.check()
        dialect = self.engine.dialect.name
        with self.engine.connect() as conn:
            common = dialect == "sqlite" and common_text(conn, flt.text.strip())
            where = where_of(flt, mch_id, dialect, common=common)
            return int(conn.execute(select(func.count()).where(*where)).scalar_one())

    def raw_pages(
        self,
        mch_id: str,
        flt: BooksFilter,
        columns: Sequence[str | ColumnElement[Any]],
        *,
        batch: int = 10_000,
        readers: int = 1,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The orders ``flt`` shows, newest first, as plain tuples ``(at, id, *columns)``
        (the database driver's own rows: no row objects, no entries), ``batch`` at a time.
        A column is a column's name or an expression over ``orders`` (worked out by the
        database).

        The bulk read of an export: one statement compiled once and run per page by keyset
        (the time and id of the last row read), each page its own short read, so a long
        export never holds a read transaction open (on SQLite that would keep the WAL from
        being folded back) and a million rows never sit in memory. ``readers`` above 1:
        that many pages read at once (see :meth:`_pages_in_parallel`)."""
        flt.check()
        if not 1 <= batch <= 100_000:
            raise FilterProblem("batch", "from 1 to 100,000 rows")
        dialect = self.engine.dialect.name
        wanted = [
            ORDERS.c.at,
            ORDERS.c.id,
            *(ORDERS.c[c] if isinstance(c, str) else c for c in columns),
        ]
        order = (ORDERS.c.at.desc(), ORDERS.c.id.desc())
        with self.engine.connect() as conn:
            common = dialect == "sqlite" and common_text(conn, flt.text.strip())
        where = where_of(flt, mch_id, dialect, common=common)
        first = select(*wanted).where(*where).order_by(*order).limit(batch)
        keyset = tuple_(ORDERS.c.at, ORDERS.c.id) < tuple_(
            bindparam("after_at"), bindparam("after_id")
        )
        following = select(*wanted).where(*where, keyset).order_by(*order).limit(batch)
        if readers > 1:
            yield from self._pages_in_parallel(where, wanted, batch, readers)
            return
        after: dict[str, Any] | None = None
        while True:
            query, params = (first, {}) if after is None else (following, after)
            page = self._read(query, params)
            if page:
                yield page
            if len(page) < batch:
                return
            after = {"after_at": page[-1][0], "after_id": page[-1][1]}

    def _read(self, query: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """One short read; the driver's cursor's rows as they are (plain tuples, in C)."""
        with self.engine.connect() as conn:
            result = conn.execute(query, params)
            try:
                return list(result.cursor.fetchall())
            finally:
                result.close()

    def _pages_in_parallel(
        self, where: list[Any], wanted: list[Any], batch: int, readers: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        """:meth:`raw_pages` with ``readers`` pages read at once, in order: first the
        pages' bounds, walked along the index (only the time and id of every
        ``batch``-th row: no table row read), then each page between its bounds,
        whatever was written meanwhile (every row in the range once)."""
        key = tuple_(ORDERS.c.at, ORDERS.c.id)
        order = (ORDERS.c.at.desc(), ORDERS.c.id.desc())
        below = key < tuple_(bindparam("lo_at"), bindparam("lo_id"))
        from_ = key >= tuple_(bindparam("hi_at"), bindparam("hi_id"))
        bound = select(ORDERS.c.at, ORDERS.c.id).order_by(*order).limit(1).offset(batch - 1)
        bounds = {False: bound.where(*where), True: bound.where(*where, below)}
        ranges = {
            (lo, hi): select(*wanted)
            .where(*where, *([below] if lo else []), *([from_] if hi else []))
            .order_by(*order)
            for lo in (False, True)
            for hi in (False, True)
        }

        def read(lo: tuple[Any, Any] | None, hi: tuple[Any, Any] | None) -> list[tuple[Any, ...]]:
            params: dict[str, Any] = {}
            if lo is not None:
                params.update(lo_at=lo[0], lo_id=lo[1])
            if hi is not None:
                params.update(hi_at=hi[0], hi_id=hi[1])
            return self._read(ranges[lo is not None, hi is not None], params)

        with ThreadPoolExecutor(readers, thread_name_prefix="books-read") as pool:
            pending: deque[Future[list[tuple[Any, ...]]]] = deque()
            try:
                lo: tuple[Any, Any] | None = None
                while True:
                    params = {} if lo is None else {"lo_at": lo[0], "lo_id": lo[1]}
                    with self.engine.connect() as conn:
                        row = conn.execute(bounds[lo is not None], params).first()
                    hi = (row[0], row[1]) if row is not None else None
                    pending.append(pool.submit(read, lo, hi))
                    while len(pending) > readers:
                        page = pending.popleft().result()
                        if page:
                            yield page
                    if hi is None:
                        break
                    lo = hi
                while pending:
                    page = pending.popleft().result()
                    if page:
                        yield page
            finally:
                for future in pending:
                    future.cancel()

    def export(
        self,
        mch_id: str,
        flt: BooksFilter,
        path: Path,
        *,
        xlsx: bool = False,
        options: Mapping[str, Any] | None = None,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int | None:
        """The orders ``flt`` shows written to ``path`` (CSV, or XLSX): the rows written,
        or None when ``cancelled()`` stopped it (no file left under that name, an older
        one untouched). ``options``: :class:`.export.ExportOptions`' fields by name."""
        from .export import ExportCancelled, ExportOptions, export_csv, export_xlsx

        write = export_xlsx if xlsx else export_csv
        try:
            return write(
                self,
                mch_id,
                flt,
                path,
                ExportOptions(**(options or {})),
                progress=progress,
                cancelled=cancelled,
            )
        except ExportCancelled:
            return None

    def rows_by_id(self, ids: Sequence[int], columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """``(id, *columns)`` of the orders ``ids`` (an export's second look at a few)."""
        wanted = [ORDERS.c.id, *(ORDERS.c[c] for c in columns)]
        out: list[tuple[Any, ...]] = []
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                query = select(*wanted).where(ORDERS.c.id.in_(chunk))
                out.extend(tuple(r) for r in conn.execute(query))
        return out

    def iterate(
        self, mch_id: str, flt: BooksFilter | None = None, *, batch: int = 1000
    ) -> Iterable[BookEntry]:
        """Every order matching ``flt``, newest first, read a page at a time (never all
        rows at once)."""
        after: BookKey | None = None
        while True:
            rows = self.page(mch_id, flt, limit=batch, after=after)
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1].key


_FIRST_KEPT = ("operator", "desk", "reason", "note", "card_id", "customer", "subject")
_WRITTEN = (
    "mch_id", "pay_order_id", "mch_order_no", "kind", "original_order_id", "amount_cents",
    "refunded_cents", "currency", "status", "card_brand", "card_last4", "card_id", "customer",
    "subject", "operator", "desk", "reason", "note", "at", "paid_at", "first_seen_at",
    "updated_at", "confirmed_at", "source",
)  # fmt: skip


def _upsert(make: Any) -> Statement:
    """The books' upsert (the rules of the module docstring), with the row's values as
    parameters: built and compiled once, run for every order booked."""
    insert = make(ORDERS).values({name: bindparam(name) for name in _WRITTEN})
    old, new = ORDERS.c, insert.excluded

    def given(name: str) -> Any:  # IOTPay's fact, once known, kept
        return _case([(new[name] != "", new[name])], old[name])

    def first(name: str) -> Any:  # who and why: the first that was recorded
        return _case([(old[name] != "", old[name])], new[name])

    stmt = insert.on_conflict_do_update(
        index_elements=[old.mch_id, old.pay_order_id],
        set_={
            "status": _case(
                [
                    (new.confirmed_at.is_not(None), new.status),
                    (new.status > old.status, new.status),
                ],
                old.status,
            ),
            "refunded_cents": _case(
                [(new.confirmed_at.is_not(None), new.refunded_cents)], old.refunded_cents
            ),
            "kind": _case([(new.kind == "void", new.kind)], old.kind),
            "mch_order_no": given("mch_order_no"),
            "original_order_id": given("original_order_id"),
            "card_brand": given("card_brand"),
            "card_last4": given("card_last4"),
            "at": _case([(and_(old.paid_at == "", new.paid_at != ""), new.at)], old.at),
            "paid_at": given("paid_at"),
            **{n: first(n) for n in _FIRST_KEPT},
            "confirmed_at": _case(
                [(new.confirmed_at.is_not(None), new.confirmed_at)], old.confirmed_at
            ),
            "updated_at": new.updated_at,
        },
    ).returning(*ORDERS.c)
    return Statement(stmt, _WRITTEN)


def _case(whens: list[tuple[Any, Any]], otherwise: Any) -> Any:
    return case(*whens, else_=otherwise)


_UPSERT = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}
_ORDER_KEYS = tuple(ORDERS.c.keys())


def _entry_of(row: tuple[Any, ...]) -> BookEntry:
    """A book entry from a statement's row of every ``orders`` column."""
    return _entry_from(dict(zip(_ORDER_KEYS, row, strict=True)))

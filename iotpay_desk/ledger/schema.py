"""The ledger's tables in SQLAlchemy Core, for SQLite and PostgreSQL alike.

:func:`v6_metadata` is the journal's schema at version 6 (``iotpay_desk.journal.schema``)
table for table: the same columns in the same order, CHECKs, UNIQUEs, (partial) indexes
and triggers. On SQLite the triggers are the journal's own statements, taken from its
migrations, so a file made here and one made by :class:`~iotpay_desk.journal.Journal`
hold the same schema. On PostgreSQL each trigger is a PL/pgSQL function with the same
rule and an ``integrity_constraint_violation`` (SQLSTATE 23000) error carrying the same
message, so both backends raise :class:`sqlalchemy.exc.IntegrityError`.

The Alembic revision ``0001`` builds its tables from :func:`v6_metadata`: never change
that function. A later schema is a new revision; :data:`metadata` (what queries use)
then moves on with it.

Times stay ISO-8601 text (``journal.models.format_time``) on both backends, as in the
journal: one set of queries, and a stamped journal file needs no rewrite.
"""

from __future__ import annotations

from string import ascii_lowercase, ascii_uppercase
from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Column,
    ColumnElement,
    Computed,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnClause
from sqlalchemy.types import Boolean

from iotpay_desk.journal.books import BOOK_KINDS, BOOK_SOURCES
from iotpay_desk.journal.schema import MIGRATIONS, _card_run_sql

__all__ = [
    "CARD_RUN_FUNCTION",
    "LEDGER_CHANNEL",
    "NAMING_CONVENTION",
    "NOTIFYING_TABLES",
    "metadata",
    "v6_metadata",
]

# Names for constraints PostgreSQL would otherwise make up, so later revisions can
# name what they alter. (On a stamped journal file the CHECKs and UNIQUEs are unnamed.)
NAMING_CONVENTION = {
    "ix": "%(table_name)s_%(column_0_N_name)s_ix",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}

# Ids and cents: 64-bit on PostgreSQL; plain INTEGER on SQLite, where only
# ``INTEGER PRIMARY KEY`` is the rowid (and every INTEGER is 64-bit anyway).
_BIGINT = BigInteger().with_variant(Integer(), "sqlite")

# Thirteen digits, as in the journal's versions 3 and 6 (and api.rules.CARD_RUN_DIGITS
# today): part of the shipped schema, so written out rather than imported.
CARD_RUN_DIGITS = 13

# PostgreSQL's twin of the journal's v6 rule (``journal.schema._card_run_sql`` and
# ``api.rules.has_card_run``): each space, then each dash, that follows a digit is
# dropped, then CARD_RUN_DIGITS digits in a row that do not follow a letter or a digit.
CARD_RUN_FUNCTION = "ledger_has_card_run"
_PG_CARD_RUN_FUNCTION = rf"""
CREATE FUNCTION {CARD_RUN_FUNCTION}(value text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
    SELECT ('.' || regexp_replace(regexp_replace(value, '([0-9]) ', '\1', 'g'),
                                  '([0-9])-', '\1', 'g'))
           ~ '[^0-9A-Za-z][0-9]{{{CARD_RUN_DIGITS}}}'
$fn$
"""


class _NoLongDigitRun(ColumnElement[bool]):
    """True when a column holds no run of CARD_RUN_DIGITS digits (the v3 vault rule)."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, name: str) -> None:
        self.column: ColumnClause[Any] = literal_column(name)


@compiles(_NoLongDigitRun, "sqlite")
def _no_run_sqlite(element: _NoLongDigitRun, compiler: SQLCompiler, **kw: Any) -> str:
    glob = "*" + "[0-9]" * CARD_RUN_DIGITS + "*"
    return f"{compiler.process(element.column, **kw)} NOT GLOB '{glob}'"


@compiles(_NoLongDigitRun, "postgresql")
def _no_run_postgresql(element: _NoLongDigitRun, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} !~ '[0-9]{{{CARD_RUN_DIGITS}}}'"


class _NoCardRun(ColumnElement[bool]):
    """True when a column holds no card-like digit run by the journal's v6 rule
    (``api.rules.has_card_run``: ids, whose digits follow a letter, pass), as the
    actions' texts are checked; usable in a CHECK on both backends."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, name: str) -> None:
        self.column: ColumnClause[Any] = literal_column(name)


@compiles(_NoCardRun, "sqlite")
def _no_card_sqlite(element: _NoCardRun, compiler: SQLCompiler, **kw: Any) -> str:
    return f"NOT {_card_run_sql(compiler.process(element.column, **kw))}"


@compiles(_NoCardRun, "postgresql")
def _no_card_postgresql(element: _NoCardRun, compiler: SQLCompiler, **kw: Any) -> str:
    return f"NOT {CARD_RUN_FUNCTION}({compiler.process(element.column, **kw)})"


def _no_card(name: str) -> CheckConstraint:
    return CheckConstraint(_NoCardRun(name), name=f"{name}_no_card")


def _no_pan(name: str) -> CheckConstraint:
    return CheckConstraint(_NoLongDigitRun(name), name=f"{name}_no_pan")


def _text(name: str, *args: Any, default: str | None = "", **kw: Any) -> Column[str]:
    """A ``TEXT NOT NULL DEFAULT ''`` column (``default=None``: no default)."""
    if default is not None:
        kw["server_default"] = text(f"'{default}'")
    return Column(name, Text, *args, nullable=False, **kw)


# A primary key is never NULL anyway; on SQLite the journal's ``INTEGER PRIMARY KEY``
# has no NOT NULL written (on PostgreSQL PRIMARY KEY implies it).
_ID: dict[str, Any] = {"primary_key": True, "nullable": True}

_OPEN = "state IN ('intent', 'checking')"  # OPEN_STATES, as partial indexes hold it

# --------------------------------------------------------------------------- triggers

_SQLITE_TRIGGERS: dict[str, list[str]] = {}
for _statements in MIGRATIONS:
    for _sql in _statements:
        _words = _sql.split()
        if _words[:2] == ["CREATE", "TRIGGER"]:
            _SQLITE_TRIGGERS.setdefault(_words[_words.index("ON") + 1], []).append(_sql)


def _pg_trigger(table: str, name: str, when: str, condition: str, message: str) -> list[str]:
    """A PL/pgSQL row trigger raising ``message`` when ``condition`` holds."""
    body = f"IF {condition} THEN RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = "
    body += f"'{message}'; END IF;"
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN {body} "
        "RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END $fn$",
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def _pg_never_deleted(table: str, message: str) -> list[str]:
    # TRUNCATE skips row triggers: refuse it too.
    return [
        *_pg_trigger(table, f"{table}_no_delete", "DELETE", "TRUE", message),
        f"CREATE FUNCTION {table}_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
        f"BEGIN RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{message}'; END $fn$",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_no_truncate()",
    ]


def _pg_no_card(table: str, columns: tuple[str, ...]) -> list[str]:
    message = f"a card number is never stored in {table}"
    on_insert = " OR ".join(f"{CARD_RUN_FUNCTION}(NEW.{c})" for c in columns)
    on_update = " OR ".join(
        f"(NEW.{c} IS DISTINCT FROM OLD.{c} AND {CARD_RUN_FUNCTION}(NEW.{c}))" for c in columns
    )
    return [
        *_pg_trigger(table, f"{table}_no_card_insert", "INSERT", on_insert, message),
        *_pg_trigger(
            table,
            f"{table}_no_card_update",
            f"UPDATE OF {', '.join(columns)}",
            on_update,
            message,
        ),
    ]


_FIXED = ("kind", "mch_id", "mch_no", "amount_cents", "target_pay_order_id", "operator")
_PG_TRIGGERS: dict[str, list[str]] = {
    "actions": [
        *_pg_never_deleted("actions", "journal actions are never deleted"),
        *_pg_trigger(
            "actions",
            "actions_fixed_fields",
            "UPDATE",
            " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in (*_FIXED, "created_at")),
            "what an action asked for never changes",
        ),
        *_pg_trigger(
            "actions",
            "actions_final_is_final",
            "UPDATE OF state",
            "OLD.state IN ('succeeded', 'failed', 'declined') "
            "AND NEW.state IS DISTINCT FROM OLD.state",
            "a final action keeps its state",
        ),
        *_pg_no_card("actions", ("reason", "note", "subject", "ret_msg")),
    ],
    "audit": [
        *_pg_trigger(
            "audit", "audit_no_update", "UPDATE", "TRUE", "the audit trail is append-only"
        ),
        *_pg_never_deleted("audit", "the audit trail is append-only"),
    ],
    "lookups": _pg_no_card("lookups", ("query",)),
    "vault_cards": _pg_never_deleted(
        "vault_cards", "vault cards are removed by marking them, never deleted"
    ),
    "card_pages": _pg_never_deleted(
        "card_pages", "card pages are ended by marking them, never deleted"
    ),
    "notifications": [
        *_pg_never_deleted("notifications", "notifications are kept, never deleted"),
        *_pg_no_card("notifications", ("pay_order_id", "mch_order_no", "pay_type")),
    ],
}


def _ddl(sql: str, dialect: str) -> DDL:
    """``sql`` run on ``dialect`` only (no ``%`` in it: DDL formats the statement)."""
    return DDL(sql).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]


def _attach_triggers(table: Table) -> None:
    for sql in _SQLITE_TRIGGERS.get(table.name, []):
        event.listen(table, "after_create", _ddl(sql, "sqlite"))
    for sql in _PG_TRIGGERS.get(table.name, []):
        event.listen(table, "after_create", _ddl(sql, "postgresql"))


# ----------------------------------------------------------------------------- tables


def v6_metadata() -> MetaData:
    """A new :class:`MetaData` with the journal's schema at version 6. Frozen: see above."""
    md = MetaData(naming_convention=NAMING_CONVENTION)
    # The shared PostgreSQL rule comes first (the triggers call it).
    event.listen(md, "before_create", _ddl(_PG_CARD_RUN_FUNCTION, "postgresql"))

    actions = Table(
        "actions",
        md,
        Column("id", _BIGINT, **_ID),
        _text("kind", default=None),
        _text("mch_id", default=None),
        Column("target_pay_order_id", Text),
        _text("mch_no", default=None),
        Column("amount_cents", _BIGINT),
        _text("currency", default="CAD"),
        _text("operator", default=None),
        _text("reason"),
        _text("note"),
        _text("state", default=None),
        Column("pay_order_id", Text),
        Column("status", Integer),
        _text("ret_msg"),
        _text("card_num"),
        _text("card_type"),
        _text("auth_num"),
        _text("trans_num"),
        _text("pay_succ_time"),
        _text("created_at", default=None),
        _text("updated_at", default=None),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        # Version 2 added these three at the end; they stay there.
        Column("card_id", Text),
        Column("mch_user_id", Text),
        _text("subject"),
        CheckConstraint(
            "kind IN ('refund', 'void', 'charge_token', 'charge_wallet', 'purchase_link')",
            name="kind",
        ),
        CheckConstraint("amount_cents IS NULL OR amount_cents > 0", name="amount_cents"),
        CheckConstraint(
            "state IN ('intent', 'checking', 'succeeded', 'failed', 'declined', 'not_received')",
            name="state",
        ),
        UniqueConstraint("mch_id", "mch_no"),
        sqlite_autoincrement=True,
    )
    Index("actions_target", actions.c.mch_id, actions.c.target_pay_order_id)
    Index("actions_open", actions.c.state, sqlite_where=text(_OPEN), postgresql_where=text(_OPEN))
    # The database itself refuses a second unresolved action on one payment.
    one_open = f"{_OPEN} AND target_pay_order_id IS NOT NULL"
    Index(
        "actions_one_open_per_target",
        actions.c.mch_id,
        actions.c.target_pay_order_id,
        unique=True,
        sqlite_where=text(one_open),
        postgresql_where=text(one_open),
    )
    has_card = "card_id IS NOT NULL"
    Index(
        "actions_card",
        actions.c.mch_id,
        actions.c.card_id,
        actions.c.created_at,
        sqlite_where=text(has_card),
        postgresql_where=text(has_card),
    )

    audit = Table(
        "audit",
        md,
        Column("id", _BIGINT, **_ID),
        _text("at", default=None),
        _text("operator", default=None),
        Column("action_id", _BIGINT, ForeignKey("actions.id")),
        _text("event", default=None),
        _text("detail", default="{}"),
        sqlite_autoincrement=True,
    )
    Index("audit_action", audit.c.action_id)

    lookups = Table(
        "lookups",
        md,
        Column("id", _BIGINT, **_ID),
        _text("at", default=None),
        _text("mch_id", default=None),
        _text("query", default=None),
        _text("pay_order_id", default=None),
        _text("mch_order_no"),
        sqlite_autoincrement=True,
    )
    Index("lookups_recent", lookups.c.mch_id, lookups.c.id)
    Index("lookups_order", lookups.c.mch_id, lookups.c.pay_order_id)

    vault_cards = Table(
        "vault_cards",
        md,
        Column("id", _BIGINT, **_ID),
        _text("mch_id", default=None),
        _text("card_id", default=None),
        _text("customer_label"),
        _text("card_num"),
        _text("brand"),
        _text("expiry_date"),
        _text("holder"),
        _text("via", default=None),
        _text("added_by", default=None),
        _text("added_at", default=None),
        Column("refreshed_at", Text),
        Column("removed_by", Text),
        Column("removed_at", Text),
        _text("search_text"),
        _no_pan("customer_label"),
        _no_pan("card_num"),
        _no_pan("holder"),
        CheckConstraint("via IN ('hosted', 'direct', 'imported')", name="via"),
        UniqueConstraint("mch_id", "card_id"),
        sqlite_autoincrement=True,
    )
    Index("vault_cards_live", vault_cards.c.mch_id, vault_cards.c.removed_at)

    card_pages = Table(
        "card_pages",
        md,
        Column("id", _BIGINT, **_ID),
        _text("mch_id", default=None),
        _text("session_id", default=None, unique=True),
        _text("card_id", default=None),
        _text("customer_label"),
        _text("started_by", default=None),
        _text("started_at", default=None),
        Column("closed_at", Text),
        Column("outcome", Text),
        Column("ended_at", Text),
        _no_pan("customer_label"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('added', 'not_added', 'cancelled')", name="outcome"
        ),
        sqlite_autoincrement=True,
    )
    is_open = "outcome IS NULL"
    Index(
        "card_pages_open",
        card_pages.c.mch_id,
        card_pages.c.id,
        sqlite_where=text(is_open),
        postgresql_where=text(is_open),
    )

    notifications = Table(
        "notifications",
        md,
        Column("id", _BIGINT, **_ID),
        _text("mch_id", default=None),
        _text("pay_order_id", default=None),
        _text("mch_order_no"),
        _text("pay_type", default="pay"),
        Column("status", Integer, nullable=False),
        Column("amount_cents", _BIGINT, nullable=False),
        _text("card_num"),
        _text("first_at", default=None),
        _text("last_at", default=None),
        Column("times", Integer, nullable=False, server_default=text("1")),
        _no_pan("card_num"),
        CheckConstraint("times >= 1", name="times"),
        UniqueConstraint("mch_id", "pay_order_id", "status"),
        sqlite_autoincrement=True,
    )
    Index("notifications_recent", notifications.c.mch_id, notifications.c.id)

    for table in md.tables.values():
        _attach_triggers(table)
    return md


# ------------------------------------------------------------------- revision 0002

# Revision 0002 (the shared ledger): who wrote what, who is checking what, and what changed.
LEDGER_CHANNEL = "iotpay_ledger"
"""PostgreSQL ``NOTIFY`` channel: each insert or update of an action, vault card, card page
or notification sends ``<table>:<mch_id>:<id>`` on it (revision 0002's triggers)."""

NOTIFYING_TABLES = ("actions", "vault_cards", "card_pages", "notifications")


def r0002_columns() -> dict[str, list[Column[Any]]]:
    """The columns revision 0002 adds, by table (new objects on each call)."""
    return {
        "actions": [
            # The desk (a name set per computer) that wrote the intent.
            _text("desk"),
            # The lease on checking an unresolved action: the desk process holding it (an
            # id per running desk), its name for other desks to show, and until when.
            Column("lease_owner", Text),
            Column("lease_desk", Text),
            Column("lease_until", Text),
        ],
        "audit": [_text("mch_id"), _text("desk")],
    }


def r0002_tables(md: MetaData) -> list[Table]:
    """The tables revision 0002 adds, defined in ``md``."""
    meta = Table(
        "ledger_meta",
        md,
        Column("key", Text, primary_key=True),
        _text("value", default=None),
    )
    copied = Table(
        "copied_rows",
        md,
        # Which ledger a row was copied from (its ``ledger_meta`` id), which table, its id
        # there and its id here: a copy run again, or after a crash, skips what it did.
        Column("source", Text, primary_key=True),
        Column("tbl", Text, primary_key=True),
        Column("source_id", _BIGINT, primary_key=True, autoincrement=False),
        Column("target_id", _BIGINT, nullable=False),
    )
    return [meta, copied]


# ------------------------------------------------------------------- revision 0003


def r0003_tables(md: MetaData) -> list[Table]:
    """The tables revision 0003 adds, defined in ``md``: the books."""
    orders = Table(
        "orders",
        md,
        Column("id", _BIGINT, **_ID),
        _text("mch_id", default=None),
        # IOTPay's order: a payment, or a refund or void of one (original_order_id).
        _text("pay_order_id", default=None),
        _text("mch_order_no"),
        _text("kind", default=None),
        _text("original_order_id"),
        Column("amount_cents", _BIGINT, nullable=False),
        # A payment's amount already returned, as IOTPay last said (amount - refundable).
        Column("refunded_cents", _BIGINT, nullable=False, server_default=text("0")),
        _text("currency", default="CAD"),
        Column("status", Integer, nullable=False),
        # IOTPay's cardType (V, M, A …) and the last four digits of the masked number.
        _text("card_brand"),
        _text("card_last4"),
        _text("card_id"),
        _text("customer"),
        _text("subject"),
        # Who made it at which desk, and why (orders a desk made; empty otherwise).
        _text("operator"),
        _text("desk"),
        _text("reason"),
        _text("note"),
        # When it happened (UTC, as every ledger time; from IOTPay's paySuccTime, which is
        # Toronto time, or when first seen), and that text as IOTPay gave it.
        _text("at", default=None),
        _text("paid_at"),
        _text("first_seen_at", default=None),
        _text("updated_at", default=None),
        # When IOTPay last confirmed it (cc_query); NULL: only notified so far.
        Column("confirmed_at", Text),
        _text("source", default=None),
        # What free text is looked for in: the merchant's order number, the customer and
        # card, the texts; lower case (SQLite: an FTS5 trigram index over it; PostgreSQL:
        # a pg_trgm GIN index). IOTPay's ids are matched whole, by their own indexes.
        Column(
            "search",
            Text,
            Computed(
                "lower(mch_order_no || ' ' || customer || ' ' || card_id || ' ' || subject"
                " || ' ' || reason || ' ' || note)",
                persisted=True,
            ),
        ),
        CheckConstraint(f"kind IN {BOOK_KINDS!r}", name="kind"),
        CheckConstraint(f"source IN {BOOK_SOURCES!r}", name="source"),
        CheckConstraint("amount_cents >= 0", name="amount_cents"),
        CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refunded_cents"
        ),
        CheckConstraint("length(card_last4) IN (0, 4)", name="card_last4"),
        _no_card("subject"),
        _no_card("reason"),
        _no_card("note"),
        _no_card("customer"),
        UniqueConstraint("mch_id", "pay_order_id"),
        sqlite_autoincrement=True,
    )
    # Newest first, filtered or not: each filter's column, then the time and id the
    # pages are read in (keyset), so a page is an index range, never a sort.
    Index("orders_at", orders.c.mch_id, orders.c.at, orders.c.id)
    for column in ("status", "kind", "card_last4", "amount_cents", "operator", "desk"):
        Index(f"orders_{column}", orders.c.mch_id, orders.c[column], orders.c.at, orders.c.id)
    Index("orders_mch_order_no", orders.c.mch_id, orders.c.mch_order_no)
    Index("orders_original", orders.c.mch_id, orders.c.original_order_id)
    for sql in _SQLITE_BOOKS_SEARCH:
        event.listen(orders, "after_create", _ddl(sql, "sqlite"))
    for sql in _PG_BOOKS_SEARCH:
        event.listen(orders, "after_create", _ddl(sql, "postgresql"))
    return [orders]


# ------------------------------------------------------------------- revision 0004

JOB_KINDS = ("import", "reconcile")
JOB_STATES = ("running", "done", "cancelled")
JOB_ITEM_STATES = ("pending", "booked", "same", "differs", "not_found", "bad", "failed")
MATCH_HOW = ("auto", "manual")


def r0004_tables(md: MetaData) -> list[Table]:
    """The tables revision 0004 adds, defined in ``md``: the bookkeeper's work on the books
    (imports and reconciliations that resume after a crash, closed days, bank deposits)."""
    jobs = Table(
        "jobs",
        md,
        Column("id", _BIGINT, **_ID),
        _text("mch_id", default=None),
        # import: orders named in a file, each looked up with cc_query and booked;
        # reconcile: every order of a business day re-checked with cc_query.
        _text("kind", default=None),
        # What it works on: the file's name (import) or the business day (reconcile).
        _text("title"),
        _text("business_day"),
        _text("operator"),
        _text("desk"),
        _text("state", default="running"),
        Column("total", Integer, nullable=False, server_default=text("0")),
        _text("created_at", default=None),
        Column("finished_at", Text),
        CheckConstraint(f"kind IN {JOB_KINDS!r}", name="kind"),
        CheckConstraint(f"state IN {JOB_STATES!r}", name="state"),
        _no_card("title"),
        sqlite_autoincrement=True,
    )
    Index("jobs_merchant", jobs.c.mch_id, jobs.c.kind, jobs.c.id)
    items = Table(
        "job_items",
        md,
        Column("id", _BIGINT, **_ID),
        Column("job_id", _BIGINT, ForeignKey("jobs.id"), nullable=False),
        # The file's line (import) or the order's place in the day (reconcile).
        Column("line_no", Integer, nullable=False),
        # The order number or IOTPay order ID as the file gave it.
        _text("ref"),
        _text("state", default="pending"),
        _text("pay_order_id"),
        # Why a line was bad, what differed, what IOTPay answered.
        _text("detail"),
        Column("done_at", Text),
        CheckConstraint(f"state IN {JOB_ITEM_STATES!r}", name="state"),
        _no_card("ref"),
        _no_card("detail"),
        UniqueConstraint("job_id", "line_no"),
        sqlite_autoincrement=True,
    )
    Index("job_items_state", items.c.job_id, items.c.state, items.c.line_no)
    closes = Table(
        "day_closes",
        md,
        Column("id", _BIGINT, **_ID),
        _text("mch_id", default=None),
        # The business day (YYYY-MM-DD): from the cut-off of the day before to its own.
        _text("business_day", default=None),
        _text("cutoff", default=None),
        _text("timezone", default=None),
        _text("operator"),
        _text("desk"),
        _text("closed_at", default=None),
        # The day's figures as closed (JSON) and a digest of its orders.
        _text("figures", default="{}"),
        _text("digest"),
        UniqueConstraint("mch_id", "business_day"),
        sqlite_autoincrement=True,
    )
    close_orders = Table(
        "day_close_orders",
        md,
        # Each order of a closed day as it was when the day was closed: a later change
        # to one of them (or an order added to the day) is found against these.
        Column("close_id", _BIGINT, ForeignKey("day_closes.id"), primary_key=True),
        Column("pay_order_id", Text, primary_key=True),
        _text("kind", default=None),
        Column("status", Integer, nullable=False),
        Column("amount_cents", _BIGINT, nullable=False),
        Column("refunded_cents", _BIGINT, nullable=False),
    )
    deposits = Table(
        "bank_deposits",
        md,
        Column("id", _BIGINT, **_ID),
        _text("mch_id", default=None),
        # The bank account as the statement names it (OFX ACCTID, or the file's).
        _text("account"),
        _text("posted_on", default=None),  # YYYY-MM-DD
        Column("amount_cents", _BIGINT, nullable=False),
        _text("description"),
        # The bank's own id of the transaction (OFX FITID), or one made from the line:
        # the same statement imported twice adds nothing.
        _text("ref", default=None),
        _text("source", default=None),  # csv, ofx
        _text("file_name"),
        _text("operator"),
        _text("imported_at", default=None),
        CheckConstraint("source IN ('csv', 'ofx')", name="source"),
        _no_card("description"),
        _no_card("file_name"),
        UniqueConstraint("mch_id", "account", "ref"),
        sqlite_autoincrement=True,
    )
    Index("bank_deposits_posted", deposits.c.mch_id, deposits.c.posted_on, deposits.c.id)
    matches = Table(
        "deposit_matches",
        md,
        Column("id", _BIGINT, **_ID),
        _text("mch_id", default=None),
        # A deposit pays one business day's net, or several days' together (a weekend):
        # each day is paid by one deposit at most.
        Column("deposit_id", _BIGINT, ForeignKey("bank_deposits.id"), nullable=False),
        _text("business_day", default=None),
        Column("day_net_cents", _BIGINT, nullable=False),
        _text("how", default=None),
        _text("operator"),
        _text("matched_at", default=None),
        CheckConstraint(f"how IN {MATCH_HOW!r}", name="how"),
        UniqueConstraint("mch_id", "business_day"),
        sqlite_autoincrement=True,
    )
    Index("deposit_matches_deposit", matches.c.deposit_id)
    return [jobs, items, closes, close_orders, deposits, matches]


ORDERS_AT_0004 = ("mch_id", "at", "id", "kind", "status", "amount_cents")
"""Revision 0004's ``orders_at``: the books' list order (merchant, time, id), then what a
day's totals read (kind, status, amount), so the daily nets of a year are read from the
index alone."""


def r0004_indexes(md: MetaData) -> list[Index]:
    """The indexes revision 0004 adds to earlier tables (in ``md``): a payment's
    notifications found by its IOTPay id (End of day's "no notification"), and the books'
    ``orders_at`` made covering for the days' totals (:data:`ORDERS_AT_0004`)."""
    notes = md.tables["notifications"]
    orders = md.tables["orders"]
    for index in list(orders.indexes):
        if index.name == "orders_at":
            orders.indexes.discard(index)
    return [
        Index("notifications_order", notes.c.mch_id, notes.c.pay_order_id),
        Index("orders_at", *(orders.c[name] for name in ORDERS_AT_0004)),
    ]


# ------------------------------------------------------------------- revision 0005

OPEN_STATES = ("intent", "checking")


def open_state(state: ColumnElement[str]) -> ColumnElement[bool]:
    """``state IN ('intent', 'checking')`` with the states written into the SQL, not
    bound: SQLite uses a partial index (``actions_open``) only for a query whose WHERE
    holds the index's own condition, constants included (a bound parameter could be any
    value)."""
    return state.in_([literal_column(f"'{s}'") for s in OPEN_STATES])


# The Card vault's list order: customer_label COLLATE NOCASE (ASCII letters folded, then
# bytes), then the cardId. PostgreSQL has no NOCASE: the same fold with translate(),
# compared in the "C" collation, not the database's locale (lower() would fold "É" too);
# its letters are written into the SQL so the query's expression is the index's.
VAULT_FOLD = f"translate(customer_label, '{ascii_uppercase}', '{ascii_lowercase}') COLLATE \"C\""


def r0005_indexes(md: MetaData) -> list[Index]:
    """The indexes revision 0005 makes or remakes (in ``md``), so that each query of an
    order's look-up, of start-up and of the Card vault reads a range of one index in the
    order it returns rows, on both backends:

    - ``actions_target``, ``notifications_order``, ``audit_action``: the id added last
      (an order's actions and notifications, an action's audit entries, in id order:
      PostgreSQL sorted them, not knowing an index's rows are in id order);
    - ``actions_open``: the unresolved actions of a merchant in id order (it was on the
      state alone: start-up read every unresolved action of every merchant, then sorted);
    - ``vault_cards_list``: the live cards of a merchant in the vault's list order, so a
      list or a search reads from the top of the index and stops at its limit (it read
      every card, then sorted them); it replaces ``vault_cards_live`` (merchant,
      removed_at), which also counted the live cards."""
    actions, notes, audit = md.tables["actions"], md.tables["notifications"], md.tables["audit"]
    vault = md.tables["vault_cards"]
    replaced = {
        "actions_target", "actions_open", "notifications_order", "audit_action",
        "vault_cards_live",
    }  # fmt: skip
    for table in (actions, notes, audit, vault):
        for index in list(table.indexes):
            if index.name in replaced:
                table.indexes.discard(index)
    live = "removed_at IS NULL"
    folded = func.translate(
        vault.c.customer_label,
        literal_column(f"'{ascii_uppercase}'"),
        literal_column(f"'{ascii_lowercase}'"),
    ).collate("C")
    return [
        Index("actions_target", actions.c.mch_id, actions.c.target_pay_order_id, actions.c.id),
        Index(
            "actions_open",
            actions.c.mch_id,
            actions.c.id,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        Index("notifications_order", notes.c.mch_id, notes.c.pay_order_id, notes.c.id),
        Index("audit_action", audit.c.action_id, audit.c.id),
        Index(
            "vault_cards_list",
            vault.c.mch_id,
            vault.c.customer_label.collate("NOCASE"),
            vault.c.card_id,
            sqlite_where=text(live),
        ).ddl_if(dialect="sqlite"),
        Index(
            "vault_cards_list",
            vault.c.mch_id,
            folded,
            vault.c.card_id,
            postgresql_where=text(live),
        ).ddl_if(dialect="postgresql"),
    ]


# Free text in the books: substrings of 3 characters or more, through an index.
BOOKS_FTS = "orders_fts"
_SQLITE_BOOKS_SEARCH = (
    # An external-content FTS5 table over orders.search, kept by triggers; no column
    # sizes (they serve ranking, which the books do not use: a quarter of each insert).
    "CREATE VIRTUAL TABLE orders_fts USING fts5("
    "search, content='orders', content_rowid='id', tokenize='trigram', columnsize=0)",
    "CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN "
    "INSERT INTO orders_fts (rowid, search) VALUES (new.id, new.search); END",
    "CREATE TRIGGER orders_fts_update AFTER UPDATE ON orders "
    "WHEN new.search IS NOT old.search BEGIN "
    "INSERT INTO orders_fts (orders_fts, rowid, search) VALUES ('delete', old.id, old.search); "
    "INSERT INTO orders_fts (rowid, search) VALUES (new.id, new.search); END",
    "CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN "
    "INSERT INTO orders_fts (orders_fts, rowid, search) VALUES ('delete', old.id, old.search); "
    "END",
)
_PG_BOOKS_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX orders_search ON orders USING gin (search gin_trgm_ops)",
)


# ------------------------------------------------------------------- revision 0006

# The Card vault's search: substrings of 3 characters or more of vault_cards.search_text
# (the label, the cardId, the name on the card and the last four digits, casefolded by
# the journal; never a card number: the vault holds none), through an index.
VAULT_FTS = "vault_cards_fts"
SQLITE_VAULT_SEARCH = (
    # External content (the text stays in vault_cards only), kept by triggers; removed
    # cards stay in it (the query keeps to the live ones, a removed card can come back).
    "CREATE VIRTUAL TABLE vault_cards_fts USING fts5(search_text, content='vault_cards', "
    "content_rowid='id', tokenize='trigram', columnsize=0)",
    "CREATE TRIGGER vault_cards_fts_insert AFTER INSERT ON vault_cards BEGIN "
    "INSERT INTO vault_cards_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER vault_cards_fts_update AFTER UPDATE ON vault_cards "
    "WHEN new.search_text IS NOT old.search_text BEGIN "
    "INSERT INTO vault_cards_fts (vault_cards_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO vault_cards_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER vault_cards_fts_delete AFTER DELETE ON vault_cards BEGIN "
    "INSERT INTO vault_cards_fts (vault_cards_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    # The rows already there (an external-content index is built from its table).
    "INSERT INTO vault_cards_fts (vault_cards_fts) VALUES ('rebuild')",
)
SQLITE_VAULT_SEARCH_DROP = (
    "DROP TRIGGER vault_cards_fts_insert",
    "DROP TRIGGER vault_cards_fts_update",
    "DROP TRIGGER vault_cards_fts_delete",
    "DROP TABLE vault_cards_fts",
)
# SQLite: the list index also holds each card's search text and brand, so that a search
# read in the list's order (common words, words under 3 characters) checks them on the
# index's entries and reads a table row only for a card that matches.
SQLITE_VAULT_LIST = (
    "DROP INDEX vault_cards_list",
    "CREATE INDEX vault_cards_list ON vault_cards "
    "(mch_id, customer_label COLLATE NOCASE, card_id, search_text, brand) "
    "WHERE removed_at IS NULL",
)
SQLITE_VAULT_LIST_DROP = (
    "DROP INDEX vault_cards_list",
    "CREATE INDEX vault_cards_list ON vault_cards "
    "(mch_id, customer_label COLLATE NOCASE, card_id) WHERE removed_at IS NULL",
)
PG_VAULT_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX vault_cards_search ON vault_cards USING gin (search_text gin_trgm_ops) "
    "WHERE removed_at IS NULL",
)
PG_VAULT_SEARCH_DROP = ("DROP INDEX vault_cards_search",)


def r0006_indexes(md: MetaData) -> None:
    """Revision 0006's list index on SQLite (see :data:`SQLITE_VAULT_LIST`), in ``md``."""
    vault = md.tables["vault_cards"]
    for index in list(vault.indexes):
        sqlite_only = index.dialect_options["sqlite"]["where"] is not None
        if index.name == "vault_cards_list" and sqlite_only:
            vault.indexes.discard(index)
    Index(
        "vault_cards_list",
        vault.c.mch_id,
        vault.c.customer_label.collate("NOCASE"),
        vault.c.card_id,
        vault.c.search_text,
        vault.c.brand,
        sqlite_where=text("removed_at IS NULL"),
    ).ddl_if(dialect="sqlite")


def _head_metadata() -> MetaData:
    md = v6_metadata()
    for name, columns in r0002_columns().items():
        for column in columns:
            md.tables[name].append_column(column)
    r0002_tables(md)
    audit = md.tables["audit"]
    Index("audit_merchant", audit.c.mch_id, audit.c.id)
    r0003_tables(md)
    r0004_tables(md)
    r0004_indexes(md)
    r0005_indexes(md)
    r0006_indexes(md)
    return md


metadata = _head_metadata()
"""The ledger's schema at head (revision 0006): what the queries use (0006 adds only
the vault's search index, which the queries name by :data:`VAULT_FTS`)."""

"""The money journal's API over the merchant's ledger (SQLite or PostgreSQL).

:class:`LedgerJournal` has the methods, return types and rules of
:class:`iotpay_desk.journal.Journal`, written once in SQLAlchemy Core for both backends:
each write method is one transaction, its audit row is written in it, texts are
scrubbed by :mod:`iotpay_desk.journal.scrub` and times are the journal's ISO text.

Serializing writers (what makes "one unresolved action per payment" hold across desks):

- SQLite: every write transaction starts with ``BEGIN IMMEDIATE`` (the engine's
  ``ledger_begin`` option), so the file's write lock is held before the first read:
  two processes cannot interleave a check and an insert.
- PostgreSQL: writes run at READ COMMITTED and take a transaction-level advisory lock
  on what they check before reading it: ``pg_advisory_xact_lock(<scope>,
  hashtext(mch_id || ':' || key))`` (the payment for an intent, the cardId for a vault
  card, the order and status for a notification, the merchant for look-ups). A second
  writer on the same key waits until the first commits; its following reads (a new
  snapshot each statement at READ COMMITTED) then see the committed row, so it gets
  :class:`OpenActionExists` rather than a late constraint error. Advisory locks were
  chosen over SERIALIZABLE (no retry loop: an intent is written once, before money
  moves, and a retry must not hide a real conflict) and over locking the payment's rows
  (there is no row to lock before the first action on a payment). Two keys hashing
  alike only make two writers wait for each other. Rows read before an update are taken
  ``FOR UPDATE`` (nothing on SQLite, where the file lock does it).
- Both: the partial unique index ``actions_one_open_per_target`` stays the last line
  of defence (its error becomes :class:`JournalError`, as in the journal).

Threading: a :class:`LedgerJournal` may be used from any thread (each call takes a
connection from the engine's pool); like the journal it blocks on I/O, so the GUI
calls it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from string import ascii_lowercase, ascii_uppercase
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Engine,
    Row,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import Integer, Text

from iotpay_desk.api.models import Order, mask_card_number
from iotpay_desk.journal import store as _journal
from iotpay_desk.journal.books import SEARCH_MIN
from iotpay_desk.journal.errors import (
    CardInVault,
    CardNotInVault,
    JournalError,
    OpenActionExists,
    TargetChanged,
)
from iotpay_desk.journal.models import (
    Action,
    ActionKind,
    ActionState,
    AuditEntry,
    CardPage,
    Lookup,
    Notification,
    VaultCard,
    format_time,
    parse_time,
)
from iotpay_desk.journal.port import DeskIdentity, Ledger
from iotpay_desk.journal.schema import SCHEMA_VERSION
from iotpay_desk.journal.scrub import scrub, scrub_detail

from .books import BookEntry, BookKey, Books, BooksFilter
from .days import Days
from .deposits import Deposits
from .errors import LedgerError
from .groupcommit import group_commit, transact
from .jobs import Jobs
from .migrate import current_revision, head
from .schema import VAULT_FTS, metadata, open_state
from .statement import Statement as _Statement

__all__ = ["LedgerJournal"]

ACTIONS = metadata.tables["actions"]
AUDIT = metadata.tables["audit"]
LOOKUPS = metadata.tables["lookups"]
VAULT = metadata.tables["vault_cards"]
PAGES = metadata.tables["card_pages"]
NOTES = metadata.tables["notifications"]

_OPEN_STATES = _journal._OPEN_STATES
_CHANGING_STATES = _journal._CHANGING_STATES

# First key of the two-key advisory locks, one per kind of thing serialized.
_LOCK_SCOPES = {"target": 0x10741, "card": 0x10742, "notification": 0x10743, "lookups": 0x10744}


LEASE_S = 120.0
"""How long a desk's lease on checking an unresolved action lasts unless renewed: longer
than a money call may take to answer (the sending desk holds it meanwhile)."""

_NO_LEASE: dict[str, Any] = {"lease_owner": None, "lease_desk": None, "lease_until": None}


# ---------------------------------------------------------------------- hot statements
#
# The statements every money action runs (an intent, its outcome, a check) are built
# once, here, and compiled once per dialect by :class:`_Statement`; a call only binds
# its parameters. Each is one of the queries below for both backends (SQLAlchemy
# renders it for SQLite or PostgreSQL). Writes return the row they wrote (RETURNING:
# SQLite 3.35+, PostgreSQL) instead of reading it again.


def _one_of(column: ColumnElement[Any], values: tuple[str, ...], name: str) -> Any:
    """``column IN (…)`` with each value a bound constant (no per-call expansion)."""
    return column.in_([bindparam(f"{name}{i}", v) for i, v in enumerate(values)])


_T = TypeVar("_T")

# The Card vault's list order, as the index vault_cards_list holds it (its letters
# written into the SQL, so PostgreSQL matches the query's expression to the index's).
_VAULT_ORDER = VAULT.c.customer_label.collate("NOCASE")
_VAULT_ORDER_PG = func.translate(
    VAULT.c.customer_label,
    literal_column(f"'{ascii_uppercase}'"),
    literal_column(f"'{ascii_lowercase}'"),
).collate("C")

VAULT_COMMON = 2_000
"""A vault search whose words are in more cards than this is "common" (SQLite, see
:meth:`LedgerJournal.list_vault_cards`): reading the list index from the top finds a
page of them sooner than gathering and sorting every match."""
_LABELS_BATCH = 500  # cardIds a statement of LedgerJournal.vault_labels


def _vault_matches(words: list[str]) -> Select[Any]:
    """The ids of the vault cards whose search text holds every one of ``words`` (each
    of SEARCH_MIN characters or more), from SQLite's FTS5 trigram index."""
    # Each word one FTS5 string, taken as it is; strings side by side: all of them.
    phrase = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    return (
        select(literal_column("rowid"))
        .select_from(table(VAULT_FTS))
        .where(literal_column(VAULT_FTS).op("MATCH")(bindparam("vault_phrase", phrase)))
    )


def _common_vault_text(conn: Connection, words: list[str]) -> bool:
    """``words`` are in more than :data:`VAULT_COMMON` cards of a SQLite ledger (any
    merchant's, removed ones too: the FTS5 index holds them all)."""
    probe = _vault_matches(words).limit(VAULT_COMMON + 1).subquery()
    return bool(conn.execute(select(func.count()).select_from(probe)).scalar_one() > VAULT_COMMON)


_ACTION_ID = ACTIONS.c.id == bindparam("action_id")
_INTENT_COLUMNS = (
    "kind", "mch_id", "target_pay_order_id", "mch_no", "amount_cents", "currency",
    "operator", "reason", "note", "state", "created_at", "updated_at", "card_id",
    "mch_user_id", "subject", "desk", "lease_owner", "lease_desk", "lease_until",
)  # fmt: skip
_ORDER_COLUMNS = (
    "pay_order_id", "status", "card_num", "card_type", "auth_num", "trans_num",
    "pay_succ_time",
)  # fmt: skip
_OUTCOME_COLUMNS = (
    "state", "ret_msg", "updated_at", "lease_owner", "lease_desk", "lease_until",
)  # fmt: skip

_open = _one_of(ACTIONS.c.state, _OPEN_STATES, "open")
# The open action on a payment, else (``since`` given) the first action after ``since``
# that changed what it has left: create_intent's two checks in one query.
_OPEN_OR_CHANGED = _Statement(
    select(ACTIONS)
    .where(
        ACTIONS.c.mch_id == bindparam("mch_id"),
        ACTIONS.c.target_pay_order_id == bindparam("target"),
        or_(
            _open,
            and_(
                ACTIONS.c.id > bindparam("since"),
                _one_of(ACTIONS.c.state, _CHANGING_STATES, "changing"),
            ),
        ),
    )
    .order_by(case((_open, 0), else_=1), ACTIONS.c.id)
    .limit(1)
)
_INSERT_INTENT = _Statement(insert(ACTIONS).returning(*ACTIONS.c), _INTENT_COLUMNS)
_INSERT_AUDIT = _Statement(
    insert(AUDIT).returning(AUDIT.c.id),
    ("at", "operator", "action_id", "event", "detail", "mch_id", "desk"),
)
_GET_ACTION = _Statement(select(ACTIONS).where(_ACTION_ID))
_LOCK_ACTION = _Statement(select(ACTIONS).where(_ACTION_ID).with_for_update())
# An outcome for an action still open (the usual case: one statement, no read first).
_OUTCOME_OF_OPEN = _Statement(
    update(ACTIONS)
    .where(_ACTION_ID, _open)
    .values(attempts=ACTIONS.c.attempts + bindparam("add_attempts"))
    .returning(*ACTIONS.c),
    _OUTCOME_COLUMNS,
)
_OUTCOME_OF_OPEN_WITH_ORDER = _Statement(
    update(ACTIONS)
    .where(_ACTION_ID, _open)
    .values(attempts=ACTIONS.c.attempts + bindparam("add_attempts"))
    .returning(*ACTIONS.c),
    _OUTCOME_COLUMNS + _ORDER_COLUMNS,
)
# The same for an action in any state (after reading it locked: the not_received case).
_OUTCOME = _Statement(
    update(ACTIONS)
    .where(_ACTION_ID)
    .values(attempts=ACTIONS.c.attempts + bindparam("add_attempts"))
    .returning(*ACTIONS.c),
    _OUTCOME_COLUMNS,
)
_OUTCOME_WITH_ORDER = _Statement(
    update(ACTIONS)
    .where(_ACTION_ID)
    .values(attempts=ACTIONS.c.attempts + bindparam("add_attempts"))
    .returning(*ACTIONS.c),
    _OUTCOME_COLUMNS + _ORDER_COLUMNS,
)
_TO_CHECKING = _Statement(
    update(ACTIONS)
    .where(_ACTION_ID, ACTIONS.c.state == bindparam("intent", ActionState.INTENT.value))
    .returning(*ACTIONS.c),
    ("state", "updated_at"),
)
_COUNT_CHECK = _Statement(
    update(ACTIONS).where(_ACTION_ID).values(attempts=ACTIONS.c.attempts + 1).returning(*ACTIONS.c),
    ("updated_at",),
)
_CLAIM = _Statement(
    update(ACTIONS)
    .where(
        _ACTION_ID,
        _open,
        or_(
            ACTIONS.c.lease_owner.is_(None),
            ACTIONS.c.lease_owner == bindparam("me"),
            ACTIONS.c.lease_until.is_(None),
            ACTIONS.c.lease_until <= bindparam("now"),
        ),
    )
    .returning(*ACTIONS.c),
    ("lease_owner", "lease_desk", "lease_until"),
)
_ADVISORY_LOCK = _Statement(
    select(
        func.pg_advisory_xact_lock(
            bindparam("scope", type_=Integer),
            func.hashtext(bindparam("key", type_=Text)),
        )
    )
)


def _m(row: Row[Any]) -> Any:
    """A row as the journal's row readers take it (``row["column"]``)."""
    return row._mapping


def _new_id(result: CursorResult[Any]) -> int:
    """The id of the row an INSERT wrote."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _action(row: Row[Any]) -> Action:
    return _journal._action(_m(row))


_ACTION_KEYS = tuple(ACTIONS.c.keys())


# An action's kind as the books call IOTPay's order that answered it.
_BOOK_KINDS = {
    "refund": "refund",
    "void": "void",
    "charge_token": "payment",
    "charge_wallet": "payment",
    "purchase_link": "payment",
}


def _action_values(action: Action) -> dict[str, Any]:
    """What the books take from an action, as from its row."""
    return {
        "kind": action.kind.value,
        "mch_id": action.mch_id,
        "operator": action.operator,
        "desk": action.desk,
        "reason": action.reason,
        "note": action.note,
        "card_id": action.card_id,
        "mch_user_id": action.mch_user_id,
        "subject": action.subject,
    }


# The actions table's columns in the order _action_of unpacks them (checked at import).
_ACTION_ORDER = (
    "id", "kind", "mch_id", "target_pay_order_id", "mch_no", "amount_cents", "currency",
    "operator", "reason", "note", "state", "pay_order_id", "status", "ret_msg", "card_num",
    "card_type", "auth_num", "trans_num", "pay_succ_time", "created_at", "updated_at",
    "attempts", "card_id", "mch_user_id", "subject", "desk", "lease_owner", "lease_desk",
    "lease_until",
)  # fmt: skip
if _ACTION_KEYS != _ACTION_ORDER:  # pragma: no cover - a schema change not carried here
    raise ImportError(f"_action_of: the actions columns are now {_ACTION_KEYS}")
_KINDS = {k.value: k for k in ActionKind}
_STATES = {s.value: s for s in ActionState}


def _action_of(row: tuple[Any, ...]) -> Action:
    """An action from a :class:`_Statement`'s row of every ``actions`` column, as
    ``journal.store._action`` makes it from a mapping (this runs twice in every payment's
    writes, so it unpacks the row by position instead)."""
    (
        id_, kind, mch_id, target, mch_no, amount_cents, currency, operator, reason, note,
        state, pay_order_id, status, ret_msg, card_num, card_type, auth_num, trans_num,
        pay_succ_time, created_at, updated_at, attempts, card_id, mch_user_id, subject,
        desk, lease_owner, lease_desk, lease_until,
    ) = row  # fmt: skip
    return Action(
        id_,
        _KINDS.get(kind) or ActionKind(kind),
        mch_id,
        mch_no,
        amount_cents,
        currency,
        operator,
        _STATES.get(state) or ActionState(state),
        parse_time(created_at),
        parse_time(updated_at),
        target,
        reason,
        note,
        pay_order_id,
        status,
        ret_msg,
        card_num,
        card_type,
        auth_num,
        trans_num,
        pay_succ_time,
        attempts,
        card_id,
        mch_user_id,
        subject,
        desk,
        lease_owner,
        lease_desk,
        parse_time(lease_until) if lease_until else None,
    )


class LedgerJournal:
    """The money journal over a ledger ``engine`` (brought to head by ``migrate()``).

    ``clock`` gives the time written when a method is not told ``now``. Raises
    :class:`~iotpay_desk.ledger.LedgerError` if the database is not at this desk's head.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = _journal._utcnow,
        desk: DeskIdentity | None = None,
        lease_s: float = LEASE_S,
    ) -> None:
        if not lease_s > 0:
            raise ValueError("lease_s: must be more than 0 seconds")
        found = current_revision(engine)
        if found != head():
            raise LedgerError(
                f"the ledger is at revision {found}, not {head()}: migrate() it first"
            )
        self.engine = engine
        self._clock = clock
        self.desk = desk or DeskIdentity.here()
        self.lease_s = float(lease_s)
        self._pg = engine.dialect.name == "postgresql"
        self.books = Books(engine, clock=clock)
        self.jobs = Jobs(engine, clock=clock)
        self.days = Days(engine, clock=clock, audit=self._day_audit)
        self.deposits = Deposits(engine, clock=clock, audit=self._day_audit)
        self.path: Path | None = (
            Path(engine.url.database) if not self._pg and engine.url.database else None
        )

    def __repr__(self) -> str:
        return f"LedgerJournal({self.engine.url.render_as_string(hide_password=True)!r})"

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        """Release the engine's pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> LedgerJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The journal schema version the ledger's tables hold (revision 0001: 6)."""
        return SCHEMA_VERSION

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success.

        On SQLite, writes made at the same time share one transaction and one COMMIT,
        each in its own savepoint and each returning only after that COMMIT
        (:mod:`.groupcommit`); PostgreSQL groups concurrent commits itself."""
        if not self._pg:
            with group_commit(self.engine).write() as conn:
                yield conn
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _transact(self, body: Callable[[Connection], _T]) -> _T:
        """``body(conn)`` as one write transaction, what ``with self._write() as conn``
        runs, for the writes of every payment: on SQLite the thread writing the batch
        runs it (:meth:`.GroupCommit.run`), so the writers waiting meanwhile sleep."""
        return transact(self.engine, body)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def _serialize(self, conn: Connection, scope: str, mch_id: str, key: str) -> None:
        """Make writers on (``scope``, ``mch_id``, ``key``) wait for each other until
        commit. SQLite: nothing to do (``BEGIN IMMEDIATE`` took the file's write lock)."""
        if self._pg:
            _ADVISORY_LOCK(conn, {"scope": _LOCK_SCOPES[scope], "key": f"{mch_id}:{key}"})

    def _now(self, now: datetime | None) -> str:
        return format_time(now or self._clock())

    def _insert_audit(
        self,
        conn: Connection,
        at: str,
        operator: str,
        event: str,
        action_id: int | None,
        detail: Mapping[str, Any] | None,
        *,
        mch_id: str,
        clean: dict[str, Any] | None = None,
    ) -> int:
        """One audit row, naming its merchant, this desk and the operator; its detail is
        :meth:`_audit_text`."""
        text = self._audit_text(detail, clean)
        return self._audit_row(conn, at, operator, event, action_id, text, mch_id=mch_id)

    @staticmethod
    def _audit_text(detail: Mapping[str, Any] | None, clean: dict[str, Any] | None = None) -> str:
        """An audit row's detail: ``detail`` scrubbed, over ``clean`` (values scrubbed
        already, or the journal's own constants: not scrubbed twice), as JSON."""
        scrubbed = scrub_detail(detail)
        if clean:
            clean.update(scrubbed)
            scrubbed = clean
        return json.dumps(scrubbed, ensure_ascii=False, sort_keys=True)

    def _day_audit(
        self,
        conn: Connection,
        at: str,
        operator: str,
        event: str,
        detail: Mapping[str, Any],
        mch_id: str,
    ) -> int:
        """An audit row written by the books' days and deposits (:class:`.Days`,
        :class:`.Deposits`) in their transaction."""
        return self._insert_audit(conn, at, operator, event, None, detail, mch_id=mch_id)

    def _audit_row(
        self,
        conn: Connection,
        at: str,
        operator: str,
        event: str,
        action_id: int | None,
        text: str,
        *,
        mch_id: str,
    ) -> int:
        row = _INSERT_AUDIT.one(
            conn,
            {
                "at": at,
                "operator": operator,
                "action_id": action_id,
                "event": event,
                "detail": text,
                "mch_id": mch_id,
                "desk": self.desk.name,
            },
        )
        return int(row[0])

    @staticmethod
    def _get(conn: Connection, action_id: int, *, lock: bool = False) -> Action:
        row = (_LOCK_ACTION if lock else _GET_ACTION).first(conn, {"action_id": action_id})
        if row is None:
            raise KeyError(action_id)
        return _action_of(row)

    def _select(self, query: Select[Any]) -> list[Action]:
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [_action(r) for r in rows]

    # ------------------------------------------------------------------ actions

    def create_intent(
        self,
        *,
        kind: ActionKind,
        mch_id: str,
        mch_no: str,
        operator: str,
        target_pay_order_id: str | None = None,
        amount_cents: int | None = None,
        currency: str = "CAD",
        reason: str = "",
        note: str = "",
        card_id: str | None = None,
        mch_user_id: str | None = None,
        subject: str = "",
        changed_since: int | None = None,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Action:
        """Write an action as an intent, before its call is sent (see
        :meth:`iotpay_desk.journal.Journal.create_intent`): the checks and the insert are
        one transaction, serialized per payment (module docstring)."""
        at = self._now(now)
        reason, note, subject = scrub(reason), scrub(note), scrub(subject)
        values = {
            "kind": kind.value,
            "mch_id": mch_id,
            "target_pay_order_id": target_pay_order_id,
            "mch_no": mch_no,
            "amount_cents": amount_cents,
            "currency": currency,
            "operator": operator,
            "reason": reason,
            "note": note,
            "state": ActionState.INTENT.value,
            "created_at": at,
            "updated_at": at,
            "card_id": card_id,
            "mch_user_id": mch_user_id,
            "subject": subject,
            "desk": self.desk.name,
            # The desk sending it checks it, should its answer be lost.
            **self._lease_values(now),
        }
        # The audit's detail: kind, amount and the texts scrubbed above as they are; the
        # rest (and the caller's detail, which wins) scrubbed by _insert_audit.
        clean: dict[str, Any] = {
            "kind": kind.value,
            "amount_cents": amount_cents,
            "reason": reason,
            "note": note,
        }
        audit: dict[str, Any] = {
            "mch_no": mch_no,
            "target": target_pay_order_id,
            "currency": currency,
        }
        if card_id is not None:
            audit["card_id"] = card_id
        if detail:
            audit.update(detail)
        # Everything that need not wait for the ledger is done before the transaction
        # (on SQLite, writers take turns on one connection for as long as it lasts).
        text = self._audit_text(audit, clean)

        def write(conn: Connection) -> tuple[Any, ...]:
            if target_pay_order_id is not None:
                self._serialize(conn, "target", mch_id, target_pay_order_id)
                found = _OPEN_OR_CHANGED.first(
                    conn,
                    {"mch_id": mch_id, "target": target_pay_order_id, "since": changed_since},
                )
                if found is not None:
                    other = _action_of(found)
                    if other.state.is_open:
                        raise OpenActionExists(other)
                    raise TargetChanged(other)
            try:
                row = _INSERT_INTENT.one(conn, values)
            except IntegrityError as exc:
                raise JournalError(f"cannot write the intent for {mch_no}: {exc.orig}") from None
            self._audit_row(conn, at, operator, "intent", row[0], text, mch_id=mch_id)
            return row

        return _action_of(self._transact(write))

    def mark_checking(
        self,
        action_id: int,
        *,
        why: str,
        operator: str | None = None,
        now: datetime | None = None,
    ) -> Action:
        """An answer was lost: the action is being checked with IOTPay (intent → checking)."""
        at = self._now(now)
        with self._write() as conn:
            # One conditional UPDATE: an action no longer an intent is left as it is.
            row = _TO_CHECKING.first(
                conn,
                {"action_id": action_id, "state": ActionState.CHECKING.value, "updated_at": at},
            )
            if row is None:
                return self._get(conn, action_id)
            action = _action_of(row)
            self._insert_audit(
                conn,
                at,
                operator or action.operator,
                "checking",
                action_id,
                {"mch_no": action.mch_no, "why": why},
                mch_id=action.mch_id,
                clean={"kind": action.kind.value},
            )
            return action

    def record_check(
        self,
        action_id: int,
        *,
        result: str,
        operator: str | None = None,
        now: datetime | None = None,
    ) -> Action:
        """A ``cc_query`` check that did not settle the action (counted in ``attempts``)."""
        at = self._now(now)
        with self._write() as conn:
            row = _COUNT_CHECK.first(conn, {"action_id": action_id, "updated_at": at})
            if row is None:
                raise KeyError(action_id)
            action = _action_of(row)
            self._insert_audit(
                conn,
                at,
                operator or action.operator,
                "check",
                action_id,
                {"mch_no": action.mch_no, "result": result},
                mch_id=action.mch_id,
                clean={"kind": action.kind.value, "attempt": action.attempts},
            )
            return action

    def complete(
        self,
        action_id: int,
        state: ActionState,
        *,
        order: Order | None = None,
        ret_msg: str = "",
        event: str = "answer",
        checked: bool = False,
        operator: str | None = None,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Action:
        """Record how an action ended (see :meth:`iotpay_desk.journal.Journal.complete`):
        a final action never changes again (a different later answer is audited
        ``late_answer``); ``not_received`` is corrected when IOTPay's order turns up."""
        if state.is_open:
            raise ValueError("complete() takes a final state")
        at = self._now(now)
        ret_msg = scrub(ret_msg or (order.ret_msg if order else ""))
        values: dict[str, Any] = {
            "action_id": action_id,
            "state": state.value,
            "ret_msg": ret_msg,
            "updated_at": at,
            "add_attempts": int(checked),
            **_NO_LEASE,
        }
        audit: dict[str, Any] = {}
        if order is not None:
            card_num = mask_card_number(order.card_num)
            values.update(
                pay_order_id=order.pay_order_id or None,
                status=int(order.status),
                card_num=card_num,
                card_type=order.card_type,
                auth_num=order.auth_num,
                trans_num=order.trans_num,
                pay_succ_time=order.pay_succ_time,
            )
            audit.update(
                pay_order_id=order.pay_order_id, status=int(order.status), card_num=card_num
            )
        if detail:
            audit.update(detail)
        scrubbed = scrub_detail(audit)  # before the transaction, as in create_intent
        opened = _OUTCOME_OF_OPEN_WITH_ORDER if order is not None else _OUTCOME_OF_OPEN
        booked = self._book_values(order, now)

        def write(conn: Connection) -> Action | tuple[Any, ...]:
            # The usual case, an action still open, in one statement; otherwise read it
            # (locked) first: a final action is kept, not_received is corrected.
            row = opened.first(conn, values)
            if row is None:
                return self._complete_other(
                    conn, action_id, state, order, values, audit, at, event, operator, booked
                )
            got = dict(zip(_ACTION_KEYS, row, strict=True))
            text = self._audit_text(
                None,
                {
                    "kind": got["kind"],
                    "mch_no": scrub(got["mch_no"]),
                    "state": state.value,
                    "amount_cents": order.amount if order else got["amount_cents"],
                    "ret_msg": ret_msg,
                    **scrubbed,
                },
            )
            who = operator or got["operator"]
            self._audit_row(conn, at, who, event, action_id, text, mch_id=got["mch_id"])
            self._book(conn, booked, got)
            return row

        done = self._transact(write)
        return done if isinstance(done, Action) else _action_of(done)

    def _complete_other(
        self,
        conn: Connection,
        action_id: int,
        state: ActionState,
        order: Order | None,
        values: dict[str, Any],
        audit: dict[str, Any],
        at: str,
        event: str,
        operator: str | None,
        booked: dict[str, Any] | None,
    ) -> Action:
        """complete() of an action that was not open: a final one is kept (a different
        answer audited ``late_answer``), ``not_received`` is corrected by an order."""
        action = self._get(conn, action_id, lock=True)
        self._book(conn, booked, _action_values(action))
        who = operator or action.operator
        clean = {
            "kind": action.kind.value,
            "state": state.value,
            "amount_cents": order.amount if order else action.amount_cents,
            "ret_msg": values["ret_msg"],
        }
        keep = action.state.is_final and (
            action.state is not ActionState.NOT_RECEIVED or order is None
        )
        if keep:
            if action.state is not state:
                clean["kept_state"] = action.state.value
                self._insert_audit(
                    conn,
                    at,
                    who,
                    "late_answer",
                    action_id,
                    {"mch_no": action.mch_no, **audit},
                    mch_id=action.mch_id,
                    clean=clean,
                )
            return action
        row = (_OUTCOME_WITH_ORDER if order is not None else _OUTCOME).one(conn, values)
        if action.state is ActionState.NOT_RECEIVED:
            clean["corrected_from"] = action.state.value
        self._insert_audit(
            conn,
            at,
            who,
            event,
            action_id,
            {"mch_no": action.mch_no, **audit},
            mch_id=action.mch_id,
            clean=clean,
        )
        return _action_of(row)

    def _book_values(self, order: Order | None, now: datetime | None) -> dict[str, Any] | None:
        """IOTPay's order that answered an action, as the books will hold it: worked out
        before the action's transaction (None: IOTPay made no order)."""
        if order is None or not order.pay_order_id:
            return None  # IOTPay refused the call: no order was made
        return self.books.order_values(order, source="desk", confirmed=True, now=now)

    def _book(
        self, conn: Connection, values: dict[str, Any] | None, action: Mapping[str, Any]
    ) -> None:
        """The order in the books, in the action's transaction, with who made it, at which
        desk and why (the action's texts, scrubbed when it was written)."""
        if values is None:
            return
        kind = _BOOK_KINDS[action["kind"]]
        if (kind == "payment") != (values["kind"] == "payment"):
            return  # not the kind of order this action makes (a stray answer): not booked
        self.books.upsert(
            conn,
            {
                **values,
                "mch_id": action["mch_id"],  # the action's merchant
                "kind": kind,
                "operator": action["operator"],
                "desk": action["desk"],
                "reason": action["reason"],
                "note": action["note"],
                "card_id": action["card_id"] or "",
                "customer": action["mch_user_id"] or "",
                "subject": action["subject"],
            },
        )

    def record_order(
        self, order: Order, *, source: str, confirmed: bool, now: datetime | None = None
    ) -> BookEntry:
        """Put an IOTPay order the desk saw in the merchant's books (:class:`.Books`)."""
        return self.books.record(order, source=source, confirmed=confirmed, now=now)

    def books_page(
        self,
        mch_id: str,
        flt: BooksFilter | None = None,
        *,
        limit: int = 100,
        after: BookKey | None = None,
        through: BookKey | None = None,
    ) -> list[BookEntry]:
        """A page of the merchant's books (:meth:`.Books.page`)."""
        return self.books.page(mch_id, flt, limit=limit, after=after, through=through)

    # ------------------------------------------------------------------ check leases

    def _lease_values(self, now: datetime | None) -> dict[str, Any]:
        until = (now or self._clock()) + timedelta(seconds=self.lease_s)
        return {
            "lease_owner": self.desk.instance,
            "lease_desk": self.desk.name,
            "lease_until": format_time(until),
        }

    def claim_check(self, action_id: int, *, now: datetime | None = None) -> Action | None:
        """Take (or renew) the lease on checking an unresolved action, for ``lease_s``:
        only the desk holding it asks IOTPay about it. None when another running desk
        holds an unexpired lease, or when the action is no longer unresolved.

        One conditional UPDATE: of two desks claiming at once, one wins. Taking over a
        lease another desk let expire (it stopped, or died) is audited
        ``check_taken_over``, naming that desk."""
        at = now or self._clock()
        stamp = format_time(at)
        me = self.desk.instance
        params = {"action_id": action_id, "me": me, "now": stamp, **self._lease_values(at)}
        with self._write() as conn:
            action = self._get(conn, action_id, lock=True)
            row = _CLAIM.first(conn, params)
            if row is None:
                return None
            if action.lease_owner not in (None, me):
                self._insert_audit(
                    conn,
                    stamp,
                    action.operator,
                    "check_taken_over",
                    action_id,
                    {
                        "kind": action.kind.value,
                        "mch_no": action.mch_no,
                        "from_desk": action.lease_desk or "",
                        "lease_until": format_time(action.lease_until)
                        if action.lease_until
                        else "",
                    },
                    mch_id=action.mch_id,
                )
            return _action_of(row)

    def release_check(self, action_id: int) -> None:
        """Give up this desk's lease on an action (the desk is stopping): another desk
        may check it at once."""
        with self._write() as conn:
            conn.execute(
                update(ACTIONS)
                .where(ACTIONS.c.id == action_id, ACTIONS.c.lease_owner == self.desk.instance)
                .values(**_NO_LEASE)
            )

    def release_all_checks(self) -> int:
        """Give up every lease this desk holds (at a clean stop); how many."""
        with self._write() as conn:
            done = conn.execute(
                update(ACTIONS)
                .where(ACTIONS.c.lease_owner == self.desk.instance)
                .values(**_NO_LEASE)
            )
            return int(done.rowcount)

    def get_action(self, action_id: int) -> Action:
        """The action with this id (``KeyError`` if none)."""
        with self._read() as conn:
            return self._get(conn, action_id)

    def find_action(self, mch_id: str, mch_no: str) -> Action | None:
        """The action with this generated mchRefundNo / mchOrderNo, if any."""
        found = self._select(
            select(ACTIONS).where(ACTIONS.c.mch_id == mch_id, ACTIONS.c.mch_no == mch_no)
        )
        return found[0] if found else None

    def actions_for_target(self, mch_id: str, pay_order_id: str) -> list[Action]:
        """Refunds and voids made on one payment, oldest first."""
        return self._select(
            select(ACTIONS).where(self._on_target(mch_id, pay_order_id)).order_by(ACTIONS.c.id)
        )

    @staticmethod
    def _on_target(mch_id: str, pay_order_id: str) -> ColumnElement[bool]:
        return and_(ACTIONS.c.mch_id == mch_id, ACTIONS.c.target_pay_order_id == pay_order_id)

    def draft_basis(self, mch_id: str, pay_order_id: str) -> int:
        """The newest action id a new refund or void form on a payment can take into
        account (see :meth:`iotpay_desk.journal.Journal.draft_basis`)."""
        on_target = self._on_target(mch_id, pay_order_id)
        with self._read() as conn:
            first_open = conn.execute(
                select(func.min(ACTIONS.c.id)).where(on_target, ACTIONS.c.state.in_(_OPEN_STATES))
            ).scalar()
            if first_open is not None:
                return int(first_open) - 1
            newest = conn.execute(select(func.max(ACTIONS.c.id)).where(on_target)).scalar()
        return int(newest or 0)

    def latest_action_id(self, mch_id: str, pay_order_id: str) -> int:
        """The newest action id on a payment (0 if none): the basis of a draft."""
        with self._read() as conn:
            newest = conn.execute(
                select(func.max(ACTIONS.c.id)).where(self._on_target(mch_id, pay_order_id))
            ).scalar()
        return int(newest or 0)

    def open_actions(self, mch_id: str | None = None) -> list[Action]:
        """Unresolved actions (intent or checking), oldest first."""
        # The states written into the SQL: SQLite then reads the partial index
        # actions_open (a merchant's unresolved actions in id order), not the table.
        query = select(ACTIONS).where(open_state(ACTIONS.c.state))
        if mch_id is not None:
            query = query.where(ACTIONS.c.mch_id == mch_id)
        return self._select(query.order_by(ACTIONS.c.id))

    def actions_page(self, limit: int = 100, before_id: int | None = None) -> list[Action]:
        """Actions newest first, ``limit`` at a time (``before_id``: the last id seen)."""
        limit = max(1, min(int(limit), 1000))
        query = select(ACTIONS)
        if before_id is not None:
            query = query.where(ACTIONS.c.id < before_id)
        return self._select(query.order_by(ACTIONS.c.id.desc()).limit(limit))

    # ------------------------------------------------------------------ audit

    def append_audit(
        self,
        operator: str,
        event: str,
        *,
        action_id: int | None = None,
        detail: Mapping[str, Any] | None = None,
        mch_id: str = "",
        now: datetime | None = None,
    ) -> AuditEntry:
        """Append one entry to the audit trail (its detail scrubbed of card data). Its
        merchant: ``mch_id``, else the action's."""
        at = self._now(now)
        with self._write() as conn:
            if not mch_id and action_id is not None:
                mch_id = self._get(conn, action_id).mch_id
            entry_id = self._insert_audit(
                conn, at, operator, event, action_id, detail, mch_id=mch_id, clean=None
            )
            row = conn.execute(select(AUDIT).where(AUDIT.c.id == entry_id)).one()
        return _journal._audit(_m(row))

    def audit_page(self, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
        """The audit trail newest first, ``limit`` at a time (``before_id``: last id seen)."""
        limit = max(1, min(int(limit), 1000))
        query = select(AUDIT)
        if before_id is not None:
            query = query.where(AUDIT.c.id < before_id)
        with self._read() as conn:
            rows = conn.execute(query.order_by(AUDIT.c.id.desc()).limit(limit)).all()
        return [_journal._audit(_m(r)) for r in rows]

    def audit_for_action(self, action_id: int) -> list[AuditEntry]:
        """Every audit entry of one action, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(AUDIT).where(AUDIT.c.action_id == action_id).order_by(AUDIT.c.id)
            ).all()
        return [_journal._audit(_m(r)) for r in rows]

    # ------------------------------------------------------------------ lookups

    def record_lookup(
        self,
        mch_id: str,
        query: str,
        pay_order_id: str,
        mch_order_no: str = "",
        *,
        keep: int = _journal.LOOKUPS_KEPT,
        now: datetime | None = None,
    ) -> Lookup:
        """Remember a lookup (one entry per payment, the newest; ``keep`` kept)."""
        at = self._now(now)
        with self._write() as conn:
            self._serialize(conn, "lookups", mch_id, "")
            conn.execute(
                delete(LOOKUPS).where(
                    LOOKUPS.c.mch_id == mch_id, LOOKUPS.c.pay_order_id == pay_order_id
                )
            )
            result = conn.execute(
                insert(LOOKUPS).values(
                    at=at,
                    mch_id=mch_id,
                    query=scrub(query),
                    pay_order_id=pay_order_id,
                    mch_order_no=mch_order_no,
                )
            )
            kept = (
                select(LOOKUPS.c.id)
                .where(LOOKUPS.c.mch_id == mch_id)
                .order_by(LOOKUPS.c.id.desc())
                .limit(max(1, keep))
            )
            conn.execute(
                delete(LOOKUPS).where(LOOKUPS.c.mch_id == mch_id, LOOKUPS.c.id.not_in(kept))
            )
            row = conn.execute(select(LOOKUPS).where(LOOKUPS.c.id == _new_id(result))).one()
        return _journal._lookup(_m(row))

    def recent_lookups(self, mch_id: str, limit: int = 20) -> list[Lookup]:
        """Recent lookups, most recent first."""
        with self._read() as conn:
            rows = conn.execute(
                select(LOOKUPS)
                .where(LOOKUPS.c.mch_id == mch_id)
                .order_by(LOOKUPS.c.id.desc())
                .limit(max(1, int(limit)))
            ).all()
        return [_journal._lookup(_m(r)) for r in rows]

    # ------------------------------------------------------------------ card vault

    @staticmethod
    def _vault_row(
        conn: Connection, mch_id: str, card_id: str, *, lock: bool = False
    ) -> Row[Any] | None:
        query = select(VAULT).where(VAULT.c.mch_id == mch_id, VAULT.c.card_id == card_id)
        if lock:
            query = query.with_for_update()
        return conn.execute(query).first()

    def add_vault_card(
        self,
        *,
        mch_id: str,
        card_id: str,
        customer_label: str,
        card_num: str,
        brand: str,
        expiry_date: str,
        holder: str,
        via: str,
        operator: str,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> VaultCard:
        """Put a card bound at IOTPay into the vault (audit ``card_added``); raises
        :class:`CardInVault` if it is there already; a removed card comes back."""
        if via not in _journal.VAULT_VIA:
            raise ValueError(f"via: must be one of {_journal.VAULT_VIA}")
        at = self._now(now)
        card_num = mask_card_number(card_num)
        customer_label, holder = scrub(customer_label), scrub(holder)
        search = _journal._search_text(card_id, customer_label, holder, card_num)
        details = {
            "customer_label": customer_label,
            "card_num": card_num,
            "brand": brand,
            "expiry_date": expiry_date,
            "holder": holder,
            "via": via,
            "added_by": operator,
            "added_at": at,
            "search_text": search,
        }
        with self._write() as conn:
            self._serialize(conn, "card", mch_id, card_id)
            row = self._vault_row(conn, mch_id, card_id, lock=True)
            revived = row is not None
            if row is not None:
                if _m(row)["removed_at"] is None:
                    raise CardInVault(_journal._vault_card(_m(row)))
                conn.execute(
                    update(VAULT)
                    .where(VAULT.c.mch_id == mch_id, VAULT.c.card_id == card_id)
                    .values(**details, refreshed_at=None, removed_by=None, removed_at=None)
                )
            else:
                conn.execute(insert(VAULT).values(mch_id=mch_id, card_id=card_id, **details))
            audit: dict[str, Any] = {
                "card_id": card_id,
                "customer_label": customer_label,
                "card_num": card_num,
                "brand": brand,
                "expiry_date": expiry_date,
                "via": via,
            }
            if revived:
                audit["back_after_removal"] = True
            audit.update(detail or {})
            self._insert_audit(conn, at, operator, "card_added", None, audit, mch_id=mch_id)
            added = self._vault_row(conn, mch_id, card_id)
            assert added is not None
            return _journal._vault_card(_m(added))

    def get_vault_card(
        self, mch_id: str, card_id: str, *, include_removed: bool = False
    ) -> VaultCard | None:
        """The vault's card with this cardId (None if none, or removed unless asked)."""
        with self._read() as conn:
            row = self._vault_row(conn, mch_id, card_id)
        if row is None or (_m(row)["removed_at"] is not None and not include_removed):
            return None
        return _journal._vault_card(_m(row))

    def list_vault_cards(
        self, mch_id: str, search: str = "", *, limit: int | None = None
    ) -> list[VaultCard]:
        """The vault's cards, by customer label; ``search``: every word must match the
        label, the cardId, the holder, the last four digits or the brand (any case).

        Words of :data:`SEARCH_MIN` characters or more go through the substring index
        (revision 0006). SQLite: when they are in at most :data:`VAULT_COMMON` cards,
        their matches are gathered from the FTS5 index and only they are sorted (a
        temporary B-tree of those few rows); more common ones, and shorter words, are
        checked on the entries of the list index, read from the top in the list's order
        until ``limit`` cards matched (the index holds the search text and brand: no
        table row is read for a card that does not match). PostgreSQL: its planner
        chooses between the pg_trgm index (then a top-N sort of the matches) and the
        list index, by its statistics."""
        terms = search.casefold().split()
        with self._read() as conn:
            # Words that are not also a brand's name (a brand is matched on its own
            # column, which the substring index does not hold).
            indexed = [t for t in terms if len(t) >= SEARCH_MIN and not _journal._brands_for(t)]
            gathered = bool(indexed) and not self._pg and not _common_vault_text(conn, indexed)
            if gathered:
                # The merchant compared as "mch_id || ''", which no index serves: else
                # SQLite, to spare the sort, reads the list index through and probes
                # the matches for each entry (15 ms at 100,000 cards for one match).
                query = select(VAULT).where(
                    VAULT.c.mch_id.concat("") == mch_id,
                    VAULT.c.removed_at.is_(None),
                    VAULT.c.id.in_(_vault_matches(indexed)),
                )
            else:
                query = select(VAULT).where(VAULT.c.mch_id == mch_id, VAULT.c.removed_at.is_(None))
            for term in terms:
                if gathered and term in indexed:
                    continue
                brands = _journal._brands_for(term)
                # search_text is casefolded already; LIKE with escaping, on both backends.
                match = VAULT.c.search_text.contains(term, autoescape=True)
                query = query.where(or_(match, VAULT.c.brand.in_(brands)) if brands else match)
            # The journal's order, the index vault_cards_list's (schema.VAULT_FOLD): a
            # list or a common search reads that index from the top, stops at its limit.
            query = query.order_by(_VAULT_ORDER_PG if self._pg else _VAULT_ORDER, VAULT.c.card_id)
            if limit is not None:
                query = query.limit(max(1, int(limit)))
            rows = conn.execute(query).all()
        return [_journal._vault_card(_m(r)) for r in rows]

    def vault_labels(self, mch_id: str, card_ids: Iterable[str]) -> dict[str, str]:
        """The customer labels of these cards of the vault (cardId → label; cards not in
        it, or removed, left out): one indexed look-up a card (the (merchant, cardId)
        UNIQUE), a few hundred ids a statement."""
        wanted = sorted({c for c in card_ids if c})
        found: dict[str, str] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), _LABELS_BATCH):
                rows = conn.execute(
                    select(VAULT.c.card_id, VAULT.c.customer_label).where(
                        VAULT.c.mch_id == mch_id,
                        VAULT.c.card_id.in_(wanted[start : start + _LABELS_BATCH]),
                        VAULT.c.removed_at.is_(None),
                    )
                ).all()
                found.update((r[0], r[1]) for r in rows)
        return found

    def count_vault_cards(self, mch_id: str) -> int:
        with self._read() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(VAULT)
                .where(VAULT.c.mch_id == mch_id, VAULT.c.removed_at.is_(None))
            ).scalar_one()
        return int(count)

    def update_vault_card(
        self,
        mch_id: str,
        card_id: str,
        *,
        operator: str,
        card_num: str | None = None,
        brand: str | None = None,
        expiry_date: str | None = None,
        holder: str | None = None,
        customer_label: str | None = None,
        refreshed: bool = False,
        now: datetime | None = None,
    ) -> VaultCard:
        """Change a card's details (audit ``card_refreshed`` when ``refreshed``, else
        ``card_changed``, with what changed). Raises :class:`CardNotInVault`."""
        at = self._now(now)
        with self._write() as conn:
            found = self._vault_row(conn, mch_id, card_id, lock=True)
            if found is None or _m(found)["removed_at"] is not None:
                raise CardNotInVault(card_id)
            row = _m(found)
            new = {
                "card_num": mask_card_number(card_num) if card_num is not None else None,
                "brand": brand,
                "expiry_date": expiry_date,
                "holder": scrub(holder) if holder is not None else None,
                "customer_label": scrub(customer_label) if customer_label is not None else None,
            }
            changed = {
                k: {"from": row[k], "to": v}
                for k, v in new.items()
                if v is not None and v != row[k]
            }
            values: dict[str, Any] = {k: (v if v is not None else row[k]) for k, v in new.items()}
            values["search_text"] = _journal._search_text(
                card_id, values["customer_label"], values["holder"], values["card_num"]
            )
            if refreshed:
                values["refreshed_at"] = at
            conn.execute(
                update(VAULT)
                .where(VAULT.c.mch_id == mch_id, VAULT.c.card_id == card_id)
                .values(**values)
            )
            if changed or not refreshed:
                event = "card_refreshed" if refreshed else "card_changed"
                self._insert_audit(
                    conn,
                    at,
                    operator,
                    event,
                    None,
                    {"card_id": card_id, "changed": changed},
                    mch_id=mch_id,
                )
            updated = self._vault_row(conn, mch_id, card_id)
            assert updated is not None
            return _journal._vault_card(_m(updated))

    def remove_vault_card(
        self,
        mch_id: str,
        card_id: str,
        *,
        operator: str,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> VaultCard:
        """Take a card out of the vault (marked removed; audit ``card_removed``).

        Raises :class:`CardNotInVault`.
        """
        at = self._now(now)
        with self._write() as conn:
            found = self._vault_row(conn, mch_id, card_id, lock=True)
            if found is None or _m(found)["removed_at"] is not None:
                raise CardNotInVault(card_id)
            row = _m(found)
            conn.execute(
                update(VAULT)
                .where(VAULT.c.mch_id == mch_id, VAULT.c.card_id == card_id)
                .values(removed_by=operator, removed_at=at)
            )
            audit: dict[str, Any] = {
                "card_id": card_id,
                "customer_label": row["customer_label"],
                "card_num": row["card_num"],
            }
            audit.update(detail or {})
            self._insert_audit(conn, at, operator, "card_removed", None, audit, mch_id=mch_id)
            return _journal._vault_card(row)

    def recent_card_actions(
        self,
        mch_id: str,
        card_id: str,
        since: datetime,
        *,
        kind: ActionKind = ActionKind.CHARGE_TOKEN,
        amount_cents: int | None = None,
    ) -> list[Action]:
        """Actions on a card on file made at or after ``since``, newest first."""
        query = select(ACTIONS).where(
            ACTIONS.c.mch_id == mch_id,
            ACTIONS.c.card_id == card_id,
            ACTIONS.c.kind == kind.value,
            ACTIONS.c.created_at >= format_time(since),
        )
        if amount_cents is not None:
            query = query.where(ACTIONS.c.amount_cents == amount_cents)
        return self._select(query.order_by(ACTIONS.c.id.desc()))

    # ------------------------------------------------------------------ add-card pages

    @staticmethod
    def _page(conn: Connection, session_id: str, *, lock: bool = False) -> Row[Any] | None:
        query = select(PAGES).where(PAGES.c.session_id == session_id)
        if lock:
            query = query.with_for_update()
        return conn.execute(query).first()

    def open_card_page(
        self,
        *,
        mch_id: str,
        session_id: str,
        card_id: str,
        customer_label: str,
        operator: str,
        now: datetime | None = None,
    ) -> CardPage:
        """Record an add-card page IOTPay gave (audit ``card_add_started``), before the
        page is shown: from here until :meth:`end_card_page`, the desk owes a check."""
        at = self._now(now)
        customer_label = scrub(customer_label)
        with self._write() as conn:
            conn.execute(
                insert(PAGES).values(
                    mch_id=mch_id,
                    session_id=session_id,
                    card_id=card_id,
                    customer_label=customer_label,
                    started_by=operator,
                    started_at=at,
                )
            )
            self._insert_audit(
                conn,
                at,
                operator,
                "card_add_started",
                None,
                {"card_id": card_id, "customer_label": customer_label, "session_id": session_id},
                mch_id=mch_id,
            )
            row = self._page(conn, session_id)
            assert row is not None
        return _journal._card_page(_m(row))

    def close_card_page(
        self, session_id: str, *, operator: str, now: datetime | None = None
    ) -> CardPage | None:
        """The page was closed on screen before it came back to the desk: note when
        (audit ``card_add_cancelled``, once). None for an unknown ``session_id``."""
        at = self._now(now)
        with self._write() as conn:
            row = self._page(conn, session_id, lock=True)
            if row is None:
                return None
            if _m(row)["closed_at"] is None and _m(row)["outcome"] is None:
                conn.execute(
                    update(PAGES).where(PAGES.c.session_id == session_id).values(closed_at=at)
                )
                self._insert_audit(
                    conn,
                    at,
                    operator,
                    "card_add_cancelled",
                    None,
                    {"card_id": _m(row)["card_id"], "session_id": session_id},
                    mch_id=_m(row)["mch_id"],
                )
                row = self._page(conn, session_id)
                assert row is not None
        return _journal._card_page(_m(row))

    def end_card_page(
        self,
        session_id: str,
        outcome: str,
        *,
        operator: str,
        event: str | None = None,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> CardPage | None:
        """Mark an add-card page ended with ``outcome`` (and append the audit ``event``,
        if given, in the same transaction). Ending a page already ended changes nothing
        and returns it as it was; an unknown ``session_id`` returns None."""
        if outcome not in _journal.CARD_PAGE_OUTCOMES:
            raise ValueError(f"outcome: must be one of {_journal.CARD_PAGE_OUTCOMES}")
        at = self._now(now)
        with self._write() as conn:
            row = self._page(conn, session_id, lock=True)
            if row is None or _m(row)["outcome"] is not None:
                return None if row is None else _journal._card_page(_m(row))
            conn.execute(
                update(PAGES)
                .where(PAGES.c.session_id == session_id)
                .values(outcome=outcome, ended_at=at)
            )
            if event is not None:
                audit: dict[str, Any] = {"card_id": _m(row)["card_id"], "session_id": session_id}
                audit.update(detail or {})
                self._insert_audit(conn, at, operator, event, None, audit, mch_id=_m(row)["mch_id"])
            row = self._page(conn, session_id)
            assert row is not None
        return _journal._card_page(_m(row))

    def open_card_pages(self, mch_id: str) -> list[CardPage]:
        """Add-card pages of ``mch_id`` not known to have ended, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(PAGES)
                .where(PAGES.c.mch_id == mch_id, PAGES.c.outcome.is_(None))
                .order_by(PAGES.c.id)
            ).all()
        return [_journal._card_page(_m(r)) for r in rows]

    # ------------------------------------------------------------------ notifications

    def record_notification(self, order: Order, *, now: datetime | None = None) -> Notification:
        """Record a verified notification (audit ``notified`` the first time only); IOTPay's
        retries of it count in ``times``. Committed before the receiver answers SUCCESS."""
        at = self._now(now)
        card_num = mask_card_number(order.card_num)
        status = int(order.status)
        booked = (
            self.books.order_values(order, source="notify", confirmed=False, now=now)
            if order.pay_order_id and order.mch_id
            else None
        )
        with self._write() as conn:
            self._serialize(conn, "notification", order.mch_id, f"{order.pay_order_id}:{status}")
            row_id = conn.execute(
                select(NOTES.c.id).where(
                    NOTES.c.mch_id == order.mch_id,
                    NOTES.c.pay_order_id == order.pay_order_id,
                    NOTES.c.status == status,
                )
            ).scalar()
            if row_id is None:
                result = conn.execute(
                    insert(NOTES).values(
                        mch_id=order.mch_id,
                        pay_order_id=order.pay_order_id,
                        mch_order_no=order.mch_order_no,
                        pay_type=order.pay_type,
                        status=status,
                        amount_cents=order.amount,
                        card_num=card_num,
                        first_at=at,
                        last_at=at,
                    )
                )
                row_id = _new_id(result)
                self._insert_audit(
                    conn,
                    at,
                    "iotpay",
                    "notified",
                    None,
                    {
                        "pay_order_id": order.pay_order_id,
                        "mch_order_no": order.mch_order_no,
                        "pay_type": order.pay_type,
                        "status": status,
                        "amount_cents": order.amount,
                    },
                    mch_id=order.mch_id,
                )
            else:
                conn.execute(
                    update(NOTES)
                    .where(NOTES.c.id == row_id)
                    .values(times=NOTES.c.times + 1, last_at=at)
                )
            saved = conn.execute(select(NOTES).where(NOTES.c.id == row_id)).one()
            # In the books too (a notification confirms nothing: cc_query does).
            if booked is not None:
                self.books.upsert(conn, booked)
        return _journal._notification(_m(saved))

    def notifications(
        self, mch_id: str, pay_order_id: str | None = None, *, limit: int = 100
    ) -> list[Notification]:
        """Notifications received for ``mch_id`` (for one order if given), newest first."""
        query = select(NOTES).where(NOTES.c.mch_id == mch_id)
        if pay_order_id is not None:
            query = query.where(NOTES.c.pay_order_id == pay_order_id)
        with self._read() as conn:
            rows = conn.execute(query.order_by(NOTES.c.id.desc()).limit(max(1, int(limit)))).all()
        return [_journal._notification(_m(r)) for r in rows]


if TYPE_CHECKING:
    # The one implementation of the services' port.
    _: type[Ledger] = LedgerJournal

"""The money journal: one SQLite file per merchant profile (``AppPaths.journal_path``).

Every money-moving call is written here as an *intent* before it is sent and
completed with IOTPay's answer afterwards; every step is appended to the audit trail
in the same transaction. The file is in WAL mode with ``synchronous=FULL`` (a
committed intent survives a crash or power loss), foreign keys on, and a busy timeout
so two windows or two desk processes can share it.

Threading: a :class:`Journal` holds one connection guarded by a lock and may be used
from any thread. Each method is a short indexed query or one small transaction, but
it still blocks on disk I/O: the GUI calls it through ``asyncio.to_thread`` (the money
service does), never directly on the GUI thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iotpay_desk.api.models import Order, mask_card_number

from .errors import (
    CardInVault,
    CardNotInVault,
    JournalError,
    JournalTooNew,
    OpenActionExists,
    TargetChanged,
)
from .models import (
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
from .schema import MIGRATIONS, SCHEMA_VERSION
from .scrub import scrub, scrub_detail

__all__ = ["LOOKUPS_KEPT", "Journal"]

LOOKUPS_KEPT = 50
_OPEN_STATES = ("intent", "checking")
# States of a later action that change what a payment has left to refund or void.
_CHANGING_STATES = ("intent", "checking", "succeeded")

_ACTION_COLUMNS = (
    "id, kind, mch_id, target_pay_order_id, mch_no, amount_cents, currency, operator, "
    "reason, note, state, pay_order_id, status, ret_msg, card_num, card_type, auth_num, "
    "trans_num, pay_succ_time, created_at, updated_at, attempts, card_id, mch_user_id, subject"
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _action(row: sqlite3.Row) -> Action:
    return Action(
        id=row["id"],
        kind=ActionKind(row["kind"]),
        mch_id=row["mch_id"],
        target_pay_order_id=row["target_pay_order_id"],
        mch_no=row["mch_no"],
        amount_cents=row["amount_cents"],
        currency=row["currency"],
        operator=row["operator"],
        reason=row["reason"],
        note=row["note"],
        state=ActionState(row["state"]),
        pay_order_id=row["pay_order_id"],
        status=row["status"],
        ret_msg=row["ret_msg"],
        card_num=row["card_num"],
        card_type=row["card_type"],
        auth_num=row["auth_num"],
        trans_num=row["trans_num"],
        pay_succ_time=row["pay_succ_time"],
        created_at=parse_time(row["created_at"]),
        updated_at=parse_time(row["updated_at"]),
        attempts=row["attempts"],
        card_id=row["card_id"],
        mch_user_id=row["mch_user_id"],
        subject=row["subject"],
        **(_shared_columns(row) if len(row) > _V6_ACTION_COLUMNS else {}),
    )


# An actions row of the journal's v6 schema has 25 columns; the shared ledger's (revision
# 0002) appends the desk and the check lease.
_V6_ACTION_COLUMNS = 25


def _shared_columns(row: Any) -> dict[str, Any]:
    until = row["lease_until"]
    return {
        "desk": row["desk"],
        "lease_owner": row["lease_owner"],
        "lease_desk": row["lease_desk"],
        "lease_until": parse_time(until) if until else None,
    }


def _audit(row: sqlite3.Row) -> AuditEntry:
    try:
        detail = json.loads(row["detail"])
    except ValueError:
        detail = {}
    return AuditEntry(
        id=row["id"],
        at=parse_time(row["at"]),
        operator=row["operator"],
        event=row["event"],
        action_id=row["action_id"],
        detail=detail if isinstance(detail, dict) else {},
        **({"mch_id": row["mch_id"], "desk": row["desk"]} if len(row) > 6 else {}),
    )


_VAULT_COLUMNS = (
    "mch_id, card_id, customer_label, card_num, brand, expiry_date, holder, via, added_by, "
    "added_at, refreshed_at"
)
VAULT_VIA = ("hosted", "direct", "imported")
_BRAND_NAMES = {"V": ("visa",), "M": ("mastercard", "master card"), "A": ("amex", "american")}


def _vault_card(row: sqlite3.Row) -> VaultCard:
    return VaultCard(
        card_id=row["card_id"],
        customer_label=row["customer_label"],
        card_num=row["card_num"],
        brand=row["brand"],
        expiry_date=row["expiry_date"],
        holder=row["holder"],
        added_by=row["added_by"],
        added_at=parse_time(row["added_at"]),
        mch_id=row["mch_id"],
        via=row["via"],
        refreshed_at=parse_time(row["refreshed_at"]) if row["refreshed_at"] else None,
    )


def _card_page(row: sqlite3.Row) -> CardPage:
    return CardPage(
        session_id=row["session_id"],
        card_id=row["card_id"],
        customer_label=row["customer_label"],
        started_by=row["started_by"],
        started_at=parse_time(row["started_at"]),
        mch_id=row["mch_id"],
        closed_at=parse_time(row["closed_at"]) if row["closed_at"] else None,
        outcome=row["outcome"],
        ended_at=parse_time(row["ended_at"]) if row["ended_at"] else None,
    )


def _notification(row: sqlite3.Row) -> Notification:
    return Notification(
        pay_order_id=row["pay_order_id"],
        mch_order_no=row["mch_order_no"],
        pay_type=row["pay_type"],
        status=row["status"],
        amount_cents=row["amount_cents"],
        card_num=row["card_num"],
        first_at=parse_time(row["first_at"]),
        last_at=parse_time(row["last_at"]),
        times=row["times"],
        mch_id=row["mch_id"],
    )


CARD_PAGE_OUTCOMES = ("added", "not_added", "cancelled")


def _search_text(card_id: str, label: str, holder: str, card_num: str) -> str:
    digits = "".join(c for c in card_num if c.isdigit())
    return "\n".join((label, card_id, holder, digits[-4:])).casefold()


def _brands_for(term: str) -> list[str]:
    """Brand codes a search term names: ``v``, ``visa``, ``master`` …"""
    found = []
    for code, names in _BRAND_NAMES.items():
        if term == code.casefold() or any(n.startswith(term) for n in names if len(term) >= 2):
            found.append(code)
    return found


def _lookup(row: sqlite3.Row) -> Lookup:
    return Lookup(
        id=row["id"],
        at=parse_time(row["at"]),
        query=row["query"],
        pay_order_id=row["pay_order_id"],
        mch_order_no=row["mch_order_no"],
    )


class Journal:
    """The money journal over one SQLite file (created and migrated on open).

    ``clock`` gives the time written when a method is not told ``now``.
    Raises :class:`JournalTooNew` for a file from a newer desk (left untouched).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], datetime] = _utcnow,
        busy_timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._db.execute("PRAGMA foreign_keys = ON")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(f"the journal cannot use WAL mode (got {mode})")
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock is taken before any read."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._write() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise JournalTooNew(version, SCHEMA_VERSION)
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    db.execute(statement)
            if version != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _now(self, now: datetime | None) -> str:
        return format_time(now or self._clock())

    def _insert_audit(
        self,
        db: sqlite3.Connection,
        at: str,
        operator: str,
        event: str,
        action_id: int | None,
        detail: Mapping[str, Any] | None,
    ) -> int:
        text = json.dumps(scrub_detail(detail), ensure_ascii=False, sort_keys=True)
        cur = db.execute(
            "INSERT INTO audit (at, operator, action_id, event, detail) VALUES (?, ?, ?, ?, ?)",
            (at, operator, action_id, event, text),
        )
        return int(cur.lastrowid or 0)

    def _get(self, db: sqlite3.Connection, action_id: int) -> Action:
        row = db.execute(
            f"SELECT {_ACTION_COLUMNS} FROM actions WHERE id = ?",  # noqa: S608 - fixed columns
            (action_id,),
        ).fetchone()
        if row is None:
            raise KeyError(action_id)
        return _action(row)

    def _select(self, where: str, params: tuple[Any, ...]) -> list[Action]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ACTION_COLUMNS} FROM actions WHERE {where}",  # noqa: S608 - fixed SQL
                params,
            ).fetchall()
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
        """Write an action as an intent, before its call is sent.

        In one ``BEGIN IMMEDIATE`` transaction (so two processes cannot interleave):
        raises :class:`OpenActionExists` if an unresolved action on the same target
        exists, and, when ``changed_since`` is given (the newest action id on the target
        when the caller looked), :class:`TargetChanged` if a later action on it is
        unresolved or succeeded.
        """
        at = self._now(now)
        reason, note, subject = scrub(reason), scrub(note), scrub(subject)
        with self._write() as db:
            if target_pay_order_id is not None:
                row = db.execute(
                    f"SELECT {_ACTION_COLUMNS} FROM actions "  # noqa: S608 - fixed SQL
                    "WHERE mch_id = ? AND target_pay_order_id = ? AND state IN (?, ?)",
                    (mch_id, target_pay_order_id, *_OPEN_STATES),
                ).fetchone()
                if row is not None:
                    raise OpenActionExists(_action(row))
                if changed_since is not None:
                    row = db.execute(
                        f"SELECT {_ACTION_COLUMNS} FROM actions "  # noqa: S608 - fixed SQL
                        "WHERE mch_id = ? AND target_pay_order_id = ? AND id > ? "
                        "AND state IN (?, ?, ?) ORDER BY id LIMIT 1",
                        (mch_id, target_pay_order_id, changed_since, *_CHANGING_STATES),
                    ).fetchone()
                    if row is not None:
                        raise TargetChanged(_action(row))
            try:
                cur = db.execute(
                    "INSERT INTO actions (kind, mch_id, target_pay_order_id, mch_no, "
                    "amount_cents, currency, operator, reason, note, state, created_at, "
                    "updated_at, card_id, mch_user_id, subject) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'intent', ?, ?, ?, ?, ?)",
                    (
                        kind.value,
                        mch_id,
                        target_pay_order_id,
                        mch_no,
                        amount_cents,
                        currency,
                        operator,
                        reason,
                        note,
                        at,
                        at,
                        card_id,
                        mch_user_id,
                        subject,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise JournalError(f"cannot write the intent for {mch_no}: {exc}") from None
            action_id = int(cur.lastrowid or 0)
            audit = {
                "kind": kind.value,
                "mch_no": mch_no,
                "target": target_pay_order_id,
                "amount_cents": amount_cents,
                "currency": currency,
                "reason": reason,
                "note": note,
            }
            if card_id is not None:
                audit["card_id"] = card_id
            audit.update(detail or {})
            self._insert_audit(db, at, operator, "intent", action_id, audit)
            return self._get(db, action_id)

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
        with self._write() as db:
            action = self._get(db, action_id)
            if action.state is not ActionState.INTENT:
                return action
            db.execute(
                "UPDATE actions SET state = 'checking', updated_at = ? WHERE id = ?",
                (at, action_id),
            )
            self._insert_audit(
                db,
                at,
                operator or action.operator,
                "checking",
                action_id,
                {"kind": action.kind.value, "mch_no": action.mch_no, "why": why},
            )
            return self._get(db, action_id)

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
        with self._write() as db:
            action = self._get(db, action_id)
            db.execute(
                "UPDATE actions SET attempts = attempts + 1, updated_at = ? WHERE id = ?",
                (at, action_id),
            )
            self._insert_audit(
                db,
                at,
                operator or action.operator,
                "check",
                action_id,
                {
                    "kind": action.kind.value,
                    "mch_no": action.mch_no,
                    "result": result,
                    "attempt": action.attempts + 1,
                },
            )
            return self._get(db, action_id)

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
        """Record how an action ended (``order``: IOTPay's order for it, when known).

        A succeeded, failed or declined action never changes again: a later, different
        answer is only written to the audit trail (event ``late_answer``). A
        ``not_received`` action is corrected if IOTPay's order for it turns up after all.
        ``checked`` counts the ``cc_query`` that gave the answer in ``attempts``.
        """
        if state.is_open:
            raise ValueError("complete() takes a final state")
        at = self._now(now)
        ret_msg = scrub(ret_msg or (order.ret_msg if order else ""))
        with self._write() as db:
            action = self._get(db, action_id)
            who = operator or action.operator
            audit: dict[str, Any] = {
                "kind": action.kind.value,
                "mch_no": action.mch_no,
                "state": state.value,
                "amount_cents": order.amount if order else action.amount_cents,
                "ret_msg": ret_msg,
            }
            if order is not None:
                audit.update(
                    pay_order_id=order.pay_order_id,
                    status=int(order.status),
                    card_num=mask_card_number(order.card_num),
                )
            audit.update(detail or {})
            keep = action.state.is_final and (
                action.state is not ActionState.NOT_RECEIVED or order is None
            )
            if keep:
                if action.state is not state:
                    audit["kept_state"] = action.state.value
                    self._insert_audit(db, at, who, "late_answer", action_id, audit)
                return action
            if order is not None:
                db.execute(
                    "UPDATE actions SET state = ?, pay_order_id = ?, status = ?, ret_msg = ?, "
                    "card_num = ?, card_type = ?, auth_num = ?, trans_num = ?, "
                    "pay_succ_time = ?, updated_at = ?, attempts = attempts + ? WHERE id = ?",
                    (
                        state.value,
                        order.pay_order_id or None,
                        int(order.status),
                        ret_msg,
                        mask_card_number(order.card_num),
                        order.card_type,
                        order.auth_num,
                        order.trans_num,
                        order.pay_succ_time,
                        at,
                        int(checked),
                        action_id,
                    ),
                )
            else:
                db.execute(
                    "UPDATE actions SET state = ?, ret_msg = ?, updated_at = ?, "
                    "attempts = attempts + ? WHERE id = ?",
                    (state.value, ret_msg, at, int(checked), action_id),
                )
            if action.state is ActionState.NOT_RECEIVED:
                audit["corrected_from"] = action.state.value
            self._insert_audit(db, at, who, event, action_id, audit)
            return self._get(db, action_id)

    def get_action(self, action_id: int) -> Action:
        """The action with this id (``KeyError`` if none)."""
        with self._lock:
            return self._get(self._db, action_id)

    def find_action(self, mch_id: str, mch_no: str) -> Action | None:
        """The action with this generated mchRefundNo / mchOrderNo, if any."""
        found = self._select("mch_id = ? AND mch_no = ?", (mch_id, mch_no))
        return found[0] if found else None

    def actions_for_target(self, mch_id: str, pay_order_id: str) -> list[Action]:
        """Refunds and voids made on one payment, oldest first."""
        return self._select(
            "mch_id = ? AND target_pay_order_id = ? ORDER BY id", (mch_id, pay_order_id)
        )

    def draft_basis(self, mch_id: str, pay_order_id: str) -> int:
        """The basis of a new refund or void form on a payment: the newest action id
        whose outcome the form can take into account.

        An action still unresolved (intent or checking) is *not* part of the basis: the
        form was filled in without knowing its outcome, so when it succeeds the form is
        stale (``create_intent(changed_since=basis)`` then raises :class:`TargetChanged`).
        With nothing unresolved this is the newest action id on the payment (0 if none).
        """
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(id) FROM actions WHERE mch_id = ? AND target_pay_order_id = ? "
                "AND state IN (?, ?)",
                (mch_id, pay_order_id, *_OPEN_STATES),
            ).fetchone()
            if row[0] is not None:
                return int(row[0]) - 1
            row = self._db.execute(
                "SELECT MAX(id) FROM actions WHERE mch_id = ? AND target_pay_order_id = ?",
                (mch_id, pay_order_id),
            ).fetchone()
        return int(row[0] or 0)

    def latest_action_id(self, mch_id: str, pay_order_id: str) -> int:
        """The newest action id on a payment (0 if none): the basis of a draft."""
        with self._lock:
            row = self._db.execute(
                "SELECT MAX(id) FROM actions WHERE mch_id = ? AND target_pay_order_id = ?",
                (mch_id, pay_order_id),
            ).fetchone()
        return int(row[0] or 0)

    def open_actions(self, mch_id: str | None = None) -> list[Action]:
        """Unresolved actions (intent or checking), oldest first."""
        if mch_id is None:
            return self._select("state IN (?, ?) ORDER BY id", _OPEN_STATES)
        return self._select("state IN (?, ?) AND mch_id = ? ORDER BY id", (*_OPEN_STATES, mch_id))

    def actions_page(self, limit: int = 100, before_id: int | None = None) -> list[Action]:
        """Actions newest first, ``limit`` at a time (``before_id``: the last id seen)."""
        limit = max(1, min(int(limit), 1000))
        if before_id is None:
            return self._select("1 ORDER BY id DESC LIMIT ?", (limit,))
        return self._select("id < ? ORDER BY id DESC LIMIT ?", (before_id, limit))

    # ------------------------------------------------------------------ audit

    def append_audit(
        self,
        operator: str,
        event: str,
        *,
        action_id: int | None = None,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AuditEntry:
        """Append one entry to the audit trail (its detail scrubbed of card data)."""
        at = self._now(now)
        with self._write() as db:
            entry_id = self._insert_audit(db, at, operator, event, action_id, detail)
            row = db.execute("SELECT * FROM audit WHERE id = ?", (entry_id,)).fetchone()
        return _audit(row)

    def audit_page(self, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
        """The audit trail newest first, ``limit`` at a time (``before_id``: last id seen)."""
        limit = max(1, min(int(limit), 1000))
        with self._lock:
            if before_id is None:
                rows = self._db.execute(
                    "SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?",
                    (before_id, limit),
                ).fetchall()
        return [_audit(r) for r in rows]

    def audit_for_action(self, action_id: int) -> list[AuditEntry]:
        """Every audit entry of one action, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM audit WHERE action_id = ? ORDER BY id", (action_id,)
            ).fetchall()
        return [_audit(r) for r in rows]

    # ------------------------------------------------------------------ lookups

    def record_lookup(
        self,
        mch_id: str,
        query: str,
        pay_order_id: str,
        mch_order_no: str = "",
        *,
        keep: int = LOOKUPS_KEPT,
        now: datetime | None = None,
    ) -> Lookup:
        """Remember a lookup (one entry per payment, the newest; ``keep`` kept)."""
        at = self._now(now)
        with self._write() as db:
            db.execute(
                "DELETE FROM lookups WHERE mch_id = ? AND pay_order_id = ?",
                (mch_id, pay_order_id),
            )
            cur = db.execute(
                "INSERT INTO lookups (at, mch_id, query, pay_order_id, mch_order_no) "
                "VALUES (?, ?, ?, ?, ?)",
                (at, mch_id, scrub(query), pay_order_id, mch_order_no),
            )
            db.execute(
                "DELETE FROM lookups WHERE mch_id = ? AND id NOT IN "
                "(SELECT id FROM lookups WHERE mch_id = ? ORDER BY id DESC LIMIT ?)",
                (mch_id, mch_id, max(1, keep)),
            )
            row = db.execute("SELECT * FROM lookups WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _lookup(row)

    def recent_lookups(self, mch_id: str, limit: int = 20) -> list[Lookup]:
        """Recent lookups, most recent first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM lookups WHERE mch_id = ? ORDER BY id DESC LIMIT ?",
                (mch_id, max(1, int(limit))),
            ).fetchall()
        return [_lookup(r) for r in rows]

    # ------------------------------------------------------------------ card vault

    def _vault_row(self, db: sqlite3.Connection, mch_id: str, card_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = db.execute(
            f"SELECT {_VAULT_COLUMNS}, removed_at FROM vault_cards "  # noqa: S608 - fixed SQL
            "WHERE mch_id = ? AND card_id = ?",
            (mch_id, card_id),
        ).fetchone()
        return row

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
        """Put a card bound at IOTPay into the vault (with an audit entry ``card_added``).

        ``card_num`` is masked again here, whatever the caller passed. Raises
        :class:`CardInVault` if the vault holds the cardId already; a card removed
        earlier comes back (same row, new details).
        """
        if via not in VAULT_VIA:
            raise ValueError(f"via: must be one of {VAULT_VIA}")
        at = self._now(now)
        card_num = mask_card_number(card_num)
        customer_label, holder = scrub(customer_label), scrub(holder)
        search = _search_text(card_id, customer_label, holder, card_num)
        with self._write() as db:
            row = self._vault_row(db, mch_id, card_id)
            revived = row is not None
            if row is not None:
                if row["removed_at"] is None:
                    raise CardInVault(_vault_card(row))
                db.execute(
                    "UPDATE vault_cards SET customer_label = ?, card_num = ?, brand = ?, "
                    "expiry_date = ?, holder = ?, via = ?, added_by = ?, added_at = ?, "
                    "refreshed_at = NULL, removed_by = NULL, removed_at = NULL, search_text = ? "
                    "WHERE mch_id = ? AND card_id = ?",
                    (
                        customer_label,
                        card_num,
                        brand,
                        expiry_date,
                        holder,
                        via,
                        operator,
                        at,
                        search,
                        mch_id,
                        card_id,
                    ),
                )
            else:
                db.execute(
                    "INSERT INTO vault_cards (mch_id, card_id, customer_label, card_num, brand, "
                    "expiry_date, holder, via, added_by, added_at, search_text) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        mch_id,
                        card_id,
                        customer_label,
                        card_num,
                        brand,
                        expiry_date,
                        holder,
                        via,
                        operator,
                        at,
                        search,
                    ),
                )
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
            self._insert_audit(db, at, operator, "card_added", None, audit)
            added = self._vault_row(db, mch_id, card_id)
            assert added is not None
            return _vault_card(added)

    def get_vault_card(
        self, mch_id: str, card_id: str, *, include_removed: bool = False
    ) -> VaultCard | None:
        """The vault's card with this cardId (None if none, or removed unless asked)."""
        with self._lock:
            row = self._vault_row(self._db, mch_id, card_id)
        if row is None or (row["removed_at"] is not None and not include_removed):
            return None
        return _vault_card(row)

    def list_vault_cards(
        self, mch_id: str, search: str = "", *, limit: int | None = None
    ) -> list[VaultCard]:
        """The vault's cards, by customer label; ``search``: every word must match the
        label, the cardId, the holder, the last four digits or the brand (any case)."""
        where = ["mch_id = ?", "removed_at IS NULL"]
        params: list[Any] = [mch_id]
        for term in search.casefold().split():
            brands = _brands_for(term)
            clause = "instr(search_text, ?) > 0"
            params.append(term)
            if brands:
                clause += f" OR brand IN ({', '.join('?' * len(brands))})"
                params.extend(brands)
            where.append(f"({clause})")
        sql = (
            f"SELECT {_VAULT_COLUMNS} FROM vault_cards WHERE "  # noqa: S608 - fixed SQL
            + " AND ".join(where)
            + " ORDER BY customer_label COLLATE NOCASE, card_id"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(1, int(limit)))
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [_vault_card(r) for r in rows]

    def vault_labels(self, mch_id: str, card_ids: Iterable[str]) -> dict[str, str]:
        """The customer labels of these cards of the vault (cardId → label; cards not in
        it, or removed, left out), through the (merchant, cardId) UNIQUE index."""
        wanted = sorted({c for c in card_ids if c})
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                rows = self._db.execute(
                    "SELECT card_id, customer_label FROM vault_cards WHERE mch_id = ? "  # noqa: S608
                    f"AND card_id IN ({', '.join('?' * len(part))}) AND removed_at IS NULL",
                    (mch_id, *part),
                ).fetchall()
                found.update((r[0], r[1]) for r in rows)
        return found

    def count_vault_cards(self, mch_id: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM vault_cards WHERE mch_id = ? AND removed_at IS NULL",
                (mch_id,),
            ).fetchone()
        return int(row[0])

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
        """Change a card's details (IOTPay's answer on a refresh, or a new label).

        Audit: ``card_refreshed`` when ``refreshed``, else ``card_changed``, with the
        fields that changed. Raises :class:`CardNotInVault`.
        """
        at = self._now(now)
        with self._write() as db:
            row = self._vault_row(db, mch_id, card_id)
            if row is None or row["removed_at"] is not None:
                raise CardNotInVault(card_id)
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
            values = {k: (v if v is not None else row[k]) for k, v in new.items()}
            search = _search_text(
                card_id, values["customer_label"], values["holder"], values["card_num"]
            )
            db.execute(
                "UPDATE vault_cards SET card_num = ?, brand = ?, expiry_date = ?, holder = ?, "
                "customer_label = ?, search_text = ?, refreshed_at = "
                "CASE WHEN ? THEN ? ELSE refreshed_at END WHERE mch_id = ? AND card_id = ?",
                (
                    values["card_num"],
                    values["brand"],
                    values["expiry_date"],
                    values["holder"],
                    values["customer_label"],
                    search,
                    int(refreshed),
                    at,
                    mch_id,
                    card_id,
                ),
            )
            if changed or not refreshed:
                event = "card_refreshed" if refreshed else "card_changed"
                self._insert_audit(
                    db, at, operator, event, None, {"card_id": card_id, "changed": changed}
                )
            updated = self._vault_row(db, mch_id, card_id)
            assert updated is not None
            return _vault_card(updated)

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
        with self._write() as db:
            row = self._vault_row(db, mch_id, card_id)
            if row is None or row["removed_at"] is not None:
                raise CardNotInVault(card_id)
            db.execute(
                "UPDATE vault_cards SET removed_by = ?, removed_at = ? "
                "WHERE mch_id = ? AND card_id = ?",
                (operator, at, mch_id, card_id),
            )
            audit: dict[str, Any] = {
                "card_id": card_id,
                "customer_label": row["customer_label"],
                "card_num": row["card_num"],
            }
            audit.update(detail or {})
            self._insert_audit(db, at, operator, "card_removed", None, audit)
            return _vault_card(row)

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
        where = "mch_id = ? AND card_id = ? AND kind = ? AND created_at >= ?"
        params: tuple[Any, ...] = (mch_id, card_id, kind.value, format_time(since))
        if amount_cents is not None:
            where += " AND amount_cents = ?"
            params += (amount_cents,)
        return self._select(where + " ORDER BY id DESC", params)

    # ------------------------------------------------------------------ add-card pages

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
        with self._write() as db:
            db.execute(
                "INSERT INTO card_pages (mch_id, session_id, card_id, customer_label, "
                "started_by, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                (mch_id, session_id, card_id, customer_label, operator, at),
            )
            self._insert_audit(
                db,
                at,
                operator,
                "card_add_started",
                None,
                {"card_id": card_id, "customer_label": customer_label, "session_id": session_id},
            )
            row = db.execute(
                "SELECT * FROM card_pages WHERE session_id = ?", (session_id,)
            ).fetchone()
        return _card_page(row)

    def close_card_page(
        self, session_id: str, *, operator: str, now: datetime | None = None
    ) -> CardPage | None:
        """The page was closed on screen before it came back to the desk: note when
        (audit ``card_add_cancelled``, once). The page stays open: IOTPay may still bind
        a card submitted just before. None for an unknown ``session_id``."""
        at = self._now(now)
        with self._write() as db:
            row = db.execute(
                "SELECT * FROM card_pages WHERE session_id = ?", (session_id,)
            ).fetchone()
            if row is None:
                return None
            if row["closed_at"] is None and row["outcome"] is None:
                db.execute(
                    "UPDATE card_pages SET closed_at = ? WHERE session_id = ?", (at, session_id)
                )
                self._insert_audit(
                    db,
                    at,
                    operator,
                    "card_add_cancelled",
                    None,
                    {"card_id": row["card_id"], "session_id": session_id},
                )
                row = db.execute(
                    "SELECT * FROM card_pages WHERE session_id = ?", (session_id,)
                ).fetchone()
        return _card_page(row)

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
        if outcome not in CARD_PAGE_OUTCOMES:
            raise ValueError(f"outcome: must be one of {CARD_PAGE_OUTCOMES}")
        at = self._now(now)
        with self._write() as db:
            row = db.execute(
                "SELECT * FROM card_pages WHERE session_id = ?", (session_id,)
            ).fetchone()
            if row is None or row["outcome"] is not None:
                return None if row is None else _card_page(row)
            db.execute(
                "UPDATE card_pages SET outcome = ?, ended_at = ? WHERE session_id = ?",
                (outcome, at, session_id),
            )
            if event is not None:
                audit: dict[str, Any] = {"card_id": row["card_id"], "session_id": session_id}
                audit.update(detail or {})
                self._insert_audit(db, at, operator, event, None, audit)
            row = db.execute(
                "SELECT * FROM card_pages WHERE session_id = ?", (session_id,)
            ).fetchone()
        return _card_page(row)

    def open_card_pages(self, mch_id: str) -> list[CardPage]:
        """Add-card pages of ``mch_id`` not known to have ended, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM card_pages WHERE mch_id = ? AND outcome IS NULL ORDER BY id",
                (mch_id,),
            ).fetchall()
        return [_card_page(r) for r in rows]

    # ------------------------------------------------------------------ notifications

    def record_notification(self, order: Order, *, now: datetime | None = None) -> Notification:
        """Record a verified notification (audit ``notified`` the first time only); IOTPay's
        retries of it count in ``times``. Committed before the receiver answers SUCCESS."""
        at = self._now(now)
        card_num = mask_card_number(order.card_num)
        with self._write() as db:
            row = db.execute(
                "SELECT id FROM notifications WHERE mch_id = ? AND pay_order_id = ? AND status = ?",
                (order.mch_id, order.pay_order_id, int(order.status)),
            ).fetchone()
            if row is None:
                cur = db.execute(
                    "INSERT INTO notifications (mch_id, pay_order_id, mch_order_no, pay_type, "
                    "status, amount_cents, card_num, first_at, last_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        order.mch_id,
                        order.pay_order_id,
                        order.mch_order_no,
                        order.pay_type,
                        int(order.status),
                        order.amount,
                        card_num,
                        at,
                        at,
                    ),
                )
                row_id = int(cur.lastrowid or 0)
                self._insert_audit(
                    db,
                    at,
                    "iotpay",
                    "notified",
                    None,
                    {
                        "pay_order_id": order.pay_order_id,
                        "mch_order_no": order.mch_order_no,
                        "pay_type": order.pay_type,
                        "status": int(order.status),
                        "amount_cents": order.amount,
                    },
                )
            else:
                row_id = int(row["id"])
                db.execute(
                    "UPDATE notifications SET times = times + 1, last_at = ? WHERE id = ?",
                    (at, row_id),
                )
            saved = db.execute("SELECT * FROM notifications WHERE id = ?", (row_id,)).fetchone()
        return _notification(saved)

    def notifications(
        self, mch_id: str, pay_order_id: str | None = None, *, limit: int = 100
    ) -> list[Notification]:
        """Notifications received for ``mch_id`` (for one order if given), newest first."""
        where, params = "mch_id = ?", [mch_id]
        if pay_order_id is not None:
            where += " AND pay_order_id = ?"
            params.append(pay_order_id)
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM notifications WHERE {where} ORDER BY id DESC LIMIT ?",  # noqa: S608 - fixed SQL
                (*params, max(1, int(limit))),
            ).fetchall()
        return [_notification(r) for r in rows]

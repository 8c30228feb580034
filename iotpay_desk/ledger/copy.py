"""Copy the rows of one ledger into another, keeping what the target has: the
``iotpay-desk ledger copy`` command, and the merge of a merchant's per-profile journal
files into the merchant's ledger at the desk's first start.

:func:`copy_ledger` copies actions (first: audit rows point at them), audit, lookups,
vault cards, card pages, notifications and the books' orders. Both ledgers must be at head
(:func:`copy_between` migrates them first). The rules:

- **Once.** Every source row handled is recorded in the target's ``copied_rows``
  (the source's ``ledger_meta`` id, the table, its id there, its id here) in the same
  transaction as what it wrote; a transaction holds ``batch`` rows. A copy run again,
  or after a crash or a kill, skips what is recorded and does the rest: nothing is
  copied twice. A row is copied as it was then; an unresolved action copied is resolved
  by the desk on the target like any other.
- **New ids.** Rows get the target's ids, in the source's order, after the rows the
  target had (their times are their own); an audit row follows its action's new id. An
  audit row with no merchant (written before revision 0002, with no action) takes the
  source's only merchant, or ``merchant`` when given.
- **One row per thing.** A row the target already holds under the same natural key is
  mapped to it, not duplicated:

  - actions (merchant, ``mch_no``): the target's row is kept; if the source's state is
    further on (intent < checking < not received < succeeded/failed/declined), the
    target's row takes the source's outcome (logged). Two different requests under one
    number are refused (:class:`~iotpay_desk.ledger.errors.LedgerError`).
  - vault cards (merchant, cardId): the latest decision wins, except that a copy never
    brings a removed card back. Both live: the row added or refreshed last gives the
    label and details. Live here, removed there after it was added here: removed here
    too (with the source's who and when). Removed here, live there: it stays removed
    (logged, and listed in the report): the operator imports it again by its cardId if
    it should be in the vault (removal may have been the customer's wish).
  - card pages (session id): the target's row, ended or closed as the source's was if
    it was still open here.
  - notifications (merchant, order, status): one row; ``times`` summed, ``first_at`` the
    earlier, ``last_at`` the later.
  - orders in the books (merchant, IOTPay order): one row; IOTPay's status, refunded
    amount and confirmation from the ledger whose IOTPay confirmation is the latest;
    facts and who made it kept from the target where known, filled in from the source;
    a void in either stays a void; first seen the earlier, updated the later.
  - closed days (merchant, business day): the target's close is kept; a day closed
    only in the source comes with its orders as closed.
  - bank deposits (merchant, account, the bank's reference): one row.
  - deposit matches (merchant, business day): the target's match is kept; the source's
    follows its deposit's new id.
  - look-ups and audit rows have no natural key: ``copied_rows`` alone keeps them once.
- **Invariants hold.** Nothing is disabled. A payment with an unresolved action in the
  target and another in the source stops the copy with
  :class:`~iotpay_desk.ledger.errors.CopyConflict` (that batch rolled back, the batches
  before it kept): let a desk resolve one of them with IOTPay, then copy again. A free
  text the target would refuse as card-like (a file from before journal version 6 may
  hold one) is masked by :func:`~iotpay_desk.journal.scrub.scrub` on the way (counted in
  the report). Leases on checking are not copied: they belong to a desk process of the
  source.
- **Counted.** At the end, for each table, the rows in the source must equal the rows
  the target recorded as copied from it (inserted or mapped), and every recorded row
  must exist in the target (look-ups excepted: the desk prunes them); otherwise
  :class:`~iotpay_desk.ledger.errors.CopyCountMismatch`.
- **Read only.** Nothing is written to the source (migrating it, in
  :func:`copy_between` and :func:`merge_journal_files`, aside).

On PostgreSQL the copy takes the advisory locks :class:`~iotpay_desk.ledger.LedgerJournal`
takes for an intent, a vault card and a notification, so desks working on the target
meanwhile see a copied row as they would see another desk's; two copies of one source at
once take turns batch by batch (one more lock; SQLite's write lock does both).

:func:`merge_journal_files` merges journal files (any version the desk shipped) into the
merchant's ledger: each file is migrated, copied, then renamed ``<name>.merged`` beside
it (kept as a backup; a later start finds nothing to merge). A crash in between is
finished by the next call, with nothing copied twice. A file another program still holds
open is merged but not set aside (:class:`~iotpay_desk.ledger.errors.LedgerError`); the
next call finishes it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from iotpay_desk.api.rules import has_card_run
from iotpay_desk.journal.scrub import scrub

from .engine import open_engine, sqlite_url
from .errors import CopyConflict, CopyCountMismatch, LedgerError
from .journal import _LOCK_SCOPES
from .migrate import current_revision, head, migrate
from .schema import metadata

__all__ = [
    "MERGED_SUFFIX",
    "TABLES",
    "CopyReport",
    "Progress",
    "TableCount",
    "copy_between",
    "copy_ledger",
    "ledger_id",
    "merge_journal_files",
]

log = logging.getLogger(__name__)

TABLES = (
    "actions",
    "audit",
    "lookups",
    "vault_cards",
    "card_pages",
    "notifications",
    "orders",
    "day_closes",
    "bank_deposits",
    "deposit_matches",
)
"""What is copied, in this order (actions before the audit rows that point at them, bank
deposits before their matches). A closed day's orders as closed travel with it; the
jobs of imports and reconciliations do not (their results are in the books and the
audit)."""

MERGED_SUFFIX = ".merged"

Progress = Callable[[str, int, int], None]
"""``progress(table, done, total)``: rows handled so far and rows to handle, over all
tables; ``table`` is the one being copied. Called after each batch."""

# (source id, target id) pairs a batch wrote: new rows, and rows matched by natural key.
Pairs = tuple[list[tuple[int, int]], list[tuple[int, int]]]

_COPIED = metadata.tables["copied_rows"]
_META = metadata.tables["ledger_meta"]
_ACTIONS = metadata.tables["actions"]
_AUDIT = metadata.tables["audit"]
_VAULT = metadata.tables["vault_cards"]
_PAGES = metadata.tables["card_pages"]
_NOTES = metadata.tables["notifications"]
_ORDERS = metadata.tables["orders"]
_CLOSES = metadata.tables["day_closes"]
_CLOSE_ORDERS = metadata.tables["day_close_orders"]
_DEPOSITS = metadata.tables["bank_deposits"]
_MATCHES = metadata.tables["deposit_matches"]
# An order's columns a copy fills in from the source when the target's is empty.
_ORDER_FILLED = (
    "mch_order_no",
    "original_order_id",
    "card_brand",
    "card_last4",
    "card_id",
    "customer",
    "subject",
    "operator",
    "desk",
    "reason",
    "note",
)

# Texts the target refuses when card-like (journal v6's triggers; a v5 file may hold one).
_CHECKED_TEXTS = {
    "actions": ("reason", "note", "subject", "ret_msg"),
    "lookups": ("query",),
    "notifications": ("pay_order_id", "mch_order_no", "pay_type"),
}
_OPEN = ("intent", "checking")
_FINAL = ("succeeded", "failed", "declined")
# LedgerJournal's advisory lock scopes, and one for a copy's batches.
_SCOPES = {**_LOCK_SCOPES, "copy": 0x10751}
_STATE_RANK = {"intent": 0, "checking": 1, "not_received": 2}
# What an action asked for: equal in two rows of one (merchant, mch_no), or they differ.
_ASKED = ("kind", "target_pay_order_id", "amount_cents", "currency")
_OUTCOME = (
    "state",
    "pay_order_id",
    "status",
    "ret_msg",
    "card_num",
    "card_type",
    "auth_num",
    "trans_num",
    "pay_succ_time",
    "updated_at",
    "attempts",
)
_VAULT_DETAILS = (
    "customer_label",
    "card_num",
    "brand",
    "expiry_date",
    "holder",
    "via",
    "added_by",
    "added_at",
    "refreshed_at",
    "search_text",
)


@dataclass
class TableCount:
    """One table's figures. ``inserted``/``mapped``/``already`` are this run's."""

    table: str
    source_rows: int = 0
    inserted: int = 0
    mapped: int = 0
    already: int = 0
    recorded: int = 0
    missing: int = 0

    @property
    def ok(self) -> bool:
        return self.source_rows == self.recorded and self.missing == 0

    def line(self) -> str:
        check = "ok" if self.ok else "MISMATCH"
        text = (
            f"{self.table}: {self.source_rows} in the source, {self.recorded} copied "
            f"({self.inserted} new, {self.mapped} matched, {self.already} before) {check}"
        )
        return text + (f", {self.missing} missing in the target" if self.missing else "")


@dataclass
class CopyReport:
    """What one copy did, table by table, and the decisions it logged."""

    source: str
    target: str
    source_id: str
    tables: dict[str, TableCount] = field(default_factory=dict)
    merchants: tuple[str, ...] = ()
    masked_texts: int = 0
    kept_removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables.values())

    @property
    def copied(self) -> int:
        return sum(t.inserted + t.mapped for t in self.tables.values())

    def lines(self) -> list[str]:
        out = [t.line() for t in self.tables.values()]
        if self.masked_texts:
            out.append(f"card-like texts masked on the way: {self.masked_texts}")
        out.extend(
            f"vault card {c} is removed in the target and live in the source: kept removed "
            "(import it again by its card ID if it belongs in the vault)"
            for c in self.kept_removed
        )
        return out


def ledger_id(engine: Engine) -> str:
    """The ledger's own id (``ledger_meta``), written by revision 0002."""
    with engine.connect() as conn:
        found = conn.execute(select(_META.c.value).where(_META.c.key == "ledger_id")).scalar()
    if not found:
        raise LedgerError("the ledger has no id (ledger_meta): migrate() it first")
    return str(found)


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _rows(conn: Connection, table: Table, after: int, limit: int) -> list[dict[str, Any]]:
    query = select(table).where(table.c.id > after).order_by(table.c.id).limit(limit)
    return [dict(r._mapping) for r in conn.execute(query)]


class _Copier:
    def __init__(
        self,
        source: Engine,
        target: Engine,
        progress: Progress | None,
        batch: int,
        merchant: str | None,
    ) -> None:
        for engine in (source, target):
            found = current_revision(engine)
            if found != head():
                raise LedgerError(
                    f"{_where(engine)} is at revision {found}, not {head()}: migrate() it first"
                )
        self.source, self.target = source, target
        self.progress = progress
        self.batch = max(1, int(batch))
        self.pg = target.dialect.name == "postgresql"
        self.src_id = ledger_id(source)
        if self.src_id == ledger_id(target):
            raise LedgerError("the source and the target are the same ledger")
        self.report = CopyReport(_where(source), _where(target), self.src_id)
        with source.connect() as conn:
            self.totals = {
                t: int(
                    conn.execute(select(func.count()).select_from(metadata.tables[t])).scalar_one()
                )
                for t in TABLES
            }
            merchants: set[str] = set()
            for t in ("actions", "lookups", "vault_cards", "card_pages", "notifications"):
                table = metadata.tables[t]
                merchants.update(
                    str(m) for m in conn.execute(select(table.c.mch_id).distinct()).scalars()
                )
        self.report.merchants = tuple(sorted(merchants))
        self.merchant = merchant or (self.report.merchants[0] if len(merchants) == 1 else "")
        self.done = 0
        self.total = sum(self.totals.values())

    # -------------------------------------------------------------------- plumbing

    def _lock(self, conn: Connection, scope: str, mch_id: str, key: str) -> None:
        """The advisory lock LedgerJournal takes on (scope, merchant, key); SQLite: none
        needed (the batch holds the file's write lock)."""
        if self.pg:
            conn.execute(
                select(
                    func.pg_advisory_xact_lock(
                        literal(_SCOPES[scope]),
                        func.hashtext(literal(f"{mch_id}:{key}")),
                    )
                )
            )

    def _mask(self, table: str, values: dict[str, Any]) -> None:
        for column in _CHECKED_TEXTS.get(table, ()):
            text = values.get(column)
            if isinstance(text, str) and has_card_run(text):
                values[column] = scrub(text)
                self.report.masked_texts += 1
                log.warning("a card-like text in %s.%s was masked on the way", table, column)

    def _note(self, text: str) -> None:
        log.warning("copy from %s: %s", self.src_id, text)
        self.report.notes.append(text)

    def _upsert(self, table: Table) -> Any:
        """The dialect's INSERT, with ON CONFLICT."""
        return (postgresql.insert if self.pg else sqlite.insert)(table)

    def _insert(self, conn: Connection, table: Table, values: dict[str, Any]) -> int:
        # Values as parameters, not in the statement: one compiled statement for all rows.
        key = conn.execute(insert(table), values).inserted_primary_key
        assert key is not None
        return int(key[0])

    def _insert_many(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows``; their new ids, in order. An executemany's RETURNING is in no
        promised order, so PostgreSQL first takes the ids from the table's sequence (as an
        insert would) and the rows go in with them; SQLite inserts one row at a time."""
        if not rows:
            return []
        if not self.pg:
            return [self._insert(conn, table, row) for row in rows]
        sequence = func.pg_get_serial_sequence(table.name, "id")
        ids = sorted(
            int(i)
            for i in conn.execute(
                select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))
            ).scalars()
        )
        conn.execute(insert(table), [row | {"id": i} for row, i in zip(rows, ids, strict=True)])
        return ids

    # -------------------------------------------------------------------- the run

    def run(self) -> CopyReport:
        self.actions_map = self._recorded_map("actions")
        for name in TABLES:
            self._copy_table(name)
        self._count()
        return self.report

    def _recorded_map(self, tbl: str) -> dict[int, int]:
        with self.target.connect() as conn:
            rows = conn.execute(
                select(_COPIED.c.source_id, _COPIED.c.target_id).where(
                    _COPIED.c.source == self.src_id, _COPIED.c.tbl == tbl
                )
            )
            return {int(s): int(t) for s, t in rows}

    def _copy_table(self, name: str) -> None:
        table = metadata.tables[name]
        count = self.report.tables[name] = TableCount(name)
        after = 0
        while True:
            with self.source.connect() as src:
                rows = _rows(src, table, after, self.batch)
            if not rows:
                break
            after = rows[-1]["id"]
            with self.target.connect() as conn:
                conn = conn.execution_options(ledger_begin="IMMEDIATE")
                with conn.begin():
                    # Two copies of one source at once take turns, batch by batch (on
                    # SQLite the write lock does it): the second sees what the first did.
                    self._lock(conn, "copy", "", self.src_id)
                    recorded = set(
                        conn.execute(
                            select(_COPIED.c.source_id).where(
                                _COPIED.c.source == self.src_id,
                                _COPIED.c.tbl == name,
                                _COPIED.c.source_id.between(rows[0]["id"], after),
                            )
                        ).scalars()
                    )
                    todo = [r for r in rows if r["id"] not in recorded]
                    inserted, mapped = getattr(self, f"_copy_{name}")(conn, todo)
                    pairs = [*inserted, *mapped]
                    if pairs:
                        conn.execute(
                            insert(_COPIED),
                            [
                                {"source": self.src_id, "tbl": name, "source_id": s, "target_id": t}
                                for s, t in pairs
                            ],
                        )
            if name == "actions":
                self.actions_map.update(pairs)
            count.inserted += len(inserted)
            count.mapped += len(mapped)
            count.already += len(recorded)
            self.done += len(rows)
            if self.progress is not None:
                self.progress(name, self.done, self.total)

    # -------------------------------------------------------------------- tables

    def _copy_actions(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        inserted: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        for row in rows:
            source_id = row.pop("id")
            self._mask("actions", row)
            row.update(lease_owner=None, lease_desk=None, lease_until=None)
            mch_id, target_pay = row["mch_id"], row["target_pay_order_id"]
            if row["state"] in _OPEN and target_pay is not None:
                self._lock(conn, "target", mch_id, target_pay)
            same = conn.execute(
                select(_ACTIONS).where(
                    _ACTIONS.c.mch_id == mch_id, _ACTIONS.c.mch_no == row["mch_no"]
                )
            ).first()
            if same is not None:
                mapped.append((source_id, self._match_action(conn, dict(same._mapping), row)))
                continue
            if row["state"] in _OPEN and target_pay is not None:
                other = conn.execute(
                    select(_ACTIONS.c.mch_no).where(
                        _ACTIONS.c.mch_id == mch_id,
                        _ACTIONS.c.target_pay_order_id == target_pay,
                        _ACTIONS.c.state.in_(_OPEN),
                    )
                ).scalar()
                if other is not None:
                    raise CopyConflict(
                        mch_id, target_pay, target_mch_no=str(other), source_mch_no=row["mch_no"]
                    )
            inserted.append((source_id, self._insert(conn, _ACTIONS, row)))
        return inserted, mapped

    def _match_action(self, conn: Connection, here: dict[str, Any], there: dict[str, Any]) -> int:
        """The target's row for a source action of the same number; its outcome moved on
        to the source's when that is further on."""
        key = f"action {there['mch_no']} of merchant {there['mch_id']}"
        if any(here[c] != there[c] for c in _ASKED):
            raise LedgerError(f"{key} asks for something else in each ledger: not copied")
        rank = {s: 3 for s in _FINAL} | _STATE_RANK
        if rank[there["state"]] > rank[here["state"]]:
            conn.execute(
                update(_ACTIONS)
                .where(_ACTIONS.c.id == here["id"])
                .values({c: there[c] for c in _OUTCOME})
            )
            self._note(f"{key}: took the source's outcome ({here['state']} -> {there['state']})")
        elif there["state"] != here["state"]:
            self._note(f"{key}: kept the target's {here['state']} (source: {there['state']})")
        return int(here["id"])

    def _copy_audit(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        merchants: dict[int, str] = {}
        # Actions another copy of this source recorded meanwhile (it takes turns with
        # this one): their new ids from the record.
        unknown = {r["action_id"] for r in rows if r["action_id"] is not None} - set(
            self.actions_map
        )
        if unknown:
            found = conn.execute(
                select(_COPIED.c.source_id, _COPIED.c.target_id).where(
                    _COPIED.c.source == self.src_id,
                    _COPIED.c.tbl == "actions",
                    _COPIED.c.source_id.in_(unknown),
                )
            )
            self.actions_map.update({int(s): int(t) for s, t in found})
        wanted = {
            self.actions_map.get(r["action_id"], 0) for r in rows if r["action_id"] is not None
        }
        if wanted:
            merchants = {
                int(i): str(m)
                for i, m in conn.execute(
                    select(_ACTIONS.c.id, _ACTIONS.c.mch_id).where(_ACTIONS.c.id.in_(wanted))
                )
            }
        values = []
        for row in rows:
            row = dict(row)
            del row["id"]
            if row["action_id"] is not None:
                new = self.actions_map.get(row["action_id"])
                if new is None:
                    raise LedgerError(
                        f"audit row of action {row['action_id']} copied before its action"
                    )
                row["action_id"] = new
                row["mch_id"] = row["mch_id"] or merchants.get(new, "")
            row["mch_id"] = row["mch_id"] or self.merchant
            values.append(row)
        ids = self._insert_many(conn, _AUDIT, values)
        return [(r["id"], i) for r, i in zip(rows, ids, strict=True)], []

    def _copy_lookups(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        values = []
        for row in rows:
            row = {k: v for k, v in row.items() if k != "id"}
            self._mask("lookups", row)
            values.append(row)
        ids = self._insert_many(conn, metadata.tables["lookups"], values)
        return [(r["id"], i) for r, i in zip(rows, ids, strict=True)], []

    def _copy_vault_cards(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        inserted: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        for row in rows:
            source_id = row.pop("id")
            self._lock(conn, "card", row["mch_id"], row["card_id"])
            here = conn.execute(
                select(_VAULT).where(
                    _VAULT.c.mch_id == row["mch_id"], _VAULT.c.card_id == row["card_id"]
                )
            ).first()
            if here is None:
                inserted.append((source_id, self._insert(conn, _VAULT, row)))
                continue
            mapped.append((source_id, self._match_card(conn, dict(here._mapping), row)))
        return inserted, mapped

    def _match_card(self, conn: Connection, here: dict[str, Any], there: dict[str, Any]) -> int:
        key = f"vault card {there['card_id']} of merchant {there['mch_id']}"
        changes: dict[str, Any] = {}
        if here["removed_at"] is not None:
            if there["removed_at"] is None:
                self.report.kept_removed.append(there["card_id"])
                self._note(f"{key}: removed in the target, live in the source: kept removed")
        elif there["removed_at"] is not None:
            if there["removed_at"] > here["added_at"]:
                changes = {"removed_by": there["removed_by"], "removed_at": there["removed_at"]}
                self._note(f"{key}: removed in the source after it was added here: removed")
        else:

            def seen(r: Mapping[str, Any]) -> str:
                return str(max(r["added_at"], r["refreshed_at"] or ""))

            if seen(there) > seen(here):
                changes = {c: there[c] for c in _VAULT_DETAILS}
        if changes:
            conn.execute(update(_VAULT).where(_VAULT.c.id == here["id"]).values(changes))
        return int(here["id"])

    def _copy_card_pages(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        inserted: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        for row in rows:
            source_id = row.pop("id")
            here = conn.execute(
                select(_PAGES).where(_PAGES.c.session_id == row["session_id"])
            ).first()
            if here is None:
                inserted.append((source_id, self._insert(conn, _PAGES, row)))
                continue
            page = here._mapping
            changes: dict[str, Any] = {}
            if page["outcome"] is None and row["outcome"] is not None:
                changes = {c: row[c] for c in ("closed_at", "outcome", "ended_at")}
            elif page["outcome"] is None and page["closed_at"] is None and row["closed_at"]:
                changes = {"closed_at": row["closed_at"]}
            if changes:
                conn.execute(update(_PAGES).where(_PAGES.c.id == page["id"]).values(changes))
            mapped.append((source_id, int(page["id"])))
        return inserted, mapped

    def _copy_notifications(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        inserted: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        for row in rows:
            source_id = row.pop("id")
            self._mask("notifications", row)
            mch_id, pay, status = row["mch_id"], row["pay_order_id"], row["status"]
            self._lock(conn, "notification", mch_id, f"{pay}:{status}")
            here = conn.execute(
                select(_NOTES).where(
                    _NOTES.c.mch_id == mch_id,
                    _NOTES.c.pay_order_id == pay,
                    _NOTES.c.status == status,
                )
            ).first()
            if here is None:
                inserted.append((source_id, self._insert(conn, _NOTES, row)))
                continue
            note = here._mapping
            conn.execute(
                update(_NOTES)
                .where(_NOTES.c.id == note["id"])
                .values(
                    times=note["times"] + row["times"],
                    first_at=min(note["first_at"], row["first_at"]),
                    last_at=max(note["last_at"], row["last_at"]),
                )
            )
            mapped.append((source_id, int(note["id"])))
        return inserted, mapped

    def _copy_orders(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        inserted: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        for row in rows:
            source_id = row.pop("id")
            row.pop("search")  # computed by the target from the row
            mch_id, pay = row["mch_id"], row["pay_order_id"]
            # Inserted unless the target has the order (a desk recording it meanwhile
            # upserts too: whichever comes second finds the other's row).
            new_id = conn.execute(
                self._upsert(_ORDERS)
                .values(row)
                .on_conflict_do_nothing(index_elements=["mch_id", "pay_order_id"])
                .returning(_ORDERS.c.id)
            ).scalar()
            if new_id is not None:
                inserted.append((source_id, int(new_id)))
                continue
            here = conn.execute(
                select(_ORDERS)
                .where(_ORDERS.c.mch_id == mch_id, _ORDERS.c.pay_order_id == pay)
                .with_for_update()
            ).one()
            values = _merged_order(dict(here._mapping), row)
            if values:
                conn.execute(update(_ORDERS).where(_ORDERS.c.id == here.id).values(values))
            mapped.append((source_id, int(here.id)))
        return inserted, mapped

    def _keyed(
        self, conn: Connection, table: Table, row: dict[str, Any], keys: Sequence[str]
    ) -> int | None:
        """Insert ``row`` unless the target has one under ``keys``: its new id, or None."""
        new_id = conn.execute(
            self._upsert(table)
            .values(row)
            .on_conflict_do_nothing(index_elements=list(keys))
            .returning(table.c.id)
        ).scalar()
        return None if new_id is None else int(new_id)

    def _existing(
        self, conn: Connection, table: Table, row: Mapping[str, Any], keys: Sequence[str]
    ) -> int:
        return int(
            conn.execute(
                select(table.c.id).where(*(table.c[k] == row[k] for k in keys))
            ).scalar_one()
        )

    def _copy_day_closes(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        inserted: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        keys = ("mch_id", "business_day")
        for row in rows:
            source_id = row.pop("id")
            new_id = self._keyed(conn, _CLOSES, row, keys)
            if new_id is None:
                mapped.append((source_id, self._existing(conn, _CLOSES, row, keys)))
                continue
            with self.source.connect() as src:
                kept = [
                    dict(r._mapping) | {"close_id": new_id}
                    for r in src.execute(
                        select(_CLOSE_ORDERS).where(_CLOSE_ORDERS.c.close_id == source_id)
                    )
                ]
            if kept:
                conn.execute(insert(_CLOSE_ORDERS), kept)
            inserted.append((source_id, new_id))
        return inserted, mapped

    def _copy_bank_deposits(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        inserted: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        keys = ("mch_id", "account", "ref")
        for row in rows:
            source_id = row.pop("id")
            self._mask("bank_deposits", row)
            new_id = self._keyed(conn, _DEPOSITS, row, keys)
            if new_id is None:
                mapped.append((source_id, self._existing(conn, _DEPOSITS, row, keys)))
            else:
                inserted.append((source_id, new_id))
        return inserted, mapped

    def _copy_deposit_matches(self, conn: Connection, rows: list[dict[str, Any]]) -> Pairs:
        inserted: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        deposits = self._recorded_map_in(conn, "bank_deposits")
        keys = ("mch_id", "business_day")
        for row in rows:
            source_id = row.pop("id")
            row["deposit_id"] = deposits[row["deposit_id"]]
            new_id = self._keyed(conn, _MATCHES, row, keys)
            if new_id is None:
                mapped.append((source_id, self._existing(conn, _MATCHES, row, keys)))
            else:
                inserted.append((source_id, new_id))
        return inserted, mapped

    def _recorded_map_in(self, conn: Connection, tbl: str) -> dict[int, int]:
        rows = conn.execute(
            select(_COPIED.c.source_id, _COPIED.c.target_id).where(
                _COPIED.c.source == self.src_id, _COPIED.c.tbl == tbl
            )
        )
        return {int(s): int(t) for s, t in rows}

    # -------------------------------------------------------------------- the check

    def _count(self) -> None:
        mismatches: dict[str, tuple[int, int]] = {}
        with self.source.connect() as src:
            in_source = {
                t: int(
                    src.execute(select(func.count()).select_from(metadata.tables[t])).scalar_one()
                )
                for t in TABLES
            }
        with self.target.connect() as conn:
            for name in TABLES:
                count = self.report.tables[name]
                count.source_rows = in_source[name]
                mine = and_(_COPIED.c.source == self.src_id, _COPIED.c.tbl == name)
                count.recorded = int(
                    conn.execute(select(func.count()).select_from(_COPIED).where(mine)).scalar_one()
                )
                if name != "lookups":
                    table = metadata.tables[name]
                    count.missing = int(
                        conn.execute(
                            select(func.count())
                            .select_from(
                                _COPIED.outerjoin(table, table.c.id == _COPIED.c.target_id)
                            )
                            .where(mine, table.c.id.is_(None))
                        ).scalar_one()
                    )
                if not count.ok:
                    mismatches[name] = (count.source_rows, count.recorded)
        if mismatches:
            raise CopyCountMismatch(mismatches)


def _merged_order(here: Mapping[str, Any], there: Mapping[str, Any]) -> dict[str, Any]:
    """What the target's order ``here`` takes from the source's ``there`` (see the
    module docstring): only the columns that change."""
    out: dict[str, Any] = {}
    if (there["confirmed_at"] or "") > (here["confirmed_at"] or ""):
        for name in ("status", "refunded_cents", "confirmed_at"):
            out[name] = there[name]
    elif not here["confirmed_at"] and not there["confirmed_at"]:
        out["status"] = max(here["status"], there["status"])
    for name in _ORDER_FILLED:
        if not here[name] and there[name]:
            out[name] = there[name]
    if there["kind"] == "void":
        out["kind"] = "void"
    if not here["paid_at"] and there["paid_at"]:
        out.update(at=there["at"], paid_at=there["paid_at"])
    out["first_seen_at"] = min(here["first_seen_at"], there["first_seen_at"])
    out["updated_at"] = max(here["updated_at"], there["updated_at"])
    return {k: v for k, v in out.items() if here[k] != v}


def copy_ledger(
    source: Engine,
    target: Engine,
    *,
    progress: Progress | None = None,
    batch: int = 500,
    merchant: str | None = None,
) -> CopyReport:
    """Copy every row of ``source`` into ``target`` (both at head): see the module.
    ``merchant`` names the merchant of audit rows that name none (default: the source's
    only merchant). Raises :class:`CopyConflict`, :class:`CopyCountMismatch` or
    :class:`LedgerError`; the batches committed before stay, and a new run resumes."""
    report = _Copier(source, target, progress, batch, merchant).run()
    log.info(
        "copied ledger %s into %s: %s", report.source, report.target, "; ".join(report.lines())
    )
    return report


def copy_between(
    source: Engine,
    target: Engine,
    *,
    progress: Progress | None = None,
    batch: int = 500,
    merchant: str | None = None,
) -> CopyReport:
    """:func:`migrate` both ledgers, then :func:`copy_ledger`."""
    migrate(source)
    migrate(target)
    return copy_ledger(source, target, progress=progress, batch=batch, merchant=merchant)


def _checkpoint(path: Path) -> None:
    """Fold the file's write-ahead log into it, so the file alone holds every row; a
    file another program is writing is not set aside (the next start tries again)."""
    db = sqlite3.connect(path, timeout=2.0, isolation_level=None)
    try:
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        db.close()
    if busy:
        raise LedgerError(f"{path} is in use by another program: merged, but not set aside yet")


def _set_aside(path: Path) -> Path:
    """Rename ``path`` (and any ``-wal``/``-shm`` left beside it) to ``<name>.merged``."""
    done = path.with_name(path.name + MERGED_SUFFIX)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, done.with_name(done.name + suffix))
    os.replace(path, done)
    return done


def merge_journal_files(
    target: Engine,
    files: Sequence[Path],
    *,
    progress: Progress | None = None,
    batch: int = 500,
    merchant: str | None = None,
) -> list[CopyReport]:
    """Merge journal files of one merchant (any version 1..6, or a ledger file) into
    ``target``, once: each is migrated, copied (:func:`copy_ledger`), then renamed
    ``<name>.merged`` beside it. A file missing (merged already) is skipped. Returns the
    reports of the files merged by this call. An error stops the merge at that file (the
    files before it are merged); calling again finishes it with nothing copied twice."""
    migrate(target)
    reports: list[CopyReport] = []
    for path in _existing(files):
        engine = open_engine(sqlite_url(path))
        try:
            migrate(engine)
            report = copy_ledger(engine, target, progress=progress, batch=batch, merchant=merchant)
        finally:
            engine.dispose()
        _checkpoint(path)
        done = _set_aside(path)
        log.info("journal file %s merged into %s; kept as %s", path, report.target, done.name)
        reports.append(report)
    return reports


def _existing(files: Iterable[Path]) -> list[Path]:
    return [Path(f) for f in files if Path(f).is_file()]

"""The sandbox's SQLite file: merchants, orders, cards, hosted-page sessions, notify log.

One connection, guarded by one re-entrant lock: the engine holds the lock for a whole
operation, so a check-then-insert (``mchOrderNo`` unique) is atomic even when calls
come from several threads. WAL mode; a ``schema_version`` table drives migrations.
No full card number or CVV is ever written here: cards keep the masked number and the
behaviour of their test number.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["SCHEMA_VERSION", "Store"]

T = TypeVar("T")

SCHEMA_VERSION = 1

_SCHEMA_V1 = """
CREATE TABLE merchants (
    mch_id   TEXT PRIMARY KEY,
    key      TEXT NOT NULL,
    login    TEXT,
    name     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE orders (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    pay_order_id      TEXT NOT NULL UNIQUE,
    mch_id            TEXT NOT NULL,
    mch_order_no      TEXT NOT NULL,
    original_order_id TEXT NOT NULL DEFAULT '',
    amount            INTEGER NOT NULL,
    currency          TEXT NOT NULL DEFAULT 'CAD',
    pay_type          TEXT NOT NULL,
    refundable        INTEGER NOT NULL DEFAULT 0,
    status            INTEGER NOT NULL,
    ret_msg           TEXT NOT NULL DEFAULT '',
    invoice_num       TEXT NOT NULL DEFAULT '',
    pay_succ_time     TEXT NOT NULL DEFAULT '',
    card_num          TEXT NOT NULL DEFAULT '',
    card_type         TEXT NOT NULL DEFAULT '',
    expiry_date       TEXT NOT NULL DEFAULT '',
    auth_num          TEXT NOT NULL DEFAULT '',
    trans_num         TEXT NOT NULL DEFAULT '',
    channel           TEXT NOT NULL DEFAULT '',
    capture           TEXT,
    endpoint          TEXT NOT NULL,
    mch_user_id       TEXT NOT NULL DEFAULT '',
    login_name        TEXT NOT NULL DEFAULT '',
    card_id           TEXT NOT NULL DEFAULT '',
    subject           TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL DEFAULT '',
    client_ip         TEXT NOT NULL DEFAULT '',
    notify_url        TEXT NOT NULL DEFAULT '',
    return_url        TEXT NOT NULL DEFAULT '',
    created_at        REAL NOT NULL,
    succeeded_at      REAL,
    resolve_at        REAL,
    settle_at         REAL,
    settled           INTEGER NOT NULL DEFAULT 0,
    voided            INTEGER NOT NULL DEFAULT 0,
    notify_state      TEXT NOT NULL DEFAULT '',
    notify_attempts   INTEGER NOT NULL DEFAULT 0,
    notify_next_at    REAL,
    UNIQUE (mch_id, mch_order_no)
);
CREATE INDEX orders_pending ON orders (resolve_at) WHERE status = 0 AND resolve_at IS NOT NULL;
CREATE INDEX orders_notify ON orders (notify_next_at) WHERE notify_next_at IS NOT NULL;
CREATE INDEX orders_unsettled ON orders (settle_at) WHERE settled = 0 AND settle_at IS NOT NULL;
CREATE INDEX orders_original ON orders (original_order_id) WHERE original_order_id != '';
CREATE TABLE cards (
    mch_id      TEXT NOT NULL,
    card_id     TEXT NOT NULL,
    card_num    TEXT NOT NULL,
    card_type   TEXT NOT NULL DEFAULT '',
    expiry_date TEXT NOT NULL DEFAULT '',
    holder      TEXT NOT NULL DEFAULT '',
    behaviour   TEXT NOT NULL,
    bound_at    REAL NOT NULL,
    PRIMARY KEY (mch_id, card_id)
);
CREATE TABLE sessions (
    secure_id    TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    mch_id       TEXT NOT NULL,
    pay_order_id TEXT NOT NULL DEFAULT '',
    card_id      TEXT NOT NULL DEFAULT '',
    login_name   TEXT NOT NULL DEFAULT '',
    return_url   TEXT NOT NULL,
    created_at   REAL NOT NULL,
    expires_at   REAL NOT NULL,
    used_at      REAL
);
CREATE TABLE notify_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    pay_order_id TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    at           REAL NOT NULL,
    url          TEXT NOT NULL,
    http_status  INTEGER,
    result       TEXT NOT NULL
);
CREATE INDEX notify_log_order ON notify_log (pay_order_id);
"""

_MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1}


class Store:
    """Owns the SQLite connection. Use ``with store.lock:`` around every multi-step operation."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.RLock()
        target = ":memory:" if path is None else str(path)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the server thread and callers of the in-process API;
        # the lock serialises every use.
        self.db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        with self.lock:
            if path is not None:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        current = row[0] or 0
        if current > SCHEMA_VERSION:
            raise RuntimeError(
                f"sandbox data file has schema {current}, "
                f"newer than this program's ({SCHEMA_VERSION})"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            self.transaction(functools.partial(self._apply, version))

    def _apply(self, version: int) -> None:
        for statement in _MIGRATIONS[version].split(";"):
            if statement.strip():
                self.db.execute(statement)
        self.db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    def transaction(self, work: Callable[[], T]) -> T:
        """Run ``work`` in one transaction (BEGIN IMMEDIATE … COMMIT), rolled back on error."""
        with self.lock:
            if self.db.in_transaction:  # nested: part of the enclosing transaction
                return work()
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = work()
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return result

    def close(self) -> None:
        with self.lock:
            self.db.close()

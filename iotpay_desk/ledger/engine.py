"""Engines for the ledger: a SQLite file on this computer or a PostgreSQL server.

SQLite connections get what :class:`~iotpay_desk.journal.Journal` sets on its own: WAL
mode, ``synchronous=FULL`` (a committed intent survives a crash or power loss), foreign
keys on and a busy timeout, on every connection of the pool. Transactions are SQLite's
own (the driver's implicit ones are off, so DDL is transactional too): ``BEGIN`` by
default, ``BEGIN IMMEDIATE`` on a connection with the execution option
``ledger_begin="IMMEDIATE"`` (take the write lock first, as the journal's writes do).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from .errors import LedgerError

__all__ = ["BUSY_TIMEOUT", "open_engine", "sqlite_url"]

BUSY_TIMEOUT = 10.0


def sqlite_url(path: str | Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path))


def open_engine(url: str | URL, *, busy_timeout: float = BUSY_TIMEOUT, **kw: Any) -> Engine:
    """An engine for ``url``: ``sqlite+pysqlite:///file`` or ``postgresql+psycopg://…``."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout, **kw)
    if url.get_backend_name() == "postgresql":
        if url.get_driver_name() != "psycopg":
            url = url.set(drivername="postgresql+psycopg")
        kw.setdefault("pool_pre_ping", True)
        return create_engine(url, **kw)
    raise LedgerError(f"a ledger is a SQLite file or a PostgreSQL database, not {url.drivername}")


def _sqlite_engine(url: URL, busy_timeout: float, **kw: Any) -> Engine:
    if url.database in (None, "", ":memory:"):
        raise LedgerError("a SQLite ledger is a file")
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": busy_timeout, "check_same_thread": False}
    engine = create_engine(url, connect_args=connect_args, **kw)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi: sqlite3.Connection, _record: object) -> None:
        dbapi.isolation_level = None  # no implicit transactions: ours, see below
        dbapi.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        dbapi.execute("PRAGMA foreign_keys = ON")
        mode = dbapi.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise LedgerError(f"the ledger file cannot use WAL mode (got {mode})")
        dbapi.execute("PRAGMA synchronous = FULL")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("ledger_begin", "")
        if mode not in ("", "IMMEDIATE"):
            raise LedgerError(f"unknown ledger_begin {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine

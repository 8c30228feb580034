"""Engines for the ledger: a SQLite file on this computer or a PostgreSQL server.

SQLite connections get what :class:`~iotpay_desk.journal.Journal` sets on its own: WAL
mode, ``synchronous=FULL`` (a committed intent survives a crash or power loss), foreign
keys on and a busy timeout, on every connection of the pool. Transactions are SQLite's
own (the driver's implicit ones are off, so DDL is transactional too): ``BEGIN`` by
default, ``BEGIN IMMEDIATE`` on a connection with the execution option
``ledger_begin="IMMEDIATE"`` (take the write lock first, as the journal's writes do).

A ledger that cannot be reached — its PostgreSQL server stopped, the network cut, its
SQLite file's disk gone — raises :class:`~iotpay_desk.journal.errors.LedgerUnavailable`
from every call (SQLAlchemy's ``handle_error`` event turns the connection-level errors
into it; a deadlock, a constraint or a busy file stay what they are). The engine needs
nothing to recover: a dead pooled connection is invalidated (with the whole pool, on a
disconnect), PostgreSQL connections left idle are pinged before use and TCP
keepalives and ``tcp_user_timeout`` end a call to a server that vanished without a word
within seconds, so the next call after the server is back simply works. :func:`ping`
asks the database one ``SELECT 1`` (what a desk's ledger watch does while it waits).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError

from iotpay_desk.journal.errors import LedgerUnavailable

from .errors import LedgerError

__all__ = [
    "BUSY_TIMEOUT",
    "CONNECT_TIMEOUT",
    "is_unreachable",
    "open_engine",
    "ping",
    "ping_ledger",
    "sqlite_url",
    "unreachable_as_unavailable",
]

_T = TypeVar("_T")

BUSY_TIMEOUT = 10.0
IDLE_PING_S = 1.0  # a pooled connection unused this long is pinged before its next use
CONNECT_TIMEOUT = 5  # seconds to reach the server before a call says it is unavailable
# libpq's TCP settings for a shared ledger: a server that vanished without closing its
# connections (a cut cable, a host that died) is noticed within seconds, not the
# system's default of many minutes.
_PG_TCP = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 15000,  # ms an unacknowledged send may wait
}
# PostgreSQL's SQLSTATEs of a server going away: connection exceptions (class 08), an
# administrator or crash shutdown, a server starting up or shutting down.
_PG_GONE_STATES = ("57P01", "57P02", "57P03")
# SQLite's primary result codes of a file that cannot be reached (I/O error, cannot open).
_SQLITE_GONE_CODES = (10, 14)


def sqlite_url(path: str | Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path))


def open_engine(url: str | URL, *, busy_timeout: float = BUSY_TIMEOUT, **kw: Any) -> Engine:
    """An engine for ``url``: ``sqlite+pysqlite:///file`` or ``postgresql+psycopg://…``."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, busy_timeout, **kw)
        _translate_unreachable(engine, str(url.database), shared=False)
        return engine
    if url.get_backend_name() == "postgresql":
        if url.get_driver_name() != "psycopg":
            url = url.set(drivername="postgresql+psycopg")
        connect_args = {"connect_timeout": CONNECT_TIMEOUT, **_PG_TCP}
        connect_args.update(kw.pop("connect_args", None) or {})
        engine = create_engine(url, connect_args=connect_args, **kw)
        _ping_when_idle(engine)
        _translate_unreachable(engine, f"{url.host}/{url.database}", shared=True)
        return engine
    raise LedgerError(f"a ledger is a SQLite file or a PostgreSQL database, not {url.drivername}")


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection before use if it sat unused for
    :data:`IDLE_PING_S` or more: one that died meanwhile (the server restarted, a
    firewall dropped it) is replaced without the call failing. SQLAlchemy's
    ``pool_pre_ping`` would ping before every use, a round trip per transaction; a
    connection in steady use needs none."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi: Any, record: Any) -> None:
        record.info["ledger_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("ledger_idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi)
        except psycopg.Error as exc:
            gone = engine.dialect.is_disconnect(exc, dbapi, None)  # type: ignore[arg-type]
            if gone or is_unreachable(exc):
                # The pool throws this connection away and tries another (a new one).
                raise DisconnectionError(f"the ledger connection died while idle: {exc}") from exc
            raise


def ping(engine: Engine) -> None:
    """One ``SELECT 1`` on ``engine``: returns when the database answers, raises
    :class:`LedgerUnavailable` when it cannot be reached."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1").scalar()


def ping_ledger(ledger: object) -> None:
    """:func:`ping` the engine of a ledger (a :class:`~iotpay_desk.ledger.LedgerJournal`)."""
    engine = getattr(ledger, "engine", None)
    if not isinstance(engine, Engine):
        raise TypeError(f"{type(ledger).__name__} has no engine to ping")
    ping(engine)


def is_unreachable(exc: BaseException | None, *, disconnect: bool = False) -> bool:
    """True if the DB-API error ``exc`` says the database cannot be reached (not a
    deadlock, a constraint, a lock timeout or a busy file)."""
    if disconnect:
        return True
    if isinstance(exc, psycopg.OperationalError):
        state = exc.sqlstate
        # libpq gives no SQLSTATE when it cannot connect or the connection broke.
        return state is None or state.startswith("08") or state in _PG_GONE_STATES
    if isinstance(exc, psycopg.InterfaceError):
        return True  # the connection is closed
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _SQLITE_GONE_CODES
        text = str(exc)
        return "disk I/O error" in text or "unable to open database file" in text
    return False


def _translate_unreachable(engine: Engine, where: str, *, shared: bool) -> None:
    @event.listens_for(engine, "handle_error")
    def _on_error(ctx: ExceptionContext) -> None:
        if ctx.is_pre_ping:
            return  # the pool reconnects by itself; a failed reconnect comes back here
        exc = ctx.original_exception
        if is_unreachable(exc, disconnect=ctx.is_disconnect):
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise LedgerUnavailable(where, reason, shared=shared) from exc


def unreachable_as_unavailable(
    open_ledger: Callable[[], _T], *, where: str = "", shared: bool = True
) -> Callable[[], _T]:
    """``open_ledger`` (a ledger opener), with a server that cannot be reached now
    (:class:`~iotpay_desk.ledger.connect.ServerUnreachable`: refused, unreachable, timed
    out, host not found) raised as :class:`LedgerUnavailable`, which a desk waits out
    and tries again by itself; every other cause (wrong password, schema too new …)
    passes unchanged: trying again alone would not mend it."""
    from .connect import ServerUnreachable  # connect imports this module

    def opener() -> _T:
        try:
            return open_ledger()
        except ServerUnreachable as exc:
            raise LedgerUnavailable(where, str(exc), shared=shared) from exc

    return opener


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
        run_on_driver(conn, "BEGIN IMMEDIATE" if mode else "BEGIN")

    return engine


def run_on_driver(conn: Connection, sql: str) -> None:
    """``sql`` (no parameters, no rows) on ``conn`` through the driver's cursor: what
    ``exec_driver_sql`` does for the ledger's own BEGIN and savepoints, without
    SQLAlchemy's statement machinery (which would cost more than SQLite's work). A driver
    error takes SQLAlchemy's own path for a failed execute: wrapped as SQLAlchemy's
    exception, through the engine's ``handle_error``."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        cursor.close()
    except BaseException as exc:
        conn._handle_dbapi_exception(exc, sql, (), cursor, None)

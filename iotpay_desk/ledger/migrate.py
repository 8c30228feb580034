"""Bring a ledger database to the newest revision this desk knows (Alembic, run from code).

- An empty database (SQLite file or PostgreSQL) gets the whole schema.
- A journal file made by :class:`~iotpay_desk.journal.Journal` (SQLite, ``user_version``
  1..6, no Alembic table): versions 1..5 are first upgraded by the journal's own code,
  then the file, now at version 6, is stamped at revision ``0001`` without a row changed.
- A database at a revision (or journal version) newer than this desk knows raises
  :class:`LedgerTooNew`, naming the desk version that brought it there (written in
  ``ledger_meta`` as ``schema_desk_version`` by each migration); one with other tables
  raises :class:`NotALedger`. Either way nothing is written.
- A SQLite file of an older schema is first copied beside itself
  (``<name>.before-<revision>.sqlite3``, SQLite's online backup, taken with the write
  lock held so nothing changes under it); a PostgreSQL server's backups are its own.

Everything is done in one transaction (``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL an
advisory lock makes two desks starting at once migrate one after the other).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from iotpay_desk.core.about import desk_version
from iotpay_desk.journal import Journal

from .errors import LedgerTooNew, NotALedger

__all__ = [
    "BASE_REVISION",
    "DESK_VERSION_KEY",
    "JOURNAL_VERSION_AT_BASE",
    "backup_path",
    "current_revision",
    "head",
    "migrate",
]

log = logging.getLogger(__name__)

BASE_REVISION = "0001"
JOURNAL_VERSION_AT_BASE = 6
SCRIPT_LOCATION = "iotpay_desk.ledger:migrations"
# pg_advisory_xact_lock key: b"iotpayLG" as a signed 64-bit integer.
_PG_LOCK_KEY = int.from_bytes(b"iotpayLG", "big", signed=True)


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision this desk knows."""
    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None
    return rev


def current_revision(engine: Engine) -> str | None:
    """The database's revision (``None``: not stamped), read without writing."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


#: ``ledger_meta`` key: the desk version that last moved the ledger to a new revision.
DESK_VERSION_KEY = "schema_desk_version"


def backup_path(path: Path, label: str) -> Path:
    """Where the copy of ``path`` taken before migrating it from ``label`` goes."""
    return path.with_name(f"{path.stem}.before-{label}{path.suffix or '.sqlite3'}")


def _backup_sqlite(path: str | None, label: str) -> Path | None:
    """Copy the SQLite file at ``path`` beside it (SQLite's online backup); the copy."""
    if not path or path == ":memory:" or not Path(path).exists():
        return None
    target = backup_path(Path(path), label)
    source = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # One self-contained file (the ledger's WAL mode would come with the copy).
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    log.info("ledger copied to %s before its migration", target.name)
    return target


def _needs(conn: Connection) -> str:
    """The desk version a newer ledger names (``ledger_meta``), "" when it names none."""
    try:
        with conn.begin_nested():
            found = conn.execute(
                text("SELECT value FROM ledger_meta WHERE key = :key"), {"key": DESK_VERSION_KEY}
            ).scalar()
    except DBAPIError:
        return ""
    return found if isinstance(found, str) else ""


def _user_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def _upgrade_old_journal(engine: Engine) -> bool:
    """A journal file at version 1..5 goes to 6 through the journal's own migrations
    (copied beside itself first). True when it did."""
    path = engine.url.database
    with engine.connect() as conn:
        version = _user_version(conn)
        stamped = MigrationContext.configure(conn).get_current_revision() is not None
        conn.rollback()
    if path and not stamped and 0 < version < JOURNAL_VERSION_AT_BASE:
        _backup_sqlite(path, f"journal-v{version}")
        Journal(path).close()
        return True
    return False


def migrate(engine: Engine) -> str:
    """Bring the database behind ``engine`` to :func:`head`; return the revision."""
    sqlite = engine.dialect.name == "sqlite"
    backed_up = sqlite and _upgrade_old_journal(engine)
    known = {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}
    with engine.connect() as conn:
        conn.execution_options(ledger_begin="IMMEDIATE")
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            cfg = _config(conn)
            current = MigrationContext.configure(conn).get_current_heads()
            for rev in current:
                if rev not in known:
                    raise LedgerTooNew(f"revision {rev}", _needs(conn))
            newest = head()
            if not current:
                tables = sorted(
                    t for t in inspect(conn).get_table_names() if t != "alembic_version"
                )
                version = _user_version(conn) if sqlite else 0
                if version > JOURNAL_VERSION_AT_BASE:
                    raise LedgerTooNew(f"journal version {version}")
                if version == JOURNAL_VERSION_AT_BASE:
                    if sqlite and not backed_up:
                        _backup_sqlite(engine.url.database, f"journal-v{version}")
                    command.stamp(cfg, BASE_REVISION)
                elif tables:
                    raise NotALedger(tables)
            elif tuple(current) != (newest,) and sqlite:
                _backup_sqlite(engine.url.database, current[0])
            moved = tuple(current) != (newest,)
            command.upgrade(cfg, "head")
            if moved:
                _record_desk_version(conn)
    return newest


def _record_desk_version(conn: Connection) -> None:
    """Write which desk version brought the ledger to its revision (``ledger_meta``)."""
    params = {"key": DESK_VERSION_KEY, "value": desk_version()}
    updated = conn.execute(
        text("UPDATE ledger_meta SET value = :value WHERE key = :key"), params
    ).rowcount
    if not updated:
        conn.execute(text("INSERT INTO ledger_meta (key, value) VALUES (:key, :value)"), params)

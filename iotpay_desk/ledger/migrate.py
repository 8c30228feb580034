"""Bring a ledger database to the newest revision this desk knows (Alembic, run from code).

- An empty database (SQLite file or PostgreSQL) gets the whole schema.
- A journal file made by :class:`~iotpay_desk.journal.Journal` (SQLite, ``user_version``
  1..6, no Alembic table): versions 1..5 are first upgraded by the journal's own code,
  then the file, now at version 6, is stamped at revision ``0001`` without a row changed.
- A database at a revision (or journal version) newer than this desk knows raises
  :class:`LedgerTooNew`; one with other tables raises :class:`NotALedger`. Either way
  nothing is written.

Everything is done in one transaction (``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL an
advisory lock makes two desks starting at once migrate one after the other).
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from iotpay_desk.journal import Journal

from .errors import LedgerTooNew, NotALedger

__all__ = ["BASE_REVISION", "JOURNAL_VERSION_AT_BASE", "current_revision", "head", "migrate"]

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


def _user_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def _upgrade_old_journal(engine: Engine) -> None:
    """A journal file at version 1..5 goes to 6 through the journal's own migrations."""
    path = engine.url.database
    with engine.connect() as conn:
        version = _user_version(conn)
        stamped = MigrationContext.configure(conn).get_current_revision() is not None
        conn.rollback()
    if path and not stamped and 0 < version < JOURNAL_VERSION_AT_BASE:
        Journal(path).close()


def migrate(engine: Engine) -> str:
    """Bring the database behind ``engine`` to :func:`head`; return the revision."""
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        _upgrade_old_journal(engine)
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
                    raise LedgerTooNew(f"revision {rev}")
            if not current:
                tables = sorted(
                    t for t in inspect(conn).get_table_names() if t != "alembic_version"
                )
                version = _user_version(conn) if sqlite else 0
                if version > JOURNAL_VERSION_AT_BASE:
                    raise LedgerTooNew(f"journal version {version}")
                if version == JOURNAL_VERSION_AT_BASE:
                    command.stamp(cfg, BASE_REVISION)
                elif tables:
                    raise NotALedger(tables)
            command.upgrade(cfg, "head")
    return head()

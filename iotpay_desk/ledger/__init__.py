"""The merchant's ledger on SQLite or PostgreSQL: SQLAlchemy 2 Core tables
(:mod:`.schema`), engines (:mod:`.engine`), Alembic migrations (:mod:`.migrate`) and the
journal's API over them (:class:`.journal.LedgerJournal`, the one implementation of the
services' port ``iotpay_desk.journal.Ledger``); which ledger a profile opens
(:mod:`.place`), copying and merging ledgers (:mod:`.copy`), what other desks changed
(:mod:`.feed`), opening a shared server with a coded error per cause (:mod:`.connect`).

Plain Python: nothing here imports Qt.
"""

from .connect import ConnectCode, LedgerConnectError, open_ledger, parse_url, postgres_url
from .engine import open_engine, sqlite_url
from .errors import LedgerError, LedgerTooNew, NotALedger
from .journal import LedgerJournal
from .migrate import BASE_REVISION, current_revision, head, migrate
from .schema import metadata

__all__ = [
    "BASE_REVISION",
    "ConnectCode",
    "LedgerConnectError",
    "LedgerError",
    "LedgerJournal",
    "LedgerTooNew",
    "NotALedger",
    "current_revision",
    "head",
    "metadata",
    "migrate",
    "open_engine",
    "open_ledger",
    "parse_url",
    "postgres_url",
    "sqlite_url",
]

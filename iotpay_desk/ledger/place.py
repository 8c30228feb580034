"""Where a merchant's ledger is, and opening it for a desk.

A ledger belongs to a merchant: an environment (production, sandbox, custom) and a
``mchId``. On this computer it is one SQLite file per merchant,
``<data>/ledgers/<environment>-<mchId>.sqlite3``, whichever profile works on it; on a
shared PostgreSQL server it is a database that any number of desks open. Rows carry their
``mch_id``; the ledger records its environment (``ledger_meta``) the first time a desk
opens it and refuses a desk of another environment, so a sandbox's test refunds never
mix with real ones.

The desk's journals of earlier versions were one SQLite file per *profile*: the first
time a merchant's ledger on this computer is opened, the files of that merchant's
profiles are merged into it (:func:`iotpay_desk.ledger.copy.merge_journal_files`: once,
each file kept beside it as ``*.merged``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from sqlalchemy import URL, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import Profile
from iotpay_desk.journal.port import DeskIdentity

from .connect import open_ledger, postgres_url
from .engine import open_engine, sqlite_url
from .errors import LedgerError
from .journal import LEASE_S, LedgerJournal
from .migrate import migrate
from .schema import metadata

__all__ = [
    "LedgerMismatch",
    "ledger_environment",
    "ledger_opener",
    "merchant_file",
    "open_merchant_ledger",
    "open_sqlite_ledger",
    "profile_ledger_opener",
]

log = logging.getLogger(__name__)

META = metadata.tables["ledger_meta"]
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class LedgerMismatch(LedgerError):
    """The ledger holds another environment's payments than the profile's."""

    def __init__(self, ledger_environment: str, profile_environment: str) -> None:
        self.ledger_environment = ledger_environment
        self.profile_environment = profile_environment
        super().__init__(
            f"this ledger holds {ledger_environment} payments; the profile is {profile_environment}"
        )


def merchant_file(data_dir: Path, environment: str, mch_id: str) -> Path:
    """The merchant's ledger file on this computer."""
    name = _SAFE.sub("_", f"{environment}-{mch_id or 'none'}")
    return data_dir / "ledgers" / f"{name}.sqlite3"


def ledger_environment(engine: Engine, environment: str) -> str:
    """Record ``environment`` as the ledger's if it has none; return the ledger's (one
    transaction: of two desks opening a new ledger at once, the first one's stays)."""
    with engine.connect() as conn:
        conn = conn.execution_options(ledger_begin="IMMEDIATE")
        with conn.begin():
            found = conn.execute(select(META.c.value).where(META.c.key == "environment")).scalar()
            if found is not None:
                return str(found)
            try:
                with conn.begin_nested():
                    conn.execute(insert(META).values(key="environment", value=environment))
            except IntegrityError:
                return str(
                    conn.execute(
                        select(META.c.value).where(META.c.key == "environment")
                    ).scalar_one()
                )
    return environment


def open_merchant_ledger(
    *,
    environment: str,
    desk: DeskIdentity,
    sqlite_path: Path | None = None,
    url: str | URL | None = None,
    password: str | None = None,
    merge: Sequence[Path] = (),
    lease_s: float | None = None,
) -> LedgerJournal:
    """Open (create, migrate) the merchant's ledger: the SQLite file ``sqlite_path``, or
    the PostgreSQL server at ``url`` (``password`` from the keychain). Journal files of
    earlier versions in ``merge`` are merged into it first (SQLite only: a shared ledger
    is filled with ``iotpay-desk ledger copy``). Blocks: call it off the GUI thread.

    Raises a :class:`LedgerError` (a coded :class:`LedgerConnectError` for the server,
    :class:`LedgerTooNew`, :class:`NotALedger`, :class:`LedgerMismatch`): nothing is
    opened then, and the desk never falls back to another ledger."""
    if (sqlite_path is None) == (url is None):
        raise ValueError("open_merchant_ledger: a SQLite path or a PostgreSQL URL")
    if sqlite_path is not None:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = open_engine(sqlite_url(sqlite_path))
    else:
        assert url is not None
        engine = open_ledger(url, password=password)
    try:
        migrate(engine)
        found = ledger_environment(engine, environment)
        if found != environment:
            raise LedgerMismatch(found, environment)
        if sqlite_path is not None and merge:
            _merge(engine, merge)
        return LedgerJournal(engine, desk=desk, lease_s=lease_s or LEASE_S)
    except BaseException:
        engine.dispose()
        raise


def _merge(engine: Engine, files: Sequence[Path]) -> None:
    from .copy import merge_journal_files

    waiting = [f for f in files if f.is_file()]
    if waiting:
        reports = merge_journal_files(engine, waiting)
        log.info("merged %d journal file(s) into the merchant's ledger: %s", len(waiting), reports)


def open_sqlite_ledger(
    path: Path | str, *, desk: DeskIdentity | None = None, lease_s: float = LEASE_S
) -> LedgerJournal:
    """A ledger file at ``path``, created or migrated, with no merchant check (tools,
    benchmarks and tests; the desk uses :func:`open_merchant_ledger`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = open_engine(sqlite_url(path))
    try:
        migrate(engine)
        return LedgerJournal(engine, desk=desk, lease_s=lease_s)
    except BaseException:
        engine.dispose()
        raise


def ledger_opener(
    *,
    data_dir: Path,
    environment: str,
    mch_id: str,
    desk: DeskIdentity,
    shared: URL | None = None,
    password: str | None = None,
    merge: Sequence[Path] = (),
) -> Callable[[], LedgerJournal]:
    """What opens a profile's ledger: the merchant's file under ``data_dir``, or the
    ``shared`` server (see :func:`open_merchant_ledger`)."""
    if shared is not None:
        return partial(
            open_merchant_ledger,
            environment=environment,
            desk=desk,
            url=shared,
            password=password,
        )
    return partial(
        open_merchant_ledger,
        environment=environment,
        desk=desk,
        sqlite_path=merchant_file(data_dir, environment, mch_id),
        merge=merge,
    )


def profile_ledger_opener(
    profile: Profile,
    *,
    paths: AppPaths,
    credentials: CredentialStore,
    desk: DeskIdentity,
    profiles: Sequence[Profile] = (),
) -> Callable[[], LedgerJournal]:
    """What opens ``profile``'s ledger, for the desk and the notify receiver alike: the
    shared server it names (its password from the keychain: may raise
    :class:`~iotpay_desk.core.credentials.KeychainError`), or the merchant's file on this
    computer, into which the journal files of ``profiles`` of the same merchant (earlier
    versions kept one per profile) are merged once. Blocking (the keychain)."""
    location = profile.ledger
    if location.is_shared:
        password = credentials.get_ledger_password(profile.id)
        url = postgres_url(
            location.host,
            location.database,
            location.user,
            port=location.port,
            sslmode=location.tls,
        )
        return ledger_opener(
            data_dir=paths.data_dir,
            environment=profile.environment.value,
            mch_id=profile.mch_id,
            desk=desk,
            shared=url,
            password=password,
        )
    same_merchant = [
        p
        for p in (*profiles, profile)
        if p.environment is profile.environment and p.mch_id == profile.mch_id
    ]
    files = {paths.profile_dir(p.id, create=False) / "journal.sqlite3" for p in same_merchant}
    return ledger_opener(
        data_dir=paths.data_dir,
        environment=profile.environment.value,
        mch_id=profile.mch_id,
        desk=desk,
        merge=sorted(files),
    )

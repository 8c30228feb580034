"""The ledger feed: what any desk writes to the merchant's ledger, told to this desk's
:class:`~iotpay_desk.services.events.EventHub` within a fraction of a second.

PostgreSQL: revision 0002's triggers send ``pg_notify('iotpay_ledger',
'<table>:<mch_id>:<id>')`` when a row of ``actions``, ``vault_cards``, ``card_pages`` or
``notifications`` is written; the notification is delivered at commit. The feed keeps
one connection of its own (psycopg, outside the engine's pool: a pooled connection goes
back to the pool and stops listening), built from the engine's URL, the password and
the TLS options the desk connected with. It ``LISTEN``\\ s in a background thread,
waits for notifications a quarter of a second at a time (so :meth:`LedgerFeed.stop`
ends it promptly), keeps the merchant's, reads each changed row through the journal's
engine and publishes it. When the server goes away (restart, network, a terminated
backend) it reconnects with growing pauses (0.1 s up to 5 s) and, once listening
again, publishes :class:`~iotpay_desk.services.events.LedgerReset`: what was written
meanwhile was never notified to it, so the pages read everything again.

SQLite (desks sharing one file on one computer): a connection of the feed's own asks
``PRAGMA data_version`` every 0.2 s. The number moves when another connection (another
desk process, or this desk's own pool) commits. Then the feed reads, for the merchant,
the actions written since the highest id it has seen and those that could have changed
(unresolved or not received, and those that were so at the last look), every vault
card, and the add-card pages and notifications likewise, and publishes what differs from
what it saw last. The first look is the baseline: nothing is published for it (the
pages read the ledger when they open). A notification IOTPay sends again (``times``)
is published on PostgreSQL only.

Every change is published, this desk's own included: the hub drops the copy of what the
desk's services reported already. Plain Python, no Qt.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Row, Select, Table, or_, select

from iotpay_desk.journal import store as _journal
from iotpay_desk.journal.models import Action
from iotpay_desk.services.events import (
    ActionChanged,
    CardPageChanged,
    EventHub,
    LedgerEvent,
    LedgerReset,
    NotificationRecorded,
    VaultChanged,
)

from .journal import LedgerJournal
from .schema import LEDGER_CHANNEL, NOTIFYING_TABLES, metadata

__all__ = ["BACKOFF", "LedgerFeed", "parse_payload"]

log = logging.getLogger(__name__)

ACTIONS = metadata.tables["actions"]
VAULT = metadata.tables["vault_cards"]
PAGES = metadata.tables["card_pages"]
NOTES = metadata.tables["notifications"]

# Pauses between attempts to reach the server again (the last one repeats).
BACKOFF = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
# Actions that may still change: unresolved ones, and not_received (IOTPay's order may
# turn up and correct it).
_CHANGEABLE = ("intent", "checking", "not_received")


def _m(row: Row[Any]) -> Any:
    """A row as the journal's row readers take it (``row["column"]``)."""
    return row._mapping


def parse_payload(payload: str) -> tuple[str, str, int] | None:
    """``(table, mch_id, row id)`` from a ``NOTIFY`` payload, or None if it is not one."""
    table, sep, rest = payload.partition(":")
    mch_id, sep2, row_id = rest.rpartition(":")
    if not (sep and sep2) or table not in NOTIFYING_TABLES or not row_id.isdigit():
        return None
    return table, mch_id, int(row_id)


class LedgerFeed:
    """Publish to ``hub`` every change of merchant ``mch_id``'s rows in ``journal``'s
    ledger, whichever desk made it (see the module's docstring).

    PostgreSQL: the feed's own connection takes the parameters of the engine's pooled
    connections (TLS mode and password included); ``password`` and ``connect_kw``
    (libpq options) override them. ``poll`` is SQLite's pause between looks at
    ``data_version``; ``wait`` how long one wait for notifications lasts (what
    :meth:`stop` may take). Start with :meth:`start`, end with :meth:`stop` (no thread
    is left). Attributes for tests and diagnostics: ``listening`` (an Event, set while
    the feed is ready: listening, or SQLite's baseline taken), ``backend_pid`` (the
    listening PostgreSQL backend), ``reconnects``.
    """

    def __init__(
        self,
        journal: LedgerJournal,
        hub: EventHub,
        mch_id: str,
        *,
        password: str | None = None,
        connect_kw: Mapping[str, Any] | None = None,
        poll: float = 0.2,
        wait: float = 0.25,
        backoff: Sequence[float] = BACKOFF,
    ) -> None:
        if not backoff:
            raise ValueError("backoff: at least one pause")
        self._journal = journal
        self._hub = hub
        self.mch_id = mch_id
        self._pg = journal.engine.dialect.name == "postgresql"
        self._password = password
        self._connect_kw = dict(connect_kw or {})
        self._poll = poll
        self._wait = wait
        self._backoff = tuple(backoff)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()
        self.backend_pid: int | None = None
        self.reconnects = 0
        # PostgreSQL: a notified change could not be read (say reset at the next one).
        self._missed = False
        # SQLite: what the last look saw.
        self._max_action = 0
        self._watched: dict[int, Action] = {}
        self._cards: dict[str, tuple[Any, ...]] = {}
        self._max_page = 0
        self._open_pages: dict[int, tuple[Any, ...]] = {}
        self._max_note = 0

    def __repr__(self) -> str:
        return f"LedgerFeed({self._journal!r}, mch_id={self.mch_id!r})"

    # ------------------------------------------------------------------ life

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start following the ledger in a background thread (once)."""
        if self._thread is not None:
            raise RuntimeError("the feed was started already")
        run = self._run_postgres if self._pg else self._run_sqlite
        self._thread = threading.Thread(target=run, name="ledger-feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop following and wait for the thread to end (at most ``timeout`` s)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the ledger feed did not stop within %.1f s", timeout)

    def __enter__(self) -> LedgerFeed:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _publish(self, event: LedgerEvent) -> None:
        self._hub.publish(event)

    def _pause(self, attempt: int) -> bool:
        """Wait before attempt ``attempt`` (0-based) to reach the server; False if
        stopped meanwhile."""
        delay = self._backoff[min(attempt, len(self._backoff) - 1)]
        return not self._stop.wait(delay)

    # ------------------------------------------------------------------ PostgreSQL

    def _pg_params(self) -> tuple[dict[str, Any], bool]:
        """The feed connection's libpq parameters, and whether they are the pool's own.

        The pool's connections were opened with what the desk connected with, the TLS
        mode too (given as ``connect_args``, not in the URL): they are read from one of
        them (libpq's non-default parameters; the password from its own attribute).
        While the server cannot be reached, the URL's are used (no TLS options), and
        read again at the next attempt."""
        engine = self._journal.engine
        url = engine.url
        params: dict[str, Any] = {
            "host": url.host,
            "port": url.port,
            "dbname": url.database,
            "user": url.username,
            "password": url.password,
            "connect_timeout": 5,
        }
        params.update({k: v for k, v in url.query.items() if isinstance(v, str)})
        pooled = False
        try:
            with engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                if isinstance(raw, psycopg.Connection):
                    params.update(raw.info.get_parameters())
                    params["password"] = raw.info.password or params["password"]
                    pooled = True
        except Exception as exc:
            log.debug("ledger feed: the pool's connection parameters not read: %s", exc)
        params["application_name"] = "iotpay-desk ledger feed"
        if self._password is not None:
            params["password"] = self._password
        params.update(self._connect_kw)
        return {k: v for k, v in params.items() if v is not None}, pooled

    def _run_postgres(self) -> None:
        attempt = 0
        lost = False
        params: dict[str, Any] | None = None
        while not self._stop.is_set():
            try:
                use = params
                if use is None:
                    use, pooled = self._pg_params()
                    params = use if pooled else None
                conn = psycopg.connect(**use, autocommit=True)
            except psycopg.Error as exc:
                # libpq's message names host and user, never the password. Said once
                # while the server stays away, not at every attempt.
                level = logging.DEBUG if attempt else logging.WARNING
                log.log(level, "ledger feed: cannot reach the server: %s", str(exc).strip())
                lost = True
                if not self._pause(attempt):
                    break
                attempt += 1
                continue
            try:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(LEDGER_CHANNEL)))
                self.backend_pid = conn.info.backend_pid
                self.listening.set()
                self._missed = False
                if lost:
                    self.reconnects += 1
                    log.info("ledger feed: listening again, the pages read the ledger again")
                    self._publish(LedgerReset("reconnected"))
                lost = False
                attempt = 0
                while not self._stop.is_set():
                    for notify in conn.notifies(timeout=self._wait):
                        self._on_notify(notify.payload)
                        if self._stop.is_set():
                            break
            except psycopg.Error as exc:
                log.warning("ledger feed: the connection was lost: %s", str(exc).strip())
                lost = True
            finally:
                self.listening.clear()
                self.backend_pid = None
                conn.close()
            if lost and not self._pause(attempt):
                break
            attempt += 1 if lost else 0

    def _on_notify(self, payload: str) -> None:
        parsed = parse_payload(payload)
        if parsed is None:
            log.warning("ledger feed: a notification it cannot read: %r", payload[:80])
            return
        table, mch_id, row_id = parsed
        if mch_id != self.mch_id:
            return
        try:
            event = self._read(table, row_id)
        except Exception:
            # The server may be going away: the listening connection sees it too, and
            # the LedgerReset after reconnecting brings this change in. If it does not,
            # the next change read says reset first.
            log.warning("ledger feed: cannot read %s %s", table, row_id, exc_info=True)
            self._missed = True
            return
        if self._missed:
            self._missed = False
            self._publish(LedgerReset("a change could not be read"))
        if event is not None:
            self._publish(event)

    def _read(self, table: str, row_id: int) -> LedgerEvent | None:
        if table == "actions":
            return ActionChanged(self._journal.get_action(row_id))
        source = {"vault_cards": VAULT, "card_pages": PAGES, "notifications": NOTES}[table]
        with self._journal.engine.connect() as conn:
            row = conn.execute(select(source).where(source.c.id == row_id)).first()
        if row is None:
            return None
        if table == "vault_cards":
            return self._card_event(row)
        if table == "card_pages":
            return CardPageChanged(_journal._card_page(_m(row)))
        return NotificationRecorded(_journal._notification(_m(row)))

    def _card_event(self, row: Row[Any]) -> VaultChanged:
        m = _m(row)
        card = _journal._vault_card(m) if m["removed_at"] is None else None
        return VaultChanged(m["mch_id"], m["card_id"], card)

    # ------------------------------------------------------------------ SQLite

    def _run_sqlite(self) -> None:
        path = self._journal.path
        assert path is not None
        try:
            conn = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
        except sqlite3.Error:
            log.exception("ledger feed: cannot open %s", path)
            return
        conn.isolation_level = None
        version: int | None = None  # None: the baseline is still to be taken
        failing = False
        try:
            while True:
                try:
                    now = self._data_version(conn)
                    if version is None or now != version:
                        self._look(publish=version is not None)
                        self.listening.set()
                    version = now
                    if failing:
                        log.info("ledger feed: reading the ledger file again")
                    failing = False
                except Exception:
                    # Tried again at the next look (a version not taken is looked at again).
                    if not failing:
                        log.warning("ledger feed: cannot read the ledger file", exc_info=True)
                    failing = True
                if self._stop.wait(self._poll):
                    break
        finally:
            self.listening.clear()
            conn.close()

    @staticmethod
    def _data_version(conn: sqlite3.Connection) -> int:
        row = conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def _look(self, *, publish: bool) -> None:
        """Read what may have changed since the last look; publish what did."""
        events: list[LedgerEvent] = []
        # One read transaction: the tables as of one moment.
        with self._journal.engine.connect() as conn, conn.begin():
            rows = conn.execute(
                self._mine(ACTIONS).where(
                    or_(
                        ACTIONS.c.state.in_(_CHANGEABLE),
                        ACTIONS.c.id > self._max_action,
                        ACTIONS.c.id.in_(list(self._watched)),
                    )
                )
            ).all()
            cards = conn.execute(self._mine(VAULT)).all()
            pages = conn.execute(
                self._mine(PAGES).where(
                    or_(
                        PAGES.c.outcome.is_(None),
                        PAGES.c.id > self._max_page,
                        PAGES.c.id.in_(list(self._open_pages)),
                    )
                )
            ).all()
            notes = conn.execute(self._mine(NOTES).where(NOTES.c.id > self._max_note)).all()

        watched: dict[int, Action] = {}
        for row in rows:
            action = _journal._action(_m(row))
            if action.id > self._max_action or self._watched.get(action.id) != action:
                events.append(ActionChanged(action))
            if action.state.value in _CHANGEABLE:
                watched[action.id] = action
            self._max_action = max(self._max_action, action.id)
        self._watched = watched

        seen: dict[str, tuple[Any, ...]] = {}
        for row in cards:
            card_id = str(_m(row)["card_id"])
            seen[card_id] = tuple(row)
            if self._cards.get(card_id) != seen[card_id]:
                events.append(self._card_event(row))
        self._cards = seen

        open_pages: dict[int, tuple[Any, ...]] = {}
        for row in pages:
            m = _m(row)
            page_id = int(m["id"])
            if page_id > self._max_page or self._open_pages.get(page_id) != tuple(row):
                events.append(CardPageChanged(_journal._card_page(m)))
            if m["outcome"] is None:
                open_pages[page_id] = tuple(row)
            self._max_page = max(self._max_page, page_id)
        self._open_pages = open_pages

        for row in notes:
            events.append(NotificationRecorded(_journal._notification(_m(row))))
            self._max_note = max(self._max_note, int(_m(row)["id"]))

        if publish:
            for event in events:
                self._publish(event)

    def _mine(self, table: Table) -> Select[Any]:
        """The merchant's rows of ``table``, by id."""
        return select(table).where(table.c.mch_id == self.mch_id).order_by(table.c.id)

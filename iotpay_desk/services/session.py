"""One profile at work: its ledger, its services and their background checks (no Qt).

:class:`DeskSession` is what the desk's start-up (and a profile switch) builds: it opens
the merchant's ledger through an opener it is given (so no service names a backend),
builds the money and card services on it, and runs both start-up recoveries:

- money actions left unresolved (an earlier run, or another desk that stopped): checked
  with ``cc_query`` and then watched for as long as the session lives;
- add-card pages left open: a card IOTPay bound on one is saved; what was found is
  handed to ``on_cards_found`` (the vault page tells the cashier), the page itself never
  starts a recovery.

:meth:`close` stops the background checks, waits for money and card work in flight (never
cancels it), gives up this desk's leases (another desk may check those actions at once)
and closes the ledger.

The ledger going away (:mod:`.ledgerwatch`): the services hold a :class:`LedgerSlot`, and
a :class:`LedgerWatch` follows whether the ledger can be reached. A session opened with
``wait_for_ledger=True`` exists even when its ledger could not be opened: look-ups work
(IOTPay's answer without the ledger's part), every money action is refused before it is
sent, and the opener is tried again (by itself while the cause is one time mends). While
the ledger is unavailable the check loop pauses; when it is back (opened at last, or the
server answering again) the feed starts if it had not, both recoveries run again and
``on_ledger`` is told. Never another ledger instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, tzinfo
from typing import TYPE_CHECKING, Any, Protocol, cast

from iotpay_desk.journal import Action, DeskIdentity, Ledger, VaultCard
from iotpay_desk.journal.errors import LedgerUnavailable

from .cards import CardService
from .charges import SIMILAR_WITHIN_S
from .errors import CannotReachIotPay, RefusedByIotPay
from .events import EventHub
from .ledgerwatch import LedgerSlot, LedgerState, LedgerWatch
from .money import NOT_RECEIVED_AFTER_S, MoneyService
from .rules import DEFAULT_CUTOFF, TORONTO

if TYPE_CHECKING:
    from iotpay_desk.api.client import IotPayClient

__all__ = ["DeskSession", "Feed", "FeedFactory", "SessionSettings"]

log = logging.getLogger(__name__)


class Feed(Protocol):
    """Brings into the hub what any desk writes in the ledger (``ledger.feed``)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


FeedFactory = Callable[[Any, EventHub, str], Feed]
"""``(ledger, hub, mch_id) -> Feed``: given by the desk, which knows the backend."""


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """What a profile says about how its desk works."""

    operator: str
    cutoff: time = DEFAULT_CUTOFF
    tz: tzinfo = TORONTO
    notify_url: str | None = None
    not_received_after: float = NOT_RECEIVED_AFTER_S
    repeat_charge_within: float = SIMILAR_WITHIN_S
    direct_add_enabled: bool = False


class DeskSession:
    """A profile's ledger and services. Build with :meth:`open` (or the constructor, with
    a ledger already open); then :meth:`start`; :meth:`close` at the end."""

    def __init__(
        self,
        client: IotPayClient,
        ledger: Ledger | None,
        settings: SessionSettings,
        *,
        on_change: Callable[[Action], None] | None = None,
        feed: FeedFactory | None = None,
        probe: Callable[[Ledger], object] | None = None,
        on_ledger: Callable[[LedgerState], None] | None = None,
        desk: DeskIdentity | None = None,
        **service_kw: Any,
    ) -> None:
        self.client = client
        self.settings = settings
        # ``ledger`` None: not opened yet (see ``open(wait_for_ledger=True)``).
        self._probe = probe
        self._opener: Callable[[], Ledger] | None = None
        self.on_ledger = on_ledger
        self.watch = LedgerWatch(self._probe_ledger, on_change=self._ledger_changed)
        self.slot = LedgerSlot(ledger, desk=desk, report=self.watch.report)
        self.ledger: Ledger = cast(Ledger, self.slot)
        ledger = self.ledger
        self._started = False
        self._cards_found: Callable[[list[VaultCard]], None] | None = None
        self._money_task: asyncio.Task[Any] | None = None
        self._cards_checked = False
        # Every change the pages show goes through the hub, once: this desk's services
        # report to it, and the feed (if any) brings what any desk writes in the ledger.
        self.hub = EventHub()
        self._on_change = on_change
        self._feed_factory = feed
        self.feed: Feed | None = None
        self.money = MoneyService(
            client,
            ledger,
            operator=settings.operator,
            cutoff=settings.cutoff,
            tz=settings.tz,
            on_change=self._changed,
            notify_url=settings.notify_url,
            not_received_after=settings.not_received_after,
            repeat_charge_within=settings.repeat_charge_within,
            **service_kw,
        )
        self.cards = CardService(
            client,
            ledger,
            operator=settings.operator,
            direct_add_enabled=settings.direct_add_enabled,
            tz=settings.tz,
        )
        self._background: list[asyncio.Task[Any]] = []
        self._closed = False

    @classmethod
    async def open(
        cls,
        client: IotPayClient,
        open_ledger: Callable[[], Ledger],
        settings: SessionSettings,
        *,
        wait_for_ledger: bool = False,
        **kw: Any,
    ) -> DeskSession:
        """Open the ledger (off the event loop: it may migrate a file or reach a server)
        and build the services on it. The opener's errors pass through unchanged, unless
        ``wait_for_ledger``: then the session is built without its ledger, which is
        unavailable (``ledger_state``) until the opener succeeds (see the module
        docstring)."""
        try:
            ledger = await asyncio.to_thread(open_ledger)
        except Exception as exc:
            if not wait_for_ledger:
                raise
            log.warning("the ledger did not open; the desk works without it for now: %s", exc)
            session = cls(client, None, settings, **kw)
            session._opener = open_ledger
            if isinstance(exc, LedgerUnavailable):
                session.slot.where, session.slot.shared = exc.where, exc.shared
            session.watch.unavailable_from_start(exc)
            return session
        try:
            session = cls(client, ledger, settings, **kw)
        except BaseException:
            await asyncio.to_thread(ledger.close)
            raise
        session._opener = open_ledger
        return session

    # ------------------------------------------------------------------ the ledger's state

    @property
    def ledger_state(self) -> LedgerState:
        """Whether the ledger can be used now (else since when, and why)."""
        return self.watch.state

    async def retry_ledger(self) -> LedgerState:
        """Try the ledger now (the banner's Try again): open it, or ask it."""
        if self._closed:
            return self.watch.state
        return await self.watch.try_now()

    def _probe_ledger(self) -> None:
        """Blocking (a worker thread): open the ledger if it never opened, else ask it
        one cheap question. Raises why it cannot be used."""
        ledger = self.slot.ledger
        if ledger is None:
            if self._opener is None:
                raise LedgerUnavailable(self.slot.where, "no way to open it")
            opened = self._opener()
            if self._closed:  # the session closed while the ledger opened
                opened.close()
                raise LedgerUnavailable(self.slot.where, "the session closed")
            self.slot.attach(opened)
            log.info("the ledger opened at last")
            return
        if self._probe is not None:
            self._probe(ledger)
        else:
            ledger.recent_lookups(self.client.mch_id, 1)

    def _ledger_changed(self, state: LedgerState) -> None:
        """The watch's report (the loop's thread): pause or resume the ledger's work."""
        if self._closed:
            return
        if state.available:
            if self._started:
                self._start_ledger_work()
        else:
            # The check loop would only fail until the ledger is back; actions it is
            # resolving run on (shielded) and are resolved again when it is.
            task, self._money_task = self._money_task, None
            if task is not None:
                task.cancel()
        if self.on_ledger is not None:
            self.on_ledger(state)

    def _changed(self, action: Action) -> None:
        self.hub.action_changed(action)
        if self._on_change is not None:
            self._on_change(action)

    @property
    def desk_name(self) -> str:
        return self.ledger.desk.name

    def start(self, on_cards_found: Callable[[list[VaultCard]], None] | None = None) -> None:
        """Start both recoveries in the background (see the module docstring)."""
        if self._closed:
            raise RuntimeError("the session is closed")
        self._started = True
        self._cards_found = on_cards_found
        self.watch.start()
        if self.watch.available:
            self._start_ledger_work()

    def _start_ledger_work(self) -> None:
        """The feed, and the recoveries not running or not done yet (at start, and each
        time the ledger is back)."""
        if self._feed_factory is not None and self.feed is None:
            self.feed = self._feed_factory(self.ledger, self.hub, self.client.mch_id)
            self.feed.start()
        if self._money_task is None or self._money_task.done():
            self._money_task = self._spawn(self._recover_money())
        if not self._cards_checked:
            self._spawn(self._recover_card_pages(self._cards_found))

    async def _recover_money(self) -> None:
        try:
            await self.money.resolve_unresolved()
        except LedgerUnavailable as exc:
            # Resolved when the ledger is back (the watch starts this again).
            log.info("unresolved actions not checked now: %s", exc)
            return
        await self.money.watch()

    async def _recover_card_pages(
        self, on_cards_found: Callable[[list[VaultCard]], None] | None
    ) -> None:
        try:
            found = await self.cards.resolve_open_pages()
        except (CannotReachIotPay, RefusedByIotPay) as exc:
            log.info("add-card pages left open not checked now: %s", exc)
            self._cards_checked = True
            return
        except LedgerUnavailable as exc:
            log.info("add-card pages left open not checked now: %s", exc)
            return
        self._cards_checked = True
        if found and on_cards_found is not None and not self._closed:
            on_cards_found(found)

    def _spawn(self, work: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(work)
        task.add_done_callback(_log_failure)
        self._background = [t for t in self._background if not t.done()]
        self._background.append(task)
        return task

    async def close(self) -> None:
        """Stop the background checks, let work in flight finish, give up this desk's
        leases, close the ledger. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await self.watch.stop()
        for task in self._background:
            task.cancel()
        if self._background:
            # Only the loops stop; an action one of them resolves runs on, shielded.
            await asyncio.wait(self._background)
        self._background.clear()
        if self.feed is not None:
            await asyncio.to_thread(self.feed.stop)
            self.feed = None
        await self.money.wait_idle()
        # A card page's check may be saving a card IOTPay bound: let it finish.
        await self.cards.wait_idle()
        with contextlib.suppress(Exception):
            released = await asyncio.to_thread(self.ledger.release_all_checks)
            if released:
                log.info("gave up %d check lease(s) for other desks", released)
        await asyncio.to_thread(self.ledger.close)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background work failed", exc_info=task.exception())

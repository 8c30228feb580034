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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, tzinfo
from typing import Any

from iotpay_desk.api.client import IotPayClient
from iotpay_desk.journal import Action, Ledger, VaultCard

from .cards import CardService
from .charges import SIMILAR_WITHIN_S
from .errors import CannotReachIotPay, RefusedByIotPay
from .money import NOT_RECEIVED_AFTER_S, MoneyService
from .rules import DEFAULT_CUTOFF, TORONTO

__all__ = ["DeskSession", "SessionSettings"]

log = logging.getLogger(__name__)


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
        ledger: Ledger,
        settings: SessionSettings,
        *,
        on_change: Callable[[Action], None] | None = None,
        **service_kw: Any,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.settings = settings
        self.money = MoneyService(
            client,
            ledger,
            operator=settings.operator,
            cutoff=settings.cutoff,
            tz=settings.tz,
            on_change=on_change,
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
        **kw: Any,
    ) -> DeskSession:
        """Open the ledger (off the event loop: it may migrate a file or reach a server)
        and build the services on it. The opener's errors pass through unchanged."""
        ledger = await asyncio.to_thread(open_ledger)
        try:
            return cls(client, ledger, settings, **kw)
        except BaseException:
            await asyncio.to_thread(ledger.close)
            raise

    @property
    def desk_name(self) -> str:
        return self.ledger.desk.name

    def start(self, on_cards_found: Callable[[list[VaultCard]], None] | None = None) -> None:
        """Start both recoveries in the background (see the module docstring)."""
        if self._closed:
            raise RuntimeError("the session is closed")
        self._spawn(self._recover_money())
        self._spawn(self._recover_card_pages(on_cards_found))

    async def _recover_money(self) -> None:
        await self.money.resolve_unresolved()
        await self.money.watch()

    async def _recover_card_pages(
        self, on_cards_found: Callable[[list[VaultCard]], None] | None
    ) -> None:
        try:
            found = await self.cards.resolve_open_pages()
        except (CannotReachIotPay, RefusedByIotPay) as exc:
            log.info("add-card pages left open not checked now: %s", exc)
            return
        if found and on_cards_found is not None and not self._closed:
            on_cards_found(found)

    def _spawn(self, work: Any) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(work)
        task.add_done_callback(_log_failure)
        self._background.append(task)

    async def close(self) -> None:
        """Stop the background checks, let work in flight finish, give up this desk's
        leases, close the ledger. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for task in self._background:
            task.cancel()
        if self._background:
            # Only the loops stop; an action one of them resolves runs on, shielded.
            await asyncio.wait(self._background)
        self._background.clear()
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

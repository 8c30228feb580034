"""Whether the ledger can be reached, and finding out again while it cannot (no Qt).

A shared ledger's server may stop, or the network to it may be cut, while a desk runs
(or before it starts). The desk then keeps IOTPay look-ups working, refuses every money
action before anything is sent (its intent cannot be written), and never opens another
ledger instead. Two small parts make that so:

- :class:`LedgerSlot` is what the services hold as their ledger. It passes every call to
  the ledger once there is one, and reports each
  :class:`~iotpay_desk.journal.errors.LedgerUnavailable` a call raised; while the ledger
  could not be opened at all (the server was down at start), every call raises
  ``LedgerUnavailable`` at once. When the ledger opens later it is attached to the same
  slot: the services built on it need no rebuilding.
- :class:`LedgerWatch` keeps the state (available, or unavailable since when and why)
  and, while the ledger is unavailable, tries to reach it again by itself — 2 s, then
  doubling up to 30 s — for causes that time mends (``LedgerUnavailable``), and when
  asked (:meth:`LedgerWatch.try_now`, the banner's Try again) for every cause. While the
  ledger works it asks it a cheap question every few seconds, so a server that went away
  while the desk was idle is noticed before a cashier tries to refund. ``on_change`` is
  called on the event loop's thread at each change of state.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from iotpay_desk.journal import DeskIdentity, Ledger
from iotpay_desk.journal.errors import LedgerUnavailable

__all__ = [
    "FIRST_RETRY_S",
    "HEARTBEAT_S",
    "MAX_RETRY_S",
    "LedgerSlot",
    "LedgerState",
    "LedgerWatch",
]

log = logging.getLogger(__name__)

FIRST_RETRY_S = 2.0
MAX_RETRY_S = 30.0
HEARTBEAT_S = 10.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LedgerState:
    """``available``; else ``since`` (UTC) it was found unavailable and ``error``, the
    last reason; ``retrying``: the desk tries again by itself (else only when asked)."""

    available: bool
    since: datetime | None = None
    error: BaseException | None = None
    retrying: bool = False


AVAILABLE = LedgerState(available=True)


class LedgerSlot:
    """The ledger the services use (see the module docstring). Thread-safe: the ledger's
    methods run in worker threads; ``report`` must be safe to call from any thread."""

    def __init__(
        self,
        ledger: Ledger | None,
        *,
        desk: DeskIdentity | None = None,
        where: str = "",
        shared: bool = False,
        report: Callable[[LedgerUnavailable], None] | None = None,
    ) -> None:
        self._ledger = ledger
        self._desk = desk
        self.where = where
        self.shared = shared
        self.report = report

    @property
    def ledger(self) -> Ledger | None:
        """The ledger, once it was opened."""
        return self._ledger

    def attach(self, ledger: Ledger) -> None:
        """The ledger opened at last (never replaced by another once attached)."""
        if self._ledger is not None and self._ledger is not ledger:
            raise RuntimeError("the slot holds a ledger already")
        self._ledger = ledger

    @property
    def desk(self) -> DeskIdentity:
        if self._ledger is not None:
            return self._ledger.desk
        if self._desk is None:
            self._desk = DeskIdentity.here()
        return self._desk

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()

    def missing(self) -> LedgerUnavailable:
        """What a call raises while no ledger could be opened."""
        return LedgerUnavailable(self.where, "it could not be opened", shared=self.shared)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in _STORES:
            return _StoreSlot(self, name)
        ledger = self._ledger
        if ledger is None:
            if not callable(getattr(Ledger, name, None)):
                raise AttributeError(name)
            return self._unavailable
        return self._reporting(getattr(ledger, name))

    def _unavailable(self, *_args: object, **_kw: object) -> Any:
        raise self.missing()

    def _reporting(self, value: Any) -> Any:
        """``value``, a method of the ledger, reporting the ledger gone when it says so."""
        if not callable(value):
            return value

        @functools.wraps(value)
        def call(*args: Any, **kw: Any) -> Any:
            try:
                return value(*args, **kw)
            except LedgerUnavailable as exc:
                if self.report is not None:
                    self.report(exc)
                raise

        return call


_STORES = frozenset({"books", "jobs", "days", "deposits"})
"""The ledger's parts the services reach through it (``ledger.days.figures(...)``)."""


class _StoreSlot:
    """One part of the ledger in a :class:`LedgerSlot`: its calls, like the ledger's
    own, raise :class:`LedgerUnavailable` while no ledger is open and report it gone."""

    def __init__(self, slot: LedgerSlot, name: str) -> None:
        self._slot = slot
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        ledger = self._slot.ledger
        if ledger is None:
            return self._slot._unavailable
        return self._slot._reporting(getattr(getattr(ledger, self._name), attr))


class LedgerWatch:
    """The ledger's state and the background tries (see the module docstring).

    ``probe`` (blocking; run in a worker thread) returns when the ledger answers and
    raises why not; ``retry_by_itself(exc)`` says whether a cause is worth trying again
    without being asked (default: ``LedgerUnavailable``)."""

    def __init__(
        self,
        probe: Callable[[], object],
        *,
        on_change: Callable[[LedgerState], None] | None = None,
        clock: Callable[[], datetime] = _utcnow,
        first_retry: float = FIRST_RETRY_S,
        max_retry: float = MAX_RETRY_S,
        heartbeat: float | None = HEARTBEAT_S,
        retry_by_itself: Callable[[BaseException], bool] | None = None,
    ) -> None:
        self._probe = probe
        self.on_change = on_change
        self._clock = clock
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.heartbeat = heartbeat
        self._retry_by_itself = retry_by_itself or (lambda e: isinstance(e, LedgerUnavailable))
        self.state: LedgerState = AVAILABLE
        self.delay = first_retry
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._probing: asyncio.Lock | None = None
        self._asking: asyncio.Future[object] | None = None

    @property
    def available(self) -> bool:
        return self.state.available

    # ------------------------------------------------------------------ reports

    def report(self, exc: BaseException) -> None:
        """A ledger call found it unavailable (any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self._gone(exc)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._gone(exc)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._gone, exc)

    def unavailable_from_start(self, exc: BaseException) -> None:
        """The ledger could not be opened (before :meth:`start`)."""
        self._gone(exc)

    def _gone(self, exc: BaseException) -> None:
        retrying = self._retry_by_itself(exc)
        if self.state.available:
            since = self._clock()
            log.warning("the ledger cannot be used since %s: %s", since.isoformat(), exc)
            self.delay = self.first_retry
        else:
            since = self.state.since or self._clock()
            if type(exc) is type(self.state.error) and retrying == self.state.retrying:
                return  # nothing new to say
        if isinstance(exc, LedgerUnavailable) and exc.since is None:
            exc.since = since
        self._set(LedgerState(available=False, since=since, error=exc, retrying=retrying))
        if self._wake is not None:
            self._wake.set()

    def _back(self) -> None:
        if self.state.available:
            return
        log.warning("the ledger is back (unavailable since %s)", self.state.since)
        self.delay = self.first_retry
        self._set(AVAILABLE)

    def _set(self, state: LedgerState) -> None:
        self.state = state
        if self.on_change is not None:
            try:
                self.on_change(state)
            except Exception:
                log.exception("the ledger state callback failed")

    # ------------------------------------------------------------------ tries

    async def try_now(self) -> LedgerState:
        """Ask the ledger now (Try again); the state after it."""
        if self._probing is None:
            self._probing = asyncio.Lock()
        async with self._probing:
            # A cancelled wait does not stop the worker thread: :meth:`stop` waits for
            # it, so nothing closes the ledger under a question still being asked.
            asking = self._asking = asyncio.ensure_future(asyncio.to_thread(self._probe))
            try:
                await asyncio.shield(asking)
            except Exception as exc:
                was_available = self.state.available
                self._gone(exc)
                if not was_available:
                    self.delay = min(self.max_retry, self.delay * 2)
            else:
                self._back()
        return self.state

    def start(self) -> None:
        """Watch in the background (on the running loop) until :meth:`stop`."""
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._probing = self._probing or asyncio.Lock()
        self._task = self._loop.create_task(self._run())

    async def stop(self) -> None:
        """Stop watching; returns once no question to the ledger is in flight (its
        connection is back in the pool, so closing the ledger then closes it too)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        asking = self._asking
        if asking is not None and not asking.done():
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asking

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            state = self.state
            if state.available:
                wait: float | None = self.heartbeat
            elif state.retrying:
                wait = self.delay
            else:
                wait = None  # only when asked (Try again) or a call reports again
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
                continue  # the state changed: wait again from there
            except TimeoutError:
                pass
            try:
                await self.try_now()
            except asyncio.CancelledError:
                raise
            except Exception:  # never let the watch die
                log.exception("checking the ledger failed")

"""The desk's event hub: what changed in the ledger, told once to whoever shows it.

Changes reach a desk two ways: its own services report what they just wrote, and the
ledger feed (:class:`iotpay_desk.ledger.feed.LedgerFeed`) reports what any desk wrote
(this one included: on PostgreSQL every write sends a ``NOTIFY``, on SQLite every commit
moves the file's ``data_version``). Both publish here; the hub delivers each *change*
once, so a page never shows one refund twice nor flips back to an older state.

Events (frozen, compared by value):

- :class:`ActionChanged` ``(action)``: an action was written or changed state.
- :class:`VaultChanged` ``(mch_id, card_id, card)``: a card was added, changed or
  removed (``card`` is None when it is no longer in the vault).
- :class:`CardPageChanged` ``(page)``: an add-card page was opened, closed or ended.
- :class:`NotificationRecorded` ``(notification)``: IOTPay's notification was recorded
  (or came again: ``times``).
- :class:`LedgerReset`: changes may have been missed (the shared ledger's connection
  was lost and is back): reload everything.

Deduplication (on the loop's thread, so in the order events reach it): the hub keeps,
per action id, the last action it delivered. An :class:`ActionChanged` equal to it is
dropped (the service's report and the feed's read of the same row); one that is older
(open while the delivered one is final, or an earlier ``updated_at``, or the same
``updated_at`` with fewer checks) is dropped too, so a late report never undoes a newer one.
Vault cards, card pages and notifications are dropped when equal to the last delivered
for the same card, page or notification. :class:`LedgerReset` always goes through.

Threading: :meth:`EventHub.publish` may be called from any thread. On the loop's own
thread the event is delivered before ``publish`` returns; from any other thread it is
handed to the loop with ``loop.call_soon_threadsafe``. Subscribers are always called on
the loop's thread; one that raises is logged and the others still get the event. Plain
Python: no Qt (the GUI's ``LedgerBridge`` turns events into signals).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from iotpay_desk.journal.models import Action, CardPage, Notification, VaultCard

__all__ = [
    "ActionChanged",
    "CardPageChanged",
    "EventHub",
    "LedgerEvent",
    "LedgerReset",
    "NotificationRecorded",
    "Subscriber",
    "VaultChanged",
]

log = logging.getLogger(__name__)

# How many things (actions, cards, pages, notifications) the hub remembers for
# deduplication; the oldest remembered is forgotten first.
MEMORY = 20_000


@dataclass(frozen=True, slots=True)
class ActionChanged:
    action: Action


@dataclass(frozen=True, slots=True)
class VaultChanged:
    mch_id: str
    card_id: str
    card: VaultCard | None = None  # None: not (or no longer) in the vault


@dataclass(frozen=True, slots=True)
class CardPageChanged:
    page: CardPage


@dataclass(frozen=True, slots=True)
class NotificationRecorded:
    notification: Notification


@dataclass(frozen=True, slots=True)
class LedgerReset:
    """Changes may have been missed: whoever shows ledger data reads it again."""

    reason: str = ""


LedgerEvent: TypeAlias = (
    ActionChanged | VaultChanged | CardPageChanged | NotificationRecorded | LedgerReset
)
Subscriber: TypeAlias = Callable[[LedgerEvent], None]


def _identity(event: LedgerEvent) -> Hashable | None:
    """What the event is about (None: never deduplicated)."""
    if isinstance(event, ActionChanged):
        return ("action", event.action.id)
    if isinstance(event, VaultChanged):
        return ("card", event.mch_id, event.card_id)
    if isinstance(event, CardPageChanged):
        return ("page", event.page.session_id)
    if isinstance(event, NotificationRecorded):
        n = event.notification
        return ("notification", n.mch_id, n.pay_order_id, n.status)
    return None


def _action_order(action: Action) -> tuple[bool, datetime, int]:
    """Later changes of one action sort higher: final after open (an action never
    reopens, whatever the clocks of the desks that wrote it say), then its time, then
    the number of checks (a check may keep the time of the one before)."""
    return (action.state.is_final, action.updated_at, action.attempts)


def is_older(new: Action, delivered: Action) -> bool:
    """True when ``new`` is an earlier version of the action than ``delivered``."""
    return _action_order(new) < _action_order(delivered)


class EventHub:
    """Publish ledger events from any thread; subscribers get each change once, on
    ``loop``'s thread (the running loop when the hub is made, if not given)."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop or asyncio.get_running_loop()
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        # identity → the event last delivered about it (loop thread only).
        self._delivered: OrderedDict[Hashable, LedgerEvent] = OrderedDict()
        self.delivered_count = 0
        self.dropped_count = 0

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber(event)`` for every event from now on; returns a function
        that unsubscribes it."""
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: LedgerEvent) -> None:
        """Deliver ``event`` (see the module's docstring for when and on which thread).
        After the loop has closed, events are dropped."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._deliver(event)
            return
        try:
            self._loop.call_soon_threadsafe(self._deliver, event)
        except RuntimeError:  # the loop is closed: the desk is shutting down
            log.debug("event dropped, the loop is closed: %s", type(event).__name__)

    def action_changed(self, action: Action) -> None:
        """``publish(ActionChanged(action))``: fits a service's ``on_change``."""
        self.publish(ActionChanged(action))

    def forget(self) -> None:
        """Forget what was delivered (a profile switch): the next event about anything
        is delivered. Call on the loop's thread."""
        self._delivered.clear()

    def _is_news(self, event: LedgerEvent) -> bool:
        identity = _identity(event)
        if identity is None:
            return True
        last = self._delivered.get(identity)
        if last is not None:
            if last == event:
                return False
            if (
                isinstance(event, ActionChanged)
                and isinstance(last, ActionChanged)
                and is_older(event.action, last.action)
            ):
                return False
        self._delivered[identity] = event
        self._delivered.move_to_end(identity)
        while len(self._delivered) > MEMORY:
            self._delivered.popitem(last=False)
        return True

    def _deliver(self, event: LedgerEvent) -> None:
        if not self._is_news(event):
            self.dropped_count += 1
            return
        self.delivered_count += 1
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("a subscriber failed on %s", type(event).__name__)

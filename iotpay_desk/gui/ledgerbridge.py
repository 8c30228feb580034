"""The one object that turns the ledger's events into Qt signals for the pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import final

import shiboken6
from PySide6.QtCore import QObject, Signal

from iotpay_desk.services.events import (
    ActionChanged,
    CardPageChanged,
    EventHub,
    LedgerEvent,
    LedgerReset,
    NotificationRecorded,
    VaultChanged,
)

__all__ = ["LedgerBridge"]

log = logging.getLogger(__name__)


@final
class LedgerBridge(QObject):
    """Subscribes to an :class:`~iotpay_desk.services.events.EventHub` and re-emits each
    event it delivers (each change once: the hub drops repeats) as a signal.

    Signals, all emitted on the GUI thread (the hub calls its subscribers on the qasync
    loop's thread):

    - ``action_changed(Action)``: an action was written or changed state, on any desk;
    - ``vault_changed(VaultChanged)``: a card was added, changed or removed;
    - ``card_page_changed(CardPage)``: an add-card page was opened, closed or ended;
    - ``notification_recorded(Notification)``: IOTPay's notification was recorded;
    - ``reset()``: changes may have been missed (the shared ledger came back): read
      everything again.

    :meth:`detach` stops following the hub (also done when the bridge is destroyed).
    """

    action_changed = Signal(object)
    vault_changed = Signal(object)
    card_page_changed = Signal(object)
    notification_recorded = Signal(object)
    reset = Signal()

    def __init__(self, hub: EventHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ledger-bridge")
        self.hub = hub
        unsubscribe = hub.subscribe(self._on_event)
        self._unsubscribe: Callable[[], None] | None = unsubscribe
        # Not a method of this object: it is being destroyed when this runs.
        self.destroyed.connect(lambda *_args: unsubscribe())

    def detach(self) -> None:
        """Stop following the hub (idempotent)."""
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    def _on_event(self, event: LedgerEvent) -> None:
        if self._unsubscribe is None or not shiboken6.isValid(self):
            return
        if isinstance(event, ActionChanged):
            self.action_changed.emit(event.action)
        elif isinstance(event, VaultChanged):
            self.vault_changed.emit(event)
        elif isinstance(event, CardPageChanged):
            self.card_page_changed.emit(event.page)
        elif isinstance(event, NotificationRecorded):
            self.notification_recorded.emit(event.notification)
        elif isinstance(event, LedgerReset):
            log.info("the ledger asks for a reload: %s", event.reason or "no reason given")
            self.reset.emit()

"""Python's cyclic garbage collector, run on the GUI thread only.

WORKAROUND: the collector runs in whichever thread happens to allocate when a
threshold is crossed — here a keychain or journal worker (``asyncio.to_thread``) or
the embedded sandbox's thread. A reference cycle that holds a Qt object is then
destroyed in that thread; a QObject with active timers deleted outside its own thread
leaves them registered, and the GUI thread later delivers a timer event to freed
memory (a segfault in ``QCoreApplicationPrivate::sendThroughObjectEventFilters``, seen
in this project's test runs). qutebrowser solves the same problem the same way
(``qutebrowser/misc/objects`` → ``GarbageCollector``): automatic collection off, a
timer on the GUI thread collects instead.

A full collection walks every object the collector tracks, and most of the desk's
(modules, classes, functions, the window's widgets) live until it quits: over that heap
one took 80–140 ms on this project's 2-core machines, long enough for the window to
visibly freeze. The heap as it stands once the window is up is collected once and then
frozen (:func:`gc.freeze`: never walked again), and so is the heap after a later first
import (QtWebEngine for the card pages, a dialog's module): a full collection then walks
only what came after. What a frozen object later leaves as cyclic garbage is not
reclaimed until the desk quits; the objects frozen are those alive at start or at a
module's first import, which a desk keeps anyway.
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from typing import final

from PySide6.QtCore import QObject, Qt, QTimer

__all__ = ["GuiThreadCollector"]

log = logging.getLogger(__name__)


@final
class GuiThreadCollector(QObject):
    """Disables automatic collection and collects from a GUI-thread timer instead.

    Each tick does what the automatic collector would have done: the oldest
    generation whose allocation count is over its threshold is collected.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = 250) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._was_enabled = gc.isenabled()
        self._modules_settled = -1  # modules loaded at the last :meth:`settle`

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def settle(self) -> int:
        """Collect everything, then freeze what is left (see the module docstring): what a
        later full collection walks is only what comes after. Returns the objects
        frozen."""
        t0 = time.perf_counter()
        gc.collect()
        gc.freeze()
        self._modules_settled = len(sys.modules)
        frozen = gc.get_freeze_count()
        log.debug("gc: %d objects frozen in %.0f ms", frozen, (time.perf_counter() - t0) * 1000)
        return frozen

    def tick(self) -> int:
        """Collect what is due; returns the generation collected (-1: none)."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        due = -1
        for gen in range(3):
            if thresholds[gen] and counts[gen] > thresholds[gen]:
                due = gen
        if due == 2 and 0 <= self._modules_settled < len(sys.modules):
            self.settle()  # modules came since: they stay, walk them never again
            return due
        if due >= 0:
            found = gc.collect(due)
            if found:
                log.debug("gc: generation %d collected %d objects", due, found)
        return due

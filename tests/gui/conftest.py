"""GUI fixtures: a qasync loop on the test's QApplication, and helpers to drive it.

A test runs its scenario as a coroutine on the qasync loop (``qloop.run(scenario())``), the
way the desk runs: clicks made inside it start ``@asyncSlot`` tasks on that same loop, and
``until`` waits for what the user would see.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

T = TypeVar("T")

# WORKAROUND: the offscreen platform plugin warns on every top-level show
# ("This plugin does not support propagateSizeHints()", QTBUG-74252), and when a popup
# (a completer's list, a menu) is raised or grabs the keyboard, which it cannot do; none of
# it says anything about the desk. Every other Qt warning still fails the test.
OFFSCREEN_NOISE = (
    r"^This plugin does not support "
    r"(propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)$"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


class QuietStopLoop(qasync.QEventLoop):
    """qasync's loop, whose ``stop`` does not announce that the application quits.

    WORKAROUND: qasync ends every ``run_until_complete`` with ``QApplication.exit()``,
    which emits ``aboutToQuit``; QtWebEngine tears its whole context down on that signal,
    so the next test that shows a web page crashes in Chromium. The desk runs one loop for
    its whole life and never meets this; a test session runs one loop per test, and
    once any test has shown a web page every later loop must stop this way (a plain
    stop then crashed in ``QApplication.exit()`` on a loaded machine).
    """

    def stop(self) -> None:
        app = QApplication.instance()
        blocked = app.signalsBlocked() if app is not None else False
        if app is not None:
            app.blockSignals(True)
        try:
            super().stop()
        finally:
            if app is not None:
                app.blockSignals(blocked)


class QLoop:
    """The qasync loop of one test."""

    loop_class: type[qasync.QEventLoop] = QuietStopLoop
    timeout = 20.0

    def __init__(self, app: QApplication) -> None:
        self.loop = self.loop_class(app)
        asyncio.set_event_loop(self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout or self.timeout))

    def call(self, fn: Callable[[], object]) -> None:
        """Call ``fn`` with the loop running (slots it triggers may start tasks), then let
        the loop take a few turns."""

        async def go() -> None:
            fn()
            for _ in range(3):
                await asyncio.sleep(0)

        self.run(go())

    def close(self) -> None:
        loop = self.loop
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        if pending:

            async def drain() -> None:
                await asyncio.wait(pending, timeout=5)

            loop.run_until_complete(drain())
        # Async generators (httpx response streams) left for the GC are finalized while
        # the loop still runs: finalized later, outside any task, they fail in sniffio.
        gc.collect()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
        # Free the loop's Qt objects (timers, notifiers) here, on the GUI thread: left to
        # the cyclic GC they may be collected in a server thread, which Qt warns about.
        gc.collect()


@pytest.fixture
def canadian_english(qapp: QApplication) -> Iterator[None]:
    """The default locale is en_CA for the test (amounts as $12.50, dates as 2026-12-04)."""
    before = QLocale()
    QLocale.setDefault(QLocale("en_CA"))
    yield
    QLocale.setDefault(before)


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[QLoop]:
    qapp.setQuitOnLastWindowClosed(False)
    ql = QLoop(qapp)
    yield ql
    ql.close()


async def until(predicate: Callable[[], object], within: float = 5.0, what: str = "") -> None:
    """Wait (letting the loop run) until ``predicate()`` is true."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.01)


def message_boxes(parent: QWidget | None = None) -> list[QMessageBox]:
    """The visible message boxes (of ``parent``'s window, or anywhere)."""
    if parent is not None:
        boxes = parent.window().findChildren(QMessageBox)
    else:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    return [b for b in boxes if b.isVisible()]


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

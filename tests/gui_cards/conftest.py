"""Fixtures of the card screens' tests: a qasync loop, a real QtWebEngine, the sandbox.

QtWebEngineWidgets must be imported before the QApplication exists; pytest-qt makes the
application lazily at the first ``qtbot``/``qapp`` use, after every conftest is imported.

A test runs its scenario as a coroutine on the qasync loop (``qloop.run(scenario())``), as
the desk runs: clicks start ``@asyncSlot`` tasks on that loop, the hosted page is driven
through :class:`~tests.gui_cards.pagedriver.PageDriver`, and ``until`` waits for what the
user would see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import PySide6.QtWebEngineWidgets  # noqa: F401  (must precede the QApplication)
import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import QLoop as BaseQLoop
from tests.gui.conftest import message_boxes as message_boxes
from tests.gui.conftest import until as base_until

T = TypeVar("T")

# WORKAROUND: the offscreen platform plugin warns on every top-level show
# ("This plugin does not support propagateSizeHints()", QTBUG-74252), and QtWebEngine's
# first start offscreen with --disable-gpu warns that it fell back to software rendering.
# Neither says anything about the desk; every other Qt warning still fails the test.
QT_NOISE = (
    r"^This plugin does not support propagateSizeHints\(\)$",
    r"QRhiGles2: Failed to create",
    r"Failed to create RHI for backend",
    r"GPUInfo not initialized",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui_cards/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*QT_NOISE))


class QLoop(BaseQLoop):
    """The qasync loop of one test, with web pages in it: more time."""

    timeout = 60.0


@pytest.fixture(autouse=True)
def canadian_english() -> Iterator[None]:
    """Amounts and dates as a cashier in Toronto sees them (``$12.50``), whatever the
    machine's locale."""
    before = QLocale()
    QLocale.setDefault(QLocale("en_CA"))
    yield
    QLocale.setDefault(before)


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[QLoop]:
    qapp.setQuitOnLastWindowClosed(False)
    ql = QLoop(qapp)
    yield ql
    # Close every window the scenario left open before the loop goes.
    for w in QApplication.topLevelWidgets():
        if w.isVisible():
            w.close()
    ql.close()


async def until(predicate: Callable[[], object], within: float = 10.0, what: str = "") -> None:
    """Wait (letting the loop run) until ``predicate()`` is true; a web page gets longer."""
    await base_until(predicate, within, what)

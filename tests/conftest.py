"""Test-wide set-up: hermetic paths, offscreen Qt, QtWebEngine flags, shared fixtures."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

# Before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-background-networking")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.plugins.memkeyring.MemoryKeyring")

pytest_plugins = [
    "tests.plugins.sandbox",
    "tests.plugins.hermetic",
    "tests.plugins.lateproxy",
    "tests.plugins.postgres",
]


@pytest.fixture(autouse=True)
def collect_on_the_main_thread() -> Iterator[None]:
    """Cyclic garbage is collected here, on the main thread, after every test.

    The same workaround as the desk's GuiThreadCollector: automatic collection could
    run in a sandbox or worker thread and destroy a Qt object (with live timers) there,
    which later crashes the GUI thread.
    """
    gc.disable()
    try:
        yield
    finally:
        # What the automatic collector would have done by now, nothing more.
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [g for g in range(3) if thresholds[g] and counts[g] > thresholds[g]]
        if due:
            gc.collect(due[-1])

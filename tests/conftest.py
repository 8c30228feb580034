"""Test-wide set-up: hermetic paths, offscreen Qt, QtWebEngine flags, shared fixtures."""

from __future__ import annotations

import os

# Before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-background-networking")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.plugins.memkeyring.MemoryKeyring")

pytest_plugins = ["tests.plugins.sandbox", "tests.plugins.hermetic"]

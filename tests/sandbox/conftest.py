"""Sandbox tests. Some drive real QtWebEngine pages.

QtWebEngineWidgets must be imported before the QApplication exists (it sets
``AA_ShareOpenGLContexts``); pytest-qt creates the application lazily at the first
``qtbot``/``qapp`` use, after every conftest has been imported at collection.
"""

from __future__ import annotations

import PySide6.QtWebEngineWidgets  # noqa: F401  (must precede the QApplication)

"""Translation markers for user-facing texts declared in the Qt-free core.

The core cannot call Qt's translator. It declares its texts as plain English source
strings wrapped in :func:`QT_TRANSLATE_NOOP` (so ``pyside6-lupdate`` extracts them with their
context) and the GUI shows ``QCoreApplication.translate(context, text)``.
"""

from __future__ import annotations

__all__ = ["QT_TRANSLATE_NOOP"]


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Mark ``source`` for translation in ``context``; returns it unchanged."""
    return source

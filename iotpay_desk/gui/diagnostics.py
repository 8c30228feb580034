"""What escapes: Qt's own messages into Python logging, uncaught exceptions into the log
and a non-blocking error box.

:class:`ErrorReporter` hooks ``sys.excepthook``, ``threading.excepthook`` and the asyncio
loop's exception handler. Signal ``_reported`` may be emitted from any thread; its slot runs
on the GUI thread (queued connection), so a worker thread never touches a widget.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, final

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from iotpay_desk.api.redact import redact

from .errors import Kind, UserMessage, describe, show_message

if TYPE_CHECKING:
    import asyncio

__all__ = ["ErrorReporter", "install_qt_message_handler", "qt_message_to_log"]

log = logging.getLogger(__name__)

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_to_log(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt message handler: ``qt.<category>`` logger, Qt's level mapped to logging's."""
    category = getattr(context, "category", None) or "default"
    logger = logging.getLogger(f"qt.{category}")
    logger.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)


def install_qt_message_handler() -> None:
    qInstallMessageHandler(qt_message_to_log)


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


@final
class ErrorReporter(QObject):
    """Logs every uncaught exception and shows one error box at a time, without blocking.

    ``window`` returns the widget to parent the box to (the main window, or None).
    """

    _reported = Signal(str, str)

    def __init__(self, window: Callable[[], QWidget | None], parent: QObject | None = None):
        super().__init__(parent)
        self._window = window
        self._box: QMessageBox | None = None
        self._missed = 0
        self._saved: tuple[Any, Any] | None = None
        self._reported.connect(self._show)

    # -- hooks ---------------------------------------------------------------------------

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._saved = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_exception_handler)

    def uninstall(self) -> None:
        if self._saved is not None:
            sys.excepthook, threading.excepthook = self._saved
            self._saved = None

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report((exc_type, exc, tb), where="uncaught exception")

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "?"
        self.report(
            (args.exc_type, args.exc_value, args.exc_traceback),
            where=f"uncaught exception in thread {name}",
        )

    def loop_exception_handler(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        exc = context.get("exception")
        if not isinstance(exc, BaseException):
            log.error("event loop: %s", context.get("message", "unknown error"))
            return
        import asyncio

        if isinstance(exc, asyncio.CancelledError):
            return
        self.report((type(exc), exc, exc.__traceback__), where="unhandled error in a task")

    # -- report (any thread) ---------------------------------------------------------------

    def report(self, info: ExcInfo, *, where: str) -> None:
        exc_type, exc, tb = info
        log.error("%s", where, exc_info=(exc_type, exc, tb))
        message = describe(exc)
        if message.kind is Kind.CANCELLED:
            return
        details = message.details or redact(
            "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()
        )
        self._reported.emit(message.text, details)

    # -- GUI thread --------------------------------------------------------------------------

    @Slot(str, str)
    def _show(self, text: str, details: str) -> None:
        if self._box is not None and isValid(self._box) and self._box.isVisible():
            self._missed += 1
            extra = self.tr("Errors since then: %1 more. See the log file.")
            self._box.setInformativeText(extra.replace("%1", str(self._missed)))
            return
        self._missed = 0
        self._box = show_message(self._window(), UserMessage(Kind.INTERNAL, text, details))

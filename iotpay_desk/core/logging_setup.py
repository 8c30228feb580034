"""Logging for the desk: one rotating file in the log dir plus stderr, all of it redacted.

:func:`setup_logging` installs, on the root logger:

* a rotating file ``<log_dir>/iotpay-desk.log`` (1 MB × 5 backups, owner-only permissions)
  and a stderr handler, each with :class:`~iotpay_desk.api.redact.RedactingFilter`;
* a log-record factory that redacts every record as it is created. Filters sit on handlers,
  so a handler added later by someone else would otherwise see raw records; the factory
  covers those too (records built by ``logging.makeLogRecord``, e.g. from a socket, skip
  factories — the handler filters catch them on our handlers);
* ``sys.excepthook`` and ``threading.excepthook`` that log uncaught exceptions (redacted,
  with the traceback) before the previous hook runs for ``KeyboardInterrupt``;
* ``logging.captureWarnings(True)``.

Qt's own messages are routed into logging by the GUI (``qInstallMessageHandler``); the
asyncio loop's exception handler likewise. :func:`teardown_logging` undoes everything.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from iotpay_desk.api.redact import RedactingFilter

from .paths import ensure_dir

__all__ = [
    "LOG_FILENAME",
    "current_log_file",
    "set_log_level",
    "setup_logging",
    "teardown_logging",
]

LOG_FILENAME = "iotpay-desk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-8s %(name)s [%(threadName)s] %(message)s"

_uncaught = logging.getLogger("iotpay_desk.uncaught")

_ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]
_ThreadHook = Callable[[threading.ExceptHookArgs], Any]


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file whose files (current and rotated) are readable by the owner only."""

    def _open(self) -> Any:
        return open(
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=lambda path, flags: os.open(path, flags, 0o600),
        )


@dataclass
class _Installed:
    log_file: Path
    handlers: list[logging.Handler]
    old_level: int
    old_factory: Callable[..., logging.LogRecord]
    old_excepthook: _ExceptHook
    old_thread_hook: _ThreadHook
    filt: RedactingFilter = field(default_factory=RedactingFilter)


_state: _Installed | None = None
_state_lock = threading.Lock()


def _level(level: int | str) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(level.strip().upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level {level!r}")
    return value


def set_log_level(level: int | str) -> None:
    """Change how much the desk logs, now (the Log detail setting); the redaction and the
    handlers stay as :func:`setup_logging` installed them."""
    logging.getLogger().setLevel(_level(level))


def setup_logging(
    log_dir: Path,
    level: int | str = "INFO",
    *,
    stderr: bool = True,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
) -> Path:
    """Install the desk's logging (again: the previous set-up is removed first).

    Returns the path of the log file.
    """
    lvl = _level(level)
    teardown_logging()
    ensure_dir(Path(log_dir))
    log_file = Path(log_dir) / LOG_FILENAME
    formatter = logging.Formatter(FORMAT)
    filt = RedactingFilter()
    handlers: list[logging.Handler] = [
        _PrivateRotatingFileHandler(
            log_file, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
        )
    ]
    if stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    for h in handlers:
        h.setFormatter(formatter)
        h.addFilter(filt)
        root.addHandler(h)
    # Handlers that were there before (a test runner's, say) get the filter too.
    for h in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in h.filters):
            h.addFilter(filt)

    old_factory = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = old_factory(*args, **kwargs)
        filt.filter(record)
        return record

    state = _Installed(
        log_file=log_file,
        handlers=handlers,
        old_level=root.level,
        old_factory=old_factory,
        old_excepthook=sys.excepthook,
        old_thread_hook=threading.excepthook,
        filt=filt,
    )
    with _state_lock:
        global _state
        _state = state
    root.setLevel(lvl)
    logging.setLogRecordFactory(factory)
    sys.excepthook = _make_excepthook(state.old_excepthook)
    threading.excepthook = _make_thread_hook(state.old_thread_hook)
    logging.captureWarnings(True)
    return log_file


def _make_excepthook(previous: _ExceptHook) -> _ExceptHook:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        _uncaught.critical("Uncaught exception", exc_info=(exc_type, exc, tb))

    return hook


def _make_thread_hook(previous: _ThreadHook) -> _ThreadHook:
    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        if args.exc_value is None:  # pragma: no cover - Python always passes one
            previous(args)
            return
        name = args.thread.name if args.thread is not None else "unknown"
        _uncaught.critical(
            "Uncaught exception in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    return hook


def current_log_file() -> Path | None:
    """The file :func:`setup_logging` writes to, or ``None`` when it is not set up."""
    with _state_lock:
        return _state.log_file if _state else None


def teardown_logging() -> None:
    """Remove and close the handlers, restore hooks, factory and level. Safe to repeat."""
    global _state
    with _state_lock:
        state, _state = _state, None
    if state is None:
        return
    root = logging.getLogger()
    for h in state.handlers:
        root.removeHandler(h)
        h.close()
    for h in root.handlers:
        h.removeFilter(state.filt)
    root.setLevel(state.old_level)
    logging.setLogRecordFactory(state.old_factory)
    sys.excepthook = state.old_excepthook
    threading.excepthook = state.old_thread_hook
    logging.captureWarnings(False)

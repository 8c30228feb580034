"""The one way the UI starts async work: :func:`run_busy`.

A slot decorated with ``@asyncSlot()`` (on a method — qasync refuses module functions)
awaits ``run_busy(controls, work, progress_text=...)``, which

1. disables the controls that started the work (a button, or several),
2. shows the progress text with a busy bar in the window's :class:`BusyIndicator`,
3. awaits the work on the qasync loop (network is async; blocking calls such as the
   keychain go through ``asyncio.to_thread`` inside the work, never on the GUI thread),
4. maps a failure to a :class:`~iotpay_desk.gui.errors.UserMessage` and shows it — plainly
   for user errors, with a Details button for internal ones (logged with traceback),
   nothing for a cancellation — or hands it to ``on_error`` to show beside a field,
5. and in ``finally`` gives the controls back and takes the progress away, whatever happened.

A cancellation is re-raised after the clean-up so the calling task ends as cancelled.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, final

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget
from shiboken6 import isValid

from .errors import Kind, UserMessage, describe, show_message

if TYPE_CHECKING:
    import asyncio

__all__ = ["BusyIndicator", "JobResult", "async_slot", "gone", "held", "run_busy"]

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")


def async_slot(
    *types: type,
) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]]:
    """``qasync.asyncSlot`` with types: the slot runs as a task on the qasync loop; what
    escapes it goes to ``sys.excepthook``. Use it on methods only (qasync refuses module
    functions) and let the body await :func:`run_busy`.

    qasync (and asyncio) are imported at the slot's first call, not when the class is
    made: the main window is on screen before them (:mod:`iotpay_desk.start`)."""

    def decorate(fn: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, asyncio.Task[None]]:
        made: Callable[P, asyncio.Task[None]] | None = None

        @Slot(*types)
        @functools.wraps(fn)
        def slot(*args: P.args, **kwargs: P.kwargs) -> asyncio.Task[None]:
            nonlocal made
            if made is None:
                from qasync import asyncSlot

                made = asyncSlot(*types)(fn)
            return made(*args, **kwargs)

        return slot

    return decorate


@dataclass(frozen=True)
class JobResult(Generic[T]):
    """The value of the work, or the message that was shown instead."""

    value: T | None = None
    message: UserMessage | None = None

    @property
    def ok(self) -> bool:
        return self.message is None

    @property
    def pending(self) -> bool:
        """IOTPay may have acted but did not answer: a state to resolve, not an error."""
        return self.message is not None and self.message.kind is Kind.PENDING


@final
class BusyIndicator(QWidget):
    """An indeterminate progress bar with the text of the newest running job.

    Hidden while nothing runs. Several jobs may run at once; each ``begin`` returns a
    token for its ``end``. GUI thread only; emits no signals.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("busy-indicator")
        self._bar = QProgressBar(self)
        self._bar.setRange(0, 0)
        self._bar.setTextVisible(False)
        self._bar.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self._bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 12)
        self._label = QLabel(self)
        self._label.setObjectName("busy-text")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._bar)
        layout.addWidget(self._label)
        self._jobs: dict[int, str] = {}
        self._ids = itertools.count(1)
        self.setVisible(False)

    def begin(self, text: str) -> int:
        token = next(self._ids)
        self._jobs[token] = text
        self._refresh()
        return token

    def end(self, token: int) -> None:
        self._jobs.pop(token, None)
        self._refresh()

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def text(self) -> str:
        return self._label.text()

    def _refresh(self) -> None:
        if self._jobs:
            newest = max(self._jobs)
            self._label.setText(self._jobs[newest])
            # The whole text, always: the status bar makes room rather than clip it.
            self._label.setMinimumWidth(self._label.sizeHint().width())
            self.setVisible(True)
        else:
            self._label.clear()
            self._label.setMinimumWidth(0)
            self.setVisible(False)


def gone(widget: QWidget) -> bool:
    """True once ``widget`` was destroyed (its window closed while work was running).
    Async slots check it after each await before touching their widgets."""
    return not isValid(widget)


def find_indicator(widgets: Iterable[QWidget]) -> BusyIndicator | None:
    """The indicator of the controls' window, else of the windows that own it."""
    for w in widgets:
        win: QWidget | None = w.window()
        while win is not None:
            found = win.findChild(BusyIndicator)
            if found is not None:
                return found
            parent = win.parentWidget()
            win = parent.window() if parent is not None else None
    return None


async def run_busy(
    controls: QWidget | Iterable[QWidget],
    work: Awaitable[T],
    *,
    progress_text: str,
    busy: BusyIndicator | None = None,
    on_error: Callable[[UserMessage], None] | None = None,
    parent: QWidget | None = None,
) -> JobResult[T]:
    """Run ``work`` with ``controls`` disabled and progress shown; see the module doc.

    ``on_error`` receives user errors and pending states instead of a message box
    (internal errors always get the box with Details).
    """
    import asyncio

    widgets = [controls] if isinstance(controls, QWidget) else list(controls)
    indicator = busy if busy is not None else find_indicator(widgets)
    token: int | None = None
    held: list[QWidget] = []
    try:
        for w in widgets:
            _hold(w)
            held.append(w)
        if indicator is not None:
            token = indicator.begin(progress_text)
        value = await work
        return JobResult(value=value)
    except asyncio.CancelledError:
        log.info("%s: cancelled", progress_text)
        raise
    except Exception as exc:
        message = describe(exc)
        if message.kind is Kind.INTERNAL:
            log.error("%s failed", progress_text, exc_info=exc)
        else:
            log.info("%s: %s (%s)", progress_text, message.kind.value, type(exc).__name__)
        _report(message, on_error, parent, widgets)
        return JobResult(message=message)
    finally:
        if indicator is not None and token is not None and isValid(indicator):
            indicator.end(token)
        for w in held:
            if isValid(w):
                _release(w)


@contextmanager
def held(controls: Iterable[QWidget]) -> Iterator[None]:
    """Keep ``controls`` disabled for the block (a dialog's life, say) without a progress
    text; each gets back the state it had before, as with :func:`run_busy`."""
    widgets = list(controls)
    for w in widgets:
        _hold(w)
    try:
        yield
    finally:
        for w in widgets:
            if isValid(w):
                _release(w)


# Jobs may overlap on one control (a field that saves on editingFinished fires again when
# it is disabled and loses focus). Each control counts the jobs holding it and remembers
# its own state from before the first; the last job to finish gives that state back.
_JOBS = "_iotpay_busy_jobs"
_WAS_ENABLED = "_iotpay_busy_was_enabled"


def _hold(w: QWidget) -> None:
    jobs = int(w.property(_JOBS) or 0)
    if jobs == 0:
        w.setProperty(_WAS_ENABLED, w.isEnabled())
    w.setProperty(_JOBS, jobs + 1)
    w.setEnabled(False)


def _release(w: QWidget) -> None:
    jobs = max(0, int(w.property(_JOBS) or 1) - 1)
    w.setProperty(_JOBS, jobs)
    if jobs == 0:
        w.setEnabled(bool(w.property(_WAS_ENABLED)))


def _report(
    message: UserMessage,
    on_error: Callable[[UserMessage], None] | None,
    parent: QWidget | None,
    widgets: list[QWidget],
) -> None:
    if on_error is not None and message.kind in (Kind.USER, Kind.PENDING):
        on_error(message)
        return
    if parent is not None and not isValid(parent):
        return  # the widget that ran the work is gone (its window closed): no one to tell
    if parent is None:
        alive = [w for w in widgets if isValid(w)]
        parent = alive[0].window() if alive else None
    show_message(parent, message)

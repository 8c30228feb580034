"""Uncaught errors: logged, shown without blocking; Qt's messages into logging."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler, qWarning
from PySide6.QtWidgets import QMainWindow, QMessageBox
from pytestqt.qtbot import QtBot

from iotpay_desk.gui.diagnostics import ErrorReporter, qt_message_to_log
from tests.gui.conftest import QLoop, message_boxes, until


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    win = QMainWindow()
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def reporter(window: QMainWindow) -> Iterator[ErrorReporter]:
    rep = ErrorReporter(lambda: window)
    rep.install()
    yield rep
    rep.uninstall()


def test_hooks_are_installed_and_removed(window: QMainWindow) -> None:
    before = (sys.excepthook, threading.excepthook)
    rep = ErrorReporter(lambda: window)
    rep.install()
    assert sys.excepthook == rep.excepthook
    assert threading.excepthook == rep.thread_excepthook
    rep.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_uncaught_exception_is_logged_and_shown(
    reporter: ErrorReporter, window: QMainWindow, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise ValueError("card 4242424242424242 went wrong")
    except ValueError:
        reporter.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: len(message_boxes(window)) == 1)
    (box,) = message_boxes(window)
    assert box.icon() is QMessageBox.Icon.Critical
    assert "Something unexpected went wrong" in box.text()
    assert "ValueError" in box.detailedText()
    assert "4242424242424242" not in box.detailedText()
    assert "uncaught exception" in caplog.text


def test_exception_in_a_thread_is_shown_on_the_gui_thread(
    reporter: ErrorReporter, window: QMainWindow, qtbot: QtBot
) -> None:
    shown_on: list[threading.Thread] = []
    original = reporter._show

    def spy(text: str, details: str) -> None:
        shown_on.append(threading.current_thread())
        original(text, details)

    reporter._reported.disconnect(reporter._show)
    reporter._reported.connect(spy)

    def boom() -> None:
        raise RuntimeError("worker failed")

    t = threading.Thread(target=boom, name="worker-1")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: len(message_boxes(window)) == 1)
    assert shown_on == [threading.main_thread()]
    assert "RuntimeError: worker failed" in message_boxes(window)[0].detailedText()


def test_a_burst_of_errors_opens_one_box(
    reporter: ErrorReporter, window: QMainWindow, qtbot: QtBot
) -> None:
    for i in range(3):
        try:
            raise KeyError(i)
        except KeyError:
            reporter.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    qtbot.waitUntil(
        lambda: "2 more" in (message_boxes(window) or [QMessageBox()])[0].informativeText()
    )
    assert len(message_boxes(window)) == 1


def test_task_errors_reach_the_reporter(
    reporter: ErrorReporter, window: QMainWindow, qloop: QLoop
) -> None:
    reporter.install(qloop.loop)

    async def scenario() -> None:
        async def fails() -> None:
            raise LookupError("lost in a task")

        task = asyncio.ensure_future(fails())
        await asyncio.sleep(0.01)
        # What qasync does for an @asyncSlot task that failed:
        qloop.loop.call_exception_handler({"message": "task failed", "exception": task.exception()})
        await until(lambda: message_boxes(window))

    qloop.run(scenario())
    assert "LookupError" in message_boxes(window)[0].detailedText()


def test_cancelled_task_is_not_reported(
    reporter: ErrorReporter, window: QMainWindow, qloop: QLoop
) -> None:
    reporter.loop_exception_handler(qloop.loop, {"exception": asyncio.CancelledError()})
    assert message_boxes(window) == []


def test_qt_messages_go_to_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    previous = qInstallMessageHandler(qt_message_to_log)
    try:
        with caplog.at_level(logging.DEBUG):
            qWarning("a warning from Qt")
    finally:
        qInstallMessageHandler(previous)
    records = [r for r in caplog.records if r.getMessage() == "a warning from Qt"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert records[0].name.startswith("qt.")


def test_qt_message_levels(caplog: pytest.LogCaptureFixture) -> None:
    ctx = QMessageLogContext()
    with caplog.at_level(logging.DEBUG):
        qt_message_to_log(QtMsgType.QtCriticalMsg, ctx, "critical one")
        qt_message_to_log(QtMsgType.QtDebugMsg, ctx, "debug one")
    levels = {r.getMessage(): r.levelno for r in caplog.records}
    assert levels == {"critical one": logging.ERROR, "debug one": logging.DEBUG}

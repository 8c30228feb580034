"""The desk collects cyclic garbage on the GUI thread only."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer
from pytestqt.qtbot import QtBot

from iotpay_desk.gui.gcollect import GuiThreadCollector


class _Cycle:
    def __init__(self, destroyed_in: list[str]) -> None:
        self.me = self
        self.destroyed_in = destroyed_in
        self.timer_owner = QObject()
        self.timer = QTimer(self.timer_owner)
        self.timer.start(10_000)

    def __del__(self) -> None:
        self.destroyed_in.append(threading.current_thread().name)


def test_cycles_holding_qt_objects_die_on_the_gui_thread(qtbot: QtBot) -> None:
    collector = GuiThreadCollector(interval_ms=10)
    collector.start()
    try:
        assert not gc.isenabled()
        destroyed_in: list[str] = []
        _Cycle(destroyed_in)

        def churn() -> None:  # allocations in a worker never trigger a collection
            junk = [[i] for i in range(50_000)]
            del junk

        worker = threading.Thread(target=churn, name="worker")
        worker.start()
        worker.join()
        assert destroyed_in == []
        keep = [[] for _ in range(gc.get_threshold()[0] + 10)]  # past gen 0's threshold
        qtbot.waitUntil(lambda: destroyed_in != [], timeout=5000)
        del keep
        assert destroyed_in == [threading.main_thread().name]
    finally:
        collector.stop()


def test_stop_restores_automatic_collection(qtbot: QtBot) -> None:
    gc.enable()
    collector = GuiThreadCollector()
    collector.start()
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()
    gc.disable()  # the test session keeps automatic collection off (tests/conftest.py)

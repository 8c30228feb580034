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


def test_settle_freezes_the_heap_and_later_cycles_are_still_collected(qtbot: QtBot) -> None:
    collector = GuiThreadCollector(interval_ms=10)
    collector.start()
    try:
        frozen = collector.settle()
        assert frozen > 1000  # the modules, classes and functions loaded so far
        assert gc.get_freeze_count() == frozen
        destroyed_in: list[str] = []
        _Cycle(destroyed_in)  # made after: a full collection finds it
        gc.collect(2)
        assert destroyed_in == [threading.main_thread().name]
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0  # stop gives the frozen heap back to the collector


def test_a_full_collection_due_after_a_new_import_settles_instead(qtbot: QtBot) -> None:
    import sys
    import types

    collector = GuiThreadCollector(interval_ms=60_000)
    collector.start()
    name = "_desk_test_module_loaded_late"
    kept = gc.get_threshold()
    try:
        collector.settle()
        before = gc.get_freeze_count()
        sys.modules[name] = types.ModuleType(name)  # a first import since
        late = [[i] for i in range(1000)]  # alive: frozen with the module
        gc.set_threshold(kept[0], kept[1], 1)
        for _ in range(3):  # past generation 2's threshold
            gc.collect(1)
        assert collector.tick() == 2
        assert gc.get_freeze_count() >= before + len(late)
        # Nothing new imported since: the next full collection is a collection.
        for _ in range(3):
            gc.collect(1)
        frozen = gc.get_freeze_count()
        assert collector.tick() == 2
        assert gc.get_freeze_count() == frozen
    finally:
        del sys.modules[name]
        gc.set_threshold(*kept)
        collector.stop()

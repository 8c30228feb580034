"""Scrolling the whole books on the Transactions page: the GUI thread's longest stall.

    .venv/bin/python bench/bench_scroll.py [--rows 1000000] [--ledger FILE] [--dir DIR]
        [--step 0]

A SQLite ledger of ``--rows`` synthetic orders (``bench_books``' bulk loader; or an
existing ledger file made by it, ``--ledger``, reused as it is) is opened as the desk
opens it, and the real Transactions page (its lazy model, its table) is shown offscreen
with a real money service, on the qasync loop, as in the desk. The table is then
scrolled from the first row to the last: the scroll bar is moved to its end (``--step``
0) or down by ``--step`` pages at a time, which makes the view ask for the next page
(``fetchMore``), and again once the page is in, until every order has been read. A
heartbeat timer (every 1 ms) measures the GUI thread meanwhile: the longest gap between
two beats beyond the 1 ms asked for, the 99th percentile, and the time to reach the end.
Goal: longest stall ≤ 16 ms. Prints figures; not a timed test.

Garbage is collected as in the desk (``--gc desk``: the GUI thread's collector, the
heap settled once the page is up) or by Python's automatic collector (``--gc auto``);
the collections' count and longest pause are printed with the stalls.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOAL_MS = 16.0


def build(path: Path, rows: int) -> None:
    from bench.bench_books import load
    from iotpay_desk import ledger

    engine = ledger.open_engine(ledger.sqlite_url(path))
    try:
        ledger.migrate(engine)
        rate = load(engine, rows)
    finally:
        engine.dispose()
    print(f"{rows:,} orders loaded ({rate:,.0f} rows/s)")


class Collections:
    """The garbage collections made while it is installed: count and longest pause."""

    def __init__(self) -> None:
        import gc

        self._gc = gc
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._t0 = 0.0

    def _cb(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._t0) * 1000)

    def __enter__(self) -> Collections:
        self._gc.callbacks.append(self._cb)
        return self

    def __exit__(self, *exc: object) -> None:
        self._gc.callbacks.remove(self._cb)

    def summary(self) -> str:
        full = self.pauses[2]
        young = self.pauses[0] + self.pauses[1]
        return (
            f"collections: {len(young):,} young (longest {max(young, default=0):.1f} ms), "
            f"{len(full)} full (longest {max(full, default=0):.1f} ms)"
        )


def desk_collector(gc_mode: str) -> object | None:
    """The desk's collector (``gc_mode`` "desk"), started; None for Python's own."""
    if gc_mode != "desk":
        return None
    from iotpay_desk.gui.gcollect import GuiThreadCollector

    collector = GuiThreadCollector()
    collector.start()
    return collector


class Heartbeat:
    """A 1 ms timer on the GUI thread; the gaps between its beats."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now


async def scroll(page: object, step: int, limit: float) -> tuple[float, int]:
    from iotpay_desk.gui.transactions import TransactionsPage

    assert isinstance(page, TransactionsPage)
    model = page.model
    bar = page.table.verticalScrollBar()
    t0 = time.perf_counter()
    while model.loading or not model.rows:  # noqa: ASYNC110 (a Qt model: no event to wait on)
        await asyncio.sleep(0.001)
    while True:
        if step:
            bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep() * step))
        else:
            bar.setValue(bar.maximum())
        await asyncio.sleep(0)
        while model.loading:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        if not model.has_more and bar.value() >= bar.maximum():
            break
        if time.perf_counter() - t0 > limit:
            print("  (stopped: timeout)")
            break
    return time.perf_counter() - t0, len(model.rows)


def run(path: Path, step: int, timeout: float, gc_mode: str = "desk") -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from bench.bench_books import MCH
    from iotpay_desk.api import IotPayClient
    from iotpay_desk.gui.gcollect import GuiThreadCollector
    from iotpay_desk.gui.transactions import TransactionsPage
    from iotpay_desk.ledger.place import open_sqlite_ledger
    from iotpay_desk.services import MoneyService

    app = QApplication.instance() or QApplication([])
    collector = desk_collector(gc_mode)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    journal = open_sqlite_ledger(path)
    client = IotPayClient("http://127.0.0.1:9", MCH, "k" * 32)  # never called
    service = MoneyService(client, journal, operator="bench")
    page = TransactionsPage()
    page.resize(1400, 900)
    page.show()
    if isinstance(collector, GuiThreadCollector):
        collector.settle()  # as the desk does once its window is up
    beat = Heartbeat()
    collections = Collections()

    async def main() -> tuple[float, int]:
        page.set_service(service)
        beat.start()
        try:
            with collections:
                return await scroll(page, step, timeout)
        finally:
            beat.stop()

    try:
        elapsed, rows = loop.run_until_complete(main())
    finally:
        page.set_service(None)
        journal.close()
        loop.close()  # its worker threads end with it
        if isinstance(collector, GuiThreadCollector):
            collector.stop()
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gaps = sorted(beat.gaps)
    stalls = [max(0.0, g - 1.0) for g in gaps]
    worst = stalls[-1] if stalls else float("nan")
    p99 = stalls[min(len(stalls) - 1, int(len(stalls) * 0.99))] if stalls else float("nan")
    mark = "ok" if worst <= GOAL_MS else "over goal"
    print(
        f"scrolled {rows:,} rows end to end in {elapsed:.1f} s "
        f"({rows / max(elapsed, 1e-9):,.0f} rows/s); heartbeats {len(gaps):,}; "
        f"peak RSS {peak:,.0f} MiB; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    print(
        f"  GUI thread stall: longest {worst:.1f} ms, p99 {p99:.2f} ms, "
        f"median gap {statistics.median(gaps) if gaps else float('nan'):.2f} ms"
        f"   [{mark}: longest ≤ {GOAL_MS:.0f} ms]"
    )
    print(f"  {collections.summary()} [garbage collected: {gc_mode}]")
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--ledger", type=Path, default=None, help="a ledger made by bench_books")
    p.add_argument("--dir", type=Path, default=None, help="where the ledger goes")
    p.add_argument("--step", type=int, default=0, help="pages per scroll step (0: to the end)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds at most")
    p.add_argument("--gc", choices=("desk", "auto"), default="desk", help="who collects")
    args = p.parse_args(argv)
    if args.ledger is not None:
        if not args.ledger.exists():
            build(args.ledger, args.rows)
        return run(args.ledger, args.step, args.timeout, args.gc)
    with tempfile.TemporaryDirectory(prefix="bench-scroll-", dir=args.dir) as tmp:
        path = Path(tmp) / "books.sqlite3"
        build(path, args.rows)
        return run(path, args.step, args.timeout, args.gc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

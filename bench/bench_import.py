"""Import and reconcile throughput: orders per second through cc_query and the ledger.

    uv run python bench/bench_import.py [--orders 10000] [--latency-ms 20]
        [--concurrency 20] [--backends sqlite,postgresql] [--dir DIR]

The sandbox runs as its own process (``iotpay-desk sandbox``) on a data file seeded
with ``--orders`` approved payments of today's business day in one transaction (no
API calls), with ``--latency-ms`` of latency injected on every cc_query. Then, for
each backend, with ``--concurrency`` requests in flight:

- import: a CSV of every order's payOrderId, read, written as a job and run (each
  order looked up and booked);
- reconcile: the business day of those orders, every one re-checked.

Prints orders/s (the goal: 90% of what the latency allows, ``concurrency / latency``)
and the event loop's longest stall meanwhile (what the GUI's qasync loop would feel;
goal ≤ 16 ms). Not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine

from iotpay_desk import ledger
from iotpay_desk.api import IotPayClient, QueryRequest, default_http_pools
from iotpay_desk.api.client import POOLS
from iotpay_desk.journal import DeskIdentity
from iotpay_desk.journal.days import business_day_of
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.sandbox import DEMO_MERCHANT, TORONTO, SandboxServer
from iotpay_desk.services import MoneyService
from iotpay_desk.services.bulk import JobProgress

MCH, KEY = DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key
READY = re.compile(r"IOTPay sandbox listening on (http://[^\s]+)")


def seed(path: Path, count: int) -> list[str]:
    """A sandbox data file with ``count`` approved payments made this morning (Toronto),
    written straight into its store in one transaction; their payOrderIds."""
    srv = SandboxServer(data_path=path)
    engine = srv.engine
    now = datetime.now(TORONTO).replace(hour=9, minute=0, second=0, microsecond=0)
    ts = now.timestamp()
    stamp = now.strftime("%Y%m%d%H%M%S")
    paid = now.strftime("%Y-%m-%d %H:%M:%S")
    ids = [f"PC{stamp}{i:012d}" for i in range(count)]
    rows = [
        (pid, MCH, f"BENCH-{i}", 100 + i, "pay", 100 + i, 2, paid, "424242******4242", "V",
         "cc_purchasewithtoken", ts, ts)
        for i, pid in enumerate(ids)
    ]  # fmt: skip
    db = engine.store.db

    def work() -> None:
        db.executemany(
            "INSERT INTO orders (pay_order_id, mch_id, mch_order_no, amount, pay_type, "
            "refundable, status, pay_succ_time, card_num, card_type, endpoint, created_at, "
            "succeeded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    engine.store.transaction(work)
    engine.store.close()
    return ids


@contextmanager
def sandbox_process(data: Path, latency_ms: int) -> Iterator[str]:
    cmd = [sys.executable, "-m", "iotpay_desk", "sandbox", "--port", "0", "--data", str(data)]
    if latency_ms:
        cmd += ["--fault", f"latency={latency_ms}:cc_query"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        match = READY.search(proc.stdout.readline())
        assert match, "the sandbox did not start"
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def sqlite_engine(base: Path) -> Iterator[Engine]:
    engine = ledger.open_engine(ledger.sqlite_url(base / "import.sqlite3"))
    ledger.migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()


class Stalls:
    """The event loop's longest stall: a heartbeat every 2 ms, and how late it woke.
    Under ``--qt``: the GUI thread's, a QTimer every 1 ms on the desk's qasync loop (the
    longest gap between two of its ticks, less the 1 ms)."""

    qt = False

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None
        self._timer: object = None

    async def _beat(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.002)
            self.worst = max(self.worst, time.perf_counter() - t - 0.002)

    def __enter__(self) -> Stalls:
        if not self.qt:
            self._task = asyncio.get_running_loop().create_task(self._beat())
            return self
        from PySide6.QtCore import Qt, QTimer

        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            self.worst = max(self.worst, now - last[0] - 0.001)
            last[0] = now

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(1)
        timer.timeout.connect(tick)
        timer.start()
        self._timer = timer
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._timer is not None:
            self._timer.stop()  # type: ignore[attr-defined]


async def bench(
    engine: Engine, url: str, ids: list[str], base: Path, args: argparse.Namespace
) -> None:
    journal = LedgerJournal(engine, desk=DeskIdentity.here("bench"))
    # The desk's own clients: its connections spread over several pools (--pools 1: one).
    http = default_http_pools(pools=args.pools)
    client = IotPayClient(url, MCH, KEY, http=http, max_concurrency=args.concurrency)
    service = MoneyService(client, journal, operator="bench")
    try:
        if args.bare:
            # The ceiling: the same client alone, no ledger (the first 2,000 orders).
            some = ids[:2000]
            source = iter(some)

            async def bare() -> None:
                for pid in source:
                    await client.query(QueryRequest(pay_order_id=pid))

            t0 = time.perf_counter()
            c0 = time.process_time()
            await asyncio.gather(*(bare() for _ in range(args.concurrency)))
            t1 = time.perf_counter()
            print(
                f"  the client alone (cc_query, no ledger): {len(some) / (t1 - t0):,.0f} "
                f"orders/s, {(time.process_time() - c0) / len(some) * 1000:.2f} ms of this "
                "process's CPU per order"
            )
        csv_path = base / "orders.csv"
        csv_path.write_text("payOrderId\n" + "\n".join(ids) + "\n")
        last: list[JobProgress] = []
        with Stalls() as stalls:
            t0 = time.perf_counter()
            plan = await service.imports.read_file(csv_path)
            job_id = await service.imports.start(plan)
            t1 = time.perf_counter()
            c0 = time.process_time()
            summary = await service.imports.run(
                job_id, concurrency=args.concurrency, on_progress=last.append
            )
            t2 = time.perf_counter()
            cpu = (time.process_time() - c0) / len(ids) * 1000
        assert summary.state == "done", summary
        assert summary.counts == {"booked": len(ids)}, summary.counts
        print(
            f"  import of {len(ids):,} orders: read + job written {t1 - t0:.2f} s, "
            f"run {t2 - t1:.2f} s = {len(ids) / (t2 - t1):,.0f} orders/s "
            f"(all in: {len(ids) / (t2 - t0):,.0f}/s); loop's longest stall "
            f"{stalls.worst * 1000:.1f} ms; progress reports {len(last)}; "
            f"{cpu:.2f} ms of CPU per order"
        )
        day = business_day_of(datetime.now(TORONTO).replace(hour=9), service.cutoff, service.tz)
        with Stalls() as stalls:
            t0 = time.perf_counter()
            job_id = await service.reconciler.start_day(day)
            t1 = time.perf_counter()
            summary = await service.reconciler.run(job_id, concurrency=args.concurrency)
            t2 = time.perf_counter()
        assert summary.state == "done", summary
        assert summary.counts == {"same": len(ids)}, summary.counts
        print(
            f"  reconcile of a day of {len(ids):,} orders: job written {t1 - t0:.2f} s, "
            f"run {t2 - t1:.2f} s = {len(ids) / (t2 - t1):,.0f} orders/s "
            f"(all in: {len(ids) / (t2 - t0):,.0f}/s); loop's longest stall "
            f"{stalls.worst * 1000:.1f} ms"
        )
    finally:
        for pool in http:
            await pool.aclose()


def run(work: Coroutine[Any, Any, None], *, qt: bool) -> None:
    """``work`` on asyncio's loop, or (``qt``) on the qasync loop of an offscreen Qt
    application, as the desk runs its services."""
    if not qt:
        asyncio.run(work)
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from iotpay_desk.app import settle_at_start
    from iotpay_desk.gui.gcollect import GuiThreadCollector

    Stalls.qt = True
    app = QApplication.instance() or QApplication([])
    collector = GuiThreadCollector()  # garbage collected as in the desk: on the GUI
    collector.start()  # thread, after the desk's start (lazy modules in, heap settled)
    settle_at_start(collector)
    loop = qasync.QEventLoop(app)
    try:
        with loop:
            loop.run_until_complete(work)
    finally:
        collector.stop()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--orders", type=int, default=10_000)
    p.add_argument("--latency-ms", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--backends", default="sqlite")
    p.add_argument("--dir", type=Path, default=None, help="where the databases go")
    p.add_argument("--bare", action="store_true", help="also time the client alone")
    p.add_argument("--pools", type=int, default=POOLS, help="HTTP clients the desk spreads over")
    p.add_argument(
        "--qt", action="store_true", help="on the desk's qasync loop in a Qt application"
    )
    args = p.parse_args(argv)
    from bench.bench_ledger import postgres_ledger

    ceiling = args.concurrency / (args.latency_ms / 1000) if args.latency_ms else float("inf")
    with tempfile.TemporaryDirectory(prefix="bench-import-", dir=args.dir) as tmp:
        base = Path(tmp)
        base.chmod(0o711)  # the postgres user reaches its own directory inside
        t = time.perf_counter()
        ids = seed(base / "sandbox.sqlite3", args.orders)
        print(
            f"{args.orders:,} orders seeded in {time.perf_counter() - t:.2f} s; "
            f"{os.cpu_count()} CPUs; cc_query latency {args.latency_ms} ms, "
            f"{args.concurrency} in flight: at most {ceiling:,.0f} orders/s, goal "
            f"{ceiling * 0.9:,.0f}/s"
        )
        with sandbox_process(base / "sandbox.sqlite3", args.latency_ms) as url:
            for name in args.backends.split(","):
                opener = sqlite_engine(base) if name == "sqlite" else postgres_ledger(base, None)
                print(f"{name}:")
                with opener as engine:
                    run(bench(engine, url, ids, base, args), qt=args.qt)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Merchant ledger figures on SQLite and PostgreSQL on loopback.

    .venv/bin/python bench/bench_ledger.py [--writers 1,8,32] [--payments 800]
        [--rounds 3] [--backends sqlite,postgresql] [--dir DIR]

1. Write rate: payments written per second, each what the money service writes around
   one call to IOTPay: ``create_intent`` (one transaction, committed before the call would
   leave) then ``complete`` with IOTPay's answer (another transaction). ``--writers``
   threads write at once, as the desk calls the ledger through ``asyncio.to_thread``,
   each on its own payments. Every writer count runs ``--rounds`` times; the minimum and
   the median rate are printed, with the median time of one payment (intent and
   outcome) and its 99th percentile. Goals: 2,000/s on SQLite, 1,000/s on PostgreSQL.
2. Desk to desk: the time for one desk's change to reach another desk (goal p95
   ≤ 500 ms). See :func:`desk_to_desk`.

Durable settings on both, as a merchant runs them: the SQLite file is the ledger's own
engine (WAL, ``synchronous=FULL``) in ``--dir`` (a real disk, not tmpfs, or the figures
mean nothing); PostgreSQL is a server started here from Debian's binaries with
``fsync=on`` and ``synchronous_commit=on`` (unlike the tests' server, which turns
durability off), its data in ``--dir`` too. Load and server share this machine's cores.

Prints figures; not a timed test.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pwd
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from iotpay_desk import ledger  # noqa: E402
from iotpay_desk.api.models import Order, OrderStatus  # noqa: E402
from iotpay_desk.journal import ActionKind, ActionState  # noqa: E402
from iotpay_desk.ledger.groupcommit import group_commit  # noqa: E402
from iotpay_desk.ledger.journal import LedgerJournal  # noqa: E402

MCH = "10000701"
GOALS = {"sqlite": 2000, "postgresql": 1000}
_payment_numbers = itertools.count(1)


# ---------------------------------------------------------------------- backends


@contextmanager
def sqlite_ledger(base: Path) -> Iterator[Engine]:
    engine = ledger.open_engine(ledger.sqlite_url(base / "ledger.sqlite3"))
    ledger.migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_ledger(base: Path, pool_size: int | None) -> Iterator[Engine]:
    """A durable PostgreSQL server on loopback (tests/plugins/postgres.py's way of
    starting one, with fsync and synchronous commit on), and a migrated database."""
    from tests.plugins.postgres import PostgresServer, _check, _free_port, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL binaries in /usr/lib/postgresql/*/bin")
    home = Path(tempfile.mkdtemp(prefix="pg-", dir=base))
    run_as: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(home, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    os.chmod(home, 0o700)
    server = PostgresServer(bin_dir=bin_dir, base=home, port=_free_port(), run_as=run_as)
    data = str(server.data)
    _check(server, server.run(str(bin_dir / "initdb"), "-D", data, "-U", "postgres",
                              "-A", "trust", "-E", "UTF8", "--locale=C"), "initdb")  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {server.port} -k {home} "
        "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=100"
    )
    start = [str(bin_dir / "pg_ctl"), "start", "-D", data, "-w", "-t", "60"]
    _check(server, server.run(*start, "-l", str(home / "server.log"), "-o", options), "pg_ctl")
    try:
        with server.admin() as conn:
            conn.execute("CREATE DATABASE bench_ledger")
            version = conn.execute("SHOW server_version").fetchone()
        print(f"postgresql {version[0] if version else '?'} on 127.0.0.1:{server.port}")
        pool: dict[str, Any] = {} if pool_size is None else {"pool_size": pool_size}
        engine = ledger.open_engine(server.url("bench_ledger"), **pool)
        ledger.migrate(engine)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        server.run(str(bin_dir / "pg_ctl"), "stop", "-D", data, "-m", "fast")
        shutil.rmtree(home, ignore_errors=True)


# ---------------------------------------------------------------------- 1. write rate


def pay_one(journal: LedgerJournal) -> None:
    """What the money service writes around one refund: the intent, then the answer."""
    n = next(_payment_numbers)
    target = f"PC2025030114{n:016d}"
    action = journal.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no=f"R2025030114{n:08d}",
        operator="bench",
        target_pay_order_id=target,
        amount_cents=500 + n % 1000,
        reason="bench",
    )
    answer = Order(
        pay_order_id=f"RP2025030114{n:016d}",
        mch_id=MCH,
        mch_order_no=action.mch_no,
        original_order_id=target,
        amount=action.amount_cents or 0,
        pay_type="refund",
        status=OrderStatus.SUCCESS,
        card_num="424242******4242",
        card_type="V",
        auth_num="A1B2C3",
        trans_num="T998877",
        pay_succ_time="2025-03-01 14:00:00",
    )
    journal.complete(action.id, ActionState.SUCCEEDED, order=answer)


@dataclass
class Round:
    rate: float
    latencies: list[float]
    cpu: float  # this process' CPU seconds per payment (all threads)


def write_round(journal: LedgerJournal, writers: int, payments: int) -> Round:
    """``payments`` payments by ``writers`` threads at once: payments per second."""
    each = max(1, payments // writers)
    latencies: list[list[float]] = [[] for _ in range(writers)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers + 1)

    def writer(i: int) -> None:
        barrier.wait()
        try:
            for _ in range(each):
                t0 = time.perf_counter()
                pay_one(journal)
                latencies[i].append(time.perf_counter() - t0)
        except BaseException as exc:  # reported below, with the figures
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    t0, cpu0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if errors:
        raise SystemExit(f"a writer failed: {errors[0]!r}")
    done = each * writers
    return Round(done / elapsed, [x for lat in latencies for x in lat], cpu / done)


def report_rate(name: str, writers: int, rounds: list[Round], extra: str) -> None:
    rates = [r.rate for r in rounds]
    ms = sorted(x * 1000 for r in rounds for x in r.latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    goal = GOALS[name]
    mark = "ok" if min(rates) >= goal else "below goal"
    print(
        f"  {writers:3d} writers  min {min(rates):7.0f}/s  median {statistics.median(rates):7.0f}/s"
        f"   payment p50 {statistics.median(ms):6.2f} ms  p99 {p99:7.2f} ms"
        f"   cpu {statistics.median(r.cpu for r in rounds) * 1000:5.2f} ms/payment"
        f"{extra}   [{mark}: {goal}/s]"
    )


def write_rate(name: str, engine: Engine, writers: list[int], payments: int, rounds: int) -> None:
    journal = LedgerJournal(engine)
    print(f"{name}: intents with outcomes written per second ({rounds} rounds each)")
    write_round(journal, 4, 200)  # warm up: pool, statement cache, file
    for n in writers:
        before = _commits(engine)
        figures = [write_round(journal, n, payments) for _ in range(rounds)]
        after = _commits(engine)
        extra = ""
        if before is not None and after is not None and after[0] > before[0]:
            extra = f"   {(after[1] - before[1]) / (after[0] - before[0]):4.1f} writes/commit"
        report_rate(name, n, figures, extra)


def _commits(engine: Engine) -> tuple[int, int] | None:
    """(commits, writes) so far of a SQLite ledger's group commit; None on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return None
    stats = group_commit(engine).stats
    return stats.batches, stats.writes


# ---------------------------------------------------------------------- 2. desk to desk


def desk_to_desk(name: str, engine: Engine, changes: int = 50) -> list[float]:
    """Seconds for one desk's change to reach another desk (goal p95 ≤ 500 ms), one
    figure per change: desk A writes (an intent, then its outcome) on its own engine,
    desk B follows the ledger with a ``LedgerFeed`` into its ``EventHub`` as the desk's
    pages do (PostgreSQL LISTEN/NOTIFY; SQLite ``PRAGMA data_version``), and the time
    from A starting its write to B's hub delivering it is one figure
    (:func:`bench_feed.desk_to_desk`, which ``bench/bench_feed.py`` prints alone)."""
    from bench.bench_feed import desk_to_desk as measure

    return measure(engine, changes)


def report_desk_to_desk(name: str, engine: Engine) -> None:
    figures = desk_to_desk(name, engine)
    ms = sorted(x * 1000 for x in figures)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    mark = "ok" if p95 <= 500 else "below goal"
    print(
        f"{name}: desk to desk  p50 {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  "
        f"({len(ms)} changes) [{mark}: p95 ≤ 500 ms]"
    )


# ---------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--writers", default="1,8,32", help="writer threads, comma-separated")
    p.add_argument("--payments", type=int, default=800, help="payments per round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--pg-pool", type=int, default=None, help="PostgreSQL pool size")
    p.add_argument("--dir", type=Path, default=None, help="where the databases go")
    args = p.parse_args(argv)
    writers = [int(w) for w in args.writers.split(",")]
    backends = args.backends.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-ledger-", dir=args.dir) as tmp:
        base = Path(tmp)
        base.chmod(0o711)  # the postgres user reaches its own directory inside
        runs: dict[str, Callable[[], Any]] = {
            "sqlite": lambda: sqlite_ledger(base),
            "postgresql": lambda: postgres_ledger(base, args.pg_pool),
        }
        for name in backends:
            with runs[name]() as engine:
                write_rate(name, engine, writers, args.payments, args.rounds)
                report_desk_to_desk(name, engine)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

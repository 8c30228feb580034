"""Desk to desk: how long one desk's change takes to reach another desk's pages.

    .venv/bin/python bench/bench_feed.py [--changes 50] [--backends sqlite,postgresql]
        [--dir DIR]

Two desks on one ledger, each with its own engine and ``LedgerJournal``. Desk A writes a
change (an intent, then its outcome: two changes per payment); desk B follows the
ledger with a ``LedgerFeed`` into its ``EventHub``, the way the desk's pages are fed
(PostgreSQL: LISTEN/NOTIFY; SQLite: ``PRAGMA data_version`` looked at every 0.2 s). One
figure is the time from the moment A starts writing the change (its commit included)
to B's hub delivering it on B's event loop. Changes come at random moments (0 to
0.25 s apart, as a cashier's do), not in step with SQLite's look every 0.2 s. Goal:
p95 ≤ 500 ms.

:func:`desk_to_desk` measures on a given engine (what ``bench_ledger.desk_to_desk``
calls); :func:`propagation_p95` sets a ledger up itself (a SQLite file, or a durable
PostgreSQL server on loopback from Debian's binaries) and returns the p95 in seconds.

Prints figures; not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pwd
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from iotpay_desk import ledger  # noqa: E402
from iotpay_desk.journal import ActionKind, ActionState, new_mch_no  # noqa: E402
from iotpay_desk.ledger.feed import LedgerFeed  # noqa: E402
from iotpay_desk.ledger.journal import LedgerJournal  # noqa: E402
from iotpay_desk.services.events import ActionChanged, EventHub, LedgerEvent  # noqa: E402

MCH = "10000701"
GOAL_P95_S = 0.5


def desk_to_desk(engine: Engine, changes: int = 50, *, jitter: float = 0.25) -> list[float]:
    """Seconds for each of ``changes`` changes written by desk A on ``engine``'s ledger
    to reach desk B's hub (B on an engine of its own)."""
    return asyncio.run(_measure(engine, changes, jitter))


async def _measure(engine: Engine, changes: int, jitter: float) -> list[float]:
    other = ledger.open_engine(engine.url)
    writer, reader = LedgerJournal(engine), LedgerJournal(other)
    hub = EventHub()
    arrived: dict[tuple[int, ActionState], float] = {}
    wake = asyncio.Event()

    def seen(event: LedgerEvent) -> None:
        if isinstance(event, ActionChanged):
            arrived.setdefault((event.action.id, event.action.state), time.perf_counter())
            wake.set()

    async def reached(key: tuple[int, ActionState]) -> float:
        deadline = time.monotonic() + 10.0
        while key not in arrived:
            if time.monotonic() > deadline:
                raise TimeoutError(f"change {key} never reached the other desk")
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), 1.0)
            except TimeoutError:
                continue
        return arrived[key]

    hub.subscribe(seen)
    feed = LedgerFeed(reader, hub, MCH)
    feed.start()
    figures: list[float] = []
    try:
        if not await asyncio.to_thread(feed.listening.wait, 10.0):
            raise RuntimeError("the feed did not start")
        n = 0
        while len(figures) < changes:
            n += 1
            await asyncio.sleep(random.uniform(0, jitter))
            t0 = time.perf_counter()
            action = await asyncio.to_thread(
                writer.create_intent,
                kind=ActionKind.REFUND,
                mch_id=MCH,
                mch_no=new_mch_no("R"),
                operator="bench",
                target_pay_order_id=f"PC{time.time_ns() % 10**26:026d}",
                amount_cents=100 + n,
            )
            figures.append(await reached((action.id, action.state)) - t0)
            if len(figures) >= changes:
                break
            await asyncio.sleep(random.uniform(0, jitter))
            t0 = time.perf_counter()
            done = await asyncio.to_thread(writer.complete, action.id, ActionState.FAILED)
            figures.append(await reached((done.id, done.state)) - t0)
    finally:
        await asyncio.to_thread(feed.stop)
        other.dispose()
    return figures


def p95(figures: list[float]) -> float:
    ordered = sorted(figures)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def report(name: str, figures: list[float]) -> None:
    ms = [x * 1000 for x in figures]
    mark = "ok" if p95(figures) <= GOAL_P95_S else "below goal"
    print(
        f"{name}: desk to desk  p50 {statistics.median(ms):6.1f} ms  "
        f"p95 {p95(figures) * 1000:6.1f} ms  max {max(ms):6.1f} ms  "
        f"({len(ms)} changes) [{mark}: p95 ≤ {GOAL_P95_S * 1000:.0f} ms]"
    )


# ---------------------------------------------------------------------- ledgers


@contextmanager
def sqlite_ledger(base: Path) -> Iterator[Engine]:
    engine = ledger.open_engine(ledger.sqlite_url(base / "feed.sqlite3"))
    ledger.migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_ledger(base: Path) -> Iterator[Engine]:
    """A durable PostgreSQL server on loopback (fsync and synchronous commit on) and a
    migrated database; started the way tests/plugins/postgres.py starts its own."""
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
    initdb = [str(bin_dir / "initdb"), "-D", data, "-U", "postgres", "-A", "trust"]
    _check(server, server.run(*initdb, "-E", "UTF8", "--locale=C"), "initdb")
    options = (
        f"-c listen_addresses=127.0.0.1 -p {server.port} -k {home} "
        "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
    )
    start = [str(bin_dir / "pg_ctl"), "start", "-D", data, "-w", "-t", "60"]
    _check(server, server.run(*start, "-l", str(home / "server.log"), "-o", options), "pg_ctl")
    try:
        with server.admin() as conn:
            conn.execute("CREATE DATABASE bench_feed")
        engine = ledger.open_engine(server.url("bench_feed"))
        ledger.migrate(engine)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        server.run(str(bin_dir / "pg_ctl"), "stop", "-D", data, "-m", "fast")
        shutil.rmtree(home, ignore_errors=True)


def propagation_p95(backend: str, changes: int = 50, base: Path | None = None) -> float:
    """The p95, in seconds, of ``changes`` changes from one desk to another on a new
    ledger of ``backend`` (``sqlite`` or ``postgresql``); prints the figures too."""
    with tempfile.TemporaryDirectory(prefix="bench-feed-", dir=base) as tmp:
        where = Path(tmp)
        where.chmod(0o711)  # the postgres user reaches its own directory inside
        ledger_of = {"sqlite": sqlite_ledger, "postgresql": postgres_ledger}[backend]
        with ledger_of(where) as engine:
            figures = desk_to_desk(engine, changes)
    report(backend, figures)
    return p95(figures)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--changes", type=int, default=50)
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--dir", type=Path, default=None, help="where the databases go")
    args = p.parse_args(argv)
    worst = max(propagation_p95(b, args.changes, args.dir) for b in args.backends.split(","))
    return 0 if worst <= GOAL_P95_S else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

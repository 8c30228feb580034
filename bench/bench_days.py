"""End of day at scale: a business day's figures, the daily nets the charts draw, what
needs attention, closing a day and checking it for changes, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_days.py [--rows 1000000] [--draws 20]
        [--backends sqlite,postgresql] [--dir DIR]

The books are filled with ``--rows`` synthetic orders over a year by the books
benchmark's bulk loader (``bench_books.load``: the real schema, not the desk's write
path). Then, for random business days: the figures (totals by brand, operator and desk),
the daily nets over 30, 90 and 365 days (one query each), the attention list (with the
"no notification" check a running receiver adds), closing a day (figures, each order kept
as closed, the audit row, in one transaction) and the changes since a close. Median and
95th percentile in ms. Prints figures; not a timed test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from bench.bench_books import MCH, START, load, sqlite_books  # noqa: E402
from iotpay_desk.journal import DeskIdentity  # noqa: E402
from iotpay_desk.ledger.journal import LedgerJournal  # noqa: E402

TORONTO = ZoneInfo("America/Toronto")
CUTOFF = dtime(21, 0)


def timed(fn: Callable[[], object], draws: int) -> tuple[float, float]:
    times = []
    for _ in range(draws):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def report(name: str, engine: Engine, rows: int, draws: int) -> None:
    t0 = time.perf_counter()
    rate = load(engine, rows)
    print(f"{name}: {rows:,} orders loaded in {time.perf_counter() - t0:.0f} s ({rate:,.0f}/s)")
    j = LedgerJournal(engine, desk=DeskIdentity("bench"))
    days = j.days
    rng = random.Random(11)
    first = START.astimezone(TORONTO).date() + timedelta(days=2)

    def a_day() -> date:
        return first + timedelta(days=rng.randint(0, 360))

    def line(label: str, fn: Callable[[], object], n: int = draws) -> None:
        median, p95 = timed(fn, n)
        print(f"  {label:28s} median {median:7.1f} ms   p95 {p95:7.1f} ms")

    sample = days.figures(MCH, a_day(), CUTOFF, TORONTO)
    print(f"  (a day holds about {sample.total.count:,} successful orders)")
    line("figures of a day", lambda: days.figures(MCH, a_day(), CUTOFF, TORONTO))
    last = first + timedelta(days=360)
    for span in (30, 90, 365):
        since = last - timedelta(days=span - 1)
        line(
            f"daily nets, {span} days",
            lambda since=since: days.daily_nets(MCH, since, last, CUTOFF, TORONTO),  # type: ignore[misc]
            max(3, draws // 4),
        )
    line(
        "attention (with receiver)",
        lambda: days.attention(MCH, a_day(), CUTOFF, TORONTO, receiver_runs=True),
    )
    closing = iter(rng.sample(range(361), min(361, draws)))

    def close() -> None:
        day = first + timedelta(days=next(closing))
        days.close_day(MCH, day, CUTOFF, TORONTO, operator="bench", desk="bench")

    line("close a day", close, min(361, draws))
    closed = [c.day for c in days.closes(MCH, first, first + timedelta(days=361))]
    line("changes since a close", lambda: days.changes_since_close(MCH, rng.choice(closed)))


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--draws", type=int, default=20)
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--dir", type=Path, default=None, help="where the databases go")
    args = p.parse_args(argv)
    from bench.bench_ledger import postgres_ledger

    with tempfile.TemporaryDirectory(prefix="bench-days-", dir=args.dir) as tmp:
        base = Path(tmp)
        base.chmod(0o711)  # the postgres user reaches its own directory inside
        for name in args.backends.split(","):
            opener = sqlite_books(base) if name == "sqlite" else postgres_ledger(base, None)
            with opener as engine:
                report(name, engine, args.rows, args.draws)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

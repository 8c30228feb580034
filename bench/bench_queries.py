"""The desk's queries on a ledger a year old: the Orders look-up, start-up, the vault.

    .venv/bin/python bench/bench_queries.py [--actions 1000000] [--notifications 500000]
        [--cards 100000] [--draws 200] [--vault-limit 500]
        [--backends sqlite,postgresql] [--dir DIR] [--ledger FILE]

A ledger of one busy merchant (and another merchant's rows mixed in) is loaded by
:mod:`bench.synth`'s bulk loader, then each query the desk runs on these paths is
timed through the real :class:`~iotpay_desk.ledger.LedgerJournal` method, ``--draws``
times with random keys (after a few unmeasured calls): p50, p95 and max in ms, and
whether p95 meets the goal of 5 ms. A query still far over it stops after about five
seconds of draws (at least five), so a run stays short.

- look-up (an order's detail, ``services.lookups``): its refunds and voids, its
  notifications, the look-up recorded (a write: one commit), the recent look-ups, the
  basis of a refund form, a receipt's audit entries;
- start-up (``services.checking``, the main window): the unresolved actions, the
  add-card pages not known to have ended;
- vault (``services.cards``, the Card vault page): the list and searches limited to
  ``--vault-limit`` cards, the whole list (what the page asked for before revision
  0006), one card;
- activity: the first page of the audit trail and of the actions, the vault's labels of
  30 cards (what the Activity page looks up to name customers).

``--ledger FILE``: a SQLite ledger kept between runs (loaded the first time, reused as
it is after that). PostgreSQL runs on a server of its own, started for the run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402

from bench.synth import FIRST, LAST, MCH, load_ledger  # noqa: E402
from iotpay_desk import ledger  # noqa: E402
from iotpay_desk.ledger.journal import LedgerJournal  # noqa: E402

GOAL_MS = 5.0
BUDGET_S = 5.0


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.95))] if xs else float("nan")


class Keys:
    """Keys to look up, sampled from the ledger itself (so a kept ledger needs nothing
    remembered about how it was made); not timed."""

    def __init__(self, engine: Engine) -> None:
        with engine.connect() as conn:

            def column(sql: str) -> list[Any]:
                return [r[0] for r in conn.execute(text(sql), {"m": MCH}).all()]

            sample = "ORDER BY random() LIMIT 400"
            self.payments = column(
                f"SELECT pay_order_id FROM notifications WHERE mch_id = :m {sample}"
            )
            self.targets = column(
                "SELECT target_pay_order_id FROM actions WHERE mch_id = :m "
                f"AND target_pay_order_id IS NOT NULL {sample}"
            )
            self.actions = column(f"SELECT id FROM actions WHERE mch_id = :m {sample}")
            cards = conn.execute(
                text(
                    "SELECT card_id, customer_label, card_num FROM vault_cards "
                    f"WHERE mch_id = :m AND removed_at IS NULL {sample}"
                ),
                {"m": MCH},
            ).all()
        self.cards = [c[0] for c in cards]
        # Searches: a name many customers share, an account number (a card or two), the
        # last four digits, part of a card ID.
        self.common = [*FIRST, *LAST]
        self.rare = [c[1].rsplit(" ", 1)[-1] for c in cards]
        self.last4 = [c[2][-4:] for c in cards]
        self.card_parts = [c[0][-5:] for c in cards]


def queries(
    journal: LedgerJournal, keys: Keys, rng: random.Random, limit: int
) -> dict[str, Callable[[], Any]]:

    def order() -> str:
        return rng.choice(keys.targets if rng.random() < 0.5 else keys.payments)

    def search(words: list[str]) -> Callable[[], Any]:
        return lambda: journal.list_vault_cards(MCH, rng.choice(words), limit=limit)

    def lookup() -> Any:
        pid = order()
        return journal.record_lookup(MCH, pid, pid, "")

    return {
        "look-up: actions_for_target": lambda: journal.actions_for_target(MCH, order()),
        "look-up: notifications": lambda: journal.notifications(MCH, order(), limit=10),
        "look-up: record_lookup (write)": lookup,
        "look-up: recent_lookups": lambda: journal.recent_lookups(MCH, 20),
        "look-up: draft_basis": lambda: journal.draft_basis(MCH, order()),
        "look-up: audit_for_action": lambda: journal.audit_for_action(rng.choice(keys.actions)),
        "start-up: open_actions": lambda: journal.open_actions(MCH),
        "start-up: open_card_pages": lambda: journal.open_card_pages(MCH),
        "vault: list": lambda: journal.list_vault_cards(MCH, limit=limit),
        "vault: list, no limit": lambda: journal.list_vault_cards(MCH),
        "vault: search a name": search(keys.common),
        "vault: search an account": search(keys.rare),
        "vault: search last 4": search(keys.last4),
        "vault: search card ID part": search(keys.card_parts),
        "vault: get_vault_card": lambda: journal.get_vault_card(MCH, rng.choice(keys.cards)),
        "activity: vault_labels (30)": lambda: journal.vault_labels(
            MCH, rng.sample(keys.cards, 30)
        ),
        "activity: audit_page": lambda: journal.audit_page(100),
        "activity: actions_page": lambda: journal.actions_page(100),
    }


def timed(call: Callable[[], Any], draws: int) -> list[float]:
    for _ in range(3):
        call()
    out: list[float] = []
    spent = 0.0
    for _ in range(draws):
        t0 = time.perf_counter()
        call()
        took = time.perf_counter() - t0
        out.append(took * 1000)
        spent += took
        if spent > BUDGET_S and len(out) >= 5:
            break
    return out


def report(name: str, engine: Engine, args: argparse.Namespace, *, loaded: bool) -> bool:
    if loaded:
        print(f"{name}: the ledger as it is")
    else:
        print(f"{name}: loading the ledger")
        load_ledger(
            engine, actions=args.actions, notifications=args.notifications, cards=args.cards
        )
    with engine.connect() as conn:
        counts = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("actions", "audit", "notifications", "vault_cards", "lookups")
        }
    print("  " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    print(f"  the vault's list and searches: {args.vault_limit} cards at most")
    keys = Keys(engine)
    journal = LedgerJournal(engine)
    rng = random.Random(11)
    ok = True
    for label, call in queries(journal, keys, rng, args.vault_limit).items():
        ms = timed(call, args.draws)
        good = p95(ms) <= GOAL_MS
        ok &= good
        print(
            f"  {label:32s} p50 {statistics.median(ms):8.2f} ms  p95 {p95(ms):8.2f} ms  "
            f"max {max(ms):8.2f} ms  n={len(ms):<4d} "
            f"[{'ok' if good else 'over goal'}: p95 ≤ {GOAL_MS:.0f} ms]"
        )
    return ok


@contextmanager
def sqlite_ledger(path: Path) -> Iterator[Engine]:
    engine = ledger.open_engine(ledger.sqlite_url(path))
    ledger.migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--actions", type=int, default=1_000_000)
    p.add_argument("--notifications", type=int, default=500_000)
    p.add_argument("--cards", type=int, default=100_000)
    p.add_argument("--draws", type=int, default=200)
    p.add_argument("--vault-limit", type=int, default=500, help="cards a list asks for")
    p.add_argument("--backends", default="sqlite")
    p.add_argument("--dir", type=Path, default=None, help="where the databases go")
    p.add_argument("--ledger", type=Path, default=None, help="a SQLite ledger file to keep")
    args = p.parse_args(argv)
    if args.ledger is not None:
        loaded = args.ledger.exists()
        with sqlite_ledger(args.ledger) as engine:
            report("sqlite", engine, args, loaded=loaded)
        return 0
    from bench.bench_ledger import postgres_ledger

    with tempfile.TemporaryDirectory(prefix="bench-queries-", dir=args.dir) as tmp:
        base = Path(tmp)
        base.chmod(0o711)  # the postgres user reaches its own directory inside
        for name in args.backends.split(","):
            opener = (
                sqlite_ledger(base / "ledger.sqlite3")
                if name == "sqlite"
                else postgres_ledger(base, None)
            )
            with opener as engine:
                report(name, engine, args, loaded=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

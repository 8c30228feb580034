"""A bulk loader of synthetic ledgers for the benchmarks: a busy merchant's year.

    .venv/bin/python bench/synth.py [--actions 1000000] [--notifications 500000]
        [--cards 100000] [--backend sqlite|postgresql] [--ledger FILE]

:func:`load_ledger` fills a migrated ledger with one merchant's actions (each with its
``intent`` audit row and, once settled, its ``answer``), IOTPay's notifications of its
payments, its recent look-ups, its vault cards and the add-card pages they came from,
with another merchant's rows mixed in (one in ten), so that every query must pick its
merchant out of a shared table.

It is made for benchmarks, not for the desk: rows are written in large batches, many
rows a statement (``executemany`` on SQLite, ``COPY`` on PostgreSQL), in a few
transactions, through the real schema: its CHECKs, UNIQUEs, foreign keys, partial
unique indexes and no-card-number triggers all run on every row, so what it loads is
a ledger the desk could have written. What it skips is the desk's own write path
(``LedgerJournal.create_intent``/``complete``: one serialized transaction per action
and per outcome), which stays as it is. On PostgreSQL the ``*_notify`` triggers (which
tell other desks about a change, nothing more) are off during the load; on SQLite the
loading connection runs with ``synchronous = OFF`` (a crash in the middle loses a
benchmark's ledger, nothing else).

Rows are made by a seeded generator: the same arguments give the same ledger. The keys
the benchmarks look up are exposed by :class:`Synth` (``pay_order_id(k)``,
``card_id(i)``, ``open_targets``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Connection, Engine, text  # noqa: E402

from iotpay_desk import ledger  # noqa: E402
from iotpay_desk.api.rules import has_card_run  # noqa: E402
from iotpay_desk.journal import store as _journal  # noqa: E402
from iotpay_desk.journal.models import format_time  # noqa: E402

__all__ = ["MCH", "OTHER", "Synth", "load_ledger"]

MCH, OTHER = "10000701", "10000702"
START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_S = 365 * 86400
FIRST = ["Jane", "John", "Marie", "Luc", "Amir", "Mei", "Olga", "Raj", "Ana", "Tom", "Zoe"]
LAST = ["Doe", "Tremblay", "Roy", "Gagnon", "Singh", "Chen", "Smith", "Côté", "Nguyen", "Lee"]
WORDS = ["coffee", "beans", "tea", "mug", "grinder", "kettle", "gift", "repair", "box"]
OPERATORS = [f"operator{i}" for i in range(10)]
DESKS = ["front", "back", "office"]
BRANDS = ("V", "M", "A")
PREFIX = {"V": "411111", "M": "555555", "A": "378282"}

ACTION_COLUMNS = (
    "id", "kind", "mch_id", "target_pay_order_id", "mch_no", "amount_cents", "currency",
    "operator", "reason", "note", "state", "pay_order_id", "status", "ret_msg", "card_num",
    "card_type", "auth_num", "trans_num", "pay_succ_time", "created_at", "updated_at",
    "attempts", "card_id", "mch_user_id", "subject", "desk", "lease_owner", "lease_desk",
    "lease_until",
)  # fmt: skip
AUDIT_COLUMNS = ("id", "at", "operator", "action_id", "event", "detail", "mch_id", "desk")
NOTE_COLUMNS = (
    "mch_id", "pay_order_id", "mch_order_no", "pay_type", "status", "amount_cents",
    "card_num", "first_at", "last_at", "times",
)  # fmt: skip
LOOKUP_COLUMNS = ("at", "mch_id", "query", "pay_order_id", "mch_order_no")
PAGE_COLUMNS = (
    "mch_id", "session_id", "card_id", "customer_label", "started_by", "started_at",
    "closed_at", "outcome", "ended_at",
)  # fmt: skip
VAULT_COLUMNS = (
    "mch_id", "card_id", "customer_label", "card_num", "brand", "expiry_date", "holder",
    "via", "added_by", "added_at", "refreshed_at", "removed_by", "removed_at", "search_text",
)  # fmt: skip

_RETURNS = ("refund", "void")


def _merchant(i: int) -> str:
    """One row in ten is the other merchant's."""
    return OTHER if i % 10 == 9 else MCH


@dataclass
class Synth:
    """What :func:`load_ledger` wrote, and the keys to look things up by."""

    actions: int
    notifications: int
    cards: int
    lookups: int
    payments: int = 0
    seed: int = 7
    open_targets: list[str] = field(default_factory=list)
    rates: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def pay_order_id(k: int) -> str:
        """IOTPay's id of payment ``k`` (letters, then digits, as IOTPay's are)."""
        return _pay_order_id(k)

    @staticmethod
    def card_id(i: int) -> str:
        return f"card-{i:07d}"

    def merchant_payment(self, rng: random.Random) -> str:
        """A random payment of :data:`MCH` (one that has notifications)."""
        while True:
            k = rng.randrange(self.payments)
            if _merchant(k) == MCH:
                return self.pay_order_id(k)

    def merchant_card(self, rng: random.Random) -> str:
        while True:
            i = rng.randrange(self.cards)
            if _merchant(i) == MCH:
                return self.card_id(i)


# ---------------------------------------------------------------------------- rows

# Times are made from seconds after START without datetime (a row's time costs a
# microsecond, not ten): the journal's fixed-width ISO text (format_time), checked below.
_DAYS = [f"{START + timedelta(days=d):%Y-%m-%d}" for d in range(800)]
_COMPACT = [f"{START + timedelta(days=d):%Y%m%d}" for d in range(800)]


def _stamp(seconds: float) -> str:
    """``format_time(START + seconds)``."""
    whole, us = divmod(round(seconds * 1_000_000), 1_000_000)
    d, rest = divmod(whole, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{_DAYS[d]}T{h:02d}:{m:02d}:{s:02d}.{us:06d}Z"


def _compact(seconds: int) -> str:
    """``YYYYmmddHHMMSS`` of START + seconds, as IOTPay's ids and times carry it."""
    d, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{_COMPACT[d]}{h:02d}{m:02d}{s:02d}"


for _t in (0.0, 3723.5, 86400 * 200 + 59.000001):
    if _stamp(_t) != format_time(START + timedelta(seconds=_t)):  # pragma: no cover
        raise ImportError(f"_stamp({_t}) is not format_time's")

# Free texts from a fixed vocabulary, made once.
_PHRASE_RNG = random.Random(3)
REASONS = [" ".join(_PHRASE_RNG.sample(WORDS, 2)) for _ in range(64)]
SUBJECTS = [" ".join(_PHRASE_RNG.sample(WORDS, 3)) for _ in range(64)]


def _masked(brand: str, last4: str) -> str:
    return f"{PREFIX[brand]}******{last4}"


def _pay_order_id(k: int) -> str:
    return f"PC{_compact(k * 29)}{k:010d}"


_LAST4 = [f"{n:04d}" for n in range(10_000)]


def action_rows(synth: Synth, first_id: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """``synth.actions`` actions over a year, oldest first (ids from ``first_id``): refunds
    and voids of the merchant's payments, charges of cards on file, wallet payments and
    payment links; nearly all settled, a few still open (at most one per payment)."""
    n = synth.actions
    step = YEAR_S / max(1, n)
    # A few unresolved actions near the end, each on a payment of its own.
    open_at = set(range(max(0, n - 40 * 10), n, 10))
    used: set[str] = set()
    r = rng.random  # int(r() * n): a draw in range(n), five times cheaper than randrange
    tenth_payments, tenth_cards = max(1, synth.payments // 10), max(1, synth.cards // 10)
    last_card = max(0, synth.cards - 1)
    for i in range(n):
        mch = _merchant(i)
        seconds = i * step
        created = _stamp(seconds)
        roll = r()
        is_open = i in open_at
        if is_open or roll < 0.35:
            kind = "refund"
        elif roll < 0.40:
            kind = "void"
        elif roll < 0.85:
            kind = "charge_token"
        elif roll < 0.93:
            kind = "charge_wallet"
        else:
            kind = "purchase_link"
        target = card_id = user = None
        returning = kind in _RETURNS
        if returning:
            while True:
                # A payment of the same merchant (one in ten is the other's).
                k = int(r() * tenth_payments) * 10 + (9 if mch == OTHER else int(r() * 9))
                target = _pay_order_id(k)
                if not is_open or target not in used:
                    break
            if is_open:
                used.add(target)
                if mch == MCH:
                    synth.open_targets.append(target)
        elif kind == "charge_token":
            c = int(r() * tenth_cards) * 10 + (9 if mch == OTHER else int(r() * 9))
            c = min(c, last_card)
            card_id, user = Synth.card_id(c), f"cust-{c}"
        if is_open:
            state = "checking" if i % 20 == 0 else "intent"
            settled = succeeded = False
        else:
            s = r()
            state = "succeeded" if s < 0.86 else "failed" if s < 0.94 else "declined"
            settled, succeeded = True, s < 0.86
        brand = BRANDS[i % 3]
        compact = _compact(int(seconds)) if succeeded else ""
        yield (
            first_id + i,
            kind,
            mch,
            target,
            f"{'R' if returning else 'C'}{i:010d}",
            None if kind == "void" else 100 + int(r() * 49_900),
            "CAD",
            OPERATORS[int(r() * 10)],
            REASONS[int(r() * 64)] if returning else "",
            "",
            state,
            f"RP{compact}{i:010d}" if succeeded else None,
            (2 if succeeded else 3) if settled else None,
            "" if succeeded or not settled else "declined by issuer",
            f"{PREFIX[brand]}******{_LAST4[int(r() * 10_000)]}" if settled else "",
            brand if settled else "",
            f"A{i % 1_000_000:06d}" if succeeded else "",
            f"T{i:010d}" if succeeded else "",
            compact,
            created,
            _stamp(seconds + 2) if settled else created,
            1 if settled else 0,
            card_id,
            user,
            SUBJECTS[int(r() * 64)] if kind != "void" else "",
            DESKS[int(r() * 3)],
            None,
            None,
            None,
        )


def audit_rows(actions: Sequence[tuple[Any, ...]], next_id: int) -> list[tuple[Any, ...]]:
    """Each action's ``intent`` audit row, and its ``answer`` once settled (their detail
    JSON as the journal writes it: keys sorted; the values here need no escaping)."""
    out: list[tuple[Any, ...]] = []
    append = out.append
    for a in actions:
        action_id, kind, mch, target, mch_no, amount = a[:6]
        operator, state, desk = a[7], a[10], a[25]
        cents = "null" if amount is None else amount
        aim = "null" if target is None else f'"{target}"'
        intent = (
            f'{{"amount_cents": {cents}, "currency": "CAD", "kind": "{kind}", '
            f'"mch_no": "{mch_no}", "target": {aim}}}'
        )
        append((next_id, a[19], operator, action_id, "intent", intent, mch, desk))
        next_id += 1
        if state not in _journal._OPEN_STATES:
            order = (
                f'"card_num": "{a[14]}", "pay_order_id": "{a[11]}", "status": {a[12]}, '
                if a[11] is not None
                else ""
            )
            answer = (
                f'{{"amount_cents": {cents}, {order}"kind": "{kind}", "mch_no": "{mch_no}", '
                f'"ret_msg": "{a[13]}", "state": "{state}"}}'
            )
            append((next_id, a[20], operator, action_id, "answer", answer, mch, desk))
            next_id += 1
    return out


def notification_rows(synth: Synth, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """IOTPay's notifications: one per payment, a second (another status) for one in
    five; ``synth.payments`` is set to the number of payments they cover."""
    k = 0
    made = 0
    randrange = rng.randrange
    while made < synth.notifications:
        stamp = _stamp(k * 29)
        base = (_merchant(k), _pay_order_id(k), f"W{k:09d}", "pay")
        amount = 100 + randrange(49_900)
        card = _masked(BRANDS[k % 3], f"{randrange(10_000):04d}")
        yield (*base, 2, amount, card, stamp, stamp, 1 + (k % 3 == 0))
        made += 1
        if k % 5 == 0 and made < synth.notifications:
            later = _stamp(k * 29 + 3 * 86400)
            yield (*base, 3, amount, card, later, later, 1)
            made += 1
        k += 1
    synth.payments = k


def lookup_rows(synth: Synth) -> Iterator[tuple[Any, ...]]:
    """The recent look-ups (the desk keeps ``LOOKUPS_KEPT`` per merchant)."""
    for mch in (MCH, OTHER):
        for j in range(synth.lookups):
            k = j * 10 + (9 if mch == OTHER else 0)
            at = _stamp(364 * 86400 + j)
            pid = _pay_order_id(k)
            yield (at, mch, pid, pid, f"W{k:09d}")


def vault_rows(synth: Synth, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """Cards on file; one in thirty removed."""
    step = YEAR_S / max(1, synth.cards)
    for i in range(synth.cards):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        label = f"{name}, account {rng.randrange(100_000)}"
        brand = rng.choice(BRANDS)
        card_num = _masked(brand, f"{rng.randrange(10_000):04d}")
        added = _stamp(i * step)
        card_id = Synth.card_id(i)
        removed = i % 30 == 29
        yield (
            _merchant(i),
            card_id,
            label,
            card_num,
            brand,
            f"{rng.randint(1, 12):02d}{rng.randint(26, 31)}",
            name.upper(),
            "hosted",
            rng.choice(OPERATORS),
            added,
            None,
            rng.choice(OPERATORS) if removed else None,
            added if removed else None,
            _journal._search_text(card_id, label, name.upper(), card_num),
        )


def card_page_rows(synth: Synth) -> Iterator[tuple[Any, ...]]:
    """The add-card pages the cards came from (ended: added), and a few left open."""
    step = YEAR_S / max(1, synth.cards)
    for i in range(synth.cards):
        at = _stamp(i * step)
        end = _stamp(i * step + 60)
        yield (
            _merchant(i),
            f"cs_{i:08d}",
            Synth.card_id(i),
            "",
            "operator0",
            at,
            None,
            "added",
            end,
        )
    for j in range(3):
        at = _stamp(YEAR_S - 600 + j)
        yield (MCH, f"cs_open_{j}", f"card-open-{j}", "", "operator0", at, None, None, None)


# ---------------------------------------------------------------------------- writing

# The texts each table's no-card-number trigger checks, by column position in the rows
# above: checked here with the rule those triggers compute (api.rules.has_card_run,
# which a test holds equal to the SQL), while the triggers themselves are off.
_CHECKED = {
    "actions": tuple(ACTION_COLUMNS.index(c) for c in ("reason", "note", "subject", "ret_msg")),
    "notifications": tuple(
        NOTE_COLUMNS.index(c) for c in ("pay_order_id", "mch_order_no", "pay_type")
    ),
    "lookups": (LOOKUP_COLUMNS.index("query"),),
}


class _Writer:
    """Batches of rows into one table: executemany (SQLite) or COPY (PostgreSQL)."""

    def __init__(self, conn: Connection, *, triggers: bool) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.triggers = triggers

    def write(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if not self.triggers:
            for i in _CHECKED.get(table, ()):
                for row in rows:
                    if row[i] and has_card_run(row[i]):
                        raise ValueError(f"{table}.{columns[i]}: a card number in {row[0]!r}")
        names = ", ".join(columns)
        if self.pg:
            dbapi: Any = self.conn.connection.dbapi_connection
            with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        self.conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))

    @contextmanager
    def bulk(self, *tables: str) -> Iterator[None]:
        """In the current transaction, for a bulk load into ``tables``: their secondary
        indexes dropped, then made again from their own definitions once the rows are
        in (a sorted build, several times faster than growing each index row by row; a
        UNIQUE index checks every row as it is made); unless ``triggers``, their
        no-card-number insert triggers off too (the rows are checked by :meth:`write`).
        DDL is transactional on both backends: a load that fails leaves them as they
        were. The indexes behind constraints (primary keys, UNIQUEs) stay throughout."""
        ddl: list[str] = []
        if self.pg:
            for t in tables:
                found = self.conn.exec_driver_sql(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = "
                    "%(t)s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
                    "(quote_ident(i.indexname))::regclass)",
                    {"t": t},
                ).all()
                for name, sql in found:
                    self.conn.exec_driver_sql(f"DROP INDEX {name}")
                    ddl.append(sql)
                if not self.triggers:
                    name = f"{t}_no_card_insert"
                    if name in self._pg_triggers(t):
                        self.conn.exec_driver_sql(f"ALTER TABLE {t} DISABLE TRIGGER {name}")
                        ddl.append(f"ALTER TABLE {t} ENABLE TRIGGER {name}")
        else:
            for t in tables:
                found = self.conn.exec_driver_sql(
                    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? "
                    "AND sql IS NOT NULL AND (type = 'index' OR name = ?)",
                    (t, f"{t}_no_card_insert" if not self.triggers else ""),
                ).all()
                for kind, name, sql in found:
                    self.conn.exec_driver_sql(f"DROP {kind.upper()} {name}")
                    ddl.append(sql)
        yield
        for sql in ddl:
            self.conn.exec_driver_sql(sql)

    def _pg_triggers(self, table: str) -> set[str]:
        rows = self.conn.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %(t)s::regclass", {"t": table}
        ).all()
        return {r[0] for r in rows}


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _next_id(conn: Connection, table: str) -> int:
    return int(conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()) + 1


def load_ledger(
    engine: Engine,
    *,
    actions: int = 1_000_000,
    notifications: int = 500_000,
    cards: int = 100_000,
    lookups: int = _journal.LOOKUPS_KEPT,
    batch: int = 50_000,
    seed: int = 7,
    triggers: bool = False,
    quiet: bool = False,
) -> Synth:
    """Fill the migrated ledger behind ``engine`` (see the module's docstring); prints
    rows per second for each table unless ``quiet``. Returns what it wrote.

    ``triggers``: keep the no-card-number triggers on during the load (about three times
    slower on SQLite); by default their rule is checked on each row in Python instead."""
    synth = Synth(actions, notifications, cards, lookups, seed=seed)
    rng = random.Random(seed)
    pg = engine.dialect.name == "postgresql"
    notify_tables = ("actions", "vault_cards", "notifications")

    def say(what: str, rows: int, seconds: float) -> None:
        rate = rows / seconds if seconds > 0 else float("inf")
        synth.rates[what] = rate
        if not quiet:
            print(f"  loaded {rows:>9,} {what:<14s} in {seconds:6.1f} s = {rate:>9,.0f} rows/s")

    t_all = time.perf_counter()
    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        if pg:
            with conn.begin():
                for table in notify_tables:
                    conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_notify")
        else:
            # Outside any transaction, on the driver (SQLAlchemy would begin one first).
            raw.execute("PRAGMA synchronous = OFF")
            raw.execute("PRAGMA cache_size = -1048576")  # 1 GiB while loading
        writer = _Writer(conn, triggers=triggers)
        try:
            # Notifications first: they decide how many payments there are.
            t0 = time.perf_counter()
            with conn.begin(), writer.bulk("notifications", "lookups", "vault_cards", "card_pages"):
                for rows in _batches(notification_rows(synth, rng), batch):
                    writer.write("notifications", NOTE_COLUMNS, rows)
                say("notifications", notifications, time.perf_counter() - t0)
                t0 = time.perf_counter()
                for rows in _batches(lookup_rows(synth), batch):
                    writer.write("lookups", LOOKUP_COLUMNS, rows)
                for rows in _batches(vault_rows(synth, rng), batch):
                    writer.write("vault_cards", VAULT_COLUMNS, rows)
                for rows in _batches(card_page_rows(synth), batch):
                    writer.write("card_pages", PAGE_COLUMNS, rows)
            say("vault cards", cards, time.perf_counter() - t0)
            synth.payments = max(synth.payments, 10)

            t0 = time.perf_counter()
            audits = 0
            with conn.begin(), writer.bulk("actions", "audit"):
                next_action = _next_id(conn, "actions")
                next_audit = _next_id(conn, "audit")
                for rows in _batches(action_rows(synth, next_action, rng), batch):
                    writer.write("actions", ACTION_COLUMNS, rows)
                    trail = audit_rows(rows, next_audit)
                    writer.write("audit", AUDIT_COLUMNS, trail)
                    next_audit += len(trail)
                    audits += len(trail)
            elapsed = time.perf_counter() - t0
            say("actions", actions, elapsed)
            say("+ audit rows", actions + audits, elapsed)

            if pg:
                with conn.begin():
                    # Ids were given explicitly: the sequences move past them.
                    for table in ("actions", "audit"):
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
            t0 = time.perf_counter()
            with conn.begin():
                conn.exec_driver_sql("ANALYZE")
            if not quiet:
                print(f"  ANALYZE in {time.perf_counter() - t0:.1f} s")
        finally:
            if pg:
                with conn.begin():
                    for table in notify_tables:
                        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_notify")
            else:
                raw.execute("PRAGMA synchronous = FULL")
                raw.execute("PRAGMA cache_size = -2000")
    total = notifications + 2 * cards + 3 + 2 * lookups + actions + audits
    say("rows in all", total, time.perf_counter() - t_all)
    return synth


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--actions", type=int, default=1_000_000)
    p.add_argument("--notifications", type=int, default=500_000)
    p.add_argument("--cards", type=int, default=100_000)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--ledger", type=Path, default=None, help="a new SQLite file to fill")
    p.add_argument("--dir", type=Path, default=None, help="where the databases go")
    p.add_argument(
        "--keep-triggers", action="store_true", help="the no-card triggers stay on (slower)"
    )
    args = p.parse_args(argv)
    import tempfile
    from contextlib import ExitStack

    with ExitStack() as stack:
        if args.backend == "postgresql":
            from bench.bench_ledger import postgres_ledger

            base = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=args.dir)))
            base.chmod(0o711)
            engine = stack.enter_context(postgres_ledger(base, None))
        else:
            path = args.ledger
            if path is None:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(dir=args.dir))
                path = Path(tmp) / "ledger.sqlite3"
            elif path.exists():
                raise SystemExit(f"{path}: exists already")
            engine = ledger.open_engine(ledger.sqlite_url(path))
            stack.callback(engine.dispose)
            ledger.migrate(engine)
        t0 = time.perf_counter()
        load_ledger(
            engine,
            actions=args.actions,
            notifications=args.notifications,
            cards=args.cards,
            triggers=args.keep_triggers,
        )
        print(f"{args.backend}: the whole ledger in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

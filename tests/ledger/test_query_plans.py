"""The desk's queries on the look-up, start-up and vault paths use an index, on both
backends: no full scan of a table, no sort of its rows.

Each query is the SQL the journal itself sends: the real :class:`LedgerJournal` method is
called and its statements are caught on their way to the driver
(``before_cursor_execute``), then each is run again under ``EXPLAIN QUERY PLAN``
(SQLite) or ``EXPLAIN (FORMAT JSON)`` (PostgreSQL) with the same parameters.

The ledger holds tens of thousands of rows loaded by the benchmarks' bulk loader
(``bench/synth.py``), with another merchant's rows mixed in, and ANALYZE run: the
planners choose with real statistics. On PostgreSQL ``enable_seqscan`` is left on on
purpose: with it off every query would look indexed whatever its indexes; with it on
and a table this size a sequential scan or a sort shows up only where no index serves
the query, which is what the test is after (and what a million rows make slow).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from bench.synth import MCH, load_ledger
from iotpay_desk import ledger
from iotpay_desk.ledger.journal import LedgerJournal

# Tables that grow with the merchant's age. The look-ups are not among them (the desk
# keeps 50 a merchant): reading or sorting those is the planner's right choice.
BIG_TABLES = {"actions", "audit", "notifications", "vault_cards", "card_pages"}

ROWS = {"actions": 30_000, "notifications": 15_000, "cards": 6_000}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def planned(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, LedgerJournal, dict[str, Any]]]:
    """A ledger with rows in it (each backend), its journal, and keys to look up."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("plans") / "ledger.sqlite3"
        engine = ledger.open_engine(ledger.sqlite_url(path))
        ledger.migrate(engine)
    else:
        engine = request.getfixturevalue("pg_module_engine")
    synth = load_ledger(
        engine,
        actions=ROWS["actions"],
        notifications=ROWS["notifications"],
        cards=ROWS["cards"],
        quiet=True,
    )
    with engine.connect() as conn:
        target, action_id = conn.execute(
            text(
                "SELECT target_pay_order_id, id FROM actions WHERE mch_id = :m "
                "AND target_pay_order_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET 500"
            ),
            {"m": MCH},
        ).one()
        card_id, label = conn.execute(
            text(
                "SELECT card_id, customer_label FROM vault_cards WHERE mch_id = :m "
                "AND removed_at IS NULL ORDER BY id LIMIT 1 OFFSET 100"
            ),
            {"m": MCH},
        ).one()
        card_ids = list(
            conn.execute(
                text("SELECT card_id FROM vault_cards WHERE mch_id = :m ORDER BY id DESC LIMIT 30"),
                {"m": MCH},
            ).scalars()
        )
    keys = {
        "card_ids": card_ids,
        "target": target,
        "action_id": action_id,
        "payment": synth.pay_order_id(40),
        "card_id": card_id,
        "account": label.rsplit(" ", 1)[-1],
    }
    journal = LedgerJournal(engine)
    yield engine, journal, keys
    if request.param == "sqlite":
        engine.dispose()


def _caught(engine: Engine, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The statements ``call`` sent that read or change rows, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if re.match(r"\s*(SELECT|DELETE|UPDATE|WITH)\b", statement, re.IGNORECASE):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


# The Card vault's search gathered from its substring index (revision 0006): SQLite's
# FTS5 trigram table, read by MATCH (shown as a "SCAN" of the virtual table with an
# index number and its M[atch] constraint: a look-up in the index, not a scan of it).
_FTS_MATCH = re.compile(r"SCAN vault_cards_fts VIRTUAL TABLE INDEX \d+:M")


def _sqlite_plan(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return [str(r[-1]) for r in rows]


def _sqlite_problems(engine: Engine, statement: str, parameters: Any) -> list[str]:
    plan = _sqlite_plan(engine, statement, parameters)
    gathered = any(_FTS_MATCH.match(line) for line in plan)
    # A subquery's own rows (a co-routine: the probe counting a word's first matches).
    routines = {line.split(" ", 1)[1] for line in plan if line.startswith("CO-ROUTINE ")}
    problems = []
    for line in plan:
        if _FTS_MATCH.match(line) or line.split(" ", 1)[-1] in routines:
            continue
        # "SCAN t" reads the whole table; "SCAN t USING [COVERING] INDEX i" the whole
        # index: either is a full scan. (SEARCH is a range of an index.)
        if re.match(r"SCAN (?!CONSTANT ROW)", line):
            problems.append(line)
        # A search's matches gathered from the substring index are sorted: only they,
        # at most ledger.journal.VAULT_COMMON cards (more common words are checked on
        # the list index's entries in its order instead, with no sort).
        if "USE TEMP B-TREE" in line and not (gathered and "FOR ORDER BY" in line):
            problems.append(line)
    return [f"{p}   (plan: {' | '.join(plan)})" for p in problems]


def _pg_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _pg_nodes(child)


def _pg_plan(engine: Engine, statement: str, parameters: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        found = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
        conn.rollback()
    plan = found if isinstance(found, list) else json.loads(found)
    return dict(plan[0]["Plan"])


def _pg_problems(engine: Engine, statement: str, parameters: Any) -> list[str]:
    problems = []
    for node in _pg_nodes(_pg_plan(engine, statement, parameters)):
        kind = node["Node Type"]
        if kind == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
            problems.append(f"Seq Scan on {node['Relation Name']}")
        below = list(_pg_nodes(node))
        tables = {n.get("Relation Name") for n in below} - {None}
        # A vault search's matches, found through the pg_trgm index, may be sorted (a
        # top-N sort of those rows only): the planner's choice when it expects few.
        gathered = any(n.get("Index Name") == "vault_cards_search" for n in below)
        if kind in ("Sort", "Incremental Sort") and tables & BIG_TABLES and not gathered:
            problems.append(f"{kind} by {node.get('Sort Key')}")
    return problems


# Each query of the three paths, as the desk calls it (services.lookups, .checking,
# .cards; the Card vault page asks for a limited list).
CALLS: dict[str, Callable[[LedgerJournal, dict[str, Any]], Any]] = {
    # The Orders look-up: an order's refunds and voids, its notifications, the look-up
    # recorded, the recent list; a refund form's basis; a receipt's audit entries.
    "actions_for_target": lambda j, k: j.actions_for_target(MCH, k["target"]),
    "notifications": lambda j, k: j.notifications(MCH, k["payment"], limit=10),
    "record_lookup": lambda j, k: j.record_lookup(MCH, k["payment"], k["payment"], "W1"),
    "recent_lookups": lambda j, k: j.recent_lookups(MCH, 20),
    "draft_basis": lambda j, k: j.draft_basis(MCH, k["target"]),
    "latest_action_id": lambda j, k: j.latest_action_id(MCH, k["target"]),
    "audit_for_action": lambda j, k: j.audit_for_action(k["action_id"]),
    # Start-up: the unresolved actions to check, the add-card pages left open.
    "open_actions": lambda j, k: j.open_actions(MCH),
    "open_card_pages": lambda j, k: j.open_card_pages(MCH),
    # The vault: its list and searches, limited; one card; Activity's customer names.
    "vault list": lambda j, k: j.list_vault_cards(MCH, limit=200),
    "vault search: name": lambda j, k: j.list_vault_cards(MCH, "smith", limit=200),
    "vault search: account": lambda j, k: j.list_vault_cards(MCH, k["account"], limit=200),
    "vault search: two words": lambda j, k: j.list_vault_cards(MCH, "jane visa", limit=200),
    "vault search: common": lambda j, k: j.list_vault_cards(MCH, "account", limit=200),
    "vault search: short": lambda j, k: j.list_vault_cards(MCH, "12", limit=200),
    "vault_labels": lambda j, k: j.vault_labels(MCH, [k["card_id"], "C-none", *k["card_ids"]]),
    "get_vault_card": lambda j, k: j.get_vault_card(MCH, k["card_id"]),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_query_uses_an_index(
    planned: tuple[Engine, LedgerJournal, dict[str, Any]],
    name: str,
    request: pytest.FixtureRequest,
) -> None:
    engine, journal, keys = planned
    if engine.dialect.name == "postgresql" and name == "vault search: short":
        # Two characters in 4 % of this ledger's 6,000 cards: the planner reads the
        # table and sorts the matches rather than walk the list index for 200 of them
        # (bench_queries shows the plan it takes at 100,000 cards).
        request.applymarker(pytest.mark.xfail(reason="planner's choice at 6,000 cards"))
    statements = _caught(engine, lambda: CALLS[name](journal, keys))
    assert statements, f"{name}: no statement caught"
    check = _pg_problems if engine.dialect.name == "postgresql" else _sqlite_problems
    problems = [
        f"{statement.strip()}\n    -> {problem}"
        for statement, parameters in statements
        for problem in check(engine, statement, parameters)
    ]
    assert not problems, f"{name}:\n" + "\n".join(problems)


# What each vault search's plan really is, SQLite (the choice is the journal's: words in
# at most VAULT_COMMON cards are gathered from the FTS5 index and sorted; common words
# and words under 3 characters are checked on the list index's entries in its order).
_GATHERED = ("vault search: name", "vault search: account", "vault search: two words")
_IN_LIST_ORDER = ("vault list", "vault search: common", "vault search: short")


@pytest.mark.parametrize("planned", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", _GATHERED + _IN_LIST_ORDER)
def test_what_a_vault_search_reads_sqlite(
    planned: tuple[Engine, LedgerJournal, dict[str, Any]], name: str
) -> None:
    engine, journal, keys = planned
    assert engine.dialect.name == "sqlite"
    statements = _caught(engine, lambda: CALLS[name](journal, keys))
    listed = [s for s in statements if "ORDER BY" in s[0]]
    assert len(listed) == 1, statements
    plan = _sqlite_plan(engine, *listed[0])
    shown = " | ".join(plan)
    if name in _GATHERED:
        # The matches from the trigram index, each card by its id, then sorted.
        assert any(_FTS_MATCH.match(line) for line in plan), shown
        assert "SEARCH vault_cards USING INTEGER PRIMARY KEY (rowid=?)" in plan, shown
        assert "USE TEMP B-TREE FOR ORDER BY" in plan, shown
    else:
        # The list index from the top, in its order: no sort, no table row for a card
        # that does not match (search text and brand are in the index).
        assert plan == ["SEARCH vault_cards USING INDEX vault_cards_list (mch_id=?)"], shown


@pytest.mark.parametrize("planned", ["postgresql"], indirect=True)
@pytest.mark.parametrize("name", ["vault search: name", "vault search: account"])
def test_what_a_vault_search_reads_postgresql(
    planned: tuple[Engine, LedgerJournal, dict[str, Any]], name: str
) -> None:
    """A word few cards hold: PostgreSQL's planner takes the pg_trgm index and sorts the
    matches (a top-N sort of those few rows), where it read the list index through."""
    engine, journal, keys = planned
    assert engine.dialect.name == "postgresql"
    statements = _caught(engine, lambda: CALLS[name](journal, keys))
    (listed,) = [s for s in statements if "ORDER BY" in s[0]]
    nodes = list(_pg_nodes(_pg_plan(engine, *listed)))
    used = {n.get("Index Name") for n in nodes} - {None}
    assert "vault_cards_search" in used, nodes
    assert not any(n["Node Type"] == "Seq Scan" for n in nodes), nodes

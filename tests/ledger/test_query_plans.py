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
    keys = {
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


def _sqlite_problems(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    plan = [str(r[-1]) for r in rows]
    problems = []
    for line in plan:
        # "SCAN t" reads the whole table; "SCAN t USING [COVERING] INDEX i" the whole
        # index: either is a full scan. (SEARCH is a range of an index.)
        if re.match(r"SCAN (?!CONSTANT ROW)", line):
            problems.append(line)
        if "USE TEMP B-TREE" in line:
            problems.append(line)
    return [f"{p}   (plan: {' | '.join(plan)})" for p in problems]


def _pg_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _pg_nodes(child)


def _pg_problems(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        found = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
        conn.rollback()
    plan = found if isinstance(found, list) else json.loads(found)
    problems = []
    for node in _pg_nodes(plan[0]["Plan"]):
        kind = node["Node Type"]
        if kind == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
            problems.append(f"Seq Scan on {node['Relation Name']}")
        below = {n.get("Relation Name") for n in _pg_nodes(node)} - {None}
        if kind in ("Sort", "Incremental Sort") and below & BIG_TABLES:
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
    # The vault: its list and searches, limited; one card.
    "vault list": lambda j, k: j.list_vault_cards(MCH, limit=200),
    "vault search: name": lambda j, k: j.list_vault_cards(MCH, "smith", limit=200),
    "vault search: account": lambda j, k: j.list_vault_cards(MCH, k["account"], limit=200),
    "vault search: two words": lambda j, k: j.list_vault_cards(MCH, "jane visa", limit=200),
    "get_vault_card": lambda j, k: j.get_vault_card(MCH, k["card_id"]),
}


# A substring search of the vault on PostgreSQL: its planner rightly prefers reading the
# merchant's cards and sorting the few that match (a top-N sort) to walking the whole
# list index for them; only an index for substrings (pg_trgm) would serve it. Not done
# yet: these say so, and fail loudly (strict) once they pass.
_PG_SUBSTRING = pytest.mark.xfail(
    strict=True, reason="PostgreSQL: a substring search has no index to use (pg_trgm)"
)


@pytest.mark.parametrize("name", list(CALLS))
def test_query_uses_an_index(
    planned: tuple[Engine, LedgerJournal, dict[str, Any]],
    name: str,
    request: pytest.FixtureRequest,
) -> None:
    engine, journal, keys = planned
    if engine.dialect.name == "postgresql" and name.startswith("vault search"):
        request.applymarker(_PG_SUBSTRING)
    statements = _caught(engine, lambda: CALLS[name](journal, keys))
    assert statements, f"{name}: no statement caught"
    check = _pg_problems if engine.dialect.name == "postgresql" else _sqlite_problems
    problems = [
        f"{statement.strip()}\n    -> {problem}"
        for statement, parameters in statements
        for problem in check(engine, statement, parameters)
    ]
    assert not problems, f"{name}:\n" + "\n".join(problems)

"""Schema v6's "no card-like digit run" rule holds the same on PostgreSQL as on SQLite and
in Python (``api.rules.has_card_run``): same examples, same random texts as
tests/journal/test_no_card_runs.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError

from iotpay_desk import ledger
from iotpay_desk.api.rules import has_card_run
from iotpay_desk.journal.schema import _card_run_sql
from iotpay_desk.journal.scrub import scrub
from iotpay_desk.ledger.schema import CARD_RUN_FUNCTION
from tests.journal.test_no_card_runs import ALPHABET, CARD, NOT_LUHN, PAY

LOOKUPS = ledger.metadata.tables["lookups"]
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)
EXAMPLES = [
    (CARD, True),
    ("4242 4242 4242 4242", True),
    ("4242-4242-4242-4242", True),
    ("card: 4242 - 4242", False),
    ("4242 -4242 4242 4242", True),  # space pass, then dash pass
    ("4242- 4242 4242 4242", False),
    ("1  234567890123", False),  # a double space stays a gap
    ("1 -234567890123", True),
    (NOT_LUHN, True),
    ("#" + NOT_LUHN + "x", True),
    ("é" + NOT_LUHN, True),
    ("x 4242 4242 4242 4242 y", True),
    ("123456789012", False),
    (PAY, False),
    ("RP20240102100000123456789012", False),
    ("T2601011200003ABCDEFGHI", False),
    ("424242******4242", False),
    ("", False),
]


@pytest.fixture(scope="module")
def sqlite_module_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = ledger.open_engine(ledger.sqlite_url(tmp_path_factory.mktemp("l") / "l.sqlite3"))
    ledger.migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(
    scope="module",
    params=["sqlite_module_engine", "pg_module_engine"],
    ids=["sqlite", "postgresql"],
)
def module_backend(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.getfixturevalue(request.param)
    return engine


def _postgres_says(engine: Engine, value: str) -> bool:
    with engine.connect() as conn:
        sql = text(f"SELECT {CARD_RUN_FUNCTION}(:v)")
        return bool(conn.execute(sql, {"v": value}).scalar_one())


def _sqlite_says(value: str) -> bool:
    with sqlite3.connect(":memory:") as db:
        return bool(db.execute(f"SELECT {_card_run_sql('?')}", (value,)).fetchone()[0])


def _accepted(engine: Engine, value: str) -> bool:
    """Whether the lookups table takes ``value`` as a query (nothing is kept)."""
    row = {"at": "t", "mch_id": "m", "query": value, "pay_order_id": "p"}
    with engine.connect() as conn:
        try:
            with conn.begin():
                conn.execute(insert(LOOKUPS).values(**row))
                raise _Undo
        except IntegrityError as e:
            refusal = str(e.orig)
        except _Undo:
            return True
    assert "a card number is never stored in lookups" in refusal
    return False


class _Undo(Exception):
    pass


@pytest.mark.parametrize(("value", "card_like"), EXAMPLES)
def test_the_three_rules_agree_on_examples(
    pg_module_engine: Engine, value: str, card_like: bool
) -> None:
    assert has_card_run(value) is card_like
    assert _sqlite_says(value) is card_like
    assert _postgres_says(pg_module_engine, value) is card_like


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_postgresql_and_python_agree_on_any_text(pg_module_engine: Engine, value: str) -> None:
    assert _postgres_says(pg_module_engine, value) is has_card_run(value)


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_each_ledger_refuses_exactly_the_card_like_texts(
    module_backend: Engine, value: str
) -> None:
    assert _accepted(module_backend, value) is not has_card_run(value)


def test_scrubbed_texts_are_accepted_by_both(module_backend: Engine) -> None:
    for value, _ in EXAMPLES:
        assert _accepted(module_backend, scrub(value))

"""Schema v6: the journal file refuses a card-like digit run in notification ids and in the
free texts of actions and look-ups, by the same rule as the notify receiver and scrub()."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iotpay_desk.api.models import Order
from iotpay_desk.api.rules import has_card_run
from iotpay_desk.journal import SCHEMA_VERSION, ActionKind, ActionState, Journal, new_mch_no
from iotpay_desk.journal.schema import MIGRATIONS, _card_run_sql
from iotpay_desk.journal.scrub import scrub

MCH = "10000701"
PAY = "PC20240101215009579871439079"
CARD = "4242424242424242"
NOT_LUHN = "1234567890123"  # 13 digits the log redaction leaves alone (fails Luhn)


@pytest.fixture
def raw() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    yield db
    db.close()


def _sql_says(db: sqlite3.Connection, text: str) -> bool:
    return bool(db.execute(f"SELECT {_card_run_sql('?')}", (text,)).fetchone()[0])


@pytest.mark.parametrize(
    ("text", "card_like"),
    [
        (CARD, True),
        ("4242 4242 4242 4242", True),
        ("4242-4242-4242-4242", True),
        ("card: 4242 - 4242", False),  # a spaced dash is not a group separator
        (NOT_LUHN, True),
        ("#" + NOT_LUHN + "x", True),
        ("x 4242 4242 4242 4242 y", True),
        ("123456789012", False),  # twelve
        (PAY, False),  # IOTPay: a letter, then 26 digits
        ("RP20240102100000123456789012", False),
        ("T2601011200003ABCDEFGHI", False),  # the desk's: a letter, 13 to 22 digits
        ("424242******4242", False),
        ("", False),
    ],
)
def test_the_rule_and_the_database_agree_on_examples(
    raw: sqlite3.Connection, text: str, card_like: bool
) -> None:
    assert has_card_run(text) is card_like
    assert _sql_says(raw, text) is card_like


ALPHABET = st.sampled_from(list("0123456789012345678901234567890123456789 - aZ.é*"))


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_the_rule_and_the_database_agree_on_any_text(text: str) -> None:
    with sqlite3.connect(":memory:") as db:
        assert _sql_says(db, text) is has_card_run(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_scrubbed_text_is_always_accepted(text: str) -> None:
    assert not has_card_run(scrub(text))


def test_scrub_keeps_ids_and_masks_other_long_runs() -> None:
    assert scrub(f"refund of {PAY} (R260101120000234567ABCD)") == (
        f"refund of {PAY} (R260101120000234567ABCD)"
    )
    assert scrub(f"order {NOT_LUHN} lost") == "order *********0123 lost"
    assert scrub(f"card {CARD}") == "card 424242******4242"


def _v5_file(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    for statements in MIGRATIONS[:5]:
        for statement in statements:
            db.execute(statement)
    db.execute("PRAGMA user_version = 5")
    at = "2025-03-01T12:00:00.000000Z"
    # Rows a v5 desk may have written, one of them with a long digit run in its note:
    # version 6 keeps them as they are.
    db.execute(
        "INSERT INTO actions (kind, mch_id, target_pay_order_id, mch_no, amount_cents, "
        "operator, reason, note, state, created_at, updated_at, subject) VALUES "
        "('refund', ?, ?, 'R250301120000AAAAAAAAAA', 500, 'jack', 'Returned', ?, "
        "'checking', ?, ?, '')",
        (MCH, PAY, f"phone {NOT_LUHN}", at, at),
    )
    db.execute(
        "INSERT INTO audit (at, operator, action_id, event) VALUES (?, 'jack', 1, 'intent')",
        (at,),
    )
    db.execute(
        "INSERT INTO lookups (at, mch_id, query, pay_order_id) VALUES (?, ?, ?, ?)",
        (at, MCH, PAY, PAY),
    )
    db.execute(
        "INSERT INTO vault_cards (mch_id, card_id, card_num, via, added_by, added_at) "
        "VALUES (?, 'c1', '424242******4242', 'hosted', 'jack', ?)",
        (MCH, at),
    )
    db.execute(
        "INSERT INTO card_pages (mch_id, session_id, card_id, started_by, started_at) "
        "VALUES (?, 's1', 'c2', 'jack', ?)",
        (MCH, at),
    )
    db.execute(
        "INSERT INTO notifications (mch_id, pay_order_id, mch_order_no, status, "
        "amount_cents, first_at, last_at) VALUES (?, ?, 'order-1', 2, 1250, ?, ?)",
        (MCH, PAY, at, at),
    )
    db.close()


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        # Ordinary tables only: not SQLite's own, nor a full-text index's (virtual and
        # shadow tables, which mirror rows of an ordinary one).
        tables = [
            name
            for _schema, name, kind, *_ in db.execute("PRAGMA main.table_list")
            if kind == "table" and not name.startswith("sqlite_")
        ]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def test_a_version_5_file_upgrades_to_6_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "v5.sqlite3"
    _v5_file(path)
    before = _dump(path)
    with Journal(path) as j:
        assert j.schema_version == SCHEMA_VERSION >= 6
        assert _dump(path) == before
        # The old row's state still moves (its note is not touched, so not checked).
        (old,) = j.actions_for_target(MCH, PAY)
        order = Order(pay_order_id="RP20250301120001000000000001", mch_id=MCH, status=2)
        old = j.complete(old.id, ActionState.SUCCEEDED, order=order)
        assert old.state is ActionState.SUCCEEDED
        assert old.note == f"phone {NOT_LUHN}"
        # New rows go through scrub() and are accepted; the file refuses raw card runs.
        action = j.create_intent(
            kind=ActionKind.REFUND,
            mch_id=MCH,
            mch_no=new_mch_no("R"),
            operator="jack",
            target_pay_order_id="PC20240101215009579871439080",
            amount_cents=100,
            reason=f"card {CARD}",
            note=f"call {NOT_LUHN}",
        )
        assert CARD not in action.reason
        assert NOT_LUHN not in action.note
        j.record_lookup(MCH, f"4242 4242 4242 4242 {NOT_LUHN}", PAY, "order-1")
        assert not has_card_run(j.recent_lookups(MCH)[0].query)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        at = datetime.now(UTC).isoformat()
        refused = [
            (
                "INSERT INTO notifications (mch_id, pay_order_id, mch_order_no, status, "
                "amount_cents, first_at, last_at) VALUES (?, ?, 'o', 2, 1, ?, ?)",
                (MCH, CARD, at, at),
            ),
            (
                "INSERT INTO notifications (mch_id, pay_order_id, mch_order_no, status, "
                "amount_cents, first_at, last_at) VALUES (?, 'PC1', ?, 2, 1, ?, ?)",
                (MCH, "4242-4242-4242-4242", at, at),
            ),
            ("UPDATE notifications SET mch_order_no = ?", (f"x {NOT_LUHN}",)),
            ("UPDATE actions SET reason = ? WHERE id = 1", (CARD,)),
            ("UPDATE actions SET note = ? WHERE id = 1", (CARD,)),
            ("UPDATE actions SET subject = ? WHERE id = 1", (CARD,)),
            ("UPDATE actions SET ret_msg = ? WHERE id = 1", (CARD,)),
            (
                "INSERT INTO lookups (at, mch_id, query, pay_order_id) VALUES (?, ?, ?, ?)",
                (at, MCH, f"card {CARD}", PAY),
            ),
        ]
        for sql, params in refused:
            with pytest.raises(sqlite3.IntegrityError, match="a card number is never stored"):
                db.execute(sql, params)
        # Ids are not card numbers.
        db.execute(
            "INSERT INTO notifications (mch_id, pay_order_id, mch_order_no, status, "
            "amount_cents, first_at, last_at) VALUES (?, ?, ?, 3, 1, ?, ?)",
            (MCH, "RP20240102100000123456789012", "T2601011200003ABCDEFGHI", at, at),
        )
        db.execute("UPDATE notifications SET times = times + 1")
    finally:
        db.close()

"""Add-card pages in the journal (schema version 4): open until the desk knows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iotpay_desk.journal import SCHEMA_VERSION, Journal
from iotpay_desk.journal.schema import MIGRATIONS

MCH = "10000701"
T0 = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "profile" / "journal.sqlite3")
    yield j
    j.close()


def _open(j: Journal, session_id: str, card_id: str = "cust-1", mch_id: str = MCH) -> None:
    j.open_card_page(
        mch_id=mch_id,
        session_id=session_id,
        card_id=card_id,
        customer_label="Ada",
        operator="jack",
        now=T0,
    )


def test_a_version_3_file_gains_card_pages_and_keeps_its_vault(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:3]:
        for statement in migration:
            raw.execute(statement)
    raw.execute("PRAGMA user_version = 3")
    raw.execute(
        "INSERT INTO vault_cards (mch_id, card_id, customer_label, card_num, via, added_by, "
        "added_at) VALUES (?, 'old-card', 'Grace', '555555******4444', 'hosted', 'jack', "
        "'2024-01-01T00:00:00.000000Z')",
        (MCH,),
    )
    raw.close()
    with Journal(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        assert [c.card_id for c in j.list_vault_cards(MCH)] == ["old-card"]
        assert j.open_card_pages(MCH) == []
        _open(j, "s1")
        assert [p.session_id for p in j.open_card_pages(MCH)] == ["s1"]


def test_a_page_is_open_until_ended_once(journal: Journal) -> None:
    _open(journal, "s1", "card-a")
    _open(journal, "s2", "card-b")
    _open(journal, "s3", "card-c", mch_id="another")
    (first, _) = journal.open_card_pages(MCH)
    assert (first.session_id, first.card_id, first.customer_label) == ("s1", "card-a", "Ada")
    assert (first.started_by, first.started_at, first.outcome) == ("jack", T0, None)
    assert [p.session_id for p in journal.open_card_pages("another")] == ["s3"]

    later = T0 + timedelta(minutes=3)
    ended = journal.end_card_page(
        "s1", "cancelled", operator="jack", event="card_add_cancelled", now=later
    )
    assert ended is not None
    assert (ended.outcome, ended.ended_at) == ("cancelled", later)
    # Ending it again changes nothing and writes nothing.
    again = journal.end_card_page("s1", "added", operator="jack", event="card_added", now=later)
    assert again == ended
    assert journal.end_card_page("nope", "added", operator="jack") is None
    assert [p.session_id for p in journal.open_card_pages(MCH)] == ["s2"]
    events = [e.event for e in reversed(journal.audit_page(100))]
    assert events == [
        "card_add_started",
        "card_add_started",
        "card_add_started",
        "card_add_cancelled",
    ]
    cancelled = journal.audit_page(1)[0]
    assert cancelled.detail == {"card_id": "card-a", "session_id": "s1"}
    with pytest.raises(ValueError, match="outcome"):
        journal.end_card_page("s2", "maybe", operator="jack")


def test_pages_are_never_deleted_and_hold_no_card_number(journal: Journal) -> None:
    journal.open_card_page(
        mch_id=MCH,
        session_id="s1",
        card_id="c1",
        customer_label="Ada 4242424242424242",
        operator="jack",
        now=T0,
    )
    (page,) = journal.open_card_pages(MCH)
    assert "4242424242424242" not in page.customer_label
    raw = sqlite3.connect(journal.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            raw.execute("DELETE FROM card_pages")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            raw.execute(
                "INSERT INTO card_pages (mch_id, session_id, card_id, customer_label, "
                "started_by, started_at) VALUES ('m', 's9', 'c', '4242424242424242', 'j', 't')"
            )
    finally:
        raw.close()


def test_a_page_closed_on_screen_stays_open_until_ended(journal: Journal) -> None:
    _open(journal, "s1", "card-a")
    later = T0 + timedelta(minutes=2)
    closed = journal.close_card_page("s1", operator="jack", now=later)
    assert closed is not None
    assert (closed.closed_at, closed.outcome) == (later, None)
    # Closed twice (a second click): noted and audited once.
    again = journal.close_card_page("s1", operator="jack", now=later + timedelta(seconds=1))
    assert again == closed
    assert [p.session_id for p in journal.open_card_pages(MCH)] == ["s1"]
    assert journal.close_card_page("nope", operator="jack") is None
    ended = journal.end_card_page("s1", "cancelled", operator="jack", now=later)
    assert ended is not None
    assert ended.outcome == "cancelled"
    assert journal.close_card_page("s1", operator="jack") == ended  # ended: unchanged
    events = [e.event for e in reversed(journal.audit_page(100))]
    assert events == ["card_add_started", "card_add_cancelled"]

"""copy_ledger(): every row of a journal file or ledger into another ledger (SQLite or
PostgreSQL), once, with new ids, natural keys matched, the database's invariants in
force, a count check, and nothing written to the source."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update

from iotpay_desk import ledger
from iotpay_desk.api.models import Order
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.journal.schema import MIGRATIONS
from iotpay_desk.ledger.books import Books
from iotpay_desk.ledger.copy import TABLES, copy_between, copy_ledger, ledger_id
from iotpay_desk.ledger.errors import CopyConflict, CopyCountMismatch
from iotpay_desk.ledger.schema import metadata
from tests.journal.test_no_card_runs import NOT_LUHN, _v5_file

MCH = "10000701"
AT = "2025-03-01T12:00:00.000000Z"
LATER = "2025-03-02T12:00:00.000000Z"
# Columns revision 0002 added (not in a journal file; leases are never copied).
_NOT_COMPARED = {"id", "lease_owner", "lease_desk", "lease_until"}


def pay(tag: str, i: int, kind: str = "P") -> str:
    """An IOTPay payment id: letters, then digits (not card-like)."""
    return f"PC{kind}{tag}{i:020d}"


def journal_file(path: Path, version: int, *, tag: str = "a", rows: int = 1) -> dict[str, int]:
    """A journal file as a desk of ``version`` (1..6) left it, with ``rows`` sets of rows
    in every table it has: a refund that succeeded, a void still being checked, a charge
    on file (v2+), audit rows with and without an action, a look-up (v2+), a vault card
    (v3+), an add-card page (v4+), a notification (v5+). Returns the rows per table."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for statements in MIGRATIONS[:version]:
        for statement in statements:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    db.execute("BEGIN")
    actions = []
    for i in range(rows):
        actions.append(("refund", pay(tag, i), f"R{tag}{i:012d}", 500, "succeeded", AT))
        actions.append(("void", pay(tag, i, "V"), f"V{tag}{i:012d}", None, "checking", AT))
        if version >= 2:
            actions.append(("charge_token", None, f"T{tag}{i:012d}", 1250, "failed", AT))
    db.executemany(
        "INSERT INTO actions (kind, mch_id, target_pay_order_id, mch_no, amount_cents, "
        "operator, reason, state, created_at, updated_at) "
        f"VALUES (?, '{MCH}', ?, ?, ?, 'jack', 'Returned', ?, ?, ?)",
        [(*a, a[-1]) for a in actions],
    )
    if version >= 2:
        db.execute("UPDATE actions SET card_id = 'card-' || id WHERE kind = 'charge_token'")
    ids = [r[0] for r in db.execute("SELECT id FROM actions ORDER BY id")]
    db.executemany(
        "INSERT INTO audit (at, operator, action_id, event, detail) VALUES (?, 'jack', ?, ?, ?)",
        [(AT, i, "intent", f'{{"n": {i}}}') for i in ids]
        + [(AT, None, "settings_changed", f'{{"i": {i}}}') for i in range(rows)],
    )
    counts = {"actions": len(ids), "audit": len(ids) + rows}
    if version >= 2:
        db.executemany(
            "INSERT INTO lookups (at, mch_id, query, pay_order_id) VALUES (?, ?, ?, ?)",
            [(AT, MCH, pay(tag, i), pay(tag, i)) for i in range(rows)],
        )
        counts["lookups"] = rows
    if version >= 3:
        db.executemany(
            "INSERT INTO vault_cards (mch_id, card_id, customer_label, card_num, via, "
            "added_by, added_at) VALUES (?, ?, ?, '424242******4242', 'hosted', 'jack', ?)",
            [(MCH, f"card{tag}{i}", f"Customer {tag}{i}", AT) for i in range(rows)],
        )
        counts["vault_cards"] = rows
    if version >= 4:
        db.executemany(
            "INSERT INTO card_pages (mch_id, session_id, card_id, started_by, started_at) "
            "VALUES (?, ?, ?, 'jack', ?)",
            [(MCH, f"session{tag}{i}", f"page-card{tag}{i}", AT) for i in range(rows)],
        )
        counts["card_pages"] = rows
    if version >= 5:
        db.executemany(
            "INSERT INTO notifications (mch_id, pay_order_id, mch_order_no, status, "
            "amount_cents, first_at, last_at) VALUES (?, ?, ?, 2, 1250, ?, ?)",
            [(MCH, pay(tag, i), f"order-{tag}{i}", AT, AT) for i in range(rows)],
        )
        counts["notifications"] = rows
    db.execute("COMMIT")
    db.close()
    return counts


def sqlite_engine(path: Path) -> Engine:
    return ledger.open_engine(ledger.sqlite_url(path))


def content(engine: Engine, table: str) -> Counter[tuple[Any, ...]]:
    """A table's rows without ids (an audit row names its action by merchant and number)."""
    t = metadata.tables[table]
    columns = [c for c in t.c if c.name not in _NOT_COMPARED]
    with engine.connect() as conn:
        numbers = dict(
            conn.execute(
                select(
                    metadata.tables["actions"].c.id,
                    metadata.tables["actions"].c.mch_no,
                )
            ).all()
        )
        rows = conn.execute(select(*columns)).all()
    out: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        values = dict(row._mapping)
        if table == "audit":
            values["action_id"] = numbers.get(values["action_id"])
        out[tuple(values.values())] += 1
    return out


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(select(func.count()).select_from(metadata.tables[t])).scalar_one())
            for t in (*TABLES, "copied_rows")
        }


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def book_orders(engine: Engine, tag: str = "a", rows: int = 3) -> None:
    """Orders in the books of a ledger at head: a payment per set, a refund of it."""
    books = Books(engine, clock=lambda: datetime(2025, 3, 1, 12, tzinfo=UTC))
    for i in range(rows):
        books.record(
            Order(pay_order_id=pay(tag, i), mch_id=MCH, amount=900, refundable=400, status=2),
            source="desk",
            confirmed=True,
            operator="jack",
            desk="front",
        )
        books.record(
            Order(
                pay_order_id=pay(tag, i, "R"),
                mch_id=MCH,
                original_order_id=pay(tag, i),
                amount=500,
                pay_type="refund",
                status=3,
            ),
            source="notify",
            confirmed=False,
        )


@pytest.fixture
def source(tmp_path: Path) -> Engine:
    """A version 6 journal file with three sets of rows, migrated to head, and orders in
    its books."""
    path = tmp_path / "profile-a.sqlite3"
    journal_file(path, 6, rows=3)
    engine = sqlite_engine(path)
    ledger.migrate(engine)
    book_orders(engine)
    # A closed day (no orders), a bank deposit and its match to that day.
    ledger.LedgerJournal(engine).days.close_day(
        MCH, date(2025, 2, 20), time(21, 0), ZoneInfo("America/Toronto"), operator="amy", desk="a"
    )
    _match(engine, _deposit(engine, "FIT-0", 700, "2025-02-21"), "2025-02-20", 0)
    return engine


def _journal(engine: Engine) -> ledger.LedgerJournal:
    return ledger.LedgerJournal(engine)


# ------------------------------------------------------------------------ the copy


def test_every_row_is_copied_once_with_new_ids(source: Engine, backend: Engine) -> None:
    # The target holds rows of its own: the copied ones get other ids.
    j = _journal(backend)
    mine = j.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no="Rtarget000001",
        operator="jill",
        target_pay_order_id="PCtarget1",
        amount_cents=100,
    )
    j.record_lookup(MCH, "PCtarget1", "PCtarget1")
    before = {t: content(backend, t) for t in TABLES}
    seen: list[tuple[str, int, int]] = []

    report = copy_ledger(source, backend, batch=4, progress=lambda *a: seen.append(a))

    assert report.ok
    assert report.source_id == ledger_id(source)
    for t in TABLES:
        assert content(backend, t) == before[t] + content(source, t), t
        figures = report.tables[t]
        assert figures.source_rows == figures.recorded == figures.inserted == counts(source)[t]
    # Progress: over all tables, after each batch, ending at the total.
    total = sum(counts(source)[t] for t in TABLES)
    assert seen[-1] == (TABLES[-1], total, total)
    assert [s[1] for s in seen] == sorted(s[1] for s in seen)
    assert {s[0] for s in seen} == set(TABLES)
    # The target's own rows are untouched; an audit row follows its action's new id.
    assert j.get_action(mine.id) == mine
    copied = j.find_action(MCH, "Ra000000000000")
    assert copied is not None
    assert copied.id != 1
    assert [e.event for e in j.audit_for_action(copied.id)] == ["intent"]
    # The void being checked is copied as it was: unresolved, no lease.
    assert {a.mch_no for a in j.open_actions(MCH)} == {
        "Rtarget000001",
        "Va000000000000",
        "Va000000000001",
        "Va000000000002",
    }


def test_a_second_copy_copies_nothing(source: Engine, backend: Engine) -> None:
    copy_ledger(source, backend, batch=5)
    before = {t: content(backend, t) for t in (*TABLES, "copied_rows")}
    again = copy_ledger(source, backend, batch=5)
    assert again.ok
    for t in TABLES:
        figures = again.tables[t]
        assert (figures.inserted, figures.mapped) == (0, 0)
        assert figures.already == figures.source_rows == figures.recorded
    assert {t: content(backend, t) for t in (*TABLES, "copied_rows")} == before


def test_the_source_is_never_written(source: Engine, backend: Engine) -> None:
    path = Path(str(source.url.database))
    source.dispose()
    digest = file_hash(path)
    copy_ledger(source, backend)
    copy_ledger(source, backend)
    source.dispose()
    assert file_hash(path) == digest


def test_a_ledger_is_not_copied_into_itself(backend: Engine) -> None:
    with pytest.raises(ledger.LedgerError, match="the same ledger"):
        copy_ledger(backend, backend)


def test_both_ledgers_must_be_migrated_first(tmp_path: Path, backend: Engine) -> None:
    path = tmp_path / "v4.sqlite3"
    journal_file(path, 4)
    old = sqlite_engine(path)
    with pytest.raises(ledger.LedgerError, match="migrate"):
        copy_ledger(old, backend)
    # copy_between migrates them.
    report = copy_between(old, backend)
    assert report.ok
    assert report.tables["actions"].inserted == 3


def test_texts_the_target_refuses_are_masked(tmp_path: Path, backend: Engine) -> None:
    """A v5 file may hold a card-like note; the target's triggers stay on: it is masked."""
    path = tmp_path / "v5.sqlite3"
    _v5_file(path)
    report = copy_between(sqlite_engine(path), backend)
    assert report.ok
    assert report.masked_texts == 1
    (action,) = _journal(backend).actions_page()
    assert NOT_LUHN not in action.note
    assert action.note.endswith("0123")


def test_audit_rows_name_their_merchant(tmp_path: Path, backend: Engine) -> None:
    # A v1 file: audit rows without an action get the file's one merchant at migration.
    path = tmp_path / "v1.sqlite3"
    journal_file(path, 1, rows=2)
    copy_between(sqlite_engine(path), backend)
    with backend.connect() as conn:
        rows = conn.execute(text("SELECT mch_id, action_id FROM audit")).all()
    assert len(rows) == 6
    assert {m for m, _ in rows} == {MCH}
    # A file whose only rows are audit rows names no merchant: the caller says which.
    bare = tmp_path / "bare.sqlite3"
    db = sqlite3.connect(bare)
    for statements in MIGRATIONS:
        for statement in statements:
            db.execute(statement)
    db.execute("PRAGMA user_version = 6")
    db.execute(f"INSERT INTO audit (at, operator, event) VALUES ('{AT}', 'jack', 'login')")
    db.commit()
    db.close()
    copy_between(sqlite_engine(bare), backend, merchant="10000999")
    with backend.connect() as conn:
        assert conn.execute(
            text("SELECT mch_id FROM audit WHERE event = 'login'")
        ).scalar_one() == ("10000999")


def test_a_count_mismatch_is_an_error(source: Engine, backend: Engine) -> None:
    copy_ledger(source, backend)
    # A record of a row the source does not have (and the target neither).
    with backend.begin() as conn:
        conn.execute(
            insert(metadata.tables["copied_rows"]).values(
                source=ledger_id(source), tbl="vault_cards", source_id=999, target_id=999
            )
        )
    with pytest.raises(CopyCountMismatch, match="vault_cards: 3 in the source, 4 copied") as e:
        copy_ledger(source, backend)
    assert e.value.counts == {"vault_cards": (3, 4)}


def test_a_row_added_to_the_source_since_is_copied_by_the_next_run(
    source: Engine, backend: Engine
) -> None:
    copy_ledger(source, backend)
    _journal(source).record_lookup(MCH, "PCnew", "PCnew")
    report = copy_ledger(source, backend)
    assert report.tables["lookups"].inserted == 1
    assert report.tables["lookups"].already == 3
    assert content(backend, "lookups") == content(source, "lookups")


# -------------------------------------------------------------------- natural keys


def _now() -> datetime:
    return datetime(2025, 3, 3, 12, tzinfo=UTC)


def test_an_action_already_in_the_target_is_matched_and_the_final_state_kept(
    tmp_path: Path, backend: Engine
) -> None:
    """The same file copied by other means into the target, then moved on on each side:
    a row per action, with the outcome that is final."""
    path = tmp_path / "profile-a.sqlite3"
    journal_file(path, 6, rows=1)
    src = sqlite_engine(path)
    ledger.migrate(src)
    # The target got the void (still checking) and the refund by another way.
    with src.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(metadata.tables["actions"]))]
    with backend.begin() as conn:
        for row in rows:
            row.pop("id")
            conn.execute(insert(metadata.tables["actions"]).values(row))
    # The source learns the void succeeded; the target's copy of the refund is final too.
    void = next(r for r in rows if r["kind"] == "void")
    src_journal = _journal(src)
    found = src_journal.find_action(MCH, void["mch_no"])
    assert found is not None
    src_journal.complete(
        found.id,
        ActionState.SUCCEEDED,
        order=Order(pay_order_id="RPvoid1", mch_id=MCH, status=3),
        now=_now(),
    )
    report = copy_ledger(src, backend)
    assert report.ok
    assert report.tables["actions"].mapped == 3
    assert report.tables["actions"].inserted == 0
    target = _journal(backend)
    assert len(target.actions_page()) == 3
    moved = target.find_action(MCH, void["mch_no"])
    assert moved is not None
    assert moved.state is ActionState.SUCCEEDED
    assert moved.pay_order_id == "RPvoid1"
    assert any("took the source's outcome (checking -> succeeded)" in n for n in report.notes)
    # Audit rows follow the matched action.
    assert [e.event for e in target.audit_for_action(moved.id)][:1] == ["intent"]


def test_a_final_action_in_the_target_is_not_moved_back(tmp_path: Path, backend: Engine) -> None:
    path = tmp_path / "profile-a.sqlite3"
    journal_file(path, 6, rows=1)
    src = sqlite_engine(path)
    ledger.migrate(src)
    with src.connect() as conn:
        void = dict(
            conn.execute(select(metadata.tables["actions"]).where(text("kind = 'void'")))
            .one()
            ._mapping
        )
    void.pop("id")
    void.update(state="failed", ret_msg="already settled")
    with backend.begin() as conn:
        conn.execute(insert(metadata.tables["actions"]).values(void))
    report = copy_ledger(src, backend)
    kept = _journal(backend).find_action(MCH, void["mch_no"])
    assert kept is not None
    assert kept.state is ActionState.FAILED
    assert any("kept the target's failed (source: checking)" in n for n in report.notes)


def test_one_number_for_two_different_requests_is_refused(tmp_path: Path, backend: Engine) -> None:
    path = tmp_path / "profile-a.sqlite3"
    journal_file(path, 6, rows=1)
    src = sqlite_engine(path)
    ledger.migrate(src)
    _journal(backend).create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no="Ra000000000000",
        operator="jill",
        target_pay_order_id=pay("a", 0),
        amount_cents=999,
    )
    with pytest.raises(ledger.LedgerError, match="asks for something else"):
        copy_ledger(src, backend)
    assert counts(backend)["copied_rows"] == 0


def _vault_source(tmp_path: Path, cards: list[dict[str, Any]]) -> Engine:
    path = tmp_path / "vault.sqlite3"
    journal_file(path, 3, rows=0)
    src = sqlite_engine(path)
    ledger.migrate(src)
    with src.begin() as conn:
        for card in cards:
            conn.execute(insert(metadata.tables["vault_cards"]).values(card))
    return src


def _card(card_id: str, **kw: Any) -> dict[str, Any]:
    base = {
        "mch_id": MCH,
        "card_id": card_id,
        "customer_label": f"Label {card_id}",
        "card_num": "424242******4242",
        "via": "hosted",
        "added_by": "jack",
        "added_at": AT,
        "refreshed_at": None,
        "removed_by": None,
        "removed_at": None,
    }
    return base | kw


def test_vault_cards_keep_the_latest_decision_and_never_come_back(
    tmp_path: Path, backend: Engine
) -> None:
    target_cards = [
        _card("both-live"),  # the source refreshed it later: its label wins
        _card("live-here-removed-there-after"),
        _card("live-here-removed-there-before", added_at=LATER),  # re-added here since
        _card("removed-here-live-there", removed_by="jill", removed_at=LATER),
        _card("removed-here-live-there-later", removed_by="jill", removed_at=AT),
    ]
    source_cards = [
        _card("both-live", customer_label="New label", refreshed_at=LATER),
        _card("live-here-removed-there-after", removed_by="jack", removed_at=LATER),
        _card("live-here-removed-there-before", removed_by="jack", removed_at=AT),
        _card("removed-here-live-there"),
        _card("removed-here-live-there-later", added_at=LATER),
        _card("only-there"),
    ]
    with backend.begin() as conn:
        conn.execute(insert(metadata.tables["vault_cards"]), target_cards)
    report = copy_ledger(_vault_source(tmp_path, source_cards), backend)
    assert report.ok
    assert report.tables["vault_cards"].mapped == 5
    assert report.tables["vault_cards"].inserted == 1
    j = _journal(backend)
    live = {c.card_id: c for c in j.list_vault_cards(MCH)}
    assert set(live) == {"both-live", "live-here-removed-there-before", "only-there"}
    assert live["both-live"].customer_label == "New label"
    with backend.connect() as conn:
        assert conn.execute(
            text(
                "SELECT removed_by, removed_at FROM vault_cards "
                "WHERE card_id = 'live-here-removed-there-after'"
            )
        ).one() == ("jack", LATER)
    # A card removed in the target never comes back by a copy, even added again later
    # in the source: the report says so, the operator imports it if it belongs.
    assert report.kept_removed == ["removed-here-live-there", "removed-here-live-there-later"]
    assert any("kept removed" in line for line in report.lines())


def test_card_pages_are_matched_by_session_and_end_as_the_source_did(
    tmp_path: Path, backend: Engine
) -> None:
    path = tmp_path / "pages.sqlite3"
    journal_file(path, 4, rows=2)
    src = sqlite_engine(path)
    ledger.migrate(src)
    with src.begin() as conn:
        conn.execute(
            update(metadata.tables["card_pages"])
            .where(text("session_id = 'sessiona0'"))
            .values(outcome="added", ended_at=LATER)
        )
    with backend.begin() as conn:
        conn.execute(
            insert(metadata.tables["card_pages"]).values(
                mch_id=MCH,
                session_id="sessiona0",
                card_id="page-carda0",
                started_by="jill",
                started_at=AT,
            )
        )
    report = copy_ledger(src, backend)
    assert (report.tables["card_pages"].mapped, report.tables["card_pages"].inserted) == (1, 1)
    pages = {p.session_id: p for p in _journal(backend).open_card_pages(MCH)}
    assert set(pages) == {"sessiona1"}
    with backend.connect() as conn:
        assert conn.execute(
            text(
                "SELECT outcome, ended_at, started_by FROM card_pages "
                "WHERE session_id = 'sessiona0'"
            )
        ).one() == ("added", LATER, "jill")


def test_notifications_of_one_order_and_status_are_merged(source: Engine, backend: Engine) -> None:
    with backend.begin() as conn:
        conn.execute(
            insert(metadata.tables["notifications"]).values(
                mch_id=MCH,
                pay_order_id=pay("a", 1),
                mch_order_no="order-a1",
                status=2,
                amount_cents=1250,
                first_at=LATER,
                last_at=LATER,
                times=2,
            )
        )
    report = copy_ledger(source, backend)
    assert (report.tables["notifications"].mapped, report.tables["notifications"].inserted) == (
        1,
        2,
    )
    with backend.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT pay_order_id, times, first_at, last_at FROM notifications "
                "ORDER BY pay_order_id"
            )
        ).all()
    assert rows == [
        (pay("a", 0), 1, AT, AT),
        (pay("a", 1), 3, AT, LATER),
        (pay("a", 2), 1, AT, AT),
    ]
    # Copied again: nothing summed twice.
    copy_ledger(source, backend)
    with backend.connect() as conn:
        assert conn.execute(text("SELECT sum(times) FROM notifications")).scalar_one() == 5


def test_orders_of_one_iotpay_order_are_merged(source: Engine, backend: Engine) -> None:
    """The target saw the first payment only notified, with no one's name: it takes the
    source's confirmed status and refunded amount and who made it; its own first sighting
    stays."""
    books = Books(backend, clock=lambda: datetime(2025, 2, 28, 12, tzinfo=UTC))
    mine = books.record(
        Order(pay_order_id=pay("a", 0), mch_id=MCH, amount=900, status=3),
        source="notify",
        confirmed=False,
        note="seen here first",
    )
    report = copy_ledger(source, backend)
    figures = report.tables["orders"]
    assert (figures.mapped, figures.inserted) == (1, 5)
    merged = books.get(MCH, pay("a", 0))
    assert merged is not None
    assert merged.id == mine.id
    assert merged.status == 2  # the source's confirmed answer is the later truth
    assert merged.refunded_cents == 500
    assert (merged.operator, merged.desk, merged.note) == ("jack", "front", "seen here first")
    assert merged.source == "notify"
    assert merged.first_seen_at == mine.first_seen_at
    assert merged.confirmed_at == datetime(2025, 3, 1, 12, tzinfo=UTC)
    # Copied again: nothing changes.
    before = content(backend, "orders")
    copy_ledger(source, backend)
    assert content(backend, "orders") == before
    assert len(books.page(MCH)) == 6


def _deposit(engine: Engine, ref: str, amount: int, posted: str) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(metadata.tables["bank_deposits"])
                .values(
                    mch_id=MCH, account="0001-12345", posted_on=posted, amount_cents=amount,
                    description="IOTPAY SETTLEMENT", ref=ref, source="ofx", imported_at=AT,
                )
                .returning(metadata.tables["bank_deposits"].c.id)
            ).scalar_one()
        )  # fmt: skip


def _match(engine: Engine, deposit_id: int, day: str, net: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(metadata.tables["deposit_matches"]).values(
                mch_id=MCH, deposit_id=deposit_id, business_day=day, day_net_cents=net,
                how="auto", matched_at=AT,
            )
        )  # fmt: skip


def test_closed_days_and_bank_deposits_are_copied_once(source: Engine, backend: Engine) -> None:
    """A day closed in the source comes with its orders as closed; a day closed in both
    keeps the target's close; deposits are one row per bank reference, and a match
    follows its deposit's new id (the target's match of a day is kept)."""
    tz = ZoneInfo("America/Toronto")
    cutoff = time(21, 0)
    there = ledger.LedgerJournal(source).days
    here = ledger.LedgerJournal(backend).days
    first = there.close_day(MCH, date(2025, 3, 1), cutoff, tz, operator="amy", desk="a")
    there.close_day(MCH, date(2025, 2, 27), cutoff, tz, operator="amy", desk="a")
    mine = here.close_day(MCH, date(2025, 2, 27), cutoff, tz, operator="bob", desk="b")
    d1 = _deposit(source, "FIT-1", 1000, "2025-03-03")
    d2 = _deposit(source, "FIT-2", 2000, "2025-03-04")
    _match(source, d1, "2025-03-01", 1000)
    _match(source, d2, "2025-03-02", 2000)
    _deposit(backend, "filler", 5, "2025-01-01")  # ids differ between the two ledgers
    theirs = _deposit(backend, "FIT-2", 2000, "2025-03-04")
    _match(backend, theirs, "2025-03-02", 2000)

    report = copy_ledger(source, backend)
    for table in ("day_closes", "bank_deposits", "deposit_matches"):
        # The fixture's own close, deposit and match, one more, and one the target had.
        assert (report.tables[table].inserted, report.tables[table].mapped) == (2, 1), table
    copied = here.get_close(MCH, date(2025, 3, 1))
    assert copied is not None
    assert (copied.operator, copied.figures, copied.digest) == (
        "amy",
        first.figures,
        first.digest,
    )
    assert here.changes_since_close(MCH, date(2025, 3, 1)) == []  # its orders came along
    assert here.get_close(MCH, date(2025, 2, 27)) == mine
    with backend.connect() as conn:
        pairs = conn.execute(
            text(
                "SELECT d.ref, m.business_day FROM deposit_matches m"
                " JOIN bank_deposits d ON d.id = m.deposit_id ORDER BY m.business_day"
            )
        ).all()
    assert [tuple(p) for p in pairs] == [
        ("FIT-0", "2025-02-20"),
        ("FIT-1", "2025-03-01"),
        ("FIT-2", "2025-03-02"),
    ]
    before = {t: content(backend, t) for t in ("day_closes", "day_close_orders", "bank_deposits")}
    copy_ledger(source, backend)
    assert {t: content(backend, t) for t in before} == before


# ------------------------------------------------------------------------ conflict


def test_two_unresolved_actions_on_one_payment_stop_the_copy(
    source: Engine, backend: Engine
) -> None:
    """The void of payment a1 is being checked in the source; the target has another
    unresolved refund of a1. The database allows one: the copy stops, naming both."""
    j = _journal(backend)
    mine = j.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no="Rtarget000001",
        operator="jill",
        target_pay_order_id=pay("a", 1, "V"),
        amount_cents=100,
    )
    with pytest.raises(CopyConflict) as raised:
        copy_ledger(source, backend, batch=2)
    conflict = raised.value
    assert (conflict.target_mch_no, conflict.source_mch_no) == ("Rtarget000001", "Va000000000001")
    assert conflict.pay_order_id == pay("a", 1, "V")
    assert "Rtarget000001" in str(conflict)
    assert "Va000000000001" in str(conflict)
    # Batches of two: (refund a0, void a0) and (charge a0, refund a1) are in; of the
    # third (void a1, charge a1) nothing, nor anything after it.
    with backend.connect() as conn:
        numbers = set(conn.execute(text("SELECT mch_no FROM actions")).scalars())
        recorded = conn.execute(text("SELECT tbl, count(*) FROM copied_rows GROUP BY tbl")).all()
    assert numbers == {
        "Rtarget000001",
        "Ra000000000000",
        "Va000000000000",
        "Ta000000000000",
        "Ra000000000001",
    }
    assert recorded == [("actions", 4)]
    # The way out: the target's refund is resolved (the desk checks it with IOTPay),
    # then the copy runs again and resumes.
    j.complete(
        mine.id,
        ActionState.SUCCEEDED,
        order=Order(pay_order_id="RPrefund1", mch_id=MCH, status=2),
        now=_now(),
    )
    report = copy_ledger(source, backend, batch=2)
    assert report.ok
    assert report.tables["actions"].already == 4
    assert report.tables["actions"].inserted == 5


def test_a_conflict_in_the_first_batch_commits_nothing(source: Engine, backend: Engine) -> None:
    _journal(backend).create_intent(
        kind=ActionKind.VOID,
        mch_id=MCH,
        mch_no="Vtarget000001",
        operator="jill",
        target_pay_order_id=pay("a", 2, "V"),
    )
    before = counts(backend)
    with pytest.raises(CopyConflict, match="Vtarget000001"):
        copy_ledger(source, backend)
    assert counts(backend) == before


def test_the_unique_index_still_holds_during_a_copy(source: Engine, backend: Engine) -> None:
    """No trigger or index is lifted: a second unresolved action on a copied payment is
    refused by the database itself."""
    copy_ledger(source, backend)
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), backend.begin() as conn:
        conn.execute(
            insert(metadata.tables["actions"]).values(
                kind="refund",
                mch_id=MCH,
                target_pay_order_id=pay("a", 0, "V"),
                mch_no="Rsneaky",
                amount_cents=1,
                operator="x",
                state="intent",
                created_at=AT,
                updated_at=AT,
            )
        )
    with pytest.raises(Exception, match="never deleted"), backend.begin() as conn:
        conn.execute(delete(metadata.tables["actions"]))


def test_two_copies_of_one_source_at_once_copy_each_row_once(
    source: Engine, backend: Engine
) -> None:
    """Two copies started together take turns batch by batch: both finish, each row once."""
    reports: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(copy_ledger(source, backend, batch=3))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert [r.ok for r in reports] == [True, True]
    for table in TABLES:
        assert content(backend, table) == content(source, table), table
        assert sum(r.tables[table].inserted for r in reports) == counts(source)[table]

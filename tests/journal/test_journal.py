"""The money journal on real SQLite files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from iotpay_desk.api.models import Order, OrderStatus
from iotpay_desk.journal import (
    SCHEMA_VERSION,
    Action,
    ActionKind,
    ActionState,
    Journal,
    JournalTooNew,
    OpenActionExists,
    TargetChanged,
    new_mch_no,
)
from iotpay_desk.journal.schema import MIGRATIONS

MCH = "10000701"
PAY = "PC20240101215009579871439079"
PAY2 = "PC20240101215009579871439080"
TEST_CARDS = ("4242424242424242", "5555555555554444", "4000000000000002", "4000000000000077")


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "profile" / "journal.sqlite3")
    yield j
    j.close()


def _refund(j: Journal, target: str = PAY, amount: int = 500, **kw: Any) -> Action:
    return j.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no=new_mch_no("R"),
        operator="jack",
        target_pay_order_id=target,
        amount_cents=amount,
        **kw,
    )


def _refund_order(mch_no: str, amount: int, status: int = OrderStatus.SUCCESS) -> Order:
    return Order(
        pay_order_id="RP20240102101010123456789012",
        mch_id=MCH,
        mch_order_no=mch_no,
        original_order_id=PAY,
        amount=amount,
        pay_type="refund",
        status=status,
        card_num="424242******4242",
        card_type="V",
        auth_num="A1B2C3",
        trans_num="T998877",
        pay_succ_time="2024-01-02 10:10:10",
    )


def test_new_file_is_wal_with_the_latest_schema(journal: Journal) -> None:
    assert journal.path.exists()
    assert journal.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    raw = sqlite3.connect(journal.path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"actions", "audit", "lookups"} <= tables
    finally:
        raw.close()
    # foreign keys are enforced on the journal's own connection
    with pytest.raises(sqlite3.IntegrityError):
        journal.append_audit("jack", "note", action_id=424242)


def test_a_version_1_file_is_migrated_forward_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 1")
    raw.execute(
        "INSERT INTO actions (kind, mch_id, target_pay_order_id, mch_no, amount_cents, "
        "operator, state, pay_order_id, status, created_at, updated_at) VALUES "
        "('refund', ?, ?, 'R231231235959AAAAAAAAAA', 1250, 'jack', 'succeeded', "
        "'RP20231231235959000000000001', 2, '2023-12-31T23:59:59.000000Z', "
        "'2023-12-31T23:59:59.500000Z')",
        (MCH, PAY),
    )
    raw.execute(
        "INSERT INTO audit (at, operator, action_id, event, detail) VALUES "
        "('2023-12-31T23:59:59.000000Z', 'jack', 1, 'intent', '{\"amount_cents\": 1250}')"
    )
    raw.close()

    with Journal(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        (old,) = j.actions_for_target(MCH, PAY)
        assert old.state is ActionState.SUCCEEDED
        assert old.amount_cents == 1250
        assert old.card_id is None
        assert old.subject == ""
        assert old.created_at == datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC)
        (entry,) = j.audit_for_action(old.id)
        assert entry.detail == {"amount_cents": 1250}
        # what version 2 added works on the migrated file
        j.record_lookup(MCH, PAY, PAY, "order-1")
        assert [lk.pay_order_id for lk in j.recent_lookups(MCH)] == [PAY]
        charge = j.create_intent(
            kind=ActionKind.CHARGE_TOKEN,
            mch_id=MCH,
            mch_no=new_mch_no("T"),
            operator="jack",
            amount_cents=1500,
            card_id="604567999",
            mch_user_id="cust-7",
            subject="Monthly box",
        )
        assert (charge.card_id, charge.mch_user_id, charge.subject) == (
            "604567999",
            "cust-7",
            "Monthly box",
        )
    # opening again is a no-op
    with Journal(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        assert len(j.actions_page()) == 2


def test_a_file_from_a_newer_desk_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("CREATE TABLE something_new (x)")
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    raw.close()
    with pytest.raises(JournalTooNew) as info:
        Journal(path)
    assert info.value.found == SCHEMA_VERSION + 7
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 7
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        assert names == {"something_new"}
    finally:
        raw.close()


def test_intent_then_answer_with_its_audit_trail(journal: Journal) -> None:
    t0 = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
    intent = journal.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no="R240102150000ABCDEFGHIJ",
        operator="jack",
        target_pay_order_id=PAY,
        amount_cents=1250,
        reason="damaged",
        note="box crushed",
        now=t0,
    )
    assert intent.state is ActionState.INTENT
    assert intent.is_open
    assert journal.find_action(MCH, "R240102150000ABCDEFGHIJ") == intent
    assert journal.open_actions() == [intent]

    done = journal.complete(
        intent.id,
        ActionState.SUCCEEDED,
        order=_refund_order(intent.mch_no, 1250),
        now=t0 + timedelta(seconds=2),
    )
    assert done.state is ActionState.SUCCEEDED
    assert done.pay_order_id == "RP20240102101010123456789012"
    assert (done.status, done.card_num, done.card_type) == (2, "424242******4242", "V")
    assert (done.auth_num, done.trans_num) == ("A1B2C3", "T998877")
    assert done.updated_at - done.created_at == timedelta(seconds=2)
    assert journal.open_actions() == []

    events = journal.audit_for_action(intent.id)
    assert [e.event for e in events] == ["intent", "answer"]
    assert events[0].detail["amount_cents"] == 1250
    assert events[0].detail["reason"] == "damaged"
    assert events[0].operator == "jack"
    assert events[1].detail["state"] == "succeeded"
    assert events[1].detail["pay_order_id"] == "RP20240102101010123456789012"


def test_one_unresolved_action_per_payment(journal: Journal) -> None:
    first = _refund(journal)
    with pytest.raises(OpenActionExists) as info:
        _refund(journal, amount=100)
    assert info.value.action.id == first.id
    with pytest.raises(OpenActionExists):
        journal.create_intent(
            kind=ActionKind.VOID,
            mch_id=MCH,
            mch_no=new_mch_no("V"),
            operator="mary",
            target_pay_order_id=PAY,
        )
    _refund(journal, target=PAY2)  # another payment is free
    checking = journal.mark_checking(first.id, why="timeout")
    assert checking.state is ActionState.CHECKING
    with pytest.raises(OpenActionExists):
        _refund(journal, amount=100)
    journal.complete(first.id, ActionState.NOT_RECEIVED)
    _refund(journal, amount=100)  # resolved: a new action may start


def test_the_database_itself_refuses_a_second_open_action(journal: Journal) -> None:
    _refund(journal)
    raw = sqlite3.connect(journal.path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO actions (kind, mch_id, target_pay_order_id, mch_no, operator, "
                "state, created_at, updated_at) VALUES ('void', ?, ?, 'V1', 'x', 'checking', "
                "'t', 't')",
                (MCH, PAY),
            )
    finally:
        raw.close()


def test_a_draft_sees_actions_made_after_it_was_opened(journal: Journal) -> None:
    basis = journal.latest_action_id(MCH, PAY)
    assert basis == 0
    failed = _refund(journal)
    journal.complete(failed.id, ActionState.FAILED, ret_msg="nope")
    # a failed action changed nothing: a draft opened before it may go on
    ok = _refund(journal, changed_since=basis)
    journal.complete(ok.id, ActionState.SUCCEEDED, order=_refund_order(ok.mch_no, 500))
    with pytest.raises(TargetChanged) as info:
        _refund(journal, changed_since=basis)
    assert info.value.action.id == ok.id
    _refund(journal, changed_since=journal.latest_action_id(MCH, PAY))


def test_a_draft_basis_leaves_out_actions_still_in_flight(journal: Journal) -> None:
    in_flight = _refund(journal)
    basis = journal.draft_basis(MCH, PAY)  # a form opened while it is in flight
    assert basis == in_flight.id - 1
    journal.complete(
        in_flight.id, ActionState.SUCCEEDED, order=_refund_order(in_flight.mch_no, 500)
    )
    with pytest.raises(TargetChanged) as info:
        _refund(journal, changed_since=basis)
    assert info.value.action.id == in_flight.id
    assert journal.draft_basis(MCH, PAY) == in_flight.id
    _refund(journal, changed_since=journal.draft_basis(MCH, PAY))


def test_final_states_are_final_and_late_answers_are_kept(journal: Journal) -> None:
    a = _refund(journal)
    journal.complete(a.id, ActionState.SUCCEEDED, order=_refund_order(a.mch_no, 500))
    again = journal.complete(a.id, ActionState.FAILED, ret_msg="late and wrong")
    assert again.state is ActionState.SUCCEEDED
    assert [e.event for e in journal.audit_for_action(again.id)] == [
        "intent",
        "answer",
        "late_answer",
    ]
    raw = sqlite3.connect(journal.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="final"):
            raw.execute("UPDATE actions SET state = 'checking' WHERE id = ?", (a.id,))
        with pytest.raises(sqlite3.IntegrityError, match="never changes"):
            raw.execute("UPDATE actions SET amount_cents = 1 WHERE id = ?", (a.id,))
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            raw.execute("DELETE FROM actions")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("UPDATE audit SET event = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM audit")
    finally:
        raw.close()


def test_not_received_is_corrected_when_the_order_turns_up(journal: Journal) -> None:
    a = _refund(journal)
    journal.mark_checking(a.id, why="timeout")
    gone = journal.complete(a.id, ActionState.NOT_RECEIVED, checked=True)
    assert gone.state is ActionState.NOT_RECEIVED
    assert gone.attempts == 1
    found = journal.complete(
        a.id,
        ActionState.SUCCEEDED,
        order=_refund_order(a.mch_no, 500),
        checked=True,
    )
    assert found.state is ActionState.SUCCEEDED
    assert found.attempts == 2
    last = journal.audit_for_action(a.id)[-1]
    assert last.detail["corrected_from"] == "not_received"


def test_checks_are_counted(journal: Journal) -> None:
    a = _refund(journal)
    journal.mark_checking(a.id, why="HTTP 500")
    for _ in range(3):
        journal.record_check(a.id, result="could not reach IOTPay")
    b = journal.get_action(a.id)
    assert b.attempts == 3
    assert b.state is ActionState.CHECKING
    assert [e.event for e in journal.audit_for_action(b.id)] == ["intent", "checking"] + [
        "check"
    ] * 3


def test_no_card_number_reaches_the_file(journal: Journal) -> None:
    spaced = "4242 4242 4242 4242"
    a = journal.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no=new_mch_no("R"),
        operator="jack",
        target_pay_order_id=PAY,
        amount_cents=100,
        reason=f"customer read out {spaced}",
        note="mc 5555-5555-5555-4444 cvv: 123, key=SECRETKEY12345 sign "
        "9F00BF7FDF5D2442B73F80E5B2F6B1C6",
        detail={"typed": ["4000000000000002", {"deep": "4000000000000077"}]},
    )
    assert "424242******4242" in a.reason
    assert spaced not in a.reason
    assert "555555******4444" in a.note
    assert "123" not in a.note
    assert "SECRETKEY12345" not in a.note
    assert "9F00BF7FDF5D2442B73F80E5B2F6B1C6" not in a.note
    journal.complete(
        a.id,
        ActionState.FAILED,
        ret_msg="card 4242424242424242 refused",
    )
    journal.append_audit("jack", "note", detail={"text": "4242424242424242"})
    journal.record_lookup(MCH, "4242424242424242", PAY, "order-1")
    # ids glued to letters are left alone
    assert journal.find_action(MCH, a.mch_no) is not None
    assert journal.recent_lookups(MCH)[0].pay_order_id == PAY
    journal.close()
    blob = b"".join(
        p.read_bytes() for p in journal.path.parent.iterdir() if p.name.startswith("journal")
    )
    assert PAY.encode() in blob  # the scan does see the file's text
    for number in TEST_CARDS:
        assert number.encode() not in blob, number
    for secret in (b"SECRETKEY12345", b"9F00BF7FDF5D2442B73F80E5B2F6B1C6", b"4242 4242"):
        assert secret not in blob


def test_audit_pages_newest_first(journal: Journal) -> None:
    a = _refund(journal)
    for i in range(249):
        journal.append_audit("jack", "note", action_id=a.id, detail={"i": i})
    seen: list[int] = []
    before: int | None = None
    while page := journal.audit_page(100, before):
        assert len(page) <= 100
        seen += [e.id for e in page]
        before = page[-1].id
    assert len(seen) == 250 == len(set(seen))
    assert seen == sorted(seen, reverse=True)
    assert journal.audit_page(1)[0].detail == {"i": 248}


def test_big_journal_queries_stay_fast_and_use_indexes(journal: Journal) -> None:
    raw = sqlite3.connect(journal.path, isolation_level=None)
    raw.execute("BEGIN")
    raw.executemany(
        "INSERT INTO actions (kind, mch_id, target_pay_order_id, mch_no, amount_cents, operator, "
        "state, created_at, updated_at) VALUES ('refund', ?, ?, ?, 100, 'jack', 'succeeded', "
        "'2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z')",
        [(MCH, f"PC2024010100000000000{i:07d}", f"R{i:022d}") for i in range(20_000)],
    )
    raw.executemany(
        "INSERT INTO audit (at, operator, action_id, event, detail) VALUES "
        "('2024-01-01T00:00:00.000000Z', 'jack', ?, 'answer', '{}')",
        [(i % 20_000 + 1,) for i in range(100_000)],
    )
    raw.execute("COMMIT")
    plans = {
        "target": "SELECT * FROM actions WHERE mch_id = 'x' AND target_pay_order_id = 'y'",
        "open": "SELECT * FROM actions WHERE state IN ('intent', 'checking')",
        "audit": "SELECT * FROM audit WHERE action_id = 5 ORDER BY id",
    }
    for name, sql in plans.items():
        plan = " ".join(str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql))
        assert "USING" in plan, (name, plan)
        assert "INDEX" in plan, (name, plan)
    raw.close()

    start = time.perf_counter()
    page = journal.audit_page(100, before_id=50_000)
    target = journal.actions_for_target(MCH, "PC20240101000000000000012345")
    open_now = journal.open_actions()
    trail = journal.audit_for_action(777)
    elapsed = time.perf_counter() - start
    assert len(page) == 100
    assert page[0].id == 49_999
    assert len(target) == 1
    assert open_now == []
    assert len(trail) == 5
    assert elapsed < 0.25, f"{elapsed:.3f} s"


def test_recent_lookups_are_capped_deduplicated_newest_first(journal: Journal) -> None:
    for i in range(8):
        journal.record_lookup(
            MCH, f"order-{i}", f"PC2024010100000000000000000{i}", f"order-{i}", keep=5
        )
    journal.record_lookup(MCH, " order-5 ", "PC20240101000000000000000005", "order-5", keep=5)
    journal.record_lookup("other", "x", "PC20240101000000000000000001", "x", keep=5)
    recent = journal.recent_lookups(MCH)
    assert [lk.mch_order_no for lk in recent] == [
        "order-5",
        "order-7",
        "order-6",
        "order-4",
        "order-3",
    ]
    assert recent[0].query == " order-5 "
    assert len(journal.recent_lookups(MCH, limit=2)) == 2
    assert [lk.query for lk in journal.recent_lookups("other")] == ["x"]


def test_generated_ids() -> None:
    t = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    ids = {new_mch_no("R", t) for _ in range(5000)}
    assert len(ids) == 5000
    for mch_no in list(ids)[:50]:
        assert len(mch_no) == 23 <= 30
        assert mch_no.startswith("R240102030405")
        assert mch_no.isalnum()
        assert mch_no.isupper()
    later = new_mch_no("R", t + timedelta(seconds=1))
    assert all(later > i for i in ids)
    toronto_evening = datetime.fromisoformat("2024-01-02T22:00:00-05:00")
    assert new_mch_no("V", toronto_evening).startswith("V240103030000")
    assert {k.id_prefix for k in ActionKind} == set("RVTWP")
    with pytest.raises(ValueError, match="prefix"):
        new_mch_no("X")


def test_concurrent_connections_create_one_open_action(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    journals = [Journal(path) for _ in range(8)]
    barrier = threading.Barrier(len(journals))
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(j: Journal) -> None:
        barrier.wait()
        try:
            _refund(j)
            result = "created"
        except OpenActionExists:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=race, args=(j,)) for j in journals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for j in journals:
        j.close()
    assert sorted(outcomes) == ["created"] + ["refused"] * 7
    with Journal(path) as j:
        assert len(j.open_actions()) == 1


_RACER = """
import sys, time
from iotpay_desk.journal import Journal, ActionKind, OpenActionExists, new_mch_no
j = Journal(sys.argv[1])
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
try:
    j.create_intent(kind=ActionKind.VOID, mch_id="10000701", mch_no=new_mch_no("V"),
                    operator="jack", target_pay_order_id=sys.argv[3])
    print("created")
except OpenActionExists:
    print("refused")
"""


def test_two_processes_cannot_both_open_an_action(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    start = time.time() + 1.5
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(path), str(start), PAY],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = sorted(p.communicate(timeout=30)[0].strip() for p in procs)
    assert results == ["created", "refused", "refused", "refused"]


_KILLED = """
import os, signal, sys
from iotpay_desk.journal import Journal, ActionKind, new_mch_no
j = Journal(sys.argv[1])
j.create_intent(kind=ActionKind.REFUND, mch_id="10000701", mch_no="R240101000000KILLEDXXXX",
                operator="jack", target_pay_order_id=sys.argv[2], amount_cents=700)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_an_intent_survives_the_process_being_killed(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    proc = subprocess.run([sys.executable, "-c", _KILLED, str(path), PAY], timeout=30)
    assert proc.returncode == -9
    with Journal(path) as j:
        (left,) = j.open_actions()
        assert (left.mch_no, left.amount_cents, left.state) == (
            "R240101000000KILLEDXXXX",
            700,
            ActionState.INTENT,
        )


def test_one_journal_is_safe_from_many_threads(journal: Journal) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                a = _refund(journal, target=f"PC2024010100000000000{n:03d}{i:04d}")
                journal.complete(a.id, ActionState.FAILED, ret_msg="x")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(journal.actions_page(1000)) == 120
    assert len(journal.audit_page(1000)) == 240

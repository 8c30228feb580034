"""Group commit on a SQLite ledger (iotpay_desk/ledger/groupcommit.py): writes made at the
same time share one transaction and one COMMIT, each in its own savepoint; a failing
write is undone alone and gets its own exception; no caller is answered before the
COMMIT that holds its write returned (checked from another connection, and by killing
writer processes with SIGKILL right after an answer).

Batches are made deterministic by holding the connection inside a write (the test's
``with gc.write()``) until the other writers are queued behind it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from iotpay_desk import ledger
from iotpay_desk.journal import ActionKind, JournalError, OpenActionExists
from iotpay_desk.journal.errors import LedgerUnavailable
from iotpay_desk.ledger.groupcommit import GroupCommit, LedgerBatchFailed, group_commit
from iotpay_desk.ledger.journal import LedgerJournal
from tests.journal.test_journal import MCH, PAY, PAY2, _refund

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ledger.metadata.tables["audit"]
AT = "2025-03-01T12:00:00.000000Z"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = ledger.open_engine(ledger.sqlite_url(tmp_path / "ledger.sqlite3"))
    ledger.migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def journal(engine: Engine) -> LedgerJournal:
    return LedgerJournal(engine)


def _committed(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """What another connection sees in the file: committed rows only."""
    raw = sqlite3.connect(path, timeout=10)
    try:
        return raw.execute(sql, args).fetchall()
    finally:
        raw.close()


def _until(predicate: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def _queued_behind(
    gc: GroupCommit, calls: list[Callable[[], Any]]
) -> tuple[list[threading.Thread], list[Any]]:
    """Start ``calls`` on threads while this thread holds the batch; each records what
    it returned or raised, and whether its row was committed when it was answered."""
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    _until(lambda: gc.waiting_writes == len(calls))
    return threads, results


def _join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(30)
        assert not t.is_alive()


def _answered_committed(journal: LedgerJournal, path: Path) -> Callable[..., Any]:
    """A refund whose row must already be committed when create_intent returns."""

    def call(target: str = PAY, **kw: Any) -> Any:
        action = _refund(journal, target, **kw)  # type: ignore[arg-type]
        seen = _committed(path, "SELECT state FROM actions WHERE id = ?", action.id)
        assert seen == [("intent",)], f"answered before its commit: {action.id}"
        return action

    return call


def test_a_failing_write_in_a_batch_fails_alone(journal: LedgerJournal, tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    taken = _refund(journal, "PC20240101215009579871439999")  # its mch_no is taken below
    gc = group_commit(journal.engine)
    before = gc.stats
    refund = _answered_committed(journal, path)

    def write_then_fail() -> None:
        with gc.write() as conn:
            conn.execute(
                insert(AUDIT).values(at=AT, operator="desk", event="half", detail="{}", mch_id=MCH)
            )
            raise ValueError("second thoughts")

    with gc.write() as conn:  # the batch's first write, holding the connection
        conn.execute(
            insert(AUDIT).values(at=AT, operator="desk", event="held", detail="{}", mch_id=MCH)
        )
        threads, results = _queued_behind(
            gc,
            [
                lambda: refund(PAY),
                lambda: refund(PAY),  # a second open action on the payment
                write_then_fail,  # wrote, then failed: undone alone
                lambda: journal.create_intent(  # its mch_no is UNIQUE in the database
                    kind=ActionKind.REFUND,
                    mch_id=MCH,
                    mch_no=taken.mch_no,
                    operator="jack",
                    target_pay_order_id=PAY2,
                    amount_cents=100,
                ),
                lambda: refund(PAY2, amount=700),
            ],
        )
        assert results == [None] * 5  # nobody is answered while the batch is open
    _join(threads)

    first, second, half, duplicate, other = results
    done = [r for r in (first, second) if not isinstance(r, Exception)]
    refused = [r for r in (first, second) if isinstance(r, OpenActionExists)]
    assert len(done) == 1, results
    assert len(refused) == 1, results
    assert refused[0].action.id == done[0].id  # told which action, written in this batch
    assert isinstance(half, ValueError)
    assert isinstance(duplicate, JournalError)
    assert not isinstance(duplicate, OpenActionExists)
    assert other.amount_cents == 700
    assert gc.stats.batches == before.batches + 1  # one COMMIT for the six writes
    assert gc.stats.writes == before.writes + 6

    rows = _committed(path, "SELECT id, target_pay_order_id FROM actions ORDER BY id")
    assert rows == [(taken.id, taken.target_pay_order_id), (done[0].id, PAY), (other.id, PAY2)]
    assert _committed(path, "SELECT count(*) FROM audit WHERE event = 'held'") == [(1,)]
    assert _committed(path, "SELECT count(*) FROM audit WHERE event = 'half'") == [(0,)]
    intents = _committed(path, "SELECT action_id FROM audit WHERE event = 'intent' ORDER BY id")
    assert intents == [(taken.id,), (done[0].id,), (other.id,)]  # no audit row of a failure


def test_the_first_write_failing_is_undone_alone(journal: LedgerJournal, tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    gc = group_commit(journal.engine)
    refund = _answered_committed(journal, path)
    with pytest.raises(ValueError, match="changed my mind"), gc.write() as conn:  # noqa: PT012
        conn.execute(
            insert(AUDIT).values(at=AT, operator="desk", event="held", detail="{}", mch_id=MCH)
        )
        threads, results = _queued_behind(gc, [lambda: refund(PAY), lambda: refund(PAY2)])
        raise ValueError("changed my mind")
    _join(threads)
    assert [r.target_pay_order_id for r in results] == [PAY, PAY2]
    assert _committed(path, "SELECT count(*) FROM audit WHERE event = 'held'") == [(0,)]
    assert len(_committed(path, "SELECT id FROM actions")) == 2


def test_a_commit_that_fails_fails_every_write_of_the_batch(
    journal: LedgerJournal, tmp_path: Path
) -> None:
    """SQLite checks deferred foreign keys at COMMIT: one bad write makes it fail, and then
    no write of the batch happened, so none may be answered as written."""
    path = tmp_path / "ledger.sqlite3"
    gc = group_commit(journal.engine)
    with pytest.raises(LedgerBatchFailed, match="FOREIGN KEY"), gc.write() as conn:  # noqa: PT012
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        conn.execute(
            insert(AUDIT).values(
                at=AT, operator="desk", event="orphan", detail="{}", mch_id=MCH, action_id=999
            )
        )
        threads, results = _queued_behind(gc, [lambda: _refund(journal, PAY)])
    _join(threads)
    assert isinstance(results[0], LedgerBatchFailed)
    assert "parameters" not in str(results[0])  # the driver's message, not the statement
    assert _committed(path, "SELECT count(*) FROM actions") == [(0,)]
    assert _committed(path, "SELECT count(*) FROM audit") == [(0,)]
    # The next write starts a new batch and is written.
    assert _refund(journal, PAY).target_pay_order_id == PAY


def test_a_lone_writer_commits_each_write_at_once(journal: LedgerJournal, tmp_path: Path) -> None:
    gc = group_commit(journal.engine)
    before = gc.stats
    for i in range(5):
        action = _refund(journal, f"PC2024010121500957987143900{i}")
        seen = _committed(
            tmp_path / "ledger.sqlite3", "SELECT id FROM actions WHERE id = ?", action.id
        )
        assert seen == [(action.id,)]
    assert gc.stats.batches - before.batches == gc.stats.writes - before.writes == 5


def test_a_write_inside_a_write_is_refused_not_a_deadlock(journal: LedgerJournal) -> None:
    with pytest.raises(RuntimeError, match="inside another write"), journal._write():
        _refund(journal, PAY)
    assert _refund(journal, PAY).target_pay_order_id == PAY  # the connection was given back


def test_concurrent_writers_share_commits(journal: LedgerJournal) -> None:
    gc = group_commit(journal.engine)
    before = gc.stats
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        barrier.wait()
        try:
            for i in range(25):
                _refund(journal, f"PC20240101215009{w:02d}{i:010d}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    _join(threads)
    assert not errors
    after = gc.stats
    assert after.writes - before.writes == 200
    assert after.batches - before.batches < 200  # some writes shared a COMMIT
    assert len(journal.open_actions(MCH)) == 200


def _blocked_leader(gc: GroupCommit) -> tuple[threading.Event, threading.Event, Any]:
    """A ``run()`` whose body holds the batch until released: (entered, release, body)."""
    entered, release = threading.Event(), threading.Event()

    def body(conn: Any) -> str:
        conn.execute(
            insert(AUDIT).values(at=AT, operator="desk", event="held", detail="{}", mch_id=MCH)
        )
        entered.set()
        assert release.wait(10)
        return "held"

    return entered, release, body


def test_bodies_handed_over_run_on_the_batch_thread_and_answer_after_commit(
    journal: LedgerJournal, tmp_path: Path
) -> None:
    """run(): the thread running the batch runs the bodies queued meanwhile, each in its
    savepoint; each caller gets its own result or exception, after the one COMMIT."""
    path = tmp_path / "ledger.sqlite3"
    gc = group_commit(journal.engine)
    before = gc.stats
    entered, release, hold = _blocked_leader(gc)
    ran_on: list[int] = []
    refund = _answered_committed(journal, path)

    def fails(conn: Any) -> None:
        ran_on.append(threading.get_ident())
        conn.execute(
            insert(AUDIT).values(at=AT, operator="desk", event="half", detail="{}", mch_id=MCH)
        )
        raise ValueError("second thoughts")

    def nested(conn: Any) -> None:
        _refund(journal, PAY2)  # a write inside a write: refused, not a deadlock

    leader_result: list[Any] = []
    leader = threading.Thread(target=lambda: leader_result.append(gc.run(hold)))
    leader.start()
    assert entered.wait(10)
    threads, results = _queued_behind(
        gc,
        [
            lambda: refund(PAY),
            lambda: gc.run(fails),
            lambda: gc.run(nested),
            lambda: gc.run(lambda conn: 42),
        ],
    )
    assert results == [None] * 4
    release.set()
    leader.join(10)
    _join(threads)

    done, failed, inner, plain = results
    assert leader_result == ["held"]
    assert done.target_pay_order_id == PAY
    assert isinstance(failed, ValueError)
    assert isinstance(inner, RuntimeError)
    assert "inside another write" in str(inner)
    assert plain == 42
    assert ran_on == [leader.ident]  # run by the thread holding the batch, not its caller
    assert gc.stats.batches == before.batches + 1  # all five in one COMMIT
    assert gc.stats.writes == before.writes + 5
    assert _committed(path, "SELECT count(*) FROM audit WHERE event = 'held'") == [(1,)]
    assert _committed(path, "SELECT count(*) FROM audit WHERE event = 'half'") == [(0,)]
    assert _committed(path, "SELECT target_pay_order_id FROM actions") == [(PAY,)]


def test_a_write_waiting_behind_handed_over_bodies_joins_their_batch(
    journal: LedgerJournal, tmp_path: Path
) -> None:
    """A ``write()`` waiting for the connection while bodies run: the batch is left open
    for it, and its COMMIT answers every body too."""
    path = tmp_path / "ledger.sqlite3"
    gc = group_commit(journal.engine)
    before = gc.stats
    entered, release, hold = _blocked_leader(gc)
    leader = threading.Thread(target=gc.run, args=(hold,))
    leader.start()
    assert entered.wait(10)

    def write_directly() -> str:
        with gc.write() as conn:
            conn.execute(
                insert(AUDIT).values(
                    at=AT, operator="desk", event="direct", detail="{}", mch_id=MCH
                )
            )
        return "direct"

    refund = _answered_committed(journal, path)
    threads, results = _queued_behind(gc, [write_directly, lambda: refund(PAY)])
    release.set()
    leader.join(10)
    _join(threads)
    assert results[0] == "direct"
    assert results[1].target_pay_order_id == PAY
    assert gc.stats.batches == before.batches + 1
    assert gc.stats.writes == before.writes + 3
    assert _committed(path, "SELECT count(*) FROM audit WHERE event IN ('held', 'direct')") == [
        (2,)
    ]


def test_a_batch_that_cannot_be_opened_fails_its_leader_alone(
    journal: LedgerJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger cannot be reached when a batch is opened: that body's caller is told
    (nothing of it written), and the bodies queued behind it try again on their own."""
    gc = group_commit(journal.engine)
    real_open = gc._open
    entered, release = threading.Event(), threading.Event()
    opens = 0

    def open_once_failing() -> Any:
        nonlocal opens
        opens += 1
        if opens == 1:
            entered.set()
            assert release.wait(10)
            raise LedgerUnavailable("ledger.sqlite3", "disk I/O error")
        return real_open()

    monkeypatch.setattr(gc, "_open", open_once_failing)
    first: list[Any] = []

    def lead() -> None:
        try:
            first.append(_refund(journal, PAY))
        except Exception as exc:
            first.append(exc)

    leader = threading.Thread(target=lead)
    leader.start()
    assert entered.wait(10)
    threads, results = [], [None, None]

    def later(i: int, target: str) -> None:
        results[i] = _refund(journal, target)

    for i, target in enumerate((PAY, PAY2)):
        threads.append(threading.Thread(target=later, args=(i, target)))
        threads[-1].start()
    _until(lambda: gc.waiting_writes == 3)
    release.set()
    leader.join(10)
    _join(threads)
    assert isinstance(first[0], LedgerUnavailable)
    assert [r.target_pay_order_id for r in results] == [PAY, PAY2]
    assert len(journal.open_actions(MCH)) == 2
    assert not gc._running
    assert not gc._queue


CHILD = textwrap.dedent(
    """
    import sys, threading
    from iotpay_desk import ledger
    from iotpay_desk.journal import ActionKind
    from iotpay_desk.ledger.journal import LedgerJournal

    path, writers = sys.argv[1], int(sys.argv[2])
    journal = LedgerJournal(ledger.open_engine(ledger.sqlite_url(path)))
    out = threading.Lock()

    def write(w):
        for i in range(100000):
            action = journal.create_intent(
                kind=ActionKind.REFUND, mch_id="10000701", mch_no=f"R{w:03d}{i:09d}",
                operator="jack", target_pay_order_id=f"PC{w:03d}{i:023d}", amount_cents=500,
            )
            with out:  # answered: the caller may go on (and tell the world) now
                sys.stdout.write(f"{action.id}\\n")
                sys.stdout.flush()

    for w in range(writers):
        threading.Thread(target=write, args=(w,), daemon=True).start()
    threading.Event().wait()
    """
)


@pytest.mark.parametrize("writers", [1, 8])
def test_a_writer_killed_right_after_an_answer_kept_it(tmp_path: Path, writers: int) -> None:
    """SIGKILL right after answers came out: every answered intent is in the file, and
    what the killed batch had not committed is wholly absent (each intent with its audit
    row, or neither)."""
    path = tmp_path / "ledger.sqlite3"
    engine = ledger.open_engine(ledger.sqlite_url(path))
    ledger.migrate(engine)
    engine.dispose()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(writers)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    answered: list[int] = []
    try:
        while len(answered) < 300:
            line = child.stdout.readline()
            assert line, "the writer process ended"
            answered.append(int(line))
        os.kill(child.pid, signal.SIGKILL)  # at once: the writers are mid-batch
    finally:
        child.kill()
        child.wait(30)
        child.stdout.close()

    assert _committed(path, "PRAGMA integrity_check") == [("ok",)]
    present = {r[0] for r in _committed(path, "SELECT id FROM actions")}
    assert set(answered) <= present, sorted(set(answered) - present)[:10]
    audited = {r[0] for r in _committed(path, "SELECT action_id FROM audit WHERE event = 'intent'")}
    assert audited == present  # no write half there
    assert present == set(range(1, len(present) + 1))  # no batch's hole in the middle

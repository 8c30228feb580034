"""merge_journal_files(): a merchant's per-profile journal files (every version the desk
shipped) merged into the merchant's ledger once, on SQLite and PostgreSQL; a kill in the
middle finished by the next start with nothing twice; a conflict stops it at that file."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from iotpay_desk import ledger
from iotpay_desk.journal import ActionState
from iotpay_desk.ledger.copy import TABLES, copy_ledger, ledger_id, merge_journal_files
from iotpay_desk.ledger.errors import CopyConflict
from tests.ledger.test_copy import AT, MCH, content, counts, journal_file, pay, sqlite_engine

ROOT = Path(__file__).resolve().parents[2]


def _migrated_copy(path: Path, tmp: Path) -> Engine:
    """What the file holds once migrated, from a copy of it (the file itself is left)."""
    twin = tmp / f"twin-{path.name}"
    twin.write_bytes(path.read_bytes())
    engine = sqlite_engine(twin)
    ledger.migrate(engine)
    return engine


def _merged(path: Path) -> Path:
    return path.with_name(path.name + ".merged")


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5, 6])
def test_a_journal_file_of_every_version_is_merged_once(
    tmp_path: Path, backend: Engine, version: int
) -> None:
    path = tmp_path / "profiles" / "a" / "journal.sqlite3"
    path.parent.mkdir(parents=True)
    expected = journal_file(path, version, rows=2)
    twin = _migrated_copy(path, tmp_path)

    (report,) = merge_journal_files(backend, [path])

    assert report.ok
    assert report.merchants == (MCH,)
    for table in TABLES:
        assert report.tables[table].inserted == expected.get(table, 0), table
        assert content(backend, table) == content(twin, table), table
    # The file is kept beside, as a backup, and opens as a ledger; nothing is left to merge.
    assert not path.exists()
    assert _merged(path).is_file()
    # (and, from its migration, the file as it was before: journal.before-journal-vN)
    assert sorted(p.name for p in path.parent.iterdir()) == [
        f"journal.before-journal-v{version}.sqlite3",
        "journal.sqlite3.merged",
    ]
    before = path.parent / f"journal.before-journal-v{version}.sqlite3"
    with contextlib.closing(sqlite3.connect(before)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (version,)
    backup = sqlite_engine(_merged(path))
    assert ledger_id(backup) == report.source_id
    assert counts(backup) | {"copied_rows": 0} == counts(twin) | {"copied_rows": 0}
    backup.dispose()
    # The audit trail names the merchant, all of it.
    with backend.connect() as conn:
        assert set(conn.execute(text("SELECT mch_id FROM audit")).scalars()) == {MCH}
    # A later start: nothing to merge, nothing changes.
    before = counts(backend)
    assert merge_journal_files(backend, [path]) == []
    assert counts(backend) == before


def test_two_profiles_of_one_merchant_share_one_ledger(tmp_path: Path, backend: Engine) -> None:
    one, two = tmp_path / "one.sqlite3", tmp_path / "two.sqlite3"
    first = journal_file(one, 3, tag="a", rows=3)
    second = journal_file(two, 6, tag="b", rows=2)
    twins = [_migrated_copy(one, tmp_path), _migrated_copy(two, tmp_path)]

    reports = merge_journal_files(backend, [one, two])

    assert [r.ok for r in reports] == [True, True]
    totals = counts(backend)
    for table in TABLES:
        assert totals[table] == first.get(table, 0) + second.get(table, 0), table
        assert content(backend, table) == content(twins[0], table) + content(twins[1], table)
    assert totals["copied_rows"] == sum(first.values()) + sum(second.values())
    with backend.connect() as conn:
        assert set(conn.execute(text("SELECT mch_id FROM audit")).scalars()) == {MCH}
        # Each profile's audit rows point at its own actions, by their new ids.
        pairs = conn.execute(
            text("SELECT a.mch_no FROM audit u JOIN actions a ON a.id = u.action_id")
        ).scalars()
        assert Counter(n[1] for n in pairs) == {"a": 9, "b": 6}
    assert not one.exists()
    assert not two.exists()


def test_two_profiles_notified_of_one_payment_keep_one_row(tmp_path: Path, backend: Engine) -> None:
    one, two = tmp_path / "one.sqlite3", tmp_path / "two.sqlite3"
    journal_file(one, 5, tag="a", rows=1)
    journal_file(two, 6, tag="b", rows=1)
    db = sqlite3.connect(two)
    db.execute(
        "INSERT INTO notifications (mch_id, pay_order_id, mch_order_no, status, amount_cents, "
        "first_at, last_at, times) VALUES (?, ?, 'order-a0', 2, 1250, ?, ?, 3)",
        (MCH, pay("a", 0), "2025-02-01T00:00:00.000000Z", "2025-03-05T00:00:00.000000Z"),
    )
    db.commit()
    db.close()
    reports = merge_journal_files(backend, [one, two])
    assert reports[1].tables["notifications"].mapped == 1
    with backend.connect() as conn:
        rows = conn.execute(
            text("SELECT pay_order_id, times, first_at, last_at FROM notifications ORDER BY 1")
        ).all()
    assert rows == [
        (pay("a", 0), 4, "2025-02-01T00:00:00.000000Z", "2025-03-05T00:00:00.000000Z"),
        (pay("b", 0), 1, AT, AT),
    ]


def test_a_merge_stopped_after_the_copy_is_finished_without_duplicates(
    tmp_path: Path, backend: Engine
) -> None:
    """The desk died after copying, before renaming the file: the next start copies
    nothing again and sets the file aside."""
    path = tmp_path / "journal.sqlite3"
    journal_file(path, 4, rows=2)
    source = sqlite_engine(path)
    ledger.migrate(source)
    copy_ledger(source, backend)
    source.dispose()
    before = {t: content(backend, t) for t in (*TABLES, "copied_rows")}
    (report,) = merge_journal_files(backend, [path])
    assert report.ok
    assert report.copied == 0
    assert {t: content(backend, t) for t in (*TABLES, "copied_rows")} == before
    assert _merged(path).is_file()


_MERGER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from iotpay_desk import ledger
    from iotpay_desk.ledger.copy import merge_journal_files

    def progress(table, done, total):
        print(table, done, total, flush=True)

    target = ledger.open_engine(sys.argv[1])
    merge_journal_files(target, [Path(sys.argv[2])], progress=progress, batch=100)
    print("merged", flush=True)
    """
)


def test_a_merge_killed_mid_copy_is_finished_by_the_next_start(
    tmp_path: Path, backend: Engine
) -> None:
    path = tmp_path / "journal.sqlite3"
    expected = journal_file(path, 6, rows=500)  # 5,500 rows
    total = sum(expected.values())
    twin = _migrated_copy(path, tmp_path)
    url = backend.url.render_as_string(hide_password=False)
    proc = subprocess.Popen(
        [sys.executable, "-c", _MERGER, url, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[str] = []
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            seen.append(line)
            table, done, _ = line.split()
            if table == "audit" and int(done) >= 2000:
                proc.kill()  # SIGKILL, in the middle of the audit rows
                break
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == -9, (seen[-3:], err)
    assert "merged" not in "".join(seen)
    assert path.is_file()  # not set aside: not merged yet
    with backend.connect() as conn:
        copied = conn.execute(text("SELECT count(*) FROM copied_rows")).scalar_one()
        assert copied == conn.execute(text("SELECT count(*) FROM audit")).scalar_one() + (
            conn.execute(text("SELECT count(*) FROM actions")).scalar_one()
        )
    assert 2000 <= copied < total

    (report,) = merge_journal_files(backend, [path], batch=500)

    assert report.ok
    # A journal file has no books, closed days or bank deposits.
    no_books = dict.fromkeys(("orders", "day_closes", "bank_deposits", "deposit_matches"), 0)
    assert counts(backend) == {**expected, **no_books, "copied_rows": total}
    for table in TABLES:
        assert content(backend, table) == content(twin, table), table
        figures = report.tables[table]
        assert figures.already + figures.inserted == figures.source_rows == expected.get(table, 0)
    assert report.tables["audit"].already > 0
    assert _merged(path).is_file()
    assert not path.exists()


def _open_refund(path: Path, target_pay: str, mch_no: str) -> None:
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO actions (kind, mch_id, target_pay_order_id, mch_no, amount_cents, "
        "operator, state, created_at, updated_at) VALUES "
        "('refund', ?, ?, ?, 100, 'jill', 'intent', ?, ?)",
        (MCH, target_pay, mch_no, AT, AT),
    )
    db.commit()
    db.close()


def test_two_profiles_acting_on_one_payment_stop_the_merge_at_that_file(
    tmp_path: Path, backend: Engine
) -> None:
    """Profile one is checking a void of a0; profile two wrote a refund intent on it.
    The ledger allows one unresolved action per payment: the merge stops at file two,
    naming both; once profile two's refund is resolved, the merge finishes."""
    one, two = tmp_path / "one.sqlite3", tmp_path / "two.sqlite3"
    journal_file(one, 6, tag="a", rows=1)
    journal_file(two, 6, tag="b", rows=2)
    _open_refund(two, pay("a", 0, "V"), "Rprofile2")
    with pytest.raises(CopyConflict) as raised:
        merge_journal_files(backend, [one, two], batch=2)
    assert (raised.value.target_mch_no, raised.value.source_mch_no) == (
        "Va000000000000",
        "Rprofile2",
    )
    assert _merged(one).is_file()
    assert two.is_file()
    # The way out: the desk on profile two's file checks the refund with IOTPay.
    source = sqlite_engine(two)
    ledger.migrate(source)
    j = ledger.LedgerJournal(source)
    refund = j.find_action(MCH, "Rprofile2")
    assert refund is not None
    j.complete(
        refund.id, ActionState.FAILED, ret_msg="declined", now=datetime(2025, 3, 3, tzinfo=UTC)
    )
    source.dispose()
    (report,) = merge_journal_files(backend, [one, two])
    assert report.ok
    assert report.tables["actions"].already == 6
    assert not two.exists()
    with backend.connect() as conn:
        states = {n: s for n, s in conn.execute(text("SELECT mch_no, state FROM actions"))}
    assert states["Rprofile2"] == "failed"
    assert states["Va000000000000"] == "checking"
    assert len(states) == 3 + 7


def test_a_file_in_use_is_merged_but_not_set_aside_until_it_is_free(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal_file(path, 6, rows=2)
    target = sqlite_engine(tmp_path / "ledger.sqlite3")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM actions").fetchone()  # holds a snapshot
    try:
        with pytest.raises(ledger.LedgerError, match="in use by another program"):
            merge_journal_files(target, [path])
        assert path.is_file()
        assert not _merged(path).exists()
    finally:
        reader.close()
    (report,) = merge_journal_files(target, [path])
    assert report.ok
    assert report.copied == 0
    assert report.tables["actions"].already == 6
    assert _merged(path).is_file()
    target.dispose()

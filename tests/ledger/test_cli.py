"""``iotpay-desk ledger check --sqlite PATH`` (run by the bundle's smoke check) and
``iotpay-desk ledger copy --from PROFILE|FILE --to URL|FILE`` (run as a real process)."""

from __future__ import annotations

import os
import pty
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from iotpay_desk import ledger
from iotpay_desk.__main__ import main
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.journal import ActionKind
from tests.journal.test_no_card_runs import _v5_file
from tests.ledger.test_copy import MCH, counts, journal_file, pay


def test_check_migrates_a_fresh_file_and_prints_its_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new" / "ledger.sqlite3"
    assert main(["ledger", "check", "--sqlite", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"ledger {path} at revision {ledger.head()}"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (ledger.head(),)
        ]
    # Again, on the file now at head: nothing to do, same answer.
    assert main(["ledger", "check", "--sqlite", str(path)]) == 0
    assert capsys.readouterr().out == out


def test_check_refuses_a_file_that_is_not_a_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER)")
    assert main(["ledger", "check", "--sqlite", str(path)]) == 1
    assert "holds no ledger (tables: photos)" in capsys.readouterr().err
    with sqlite3.connect(path) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == [("photos",)]


def test_check_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["ledger", "check"])
    assert info.value.code == 2
    assert "--sqlite" in capsys.readouterr().err


# ------------------------------------------------------------------ ledger copy

ROOT = Path(__file__).resolve().parents[2]
_COPY = [sys.executable, "-m", "iotpay_desk", "ledger", "copy"]


def _copy(
    *args: str, password: str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``python -m iotpay_desk ledger copy ARGS`` in a process of its own, with no
    terminal (a password prompt reads stdin), PGPASSWORD set only when given."""
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    if password is not None:
        env["PGPASSWORD"] = password
    return subprocess.run(
        [*_COPY, *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
        check=False,
    )


def _rows(engine: Engine) -> dict[str, int]:
    counted = counts(engine)
    engine.dispose()
    return counted


def test_copy_a_journal_file_into_a_ledger_file(tmp_path: Path) -> None:
    source, target = tmp_path / "journal.sqlite3", tmp_path / "ledger.sqlite3"
    expected = journal_file(source, 5, rows=40)
    total = sum(expected.values())

    done = _copy("--from", str(source), "--to", str(target), "--batch", "25")

    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == f"copied {source} into {target}"
    assert "  actions: 120 in the source, 120 copied (120 new, 0 matched, 0 before) ok" in out
    assert out[-1] == "count check: ok"
    # The progress line: every batch, over all tables, to the total, with a rate.
    progress = [line for line in done.stderr.splitlines() if line.startswith("copying ")]
    assert len(progress) >= total // 25
    assert progress[-1].startswith("copying notifications [" + "#" * 24 + "]")
    assert f" {total:,}/{total:,} rows " in progress[-1]
    assert progress[-1].endswith(" rows/s")
    assert _rows(ledger.open_engine(ledger.sqlite_url(target))) == {
        **expected,
        # A journal file has no books, closed days or bank deposits.
        "orders": 0,
        "day_closes": 0,
        "bank_deposits": 0,
        "deposit_matches": 0,
        "copied_rows": total,
    }

    again = _copy("--from", str(source), "--to", str(target))
    assert again.returncode == 0, again.stderr
    assert "  actions: 120 in the source, 120 copied (0 new, 0 matched, 120 before) ok" in (
        again.stdout.splitlines()
    )
    assert _rows(ledger.open_engine(ledger.sqlite_url(target)))["copied_rows"] == total


def test_copy_a_profile_into_postgresql(tmp_path: Path, pg_url: str) -> None:
    profile_id = "0123456789abcdef0123456789abcdef"
    journal = AppPaths.default().journal_path(profile_id)
    expected = journal_file(journal, 4, rows=3)
    address = pg_url.replace("postgresql+psycopg://", "postgresql://")

    done = _copy("--from", profile_id, "--to", address, password="not-on-the-command-line")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"copied {journal} into postgresql+psycopg://postgres@")
    assert "not-on-the-command-line" not in done.stdout + done.stderr
    assert "Password for" not in done.stderr
    assert _rows(ledger.open_engine(pg_url)) == {
        **expected,
        "notifications": 0,
        # A journal file has no books, closed days or bank deposits.
        "orders": 0,
        "day_closes": 0,
        "bank_deposits": 0,
        "deposit_matches": 0,
        "copied_rows": sum(expected.values()),
    }


def test_the_password_is_asked_for_when_pgpassword_is_not_set(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "journal.sqlite3"
    journal_file(source, 6)
    done = _copy("--from", str(source), "--to", pg_url, stdin="typed-secret\n")
    assert done.returncode == 0, done.stderr
    assert "Password for postgres@127.0.0.1: " in done.stderr
    assert "typed-secret" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "count check: ok"


def test_a_password_in_the_address_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "journal.sqlite3"
    journal_file(source, 6)
    before = source.read_bytes()
    done = _copy("--from", str(source), "--to", "postgresql://desk:s3cret-pw@127.0.0.1/ledger")
    assert done.returncode == 2
    assert "the address holds a password" in done.stderr
    assert "PGPASSWORD" in done.stderr
    assert "s3cret-pw" not in done.stderr + done.stdout
    assert source.read_bytes() == before  # nothing done, not even a migration


def test_connection_errors_are_named(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "journal.sqlite3"
    journal_file(source, 6)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    refused = _copy(
        "--from", str(source), "--to", f"postgresql://desk@127.0.0.1:{closed}/x", password=""
    )
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith("[refused]")
    missing = make_url(pg_url).set(database="no_such_ledger").render_as_string()
    gone = _copy("--from", str(source), "--to", missing, password="")
    assert gone.returncode == 1
    assert gone.stderr.strip().endswith("[no-database]")
    assert "Traceback" not in refused.stderr + gone.stderr


def test_a_missing_source_is_an_error_and_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ledger.sqlite3"
    assert (
        main(["ledger", "copy", "--from", str(tmp_path / "nope.sqlite3"), "--to", str(target)]) == 1
    )
    assert "nope.sqlite3: no such file (and not a profile id)" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == []
    assert main(["ledger", "copy", "--from", "f" * 32, "--to", str(target)]) == 1
    assert f"no profile {'f' * 32} on this computer" in capsys.readouterr().err


def test_a_conflict_stops_the_copy_with_both_numbers(tmp_path: Path) -> None:
    source, target = tmp_path / "journal.sqlite3", tmp_path / "ledger.sqlite3"
    journal_file(source, 6, rows=2)  # voids of PCVa…0 and PCVa…1 being checked
    engine = ledger.open_engine(ledger.sqlite_url(target))
    ledger.migrate(engine)
    ledger.LedgerJournal(engine).create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no="Rotherdesk0001",
        operator="jill",
        target_pay_order_id=pay("a", 1, "V"),
        amount_cents=100,
    )
    engine.dispose()
    done = _copy("--from", str(source), "--to", str(target))
    assert done.returncode == 1
    message = done.stderr.splitlines()[-1]
    assert message.startswith(f"ledger copy: payment {pay('a', 1, 'V')} of merchant {MCH}")
    assert "Rotherdesk0001" in message
    assert "Va000000000001" in message
    assert "copy again" in message
    assert "count check" not in done.stdout


def test_a_count_mismatch_fails_the_copy(tmp_path: Path) -> None:
    source, target = tmp_path / "journal.sqlite3", tmp_path / "ledger.sqlite3"
    journal_file(source, 3)
    assert main(["ledger", "copy", "--from", str(source), "--to", str(target)]) == 0
    # The target says it holds a vault card of this source that the source never had.
    with sqlite3.connect(target) as db:
        db.execute(
            "INSERT INTO copied_rows SELECT source, 'vault_cards', 99, target_id "
            "FROM copied_rows WHERE tbl = 'vault_cards'"
        )
    db.close()
    done = _copy("--from", str(source), "--to", str(target))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "ledger copy: the copy's count check failed (vault_cards: 1 in the source, "
        "2 copied); run the copy again"
    )
    assert "count check: ok" not in done.stdout


def test_on_a_terminal_the_progress_line_is_redrawn_in_place(tmp_path: Path) -> None:
    source, target = tmp_path / "v5.sqlite3", tmp_path / "ledger.sqlite3"
    _v5_file(source)  # its note holds a long digit run: masked, with a logged note
    terminal, stderr = pty.openpty()
    proc = subprocess.Popen(
        [*_COPY, "--from", str(source), "--to", str(target), "--batch", "1"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )
    os.close(stderr)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the other end closed (Linux: EIO)
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert out.decode().endswith("count check: ok\n")
    screen = shown.decode().replace("\r\n", "\n")
    # The note has a line of its own; the bar is drawn over itself, batch after batch,
    # and the last drawing is ended with a new line.
    assert "ledger copy: a card-like text in actions.note was masked on the way\n" in screen
    bar = screen.split("masked on the way\n", 1)[1]
    assert bar.count("\rcopying ") == 6
    assert "\n" not in bar.rstrip("\n")
    last = bar.rsplit("\r", 1)[1]
    assert last.startswith("copying notifications [" + "#" * 24 + "] 6/6 rows  ")
    assert last.endswith(" rows/s\n")


def test_a_profile_whose_files_were_merged_is_copied_from_its_merchants_ledger(
    tmp_path: Path,
) -> None:
    from iotpay_desk.core.credentials import CredentialStore
    from iotpay_desk.core.profiles import Environment, Profile, ProfileStore
    from iotpay_desk.journal import DeskIdentity
    from iotpay_desk.ledger.place import profile_ledger_opener
    from tests.plugins.memkeyring import MemoryKeyring

    paths = AppPaths.default()
    credentials = CredentialStore(backend=MemoryKeyring())
    store = ProfileStore(paths.config_dir, credentials, paths.data_dir)
    store.load()
    profile = store.add(
        Profile.new(
            "Front", Environment.CUSTOM, MCH, operators=["jack"], custom_url="http://127.0.0.1:9"
        )
    )
    old = paths.profile_dir(profile.id) / "journal.sqlite3"
    expected = journal_file(old, 6, rows=2)
    # The desk's first start merges the profile's file into its merchant's ledger.
    opener = profile_ledger_opener(
        profile, paths=paths, credentials=credentials, desk=DeskIdentity.here("Front")
    )
    merchant = opener()
    merchant.close()
    assert not old.exists()
    target = tmp_path / "copy.sqlite3"

    done = _copy("--from", profile.id, "--to", str(target))

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"copied {merchant.path} into ")
    assert counts(ledger.open_engine(ledger.sqlite_url(target)))["actions"] == expected["actions"]

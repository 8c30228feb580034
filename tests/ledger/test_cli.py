"""``iotpay-desk ledger check --sqlite PATH`` (run by the bundle's smoke check)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from iotpay_desk import ledger
from iotpay_desk.__main__ import main


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

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iotpay_desk.core.atomic import (
    CorruptFileError,
    atomic_write_json,
    atomic_write_text,
    keep_aside,
    read_json_object,
    remove_stale_temps,
)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A directory of its own (tmp_path also holds the hermetic HOME)."""
    d = tmp_path / "files"
    d.mkdir()
    return d


def test_write_replaces_content_owner_only(work: Path) -> None:
    target = work / "f.json"
    atomic_write_json(target, {"a": 1})
    atomic_write_json(target, {"a": 2, "é": "ü"})
    assert json.loads(target.read_text("utf-8")) == {"a": 2, "é": "ü"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in work.iterdir()) == ["f.json"]


def test_failed_replace_keeps_old_file_and_no_temp(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = work / "f.txt"
    atomic_write_text(target, "old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        atomic_write_text(target, "new" * 1000)
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert sorted(p.name for p in work.iterdir()) == ["f.txt"]


CRASH_CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from iotpay_desk.core.atomic import atomic_write_text

    real_fsync = os.fsync
    def die(fd):
        os._exit(3)  # the process dies after writing, before the rename
    os.fsync = die
    atomic_write_text(Path(sys.argv[1]), "new content " * 10000)
    """
)


def test_process_killed_mid_write_leaves_old_content(work: Path) -> None:
    target = work / "profiles.json"
    atomic_write_text(target, '{"old": true}')
    proc = subprocess.run(
        [sys.executable, "-c", CRASH_CHILD, str(target)],
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
        check=False,
    )
    assert proc.returncode == 3
    assert target.read_text() == '{"old": true}'
    leftovers = [p for p in work.iterdir() if p.name != "profiles.json"]
    assert len(leftovers) == 1
    assert leftovers[0].name.startswith(".profiles.json.")
    assert remove_stale_temps(target) == 1
    assert sorted(p.name for p in work.iterdir()) == ["profiles.json"]


def test_read_missing_is_none(work: Path) -> None:
    assert read_json_object(work / "nope.json") is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"profiles": [', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid UTF-8"),
        (b"[1, 2]", "not a JSON object"),
    ],
)
def test_unreadable_file_is_kept_aside(work: Path, content: bytes, reason: str) -> None:
    target = work / "profiles.json"
    target.write_bytes(content)
    with pytest.raises(CorruptFileError) as info:
        read_json_object(target)
    err = info.value
    assert err.reason == reason
    assert err.kept_as is not None
    assert err.kept_as.name.startswith("profiles.json.corrupt-")
    assert err.kept_as.read_bytes() == content
    assert not target.exists()
    assert "profiles.json could not be read" in str(err)
    assert err.kept_as.name in str(err)


def test_keep_aside_never_overwrites(work: Path) -> None:
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    kept = []
    for i in range(3):
        f = work / "s.json"
        f.write_text(str(i))
        kept.append(keep_aside(f, now))
    assert [k.read_text() for k in kept] == ["0", "1", "2"]
    assert kept[0].name == "s.json.corrupt-20250102T030405Z"
    assert len(set(kept)) == 3

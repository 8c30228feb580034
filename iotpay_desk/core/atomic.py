"""Atomic file writes and a safe JSON reader.

A write goes to a temporary file in the same directory, is flushed and fsync'd, then
``os.replace``'d over the target and the directory fsync'd: after a crash at any point the
target holds either the old content or the new, never a mix. A file that cannot be parsed
is renamed aside (``<name>.corrupt-<time>``) and reported, never silently overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "CorruptFileError",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "keep_aside",
    "read_json_object",
    "remove_stale_temps",
]

_TMP_SUFFIX = ".tmp"


class CorruptFileError(Exception):
    """A file could not be read; it was moved to ``kept_as`` so nothing is lost."""

    def __init__(self, path: Path, kept_as: Path | None, reason: str) -> None:
        self.path = path
        self.kept_as = kept_as
        self.reason = reason
        where = f"; it was kept as {kept_as.name}" if kept_as else ""
        super().__init__(f"{path.name} could not be read ({reason}){where}")


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` atomically (the directory must exist)."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TMP_SUFFIX, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, *, mode: int = 0o600) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_write_json(path: Path, obj: Any, *, mode: int = 0o600) -> None:
    text = json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    atomic_write_text(path, text, mode=mode)


def remove_stale_temps(path: Path) -> int:
    """Delete temporaries a crashed writer of ``path`` left behind; return how many."""
    path = Path(path)
    count = 0
    for leftover in path.parent.glob(f".{path.name}.*{_TMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            count += 1
    return count


def keep_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename ``path`` to ``<name>.corrupt-<UTC time>`` (never over an existing file)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    return target


def read_json_object(path: Path) -> dict[str, Any] | None:
    """Read a JSON object from ``path``; ``None`` when the file does not exist.

    An unreadable or non-object file is kept aside and :class:`CorruptFileError` raised.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = "not valid UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
        raise CorruptFileError(path, keep_aside(path), reason) from None
    if not isinstance(obj, dict):
        raise CorruptFileError(path, keep_aside(path), "not a JSON object")
    return obj

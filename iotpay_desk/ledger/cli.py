"""``iotpay-desk ledger ...``: tools for the merchant ledger.

- ``check --sqlite PATH``: open (create) a SQLite ledger file, bring it to the newest
  revision and print that revision. The bundle's smoke check runs it to prove the frozen
  program carries Alembic's migrations; it is also a quick repair-shop tool.
- ``copy --from PROFILE|FILE --to URL|FILE``: copy a desk's ledger (a profile's journal
  file, or any ledger file) into another ledger, a shared PostgreSQL one or a file
  (:func:`iotpay_desk.ledger.copy.copy_ledger`): once, resumable, with a progress line on
  stderr and the count check on stdout. The PostgreSQL password comes from ``PGPASSWORD``
  or is asked for; one written in the address is refused (other users of the computer
  see command lines).

Exit status: 0 done, 1 the copy or check failed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from iotpay_desk.core.paths import AppPaths

from .connect import LedgerConnectError, open_ledger, parse_url
from .engine import open_engine, sqlite_url
from .errors import LedgerError
from .migrate import current_revision, migrate

if TYPE_CHECKING:
    from iotpay_desk.core.profiles import Profile

__all__ = ["main"]

_PROFILE_ID = re.compile(r"[0-9a-f]{32}")
_POSTGRES = ("postgresql:", "postgresql+", "postgres:")


class _Usage(Exception):
    """Bad arguments (exit 2)."""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="iotpay-desk ledger", description="Merchant ledger tools."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="open and migrate a ledger, print its revision")
    check.add_argument("--sqlite", metavar="PATH", required=True, help="the ledger file")
    copy = sub.add_parser(
        "copy",
        help="copy a desk's ledger into another (a shared PostgreSQL ledger or a file)",
        description="Copy every row of a ledger into another, keeping what it has. Run it "
        "again after an interruption: it goes on where it stopped and copies nothing twice. "
        "The PostgreSQL password is read from PGPASSWORD or asked for.",
    )
    copy.add_argument(
        "--from",
        dest="source",
        metavar="PROFILE|FILE",
        required=True,
        help="a profile id (its ledger on this computer) or a ledger or journal file",
    )
    copy.add_argument(
        "--to",
        dest="target",
        metavar="URL|FILE",
        required=True,
        help="postgresql://user@host:5432/database[?sslmode=require] or a ledger file",
    )
    copy.add_argument("--batch", type=int, default=500, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args.sqlite)
    try:
        return _copy(args.source, args.target, max(1, args.batch))
    except _Usage as e:
        print(f"ledger copy: {e}", file=sys.stderr)
        return 2


def _check(path: str) -> int:
    try:
        engine = open_engine(sqlite_url(path))
    except LedgerError as e:
        print(f"ledger: {e}", file=sys.stderr)
        return 1
    try:
        migrate(engine)
        revision = current_revision(engine)
    except LedgerError as e:
        print(f"ledger: {e}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"ledger {path} at revision {revision}")
    return 0


# ------------------------------------------------------------------------------ copy


def _source_file(text: str) -> Path:
    """The file behind ``--from``: a file path, or a profile id's ledger or journal."""
    path = Path(text).expanduser()
    if path.is_file():
        return path
    if not _PROFILE_ID.fullmatch(text):
        raise LedgerError(f"{text}: no such file (and not a profile id)")
    paths = AppPaths.default()
    if not paths.profile_dir(text, create=False).is_dir():
        raise LedgerError(f"no profile {text} on this computer (looked in {paths.data_dir})")
    for candidate in _profile_ledgers(paths, text):
        if candidate.is_file():
            return candidate
    raise LedgerError(f"profile {text} has no ledger or journal file on this computer")


def _profile_ledgers(paths: AppPaths, profile_id: str) -> list[Path]:
    """Where a profile's ledger may be: its merchant's ledger file on this computer
    (:func:`iotpay_desk.ledger.place.merchant_file`), then the profile's own journal file
    of an earlier version (not merged yet), then that file once merged (its backup)."""
    from .place import merchant_file

    found: list[Path] = []
    profile = _read_profile(paths, profile_id)
    if profile is not None and profile.mch_id:
        found.append(merchant_file(paths.data_dir, profile.environment.value, profile.mch_id))
    journal = paths.profile_dir(profile_id, create=False) / "journal.sqlite3"
    found += [journal, journal.with_name(journal.name + ".merged")]
    return found


def _read_profile(paths: AppPaths, profile_id: str) -> Profile | None:
    """The profile, read without touching ``profiles.json`` (the desk's store would set
    an unreadable file aside; this tool never moves the desk's files)."""
    from iotpay_desk.core.profiles import Profile

    try:
        obj = json.loads(paths.profiles_file.read_text(encoding="utf-8"))
        for raw in obj["profiles"]:
            if raw.get("id") == profile_id:
                return Profile.from_json(raw)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return None


def _open_target(text: str) -> tuple[Engine, str]:
    if text.startswith(_POSTGRES):
        url, typed = parse_url(text)
        if typed is not None:
            raise _Usage(
                "the address holds a password: other users of this computer can read "
                "command lines. Leave it out and set PGPASSWORD, or type it when asked."
            )
        password = os.environ.get("PGPASSWORD")
        if password is None:
            password = getpass.getpass(f"Password for {url.username}@{url.host}: ")
        return open_ledger(url, password=password), url.render_as_string(hide_password=True)
    if text.startswith("sqlite"):
        raise _Usage("give the target ledger file as a path, not a sqlite URL")
    path = Path(text).expanduser()
    if path.is_dir():
        raise _Usage(f"{text} is a folder: give the ledger file")
    engine = open_engine(sqlite_url(path))
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine, str(path)


class _ProgressLine:
    """``copying audit [#####-----]  4,500/11,000 rows  1,234 rows/s`` on stderr: redrawn
    in place on a terminal, a line per batch otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.started = time.monotonic()
        self.drawn = 0  # the width of the line on screen (0: none)

    def start(self) -> None:
        self.started = time.monotonic()

    def __call__(self, table: str, done: int, total: int) -> None:
        width = 24
        filled = width * done // total if total else width
        rate = done / max(time.monotonic() - self.started, 1e-6)
        line = (
            f"copying {table:<13} [{'#' * filled}{'-' * (width - filled)}] "
            f"{done:,}/{total:,} rows  {rate:,.0f} rows/s"
        )
        if self.tty:
            self.out.write("\r" + line.ljust(self.drawn))
            self.drawn = len(line)
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def end(self) -> None:
        """Leave the line drawn so far (before a message or the result)."""
        if self.drawn:
            self.out.write("\n")
            self.out.flush()
            self.drawn = 0


class _LogAfterBar(logging.StreamHandler):  # type: ignore[type-arg]
    """Log records on stderr, each on a line of its own below the progress line."""

    def __init__(self, bar: _ProgressLine) -> None:
        super().__init__(bar.out)
        self.bar = bar
        self.setFormatter(logging.Formatter("ledger copy: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.bar.end()
        super().emit(record)


def _copy(source_text: str, target_text: str, batch: int) -> int:
    from .copy import copy_ledger

    bar = _ProgressLine(sys.stderr)
    logging.basicConfig(level=logging.WARNING, handlers=[_LogAfterBar(bar)])
    source: Engine | None = None
    target: Engine | None = None
    try:
        path = _source_file(source_text)
        target, where = _open_target(target_text)  # asks for the password first
        source = open_engine(sqlite_url(path))
        migrate(source)
        bar.start()
        report = copy_ledger(source, target, progress=bar, batch=batch)
    except LedgerConnectError as e:
        bar.end()
        print(f"ledger copy: {e} [{e.code.value}]", file=sys.stderr)
        return 1
    except LedgerError as e:
        bar.end()
        print(f"ledger copy: {e}", file=sys.stderr)
        return 1
    except DBAPIError as e:
        # The driver's first line only: what follows may quote a row's values.
        bar.end()
        first = str(e.orig).strip().splitlines()[0] if str(e.orig).strip() else type(e).__name__
        print(
            f"ledger copy: the database stopped the copy ({first}); what was copied is kept: "
            "run it again to go on",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        bar.end()
        print("ledger copy: stopped; run it again to go on where it stopped", file=sys.stderr)
        return 130
    finally:
        for engine in (source, target):
            if engine is not None:
                engine.dispose()
    bar.end()
    print(f"copied {path} into {where}")
    for line in report.lines():
        print(f"  {line}")
    print("count check: ok")
    return 0

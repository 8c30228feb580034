"""``iotpay-desk ledger check --sqlite PATH``: open (create) a SQLite ledger file, bring it
to the newest revision and print that revision. The bundle's smoke check runs it to prove
the frozen program carries Alembic's migrations; it is also a quick repair-shop tool."""

from __future__ import annotations

import argparse
import sys

from .engine import open_engine, sqlite_url
from .errors import LedgerError
from .migrate import current_revision, migrate

__all__ = ["main"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="iotpay-desk ledger", description="Check a ledger database."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="open and migrate a ledger, print its revision")
    check.add_argument("--sqlite", metavar="PATH", required=True, help="the ledger file")
    args = parser.parse_args(argv)
    try:
        engine = open_engine(sqlite_url(args.sqlite))
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
    print(f"ledger {args.sqlite} at revision {revision}")
    return 0

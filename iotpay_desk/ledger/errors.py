"""Errors of the merchant ledger."""

from __future__ import annotations

__all__ = ["LedgerError", "LedgerTooNew", "NotALedger"]


class LedgerError(Exception):
    """The ledger cannot be used."""


class LedgerTooNew(LedgerError):
    """The database was written by a newer desk (a revision or journal version this
    desk does not know); it is left untouched."""

    def __init__(self, found: str) -> None:
        self.found = found
        super().__init__(
            f"the ledger's schema is at {found}, newer than this version of the desk "
            "knows. Update the desk to open it."
        )


class NotALedger(LedgerError):
    """The database holds tables but is neither a ledger nor a journal file; nothing is
    written to it."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        super().__init__(f"the database is not empty and holds no ledger (tables: {shown})")

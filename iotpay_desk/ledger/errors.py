"""Errors of the merchant ledger."""

from __future__ import annotations

__all__ = ["CopyConflict", "CopyCountMismatch", "LedgerError", "LedgerTooNew", "NotALedger"]


class LedgerError(Exception):
    """The ledger cannot be used."""


class LedgerTooNew(LedgerError):
    """The database was written by a newer desk (a revision or journal version this
    desk does not know); it is left untouched."""

    def __init__(self, found: str, needs: str = "") -> None:
        self.found = found
        #: The version of the desk that brought the ledger to that schema ("" unknown).
        self.needs = needs
        wanted = f"version {needs} or newer" if needs else "a newer version"
        super().__init__(
            f"the ledger's schema is at {found}, newer than this version of the desk "
            f"knows. Update the desk to {wanted} to open it."
        )


class NotALedger(LedgerError):
    """The database holds tables but is neither a ledger nor a journal file; nothing is
    written to it."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        super().__init__(f"the database is not empty and holds no ledger (tables: {shown})")


class CopyConflict(LedgerError):
    """A copy between ledgers met a payment with an unresolved action in both: the
    database allows one per payment. Nothing of the batch being copied was written.

    The way out: let a desk resolve one of the two with IOTPay (open the desk on that
    ledger: unresolved actions are checked at start), then copy again; the copy resumes
    where it stopped."""

    def __init__(
        self, mch_id: str, pay_order_id: str, *, target_mch_no: str, source_mch_no: str
    ) -> None:
        self.mch_id, self.pay_order_id = mch_id, pay_order_id
        self.target_mch_no, self.source_mch_no = target_mch_no, source_mch_no
        super().__init__(
            f"payment {pay_order_id} of merchant {mch_id} has an unresolved action in both "
            f"ledgers ({target_mch_no} in the target, {source_mch_no} in the source) and a "
            "payment may have only one: nothing of this batch was copied. Open the desk on "
            "either ledger so it checks its action with IOTPay, then copy again (the copy "
            "resumes where it stopped)."
        )


class CopyCountMismatch(LedgerError):
    """After a copy, a table's rows in the source and the rows the target recorded as
    copied from it differ. ``counts``: ``{table: (in source, recorded)}``."""

    def __init__(self, counts: dict[str, tuple[int, int]]) -> None:
        self.counts = counts
        shown = "; ".join(f"{t}: {s} in the source, {r} copied" for t, (s, r) in counts.items())
        super().__init__(f"the copy's count check failed ({shown}); run the copy again")

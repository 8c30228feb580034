"""Errors of the money journal."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Action, VaultCard

__all__ = [
    "AnswerNotRecorded",
    "CardInVault",
    "CardNotInVault",
    "JournalError",
    "JournalTooNew",
    "LedgerUnavailable",
    "OpenActionExists",
    "TargetChanged",
]


class JournalError(Exception):
    """The journal file cannot be used."""


class JournalTooNew(JournalError):
    """The file was written by a newer version of the desk; it is left untouched."""

    def __init__(self, found: int, known: int) -> None:
        self.found = found
        self.known = known
        super().__init__(
            f"the journal has schema version {found}; this version of the desk knows up to "
            f"{known}. Update the desk to open it."
        )


class OpenActionExists(JournalError):
    """An unresolved action on the same payment exists: a second one is not allowed."""

    def __init__(self, action: Action) -> None:
        self.action = action
        super().__init__(
            f"{action.kind.value} {action.mch_no} on {action.target_pay_order_id} "
            "is not resolved yet"
        )


class TargetChanged(JournalError):
    """Another action on the payment was made after the caller last looked at it."""

    def __init__(self, action: Action) -> None:
        self.action = action
        super().__init__(
            f"{action.kind.value} {action.mch_no} was made on {action.target_pay_order_id} "
            "in the meantime"
        )


class CardInVault(JournalError):
    """The vault already holds a card with this cardId (``card``)."""

    def __init__(self, card: VaultCard) -> None:
        self.card = card
        super().__init__(f"card {card.card_id} is already in the vault")


class CardNotInVault(JournalError, KeyError):
    """No card with this cardId is in the vault (or it was removed)."""

    def __init__(self, card_id: str) -> None:
        self.card_id = card_id
        super().__init__(f"card {card_id} is not in the vault")

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class LedgerUnavailable(JournalError):
    """The ledger cannot be reached now (its server stopped, the network is cut, its file's
    disk went away). Nothing of the call that raised it was written. Not a fault of the
    ledger: it is used again, as it is, once it can be reached (never another ledger).

    ``where``: the ledger as it may be shown (``host/database``, or the file's path; never
    a password); ``shared``: it is a server several desks use (not this computer's file);
    ``since``: when it was first found unreachable, if known."""

    def __init__(
        self,
        where: str = "",
        reason: str = "",
        since: datetime | None = None,
        *,
        shared: bool = False,
    ) -> None:
        self.where = where
        self.reason = reason
        self.since = since
        self.shared = shared
        text = f"the ledger {where} cannot be reached" if where else "the ledger cannot be reached"
        super().__init__(f"{text}: {reason}" if reason else text)


class AnswerNotRecorded(LedgerUnavailable):
    """A money-moving call was **sent** (its intent is in the ledger), but what came of it
    could not be written because the ledger went away. Nothing is lost and nothing may be
    sent again: the intent stays unresolved in the ledger and is resolved with
    ``cc_query`` once the ledger is back. ``kind`` and ``mch_no`` name the action."""

    def __init__(self, kind: str, mch_no: str, cause: LedgerUnavailable) -> None:
        self.kind = kind
        self.mch_no = mch_no
        super().__init__(cause.where, cause.reason, cause.since, shared=cause.shared)
        self.args = (
            f"{kind} {mch_no} was sent; its answer will be recorded when the ledger is back "
            f"({cause})",
        )

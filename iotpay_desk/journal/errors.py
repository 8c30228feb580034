"""Errors of the money journal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Action, VaultCard

__all__ = [
    "CardInVault",
    "CardNotInVault",
    "JournalError",
    "JournalTooNew",
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

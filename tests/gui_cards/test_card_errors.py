"""The card vault's and charges' errors reach the user as plain words, never as a bug."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from iotpay_desk.gui.errors import Kind, describe
from iotpay_desk.services import (
    CardNotAdded,
    CardNotBound,
    DirectAddDisabled,
    InvalidInput,
    NotInJournal,
    UnknownCard,
)


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (
            CardNotAdded("card declined", "C1"),
            "IOTPay did not add the card: “card declined”. Nothing was saved; start again.",
        ),
        (
            CardNotAdded("cardNum: 4242424242424242 refused", "C1"),
            "IOTPay did not add the card: “cardNum: 424242******4242 refused”. Nothing was "
            "saved; start again.",
        ),
        (
            CardNotBound("C9", "cardId is not binding"),
            "IOTPay has no card bound to card ID C9. Add the card again, or remove it from the "
            "vault.",
        ),
        (UnknownCard("C7"), "Card ID C7 is not in the card vault. Refresh the list and try again."),
        (
            DirectAddDisabled(),
            "Direct card entry is off for this profile. Add the card on IOTPay's page instead.",
        ),
        (
            NotInJournal("T1"),
            "This desk has no record of order T1. Look it up on the Orders page.",
        ),
        (
            InvalidInput("cardId", "is already in the card vault"),
            "Card ID: is already in the card vault. Nothing was sent.",
        ),
        (
            InvalidInput("customerLabel", "must not look like a card number"),
            "Customer: must not look like a card number. Correct it and try again.",
        ),
        (
            InvalidInput("cardId", "the card has expired"),
            "Card ID: is a card that has expired. Nothing was sent.",
        ),
    ],
)
def test_card_errors_are_user_messages(qapp: QApplication, exc: Exception, text: str) -> None:
    message = describe(exc)
    assert message.kind is Kind.USER
    assert message.text == text

"""The sandbox's test cards and wallet rule.

| number | brand | outcome |
|---|---|---|
| 4242424242424242 | Visa | approved (status 2) |
| 5555555555554444 | Mastercard | approved (status 2) |
| 4000000000000002 | Visa | declined (status 9, "card declined") |
| 4000000000000077 | Visa | pending: status 0, then 2 after 5 sandbox seconds |

Any other number that passes the Luhn check is approved. Any expiry date in the past is
refused ("card expired"); a card is valid through the last day of its expiry month.

Wallets: ``walletData`` is base64; its decoded text decides — containing ``decline``
(any case) → declined, ``pending`` → pending, anything else → approved. A wallet
payment shows the card ``424242******4242`` (Visa).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Literal

from iotpay_desk.api import card_brand, mask_card_number

__all__ = [
    "PENDING_DELAY_S",
    "TEST_CARDS",
    "WALLET_CARD",
    "Behaviour",
    "behaviour_of",
    "card_type_of",
    "is_expired",
    "masked",
    "wallet_behaviour",
]

Behaviour = Literal["approve", "decline", "pending"]

APPROVE_VISA = "4242424242424242"
APPROVE_MASTERCARD = "5555555555554444"
DECLINE = "4000000000000002"
PENDING = "4000000000000077"

TEST_CARDS: dict[str, tuple[Behaviour, str]] = {
    APPROVE_VISA: ("approve", "Visa"),
    APPROVE_MASTERCARD: ("approve", "Mastercard"),
    DECLINE: ("decline", "Visa"),
    PENDING: ("pending", "Visa"),
}
PENDING_DELAY_S = 5.0
WALLET_CARD = "424242******4242"


def behaviour_of(card_num: str) -> Behaviour:
    entry = TEST_CARDS.get(card_num)
    return entry[0] if entry else "approve"


def card_type_of(card_num: str) -> str:
    """IOTPay's cardType: ``V`` Visa, ``M`` Mastercard (``A`` Amex, ``""`` other)."""
    return card_brand(card_num)


def masked(card_num: str) -> str:
    return mask_card_number(card_num)


def is_expired(mmyy: str, now: datetime) -> bool:
    """True when the card's expiry month (``MMYY``) ended before ``now``'s month."""
    month, year = int(mmyy[:2]), 2000 + int(mmyy[2:])
    return (year, month) < (now.year, now.month)


def wallet_behaviour(wallet_data: str) -> Behaviour:
    text = base64.b64decode(wallet_data).decode("utf-8", "replace").lower()
    if "decline" in text:
        return "decline"
    if "pending" in text:
        return "pending"
    return "approve"

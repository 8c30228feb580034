"""How a vault card is named on screen: its title and its expiry.

Shared by the Card vault page and the dialogs that act on a card (charge, direct add),
so that none of them imports another to name a card.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication

from iotpay_desk.services import ExpiryState, VaultCard

from .words import card_brand

__all__ = ["card_title", "expiry_text"]

translate = QCoreApplication.translate


def card_title(card: VaultCard) -> str:
    """``Visa ••••4242`` (brand and last four digits), for lists and confirmations."""
    digits = "".join(c for c in card.card_num if c.isdigit())
    last4 = digits[-4:] if len(digits) >= 4 else ""
    brand = card_brand(card.brand) if card.brand else ""
    parts = [p for p in (brand, f"••••{last4}" if last4 else "") if p]
    return " ".join(parts) or card.card_id


def expiry_text(card: VaultCard, today: date) -> str:
    """``12/27``, with ``— expired`` or ``— ends this month`` when it applies."""
    mmyy = card.expiry_date
    shown = f"{mmyy[:2]}/{mmyy[2:]}" if len(mmyy) == 4 and mmyy.isdigit() else "—"
    state = card.expiry_state(today)
    # The context stays "VaultModel": the texts were first written for the vault's table.
    if state is ExpiryState.EXPIRED:
        return translate("VaultModel", "%1 — expired").replace("%1", shown)
    if state is ExpiryState.EXPIRES_THIS_MONTH:
        return translate("VaultModel", "%1 — ends this month").replace("%1", shown)
    return shown

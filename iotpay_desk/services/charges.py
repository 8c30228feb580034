"""Pieces of the charges the money service makes: cards on file, wallets, purchase links.

The charges themselves are :class:`~iotpay_desk.services.money.MoneyService` methods
(``charge_card``, ``charge_wallet``, ``start_purchase``, ``follow``): they share its
journal machinery (intent first, one call per draft, lost answers resolved with
``cc_query``). This module holds their input rules and result types. No I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from iotpay_desk.api import rules
from iotpay_desk.api.rules import BrokenRule, RuleCode
from iotpay_desk.journal import Action

from .errors import InvalidInput

__all__ = [
    "FOLLOW_ATTEMPTS",
    "FOLLOW_INTERVAL_S",
    "NOTIFY_URL_FALLBACK",
    "PURCHASE_LINK_FINAL_AFTER_S",
    "SIMILAR_WITHIN_S",
    "WALLET_DATA_MAX",
    "PurchaseSession",
    "WalletToken",
    "check_client_ip",
    "check_wallet",
]

# IOTPay's SDKs follow a payment with cc_query once a second, 30 times.
FOLLOW_ATTEMPTS = 30
FOLLOW_INTERVAL_S = 1.0
# "The same card was charged the same amount within the repeat-charge window": the
# profile's repeat_charge_hours; this is its default (24 hours).
SIMILAR_WITHIN_S = 24 * 3600.0
# A wallet token is a few kilobytes; IOTPay's request limit is 64 KiB.
WALLET_DATA_MAX = 32 * 1024
# A purchase page lives about an hour; after two, an unpaid purchase link is closed.
PURCHASE_LINK_FINAL_AFTER_S = 2 * 3600.0
# cc_purchase requires a notifyUrl. A desk without a notify receiver gives one that never
# resolves (RFC 6761 ``.invalid``) and confirms by cc_query instead.
NOTIFY_URL_FALLBACK = "https://desk.invalid/notify"


@dataclass(frozen=True, slots=True)
class WalletToken:
    """A checked wallet token: its type, the base64 text to send, and a short SHA-256
    (the only trace of the token the journal keeps)."""

    wallet_type: str
    data: str = field(repr=False)
    short_hash: str = ""
    size: int = 0


def check_wallet(wallet_type: str, wallet_data_b64: str) -> WalletToken:
    """Check a pasted or loaded wallet token; errors name ``walletType`` / ``walletData``
    and never repeat the token. Whitespace and line breaks in the pasted text are
    dropped."""
    problem = rules.one_of(*rules.WALLET_TYPES)(wallet_type)
    if problem:
        raise InvalidInput("walletType", problem)
    if not isinstance(wallet_data_b64, str):
        raise InvalidInput("walletData", RuleCode.BASE64_TEXT)
    data = "".join(wallet_data_b64.split())
    if not data:
        raise InvalidInput("walletData", RuleCode.REQUIRED)
    if len(data) > WALLET_DATA_MAX:
        raise InvalidInput("walletData", BrokenRule(RuleCode.MAX_CHARS, max=WALLET_DATA_MAX))
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("walletData", RuleCode.BASE64_VALID) from None
    if base64.b64encode(raw).decode("ascii") != data:
        # Padding where none belongs, or stray bits: not the text a wallet produces.
        raise InvalidInput("walletData", RuleCode.BASE64_VALID)
    if not raw:
        raise InvalidInput("walletData", RuleCode.REQUIRED)
    return WalletToken(
        wallet_type=wallet_type,
        data=data,
        short_hash=hashlib.sha256(raw).hexdigest()[:12],
        size=len(raw),
    )


def check_client_ip(client_ip: str | None) -> str | None:
    """The customer's IP address for a charge (optional); raises on ``clientIp``."""
    if client_ip is None:
        return None
    if not isinstance(client_ip, str):
        raise InvalidInput("clientIp", RuleCode.TEXT)
    text = client_ip.strip()
    if not text:
        return None
    problem = rules.ip_address(text)
    if problem:
        raise InvalidInput("clientIp", problem)
    return text


@dataclass(frozen=True, slots=True)
class PurchaseSession:
    """A purchase link made with ``cc_purchase``: the order exists at IOTPay at once
    (status 0) under ``mch_order_no``; ``redirect_url`` is its page (show it in the web
    view or as a QR code), which comes back to ``return_url``. Follow it with
    ``MoneyService.follow(mch_order_no)``. ``secure_id`` and ``redirect_url`` (which
    carries it) stay out of ``repr``."""

    mch_order_no: str
    session_id: str
    redirect_url: str = field(repr=False)
    return_url: str
    amount_cents: int
    currency: str
    action: Action
    started_at: datetime
    secure_id: str = field(default="", repr=False)

"""Keep card numbers, CVVs, keys and signs out of the journal file.

Everything free-form that reaches the journal (reasons, notes, IOTPay's retMsg, audit
details, lookup texts) goes through :func:`scrub` first. Ids are not harmed: a digit
run glued to letters (``PC2024…``, ``R2401…``) is never taken for a card number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from iotpay_desk.api.rules import luhn_ok

__all__ = ["scrub", "scrub_detail"]

# 12 to 19 digits, optionally grouped by single spaces or dashes, not glued to letters.
_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d[ -]?){11,18}\d(?![0-9A-Za-z])")
_SECRET_FIELD = re.compile(
    r"""(?ix)
    (\b(?:cvv2?|cvc|cardNum|card_num|sign|key|merchantKey|secret|password|walletData)
    ["']?\s*[:=]\s*["']?)
    ([^"'&,\s}]+)
    """
)
_SIGN = re.compile(r"(?<![0-9A-Za-z])[0-9A-F]{32}(?![0-9A-Za-z])")


def _mask_card(m: re.Match[str]) -> str:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    if luhn_ok(digits):
        return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
    return raw


def scrub(text: str) -> str:
    """``text`` with full card numbers masked and secret-looking values removed."""
    if not text:
        return text
    text = _SECRET_FIELD.sub(lambda m: m.group(1) + "[redacted]", text)
    text = _SIGN.sub("[sign]", text)
    return _CARD.sub(_mask_card, text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {str(k): _scrub_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_value(v) for v in value]
    return value


def scrub_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON-ready copy of ``detail`` with every text value scrubbed."""
    if not detail:
        return {}
    return {str(k): _scrub_value(v) for k, v in detail.items()}

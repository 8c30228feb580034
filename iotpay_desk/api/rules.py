"""Field rules of the V3 API (reference section 3), checked before anything is sent.

Each rule returns ``None`` when the value is fine or a short text naming the rule
(``at most 12 characters``). Messages never repeat the value: it may be card data.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Rule = Callable[[Any], str | None]

CURRENCIES = ("CAD",)
CHANNELS = ("PF_CC", "UPI_EX")
WALLET_TYPES = ("ApplePay", "GooglePay")
MAX_CENTS = 99_999_999_99  # far above any card limit; keeps amounts within 64-bit and sane

_DIGITS = re.compile(r"[0-9]+")
_MMYY = re.compile(r"(0[1-9]|1[0-2])[0-9]{2}")


def luhn_ok(digits: str) -> bool:
    """Luhn check of a string of ASCII digits (``False`` for an empty or non-digit string)."""
    if not _DIGITS.fullmatch(digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ----------------------------------------------------------------- card numbers in ids

#: A card number is 13 to 19 digits (ISO/IEC 7812); thirteen digits in a row is where
#: one may start.
CARD_RUN_DIGITS = 13
# Digit groups split by a space or a dash ("4242 4242 4242 4242", "4242-4242-…") count as
# one run: the separator after a digit is dropped. Spelled as plain replacements, applied
# in this order, so that the journal's SQL (replace() calls, journal/schema.py) computes
# exactly the same thing.
_SEPARATOR_AFTER_DIGIT = tuple((d + sep, d) for sep in (" ", "-") for d in "0123456789")
_CARD_RUN = re.compile(rf"(?<![0-9A-Za-z])[0-9]{{{CARD_RUN_DIGITS}}}")


def join_digit_groups(value: str) -> str:
    """``value`` with each space or dash that follows a digit removed."""
    for old, new in _SEPARATOR_AFTER_DIGIT:
        value = value.replace(old, new)
    return value


def has_card_run(value: str) -> bool:
    """True when ``value`` holds a card-like digit run: 13 or more ASCII digits in a row
    (groups split by a space or a dash count as one run) that does not follow a letter.

    IOTPay's ids are a two-letter prefix and 26 digits (``PC20240101215009579871439079``,
    reference section 4; the sandbox makes them the same way) and the desk's own are a
    letter, 12 digits and base32 that may start with digits (``R240101215009K3QZ…``):
    their digit runs follow a letter, so they are ids, not card numbers. A run that
    stands on its own, however long, is refused: no id IOTPay or the desk makes looks
    like that, and a card number hidden in a longer run cannot be told apart from one.
    The journal's database refuses the same (schema v6), computed the same way.
    """
    return bool(_CARD_RUN.search(join_digit_groups(value)))


def text(max_len: int) -> Rule:
    def rule(v: Any) -> str | None:
        if not isinstance(v, str):
            return "must be text"
        if not v.strip():
            return "must not be blank"
        if len(v) > max_len:
            return f"at most {max_len} characters"
        if any(ord(c) < 32 or ord(c) == 127 for c in v):
            return "must not contain control characters"
        return None

    return rule


def cents(v: Any) -> str | None:
    if isinstance(v, bool) or not isinstance(v, int):
        return "must be a whole number of cents"
    if v <= 0:
        return "must be more than 0 cents"
    if v > MAX_CENTS:
        return "is too large"
    return None


def one_of(*allowed: str) -> Rule:
    def rule(v: Any) -> str | None:
        if v not in allowed:
            return "must be " + " or ".join(allowed)
        return None

    return rule


def base64_text(max_len: int | None = None) -> Rule:
    def rule(v: Any) -> str | None:
        if not isinstance(v, str) or not v.strip():
            return "must be base64 text"
        if max_len is not None and len(v) > max_len:
            return f"at most {max_len} characters"
        try:
            base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            return "must be valid base64"
        return None

    return rule


def mmyy(v: Any) -> str | None:
    if not isinstance(v, str) or not _MMYY.fullmatch(v):
        return "must be MMYY (month 01-12, two-digit year)"
    return None


def card_number(v: Any) -> str | None:
    if not isinstance(v, str) or not _DIGITS.fullmatch(v):
        return "must be digits only"
    if not 12 <= len(v) <= 19:
        return "must be 12 to 19 digits"
    if not luhn_ok(v):
        return "fails the card number check (Luhn)"
    return None


def cvv(v: Any) -> str | None:
    if not isinstance(v, str) or not _DIGITS.fullmatch(v) or not 3 <= len(v) <= 4:
        return "must be 3 or 4 digits"
    return None


def url(max_len: int = 200) -> Rule:
    def rule(v: Any) -> str | None:
        base = text(max_len)(v)
        if base:
            return base
        if any(c.isspace() for c in v):
            return "must not contain spaces"
        try:
            parts = urlsplit(v)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            return "must be an http(s) URL"
        if parts.scheme not in ("http", "https") or not host:
            return "must be an http(s) URL"
        return None

    return rule


def ip_address(v: Any) -> str | None:
    base = text(50)(v)
    if base:
        return base
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return "must be an IPv4 or IPv6 address"
    return None


def id30(v: Any) -> str | None:
    """An id the merchant assigns: String(30), printable, no spaces at the ends."""
    base = text(30)(v)
    if base:
        return base
    if v != v.strip():
        return "must not start or end with a space"
    return None

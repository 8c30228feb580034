"""Verify and parse IOTPay's signed notify (reference section 6)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import InvalidNotify
from .models import Order
from .rules import MAX_CENTS, has_card_run
from .sign import verify_sign

__all__ = ["NOTIFY_ACK", "parse_notify"]

NOTIFY_ACK = "SUCCESS"

# Sanity bounds, checked before the sign: a value outside them is not IOTPay's, signed or
# not, and must not reach the journal (SQLite keeps 64-bit integers; a status of 10^30
# used to end in an OverflowError and a 500).
_WHOLE_NUMBERS = {"status": 99, "amount": MAX_CENTS, "refundable": MAX_CENTS}
# The texts the journal keeps of a notification (and originalOrderId, an id too): at most
# IOTPay's String(30), and never a card number (see rules.has_card_run for why ids such
# as PC20240101215009579871439079 are not one).
_STORED_TEXTS = ("payOrderId", "mchOrderNo", "originalOrderId", "payType", "mchId")
_MAX_TEXT = 30
_INT_TEXT = re.compile(r"[0-9]{1,18}")


def _whole(value: Any) -> int | None:
    """``value`` as a whole number (``1500``, ``1500.0``, ``"1500"``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    return None


_FIELD_NAME = re.compile(r"[A-Za-z_]{1,30}")


def _named(name: str) -> str:
    """A field's name for a message: a key made of anything but letters (it may be card
    data; the sender chose it) is not repeated."""
    return name if _FIELD_NAME.fullmatch(name) else "a field"


def _check_fields(data: dict[str, Any]) -> None:
    """Refuse what no IOTPay notification holds. Messages never repeat a value."""
    for name, value in data.items():
        if value is None or isinstance(value, str) or name == "sign":
            continue  # a sign of the wrong type is simply one that does not match
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidNotify(f"notify: {_named(name)} must be text or a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidNotify(f"notify: {_named(name)} must be a finite number")
    for name, limit in _WHOLE_NUMBERS.items():
        if data.get(name) is None:
            continue
        number = _whole(data[name])
        if number is None or not 0 <= number <= limit:
            raise InvalidNotify(f"notify: {name} must be a whole number from 0 to {limit}")
    for name in _STORED_TEXTS:
        value = data.get(name)
        if value is None:
            continue
        text = value if isinstance(value, str) else str(value)
        if len(text) > _MAX_TEXT:
            raise InvalidNotify(f"notify: {name} must be at most {_MAX_TEXT} characters")
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise InvalidNotify(f"notify: {name} must not contain control characters")
        if has_card_run(text):
            raise InvalidNotify(f"notify: {name} must not hold a card number")


def parse_notify(body: bytes | str, key: str) -> Order:
    """Return the verified order of a notify body, or raise :class:`InvalidNotify`.

    Every received field counts in the sign, known or not. Both key orders IOTPay's
    implementations use (code point, case-insensitive) are accepted. IOTPay's order
    object is flat: a field that is a list or an object, a number out of bounds or a
    stored id holding a card number is refused before the sign is even computed.
    """
    if not key:
        raise InvalidNotify("notify: no merchant key to verify it with")
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nested thousands deep; json gives up, the receiver must not.
        raise InvalidNotify("notify: the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidNotify("notify: the body is not a JSON object")
    if "sign" not in data:
        raise InvalidNotify("notify: sign is missing")
    _check_fields(data)
    if not verify_sign(data, key, accept_casefold=True):
        raise InvalidNotify("notify: the sign does not match (wrong key or altered message)")
    order = Order.from_dict(data)
    if not order.pay_order_id:
        raise InvalidNotify("notify: payOrderId is missing")
    return order

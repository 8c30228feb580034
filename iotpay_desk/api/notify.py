"""Verify and parse IOTPay's signed notify (reference section 6)."""

from __future__ import annotations

import json
from typing import Any

from .errors import InvalidNotify
from .models import Order
from .sign import verify_sign

__all__ = ["NOTIFY_ACK", "parse_notify"]

NOTIFY_ACK = "SUCCESS"


def parse_notify(body: bytes | str, key: str) -> Order:
    """Return the verified order of a notify body, or raise :class:`InvalidNotify`.

    Every received field counts in the sign, known or not. Both key orders IOTPay's
    implementations use (code point, case-insensitive) are accepted.
    """
    if not key:
        raise InvalidNotify("notify: no merchant key to verify it with")
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidNotify("notify: the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidNotify("notify: the body is not a JSON object")
    if "sign" not in data:
        raise InvalidNotify("notify: sign is missing")
    if not verify_sign(data, key, accept_casefold=True):
        raise InvalidNotify("notify: the sign does not match (wrong key or altered message)")
    order = Order.from_dict(data)
    if not order.pay_order_id:
        raise InvalidNotify("notify: payOrderId is missing")
    return order

"""Generated merchant ids: the mchRefundNo of refunds and voids, the mchOrderNo of charges.

Format: one letter naming the kind, the UTC time as ``yyMMddHHmmss``, then ten
characters of RFC 4648 base32 (``A-Z2-7``, 50 random bits)::

    R240101215009K3QZ7W2MXA   (23 characters; IOTPay allows 30)

- The letter: ``R`` refund, ``V`` void, ``T`` charge on file (token), ``W`` wallet
  charge, ``P`` purchase link.
- The time is UTC, so ids sort by creation time and a DST change never reorders them.
- 50 random bits make a collision within one second practically impossible; the
  journal's UNIQUE constraint catches one anyway.
- Only ``[A-Z0-9]``: valid for every IOTPay id field, safe in URLs and file names.
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import UTC, datetime

__all__ = ["ID_PATTERN", "ID_PREFIXES", "new_mch_no"]

ID_PREFIXES = frozenset("RVTWP")
ID_PATTERN = re.compile(r"[RVTWP][0-9]{12}[A-Z2-7]{10}")
_RANDOM_CHARS = 10


def new_mch_no(prefix: str, now: datetime | None = None) -> str:
    """A new unique id for an action of the kind ``prefix`` (see the module docs)."""
    if prefix not in ID_PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    rand = base64.b32encode(secrets.token_bytes(7)).decode("ascii")[:_RANDOM_CHARS]
    return f"{prefix}{when:%y%m%d%H%M%S}{rand}"

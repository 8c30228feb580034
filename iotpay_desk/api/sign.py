"""The IOTPay V3 sign (reference section 2).

Every field except ``sign``, with ``None`` and ``""`` dropped, sorted by key in code
point order, joined as ``k=v&k=v`` without URL-encoding, ``&key=<merchant key>``
appended, MD5 over UTF-8, uppercase hex.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

__all__ = ["sign", "sign_base", "verify_sign"]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        # JSON booleans never appear in V3 messages; sign them as JSON would spell them.
        return "true" if value else "false"
    return str(value)


def _pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (k, _text(v)) for k, v in params.items() if k != "sign" and v is not None and v != ""
    )


def sign_base(params: Mapping[str, Any], key: str, *, casefold: bool = False) -> str:
    """The string that is hashed. It contains the key: never log it."""
    pairs = _pairs(params)
    if casefold:
        # IOTPay's PHP SDK sorts case-insensitively; verifiers accept either order.
        pairs.sort(key=lambda kv: (kv[0].lower(), kv[0]))
    return "&".join(f"{k}={v}" for k, v in pairs) + f"&key={key}"


def sign(params: Mapping[str, Any], key: str) -> str:
    """Return the 32-character uppercase MD5 sign of ``params`` under ``key``."""
    base = sign_base(params, key)
    return hashlib.md5(base.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def verify_sign(params: Mapping[str, Any], key: str, *, accept_casefold: bool = False) -> bool:
    """True when ``params["sign"]`` is the sign of every other field, compared in constant time.

    Every received field counts, including ones this code does not know. With
    ``accept_casefold`` the case-insensitive key order of IOTPay's PHP SDK is accepted too.
    """
    received = params.get("sign")
    if not isinstance(received, str) or not received:
        return False
    got = received.upper().encode("ascii", "replace")
    ok = hmac.compare_digest(sign(params, key).encode("ascii"), got)
    if accept_casefold:
        alt = (
            hashlib.md5(
                sign_base(params, key, casefold=True).encode("utf-8"), usedforsecurity=False
            )
            .hexdigest()
            .upper()
        )
        ok = hmac.compare_digest(alt.encode("ascii"), got) or ok
    return ok

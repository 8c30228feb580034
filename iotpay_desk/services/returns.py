"""The return URL the desk gives IOTPay's hosted pages, and the hints it comes back with.

IOTPay sends the page back to ``returnUrl`` with ``retCode``, ``retMsg``, ``status`` and
``mchOrderNo`` appended. The desk's return URL is under ``desk.invalid``: ``.invalid``
never resolves (RFC 6761), and the embedded web view catches the navigation and blocks
it, so nothing is ever fetched. The parameters are **unsigned**: they are hints only,
and the desk confirms with ``cc_querycard`` / ``cc_query`` before it shows a result.

``https://desk.invalid/return/<kind>/<session id>`` — the kind (``addcard`` or
``purchase``) and the session id say which form the page belonged to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from iotpay_desk.api.redact import redact

__all__ = [
    "RETURN_URL_BASE",
    "ReturnHint",
    "ReturnKind",
    "hint_from_params",
    "parse_return_url",
    "return_url_for",
]

RETURN_URL_BASE = "https://desk.invalid/return"
ReturnKind = Literal["addcard", "purchase"]
_KINDS: tuple[ReturnKind, ...] = ("addcard", "purchase")
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_BASE = urlsplit(RETURN_URL_BASE)
_RET_MSG_MAX = 200


def return_url_for(kind: ReturnKind, session_id: str) -> str:
    """The returnUrl for one hosted page (``kind`` ``addcard`` or ``purchase``)."""
    if kind not in _KINDS:
        raise ValueError(f"kind: must be one of {_KINDS}")
    if not _SESSION_ID.fullmatch(session_id):
        raise ValueError("session_id: 1 to 64 letters, digits, '-' or '_'")
    return f"{RETURN_URL_BASE}/{kind}/{session_id}"


@dataclass(frozen=True, slots=True)
class ReturnHint:
    """What a hosted page said when it came back. Unsigned: a hint, never proof.

    ``ret_code`` is ``SUCCESS``, ``FAIL`` or ``""`` (none given); ``status`` the order
    status of a purchase (None when absent or not a number); ``ret_msg`` has any card
    number masked.
    """

    kind: ReturnKind
    session_id: str
    ret_code: str = ""
    ret_msg: str = ""
    status: int | None = None
    mch_order_no: str = ""

    @property
    def says_failed(self) -> bool:
        """The page reports a failure (``retCode=FAIL`` or status 9)."""
        return self.ret_code == "FAIL" or self.status == 9

    @property
    def says_succeeded(self) -> bool:
        """The page reports success (still to be confirmed with IOTPay)."""
        return self.ret_code == "SUCCESS" and self.status in (None, 2, 3)


def _status(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 3:
        return None
    return int(value)


def hint_from_params(kind: ReturnKind, session_id: str, params: Mapping[str, str]) -> ReturnHint:
    """A hint from already-parsed query parameters (unknown ones ignored)."""
    ret_msg = redact(str(params.get("retMsg", "")))[:_RET_MSG_MAX]
    mch_order_no = str(params.get("mchOrderNo", "")).strip()[:30]
    return ReturnHint(
        kind=kind,
        session_id=session_id,
        ret_code=str(params.get("retCode", "")).strip().upper(),
        ret_msg=ret_msg,
        status=_status(params.get("status")),
        mch_order_no=mch_order_no,
    )


def parse_return_url(url: str) -> ReturnHint | None:
    """The hint in a return URL of the desk; None for any other URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if (
        (parts.scheme, (parts.hostname or ""), parts.port)
        != (
            _BASE.scheme,
            _BASE.hostname,
            _BASE.port,
        )
        or parts.username
        or parts.password
    ):
        return None
    prefix = _BASE.path + "/"
    if not parts.path.startswith(prefix):
        return None
    pieces = parts.path[len(prefix) :].split("/")
    if len(pieces) != 2 or pieces[0] not in _KINDS or not _SESSION_ID.fullmatch(pieces[1]):
        return None
    kind: ReturnKind = "addcard" if pieces[0] == "addcard" else "purchase"
    # The first value of each parameter wins: a page cannot override what IOTPay put first
    # by appending a second one (and the URL the desk gave carried none).
    params: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        params.setdefault(key, value)
    return hint_from_params(kind, pieces[1], params)

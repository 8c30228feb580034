"""The notify endpoint: verify, record, then answer ``SUCCESS``.

IOTPay POSTs the order object with its ``sign`` as JSON and retries (about attempt × 60 s
apart, up to 5 times) until it gets HTTP 200 with the body ``SUCCESS``. So the answer is
sent only once the notification is committed to the journal: a receiver that stops in
between gets the same notification again, and records it once (its ``times`` counts).

Anything that is not a verified notification of this merchant is refused with HTTP 400
and a short ``FAIL`` text, and recorded nowhere: a forged or altered message must not be
acknowledged (IOTPay's own retries would stop) nor trusted.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from iotpay_desk.api import NOTIFY_ACK, InvalidNotify, parse_notify
from iotpay_desk.journal import NotificationLedger

__all__ = ["DEFAULT_PATH", "MAX_BODY", "build_app"]

log = logging.getLogger(__name__)

DEFAULT_PATH = "/iotpay/notify"
# An order object with its sign is well under 2 KiB; anything far bigger is not IOTPay.
MAX_BODY = 64 * 1024


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _fail(reason: str, status: int = 400) -> PlainTextResponse:
    return PlainTextResponse(f"FAIL: {reason}", status_code=status)


def build_app(
    mch_id: str,
    key: str,
    journal: NotificationLedger,
    *,
    path: str = DEFAULT_PATH,
    clock: Callable[[], datetime] = _utcnow,
) -> Starlette:
    """The receiver's ASGI app: ``POST path`` takes IOTPay's notify for ``mch_id``."""
    if not path.startswith("/"):
        raise ValueError("path: must start with /")

    async def notify(request: Request) -> PlainTextResponse:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return _fail("the body is too large", 413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _fail("the body is too large", 413)
        try:
            order = parse_notify(body, key)
        except InvalidNotify as exc:
            log.warning("notify refused from %s: %s", _peer(request), exc)
            return _fail(str(exc))
        if order.mch_id != mch_id:
            log.warning("notify refused: mchId %r is not this merchant's", order.mch_id)
            return _fail("notify: mchId is not this merchant's")
        try:
            entry = await asyncio.to_thread(journal.record_notification, order, now=clock())
        except sqlite3.IntegrityError:
            # The journal's own checks (no card number in any column) refused it; parse_notify
            # applies the same rules first, so this is a backstop, never a 500.
            log.warning("notify refused by the journal's own checks (values not logged)")
            return _fail("notify: the journal refused it")
        log.info(
            "notify: %s %s status %s (%d time%s)",
            order.pay_type,
            order.pay_order_id,
            order.status,
            entry.times,
            "" if entry.times == 1 else "s",
        )
        return PlainTextResponse(NOTIFY_ACK)

    return Starlette(routes=[Route(path, notify, methods=["POST"])])


def _peer(request: Request) -> str:
    client = request.client
    return f"{client.host}:{client.port}" if client is not None else "?"

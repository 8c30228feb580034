"""The sandbox's HTTP face: a Starlette app plus a pure-ASGI fault layer.

Routes:

- ``POST /v3/<endpoint>`` — the nine signed V3 endpoints and the two unsigned calls the
  hosted pages make (``cc_pfpurchase``, ``cc_pfaddcard``). Every envelope, FAIL
  included, comes with HTTP 200.
- ``GET /cc/purchase?key=`` and ``GET /cc/addcard?key=`` — the hosted card pages.
- ``/sandbox/...`` — the admin API (settle, faults, orders, reset, advance, status).

Anything else is a 404 with a JSON body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .clock import SandboxClock, advance_seconds
from .engine import HOSTED_ENDPOINTS, SIGNED_ENDPOINTS, Engine, SessionView, fail
from .faults import HANG_LIMIT_S, FaultSet, FaultSpec

__all__ = ["MAX_BODY_BYTES", "FaultMiddleware", "build_app"]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
_V3_ENDPOINTS = frozenset(SIGNED_ENDPOINTS + HOSTED_ENDPOINTS)


class _Envelope(JSONResponse):
    """IOTPay's envelope: always HTTP 200, never cached."""

    def __init__(self, content: dict[str, Any]) -> None:
        super().__init__(content, status_code=200, headers={"Cache-Control": "no-store"})


async def _read_limited(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, or (b"", True) when it is larger than ``limit`` (the rest is drained)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
    if size > limit:
        return b"", True
    return b"".join(chunks), False


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


class _Context:
    def __init__(
        self,
        engine: Engine,
        faults: FaultSet,
        clock: SandboxClock,
        cutoff_text: str,
    ) -> None:
        self.engine = engine
        self.faults = faults
        self.clock = clock
        self.cutoff_text = cutoff_text


# ---------------------------------------------------------------------- /v3


def _v3_handler(ctx: _Context) -> Callable[[Request], Any]:
    async def v3(request: Request) -> Response:
        endpoint = request.path_params["endpoint"]
        if endpoint not in _V3_ENDPOINTS:
            return _not_found_json(request.url.path)
        body, too_big = await _read_limited(request, MAX_BODY_BYTES)
        if too_big:
            return _Envelope(fail(f"request body: larger than {MAX_BODY_BYTES // 1024} KiB"))
        if not _is_json(request.headers.get("content-type", "")):
            return _Envelope(fail("Content-Type: must be application/json"))
        try:
            params = json.loads(body)
        except (ValueError, RecursionError):
            return _Envelope(fail("request body: not valid JSON"))
        return _Envelope(ctx.engine.handle(endpoint, params, base_url=_base_url(request)))

    return v3


# ---------------------------------------------------------------------- hosted pages


def _page_handler(ctx: _Context, kind: str) -> Callable[[Request], Any]:
    async def page(request: Request) -> Response:
        # Imported here: the page module is large and only these two routes need it.
        from .hosted import render_card_page, render_error_page

        key = request.query_params.get("key", "")
        view: SessionView = ctx.engine.session_view(kind, key)
        headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        if view.state == "unknown":
            return HTMLResponse(
                render_error_page("Page not found", "This payment page does not exist."),
                status_code=404,
                headers=headers,
            )
        if view.state != "ok":
            text = (
                "This payment page was already used."
                if view.state == "used"
                else "This payment page has expired. Please start again."
            )
            return HTMLResponse(
                render_error_page("Page expired", text), status_code=410, headers=headers
            )
        real = ctx.clock.real_seconds(view.expires_in_s)
        expires_in = int(real if math.isfinite(real) else view.expires_in_s)
        page_html = render_card_page(
            "purchase" if kind == "purchase" else "addcard",
            secure_id=key,
            merchant_name=view.merchant_name,
            amount_cents=view.amount_cents,
            currency=view.currency,
            expires_in_s=expires_in,
        )
        return HTMLResponse(page_html, headers=headers)

    return page


# ---------------------------------------------------------------------- admin


async def _json_body(request: Request) -> dict[str, Any]:
    body, too_big = await _read_limited(request, MAX_BODY_BYTES)
    if too_big:
        raise HTTPException(413, "body larger than 64 KiB")
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise HTTPException(400, "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "body must be a JSON object")
    return data


def _admin_routes(ctx: _Context) -> list[Route]:
    async def settle(request: Request) -> Response:
        data = await _json_body(request)
        mch_id = data.get("mchId")
        if mch_id is not None and not isinstance(mch_id, str):
            raise HTTPException(400, "mchId must be text")
        return JSONResponse({"settled": ctx.engine.settle(mch_id or None)})

    async def faults_get(request: Request) -> Response:
        return JSONResponse({"faults": [f.to_dict() for f in ctx.faults.active()]})

    async def faults_set(request: Request) -> Response:
        data = await _json_body(request)
        raw = data.get("faults")
        if not isinstance(raw, list):
            raise HTTPException(400, "faults: must be a list (an empty list clears them)")
        try:
            specs = [FaultSpec.from_dict(item) for item in raw]
        except (ValueError, TypeError) as exc:
            raise HTTPException(400, str(exc)) from None
        ctx.faults.set(specs)
        return JSONResponse({"faults": [f.to_dict() for f in specs]})

    async def orders(request: Request) -> Response:
        mch_id = request.query_params.get("mchId") or None
        return JSONResponse({"orders": ctx.engine.orders(mch_id)})

    async def reset(request: Request) -> Response:
        await _json_body(request)
        ctx.engine.reset()
        ctx.faults.clear()
        return JSONResponse({"reset": True})

    async def advance(request: Request) -> Response:
        data = await _json_body(request)
        try:  # a finite number of seconds, 0 to 366 days, never past the year 2199
            ctx.clock.advance(advance_seconds(data.get("seconds")))
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return JSONResponse({"now": ctx.clock.local_now().strftime("%Y-%m-%d %H:%M:%S")})

    async def status(request: Request) -> Response:
        return JSONResponse(
            {
                "now": ctx.clock.local_now().strftime("%Y-%m-%d %H:%M:%S"),
                "timeZone": "America/Toronto",
                "timeScale": ctx.clock.time_scale,
                "frozen": ctx.clock.frozen,
                "cutoff": ctx.cutoff_text,
                "merchants": [
                    {"mchId": m.mch_id, "name": m.name, "loginName": m.login}
                    for m in ctx.engine.merchants()
                ],
            }
        )

    return [
        Route("/sandbox/settle", settle, methods=["POST"]),
        Route("/sandbox/faults", faults_get, methods=["GET"]),
        Route("/sandbox/faults", faults_set, methods=["POST"]),
        Route("/sandbox/orders", orders, methods=["GET"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/advance", advance, methods=["POST"]),
        Route("/sandbox/status", status, methods=["GET"]),
    ]


# ---------------------------------------------------------------------- errors


def _not_found_json(path: str) -> JSONResponse:
    return JSONResponse({"error": "not found", "path": path}, status_code=404)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return _not_found_json(request.url.path)
    return JSONResponse(
        {"error": exc.detail}, status_code=exc.status_code, headers=dict(exc.headers or {})
    )


# ---------------------------------------------------------------------- faults


class FaultMiddleware:
    """Applies the faults in force to ``/v3/...`` calls (see :mod:`.faults`).

    ``drop_after_commit`` and ``hang`` end a connection with no answer at all. ASGI has no
    message for that, so the transport is aborted directly.
    """

    def __init__(self, app: ASGIApp, faults: FaultSet, stopping: Callable[[], asyncio.Event]):
        self.app = app
        self.faults = faults
        self.stopping = stopping

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.faults or not scope["path"].startswith("/v3/"):
            await self.app(scope, receive, send)
            return
        hits = self.faults.take(scope["path"][len("/v3/") :])
        if not hits:
            await self.app(scope, receive, send)
            return
        kinds = {f.kind for f in hits}
        latency_ms = sum(f.latency_ms for f in hits if f.kind == "latency")
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)
        if "hang" in kinds:
            await self._hang(receive, send)
        elif "error500" in kinds:
            await _send_500(send)
        elif "drop_after_commit" in kinds:
            await self.app(scope, receive, _discard)  # committed, answer thrown away
            await _drop_connection(send)
        elif "malformed_json" in kinds:
            await self._malformed(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _hang(self, receive: Receive, send: Send) -> None:
        async def until_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        waiters = [
            asyncio.ensure_future(until_disconnect()),
            asyncio.ensure_future(self.stopping().wait()),
        ]
        try:
            done, _ = await asyncio.wait(
                waiters, timeout=HANG_LIMIT_S, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for w in waiters:
                w.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        if waiters[0] not in done:  # shutdown or the server-side limit: cut it
            await _drop_connection(send)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send) -> None:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, capture)
        body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
        broken = body[: len(body) // 2] if len(body) >= 4 else b'{"retCode":'
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(broken)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": broken})


async def _discard(message: Message) -> None:
    return None


async def _send_500(send: Send) -> None:
    body = b"Internal Server Error"
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(send: Send) -> None:
    """Close the client's connection without a byte of answer."""
    # WORKAROUND: ASGI cannot close an HTTP connection without a response, and uvicorn
    # exposes no extension for it. uvicorn's ``send`` is a bound method of its
    # request/response cycle, which holds the transport; abort that. uvicorn then sees
    # the cycle as disconnected and neither logs nor answers.
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        # Another server: start an answer and never finish it; the client still gets a
        # transport error, not an envelope.
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise ConnectionAbortedError("connection dropped by fault injection")
    transport.abort()
    for _ in range(20):  # let connection_lost run so uvicorn marks the cycle disconnected
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)


# ---------------------------------------------------------------------- app


def build_app(
    engine: Engine,
    faults: FaultSet,
    clock: SandboxClock,
    *,
    cutoff_text: str,
    stopping: Callable[[], asyncio.Event],
) -> ASGIApp:
    ctx = _Context(engine, faults, clock, cutoff_text)
    routes = [
        Route("/v3/{endpoint}", _v3_handler(ctx), methods=["POST"]),
        Route("/cc/purchase", _page_handler(ctx, "purchase"), methods=["GET"]),
        Route("/cc/addcard", _page_handler(ctx, "addcard"), methods=["GET"]),
        *_admin_routes(ctx),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    return FaultMiddleware(app, faults, stopping)

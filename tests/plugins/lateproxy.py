"""A loopback HTTP proxy in front of the sandbox that delivers chosen calls late.

The desk's worst case for money: IOTPay commits a call *after* the desk stopped waiting
for its answer (a congested IOTPay, a proxy on the way that delivers late). The proxy
holds the next calls of one endpoint (``hold("cc_refund")``) while the desk's client
times out, and delivers them to the sandbox only when the test says so
(``release()``): the sandbox then commits them, exactly as a late IOTPay would. The
answers of late calls go nowhere (the client is gone).

Every other call passes straight through. Built on Starlette and uvicorn, like the
sandbox, in a thread of its own with its own event loop.

- ``late_proxy``: a started :class:`LateProxy` in front of the ``sandbox`` fixture.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from iotpay_desk.asgi import Uvicorn, bind
from iotpay_desk.sandbox import SandboxServer

_HOP_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


class LateProxy:
    """``url`` is what the desk's client talks to; calls reach ``upstream``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._sock, self.url = bind("127.0.0.1", 0)
        self._lock = threading.Lock()
        self._holds: dict[str, int] = {}
        self._held: list[asyncio.Event] = []
        self._delivered = 0
        self._delivered_cond = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Uvicorn | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    # -- what the test says

    def hold(self, endpoint: str, count: int = 1) -> None:
        """Hold the next ``count`` calls of ``/v3/<endpoint>`` until :meth:`release`."""
        with self._lock:
            self._holds[endpoint] = self._holds.get(endpoint, 0) + count

    def cancel_holds(self) -> None:
        """Forget holds that no call has used yet (calls held already stay held)."""
        with self._lock:
            self._holds.clear()

    @property
    def held(self) -> int:
        """Calls held now, not yet delivered."""
        with self._lock:
            return sum(1 for e in self._held if not e.is_set())

    def wait_held(self, n: int = 1, within: float = 10.0) -> None:
        """Wait until ``n`` calls are being held."""
        deadline = threading.Event()
        for _ in range(int(within / 0.01)):
            if self.held >= n:
                return
            deadline.wait(0.01)
        raise AssertionError(f"{n} held call(s) expected, {self.held} held")

    def release(self, within: float = 10.0) -> None:
        """Deliver every held call to the sandbox now and wait until it answered them."""
        loop = self._loop
        assert loop is not None
        with self._lock:
            events = [e for e in self._held if not e.is_set()]
            target = self._delivered + len(events)
        for event in events:
            loop.call_soon_threadsafe(event.set)
        with self._delivered_cond:
            if not self._delivered_cond.wait_for(lambda: self._delivered >= target, within):
                raise AssertionError("the held calls were not delivered in time")

    # -- serving

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        endpoint = request.url.path.rsplit("/", 1)[-1]
        event: asyncio.Event | None = None
        with self._lock:
            if self._holds.get(endpoint, 0) > 0:
                self._holds[endpoint] -= 1
                event = asyncio.Event()
                self._held.append(event)
        if event is not None:
            await event.wait()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        async with httpx.AsyncClient(trust_env=False, timeout=30.0) as http:
            upstream = await http.request(
                request.method,
                f"{self.upstream}{request.url.path}",
                params=request.query_params,
                content=body,
                headers=headers,
            )
        if event is not None:
            with self._delivered_cond:
                self._delivered += 1
                self._delivered_cond.notify_all()
        out = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS}
        out.pop("content-encoding", None)
        return Response(upstream.content, status_code=upstream.status_code, headers=out)

    def start(self) -> None:
        app = Starlette(routes=[Route("/{path:path}", self._forward, methods=["GET", "POST"])])
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off", loop="none", ws="none"
        )
        server = Uvicorn(config)
        self._server = server

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)

            async def main() -> None:
                task = asyncio.create_task(server.serve(sockets=[self._sock]))
                while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn's flag
                    await asyncio.sleep(0.005)
                self._ready.set()
                await task

            try:
                loop.run_until_complete(main())
            finally:
                self._ready.set()
                loop.close()

        self._thread = threading.Thread(target=run, name="late-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10.0) or not server.started:
            raise RuntimeError("the late proxy did not start")

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is not None and server is not None and not loop.is_closed():
            with self._lock:
                held = [e for e in self._held if not e.is_set()]
            for event in held:  # let held calls end: their answers go nowhere
                loop.call_soon_threadsafe(event.set)
            loop.call_soon_threadsafe(server.request_exit)
        if self._thread is not None:
            self._thread.join(15.0)
        self._sock.close()


@pytest.fixture
def late_proxy(sandbox: SandboxServer) -> Iterator[LateProxy]:
    proxy = LateProxy(sandbox.url)
    proxy.start()
    yield proxy
    proxy.stop()

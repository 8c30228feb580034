"""Run the sandbox: uvicorn on loopback, in-process (own thread) or as the CLI's main loop.

::

    srv = SandboxServer(merchants=[DEMO_MERCHANT], time_scale=60)
    url = srv.start_in_thread()     # "http://127.0.0.1:PORT", ready to serve
    ...
    srv.stop_in_thread()            # clean shutdown; idempotent

``await srv.serve()`` runs it on the current loop until cancelled or :meth:`request_stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import time as dtime
from pathlib import Path
from typing import Any

import uvicorn

from iotpay_desk.asgi import Uvicorn as _Uvicorn
from iotpay_desk.asgi import bind, loop_factory

from .clock import SandboxClock, parse_cutoff
from .engine import Engine
from .faults import FaultSet, FaultSpec
from .merchants import DEMO_MERCHANT, Merchant
from .notifier import Notifier
from .store import Store
from .web import build_app

__all__ = ["SandboxServer", "loop_factory"]

START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0


class SandboxServer:
    """The local IOTPay V3 sandbox.

    With no ``merchants`` (or an empty list) the demo merchant is used
    (:data:`DEMO_MERCHANT`). Merchants given replace stored ones with the same mchId.
    ``data_path`` is the SQLite file (``None``: in memory, lost at stop). ``clock``
    overrides ``time_scale`` (pass ``SandboxClock(frozen=True)`` for tests that move
    time only with :meth:`advance`).
    """

    def __init__(
        self,
        merchants: Sequence[Merchant] | None = None,
        *,
        data_path: Path | str | None = None,
        cutoff: str = "21:00",
        time_scale: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Sequence[FaultSpec] = (),
        clock: SandboxClock | None = None,
        notify_timeout: float = 5.0,
    ) -> None:
        self.merchants: list[Merchant] = list(merchants) if merchants else [DEMO_MERCHANT]
        self.data_path = Path(data_path) if data_path is not None else None
        self.cutoff_text = cutoff
        self.cutoff: dtime = parse_cutoff(cutoff)
        self.clock = clock if clock is not None else SandboxClock(time_scale=time_scale)
        self.host = host
        self.port = port
        self.faults = FaultSet(faults)
        self.notify_timeout = notify_timeout
        self._engine: Engine | None = None
        self._sock: socket.socket | None = None
        self._url: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._uv: _Uvicorn | None = None
        self._stopping: asyncio.Event | None = None
        self._notifier: Notifier | None = None
        self._thread: threading.Thread | None = None
        self._thread_error: BaseException | None = None
        self._ready = threading.Event()
        self._unsubscribe: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"SandboxServer(url={self._url!r}, merchants={[m.mch_id for m in self.merchants]})"

    # ------------------------------------------------------------------ state

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` once bound (raises before)."""
        if self._url is None:
            raise RuntimeError("the sandbox is not started")
        return self._url

    @property
    def engine(self) -> Engine:
        return self._open()

    def _open(self) -> Engine:
        if self._engine is None:
            store = Store(self.data_path)
            try:
                engine = Engine(store, self.clock, self.cutoff, on_change=self._wake)
                engine.upsert_merchants(self.merchants)
            except BaseException:
                store.close()
                raise
            self._engine = engine
            self._unsubscribe = self.clock.subscribe(self._wake)
        return self._engine

    def _close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._engine is not None:
            self._engine.store.close()
            self._engine = None

    def _bind(self) -> socket.socket:
        if self._sock is None:
            self._sock, self._url = bind(self.host, self.port)
        return self._sock

    def _wake(self) -> None:
        """Any thread: wake the background task (new work, or time moved)."""
        loop, notifier = self._loop, self._notifier
        if loop is None or notifier is None or loop.is_closed():
            return
        try:
            if _running_in(loop):
                notifier.wake()
            else:
                loop.call_soon_threadsafe(notifier.wake)
        except RuntimeError:  # the loop closed meanwhile
            pass

    # ------------------------------------------------------------------ serving

    async def serve(self) -> None:
        """Serve on the current loop until cancelled or :meth:`request_stop`."""
        self._ready.clear()
        try:
            engine = self._open()
            sock = self._bind()
        except BaseException:
            self._close_unstarted()
            self._ready.set()  # wake waiters: wait_ready raises
            raise
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        stopping = self._stopping
        config = uvicorn.Config(
            build_app(
                engine,
                self.faults,
                self.clock,
                cutoff_text=self.cutoff_text,
                stopping=lambda: stopping,
            ),
            log_config=None,
            access_log=False,
            lifespan="off",
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=5,
            timeout_keep_alive=30,
            loop="none",
            ws="none",
        )
        uv = _Uvicorn(config)
        self._uv = uv
        notifier = Notifier(engine, self.clock, timeout=self.notify_timeout)
        self._notifier = notifier
        background = asyncio.create_task(notifier.run(), name="sandbox-background")
        serving = asyncio.create_task(uv.serve(sockets=[sock]), name="sandbox-uvicorn")
        try:
            while not uv.started and not serving.done():
                await asyncio.wait({serving}, timeout=0.005)
            if serving.done():
                serving.result()  # startup failed: raise its error
            else:
                self._ready.set()
            try:
                await asyncio.shield(serving)
            except asyncio.CancelledError:
                self.request_stop()
                await serving
                raise
        finally:
            self._ready.set()  # wake anyone still waiting, also when startup failed
            background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await background
            self._notifier = None
            self._uv = None
            self._sock = None  # uvicorn closed it
            self._loop = None
            self._close()

    def request_stop(self) -> None:
        """From the server loop's thread: begin a clean shutdown."""
        if self._stopping is not None:
            self._stopping.set()
        if self._uv is not None:
            self._uv.request_exit()

    async def wait_ready(self) -> str:
        """For callers of :meth:`serve` on the same loop: wait until it accepts connections."""
        await asyncio.to_thread(self._ready.wait)
        if self._uv is None or not self._uv.started:
            raise RuntimeError("the sandbox did not start")
        return self.url

    # ------------------------------------------------------------------ own thread

    def start_in_thread(self) -> str:
        """Start serving on a daemon thread with its own loop; return the URL once ready."""
        if self._thread is not None and self._thread.is_alive():
            return self.url
        self._thread_error = None
        self._ready.clear()
        self._open()
        try:
            self._bind()
        except BaseException:
            self._close()
            raise
        self._thread = threading.Thread(
            target=self._thread_main, name=f"iotpay-sandbox-{self.url}", daemon=True
        )
        self._thread.start()
        ready = self._ready.wait(START_TIMEOUT_S)
        uv = self._uv
        if not ready or uv is None or not uv.started or self._thread_error is not None:
            error = self._thread_error
            self.stop_in_thread()
            raise RuntimeError("the sandbox did not start") from error
        return self.url

    def _thread_main(self) -> None:
        try:
            with asyncio.Runner(loop_factory=loop_factory()) as runner:
                runner.run(self.serve())
        except BaseException as exc:
            self._thread_error = exc
        finally:
            self._ready.set()

    def stop_in_thread(self) -> None:
        """Shut down cleanly and join the thread. Safe to call twice or before start."""
        thread = self._thread
        if thread is None:
            self._close_unstarted()
            return
        loop = self._loop
        if loop is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.request_stop)
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            raise RuntimeError("the sandbox did not stop in time")
        self._thread = None
        self._ready.clear()

    def _close_unstarted(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._close()

    # ------------------------------------------------------------------ in-process admin

    def set_faults(self, faults: Sequence[FaultSpec]) -> None:
        """Replace the faults in force (as ``POST /sandbox/faults``)."""
        self.faults.set(faults)

    def clear_faults(self) -> None:
        self.faults.clear()

    def settle(self, mch_id: str | None = None) -> int:
        """Settle now (as ``POST /sandbox/settle``); returns how many payments settled."""
        return self.engine.settle(mch_id)

    def advance(self, seconds: float) -> None:
        """Move sandbox time forward (settlement, secureId expiry, pending card, notify)."""
        self.clock.advance(seconds)

    def orders(self, mch_id: str | None = None) -> list[dict[str, Any]]:
        """Every order with sandbox detail (as ``GET /sandbox/orders``)."""
        return self.engine.orders(mch_id)

    def reset(self) -> None:
        """Forget orders, cards and pages; clear faults (as ``POST /sandbox/reset``)."""
        self.engine.reset()
        self.faults.clear()


def _running_in(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False

"""The sandbox's background work: pending payments, settlement at the cut-off, notify.

One task on the server's event loop. It sleeps until the next thing is due (in real
seconds, from the sandbox clock), or until woken (a new order, ``advance``), then lets
the engine resolve what is due and delivers the notifications it claims.

Notify (reference section 6): a signed JSON POST of the order to ``notifyUrl``; an
answer of HTTP 200 with body ``SUCCESS`` (any case, surrounding blanks ignored)
acknowledges it and the order's status moves 2 → 3. Otherwise it is tried again
``attempt × 60`` sandbox seconds later, at most 5 attempts in all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math

import httpx

from .clock import SandboxClock
from .engine import Engine, NotifyJob

__all__ = ["Notifier"]

log = logging.getLogger(__name__)

MAX_IDLE_S = 1.0  # re-check at least this often (real seconds)
MAX_ANSWER_BYTES = 4096


class Notifier:
    """Runs on the server loop; :meth:`wake` must be called from that loop's thread."""

    def __init__(self, engine: Engine, clock: SandboxClock, *, timeout: float = 5.0) -> None:
        self.engine = engine
        self.clock = clock
        self.timeout = timeout
        self._wake = asyncio.Event()
        self._inflight: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout),
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": "IOTPay-sandbox-notify"},
        ) as http:
            try:
                while True:
                    self._wake.clear()
                    for job in self.engine.tick(exclude=self._inflight):
                        self._inflight.add(job.pay_order_id)
                        task = asyncio.create_task(self._deliver(http, job))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                    await self._sleep()
            finally:
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _sleep(self) -> None:
        due = self.engine.next_due()
        delay = MAX_IDLE_S
        if due is not None:
            delay = min(MAX_IDLE_S, self.clock.real_seconds(due - self.clock.now()))
            if math.isnan(delay):
                delay = MAX_IDLE_S
            delay = max(delay, 0.01)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)

    async def _deliver(self, http: httpx.AsyncClient, job: NotifyJob) -> None:
        status: int | None = None
        acked = False
        try:
            body = json.dumps(job.body, ensure_ascii=False, separators=(",", ":")).encode()
            resp = await http.post(
                job.url,
                content=body,
                headers={"Content-Type": "application/json;charset=UTF-8"},
            )
            status = resp.status_code
            answer = resp.content[:MAX_ANSWER_BYTES].decode("utf-8", "replace").strip()
            acked = status == 200 and answer.upper() == "SUCCESS"
            result = "acknowledged" if acked else f"answered {answer[:40]!r}"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            result = f"no answer: {type(exc).__name__}"
        except Exception as exc:  # a receiver must never break the sandbox
            log.warning("notify %s failed unexpectedly", job.pay_order_id, exc_info=True)
            result = f"no answer: {type(exc).__name__}"
        try:
            self.engine.notify_done(job, acked=acked, http_status=status, result=result)
        finally:
            self._inflight.discard(job.pay_order_id)
            self._wake.set()
        log.debug("notify %s attempt %d: %s", job.pay_order_id, job.attempt, result)

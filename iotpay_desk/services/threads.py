"""Blocking ledger work run in worker threads, followed until each thread returns.

``asyncio.to_thread`` cannot stop its thread: a caller cancelled (a background check
stopped at close, a dialog closed) leaves, while the thread goes on with a connection
of the ledger's pool. Closed meanwhile, the pool is no longer there to take that
connection back, and it is left open. :meth:`ThreadCalls.idle` waits for every such
thread, so a service's owner closes the ledger only after them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

__all__ = ["ThreadCalls"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


class ThreadCalls:
    def __init__(self) -> None:
        self._running: set[asyncio.Future[Any]] = set()

    async def run(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``fn(*args, **kwargs)`` in a worker thread; a cancelled caller leaves at once,
        the thread is followed until it returns."""
        call = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
        self._running.add(call)
        call.add_done_callback(self._finished)
        return await asyncio.shield(call)

    def _finished(self, call: asyncio.Future[Any]) -> None:
        self._running.discard(call)
        if not call.cancelled():
            call.exception()  # its caller may have left: its failure is not unretrieved

    @property
    def busy(self) -> bool:
        return bool(self._running)

    async def idle(self) -> None:
        """Return once no thread started here is running."""
        while self._running:
            await asyncio.wait(set(self._running))

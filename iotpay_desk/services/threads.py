"""Blocking ledger work run in worker threads, followed until each thread returns.

``asyncio.to_thread`` cannot stop its thread: a caller cancelled (a background check
stopped at close, a dialog closed) leaves, while the thread goes on with a connection
of the ledger's pool. Closed meanwhile, the pool is no longer there to take that
connection back, and it is left open. :meth:`ThreadCalls.idle` waits for every such
thread, so a service's owner closes the ledger only after them.

:func:`background_executor` is the desk's pool of worker threads (the event loop's
default executor): each worker runs at a lower priority than the GUI thread, so that on
a busy machine the window is served first (see :func:`lower_this_thread`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

__all__ = ["BACKGROUND_NICENESS", "ThreadCalls", "background_executor", "lower_this_thread"]

#: How much lower than the GUI thread a worker runs (Linux nice levels: each level is
#: about 10 % less CPU when both want it; 5 gives the GUI thread about three times the
#: worker's share).
BACKGROUND_NICENESS = 5

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


def lower_this_thread(niceness: int = BACKGROUND_NICENESS) -> None:
    """Run the calling thread ``niceness`` levels below the thread that made it.

    The GUI thread and the workers share the machine's cores (two, on the desks this
    was measured on) with everything else that runs: a worker that reads the ledger
    (SQLite, SQLAlchemy's rows) at the GUI thread's priority keeps it waiting in the
    run queue for whole time slices, and the window stalls. Linux sets nice values per
    thread (``setpriority`` on the thread's id); raising one's own needs no privilege.
    Elsewhere this does nothing (the workers run at the normal priority)."""
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + niceness)


def background_executor(max_workers: int | None = None) -> ThreadPoolExecutor:
    """Worker threads at a lower priority than the GUI thread (:func:`lower_this_thread`):
    the event loop's default executor, which ``asyncio.to_thread`` uses."""
    return ThreadPoolExecutor(
        max_workers=max_workers, thread_name_prefix="desk-work", initializer=lower_this_thread
    )

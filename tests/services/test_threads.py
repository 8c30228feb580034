"""Journal work in worker threads is followed until each thread returns, so a service's
owner closes the ledger only after it (a cancelled caller's thread still holds one of
the pool's connections)."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
import time

import pytest

from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.services import CardService, MoneyService
from iotpay_desk.services.threads import BACKGROUND_NICENESS, ThreadCalls, background_executor


@pytest.mark.asyncio
async def test_a_cancelled_caller_leaves_at_once_and_idle_waits_for_its_thread() -> None:
    calls = ThreadCalls()
    release = threading.Event()
    finished: list[str] = []

    def slow() -> str:
        release.wait(5)
        time.sleep(0.05)
        finished.append("done")
        return "done"

    caller = asyncio.ensure_future(calls.run(slow))
    await asyncio.sleep(0.05)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert calls.busy  # the thread goes on
    waiting = asyncio.ensure_future(calls.idle())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    release.set()
    await asyncio.wait_for(waiting, 5)
    assert finished == ["done"]
    assert not calls.busy


@pytest.mark.asyncio
async def test_results_and_failures_reach_the_caller() -> None:
    calls = ThreadCalls()

    def fail() -> None:
        raise LookupError("no such row")

    assert await calls.run(lambda a, b: a + b, 2, b=3) == 5
    with pytest.raises(LookupError, match="no such row"):
        await calls.run(fail)
    await calls.idle()


@pytest.mark.asyncio
async def test_a_failure_after_its_caller_left_is_no_unretrieved_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = ThreadCalls()
    release = threading.Event()

    def fail_later() -> None:
        release.wait(5)
        raise LookupError("late")

    caller = asyncio.ensure_future(calls.run(fail_later))
    await asyncio.sleep(0.02)
    caller.cancel()
    release.set()
    await calls.idle()
    gc.collect()  # an unretrieved failure is reported when its future is collected
    assert "never retrieved" not in caplog.text


@pytest.mark.asyncio
async def test_the_services_wait_for_journal_work_whose_caller_left(
    service: MoneyService, cards: CardService, journal: LedgerJournal
) -> None:
    """What closing a session relies on: money and cards say idle only once their threads
    are back (then closing the ledger closes every connection)."""
    release = threading.Event()

    def slow_read() -> int:
        release.wait(5)
        return len(journal.recent_lookups(service.mch_id, 5))

    for owner, db in ((service, service._ctx.db), (cards, cards._db)):
        caller = asyncio.ensure_future(db(slow_read))
        await asyncio.sleep(0.02)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        waiting = asyncio.ensure_future(owner.wait_idle())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        release.set()
        await asyncio.wait_for(waiting, 5)
        release.clear()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
@pytest.mark.asyncio
async def test_the_desk_s_workers_run_below_the_calling_thread_s_priority() -> None:
    """``asyncio.to_thread`` on a loop with the desk's executor runs at a nice value
    BACKGROUND_NICENESS above the thread that made the pool; the caller's own is left."""
    me = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    loop = asyncio.get_running_loop()
    executor = background_executor(max_workers=2)
    loop.set_default_executor(executor)
    try:

        def niceness() -> int:
            return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

        seen = {await asyncio.to_thread(niceness) for _ in range(6)}
        # A worker at nice 19 stays there (the ceiling); below it, five levels lower.
        assert seen == {min(19, me + BACKGROUND_NICENESS)}
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == me
        names = {await asyncio.to_thread(lambda: threading.current_thread().name)}
        assert all(n.startswith("desk-work") for n in names)
    finally:
        executor.shutdown(wait=True)

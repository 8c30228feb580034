"""The ledger watch's own rules, with a probe that is a plain function."""

from __future__ import annotations

import asyncio
import threading

import pytest

from iotpay_desk.journal.errors import LedgerUnavailable
from iotpay_desk.services.ledgerwatch import LedgerWatch

pytestmark = pytest.mark.asyncio


async def test_stop_waits_for_a_question_still_in_flight() -> None:
    """The watch is stopped while its worker thread is still asking the ledger: stop
    returns only once the question ended, so the ledger closed after it is not closed
    under a connection in use (which would be left open, outside the closed pool)."""
    entered, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def probe() -> None:
        entered.set()
        release.wait(5)
        finished.append("probe")

    watch = LedgerWatch(probe, first_retry=0.01, max_retry=0.01, heartbeat=0.01)
    watch.start()
    assert await asyncio.to_thread(entered.wait, 5)
    stopping = asyncio.ensure_future(watch.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # still waiting for the thread
    release.set()
    await asyncio.wait_for(stopping, 5)
    assert finished == ["probe"]


async def test_a_failed_question_in_flight_at_stop_is_not_left_unretrieved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    entered, release = threading.Event(), threading.Event()

    def probe() -> None:
        entered.set()
        release.wait(5)
        raise LedgerUnavailable("here", "gone")

    watch = LedgerWatch(probe, first_retry=0.01, max_retry=0.01, heartbeat=0.01)
    watch.start()
    assert await asyncio.to_thread(entered.wait, 5)
    stopping = asyncio.ensure_future(watch.stop())
    await asyncio.sleep(0.02)
    release.set()
    await asyncio.wait_for(stopping, 5)
    await asyncio.sleep(0)
    assert "never retrieved" not in caplog.text
    assert watch.available  # a question that ends after stop changes nothing


async def test_try_now_reports_gone_then_back() -> None:
    answers: list[BaseException | None] = [LedgerUnavailable("here", "gone"), None]

    def probe() -> None:
        exc = answers.pop(0)
        if exc is not None:
            raise exc

    watch = LedgerWatch(probe, heartbeat=None)
    state = await watch.try_now()
    assert not state.available
    assert state.retrying
    state = await watch.try_now()
    assert state.available

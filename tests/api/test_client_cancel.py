"""Callers cancelled in the middle of a request (an import stopped, a dialog closed)
never leave the client's connections unusable: against the real sandbox over HTTP on
loopback, with latency so that cancellations land at every stage of a request."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from iotpay_desk.api import IotPayClient, QueryRequest
from iotpay_desk.api.client import default_http_pools
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from tests.services.conftest import pay


@pytest.mark.asyncio
async def test_requests_cancelled_at_any_moment_leave_every_connection_usable(
    sandbox: SandboxServer,
) -> None:
    pools = default_http_pools(timeout=3.0)  # the desk's: 5 pools of 4 connections
    client = IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=pools)
    try:
        order = await pay(client, 1500)
        query = QueryRequest(pay_order_id=order.pay_order_id)
        sandbox.set_faults([FaultSpec("latency", "cc_query", latency_ms=40)])
        rng = random.Random(7)
        for _ in range(30):
            callers = [asyncio.create_task(client.query(query)) for _ in range(40)]
            await asyncio.sleep(rng.random() * 0.08)
            for c in callers:
                c.cancel()
            ended = await asyncio.gather(*callers, return_exceptions=True)
            for e in ended:  # answered before the cancel, or cancelled: nothing else
                assert isinstance(e, asyncio.CancelledError) or e.pay_order_id == order.pay_order_id
        sandbox.clear_faults()
        # Every connection serves again: twenty at once, well within the pool timeout
        # (a connection held for ever makes these fail with PoolTimeout after 3 s).
        answers = await asyncio.wait_for(
            asyncio.gather(*(client.query(query) for _ in range(20))), timeout=20
        )
        assert [a.pay_order_id for a in answers] == [order.pay_order_id] * 20
        for http in pools:
            # httpx's pool with nothing in flight any more: no request kept as active.
            await _idle(http)
    finally:
        await client.aclose()
        for http in pools:
            await http.aclose()


async def _idle(http: httpx.AsyncClient) -> None:
    pool = http._transport._pool  # type: ignore[attr-defined]
    for _ in range(500):
        if not pool._requests:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"requests still held: {pool!r}")


@pytest.mark.asyncio
async def test_a_cancelled_caller_leaves_at_once_and_closing_waits_for_its_request(
    sandbox: SandboxServer,
) -> None:
    client = IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key)
    order = await pay(client, 1600)
    sandbox.set_faults([FaultSpec("latency", "cc_query", latency_ms=500)])
    caller = asyncio.create_task(client.query(QueryRequest(pay_order_id=order.pay_order_id)))
    await asyncio.sleep(0.1)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert loop.time() - t0 < 0.2  # not held until the answer (0.4 s away)
    assert len(client._sending) == 1  # the request itself runs on to its answer
    t0 = loop.time()
    await client.aclose()
    assert not client._sending
    assert 0.2 < loop.time() - t0 < 1.5  # closing let it end (answered after 0.5 s)

"""Uniqueness and money rules hold under concurrent requests."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from iotpay_desk.sandbox import SandboxServer

from .helpers import bind_card, charge, signed


async def race(url: str, endpoint: str, bodies: list[dict[str, object]]) -> list[dict[str, object]]:
    """Send all bodies at once, each on its own connection; return the envelopes."""
    async with httpx.AsyncClient(
        base_url=url, timeout=10, limits=httpx.Limits(max_connections=len(bodies))
    ) as client:
        barrier = asyncio.Event()

        async def one(body: dict[str, object]) -> dict[str, object]:
            await barrier.wait()
            resp = await client.post(f"/v3/{endpoint}", json=body)
            assert resp.status_code == 200
            envelope: dict[str, object] = resp.json()
            return envelope

        tasks = [asyncio.create_task(one(b)) for b in bodies]
        await asyncio.sleep(0.05)
        barrier.set()
        return list(await asyncio.gather(*tasks))


@pytest.mark.asyncio
async def test_twenty_racing_charges_with_one_order_number_make_one_order(
    sandbox: SandboxServer,
) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        card_id = bind_card(http)
    # Each request differs (amount) so each is its own signed message.
    bodies = [
        signed({"mchOrderNo": "RACE-1", "cardId": card_id, "amount": 100 + i, "loginName": "op1"})
        for i in range(20)
    ]
    envelopes = await race(sandbox.url, "cc_purchasewithtoken", bodies)
    codes = Counter(e["retCode"] for e in envelopes)
    assert codes == {"SUCCESS": 1, "FAIL": 19}
    assert all(
        str(e["retMsg"]).startswith("mchOrderNo: already used")
        for e in envelopes
        if e["retCode"] == "FAIL"
    )
    orders = [o for o in sandbox.orders() if o["mchOrderNo"] == "RACE-1"]
    assert len(orders) == 1
    (winner,) = [e for e in envelopes if e["retCode"] == "SUCCESS"]
    assert orders[0]["amount"] == winner["retData"]["amount"]  # type: ignore[index]


@pytest.mark.asyncio
async def test_racing_refunds_never_return_more_than_was_paid(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        paid = charge(http, bind_card(http), amount=1000)
    sandbox.settle()
    bodies = [
        signed(
            {
                "mchRefundNo": f"RR-{i}",
                "loginName": "op1",
                "refundAmount": 300,
                "payOrderId": paid["payOrderId"],
            }
        )
        for i in range(12)
    ]
    envelopes = await race(sandbox.url, "cc_refund", bodies)
    assert Counter(e["retCode"] for e in envelopes) == {"SUCCESS": 3, "FAIL": 9}
    orders = {o["payOrderId"]: o for o in sandbox.orders()}
    refunds = [o for o in orders.values() if o["originalOrderId"] == paid["payOrderId"]]
    assert sum(o["amount"] for o in refunds) == 900
    assert orders[paid["payOrderId"]]["refundable"] == 100


@pytest.mark.asyncio
async def test_racing_voids_of_one_payment_make_one_void(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        paid = charge(http, bind_card(http), amount=1000)
    bodies = [
        signed({"mchRefundNo": f"VV-{i}", "loginName": "op1", "payOrderId": paid["payOrderId"]})
        for i in range(10)
    ]
    envelopes = await race(sandbox.url, "cc_void", bodies)
    assert Counter(e["retCode"] for e in envelopes) == {"SUCCESS": 1, "FAIL": 9}
    voids = [o for o in sandbox.orders() if o["originalOrderId"] == paid["payOrderId"]]
    assert [o["amount"] for o in voids] == [1000]


@pytest.mark.asyncio
async def test_racing_binds_of_one_card_id_bind_once(sandbox: SandboxServer) -> None:
    numbers = ["4242424242424242", "5555555555554444"] * 5
    bodies = [
        signed(
            {
                "cardId": "RACE-CARD",
                "cardNum": n,
                "expiryDate": "1239",
                "holder": f"H{i}",
                "cvv": "123",
                "loginName": "op1",
            }
        )
        for i, n in enumerate(numbers)
    ]
    envelopes = await race(sandbox.url, "cc_directaddcard", bodies)
    assert Counter(e["retCode"] for e in envelopes) == {"SUCCESS": 1, "FAIL": 9}

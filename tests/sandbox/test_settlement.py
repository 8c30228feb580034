"""Settlement: void before it, refund after it; partial and repeated refunds; the cut-off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from iotpay_desk.sandbox import TORONTO, SandboxClock, SandboxServer

from .helpers import bind_card, charge, ok, query, refused, unique


@pytest.fixture
def http(sandbox_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_url, timeout=10) as client:
        yield client


def refund(http: httpx.Client, pay_order_id: str, amount: int, **extra: Any) -> dict[str, Any]:
    return {
        "mchRefundNo": extra.pop("mchRefundNo", unique("R")),
        "loginName": "op1",
        "refundAmount": amount,
        "payOrderId": pay_order_id,
        **extra,
    }


def void(pay_order_id: str, **extra: Any) -> dict[str, Any]:
    return {"mchRefundNo": unique("V"), "loginName": "op1", "payOrderId": pay_order_id, **extra}


def test_void_before_settlement_returns_everything(http: httpx.Client) -> None:
    paid = charge(http, bind_card(http), amount=2000)
    v = ok(http, "cc_void", void(paid["payOrderId"]))
    assert (v["amount"], v["refundable"], v["payType"]) == (2000, 0, "refund")
    assert v["originalOrderId"] == paid["payOrderId"]
    after = query(http, payOrderId=paid["payOrderId"])
    assert after["refundable"] == 0
    assert after["status"] == 2  # the payment itself stays a success; the void is its own order


def test_refund_before_settlement_is_refused_pointing_to_void(http: httpx.Client) -> None:
    paid = charge(http, bind_card(http), amount=2000)
    msg = refused(http, "cc_refund", refund(http, paid["payOrderId"], 500))
    assert "not settled" in msg
    assert "void" in msg
    assert query(http, payOrderId=paid["payOrderId"])["refundable"] == 2000


def test_void_after_settlement_is_refused_pointing_to_refund(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    paid = charge(http, bind_card(http), amount=2000)
    assert sandbox.settle() >= 1
    msg = refused(http, "cc_void", void(paid["payOrderId"]))
    assert "settled" in msg
    assert "refund" in msg
    assert query(http, payOrderId=paid["payOrderId"])["refundable"] == 2000


def test_partial_and_repeated_refunds_keep_refundable_exact(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    paid = charge(http, bind_card(http), amount=1000)
    sandbox.settle()
    first = ok(http, "cc_refund", refund(http, paid["payOrderId"], 300))
    second = ok(http, "cc_refund", refund(http, paid["payOrderId"], 699))
    assert (first["amount"], second["amount"]) == (300, 699)
    assert query(http, payOrderId=paid["payOrderId"])["refundable"] == 1
    msg = refused(http, "cc_refund", refund(http, paid["payOrderId"], 2))
    assert msg.startswith("refundAmount:")
    assert "refundable" in msg
    last = ok(http, "cc_refund", refund(http, paid["payOrderId"], 1))
    assert last["amount"] == 1
    assert query(http, payOrderId=paid["payOrderId"])["refundable"] == 0
    assert refused(http, "cc_refund", refund(http, paid["payOrderId"], 1)).startswith(
        "refundAmount:"
    )


def test_refund_above_the_amount_is_refused(sandbox: SandboxServer, http: httpx.Client) -> None:
    paid = charge(http, bind_card(http), amount=1000)
    sandbox.settle()
    assert refused(http, "cc_refund", refund(http, paid["payOrderId"], 1001)).startswith(
        "refundAmount:"
    )


def test_each_refund_is_queryable_by_either_id(sandbox: SandboxServer, http: httpx.Client) -> None:
    paid = charge(http, bind_card(http), amount=1000)
    sandbox.settle()
    params = refund(http, paid["payOrderId"], 250)
    r = ok(http, "cc_refund", params)
    assert query(http, mchOrderNo=params["mchRefundNo"]) == r
    assert query(http, payOrderId=r["payOrderId"]) == r
    assert r["mchOrderNo"] == params["mchRefundNo"]


def test_a_refund_number_cannot_be_used_twice(sandbox: SandboxServer, http: httpx.Client) -> None:
    paid = charge(http, bind_card(http), amount=1000)
    sandbox.settle()
    params = refund(http, paid["payOrderId"], 100)
    ok(http, "cc_refund", params)
    assert refused(http, "cc_refund", params).startswith("mchRefundNo: already used")
    assert query(http, payOrderId=paid["payOrderId"])["refundable"] == 900


def test_void_twice_and_refund_after_void_are_refused(http: httpx.Client) -> None:
    paid = charge(http, bind_card(http), amount=1000)
    ok(http, "cc_void", void(paid["payOrderId"]))
    assert "voided" in refused(http, "cc_void", void(paid["payOrderId"]))
    assert "voided" in refused(http, "cc_refund", refund(http, paid["payOrderId"], 1))


def test_declined_and_pending_payments_cannot_be_returned(http: httpx.Client) -> None:
    declined = charge(http, bind_card(http, "4000000000000002"))
    assert declined["status"] == 9
    assert "did not succeed" in refused(http, "cc_void", void(declined["payOrderId"]))


def test_unknown_payment_and_refund_orders_are_refused(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    assert refused(http, "cc_void", void("PC20240101000000123456789012")) == (
        "payOrderId: order not found"
    )
    paid = charge(http, bind_card(http), amount=500)
    sandbox.settle()
    r = ok(http, "cc_refund", refund(http, paid["payOrderId"], 100))
    assert "not a payment" in refused(http, "cc_refund", refund(http, r["payOrderId"], 1))


def test_admin_settle_counts_and_can_be_limited_to_one_merchant(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    card_id = bind_card(http)
    for _ in range(3):
        charge(http, card_id)
    charge(http, bind_card(http, "4000000000000002"))  # declined: nothing to settle
    voided = charge(http, card_id)
    ok(http, "cc_void", void(voided["payOrderId"]))
    assert http.post("/sandbox/settle", json={"mchId": "nobody"}).json() == {"settled": 0}
    assert http.post("/sandbox/settle", json={"mchId": "10000701"}).json() == {"settled": 3}
    assert http.post("/sandbox/settle", content=b"").json() == {"settled": 0}
    charge(http, card_id)
    resp = http.post("/sandbox/settle", json={})
    assert resp.status_code == 200
    assert resp.json() == {"settled": 1}


def test_the_daily_cut_off_settles_payments(sandbox_factory: Callable[..., SandboxServer]) -> None:
    start = datetime(2026, 3, 2, 20, 0, tzinfo=TORONTO)
    srv = sandbox_factory(clock=SandboxClock(start=start, frozen=True), cutoff="21:00")
    with httpx.Client(base_url=srv.url) as http:
        card_id = bind_card(http)
        before = charge(http, card_id, amount=1000)
        assert before["paySuccTime"] == "2026-03-02 20:00:00"
        srv.advance(59 * 60)  # 20:59
        assert "not settled" in refused(http, "cc_refund", refund(http, before["payOrderId"], 1))
        srv.advance(60)  # 21:00: the cut-off
        ok(http, "cc_refund", refund(http, before["payOrderId"], 1))
        # A payment after the day's cut-off settles at the next day's.
        after = charge(http, card_id, amount=1000)
        assert after["paySuccTime"] == "2026-03-02 21:00:00"
        srv.advance(23 * 3600 + 59 * 60)  # next day 20:59
        ok(http, "cc_void", void(after["payOrderId"]))
        late = charge(http, card_id, amount=1000)
        srv.advance(61)  # 21:00:01 next day
        assert "settled" in refused(http, "cc_void", void(late["payOrderId"]))
        orders = {o["payOrderId"]: o for o in srv.orders()}
        assert orders[late["payOrderId"]]["settled"] is True
        assert orders[after["payOrderId"]]["settled"] is False  # voided, never settles


def test_cut_off_follows_toronto_wall_clock_across_daylight_saving(
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    # 2026-03-08 02:00 Toronto springs forward: that day has 23 hours.
    start = datetime(2026, 3, 7, 21, 30, tzinfo=TORONTO)
    srv = sandbox_factory(clock=SandboxClock(start=start, frozen=True), cutoff="21:00")
    with httpx.Client(base_url=srv.url) as http:
        paid = charge(http, bind_card(http), amount=1000)
        srv.advance(22 * 3600 + 29 * 60)  # 2026-03-08 20:59 local (23 real hours later)
        assert datetime.fromtimestamp(srv.clock.now(), TORONTO).hour == 20
        ok(http, "cc_void", void(paid["payOrderId"]))
        paid2 = charge(http, bind_card(http), amount=1000)
        srv.advance(120)  # 21:01 local
        assert "settled" in refused(http, "cc_void", void(paid2["payOrderId"]))

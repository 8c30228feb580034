"""Fault injection over real HTTP: latency, 500, drop after commit, hang, malformed JSON."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from iotpay_desk.api import (
    IotPayClient,
    OutcomeUnknown,
    PurchaseWithTokenRequest,
    QueryRequest,
    RefundRequest,
)
from iotpay_desk.sandbox import FaultSpec, SandboxServer
from iotpay_desk.sandbox.faults import FaultSet, parse_fault_arg

from .helpers import KEY, MCH, bind_card, call, charge, ok, query, refused, signed, unique


@pytest.fixture
def http(sandbox_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_url, timeout=10) as client:
        yield client


def token_params(card_id: str, amount: int = 1000) -> dict[str, object]:
    return {"mchOrderNo": unique("F"), "cardId": card_id, "amount": amount, "loginName": "op1"}


def set_faults(http: httpx.Client, *faults: dict[str, object]) -> list[dict[str, object]]:
    resp = http.post("/sandbox/faults", json={"faults": list(faults)})
    assert resp.status_code == 200, resp.text
    active: list[dict[str, object]] = resp.json()["faults"]
    return active


def test_drop_after_commit_cuts_the_connection_and_the_order_exists(http: httpx.Client) -> None:
    card_id = bind_card(http)
    set_faults(http, {"kind": "drop_after_commit", "endpoint": "cc_purchasewithtoken", "count": 1})
    params = token_params(card_id, 1500)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/v3/cc_purchasewithtoken", json=signed(params))
    order = query(http, mchOrderNo=str(params["mchOrderNo"]))
    assert (order["status"], order["amount"]) == (2, 1500)
    # The count is used up: the next charge answers normally.
    assert charge(http, card_id)["status"] == 2
    assert http.get("/sandbox/faults").json() == {"faults": []}


@pytest.mark.asyncio
async def test_the_desk_client_sees_a_drop_as_outcome_unknown_and_resolves_it(
    sandbox: SandboxServer,
) -> None:
    async with IotPayClient(sandbox.url, MCH, KEY) as client:
        with httpx.Client(base_url=sandbox.url) as http:
            card_id = bind_card(http)
            paid = charge(http, card_id, 2000)
        sandbox.settle()
        sandbox.set_faults([FaultSpec(kind="drop_after_commit", endpoint="cc_refund", count=1)])
        with pytest.raises(OutcomeUnknown):
            await client.refund(
                RefundRequest(
                    mch_refund_no="R-drop-1",
                    login_name="op1",
                    refund_amount=700,
                    pay_order_id=paid["payOrderId"],
                )
            )
        refund = await client.query(QueryRequest(mch_order_no="R-drop-1"))
        assert (refund.amount, refund.original_order_id) == (700, paid["payOrderId"])
        payment = await client.query(QueryRequest(pay_order_id=paid["payOrderId"]))
        assert payment.refundable == 1300


def test_error500_answers_500_and_commits_nothing(http: httpx.Client) -> None:
    card_id = bind_card(http)
    set_faults(http, {"kind": "error500", "endpoint": "cc_purchasewithtoken", "count": 2})
    for _ in range(2):
        params = token_params(card_id)
        resp = http.post("/v3/cc_purchasewithtoken", json=signed(params))
        assert resp.status_code == 500
        assert refused(http, "cc_query", {"mchOrderNo": params["mchOrderNo"]}) == (
            "order not found"
        )
    assert charge(http, card_id)["status"] == 2  # count used up


def test_a_fault_limited_to_one_endpoint_leaves_the_others_alone(http: httpx.Client) -> None:
    card_id = bind_card(http)
    set_faults(http, {"kind": "error500", "endpoint": "cc_query"})
    assert ok(http, "cc_querycard", {"cardId": card_id})["cardId"] == card_id
    for _ in range(3):
        assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 500
    # Admin calls and pages are never faulted.
    assert http.get("/sandbox/orders").status_code == 200
    assert http.post("/sandbox/settle", json={}).status_code == 200
    set_faults(http)
    assert call(http, "cc_query", {"mchOrderNo": "x"})["retMsg"] == "order not found"


def test_a_fault_for_every_endpoint(http: httpx.Client) -> None:
    set_faults(http, {"kind": "error500", "endpoint": None, "count": 2})
    assert http.post("/v3/cc_querycard", json=signed({"cardId": "c"})).status_code == 500
    assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 500
    assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 200


def test_rate_zero_never_hits_and_rate_one_always(http: httpx.Client) -> None:
    set_faults(http, {"kind": "error500", "rate": 0})
    statuses = {
        http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code for _ in range(5)
    }
    assert statuses == {200}
    set_faults(http, {"kind": "error500", "rate": 1.0})
    assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 500


def test_rate_hits_about_that_share_of_calls() -> None:
    import random

    faults = FaultSet([FaultSpec(kind="error500", rate=0.3)], rng=random.Random(7))
    hits = sum(bool(faults.take("cc_query")) for _ in range(2000))
    assert 500 < hits < 700


def test_malformed_json_commits_and_answers_an_unparsable_body(http: httpx.Client) -> None:
    card_id = bind_card(http)
    set_faults(http, {"kind": "malformed_json", "endpoint": "cc_purchasewithtoken", "count": 1})
    params = token_params(card_id, 1234)
    resp = http.post("/v3/cc_purchasewithtoken", json=signed(params))
    assert resp.status_code == 200
    with pytest.raises(ValueError, match=r".*"):
        resp.json()
    assert query(http, mchOrderNo=str(params["mchOrderNo"]))["amount"] == 1234


def test_latency_delays_the_answer(http: httpx.Client) -> None:
    set_faults(http, {"kind": "latency", "latency_ms": 300, "endpoint": "cc_query"})
    start = time.perf_counter()
    assert call(http, "cc_query", {"mchOrderNo": "x"})["retCode"] == "FAIL"
    assert time.perf_counter() - start >= 0.3
    start = time.perf_counter()
    ok(http, "cc_querycard", {"cardId": bind_card(http)})
    assert time.perf_counter() - start < 0.3


def test_hang_holds_until_the_client_gives_up_and_commits_nothing(http: httpx.Client) -> None:
    card_id = bind_card(http)
    set_faults(http, {"kind": "hang", "endpoint": "cc_purchasewithtoken", "count": 1})
    params = token_params(card_id)
    start = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        http.post("/v3/cc_purchasewithtoken", json=signed(params), timeout=0.5)
    assert time.perf_counter() - start >= 0.5
    assert refused(http, "cc_query", {"mchOrderNo": params["mchOrderNo"]}) == "order not found"
    assert charge(http, card_id)["status"] == 2


def test_a_hanging_call_does_not_hold_up_shutdown(
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    srv = sandbox_factory(faults=[FaultSpec(kind="hang")])
    errors: list[BaseException] = []

    def hang() -> None:
        try:
            httpx.post(f"{srv.url}/v3/cc_query", json=signed({"mchOrderNo": "x"}), timeout=60)
        except httpx.HTTPError as exc:
            errors.append(exc)

    caller = threading.Thread(target=hang)
    caller.start()
    time.sleep(0.3)
    start = time.perf_counter()
    srv.stop_in_thread()
    assert time.perf_counter() - start < 3
    caller.join(5)
    assert not caller.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], httpx.RemoteProtocolError)


def test_faults_given_at_start(sandbox_factory: Callable[..., SandboxServer]) -> None:
    srv = sandbox_factory(faults=[FaultSpec(kind="error500", endpoint="cc_query", count=1)])
    with httpx.Client(base_url=srv.url) as http:
        assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 500
        assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 200


def test_in_process_set_and_clear(sandbox: SandboxServer, http: httpx.Client) -> None:
    sandbox.set_faults([FaultSpec(kind="error500")])
    assert http.get("/sandbox/faults").json()["faults"][0]["kind"] == "error500"
    assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 500
    sandbox.clear_faults()
    assert http.post("/v3/cc_query", json=signed({"mchOrderNo": "x"})).status_code == 200


def test_several_faults_at_once_and_replace(http: httpx.Client) -> None:
    active = set_faults(
        http,
        {"kind": "latency", "latency_ms": 50},
        {"kind": "error500", "endpoint": "cc_refund", "count": 3, "rate": 0.5},
    )
    assert active == [
        {"kind": "latency", "endpoint": None, "count": None, "latency_ms": 50, "rate": 1.0},
        {"kind": "error500", "endpoint": "cc_refund", "count": 3, "latency_ms": 0, "rate": 0.5},
    ]
    assert set_faults(http, {"kind": "hang", "endpoint": "cc_void"})[0]["kind"] == "hang"
    assert len(http.get("/sandbox/faults").json()["faults"]) == 1
    assert set_faults(http) == []


@pytest.mark.parametrize(
    ("fault", "word"),
    [
        ({"kind": "explode"}, "kind"),
        ({}, "kind"),
        ({"kind": "latency"}, "latency_ms"),
        ({"kind": "latency", "latency_ms": -1}, "latency_ms"),
        ({"kind": "error500", "rate": 2}, "rate"),
        ({"kind": "error500", "count": 0}, "count"),
        ({"kind": "error500", "count": "1"}, "count"),
        ({"kind": "error500", "endpoint": ""}, "endpoint"),
        ({"kind": "error500", "colour": "red"}, "colour"),
        ("error500", "object"),
    ],
)
def test_bad_fault_specs_are_refused_with_400(http: httpx.Client, fault: object, word: str) -> None:
    resp = http.post("/sandbox/faults", json={"faults": [fault]})
    assert resp.status_code == 400
    assert word in resp.json()["error"]
    assert http.get("/sandbox/faults").json() == {"faults": []}


def test_cli_fault_syntax() -> None:
    assert parse_fault_arg("drop_after_commit:cc_refund:1") == FaultSpec(
        kind="drop_after_commit", endpoint="cc_refund", count=1
    )
    assert parse_fault_arg("hang") == FaultSpec(kind="hang")
    assert parse_fault_arg("error500:-:2") == FaultSpec(kind="error500", count=2)
    assert parse_fault_arg("latency=250:cc_query") == FaultSpec(
        kind="latency", endpoint="cc_query", latency_ms=250
    )
    for bad in ("boom", "hang:cc_void:x", "latency=abc", "hang:a:1:2", "latency"):
        with pytest.raises(ValueError, match=r".+"):
            parse_fault_arg(bad)


@pytest.mark.asyncio
async def test_client_timeout_on_hang_is_outcome_unknown(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        card_id = bind_card(http)
    sandbox.set_faults([FaultSpec(kind="hang", endpoint="cc_purchasewithtoken")])
    async with (
        httpx.AsyncClient(timeout=0.4) as raw,
        IotPayClient(sandbox.url, MCH, KEY, http=raw) as client,
    ):
        with pytest.raises(OutcomeUnknown):
            await client.purchase_with_token(
                PurchaseWithTokenRequest(
                    mch_order_no="hang-1",
                    mch_user_id="u",
                    card_id=card_id,
                    amount=100,
                    login_name="op1",
                )
            )

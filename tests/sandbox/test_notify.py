"""Signed notify after charges, refunds and voids; retries; status 2 → 3 on acknowledgement."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from iotpay_desk.api import parse_notify, verify_sign
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxClock, SandboxServer

from .helpers import NotifySink, bind_card, charge, ok, query, unique

KEY = DEMO_MERCHANT.key


@pytest.fixture
def frozen(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    """A sandbox whose time moves only with advance(): retries happen exactly when told."""
    return sandbox_factory(clock=SandboxClock(frozen=True))


@pytest.fixture
def http(frozen: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=frozen.url, timeout=10) as client:
        yield client


def wait_status(http: httpx.Client, pay_order_id: str, status: int, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while query(http, payOrderId=pay_order_id)["status"] != status:
        assert time.monotonic() < deadline, f"status never became {status}"
        time.sleep(0.01)


def notify_log(srv: SandboxServer, pay_order_id: str) -> dict[str, object]:
    (order,) = [o for o in srv.orders() if o["payOrderId"] == pay_order_id]
    info: dict[str, object] = order["notify"]
    return info


def test_successful_charge_is_notified_signed_and_moves_to_status_3(http: httpx.Client) -> None:
    with NotifySink() as sink:
        paid = charge(http, bind_card(http), amount=1500, notifyUrl=sink.url)
        (body,) = sink.wait_for(1)
        data = json.loads(body)
        assert verify_sign(data, KEY)
        order = parse_notify(body, KEY)
        assert order.pay_order_id == paid["payOrderId"]
        assert (order.amount, order.status, order.refundable) == (1500, 2, 1500)
        assert {k: v for k, v in data.items() if k != "sign"} == paid
        wait_status(http, paid["payOrderId"], 3)


def test_answer_is_compared_case_insensitively_and_retried_until_success(
    frozen: SandboxServer, http: httpx.Client
) -> None:
    with NotifySink(answers=["FAIL", "ok", "  success\n"]) as sink:
        paid = charge(http, bind_card(http), notifyUrl=sink.url)
        sink.wait_for(1)
        assert query(http, payOrderId=paid["payOrderId"])["status"] == 2
        frozen.advance(59)
        time.sleep(0.1)
        assert len(sink.received) == 1  # the retry waits attempt × 60 s
        frozen.advance(1)
        sink.wait_for(2)
        frozen.advance(120)  # second retry: 2 × 60 s after the second attempt
        sink.wait_for(3)
        wait_status(http, paid["payOrderId"], 3)
        frozen.advance(10_000)
        time.sleep(0.1)
        assert len(sink.received) == 3
        log = notify_log(frozen, paid["payOrderId"])
        assert log["state"] == "acknowledged"
        assert log["attempts"] == 3
        assert [entry["result"] for entry in log["log"]][-1] == "acknowledged"  # type: ignore[attr-defined]


def test_at_most_five_attempts(frozen: SandboxServer, http: httpx.Client) -> None:
    with NotifySink(answers=["nope"]) as sink:
        paid = charge(http, bind_card(http), notifyUrl=sink.url)
        sink.wait_for(1)
        for attempt in range(1, 5):
            frozen.advance(attempt * 60)
            sink.wait_for(attempt + 1)
        frozen.advance(3600)
        time.sleep(0.2)
        assert len(sink.received) == 5
        assert len({b for b in sink.received}) == 1  # the same signed order every time
        log = notify_log(frozen, paid["payOrderId"])
        assert log["state"] == "gave_up"
        assert log["attempts"] == 5
        assert len(log["log"]) == 5  # type: ignore[arg-type]
        assert query(http, payOrderId=paid["payOrderId"])["status"] == 2


def test_http_error_status_is_not_an_acknowledgement(
    frozen: SandboxServer, http: httpx.Client
) -> None:
    with NotifySink(answers=["SUCCESS"], status=500) as sink:
        paid = charge(http, bind_card(http), notifyUrl=sink.url)
        sink.wait_for(1)
        frozen.advance(60)
        sink.wait_for(2)
        assert query(http, payOrderId=paid["payOrderId"])["status"] == 2


def test_an_unreachable_receiver_is_retried(frozen: SandboxServer, http: httpx.Client) -> None:
    paid = charge(http, bind_card(http), notifyUrl="http://127.0.0.1:9/notify")
    deadline = time.monotonic() + 5
    while notify_log(frozen, paid["payOrderId"])["log"] == []:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    entry = notify_log(frozen, paid["payOrderId"])["log"][0]  # type: ignore[index]
    assert entry["result"].startswith("no answer")
    assert entry["httpStatus"] is None


def test_declines_are_never_notified(http: httpx.Client) -> None:
    with NotifySink() as sink:
        declined = charge(http, bind_card(http, "4000000000000002"), notifyUrl=sink.url)
        paid = charge(http, bind_card(http), notifyUrl=sink.url)
        sink.wait_for(1)
        time.sleep(0.2)
        assert [parse_notify(b, KEY).pay_order_id for b in sink.received] == [paid["payOrderId"]]
        assert declined["status"] == 9


def test_a_pending_payment_is_notified_when_it_succeeds(
    frozen: SandboxServer, http: httpx.Client
) -> None:
    with NotifySink() as sink:
        paid = charge(http, bind_card(http, "4000000000000077"), notifyUrl=sink.url)
        time.sleep(0.1)
        assert sink.received == []
        frozen.advance(5)
        (body,) = sink.wait_for(1)
        assert parse_notify(body, KEY).status == 2
        wait_status(http, paid["payOrderId"], 3)


def test_refunds_and_voids_are_notified(frozen: SandboxServer, http: httpx.Client) -> None:
    with NotifySink() as sink:
        card_id = bind_card(http)
        to_void = charge(http, card_id, amount=800)
        to_refund = charge(http, card_id, amount=900)
        void = ok(
            http,
            "cc_void",
            {
                "mchRefundNo": unique("V"),
                "loginName": "op1",
                "payOrderId": to_void["payOrderId"],
                "notifyUrl": sink.url,
            },
        )
        frozen.settle()
        refund = ok(
            http,
            "cc_refund",
            {
                "mchRefundNo": unique("R"),
                "loginName": "op1",
                "refundAmount": 300,
                "payOrderId": to_refund["payOrderId"],
                "notifyUrl": sink.url,
            },
        )
        bodies = sink.wait_for(2)
        got = {parse_notify(b, KEY).pay_order_id: parse_notify(b, KEY) for b in bodies}
        assert got[void["payOrderId"]].amount == 800
        assert got[void["payOrderId"]].pay_type == "refund"
        assert got[refund["payOrderId"]].original_order_id == to_refund["payOrderId"]
        wait_status(http, void["payOrderId"], 3)
        wait_status(http, refund["payOrderId"], 3)


def test_retry_schedule_follows_the_time_scale(
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    srv = sandbox_factory(time_scale=600)  # 60 sandbox seconds = 0.1 s
    with httpx.Client(base_url=srv.url) as http, NotifySink(answers=["no"]) as sink:
        charge(http, bind_card(http), notifyUrl=sink.url)
        arrivals = []
        for n in range(1, 6):
            sink.wait_for(n)
            arrivals.append(time.monotonic())
        gaps = [b - a for a, b in itertools.pairwise(arrivals)]
        # attempt × 60 s apart: 0.1, 0.2, 0.3, 0.4 real seconds at this scale
        for n, gap in enumerate(gaps, start=1):
            assert 0.1 * n * 0.8 <= gap <= 0.1 * n + 0.5, gaps

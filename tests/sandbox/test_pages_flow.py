"""Hosted purchase and add-card: the page routes and the unsigned submit calls over HTTP.

(The page's HTML/JS in a real browser engine is covered by test_hosted_pages.py.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from iotpay_desk.sandbox import SandboxClock, SandboxServer

from .helpers import NotifySink, ok, query, refused, unique


@pytest.fixture
def http(sandbox_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_url, timeout=10) as client:
        yield client


def start_purchase(
    http: httpx.Client,
    amount: int = 1999,
    return_url: str = "https://shop.example/done?cart=7",
    notify_url: str = "https://shop.example/notify",
) -> tuple[str, str]:
    order_no = unique("H")
    data = ok(
        http,
        "cc_purchase",
        {
            "mchOrderNo": order_no,
            "mchUserId": "u1",
            "amount": amount,
            "currency": "CAD",
            "loginName": "op1",
            "channel": "PF_CC",
            "notifyUrl": notify_url,
            "returnUrl": return_url,
        },
    )
    return order_no, data["secureId"]


def start_addcard(http: httpx.Client, card_id: str, return_url: str) -> str:
    data = ok(
        http,
        "cc_addcard",
        {"cardId": card_id, "loginName": "op1", "channel": "PF_CC", "returnUrl": return_url},
    )
    secure_id: str = data["secureId"]
    return secure_id


def submit(
    http: httpx.Client, kind: str, secure_id: str, card: str = "4242424242424242", **over: Any
) -> dict[str, Any]:
    body = {
        "secureId": secure_id,
        "cardNum": card,
        "cvv": "123",
        "expiryDate": "1239",
        "holder": "Jo Tester",
        **over,
    }
    resp = http.post(f"/v3/cc_pf{kind}", json=body)
    assert resp.status_code == 200
    envelope: dict[str, Any] = resp.json()
    return envelope


def redirect_params(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qsl(parts.query)


def test_purchase_page_is_served_for_a_live_secure_id(http: httpx.Client) -> None:
    _, secure_id = start_purchase(http, amount=1999)
    page = http.get(f"/cc/purchase?key={secure_id}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "Demo Café" in page.text
    assert "19.99" in page.text
    assert "/v3/cc_pfpurchase" in page.text
    assert secure_id in page.text


def test_approved_purchase_redirects_with_success_and_keeps_the_query(
    http: httpx.Client,
) -> None:
    order_no, secure_id = start_purchase(http)
    env = submit(http, "purchase", secure_id)
    assert env["retCode"] == "SUCCESS"
    base, params = redirect_params(env["retData"]["redirectUrl"])
    assert base == "https://shop.example/done"
    assert params == [
        ("cart", "7"),
        ("retCode", "SUCCESS"),
        ("status", "2"),
        ("mchOrderNo", order_no),
    ]
    order = query(http, mchOrderNo=order_no)
    assert (order["status"], order["refundable"]) == (2, 1999)
    assert order["cardNum"] == "424242******4242"
    assert order["cardType"] == "V"
    assert order["expiryDate"] == "1239"


def test_a_secure_id_is_single_use_once_paid(http: httpx.Client) -> None:
    _, secure_id = start_purchase(http)
    assert submit(http, "purchase", secure_id)["retCode"] == "SUCCESS"
    again = submit(http, "purchase", secure_id)
    assert again["retCode"] == "FAIL"
    assert again["retMsg"].startswith("secureId:")
    assert "redirectUrl" not in again["retData"]
    assert http.get(f"/cc/purchase?key={secure_id}").status_code == 410


def test_declined_purchase_redirects_with_fail_and_may_be_retried(http: httpx.Client) -> None:
    order_no, secure_id = start_purchase(http)
    env = submit(http, "purchase", secure_id, "4000000000000002")
    assert env["retCode"] == "SUCCESS"
    assert env["retMsg"] == "card declined"
    _, params = redirect_params(env["retData"]["redirectUrl"])
    assert params[1:] == [
        ("retCode", "FAIL"),
        ("retMsg", "card declined"),
        ("status", "9"),
        ("mchOrderNo", order_no),
    ]
    assert query(http, mchOrderNo=order_no)["status"] == 9
    assert http.get(f"/cc/purchase?key={secure_id}").status_code == 200  # still usable
    retry = submit(http, "purchase", secure_id, "5555555555554444")
    assert dict(redirect_params(retry["retData"]["redirectUrl"])[1])["status"] == "2"
    order = query(http, mchOrderNo=order_no)
    assert (order["status"], order["cardType"]) == (2, "M")


def test_pending_purchase_redirects_with_status_0_and_succeeds_later(
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    srv = sandbox_factory(clock=SandboxClock(frozen=True))
    with httpx.Client(base_url=srv.url) as http:
        order_no, secure_id = start_purchase(http)
        env = submit(http, "purchase", secure_id, "4000000000000077")
        assert dict(redirect_params(env["retData"]["redirectUrl"])[1])["status"] == "0"
        assert query(http, mchOrderNo=order_no)["status"] == 0
        srv.advance(5)
        assert query(http, mchOrderNo=order_no)["status"] == 2


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"cardNum": "4242424242424241"}, "cardNum"),
        ({"cardNum": "42424242a4242424"}, "cardNum"),
        ({"cardNum": ""}, "cardNum"),
        ({"expiryDate": "13/30"}, "expiryDate"),
        ({"cvv": "1"}, "cvv"),
        ({"cvv": 123}, "cvv"),
        ({"holder": "   "}, "holder"),
        ({"secureId": "f" * 64}, "secureId"),
        ({"secureId": "short"}, "secureId"),
        ({"secureId": None}, "secureId"),
    ],
)
def test_invalid_card_data_is_a_fail_naming_the_field_without_redirect(
    http: httpx.Client, over: dict[str, Any], field: str
) -> None:
    order_no, secure_id = start_purchase(http)
    env = submit(http, "purchase", secure_id, **over)
    assert env["retCode"] == "FAIL"
    assert env["retMsg"].startswith(f"{field}:")
    assert env["retData"] == {}
    assert "4242424242424241" not in env["retMsg"]
    assert query(http, mchOrderNo=order_no)["status"] == 0
    assert submit(http, "purchase", secure_id)["retCode"] == "SUCCESS"  # fix it, go on


def test_an_expired_card_is_refused_on_the_page(http: httpx.Client) -> None:
    _, secure_id = start_purchase(http)
    env = submit(http, "purchase", secure_id, expiryDate="0124")
    assert (env["retCode"], env["retMsg"]) == ("FAIL", "expiryDate: card expired")


def test_secure_ids_expire_after_an_hour(sandbox: SandboxServer, http: httpx.Client) -> None:
    _, secure_id = start_purchase(http)
    sandbox.advance(3590)
    assert http.get(f"/cc/purchase?key={secure_id}").status_code == 200
    sandbox.advance(20)
    page = http.get(f"/cc/purchase?key={secure_id}")
    assert page.status_code == 410
    assert page.headers["content-type"].startswith("text/html")
    env = submit(http, "purchase", secure_id)
    assert env["retCode"] == "FAIL"
    assert env["retMsg"].startswith("secureId:")


def test_unknown_keys_get_a_404_page(http: httpx.Client) -> None:
    for url in ("/cc/purchase?key=" + "a" * 64, "/cc/addcard?key=nope", "/cc/purchase"):
        page = http.get(url)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")


def test_a_purchase_key_does_not_open_the_addcard_page(http: httpx.Client) -> None:
    _, secure_id = start_purchase(http)
    assert http.get(f"/cc/addcard?key={secure_id}").status_code == 404
    assert submit(http, "addcard", secure_id)["retMsg"].startswith("secureId:")


def test_add_card_binds_and_redirects(http: httpx.Client) -> None:
    card_id = unique("card")
    secure_id = start_addcard(http, card_id, "https://shop.example/cards?u=1")
    page = http.get(f"/cc/addcard?key={secure_id}")
    assert page.status_code == 200
    assert "/v3/cc_pfaddcard" in page.text
    env = submit(http, "addcard", secure_id, "5555555555554444", holder="Ada")
    assert env["retCode"] == "SUCCESS"
    base, params = redirect_params(env["retData"]["redirectUrl"])
    assert base == "https://shop.example/cards"
    assert params == [("u", "1"), ("retCode", "SUCCESS")]
    card = ok(http, "cc_querycard", {"cardId": card_id})
    assert (card["cardNum"], card["holder"], card["expiryDate"]) == (
        "555555******4444",
        "Ada",
        "1239",
    )
    assert submit(http, "addcard", secure_id)["retMsg"].startswith("secureId:")
    assert http.get(f"/cc/addcard?key={secure_id}").status_code == 410


def test_second_add_for_the_same_card_id_fails_on_return(http: httpx.Client) -> None:
    card_id = unique("card")
    first = start_addcard(http, card_id, "https://shop.example/c")
    second = start_addcard(http, card_id, "https://shop.example/c")
    assert submit(http, "addcard", first)["retCode"] == "SUCCESS"
    env = submit(http, "addcard", second, "5555555555554444")
    _, params = redirect_params(env["retData"]["redirectUrl"])
    assert params[0] == ("retCode", "FAIL")
    assert params[1][0] == "retMsg"
    assert "cardId" in params[1][1]
    assert ok(http, "cc_querycard", {"cardId": card_id})["cardNum"] == "424242******4242"


def test_bound_card_decides_later_charges(http: httpx.Client) -> None:
    card_id = unique("card")
    secure_id = start_addcard(http, card_id, "https://shop.example/c")
    submit(http, "addcard", secure_id, "4000000000000002")
    env = ok(
        http,
        "cc_purchasewithtoken",
        {"mchOrderNo": unique("O"), "cardId": card_id, "amount": 100, "loginName": "op1"},
    )
    assert env["status"] == 9


def test_addcard_refuses_an_expired_card(http: httpx.Client) -> None:
    card_id = unique("card")
    secure_id = start_addcard(http, card_id, "https://shop.example/c")
    env = submit(http, "addcard", secure_id, expiryDate="1299"[:2] + "20")
    assert (env["retCode"], env["retMsg"]) == ("FAIL", "expiryDate: card expired")
    assert refused(http, "cc_querycard", {"cardId": card_id}) == "cardId is not binding"


def test_hosted_purchase_sends_the_signed_notify(http: httpx.Client) -> None:
    from iotpay_desk.api import parse_notify
    from iotpay_desk.sandbox import DEMO_MERCHANT

    with NotifySink() as sink:
        order_no, secure_id = start_purchase(http, amount=555, notify_url=sink.url)
        submit(http, "purchase", secure_id)
        (body,) = sink.wait_for(1)
        order = parse_notify(body, DEMO_MERCHANT.key)
        assert (order.mch_order_no, order.amount, order.status) == (order_no, 555, 2)
        assert b"4242424242424242" not in body

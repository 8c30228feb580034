"""IotPayClient: request format, envelope handling, the error taxonomy, retries.

Envelope and HTTP-status cases run over ``httpx.MockTransport`` (no real IOTPay can
exist here). Transport failures a mock cannot show honestly run against real
misbehaving peers on loopback: one that never answers, one that hangs up after
reading the request, and a closed port.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import ssl
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from iotpay_desk.api import (
    PRODUCTION_URL,
    TEST_URL,
    AddCardRequest,
    CannotConnect,
    Card,
    DirectAddCardRequest,
    InvalidRequest,
    IotPayClient,
    IotPayError,
    IotPayRejected,
    Order,
    Outcome,
    OutcomeUnknown,
    PurchaseRequest,
    PurchaseWithTokenRequest,
    PurchaseWithWalletRequest,
    QueryCardRequest,
    QueryRequest,
    Redirect,
    RefundRequest,
    VoidRequest,
    default_http_client,
    default_http_pools,
    is_loopback,
    verify_sign,
)

KEY = "TESTKEY_NOT_REAL_0123456789abcde"
MCH = "10000701"
BASE = "https://ccapi.test.invalid"
PAY_ORDER_ID = "PC20240101215009579871439079"
CARD = "4242424242424242"

ORDER = {
    "payOrderId": PAY_ORDER_ID,
    "mchId": MCH,
    "mchOrderNo": "A1",
    "originalOrderId": "",
    "amount": 1500,
    "currency": "CAD",
    "payType": "pay",
    "refundable": 1500,
    "status": 2,
    "cardNum": "424242******4242",
    "cardType": "V",
    "channel": "PF_CC",
}

PURCHASE = PurchaseRequest(
    mch_order_no="A1",
    mch_user_id="u1",
    amount=1500,
    login_name="jack123",
    notify_url="https://example.com/notify",
    return_url="https://example.com/return",
)
ADD_CARD = AddCardRequest(
    card_id="604567999", login_name="jack123", return_url="https://example.com/return"
)
DIRECT_ADD = DirectAddCardRequest(
    card_id="604567999",
    card_num=CARD,
    holder="Jack Chen",
    cvv="987",
    login_name="jack123",
    expiry_date="1230",
)
QUERY_CARD = QueryCardRequest(card_id="604567999")
TOKEN = PurchaseWithTokenRequest(
    mch_order_no="A1", mch_user_id="u1", card_id="604567999", amount=1500, login_name="jack123"
)
WALLET = PurchaseWithWalletRequest(
    mch_order_no="W1",
    amount=999,
    login_name="jack123",
    wallet_type="GooglePay",
    wallet_data="eyJ0b2tlbiI6IngifQ==",
)
REFUND = RefundRequest(
    mch_refund_no="R1", login_name="jack_chen", refund_amount=100, pay_order_id=PAY_ORDER_ID
)
VOID = VoidRequest(mch_refund_no="R1", login_name="jack_chen", pay_order_id=PAY_ORDER_ID)
QUERY = QueryRequest(pay_order_id=PAY_ORDER_ID)

Call = Callable[[IotPayClient], Awaitable[Any]]

# method name -> (a valid request, how to call it)
CALLS: dict[str, Call] = {
    "purchase": lambda c: c.purchase(PURCHASE),
    "add_card": lambda c: c.add_card(ADD_CARD),
    "direct_add_card": lambda c: c.direct_add_card(DIRECT_ADD),
    "query_card": lambda c: c.query_card(QUERY_CARD),
    "purchase_with_token": lambda c: c.purchase_with_token(TOKEN),
    "purchase_with_wallet": lambda c: c.purchase_with_wallet(WALLET),
    "refund": lambda c: c.refund(REFUND),
    "void": lambda c: c.void(VOID),
    "query": lambda c: c.query(QUERY),
}
ENDPOINTS = {
    "purchase": "cc_purchase",
    "add_card": "cc_addcard",
    "direct_add_card": "cc_directaddcard",
    "query_card": "cc_querycard",
    "purchase_with_token": "cc_purchasewithtoken",
    "purchase_with_wallet": "cc_purchasewithwallet",
    "refund": "cc_refund",
    "void": "cc_void",
    "query": "cc_query",
}
MONEY_MOVING = ["purchase_with_token", "purchase_with_wallet", "refund", "void"]
SENT_ONCE = ["purchase", "add_card", "direct_add_card", *MONEY_MOVING]
RETRIED = ["query", "query_card"]


def envelope(
    ret_data: Any = None, ret_code: str = "SUCCESS", ret_msg: str = "", **extra: Any
) -> httpx.Response:
    body: dict[str, Any] = {"retCode": ret_code, "retMsg": ret_msg, **extra}
    if ret_data is not None:
        body["retData"] = ret_data
    return httpx.Response(200, json=body)


Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Host:
    """A scripted IOTPay behind ``httpx.MockTransport``: answers in turn, records requests."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            # A fresh copy each time: a response object belongs to one request.
            return httpx.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )
        return answer(request)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def mock_client(host: Host, sleeps: Sleeps | None = None, **kw: Any) -> IotPayClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(host))
    return IotPayClient(BASE, MCH, KEY, http=http, sleep=sleeps or Sleeps(), **kw)


async def run(host: Host, call: Call, sleeps: Sleeps | None = None, **kw: Any) -> Any:
    client = mock_client(host, sleeps, **kw)
    try:
        return await call(client)
    finally:
        for http in client._pools:
            await http.aclose()


def assert_clean(exc: BaseException) -> None:
    """No key, sign, card number or CVV in an error's text, repr or printed traceback."""
    text = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)
    assert KEY not in text
    assert CARD not in text
    assert "cvv" not in text.lower()
    assert not re.search(r"[0-9A-F]{32}", text)


# --------------------------------------------------------------------------- request format


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(CALLS))
async def test_each_method_posts_signed_flat_json_to_its_endpoint(method: str) -> None:
    host = Host(envelope({"redirectUrl": "https://x.test/cc?key=k", **ORDER}))
    await run(host, CALLS[method])
    [request] = host.requests
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/v3/{ENDPOINTS[method]}"
    assert request.headers["content-type"] == "application/json;charset=UTF-8"
    body = json.loads(request.content)
    assert isinstance(body, dict)
    assert body["mchId"] == MCH
    assert all(not isinstance(v, dict | list) for v in body.values())
    assert all(v is not None and v != "" for v in body.values())
    assert re.fullmatch(r"[0-9A-F]{32}", body["sign"])
    assert verify_sign(body, KEY)
    assert KEY not in request.content.decode()


@pytest.mark.asyncio
async def test_refund_body_is_exactly_the_signed_params() -> None:
    host = Host(envelope(ORDER))
    await run(host, CALLS["refund"])
    body = host.bodies()[0]
    sign = body.pop("sign")
    assert body == {
        "mchId": MCH,
        "mchRefundNo": "R1",
        "loginName": "jack_chen",
        "refundAmount": 100,
        "payOrderId": PAY_ORDER_ID,
    }
    assert isinstance(body["refundAmount"], int)
    assert verify_sign({**body, "sign": sign}, KEY)


@pytest.mark.asyncio
async def test_non_ascii_text_is_sent_as_utf8_and_signed_as_such() -> None:
    host = Host(envelope({"redirectUrl": "https://x.test/cc?key=k"}))
    req = PurchaseRequest(
        mch_order_no="A1",
        mch_user_id="u1",
        amount=1500,
        login_name="zoë",
        notify_url="https://example.com/n",
        return_url="https://example.com/r",
        subject="Crème brûlée",
    )
    await run(host, lambda c: c.purchase(req))
    raw = host.requests[0].content
    assert "Crème brûlée".encode() in raw
    assert verify_sign(json.loads(raw.decode("utf-8")), KEY)


# --------------------------------------------------------------------------- base URL


@pytest.mark.parametrize(("url", "base"), [
    (PRODUCTION_URL, "https://ccapi.iotpaycloud.com"),
    (TEST_URL, "https://ccdev.iotpaycloud.com"),
    ("https://ccapi.iotpaycloud.com/v3/", "https://ccapi.iotpaycloud.com"),
    ("  https://ccapi.iotpaycloud.com/  ", "https://ccapi.iotpaycloud.com"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("http://127.1.2.3:8765/v3", "http://127.1.2.3:8765"),
    ("http://localhost:8765", "http://localhost:8765"),
    ("http://[::1]:8765", "http://[::1]:8765"),
    ("https://example.com/iotpay", "https://example.com/iotpay"),
])  # fmt: skip
def test_base_url_accepted(url: str, base: str) -> None:
    assert IotPayClient(url, MCH, KEY, http=httpx.AsyncClient()).base_url == base


@pytest.mark.parametrize("url", [
    "http://ccapi.iotpaycloud.com",
    "http://127.example.com:8765",
    "http://127.0.0.1.nip.io",
    "http://localhost.example.com",
    "http://10.0.0.5:8765",
    "http://192.168.1.10",
    "http://[2001:db8::1]",
])  # fmt: skip
def test_plain_http_refused_for_non_loopback_hosts(url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        IotPayClient(url, MCH, KEY, http=httpx.AsyncClient())


@pytest.mark.parametrize("url", [
    "",
    "ccapi.iotpaycloud.com",
    "ftp://ccapi.iotpaycloud.com",
    "https://",
    "https://ccapi.iotpaycloud.com:99999",
    "https://ccapi.iotpaycloud.com:port",
    "https://[::1",
    "https://ccapi.iotpaycloud.com/?x=1",
    "https://ccapi.iotpaycloud.com/#v3",
    f"https://user:{KEY}@ccapi.iotpaycloud.com",
])  # fmt: skip
def test_malformed_base_url_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ValueError, match="base URL") as info:
        IotPayClient(url, MCH, KEY, http=httpx.AsyncClient())
    assert KEY not in str(info.value)


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True),
    ("LOCALHOST", True),
    ("127.0.0.1", True),
    ("127.255.0.9", True),
    ("::1", True),
    ("[::1]", True),
    ("127.example.com", False),
    ("127.0.0.1.example.com", False),
    ("128.0.0.1", False),
    ("0.0.0.0", False),
    ("example.com", False),
    ("", False),
])  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# --------------------------------------------------------------------------- envelopes


@pytest.mark.asyncio
async def test_success_order_parsed_with_its_ret_msg() -> None:
    host = Host(envelope(ORDER, ret_msg="ok"))
    order = await run(host, CALLS["purchase_with_token"])
    assert isinstance(order, Order)
    assert order.pay_order_id == PAY_ORDER_ID
    assert order.amount == 1500
    assert order.ret_msg == "ok"
    assert order.outcome is Outcome.SUCCEEDED


@pytest.mark.asyncio
async def test_decline_is_a_success_envelope_with_a_failed_order() -> None:
    host = Host(envelope({**ORDER, "status": 9}, ret_msg="card declined"))
    order = await run(host, CALLS["purchase_with_token"])
    assert order.outcome is Outcome.FAILED
    assert order.ret_msg == "card declined"


@pytest.mark.asyncio
async def test_envelope_parsed_tolerantly() -> None:
    reordered = httpx.Response(
        200,
        content=json.dumps(
            {
                "future": {"x": 1},
                "retData": {"zzz": 1, **dict(reversed(list(ORDER.items())))},
                "retMsg": "",
                "retCode": "SUCCESS",
            }
        ).encode(),
        headers={"Content-Type": "text/plain"},
    )
    order = await run(Host(reordered), CALLS["query"])
    assert order == Order.from_dict(ORDER)


@pytest.mark.asyncio
@pytest.mark.parametrize("ret_data", [None, [], "x", 5])
async def test_money_call_with_no_order_in_a_success_is_not_yet_known(ret_data: Any) -> None:
    order = await run(Host(envelope(ret_data)), CALLS["refund"])
    assert order.outcome is Outcome.NOT_YET_KNOWN
    assert order.pay_order_id == ""


@pytest.mark.asyncio
async def test_redirect_and_card_results() -> None:
    secure = "ab" * 32
    redirect = await run(
        Host(envelope({"redirectUrl": f"https://x.test/cc/addcard?key={secure}"})),
        CALLS["add_card"],
    )
    assert redirect == Redirect(f"https://x.test/cc/addcard?key={secure}", "")
    card = await run(
        Host(envelope({"cardId": "604567999", "cardNum": CARD, "cvv": "987", "holder": "J"})),
        CALLS["query_card"],
    )
    assert card == Card("604567999", "424242******4242", "", "J")


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(CALLS))
async def test_fail_is_rejected_with_its_ret_msg(method: str) -> None:
    host = Host(envelope(ret_code="FAIL", ret_msg="mchOrderNo already used"))
    with pytest.raises(IotPayRejected) as info:
        await run(host, CALLS[method])
    assert info.value.ret_msg == "mchOrderNo already used"
    assert info.value.endpoint == ENDPOINTS[method]
    assert "mchOrderNo already used" in str(info.value)
    assert not info.value.is_not_found
    assert len(host.requests) == 1  # a FAIL is an answer: never retried


@pytest.mark.asyncio
@pytest.mark.parametrize(("ret_msg", "not_found"), [
    ("cardId is not binding", True),
    ("order not exist", True),
    ("Order Not Found", True),
    ("sign error: the signature does not match", False),
    ("", False),
])  # fmt: skip
async def test_not_found_is_recognised(ret_msg: str, not_found: bool) -> None:
    with pytest.raises(IotPayRejected) as info:
        await run(Host(envelope(ret_code="FAIL", ret_msg=ret_msg)), CALLS["query_card"])
    assert info.value.is_not_found is not_found


@pytest.mark.asyncio
async def test_a_card_number_echoed_in_ret_msg_is_masked() -> None:
    host = Host(envelope(ret_code="FAIL", ret_msg=f"cardNum {CARD} is not accepted"))
    with pytest.raises(IotPayRejected) as info:
        await run(host, CALLS["direct_add_card"])
    assert info.value.ret_msg == "cardNum 424242******4242 is not accepted"
    assert_clean(info.value)
    host = Host(envelope({**ORDER, "status": 9}, ret_msg=f"card {CARD} declined"))
    order = await run(host, CALLS["purchase_with_token"])
    assert order.ret_msg == "card 424242******4242 declined"


@pytest.mark.asyncio
async def test_fail_without_ret_msg() -> None:
    host = Host(httpx.Response(200, json={"retCode": "FAIL"}))
    with pytest.raises(IotPayRejected) as info:
        await run(host, CALLS["refund"])
    assert info.value.ret_msg == ""
    assert "no reason given" in str(info.value)


UNKNOWN_ANSWERS: dict[str, Answer] = {
    "http 500": httpx.Response(500, text="Internal Server Error"),
    "http 502": httpx.Response(502),
    "http 503 with envelope": httpx.Response(503, json={"retCode": "FAIL", "retMsg": "busy"}),
    "http 504": httpx.Response(504),
    "http 404": httpx.Response(404, json={"retCode": "FAIL", "retMsg": "no such path"}),
    "http 302": httpx.Response(302, headers={"Location": "https://elsewhere.test/"}),
    "not json": httpx.Response(200, text="<html>gateway</html>"),
    "truncated json": httpx.Response(200, text='{"retCode": "SUCC'),
    "empty body": httpx.Response(200, content=b""),
    "bad utf-8": httpx.Response(200, content=b'{"retCode": "\xff\xfe"}'),
    "json array": httpx.Response(200, json=[{"retCode": "SUCCESS"}]),
    "json string": httpx.Response(200, json="SUCCESS"),
    "no retCode": httpx.Response(200, json={"retMsg": "", "retData": ORDER}),
    "odd retCode": httpx.Response(200, json={"retCode": "success", "retData": ORDER}),
    "bad gzip": lambda _: httpx.Response(
        200, stream=httpx.ByteStream(b"not gzip at all"), headers={"Content-Encoding": "gzip"}
    ),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("answer", list(UNKNOWN_ANSWERS))
@pytest.mark.parametrize("method", MONEY_MOVING)
async def test_money_call_with_an_unusable_answer_is_unknown_and_sent_once(
    answer: str, method: str
) -> None:
    host = Host(UNKNOWN_ANSWERS[answer])
    sleeps = Sleeps()
    with pytest.raises(OutcomeUnknown) as info:
        await run(host, CALLS[method], sleeps)
    assert len(host.requests) == 1
    assert sleeps.delays == []
    assert info.value.endpoint == ENDPOINTS[method]
    assert_clean(info.value)


TRANSPORT_ERRORS: list[tuple[Exception, type[IotPayError]]] = [
    (httpx.ConnectError("connection refused"), CannotConnect),
    (httpx.ConnectTimeout("connect timed out"), CannotConnect),
    (httpx.PoolTimeout("no free connection"), CannotConnect),
    (httpx.UnsupportedProtocol("bad scheme"), CannotConnect),
    (httpx.ReadTimeout("read timed out"), OutcomeUnknown),
    (httpx.WriteTimeout("write timed out"), OutcomeUnknown),
    (httpx.ReadError("connection reset"), OutcomeUnknown),
    (httpx.WriteError("broken pipe"), OutcomeUnknown),
    (httpx.RemoteProtocolError("server disconnected"), OutcomeUnknown),
    (httpx.LocalProtocolError("bad header"), OutcomeUnknown),
    (httpx.ProxyError("proxy said no"), OutcomeUnknown),
    (httpx.DecodingError("bad content encoding"), OutcomeUnknown),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("error", "expected"), TRANSPORT_ERRORS, ids=lambda e: type(e).__name__)
async def test_transport_error_taxonomy(error: Exception, expected: type[IotPayError]) -> None:
    host = Host(error)
    with pytest.raises(expected) as info:
        await run(host, CALLS["refund"])
    assert type(info.value) is expected
    assert type(error).__name__ in info.value.reason
    assert len(host.requests) == 1
    assert_clean(info.value)


# --------------------------------------------------------------------------- retries


@pytest.mark.asyncio
@pytest.mark.parametrize("method", SENT_ONCE)
@pytest.mark.parametrize("error", [httpx.ReadTimeout("t"), httpx.ConnectError("c")])
async def test_calls_other_than_queries_are_never_retried(method: str, error: Exception) -> None:
    host = Host(error, envelope(ORDER))
    sleeps = Sleeps()
    with pytest.raises((OutcomeUnknown, CannotConnect)):
        await run(host, CALLS[method], sleeps)
    assert len(host.requests) == 1
    assert sleeps.delays == []


@pytest.mark.asyncio
@pytest.mark.parametrize("method", RETRIED)
async def test_queries_retry_with_backoff_until_an_answer(method: str) -> None:
    answer = {**ORDER, "cardId": "604567999"}
    host = Host(httpx.ConnectError("refused"), httpx.Response(502), envelope(answer))
    sleeps = Sleeps()
    result = await run(host, CALLS[method], sleeps)
    assert isinstance(result, Order | Card)
    assert len(host.requests) == 3
    assert sleeps.delays == [0.5, 1.0]
    # Each attempt is the same request: same params, same sign.
    assert host.bodies()[0] == host.bodies()[1] == host.bodies()[2]


@pytest.mark.asyncio
@pytest.mark.parametrize("method", RETRIED)
async def test_queries_give_up_after_their_attempts(method: str) -> None:
    host = Host(httpx.ReadTimeout("t"))
    sleeps = Sleeps()
    with pytest.raises(OutcomeUnknown):
        await run(host, CALLS[method], sleeps, query_attempts=5, backoff=0.1)
    assert len(host.requests) == 5
    assert sleeps.delays == pytest.approx([0.1, 0.2, 0.4, 0.8])


@pytest.mark.asyncio
async def test_query_last_error_is_the_one_raised() -> None:
    host = Host(httpx.ReadTimeout("t"), httpx.ConnectError("refused"))
    with pytest.raises(CannotConnect):
        await run(host, CALLS["query"], query_attempts=2)
    assert len(host.requests) == 2


@pytest.mark.asyncio
async def test_query_attempts_of_one_means_no_retry() -> None:
    host = Host(httpx.Response(500))
    sleeps = Sleeps()
    with pytest.raises(OutcomeUnknown):
        await run(host, CALLS["query"], sleeps, query_attempts=1)
    assert len(host.requests) == 1
    assert sleeps.delays == []


@pytest.mark.asyncio
async def test_query_not_retried_on_fail() -> None:
    host = Host(envelope(ret_code="FAIL", ret_msg="order not exist"))
    sleeps = Sleeps()
    with pytest.raises(IotPayRejected) as info:
        await run(host, CALLS["query"], sleeps)
    assert info.value.is_not_found
    assert len(host.requests) == 1
    assert sleeps.delays == []


# --------------------------------------------------------------------------- invalid requests


BAD: dict[str, Call] = {
    "purchase": lambda c: c.purchase(
        PurchaseRequest(
            mch_order_no="A1",
            mch_user_id="u1",
            amount=0,
            login_name="jack123",
            notify_url="https://e.com/n",
            return_url="https://e.com/r",
        )
    ),
    "add_card": lambda c: c.add_card(
        AddCardRequest(card_id="c1", login_name="x" * 13, return_url="https://e.com/r")
    ),
    "direct_add_card": lambda c: c.direct_add_card(
        DirectAddCardRequest(
            card_id="c1", card_num="4242424242424241", holder="J", cvv="987", login_name="j"
        )
    ),
    "query_card": lambda c: c.query_card(QueryCardRequest(card_id="")),
    "purchase_with_token": lambda c: c.purchase_with_token(
        PurchaseWithTokenRequest(
            mch_order_no="A1",
            mch_user_id="u1",
            card_id="c1",
            amount=1500,
            login_name="j",
            currency="USD",
        )
    ),
    "purchase_with_wallet": lambda c: c.purchase_with_wallet(
        PurchaseWithWalletRequest(
            mch_order_no="W1", amount=1, login_name="j", wallet_type="ApplePay", wallet_data="!"
        )
    ),
    "refund": lambda c: c.refund(
        RefundRequest(mch_refund_no="R1", login_name="j", refund_amount=-5, pay_order_id="P")
    ),
    "void": lambda c: c.void(VoidRequest(mch_refund_no="R1", login_name="j", pay_order_id="")),
    "query": lambda c: c.query(QueryRequest()),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(BAD))
async def test_invalid_request_sends_nothing(method: str) -> None:
    host = Host(envelope(ORDER))
    sleeps = Sleeps()
    with pytest.raises(InvalidRequest) as info:
        await run(host, BAD[method], sleeps)
    assert host.requests == []
    assert sleeps.delays == []
    assert str(info.value).startswith(f"{info.value.field}: ")
    assert_clean(info.value)


@pytest.mark.asyncio
async def test_invalid_mch_id_sends_nothing() -> None:
    host = Host(envelope(ORDER))
    http = httpx.AsyncClient(transport=httpx.MockTransport(host))
    async with http:
        client = IotPayClient(BASE, "x" * 31, KEY, http=http)
        with pytest.raises(InvalidRequest, match="mchId: at most 30 characters"):
            await client.query(QUERY)
    assert host.requests == []


# --------------------------------------------------------------------------- secrets


@pytest.mark.asyncio
async def test_key_never_in_repr_or_str() -> None:
    async with IotPayClient(BASE, MCH, KEY) as client:
        assert KEY not in repr(client)
        assert KEY not in str(client)
        assert MCH in repr(client)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "answer",
    [
        envelope(ret_code="FAIL", ret_msg="bad sign"),
        httpx.Response(500),
        httpx.ReadTimeout("t"),
        httpx.ConnectError("c"),
    ],
    ids=["fail", "500", "timeout", "connect"],
)
async def test_card_data_and_key_never_in_errors_of_direct_add_card(answer: Answer) -> None:
    with pytest.raises(IotPayError) as info:
        await run(Host(answer), CALLS["direct_add_card"])
    assert_clean(info.value)
    assert "987" not in "".join(traceback.format_exception(info.value))


def test_secret_request_fields_never_in_repr() -> None:
    text = repr(DIRECT_ADD) + repr(WALLET)
    assert CARD not in text
    assert "987" not in text
    assert "1230" not in text
    assert "eyJ0b2tlbiI6IngifQ==" not in text


# --------------------------------------------------------------------------- the shared client


@pytest.mark.asyncio
async def test_default_http_client_has_explicit_timeouts_limits_and_verifies_tls() -> None:
    async with default_http_client(timeout=12.0, connect_timeout=3.0) as http:
        assert http.timeout == httpx.Timeout(12.0, connect=3.0, pool=12.0)
        assert not http.trust_env
        # httpx exposes neither limits nor the TLS context publicly; read them off the pool.
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 20
        assert pool._max_keepalive_connections == 20
        assert pool._ssl_context.verify_mode == ssl.CERT_REQUIRED
        assert pool._ssl_context.check_hostname


@pytest.mark.asyncio
async def test_owned_http_client_is_closed_injected_one_is_not() -> None:
    client = IotPayClient(BASE, MCH, KEY)
    await client.aclose()
    assert len(client._pools) == 5
    assert all(http.is_closed for http in client._pools)
    injected = httpx.AsyncClient()
    async with IotPayClient(BASE, MCH, KEY, http=injected):
        pass
    assert not injected.is_closed
    await injected.aclose()


@pytest.mark.asyncio
async def test_the_desks_connections_are_spread_over_its_pools() -> None:
    """Five clients of 4 connections (20 in all): each request goes to the least busy."""
    pools = default_http_pools()
    assert len(pools) == 5
    for http in pools:
        assert http._transport._pool._max_connections == 4  # type: ignore[attr-defined]
    seen: list[int] = []
    release = asyncio.Event()
    all_in = asyncio.Event()

    def host_of(i: int) -> Host:
        async def answer(request: httpx.Request) -> httpx.Response:
            seen.append(i)
            if len(seen) == 6:
                all_in.set()
            await release.wait()
            return envelope(ORDER)

        return answer  # type: ignore[return-value]

    mocks = [httpx.AsyncClient(transport=httpx.MockTransport(host_of(i))) for i in range(3)]
    client = IotPayClient(BASE, MCH, KEY, http=mocks)
    calls = [
        asyncio.create_task(client.query(QueryRequest(pay_order_id=PAY_ORDER_ID))) for _ in range(6)
    ]
    await asyncio.wait_for(all_in.wait(), 5)
    assert sorted(seen) == [0, 0, 1, 1, 2, 2]  # two in flight on each
    release.set()
    await asyncio.gather(*calls)
    assert client._in_flight == [0, 0, 0]
    for http in [*pools, *mocks]:
        await http.aclose()


@pytest.mark.asyncio
async def test_concurrency_is_bounded() -> None:
    in_flight = 0
    peak = 0
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await release.wait()
        in_flight -= 1
        return envelope(ORDER)

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
        client = IotPayClient(BASE, MCH, KEY, http=http, max_concurrency=3)
        tasks = [asyncio.create_task(client.query(QUERY)) for _ in range(12)]
        for _ in range(1000):
            if in_flight == 3:
                break
            await asyncio.sleep(0)
        for _ in range(100):  # give the other nine every chance to slip through
            await asyncio.sleep(0)
        assert in_flight == 3
        release.set()
        orders = await asyncio.gather(*tasks)
    assert peak == 3
    assert all(o.pay_order_id == PAY_ORDER_ID for o in orders)


# --------------------------------------------------------------------------- real peers


class CountingTransport(httpx.AsyncHTTPTransport):
    """The real HTTP transport, counting the requests handed to it."""

    def __init__(self) -> None:
        super().__init__()
        self.handled = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.handled += 1
        return await super().handle_async_request(request)


class Peer:
    """A raw TCP peer on loopback that reads whole HTTP requests and then misbehaves.

    ``silent``: never answers. ``hangup``: closes the connection after reading.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests: list[bytes] = []
        self.connections = 0
        self._release = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                m = re.search(rb"(?i)content-length:\s*(\d+)", head)
                body = await reader.readexactly(int(m.group(1))) if m else b""
                self.requests.append(head + body)
                if self.mode == "hangup":
                    break
                await self._release.wait()
                break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def __aenter__(self) -> Peer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._release.set()
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    def endpoints(self) -> list[str]:
        return [r.split(b" ", 2)[1].decode() for r in self.requests]


@pytest_asyncio.fixture
async def silent_peer() -> AsyncIterator[Peer]:
    async with Peer("silent") as peer:
        yield peer


@pytest_asyncio.fixture
async def hangup_peer() -> AsyncIterator[Peer]:
    async with Peer("hangup") as peer:
        yield peer


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: connecting is refused, nothing is accepted."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


async def real_call(
    url: str, call: Call, sleeps: Sleeps | None = None, read_timeout: float = 0.25
) -> tuple[CountingTransport, BaseException | Any]:
    transport = CountingTransport()
    http = httpx.AsyncClient(
        transport=transport, timeout=httpx.Timeout(read_timeout, connect=2.0), trust_env=False
    )
    async with http:
        client = IotPayClient(url, MCH, KEY, http=http, sleep=sleeps or Sleeps())
        try:
            return transport, await call(client)
        except IotPayError as exc:
            return transport, exc


@pytest.mark.asyncio
@pytest.mark.parametrize("method", MONEY_MOVING)
async def test_no_answer_is_outcome_unknown_and_sent_once(silent_peer: Peer, method: str) -> None:
    sleeps = Sleeps()
    transport, exc = await real_call(silent_peer.url, CALLS[method], sleeps)
    assert isinstance(exc, OutcomeUnknown)
    assert "ReadTimeout" in exc.reason
    assert transport.handled == 1
    assert silent_peer.endpoints() == [f"/v3/{ENDPOINTS[method]}"]
    assert silent_peer.connections == 1
    assert sleeps.delays == []
    assert_clean(exc)


@pytest.mark.asyncio
@pytest.mark.parametrize("method", MONEY_MOVING)
async def test_hangup_after_the_request_is_outcome_unknown_and_sent_once(
    hangup_peer: Peer, method: str
) -> None:
    transport, exc = await real_call(hangup_peer.url, CALLS[method])
    assert isinstance(exc, OutcomeUnknown)
    assert "RemoteProtocolError" in exc.reason
    assert transport.handled == 1
    assert hangup_peer.endpoints() == [f"/v3/{ENDPOINTS[method]}"]
    # What reached the peer is the whole signed request.
    body = json.loads(hangup_peer.requests[0].split(b"\r\n\r\n", 1)[1])
    assert verify_sign(body, KEY)
    assert_clean(exc)


@pytest.mark.asyncio
async def test_card_data_reaches_the_peer_but_never_the_error(hangup_peer: Peer) -> None:
    _, exc = await real_call(hangup_peer.url, CALLS["direct_add_card"])
    assert isinstance(exc, OutcomeUnknown)
    assert CARD.encode() in hangup_peer.requests[0]
    assert_clean(exc)


@pytest.mark.asyncio
@pytest.mark.parametrize("method", RETRIED)
async def test_queries_retry_against_a_silent_peer(silent_peer: Peer, method: str) -> None:
    sleeps = Sleeps()
    transport, exc = await real_call(silent_peer.url, CALLS[method], sleeps, read_timeout=0.15)
    assert isinstance(exc, OutcomeUnknown)
    assert transport.handled == 3
    assert silent_peer.endpoints() == [f"/v3/{ENDPOINTS[method]}"] * 3
    assert sleeps.delays == [0.5, 1.0]


@pytest.mark.asyncio
@pytest.mark.parametrize("method", SENT_ONCE)
async def test_closed_port_cannot_connect_and_nothing_is_sent(
    closed_port: int, method: str
) -> None:
    sleeps = Sleeps()
    transport, exc = await real_call(f"http://127.0.0.1:{closed_port}", CALLS[method], sleeps)
    assert isinstance(exc, CannotConnect)
    assert "ConnectError" in exc.reason
    assert transport.handled == 1
    assert sleeps.delays == []
    assert_clean(exc)


@pytest.mark.asyncio
async def test_closed_port_query_retries_then_cannot_connect(closed_port: int) -> None:
    sleeps = Sleeps()
    transport, exc = await real_call(f"http://127.0.0.1:{closed_port}", CALLS["query"], sleeps)
    assert isinstance(exc, CannotConnect)
    assert transport.handled == 3
    assert sleeps.delays == [0.5, 1.0]


@pytest.mark.asyncio
async def test_a_port_that_closed_received_nothing() -> None:
    # Start a peer, note its port, shut it: a call there is refused and the peer that
    # owned the port never saw a connection.
    async with Peer("hangup") as peer:
        url = peer.url
    transport, exc = await real_call(url, CALLS["refund"])
    assert isinstance(exc, CannotConnect)
    assert transport.handled == 1
    assert peer.connections == 0
    assert peer.requests == []


def test_the_modules_a_first_request_would_import_are_imported_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from iotpay_desk.api import client

    assert client.load_lazy_modules() == []
    assert all(name in sys.modules for name in client.LAZY_MODULES)
    monkeypatch.setattr(client, "LAZY_MODULES", ("_strptime", "no_such_module_here"))
    assert client.load_lazy_modules() == ["no_such_module_here"]

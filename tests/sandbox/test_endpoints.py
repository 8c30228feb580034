"""The nine V3 endpoints over real HTTP: envelope, ids, sign, field rules, uniqueness."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from iotpay_desk.api import (
    DirectAddCardRequest,
    IotPayClient,
    IotPayRejected,
    PurchaseWithTokenRequest,
    QueryCardRequest,
    QueryRequest,
    sign,
)
from iotpay_desk.api.sign import sign_base
from iotpay_desk.sandbox import DEMO_MERCHANT, Merchant, SandboxClock, SandboxServer

from .helpers import KEY, MCH, bind_card, call, charge, ok, query, refused, signed, unique

PAY_ID = re.compile(r"PC\d{14}\d{12}")
REFUND_ID = re.compile(r"RP\d{14}\d{12}")
SECURE_ID = re.compile(r"[0-9a-f]{64}")

ORDER_FIELDS = {
    "payOrderId",
    "mchId",
    "mchOrderNo",
    "originalOrderId",
    "amount",
    "currency",
    "payType",
    "refundable",
    "status",
    "invoiceNum",
    "paySuccTime",
    "cardNum",
    "cardType",
    "expiryDate",
    "authNum",
    "transNum",
    "channel",
}


@pytest.fixture
def http(sandbox_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_url, timeout=10) as client:
        yield client


def wallet(http: httpx.Client, wallet_type: str, token: str, **extra: Any) -> dict[str, Any]:
    params = {
        "mchOrderNo": unique("W"),
        "amount": 2500,
        "currency": "CAD",
        "loginName": "op1",
        "walletType": wallet_type,
        "walletData": base64.b64encode(token.encode()).decode(),
        **extra,
    }
    return call(http, "cc_purchasewithwallet", params)


# ---------------------------------------------------------------------- each endpoint


def test_purchase_creates_a_pending_order_and_a_hosted_page(
    http: httpx.Client, sandbox_url: str
) -> None:
    order_no = unique("P")
    data = ok(
        http,
        "cc_purchase",
        {
            "mchOrderNo": order_no,
            "mchUserId": "u1",
            "amount": 1999,
            "currency": "CAD",
            "loginName": "op1",
            "channel": "PF_CC",
            "notifyUrl": "https://shop.example/notify",
            "returnUrl": "https://shop.example/return",
            "subject": "Coffee",
        },
    )
    assert SECURE_ID.fullmatch(data["secureId"])
    assert data["redirectUrl"] == f"{sandbox_url}/cc/purchase?key={data['secureId']}"
    order = query(http, mchOrderNo=order_no)
    assert PAY_ID.fullmatch(order["payOrderId"])
    assert set(order) >= ORDER_FIELDS
    assert (order["status"], order["amount"], order["refundable"]) == (0, 1999, 0)
    assert (order["payType"], order["originalOrderId"], order["currency"]) == ("pay", "", "CAD")


def test_addcard_gives_a_page_and_takes_the_card_id_only_when_bound(
    http: httpx.Client, sandbox_url: str
) -> None:
    card_id = unique("card")
    params = {
        "cardId": card_id,
        "loginName": "op1",
        "channel": "PF_CC",
        "returnUrl": "https://shop.example/card",
    }
    first = ok(http, "cc_addcard", params)
    assert first["redirectUrl"] == f"{sandbox_url}/cc/addcard?key={first['secureId']}"
    assert SECURE_ID.fullmatch(first["secureId"])
    assert refused(http, "cc_querycard", {"cardId": card_id}) == "cardId is not binding"
    second = ok(http, "cc_addcard", params)  # an unfinished add can be started again
    assert second["secureId"] != first["secureId"]
    bind_card(http, cardId=card_id)
    assert refused(http, "cc_addcard", params).startswith("cardId:")


def test_directaddcard_and_querycard_show_only_the_masked_number(http: httpx.Client) -> None:
    card_id = unique("card")
    added = ok(
        http,
        "cc_directaddcard",
        {
            "cardId": card_id,
            "cardNum": "5555555555554444",
            "expiryDate": "0839",
            "holder": "Ada Lovelace",
            "cvv": "321",
            "loginName": "op1",
            "channel": "PF_CC",
        },
    )
    queried = ok(http, "cc_querycard", {"cardId": card_id})
    for card in (added, queried):
        assert card["cardId"] == card_id
        assert card["cardNum"] == "555555******4444"
        assert card["expiryDate"] == "0839"
        assert card["holder"] == "Ada Lovelace"
        assert card["cardType"] == "M"
        assert "cvv" not in card
        assert "5555555555554444" not in str(card)


def test_directaddcard_without_expiry_is_accepted_and_queries_as_empty(
    http: httpx.Client,
) -> None:
    card_id = bind_card(http, expiryDate=None)
    assert ok(http, "cc_querycard", {"cardId": card_id})["expiryDate"] == ""
    assert charge(http, card_id)["status"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cardNum": "4242424242424241"}, "cardNum"),
        ({"cardNum": "4242"}, "cardNum"),
        ({"expiryDate": "0120"}, "expiryDate"),
        ({"expiryDate": "1330"}, "expiryDate"),
        ({"cvv": "12"}, "cvv"),
        ({"holder": ""}, "holder"),
    ],
)
def test_directaddcard_checks_card_data(
    http: httpx.Client, change: dict[str, str], field: str
) -> None:
    params = {
        "cardId": unique("card"),
        "cardNum": "4242424242424242",
        "expiryDate": "1239",
        "holder": "Jo",
        "cvv": "123",
        "loginName": "op1",
        **change,
    }
    msg = refused(http, "cc_directaddcard", params)
    assert msg.startswith(f"{field}:")
    assert "4242424242424241" not in msg


def test_expired_card_is_refused_with_card_expired(http: httpx.Client) -> None:
    msg = refused(
        http,
        "cc_directaddcard",
        {
            "cardId": unique("card"),
            "cardNum": "4242424242424242",
            "expiryDate": "0120",
            "holder": "Jo",
            "cvv": "123",
            "loginName": "op1",
        },
    )
    assert msg == "expiryDate: card expired"


def test_card_id_is_unique_per_merchant(http: httpx.Client) -> None:
    card_id = bind_card(http)
    params = {
        "cardId": card_id,
        "cardNum": "5555555555554444",
        "expiryDate": "1239",
        "holder": "Jo",
        "cvv": "123",
        "loginName": "op1",
    }
    assert refused(http, "cc_directaddcard", params).startswith("cardId: already used")
    assert ok(http, "cc_querycard", {"cardId": card_id})["cardNum"] == "424242******4242"


@pytest.mark.parametrize(
    ("number", "status", "card_type", "ret_msg"),
    [
        ("4242424242424242", 2, "V", ""),
        ("5555555555554444", 2, "M", ""),
        ("4000000000000002", 9, "V", "card declined"),
        ("4000000000000077", 0, "V", ""),
    ],
)
def test_token_charge_outcome_follows_the_bound_test_card(
    http: httpx.Client, number: str, status: int, card_type: str, ret_msg: str
) -> None:
    card_id = bind_card(http, number)
    env = call(
        http,
        "cc_purchasewithtoken",
        {
            "mchOrderNo": unique("O"),
            "mchUserId": "u1",
            "cardId": card_id,
            "amount": 4321,
            "currency": "CAD",
            "loginName": "op1",
            "clientIp": "192.0.2.7",
        },
    )
    assert env["retCode"] == "SUCCESS"  # a decline is an order with status 9, not a FAIL
    assert env["retMsg"] == ret_msg
    order = env["retData"]
    assert set(order) >= ORDER_FIELDS
    assert order["status"] == status
    assert order["cardType"] == card_type
    assert order["cardNum"] == f"{number[:6]}******{number[-4:]}"
    assert order["refundable"] == (4321 if status == 2 else 0)
    assert bool(order["paySuccTime"]) == (status == 2)
    assert bool(order["authNum"]) == (status == 2)
    assert query(http, payOrderId=order["payOrderId"])["status"] == status


def test_token_charge_of_an_unbound_card_is_refused(http: httpx.Client) -> None:
    msg = refused(
        http,
        "cc_purchasewithtoken",
        {"mchOrderNo": unique("O"), "cardId": "nobody", "amount": 100, "loginName": "op1"},
    )
    assert msg == "cardId is not binding"


def test_token_charge_accepts_a_missing_mch_user_id(http: httpx.Client) -> None:
    card_id = bind_card(http)
    env = call(
        http,
        "cc_purchasewithtoken",
        {"mchOrderNo": unique("O"), "cardId": card_id, "amount": 100, "loginName": "op1"},
    )
    assert env["retData"]["status"] == 2


def test_pending_card_is_status_0_then_2_after_five_sandbox_seconds(
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    srv = sandbox_factory(clock=SandboxClock(frozen=True))
    with httpx.Client(base_url=srv.url) as http:
        order = charge(http, bind_card(http, "4000000000000077"), amount=700)
        assert order["status"] == 0
        srv.advance(4.9)
        assert query(http, payOrderId=order["payOrderId"])["status"] == 0
        srv.advance(0.2)
        done = query(http, payOrderId=order["payOrderId"])
        assert (done["status"], done["refundable"]) == (2, 700)
        assert done["paySuccTime"]
        assert done["authNum"]


def test_wallet_apple_and_google_pay(http: httpx.Client) -> None:
    apple = wallet(http, "ApplePay", '{"paymentData": "ok"}')
    google = wallet(http, "GooglePay", '{"token": "ok"}')
    for env, channel in ((apple, "CC_CA"), (google, "CC_CG")):
        assert env["retCode"] == "SUCCESS"
        order = env["retData"]
        assert order["channel"] == channel
        assert order["status"] == 2
        assert order["capture"] == "Y"
        assert order["cardNum"] == "424242******4242"
        assert order["refundable"] == 2500


def test_wallet_token_containing_decline_is_declined(http: httpx.Client) -> None:
    env = wallet(http, "ApplePay", '{"paymentData": "please DECLINE me"}')
    assert env["retCode"] == "SUCCESS"
    assert env["retMsg"] == "card declined"
    assert env["retData"]["status"] == 9
    assert env["retData"]["capture"] != "Y"


@pytest.mark.parametrize("missing", ["walletType", "walletData"])
def test_wallet_requires_type_and_data(http: httpx.Client, missing: str) -> None:
    params = {
        "mchOrderNo": unique("W"),
        "amount": 100,
        "loginName": "op1",
        "walletType": "GooglePay",
        "walletData": base64.b64encode(b"{}").decode(),
    }
    del params[missing]
    assert refused(http, "cc_purchasewithwallet", params).startswith(f"{missing}:")


def test_wallet_type_must_be_apple_or_google(http: httpx.Client) -> None:
    msg = wallet(http, "SamsungPay", "{}")["retMsg"]
    assert msg.startswith("walletType:")


def test_query_by_either_id_and_unknown_order(http: httpx.Client) -> None:
    order = charge(http, bind_card(http))
    by_id = query(http, payOrderId=order["payOrderId"])
    by_no = query(http, mchOrderNo=order["mchOrderNo"])
    assert by_id == by_no == order
    assert refused(http, "cc_query", {"mchOrderNo": "never-made"}) == "order not found"
    assert refused(http, "cc_query", {}).startswith("mchOrderNo:")
    both = {"mchOrderNo": order["mchOrderNo"], "payOrderId": order["payOrderId"]}
    assert refused(http, "cc_query", both).startswith("payOrderId:")


def test_refund_and_void_orders_have_rp_ids(sandbox: SandboxServer, http: httpx.Client) -> None:
    card_id = bind_card(http)
    voided = charge(http, card_id, amount=1000)
    void = ok(
        http,
        "cc_void",
        {"mchRefundNo": unique("V"), "loginName": "op1", "payOrderId": voided["payOrderId"]},
    )
    paid = charge(http, card_id, amount=1000)
    sandbox.settle()
    refund = ok(
        http,
        "cc_refund",
        {
            "mchRefundNo": unique("R"),
            "loginName": "op1",
            "refundAmount": 400,
            "payOrderId": paid["payOrderId"],
        },
    )
    for order in (void, refund):
        assert REFUND_ID.fullmatch(order["payOrderId"])
        assert order["payType"] == "refund"
        assert order["refundable"] == 0
        assert order["status"] == 2
    assert (void["amount"], void["originalOrderId"]) == (1000, voided["payOrderId"])
    assert (refund["amount"], refund["originalOrderId"]) == (400, paid["payOrderId"])


# ---------------------------------------------------------------------- sign and merchant


def test_a_bad_sign_is_refused_and_says_so(http: httpx.Client) -> None:
    params = signed({"mchOrderNo": "anything"})
    params["sign"] = "0" * 32
    env = http.post("/v3/cc_query", json=params).json()
    assert env["retCode"] == "FAIL"
    assert "sign" in env["retMsg"].lower()
    assert "signature" in env["retMsg"]


def test_a_sign_made_with_another_key_is_refused(http: httpx.Client) -> None:
    env = call(http, "cc_query", {"mchOrderNo": "x"}, key="NOT_THE_DEMO_KEY_0000000000000")
    assert env["retCode"] == "FAIL"
    assert env["retMsg"].startswith("sign:")


def test_a_missing_sign_is_refused(http: httpx.Client) -> None:
    env = http.post("/v3/cc_query", json={"mchId": MCH, "mchOrderNo": "x"}).json()
    assert env == {"retCode": "FAIL", "retMsg": "sign: is required", "retData": {}}


def test_an_altered_message_is_refused(http: httpx.Client) -> None:
    card_id = bind_card(http)
    params = signed(
        {"mchOrderNo": unique("O"), "cardId": card_id, "amount": 100, "loginName": "op1"}
    )
    params["amount"] = 100000
    env = http.post("/v3/cc_purchasewithtoken", json=params).json()
    assert env["retCode"] == "FAIL"
    assert env["retMsg"].startswith("sign:")
    assert refused(http, "cc_query", {"mchOrderNo": params["mchOrderNo"]}) == "order not found"


def test_sign_in_lowercase_and_php_case_insensitive_order_are_accepted(
    http: httpx.Client,
) -> None:
    import hashlib

    card_id = bind_card(http)
    params = {"mchId": MCH, "cardId": card_id, "Zeta": "z", "alpha": "a"}
    params["sign"] = sign(params, KEY).lower()
    assert http.post("/v3/cc_querycard", json=params).json()["retCode"] == "SUCCESS"
    base = sign_base(params, KEY, casefold=True)
    assert base.startswith("alpha=a&cardId=")  # differs from plain code point order
    params["sign"] = hashlib.md5(base.encode()).hexdigest().upper()
    assert http.post("/v3/cc_querycard", json=params).json()["retCode"] == "SUCCESS"


def test_unknown_fields_count_in_the_sign(http: httpx.Client) -> None:
    card_id = bind_card(http)
    params = signed({"cardId": card_id, "futureField": "x"})
    assert http.post("/v3/cc_querycard", json=params).json()["retCode"] == "SUCCESS"
    params["another"] = "unsigned"
    assert http.post("/v3/cc_querycard", json=params).json()["retMsg"].startswith("sign:")


def test_unknown_merchant_is_refused_naming_mch_id(http: httpx.Client) -> None:
    params = {"mchId": "99999999", "mchOrderNo": "x"}
    params["sign"] = sign(params, KEY)
    env = http.post("/v3/cc_query", json=params).json()
    assert env["retCode"] == "FAIL"
    assert env["retMsg"].startswith("mchId:")


def test_a_merchant_with_a_login_accepts_only_that_login(
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    jack = Merchant(mch_id="20000001", key="JACKS_KEY_0123456789", login="jack123", name="Jack")
    srv = sandbox_factory(merchants=[jack])
    with httpx.Client(base_url=srv.url) as http:
        base = {
            "mchId": jack.mch_id,
            "cardId": "c1",
            "cardNum": "4242424242424242",
            "holder": "Jo",
            "cvv": "123",
            "loginName": "someone",
        }
        params = {**base, "sign": sign(base, jack.key)}
        env = http.post("/v3/cc_directaddcard", json=params).json()
        assert env["retCode"] == "FAIL"
        assert env["retMsg"].startswith("loginName:")
        base["loginName"] = "jack123"
        params = {**base, "sign": sign(base, jack.key)}
        assert http.post("/v3/cc_directaddcard", json=params).json()["retCode"] == "SUCCESS"


def test_ids_are_unique_per_merchant_not_across_merchants(
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    other = Merchant(mch_id="30000001", key="OTHER_KEY_0123456789", name="Other")
    srv = sandbox_factory(merchants=[DEMO_MERCHANT, other])
    with httpx.Client(base_url=srv.url) as http:
        order = charge(http, bind_card(http, cardId="shared"), mchOrderNo="SAME-1")
        base = {
            "mchId": other.mch_id,
            "cardId": "shared",
            "cardNum": "5555555555554444",
            "holder": "Jo",
            "cvv": "123",
            "loginName": "op",
        }
        env = http.post("/v3/cc_directaddcard", json={**base, "sign": sign(base, other.key)})
        assert env.json()["retCode"] == "SUCCESS"
        q = {"mchId": other.mch_id, "payOrderId": order["payOrderId"]}
        env = http.post("/v3/cc_query", json={**q, "sign": sign(q, other.key)}).json()
        assert env["retMsg"] == "order not found"  # another merchant's order is invisible


# ---------------------------------------------------------------------- field rules


VALID: dict[str, dict[str, Any]] = {
    "cc_purchase": {
        "mchOrderNo": "O1",
        "mchUserId": "u1",
        "amount": 100,
        "currency": "CAD",
        "loginName": "op1",
        "channel": "PF_CC",
        "notifyUrl": "https://shop.example/n",
        "returnUrl": "https://shop.example/r",
    },
    "cc_addcard": {
        "cardId": "c1",
        "loginName": "op1",
        "channel": "PF_CC",
        "returnUrl": "https://shop.example/r",
    },
    "cc_directaddcard": {
        "cardId": "c1",
        "cardNum": "4242424242424242",
        "holder": "Jo",
        "cvv": "123",
        "loginName": "op1",
    },
    "cc_querycard": {"cardId": "c1"},
    "cc_purchasewithtoken": {"mchOrderNo": "O1", "cardId": "c1", "amount": 1, "loginName": "op1"},
    "cc_purchasewithwallet": {
        "mchOrderNo": "O1",
        "amount": 1,
        "loginName": "op1",
        "walletType": "ApplePay",
        "walletData": "e30=",
    },
    "cc_refund": {"mchRefundNo": "R1", "loginName": "op1", "refundAmount": 1, "payOrderId": "P"},
    "cc_void": {"mchRefundNo": "R1", "loginName": "op1", "payOrderId": "P"},
}

REQUIRED = [
    (endpoint, name)
    for endpoint, params in VALID.items()
    for name in params
    if name not in ("currency", "channel", "mchUserId", "walletType", "walletData")
]


@pytest.mark.parametrize(("endpoint", "field"), REQUIRED)
def test_every_required_field_is_named_when_missing(
    http: httpx.Client, endpoint: str, field: str
) -> None:
    params = dict(VALID[endpoint])
    del params[field]
    assert refused(http, endpoint, params) == f"{field}: is required"


BAD_VALUES = [
    ("cc_purchasewithtoken", "amount", "12.5"),
    ("cc_purchasewithtoken", "amount", 12.5),
    ("cc_purchasewithtoken", "amount", 0),
    ("cc_purchasewithtoken", "amount", -5),
    ("cc_purchasewithtoken", "amount", True),
    ("cc_purchasewithtoken", "currency", "USD"),
    ("cc_purchasewithtoken", "loginName", "x" * 13),
    ("cc_purchasewithtoken", "mchOrderNo", "x" * 31),
    ("cc_purchasewithtoken", "mchOrderNo", ["a"]),
    ("cc_purchasewithtoken", "clientIp", "999.1.1.1"),
    ("cc_purchasewithtoken", "notifyUrl", "ftp://x.example/"),
    ("cc_purchasewithtoken", "subject", "s" * 65),
    ("cc_purchase", "returnUrl", "not a url"),
    ("cc_purchase", "channel", "WECHAT"),
    ("cc_purchase", "body", "b" * 251),
    ("cc_refund", "refundAmount", "100"),
    ("cc_purchasewithwallet", "walletData", "***not base64***"),
    ("cc_addcard", "cardId", {"nested": 1}),
]


@pytest.mark.parametrize(("endpoint", "field", "value"), BAD_VALUES)
def test_bad_values_are_refused_naming_the_field(
    http: httpx.Client, endpoint: str, field: str, value: Any
) -> None:
    params = {**VALID[endpoint], field: value}
    msg = refused(http, endpoint, params)
    assert msg.startswith(f"{field}: ")
    assert len(msg) > len(field) + 4


def test_mch_order_no_and_mch_refund_no_share_one_namespace(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    card_id = bind_card(http)
    paid = charge(http, card_id, amount=900)
    sandbox.settle()
    msg = refused(
        http,
        "cc_refund",
        {
            "mchRefundNo": paid["mchOrderNo"],
            "loginName": "op1",
            "refundAmount": 100,
            "payOrderId": paid["payOrderId"],
        },
    )
    assert msg.startswith("mchRefundNo: already used")
    refund_no = unique("R")
    refund = ok(
        http,
        "cc_refund",
        {
            "mchRefundNo": refund_no,
            "loginName": "op1",
            "refundAmount": 100,
            "payOrderId": paid["payOrderId"],
        },
    )
    assert query(http, mchOrderNo=refund_no) == refund
    assert query(http, payOrderId=refund["payOrderId"]) == refund
    msg = refused(
        http,
        "cc_purchasewithtoken",
        {"mchOrderNo": refund_no, "cardId": card_id, "amount": 5, "loginName": "op1"},
    )
    assert msg.startswith("mchOrderNo: already used")


# ---------------------------------------------------------------------- the desk's client


@pytest.mark.asyncio
async def test_the_protocol_client_speaks_to_the_sandbox(sandbox_url: str) -> None:
    async with IotPayClient(sandbox_url, MCH, KEY) as client:
        card = await client.direct_add_card(
            DirectAddCardRequest(
                card_id="desk-1",
                card_num="4242424242424242",
                holder="Jo",
                cvv="123",
                login_name="op1",
                expiry_date="1239",
            )
        )
        assert card.card_num == "424242******4242"
        order = await client.purchase_with_token(
            PurchaseWithTokenRequest(
                mch_order_no="desk-o-1",
                mch_user_id="u1",
                card_id="desk-1",
                amount=1250,
                login_name="op1",
            )
        )
        assert order.status == 2
        assert order.outcome.value == "succeeded"
        again = await client.query(QueryRequest(pay_order_id=order.pay_order_id))
        assert again == order
        with pytest.raises(IotPayRejected) as unbound:
            await client.query_card(QueryCardRequest(card_id="nobody"))
        assert unbound.value.is_not_found
        with pytest.raises(IotPayRejected) as unknown:
            await client.query(QueryRequest(mch_order_no="nothing"))
        assert unknown.value.is_not_found

"""Typed requests (validated before sending) and typed results (parsed tolerantly)."""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iotpay_desk.api import (
    AddCardRequest,
    Card,
    DirectAddCardRequest,
    InvalidRequest,
    Order,
    OrderStatus,
    Outcome,
    PurchaseRequest,
    PurchaseWithTokenRequest,
    PurchaseWithWalletRequest,
    QueryCardRequest,
    QueryRequest,
    Redirect,
    RefundRequest,
    Request,
    VoidRequest,
    card_brand,
    mask_card_number,
    outcome_of,
    request_params,
)

MCH = "10000701"
PAY_ORDER_ID = "PC20240101215009579871439079"
WALLET_DATA = base64.b64encode(json.dumps({"paymentData": {"data": "x"}}).encode()).decode()


def purchase(**kw: Any) -> PurchaseRequest:
    base: dict[str, Any] = dict(
        mch_order_no="1234567890abc",
        mch_user_id="u1",
        amount=1500,
        login_name="jack123",
        notify_url="https://example.com/notify",
        return_url="https://example.com/return",
    )
    return PurchaseRequest(**{**base, **kw})


def direct_add(**kw: Any) -> DirectAddCardRequest:
    base: dict[str, Any] = dict(
        card_id="604567999",
        card_num="4242424242424242",
        holder="Jack Chen",
        cvv="123",
        login_name="jack123",
        expiry_date="1230",
    )
    return DirectAddCardRequest(**{**base, **kw})


def token(**kw: Any) -> PurchaseWithTokenRequest:
    base: dict[str, Any] = dict(
        mch_order_no="1234567890abc",
        mch_user_id="u1",
        card_id="604567999",
        amount=1500,
        login_name="jack123",
    )
    return PurchaseWithTokenRequest(**{**base, **kw})


def wallet(**kw: Any) -> PurchaseWithWalletRequest:
    base: dict[str, Any] = dict(
        mch_order_no="W1",
        amount=999,
        login_name="jack123",
        wallet_type="ApplePay",
        wallet_data=WALLET_DATA,
    )
    return PurchaseWithWalletRequest(**{**base, **kw})


def refund(**kw: Any) -> RefundRequest:
    base: dict[str, Any] = dict(
        mch_refund_no="R1234567890abc",
        login_name="jack_chen",
        refund_amount=100,
        pay_order_id=PAY_ORDER_ID,
    )
    return RefundRequest(**{**base, **kw})


def void(**kw: Any) -> VoidRequest:
    base: dict[str, Any] = dict(
        mch_refund_no="R1234567890abc", login_name="jack_chen", pay_order_id=PAY_ORDER_ID
    )
    return VoidRequest(**{**base, **kw})


# --------------------------------------------------------------------------- requests: params


def test_purchase_params() -> None:
    assert request_params(purchase(subject="Tea"), MCH) == {
        "mchId": MCH,
        "mchOrderNo": "1234567890abc",
        "mchUserId": "u1",
        "amount": 1500,
        "loginName": "jack123",
        "notifyUrl": "https://example.com/notify",
        "returnUrl": "https://example.com/return",
        "currency": "CAD",
        "channel": "PF_CC",
        "subject": "Tea",
    }


def test_add_card_params_match_the_reference_vector() -> None:
    params = request_params(
        AddCardRequest(
            card_id="604567999", login_name="jack123", return_url="https://example.com/return"
        ),
        MCH,
    )
    assert params == {
        "mchId": MCH,
        "cardId": "604567999",
        "loginName": "jack123",
        "returnUrl": "https://example.com/return",
        "channel": "PF_CC",
    }


def test_direct_add_card_params() -> None:
    params = request_params(direct_add(), MCH)
    assert params == {
        "mchId": MCH,
        "cardId": "604567999",
        "cardNum": "4242424242424242",
        "holder": "Jack Chen",
        "cvv": "123",
        "loginName": "jack123",
        "expiryDate": "1230",
        "channel": "PF_CC",
    }
    assert "expiryDate" not in request_params(direct_add(expiry_date=None), MCH)


def test_query_card_params() -> None:
    assert request_params(QueryCardRequest(card_id="604567999"), MCH) == {
        "mchId": MCH,
        "cardId": "604567999",
    }


def test_token_params_match_the_reference_vector_fields() -> None:
    params = request_params(token(client_ip="192.77.33.56"), MCH)
    assert params == {
        "mchId": MCH,
        "mchOrderNo": "1234567890abc",
        "mchUserId": "u1",
        "cardId": "604567999",
        "amount": 1500,
        "currency": "CAD",
        "loginName": "jack123",
        "clientIp": "192.77.33.56",
    }


def test_wallet_params() -> None:
    params = request_params(wallet(), MCH)
    assert params["walletType"] == "ApplePay"
    assert params["walletData"] == WALLET_DATA
    assert params["amount"] == 999
    assert params["currency"] == "CAD"


def test_refund_and_void_params() -> None:
    assert request_params(refund(), MCH) == {
        "mchId": MCH,
        "mchRefundNo": "R1234567890abc",
        "loginName": "jack_chen",
        "refundAmount": 100,
        "payOrderId": PAY_ORDER_ID,
    }
    assert request_params(void(), MCH) == {
        "mchId": MCH,
        "mchRefundNo": "R1234567890abc",
        "loginName": "jack_chen",
        "payOrderId": PAY_ORDER_ID,
    }
    assert "amount" not in {f.name for f in dataclasses.fields(VoidRequest)}


def test_query_params_by_either_id() -> None:
    assert request_params(QueryRequest(mch_order_no="A1"), MCH) == {
        "mchId": MCH,
        "mchOrderNo": "A1",
    }
    assert request_params(QueryRequest(pay_order_id=PAY_ORDER_ID), MCH) == {
        "mchId": MCH,
        "payOrderId": PAY_ORDER_ID,
    }


def test_params_never_carry_none_or_empty() -> None:
    for req in (purchase(), direct_add(expiry_date=None), token(), refund(), void()):
        params = request_params(req, MCH)
        assert all(v is not None and v != "" for v in params.values())


def test_endpoints_and_money_flags() -> None:
    assert {
        cls.ENDPOINT: cls.MOVES_MONEY
        for cls in (
            PurchaseRequest,
            AddCardRequest,
            DirectAddCardRequest,
            QueryCardRequest,
            PurchaseWithTokenRequest,
            PurchaseWithWalletRequest,
            RefundRequest,
            VoidRequest,
            QueryRequest,
        )
    } == {
        "cc_purchase": False,
        "cc_addcard": False,
        "cc_directaddcard": False,
        "cc_querycard": False,
        "cc_purchasewithtoken": True,
        "cc_purchasewithwallet": True,
        "cc_refund": True,
        "cc_void": True,
        "cc_query": False,
    }


# --------------------------------------------------------------------------- requests: errors


def invalid(req: Request, mch_id: str = MCH) -> str:
    with pytest.raises(InvalidRequest) as info:
        request_params(req, mch_id)
    assert str(info.value) == f"{info.value.field}: {info.value.rule}"
    return str(info.value)


@pytest.mark.parametrize(("req", "message"), [
    (purchase(login_name="x" * 13), "loginName: at most 12 characters"),
    (purchase(mch_order_no="x" * 31), "mchOrderNo: at most 30 characters"),
    (purchase(mch_user_id=""), "mchUserId: is required"),
    (purchase(amount=0), "amount: must be more than 0 cents"),
    (purchase(amount=-100), "amount: must be more than 0 cents"),
    (purchase(amount=15.0), "amount: must be a whole number of cents"),
    (purchase(amount="1500"), "amount: must be a whole number of cents"),
    (purchase(amount=True), "amount: must be a whole number of cents"),
    (purchase(amount=None), "amount: is required"),
    (purchase(currency="USD"), "currency: must be CAD"),
    (purchase(channel="CC_CA"), "channel: must be PF_CC or UPI_EX"),
    (purchase(subject="s" * 65), "subject: at most 64 characters"),
    (purchase(body="b" * 251), "body: at most 250 characters"),
    (purchase(notify_url="ftp://x.test/n"), "notifyUrl: must be an http(s) URL"),
    (purchase(return_url="https://x.test/" + "r" * 190), "returnUrl: at most 200 characters"),
    (purchase(return_url="   "), "returnUrl: is required"),
    (direct_add(card_num="4242424242424241"), "cardNum: fails the card number check (Luhn)"),
    (direct_add(card_num="4242 4242 4242 4242"), "cardNum: must be digits only"),
    (direct_add(cvv="12"), "cvv: must be 3 or 4 digits"),
    (direct_add(expiry_date="1330"), "expiryDate: must be MMYY (month 01-12, two-digit year)"),
    (direct_add(holder=""), "holder: is required"),
    (token(client_ip="999.1.1.1"), "clientIp: must be an IPv4 or IPv6 address"),
    (token(card_id=" 604567999"), "cardId: must not start or end with a space"),
    (wallet(wallet_data="not base64!"), "walletData: must be valid base64"),
    (wallet(wallet_type="SamsungPay"), "walletType: must be ApplePay or GooglePay"),
    (wallet(wallet_data=None), "walletData: is required with walletType and walletData"),
    (wallet(wallet_type=None), "walletType: is required with walletType and walletData"),
    (refund(refund_amount=0), "refundAmount: must be more than 0 cents"),
    (refund(pay_order_id="P" * 31), "payOrderId: at most 30 characters"),
    (void(mch_refund_no=""), "mchRefundNo: is required"),
    (wallet(wallet_data="  "), "walletData: is required with walletType and walletData"),
    (wallet(wallet_type=""), "walletType: is required with walletType and walletData"),
    (QueryRequest(), "mchOrderNo: one of mchOrderNo or payOrderId is required"),
    (QueryRequest(mch_order_no=" ", pay_order_id=""),
     "mchOrderNo: one of mchOrderNo or payOrderId is required"),
    (QueryRequest(mch_order_no="A", pay_order_id="B"),
     "payOrderId: give only one of mchOrderNo or payOrderId"),
    (QueryCardRequest(card_id="c\n1"), "cardId: must not contain control characters"),
])  # fmt: skip
def test_each_error_names_the_field_and_the_rule(req: Request, message: str) -> None:
    assert invalid(req) == message


@pytest.mark.parametrize(("mch_id", "message"), [
    ("", "mchId: must not be blank"),
    ("1" * 31, "mchId: at most 30 characters"),
])  # fmt: skip
def test_mch_id_is_checked(mch_id: str, message: str) -> None:
    assert invalid(QueryCardRequest(card_id="c1"), mch_id) == message


def test_a_blank_optional_field_is_not_sent() -> None:
    params = request_params(purchase(subject="   ", body=""), MCH)
    assert "subject" not in params
    assert "body" not in params
    assert request_params(QueryRequest(mch_order_no="  ", pay_order_id=PAY_ORDER_ID), MCH) == {
        "mchId": MCH,
        "payOrderId": PAY_ORDER_ID,
    }
    params = request_params(wallet(wallet_type=None, wallet_data=" "), MCH)
    assert "walletType" not in params
    assert "walletData" not in params


def test_card_data_never_in_an_error_message() -> None:
    for req in (
        direct_add(card_num="4242424242424241"),
        direct_add(cvv="98765"),
        direct_add(expiry_date="9999"),
    ):
        message = invalid(req)
        assert "424242424242424" not in message
        assert "98765" not in message
        assert "9999" not in message


def test_secret_request_fields_never_in_repr() -> None:
    req = direct_add(card_num="5555555555554444", cvv="987", expiry_date="0829")
    text = repr(req) + str(req)
    assert "5555555555554444" not in text
    assert "987" not in text
    assert "0829" not in text
    assert "604567999" in text  # the repr still says which card id it is
    w = repr(wallet())
    assert WALLET_DATA not in w
    assert "ApplePay" in w


def test_requests_are_frozen() -> None:
    req = refund()
    with pytest.raises(dataclasses.FrozenInstanceError):
        req.refund_amount = 10_000  # type: ignore[misc]


# --------------------------------------------------------------------------- results

ORDER = {
    "payOrderId": PAY_ORDER_ID,
    "mchId": MCH,
    "mchOrderNo": "1234567890abc",
    "originalOrderId": "",
    "amount": 1500,
    "currency": "CAD",
    "payType": "pay",
    "refundable": 1500,
    "status": 2,
    "invoiceNum": "INV1",
    "paySuccTime": "2024-01-01 21:50:09",
    "cardNum": "424242******4242",
    "cardType": "V",
    "expiryDate": "1230",
    "authNum": "A1",
    "transNum": "T1",
    "channel": "PF_CC",
}

EXPECTED_ORDER = Order(
    pay_order_id=PAY_ORDER_ID,
    mch_id=MCH,
    mch_order_no="1234567890abc",
    original_order_id="",
    amount=1500,
    currency="CAD",
    pay_type="pay",
    refundable=1500,
    status=2,
    invoice_num="INV1",
    pay_succ_time="2024-01-01 21:50:09",
    card_num="424242******4242",
    card_type="V",
    expiry_date="1230",
    auth_num="A1",
    trans_num="T1",
    channel="PF_CC",
)


def test_order_from_dict() -> None:
    order = Order.from_dict(ORDER, ret_msg="ok")
    assert order == dataclasses.replace(EXPECTED_ORDER, ret_msg="ok")
    assert order.outcome is Outcome.SUCCEEDED
    assert not order.is_refund
    assert order.last4 == "4242"


def test_refund_order() -> None:
    order = Order.from_dict(
        {
            **ORDER,
            "payOrderId": "RP20240102100000123456789012",
            "payType": "refund",
            "originalOrderId": PAY_ORDER_ID,
            "mchOrderNo": "R1",
            "amount": 500,
            "refundable": 0,
        }
    )
    assert order.is_refund
    assert order.original_order_id == PAY_ORDER_ID
    assert order.amount == 500
    assert order.refundable == 0


def test_missing_optional_fields_are_fine() -> None:
    order = Order.from_dict({"payOrderId": PAY_ORDER_ID})
    assert order == Order(pay_order_id=PAY_ORDER_ID)
    assert order.status == OrderStatus.UNKNOWN
    assert order.outcome is Outcome.NOT_YET_KNOWN
    assert order.currency == "CAD"
    assert order.last4 == ""
    assert Order.from_dict({}).pay_order_id == ""


@pytest.mark.parametrize(("raw", "value"), [
    ("1500", 1500),
    (" 1500 ", 1500),
    (1500.0, 1500),
    ("-5", -5),
    (True, 0),
    (None, 0),
    ("15.00", 0),
    ("1e3", 0),
    ("--5", 0),
    ("²", 0),
    ("١٥٠٠", 0),
    ("9" * 5000, 0),
    (float("nan"), 0),
    (float("inf"), 0),
    (1e300, 0),
    ([1500], 0),
    ({"v": 1}, 0),
])  # fmt: skip
def test_odd_amount_types_never_raise(raw: Any, value: int) -> None:
    order = Order.from_dict({**ORDER, "amount": raw})
    assert order.amount == value
    assert isinstance(order.amount, int)


@pytest.mark.parametrize(("raw", "status", "outcome"), [
    (2, 2, Outcome.SUCCEEDED),
    ("3", 3, Outcome.SUCCEEDED),
    (3.0, 3, Outcome.SUCCEEDED),
    ("9", 9, Outcome.FAILED),
    (0, 0, Outcome.NOT_YET_KNOWN),
    (True, OrderStatus.UNKNOWN, Outcome.NOT_YET_KNOWN),
    ("two", OrderStatus.UNKNOWN, Outcome.NOT_YET_KNOWN),
    (None, OrderStatus.UNKNOWN, Outcome.NOT_YET_KNOWN),
    (7, 7, Outcome.NOT_YET_KNOWN),
])  # fmt: skip
def test_odd_status_types(raw: Any, status: int, outcome: Outcome) -> None:
    order = Order.from_dict({**ORDER, "status": raw})
    assert order.status == status
    assert order.outcome is outcome


def test_odd_text_types_become_text() -> None:
    order = Order.from_dict({**ORDER, "mchOrderNo": 12345, "authNum": None, "invoiceNum": 7})
    assert order.mch_order_no == "12345"
    assert order.auth_num == ""
    assert order.invoice_num == "7"


@pytest.mark.parametrize(
    "raw", ["4242424242424242", 4242424242424242, "4242 4242 4242 4242", "4242-4242-4242-4242"]
)
def test_an_unmasked_card_number_from_the_host_is_masked(raw: Any) -> None:
    order = Order.from_dict({**ORDER, "cardNum": raw})
    assert order.card_num == "424242******4242"
    assert order.last4 == "4242"


def test_card_drops_cvv_and_masks() -> None:
    card = Card.from_dict(
        {
            "cardId": "604567999",
            "cardNum": "5555555555554444",
            "expiryDate": "1230",
            "holder": "Jack Chen",
            "cvv": "987",
            "extra": {"nested": True},
        }
    )
    assert card == Card(
        card_id="604567999", card_num="555555******4444", expiry_date="1230", holder="Jack Chen"
    )
    assert "987" not in repr(card)
    assert not hasattr(card, "cvv")
    assert card.brand == "M"


@pytest.mark.parametrize(("card_num", "brand"), [
    ("424242******4242", "V"),
    ("555555******4444", "M"),
    ("222100******0009", "M"),
    ("378282*****0005", "A"),
    ("************4242", ""),  # the last digits say nothing of the brand
    ("•••• 4242", ""),
    ("", ""),
])  # fmt: skip
def test_card_brand_from_the_leading_digits(card_num: str, brand: str) -> None:
    assert Card(card_id="c", card_num=card_num).brand == brand


@pytest.mark.parametrize("prefix", ["22ab", "2", "", "x", "27"])
def test_card_brand_never_raises(prefix: str) -> None:
    assert card_brand(prefix) in ("", "V", "M", "A")


def test_redirect() -> None:
    secure = "a" * 64
    redirect = Redirect.from_dict(
        {"secureId": secure, "redirectUrl": f"https://x.test/cc/purchase?key={secure}", "n": 1}
    )
    assert redirect == Redirect(f"https://x.test/cc/purchase?key={secure}", secure)
    assert Redirect.from_dict({}) == Redirect("", "")


# --------------------------------------------------------------------------- the status rule


@pytest.mark.parametrize(("ret_code", "status", "outcome"), [
    ("SUCCESS", 2, Outcome.SUCCEEDED),
    ("SUCCESS", 3, Outcome.SUCCEEDED),
    ("SUCCESS", 9, Outcome.FAILED),
    ("FAIL", 2, Outcome.FAILED),
    ("FAIL", None, Outcome.FAILED),
    ("SUCCESS", 0, Outcome.NOT_YET_KNOWN),
    ("SUCCESS", 1, Outcome.NOT_YET_KNOWN),
    ("SUCCESS", None, Outcome.NOT_YET_KNOWN),
    ("SUCCESS", 4, Outcome.NOT_YET_KNOWN),
    ("", 2, Outcome.FAILED),
])  # fmt: skip
def test_outcome_of(ret_code: str, status: int | None, outcome: Outcome) -> None:
    assert outcome_of(ret_code, status) is outcome


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(("value", "masked"), [
    ("4242424242424242", "424242******4242"),
    ("4242 4242 4242 4242", "424242******4242"),
    ("4242-4242-4242-4242", "424242******4242"),
    ("5555555555554444", "555555******4444"),
    ("378282246310005", "378282*****0005"),
    ("6250941006528599", "625094******8599"),
    ("4222222222222", "*********2222"),  # 13 digits: only the last 4 stay visible
    ("123456789012", "********9012"),
    ("Visa 4242424242424242", "Visa 424242******4242"),
    ("42424242****4242", "************4242"),
    ("424242******4242", "424242******4242"),
    ("•••• 4242", "•••• 4242"),
    ("************4242", "************4242"),
    ("", ""),
    ("V", "V"),
])  # fmt: skip
def test_mask_card_number(value: str, masked: str) -> None:
    assert mask_card_number(value) == masked


@given(st.text(alphabet="0123456789 -*•abcV", max_size=40))
def test_mask_never_shows_more_than_ten_digits(value: str) -> None:
    masked = mask_card_number(value)
    digits = sum(c.isdecimal() for c in masked)
    if sum(c.isdecimal() for c in value) > 10:
        assert digits <= 10
    else:
        assert masked == value


# --------------------------------------------------------------------------- tolerant parsing

extra_keys = st.text(min_size=1, max_size=15).filter(lambda k: k not in ORDER)
extra_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(extra_keys, extra_values, max_size=8), st.randoms(use_true_random=False))
def test_order_parsing_ignores_extra_fields_and_order(extra: dict[str, Any], rnd: Any) -> None:
    items = list({**ORDER, **extra}.items())
    rnd.shuffle(items)
    assert Order.from_dict(dict(items)) == EXPECTED_ORDER
    # Through JSON, as it arrives.
    assert Order.from_dict(json.loads(json.dumps(dict(items)))) == EXPECTED_ORDER


@settings(max_examples=100, deadline=None)
@given(st.sets(st.sampled_from(sorted(ORDER)), max_size=len(ORDER)))
def test_order_parsing_with_any_fields_missing(missing: set[str]) -> None:
    order = Order.from_dict({k: v for k, v in ORDER.items() if k not in missing})
    for name in missing:
        attr = {
            "payOrderId": "pay_order_id",
            "mchId": "mch_id",
            "mchOrderNo": "mch_order_no",
            "originalOrderId": "original_order_id",
            "payType": "pay_type",
            "invoiceNum": "invoice_num",
            "paySuccTime": "pay_succ_time",
            "cardNum": "card_num",
            "cardType": "card_type",
            "expiryDate": "expiry_date",
            "authNum": "auth_num",
            "transNum": "trans_num",
        }.get(name, name)
        assert getattr(order, attr) == getattr(Order(pay_order_id=""), attr)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*ORDER, "capture", "x"]), extra_values, max_size=20))
def test_order_parsing_never_raises_on_any_types(d: dict[str, Any]) -> None:
    order = Order.from_dict(d)
    assert isinstance(order.amount, int)
    assert isinstance(order.status, int)
    assert isinstance(order.pay_order_id, str)
    assert order.outcome in Outcome


# Extra fields are other names than the ones read (hypothesis also tries the names it finds
# in this file, such as "cardId", which would replace the field itself).
_CARD_AND_REDIRECT = {"cardId", "cardNum", "expiryDate", "holder", "redirectUrl", "secureId"}
card_extra_keys = extra_keys.filter(lambda k: k not in _CARD_AND_REDIRECT)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(card_extra_keys, extra_values, max_size=6), st.randoms(use_true_random=False)
)
def test_card_and_redirect_ignore_extra_fields_and_order(extra: dict[str, Any], rnd: Any) -> None:
    card = {"cardId": "604567999", "cardNum": "424242******4242", "expiryDate": "", "holder": "J"}
    items = list({**card, **extra}.items())
    rnd.shuffle(items)
    assert Card.from_dict(dict(items)) == Card("604567999", "424242******4242", "", "J")
    redirect = {"redirectUrl": "https://x.test/cc/addcard?key=k", "secureId": "k"}
    items = list({**redirect, **extra}.items())
    rnd.shuffle(items)
    assert Redirect.from_dict(dict(items)) == Redirect("https://x.test/cc/addcard?key=k", "k")

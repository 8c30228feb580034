"""Signed calls to a sandbox over real HTTP."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from iotpay_desk.api import sign
from iotpay_desk.sandbox import DEMO_MERCHANT

MCH = DEMO_MERCHANT.mch_id
KEY = DEMO_MERCHANT.key
_seq = itertools.count(1)


def unique(prefix: str = "T") -> str:
    return f"{prefix}{next(_seq):06d}"


def signed(params: dict[str, Any], key: str = KEY) -> dict[str, Any]:
    body = {"mchId": MCH, **params}
    body["sign"] = sign(body, key)
    return body


def call(
    http: httpx.Client, endpoint: str, params: dict[str, Any], *, key: str = KEY
) -> dict[str, Any]:
    """POST a signed call; assert IOTPay's HTTP 200 and return the envelope."""
    resp = http.post(f"/v3/{endpoint}", json=signed(params, key))
    assert resp.status_code == 200, resp.text
    envelope: dict[str, Any] = resp.json()
    assert envelope["retCode"] in ("SUCCESS", "FAIL"), envelope
    return envelope


def ok(http: httpx.Client, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
    env = call(http, endpoint, params)
    assert env["retCode"] == "SUCCESS", env
    data: dict[str, Any] = env["retData"]
    return data


def refused(http: httpx.Client, endpoint: str, params: dict[str, Any]) -> str:
    env = call(http, endpoint, params)
    assert env["retCode"] == "FAIL", env
    assert env["retData"] == {} or env["retData"] is None
    msg: str = env["retMsg"]
    return msg


def bind_card(http: httpx.Client, card_num: str = "4242424242424242", **extra: Any) -> str:
    card_id = extra.pop("cardId", unique("card"))
    params = {
        "cardId": card_id,
        "cardNum": card_num,
        "expiryDate": "1239",
        "holder": "Jo Tester",
        "cvv": "123",
        "loginName": "op1",
        **extra,
    }
    ok(http, "cc_directaddcard", params)
    return card_id


def charge(http: httpx.Client, card_id: str, amount: int = 1500, **extra: Any) -> dict[str, Any]:
    params = {
        "mchOrderNo": extra.pop("mchOrderNo", unique("O")),
        "mchUserId": "u1",
        "cardId": card_id,
        "amount": amount,
        "currency": "CAD",
        "loginName": "op1",
        **extra,
    }
    return ok(http, "cc_purchasewithtoken", params)


def query(http: httpx.Client, **by: str) -> dict[str, Any]:
    return ok(http, "cc_query", by)

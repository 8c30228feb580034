"""Bad input never crashes the sandbox, and the next request on the connection is served."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iotpay_desk.sandbox import TORONTO

from .helpers import signed

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def http(sandbox_url: str) -> Iterator[httpx.Client]:
    # One keep-alive connection for the whole test: every bad request is followed by a good one.
    with httpx.Client(
        base_url=sandbox_url, timeout=10, limits=httpx.Limits(max_connections=1)
    ) as client:
        yield client


def still_serving(http: httpx.Client) -> None:
    env = http.post("/v3/cc_query", json=signed({"mchOrderNo": "nothing-here"})).json()
    assert env == {"retCode": "FAIL", "retMsg": "order not found", "retData": {}}


def fail_msg(resp: httpx.Response) -> str:
    assert resp.status_code == 200
    env = resp.json()
    assert env["retCode"] == "FAIL"
    assert env["retData"] == {}
    msg: str = env["retMsg"]
    return msg


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/v3"),
        ("POST", "/v3/cc_unknown"),
        ("POST", "/v3/"),
        ("GET", "/sandbox/nothing"),
        ("POST", "/cc/purchase/extra"),
        ("DELETE", "/v4/cc_query"),
    ],
)
def test_unknown_paths_are_404_json(http: httpx.Client, method: str, path: str) -> None:
    resp = http.request(method, path, json={})
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json()["error"] == "not found"
    still_serving(http)


def test_wrong_method_is_405_json(http: httpx.Client) -> None:
    resp = http.get("/v3/cc_query")
    assert resp.status_code == 405
    assert resp.headers["content-type"].startswith("application/json")
    assert "error" in resp.json()
    still_serving(http)


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{", b"", b"\xff\xfe\x00garbage", b'{"a": 1}}', b"[" * 100_00 + b"]" * 100_00],
)
def test_a_body_that_is_not_json_is_a_fail_envelope(http: httpx.Client, body: bytes) -> None:
    msg = fail_msg(http.post("/v3/cc_query", content=body, headers=JSON))
    assert msg == "request body: not valid JSON"
    still_serving(http)


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null", b"[{}]"])
def test_json_that_is_not_an_object_is_a_fail_envelope(http: httpx.Client, body: bytes) -> None:
    assert fail_msg(http.post("/v3/cc_purchase", content=body, headers=JSON)) == (
        "request body: must be a JSON object"
    )
    still_serving(http)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"]
)
def test_wrong_content_type_is_a_fail_envelope(http: httpx.Client, content_type: str) -> None:
    body = json.dumps(signed({"mchOrderNo": "x"})).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    msg = fail_msg(http.post("/v3/cc_query", content=body, headers=headers))
    assert msg.startswith("Content-Type:")
    still_serving(http)


def test_content_type_with_charset_and_any_case_is_accepted(http: httpx.Client) -> None:
    body = json.dumps(signed({"mchOrderNo": "x"})).encode()
    for ct in ("application/json;charset=UTF-8", "Application/JSON; charset=utf-8"):
        env = http.post("/v3/cc_query", content=body, headers={"Content-Type": ct}).json()
        assert env["retMsg"] == "order not found"


def test_a_body_over_64_kib_is_a_fail_envelope(http: httpx.Client) -> None:
    params = signed({"mchOrderNo": "x", "padding": "p" * (64 * 1024)})
    msg = fail_msg(http.post("/v3/cc_query", json=params))
    assert "64 KiB" in msg
    still_serving(http)


def test_a_streamed_body_over_64_kib_is_refused_too(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 4096

    msg = fail_msg(http.post("/v3/cc_query", content=chunks(), headers=JSON))
    assert "64 KiB" in msg
    still_serving(http)


def test_a_body_just_under_the_limit_is_read(http: httpx.Client) -> None:
    params = signed({"mchOrderNo": "x", "padding": "p" * (60 * 1024)})
    assert fail_msg(http.post("/v3/cc_query", json=params)) == "order not found"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "12.5"),
        ("amount", 12.5),
        ("amount", None),
        ("amount", [1]),
        ("amount", {"cents": 1}),
        ("amount", 10**30),
        ("loginName", 12345),
        ("cardId", True),
    ],
)
def test_wrong_json_types_are_a_fail_naming_the_field(
    http: httpx.Client, field: str, value: object
) -> None:
    params = {"mchOrderNo": "T-types", "cardId": "c1", "amount": 100, "loginName": "op1"}
    params[field] = value
    msg = fail_msg(http.post("/v3/cc_purchasewithtoken", json=signed(params)))
    assert msg.startswith(f"{field}:")
    still_serving(http)


def test_nan_and_infinity_are_refused(http: httpx.Client) -> None:
    body = b'{"mchId": "10000701", "amount": NaN, "sign": "x"}'
    assert fail_msg(http.post("/v3/cc_purchasewithtoken", content=body, headers=JSON))
    still_serving(http)


def test_mch_id_of_the_wrong_type_is_refused(http: httpx.Client) -> None:
    msg = fail_msg(http.post("/v3/cc_query", json={"mchId": 10000701, "sign": "x"}))
    assert msg.startswith("mchId:")
    msg = fail_msg(http.post("/v3/cc_query", json={"sign": "x"}))
    assert msg == "mchId: is required"
    still_serving(http)


def test_unsigned_page_calls_refuse_bad_bodies_too(http: httpx.Client) -> None:
    assert fail_msg(http.post("/v3/cc_pfpurchase", content=b"[1]", headers=JSON)).startswith(
        "request body"
    )
    assert fail_msg(http.post("/v3/cc_pfaddcard", json={})).startswith("secureId:")
    assert fail_msg(http.post("/v3/cc_pfaddcard", json={"secureId": 5})).startswith("secureId:")
    still_serving(http)


def test_admin_calls_refuse_bad_bodies_with_400(http: httpx.Client) -> None:
    assert http.post("/sandbox/settle", content=b"nope").status_code == 400
    assert http.post("/sandbox/settle", json=[1]).status_code == 400
    assert http.post("/sandbox/settle", json={"mchId": 5}).status_code == 400
    assert http.post("/sandbox/faults", json={"faults": "none"}).status_code == 400
    assert http.post("/sandbox/advance", json={"seconds": -1}).status_code == 400
    still_serving(http)


FIELD_NAMES = [
    "mchOrderNo", "mchUserId", "amount", "currency", "loginName", "channel", "notifyUrl",
    "returnUrl", "subject", "body", "cardId", "cardNum", "expiryDate", "holder", "cvv",
    "clientIp", "walletType", "walletData", "refundAmount", "payOrderId", "mchRefundNo",
    "secureId",
]  # fmt: skip
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["4242424242424242", "1239", "0120", "CAD", "PF_CC", "ApplePay", "e30="]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
ENDPOINTS = [
    "cc_purchase", "cc_addcard", "cc_directaddcard", "cc_querycard", "cc_purchasewithtoken",
    "cc_purchasewithwallet", "cc_refund", "cc_void", "cc_query", "cc_pfpurchase", "cc_pfaddcard",
]  # fmt: skip


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    params=st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), json_values),
    sign_it=st.booleans(),
)
def test_random_signed_messages_always_get_an_envelope(
    sandbox_url: str, endpoint: str, params: dict[str, object], sign_it: bool
) -> None:
    body = signed(params) if sign_it else params
    with httpx.Client(base_url=sandbox_url, timeout=10) as http:
        resp = http.post(f"/v3/{endpoint}", json=body)
        assert resp.status_code == 200
        env = resp.json()
        assert env["retCode"] in ("SUCCESS", "FAIL")
        assert isinstance(env["retMsg"], str)
        if env["retCode"] == "FAIL":
            assert env["retMsg"]
        still_serving(http)


ADVANCE_RULE = "seconds: must be a finite number from 0 to 31622400 (366 days)"


@pytest.mark.parametrize(
    "raw",
    [
        b"1e12",
        b"1e308",
        b"1" + b"0" * 400,  # an integer no float can hold
        b"31622401",  # one second over 366 days
        b"-1",
        b"-1e-9",
        b"NaN",
        b"Infinity",
        b"-Infinity",
        b"true",
        b"false",
        b'"60"',
        b"null",
        b"[60]",
        b'{"s": 60}',
    ],
)
def test_advance_refuses_what_is_not_a_sane_number_of_seconds(
    http: httpx.Client, raw: bytes
) -> None:
    before = http.get("/sandbox/status").json()["now"]
    resp = http.post("/sandbox/advance", content=b'{"seconds": ' + raw + b"}", headers=JSON)
    assert resp.status_code == 400
    assert resp.json() == {"error": ADVANCE_RULE}
    # Nothing moved, and the sandbox answers every kind of call as before.
    status = http.get("/sandbox/status")
    assert status.status_code == 200
    assert status.json()["now"][:16] == before[:16]  # time_scale 60: under a minute passes
    still_serving(http)


def test_advance_without_seconds_names_the_field(http: httpx.Client) -> None:
    resp = http.post("/sandbox/advance", json={})
    assert resp.status_code == 400
    assert resp.json()["error"].startswith("seconds:")
    still_serving(http)


def test_advance_accepts_the_edges_and_moves_time(sandbox_factory: Any) -> None:
    from iotpay_desk.sandbox import SandboxClock

    start = datetime(2026, 3, 2, 9, 0, tzinfo=TORONTO)
    srv = sandbox_factory(clock=SandboxClock(start=start, frozen=True))
    with httpx.Client(base_url=srv.url, timeout=10) as http:
        assert http.post("/sandbox/advance", json={"seconds": 0}).json()["now"] == (
            "2026-03-02 09:00:00"
        )
        assert http.post("/sandbox/advance", json={"seconds": 1.5}).status_code == 200
        resp = http.post("/sandbox/advance", json={"seconds": 366 * 24 * 3600})
        assert resp.status_code == 200
        assert resp.json()["now"] == "2027-03-03 09:00:01"
        still_serving(http)


def test_advance_never_walks_the_clock_out_of_range(sandbox_factory: Any) -> None:
    """Many advances within the per-call limit stop before the year 2200, not at year 10000."""
    from iotpay_desk.sandbox import SandboxClock

    start = datetime(2199, 6, 1, 12, 0, tzinfo=TORONTO)
    srv = sandbox_factory(clock=SandboxClock(start=start, frozen=True))
    with httpx.Client(base_url=srv.url, timeout=10) as http:
        resp = http.post("/sandbox/advance", json={"seconds": 300 * 24 * 3600})
        assert resp.status_code == 400
        assert resp.json() == {"error": "seconds: would move sandbox time past the year 2199"}
        assert http.get("/sandbox/status").json()["now"] == "2199-06-01 12:00:00"
        assert http.post("/sandbox/advance", json={"seconds": 3600}).status_code == 200
        assert http.get("/sandbox/status").json()["now"] == "2199-06-01 13:00:00"
        still_serving(http)
    with pytest.raises(ValueError, match="past the year 2199"):
        srv.advance(300 * 24 * 3600)
    with pytest.raises(ValueError, match="366 days"):
        srv.advance(math.inf)

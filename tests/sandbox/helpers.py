"""Signed calls to a sandbox over real HTTP."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
    body = {"mchId": MCH, **{k: v for k, v in params.items() if v is not None}}
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


class NotifySink:
    """A real HTTP receiver for notify on loopback (stdlib server in a thread).

    ``answers`` are the bodies it answers in turn (the last one repeats); each received
    body is kept in ``received`` (raw bytes, in order).
    """

    def __init__(self, answers: Sequence[str] = ("SUCCESS",), status: int = 200) -> None:
        self.answers = list(answers)
        self.status = status
        self.received: list[bytes] = []
        self.arrived = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with sink.arrived:
                    index = len(sink.received)
                    sink.received.append(body)
                    sink.arrived.notify_all()
                answer = sink.answers[min(index, len(sink.answers) - 1)].encode()
                self.send_response(sink.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NotifySink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[bytes]:
        """Block until ``count`` notifications arrived (AssertionError after ``timeout``)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} notifications, expected {count}")
            return list(self.received)

"""The shared fixtures: a real sandbox on loopback, stopped at teardown."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from iotpay_desk.sandbox import DEMO_MERCHANT, Merchant, SandboxServer

from .helpers import bind_card, charge, query


def test_sandbox_fixture_serves_signed_calls_over_loopback(
    sandbox: SandboxServer, sandbox_url: str, demo_merchant: Merchant
) -> None:
    assert demo_merchant == DEMO_MERCHANT
    parts = urlsplit(sandbox_url)
    assert parts.hostname == "127.0.0.1"
    assert parts.port
    with httpx.Client(base_url=sandbox_url) as http:
        order = charge(http, bind_card(http), amount=1234)
        assert order["payOrderId"].startswith("PC")
        assert query(http, payOrderId=order["payOrderId"])["amount"] == 1234


def test_stop_in_thread_frees_the_port_and_is_idempotent() -> None:
    srv = SandboxServer()
    url = srv.start_in_thread()
    port = urlsplit(url).port
    assert port
    srv.stop_in_thread()
    srv.stop_in_thread()
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))  # free again
    try:
        httpx.post(url + "/v3/cc_query", json={}, timeout=1)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the sandbox still answers after stop_in_thread")

"""State in the SQLite file survives a restart; no card number or CVV is ever written."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from iotpay_desk.api import sign
from iotpay_desk.sandbox import DEMO_MERCHANT, Merchant, SandboxServer
from iotpay_desk.sandbox.store import SCHEMA_VERSION, Store

from .helpers import bind_card, charge, ok, query, signed, unique

OTHER = Merchant(mch_id="40000001", key="OTHER_MERCHANT_KEY_42", login="boss", name="Other")


def test_a_restart_keeps_merchants_orders_and_cards(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxServer]
) -> None:
    data = tmp_path / "sandbox.sqlite3"
    first = sandbox_factory(merchants=[DEMO_MERCHANT, OTHER], data_path=data)
    with httpx.Client(base_url=first.url) as http:
        card_id = bind_card(http, "5555555555554444")
        paid = charge(http, card_id, amount=2500)
        first.settle()
        refund_no = unique("R")
        refund = ok(
            http,
            "cc_refund",
            {
                "mchRefundNo": refund_no,
                "loginName": "op1",
                "refundAmount": 1000,
                "payOrderId": paid["payOrderId"],
            },
        )
        purchase = ok(
            http,
            "cc_purchase",
            {
                "mchOrderNo": unique("P"),
                "amount": 100,
                "loginName": "op1",
                "notifyUrl": "https://shop.example/n",
                "returnUrl": "https://shop.example/r",
            },
        )
    first.stop_in_thread()

    second = sandbox_factory(data_path=data)  # no merchants given: stored ones are kept
    with httpx.Client(base_url=second.url) as http:
        assert query(http, payOrderId=paid["payOrderId"])["refundable"] == 1500
        assert query(http, mchOrderNo=refund_no) == refund
        assert ok(http, "cc_querycard", {"cardId": card_id})["cardNum"] == "555555******4444"
        # Settled state is kept: a void is still refused, a refund still allowed.
        assert (
            "settled"
            in http.post(
                "/v3/cc_void",
                json=signed(
                    {
                        "mchRefundNo": unique("V"),
                        "loginName": "op1",
                        "payOrderId": paid["payOrderId"],
                    }
                ),
            ).json()["retMsg"]
        )
        # The unfinished hosted page still works after the restart.
        assert http.get(f"/cc/purchase?key={purchase['secureId']}").status_code == 200
        # The other merchant and its login rule came back from the file.
        status = http.get("/sandbox/status").json()
        assert {"mchId": "40000001", "name": "Other", "loginName": "boss"} in status["merchants"]
        params = {"mchId": OTHER.mch_id, "mchOrderNo": "none"}
        env = http.post("/v3/cc_query", json={**params, "sign": sign(params, OTHER.key)}).json()
        assert env["retMsg"] == "order not found"
        # Ids stay unique across the restart.
        env = http.post(
            "/v3/cc_purchasewithtoken",
            json=signed(
                {
                    "mchOrderNo": paid["mchOrderNo"],
                    "cardId": card_id,
                    "amount": 1,
                    "loginName": "op1",
                }
            ),
        ).json()
        assert env["retMsg"].startswith("mchOrderNo: already used")


def test_merchants_given_at_start_replace_stored_ones(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxServer]
) -> None:
    data = tmp_path / "s.sqlite3"
    sandbox_factory(merchants=[OTHER], data_path=data).stop_in_thread()
    new_key = Merchant(mch_id=OTHER.mch_id, key="ROTATED_KEY_0000000001", name="Renamed")
    srv = sandbox_factory(merchants=[new_key], data_path=data)
    with httpx.Client(base_url=srv.url) as http:
        params = {"mchId": OTHER.mch_id, "mchOrderNo": "none"}
        old = http.post("/v3/cc_query", json={**params, "sign": sign(params, OTHER.key)}).json()
        assert old["retMsg"].startswith("sign:")
        new = http.post("/v3/cc_query", json={**params, "sign": sign(params, new_key.key)}).json()
        assert new["retMsg"] == "order not found"
        status = http.get("/sandbox/status").json()
        assert {"mchId": OTHER.mch_id, "name": "Renamed", "loginName": None} in status["merchants"]


def test_no_card_number_or_cvv_reaches_the_file(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxServer]
) -> None:
    data = tmp_path / "s.sqlite3"
    srv = sandbox_factory(data_path=data)
    with httpx.Client(base_url=srv.url) as http:
        bind_card(http, "5555555555554444", cvv="987")
        _, secure_id = _hosted(http)
        http.post(
            "/v3/cc_pfpurchase",
            json={
                "secureId": secure_id,
                "cardNum": "4242424242424242",
                "cvv": "456",
                "expiryDate": "1239",
                "holder": "Jo",
            },
        )
    srv.stop_in_thread()
    blob = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("s.sqlite3"))
    assert b"5555555555554444" not in blob
    assert b"4242424242424242" not in blob
    assert b"555555******4444" in blob
    with sqlite3.connect(data) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1].lower() for r in db.execute(f"PRAGMA table_info({table})")]
            assert not any("cvv" in c or "cvc" in c for c in columns), table
            values = {v for row in db.execute(f"SELECT * FROM {table}") for v in row}
            assert "987" not in values
            assert "456" not in values


def _hosted(http: httpx.Client) -> tuple[str, str]:
    order_no = unique("H")
    data = ok(
        http,
        "cc_purchase",
        {
            "mchOrderNo": order_no,
            "amount": 100,
            "loginName": "op1",
            "notifyUrl": "https://shop.example/n",
            "returnUrl": "https://shop.example/r",
        },
    )
    return order_no, data["secureId"]


def test_the_file_is_wal_with_a_schema_version(tmp_path: Path) -> None:
    data = tmp_path / "v.sqlite3"
    Store(data).close()
    with sqlite3.connect(data) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    Store(data).close()  # opening again migrates nothing and keeps one version row
    with sqlite3.connect(data) as db:
        assert db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 1


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "future.sqlite3"
    Store(data).close()
    with sqlite3.connect(data) as db:
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match="newer"):
        Store(data)


def test_in_memory_data_is_gone_after_a_restart(
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    srv = sandbox_factory()
    with httpx.Client(base_url=srv.url) as http:
        paid = charge(http, bind_card(http))
    srv.stop_in_thread()
    srv.start_in_thread()
    with httpx.Client(base_url=srv.url) as http:
        env = http.post("/v3/cc_query", json=signed({"payOrderId": paid["payOrderId"]})).json()
        assert env["retMsg"] == "order not found"


def test_reset_forgets_orders_and_cards_but_keeps_merchants(
    sandbox: SandboxServer, sandbox_url: str
) -> None:
    with httpx.Client(base_url=sandbox_url) as http:
        card_id = bind_card(http)
        paid = charge(http, card_id)
        sandbox.set_faults([])
        assert http.post("/sandbox/reset").json() == {"reset": True}
        assert http.get("/sandbox/orders").json() == {"orders": []}
        env = http.post("/v3/cc_query", json=signed({"payOrderId": paid["payOrderId"]})).json()
        assert env["retMsg"] == "order not found"
        env = http.post("/v3/cc_querycard", json=signed({"cardId": card_id})).json()
        assert env["retMsg"] == "cardId is not binding"
        bind_card(http, cardId=card_id)  # the id is free again

"""The notify receiver over real HTTP on loopback: the sandbox's own notifications, forged
and broken ones, IOTPay's retries, and the CLI with a profile and its keychain key."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import make_url

from iotpay_desk import ledger
from iotpay_desk.api import (
    IotPayClient,
    QueryRequest,
    sign,
)
from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import Environment, LedgerLocation, Profile, ProfileStore
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import merchant_file, open_sqlite_ledger
from iotpay_desk.notify import DEFAULT_PATH, MAX_BODY, build_app
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from tests.services.conftest import pay

MCH, KEY = DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key


@dataclass
class Receiver:
    url: str
    journal: LedgerJournal


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    journal = open_sqlite_ledger(tmp_path / "profile" / "journal.sqlite3")
    config = uvicorn.Config(
        build_app(MCH, KEY, journal), log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    sock = _free_socket()
    port = sock.getsockname()[1]
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), name="notify-receiver"
    )
    thread.start()
    deadline = datetime.now(UTC).timestamp() + 10
    while not server.started:
        assert thread.is_alive(), "the receiver did not start"
        assert datetime.now(UTC).timestamp() < deadline, "the receiver did not start"
        threading.Event().wait(0.01)
    try:
        yield Receiver(f"http://127.0.0.1:{port}{DEFAULT_PATH}", journal)
    finally:
        server.should_exit = True
        thread.join(10)
        journal.close()


def _signed(**fields: Any) -> bytes:
    body: dict[str, Any] = {
        "payOrderId": "PC20250301000000000001",
        "mchId": MCH,
        "mchOrderNo": "order-1",
        "amount": 1250,
        "currency": "CAD",
        "status": 2,
        "payType": "pay",
        "cardNum": "424242******4242",
        **fields,
    }
    body["sign"] = sign(body, KEY)
    return json.dumps(body).encode()


async def _post(url: str, body: bytes) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as http:
        return await http.post(url, content=body, headers={"content-type": "application/json"})


@pytest.mark.asyncio
async def test_the_sandbox_notification_is_verified_recorded_and_acknowledged(
    receiver: Receiver, sandbox: SandboxServer
) -> None:
    async with IotPayClient(sandbox.url, MCH, KEY) as client:
        order = await pay(client, 1875, notify_url=receiver.url)
        for _ in range(500):
            got = receiver.journal.notifications(MCH, order.pay_order_id)
            if got:
                break
            await asyncio.sleep(0.02)
        (note,) = got
        assert (note.mch_order_no, note.amount_cents, note.status) == (
            order.mch_order_no,
            1875,
            2,
        )
        assert note.card_num == "424242******4242"
        assert note.times == 1
        # IOTPay (the sandbox) took the SUCCESS answer: the order moves 2 → 3.
        for _ in range(500):
            seen = await client.query(QueryRequest(pay_order_id=order.pay_order_id))
            if seen.status == 3:
                break
            await asyncio.sleep(0.02)
        assert seen.status == 3
    (entry,) = [e for e in receiver.journal.audit_page(10) if e.event == "notified"]
    assert entry.operator == "iotpay"
    assert entry.detail["pay_order_id"] == order.pay_order_id


@pytest.mark.asyncio
async def test_a_retried_notification_is_recorded_once_and_counted(receiver: Receiver) -> None:
    body = _signed()
    for _ in range(3):
        resp = await _post(receiver.url, body)
        assert (resp.status_code, resp.text) == (200, "SUCCESS")
    (note,) = receiver.journal.notifications(MCH)
    assert note.times == 3
    assert note.last_at >= note.first_at
    # The same order with another status is another notification.
    resp = await _post(receiver.url, _signed(status=3))
    assert resp.status_code == 200
    assert [n.status for n in receiver.journal.notifications(MCH)] == [3, 2]
    assert [e.event for e in receiver.journal.audit_page(10)].count("notified") == 2


@pytest.mark.asyncio
async def test_forged_broken_or_foreign_messages_are_refused_and_not_recorded(
    receiver: Receiver,
) -> None:
    altered = json.loads(_signed())
    altered["amount"] = 1
    cases = {
        "sign does not match": json.dumps(altered).encode(),
        "not valid JSON": b"{not json",
        "sign is missing": json.dumps({"payOrderId": "PC1", "mchId": MCH}).encode(),
        "not this merchant": _signed(mchId="99999999"),
    }
    for expected, body in cases.items():
        resp = await _post(receiver.url, body)
        assert resp.status_code == 400, expected
        assert resp.text.startswith("FAIL: "), expected
        assert expected in resp.text
    big = await _post(receiver.url, b"{" + b" " * (MAX_BODY + 1) + b"}")
    assert big.status_code == 413
    async with httpx.AsyncClient(trust_env=False) as http:
        assert (await http.get(receiver.url)).status_code == 405
        assert (await http.post(receiver.url + "/other", content=_signed())).status_code == 404
    assert receiver.journal.notifications(MCH) == []
    assert [e.event for e in receiver.journal.audit_page(10)] == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_cli_serves_a_profile_with_its_keychain_key(
    hermetic_home: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """The receiver writes into the ledger the profile's desks use: the merchant's file on
    this computer, or the shared PostgreSQL server."""
    paths = AppPaths.default()
    store = ProfileStore(paths.config_dir, CredentialStore(), paths.data_dir)
    store.load()
    location = LedgerLocation.local()
    if backend == "postgresql":
        url = make_url(request.getfixturevalue("pg_url"))
        assert url.host is not None
        assert url.database is not None
        assert url.username is not None
        location = LedgerLocation.postgresql(
            url.host, url.database, url.username, port=url.port or 5432, tls="prefer"
        )
    profile = store.add(
        Profile.new(
            "Front desk",
            Environment.CUSTOM,
            MCH,
            operators=["jack"],
            custom_url="http://127.0.0.1:9",
            ledger=location,
        )
    )
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "tests.plugins.envkeyring.EnvKeyring"
    env["IOTPAY_TEST_KEYRING"] = json.dumps({f"iotpay-desk|{profile.id}": KEY})
    cmd = [sys.executable, "-m", "iotpay_desk", "notify-receiver", "--port", "0"]

    missing = subprocess.run(
        [*cmd, "--profile", "nobody"], env=env, capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2
    assert "no profile 'nobody'" in missing.stderr

    no_key = subprocess.run(
        [*cmd, "--profile", "Front desk"],
        env={**env, "IOTPAY_TEST_KEYRING": "{}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert no_key.returncode == 1
    assert "no merchant key" in no_key.stderr

    child = subprocess.Popen(
        [*cmd, "--profile", "Front desk"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        prefix = "IOTPay notify receiver listening on "
        assert line.startswith(prefix), line
        url = line.removeprefix(prefix)
        assert url.endswith(DEFAULT_PATH)
        resp = httpx.post(url, content=_signed(), trust_env=False)
        assert (resp.status_code, resp.text) == (200, "SUCCESS")
        child.terminate()  # as a service manager stops it
        _, err = child.communicate(timeout=20)
        assert child.returncode == 0, err
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    if backend == "postgresql":
        engine = ledger.open_engine(request.getfixturevalue("pg_url"))
        with LedgerJournal(engine) as journal:
            (note,) = journal.notifications(MCH)
    else:
        where = merchant_file(paths.data_dir, "custom", MCH)
        with open_sqlite_ledger(where) as journal:
            (note,) = journal.notifications(MCH)
    assert note.pay_order_id == "PC20250301000000000001"
    assert KEY not in err


CARD = "4242424242424242"
NESTED = 30_000  # 60 KB: under the 64 KiB limit, far over what json recurses into


def _signed_raw(fields: dict[str, Any]) -> bytes:
    """A body signed over exactly ``fields`` (values of any JSON type)."""
    body = {"mchId": MCH, **fields}
    body["sign"] = sign(body, KEY)
    return json.dumps(body).encode()


BAD_BODIES: dict[str, tuple[bytes, str]] = {
    "nested thirty thousand deep": (
        b'{"mchId": "' + MCH.encode() + b'", "x": ' + b"[" * NESTED + b"]" * NESTED + b"}",
        "not valid JSON",
    ),
    "a list in a field": (_signed_raw({"payOrderId": "PC1", "x": [[[1]]]}), "x must be text"),
    "an object in a field": (_signed_raw({"payOrderId": "PC1", "x": {"a": 1}}), "x must be text"),
    "true as a field": (_signed_raw({"payOrderId": "PC1", "status": True}), "status must be"),
    "a card number as a field's name": (
        _signed_raw({"payOrderId": "PC1", CARD: [1]}),
        "a field must be text or a number",
    ),
    "status 10^30": (_signed(status=10**30), "status must be a whole number from 0 to 99"),
    "status -1": (_signed(status=-1), "status must be a whole number"),
    "status 100": (_signed(status=100), "status must be a whole number"),
    "status as text": (_signed(status="two"), "status must be a whole number"),
    "status 2.5": (_signed(status=2.5), "status must be a whole number"),
    "amount 10^30": (_signed(amount=10**30), "amount must be a whole number"),
    "amount -5": (_signed(amount=-5), "amount must be a whole number"),
    "refundable 2^63": (_signed(refundable=2**63), "refundable must be a whole number"),
    "amount NaN": (
        b'{"mchId": "' + MCH.encode() + b'", "payOrderId": "PC1", "amount": NaN, "sign": "x"}',
        "amount must be a finite number",
    ),
    "payOrderId a card number": (_signed(payOrderId=CARD), "payOrderId must not hold a card"),
    "payOrderId a card in groups": (
        _signed(payOrderId="4242 4242 4242 4242"),
        "payOrderId must not hold a card",
    ),
    "payOrderId a card with dashes": (
        _signed(payOrderId="x-4242-4242-4242-4242"),
        "payOrderId must not hold a card",
    ),
    "payOrderId a card as a number": (
        _signed(payOrderId=int(CARD)),
        "payOrderId must not hold a card",
    ),
    "mchOrderNo a card number": (_signed(mchOrderNo=f"#{CARD}"), "mchOrderNo must not hold a card"),
    "payType a card number": (_signed(payType=CARD), "payType must not hold a card"),
    "originalOrderId a card": (_signed(originalOrderId=CARD), "originalOrderId must not hold"),
    "payOrderId too long": (_signed(payOrderId="PC" + "1" * 29), "at most 30 characters"),
    "payOrderId with a newline": (_signed(payOrderId="PC1\nPC2"), "control characters"),
}


def _digit_runs_in_file(path: Path) -> list[str]:
    """Every stored value, column by column, of every table that holds a card-like run;
    and the raw bytes of the file and its WAL searched for the card's digits."""
    from iotpay_desk.api.rules import has_card_run

    found: list[str] = []
    with sqlite3.connect(path) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            # Every column SELECT * returns: generated ones too, a virtual table's hidden
            # ones (hidden = 1) not.
            columns = [r[1] for r in raw.execute(f"PRAGMA table_xinfo({table})") if r[6] != 1]
            for row in raw.execute(f"SELECT * FROM {table}"):
                for column, value in zip(columns, row, strict=True):
                    if value is not None and has_card_run(str(value)):
                        found.append(f"{table}.{column}")
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists() and CARD.encode() in part.read_bytes():
            found.append(part.name)
    return found


@pytest.mark.asyncio
@pytest.mark.parametrize("case", list(BAD_BODIES))
async def test_bad_bodies_are_a_400_nothing_is_stored_and_the_receiver_goes_on(
    receiver: Receiver, tmp_path: Path, case: str
) -> None:
    body, expected = BAD_BODIES[case]
    resp = await _post(receiver.url, body)
    assert resp.status_code == 400, resp.text
    assert resp.text.startswith("FAIL: notify: ")
    assert expected in resp.text
    assert "Traceback" not in resp.text
    assert CARD not in resp.text
    assert receiver.journal.notifications(MCH) == []
    assert [e.event for e in receiver.journal.audit_page(10)] == []
    # Unharmed: the next good notification is recorded.
    resp = await _post(receiver.url, _signed())
    assert (resp.status_code, resp.text) == (200, "SUCCESS")
    (note,) = receiver.journal.notifications(MCH)
    assert note.pay_order_id == "PC20250301000000000001"
    assert _digit_runs_in_file(tmp_path / "profile" / "journal.sqlite3") == []


@pytest.mark.asyncio
async def test_ids_with_long_digit_runs_after_a_letter_are_recorded(
    receiver: Receiver, tmp_path: Path
) -> None:
    """IOTPay's ids carry 26 digits and the desk's own may carry 13 to 22 after their
    letter: they are ids, not card numbers."""
    ids = [
        ("PC20240101215009579871439079", "T2601011200003ABCDEFGHI"),
        ("RP20240102100000123456789012", "R260101120000234567ABCD"),
    ]
    for pay_order_id, mch_order_no in ids:
        resp = await _post(
            receiver.url, _signed(payOrderId=pay_order_id, mchOrderNo=mch_order_no, status=3)
        )
        assert (resp.status_code, resp.text) == (200, "SUCCESS")
    got = {(n.pay_order_id, n.mch_order_no) for n in receiver.journal.notifications(MCH)}
    assert got == set(ids)
    # A status of 99 and an amount of 9,999,999,999 cents are the bounds, still taken.
    resp = await _post(receiver.url, _signed(status=99, amount=99_999_999_99))
    assert resp.status_code == 200
    assert _digit_runs_in_file(tmp_path / "profile" / "journal.sqlite3") == []

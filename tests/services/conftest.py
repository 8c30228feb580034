"""Service tests: a real sandbox over loopback, a real journal file, a real client."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio

from iotpay_desk.api import DirectAddCardRequest, IotPayClient, Order, PurchaseWithTokenRequest
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services import CardService, MoneyService, VaultCard

# Short checks: a lost answer is looked up at once, then after 50, 100, 200 ms.
FAST_CHECKS = (0.0, 0.05, 0.1, 0.2)


@pytest_asyncio.fixture
async def make_client() -> AsyncIterator[Callable[..., IotPayClient]]:
    """``make_client(url, timeout=5.0)``: a client with its own HTTP pool, closed at teardown."""
    pools: list[httpx.AsyncClient] = []

    def make(url: str, *, timeout: float = 5.0) -> IotPayClient:
        http = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=2.0), trust_env=False)
        pools.append(http)
        return IotPayClient(
            url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http, backoff=0.02, query_attempts=2
        )

    yield make
    for http in pools:
        await http.aclose()


@pytest.fixture
def client(sandbox: SandboxServer, make_client: Callable[..., IotPayClient]) -> IotPayClient:
    return make_client(sandbox.url)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[LedgerJournal]:
    j = open_sqlite_ledger(tmp_path / "profile" / "journal.sqlite3")
    yield j
    j.close()


@pytest.fixture
def make_service(
    client: IotPayClient, journal: LedgerJournal, sandbox: SandboxServer
) -> Callable[..., MoneyService]:
    def make(**kw: Any) -> MoneyService:
        kw.setdefault("operator", "jack")
        kw.setdefault("check_delays", FAST_CHECKS)
        kw.setdefault("not_received_after", 0.0)
        kw.setdefault("clock", sandbox.clock.local_now)
        return MoneyService(kw.pop("client", client), kw.pop("journal", journal), **kw)

    return make


@pytest.fixture
def service(make_service: Callable[..., MoneyService]) -> MoneyService:
    return make_service()


async def pay(
    client: IotPayClient,
    amount: int = 5000,
    *,
    card: str = "4242424242424242",
    mch_order_no: str | None = None,
    expect_status: int = 2,
    notify_url: str | None = None,
) -> Order:
    """A card-on-file payment at the sandbox (bind a card, charge it); 4242… succeeds."""
    card_id = "c" + uuid.uuid4().hex[:20]
    await client.direct_add_card(
        DirectAddCardRequest(
            card_id=card_id,
            card_num=card,
            holder="Ada Buyer",
            cvv="123",
            login_name="jack",
            expiry_date="1230",
        )
    )
    order = await client.purchase_with_token(
        PurchaseWithTokenRequest(
            mch_order_no=mch_order_no or "o" + uuid.uuid4().hex[:20],
            mch_user_id="cust-1",
            card_id=card_id,
            amount=amount,
            login_name="jack",
            notify_url=notify_url,
        )
    )
    assert order.status == expect_status, order
    return order


async def returns_at_sandbox(url: str, pay_order_id: str) -> list[dict[str, Any]]:
    """Refund and void orders the sandbox holds for a payment (GET /sandbox/orders)."""
    async with httpx.AsyncClient(trust_env=False) as http:
        resp = await http.get(f"{url}/sandbox/orders", params={"mchId": DEMO_MERCHANT.mch_id})
    resp.raise_for_status()
    return [
        o
        for o in resp.json()["orders"]
        if o["payType"] == "refund" and o["originalOrderId"] == pay_order_id
    ]


async def wait_for(predicate: Callable[[], Any], within: float = 10.0) -> Any:
    """Poll ``predicate`` every 20 ms until it is truthy; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while not (value := predicate()):  # noqa: ASYNC110 - polls another thread or process
            await asyncio.sleep(0.02)
    return value


# --------------------------------------------------------------------------- cards, charges

FUTURE_EXPIRY = "1230"  # December 2030


@pytest.fixture
def make_cards(
    client: IotPayClient, journal: LedgerJournal, sandbox: SandboxServer
) -> Callable[..., CardService]:
    def make(**kw: Any) -> CardService:
        kw.setdefault("operator", "jack")
        kw.setdefault("clock", sandbox.clock.local_now)
        return CardService(kw.pop("client", client), kw.pop("journal", journal), **kw)

    return make


@pytest.fixture
def cards(make_cards: Callable[..., CardService]) -> CardService:
    return make_cards()


@pytest.fixture
def direct_cards(make_cards: Callable[..., CardService]) -> CardService:
    """A card service of a profile that turned direct card entry on."""
    return make_cards(direct_add_enabled=True)


def secure_id_of(redirect_url: str) -> str:
    """The secureId (``key=``) of a hosted page address."""
    (key,) = parse_qs(urlsplit(redirect_url).query)["key"]
    return key


async def submit_page(
    url: str,
    endpoint: str,
    redirect_url: str,
    *,
    card: str = "4242424242424242",
    expiry: str = FUTURE_EXPIRY,
    cvv: str = "123",
    holder: str = "Ada Buyer",
) -> dict[str, Any]:
    """What the hosted page's form does: POST the card to ``/v3/cc_pfaddcard`` or
    ``/v3/cc_pfpurchase`` with the page's secureId. Returns the envelope."""
    body = {
        "secureId": secure_id_of(redirect_url),
        "cardNum": card,
        "expiryDate": expiry,
        "cvv": cvv,
        "holder": holder,
    }
    async with httpx.AsyncClient(trust_env=False) as http:
        resp = await http.post(f"{url}/v3/{endpoint}", json=body)
    resp.raise_for_status()
    envelope: dict[str, Any] = resp.json()
    return envelope


async def add_card_on_page(
    cards: CardService, url: str, label: str = "Ada Buyer", **card: str
) -> VaultCard:
    """The hosted add-card flow end to end: start, fill the page, finish."""
    session = await cards.start_add_card(label)
    envelope = await submit_page(url, "cc_pfaddcard", session.redirect_url, **card)
    assert envelope["retCode"] == "SUCCESS", envelope
    return await cards.finish_add_card(session, envelope["retData"]["redirectUrl"])


async def sandbox_orders(url: str) -> list[dict[str, Any]]:
    """Every order the sandbox holds for the demo merchant (GET /sandbox/orders)."""
    async with httpx.AsyncClient(trust_env=False) as http:
        resp = await http.get(f"{url}/sandbox/orders", params={"mchId": DEMO_MERCHANT.mch_id})
    resp.raise_for_status()
    orders: list[dict[str, Any]] = resp.json()["orders"]
    return orders


def file_bytes(path: Path) -> bytes:
    """A SQLite file with its WAL and shared-memory files, as bytes."""
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = path.with_name(path.name + suffix)
        if p.exists():
            data += p.read_bytes()
    return data

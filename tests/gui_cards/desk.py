"""The desk's services for one test: a signed client on the sandbox, a ledger file, the
card and money services (as the desk builds them for a profile)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import DeskIdentity
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_merchant_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT
from iotpay_desk.services import CardService, MoneyService

TEST_CARDS = {
    "visa": "4242424242424242",
    "mastercard": "5555555555554444",
    "decline": "4000000000000002",
    "pending": "4000000000000077",
}


@dataclass
class Services:
    client: IotPayClient
    journal: LedgerJournal
    cards: CardService
    money: MoneyService


@contextlib.asynccontextmanager
async def desk_services(
    url: str,
    journal_path: Path,
    *,
    direct: bool = False,
    operator: str = "cashier1",
    check_delays: Sequence[float] = (0.0, 0.1, 0.2, 0.4, 0.8),
    **money: Any,
) -> AsyncIterator[Services]:
    client = IotPayClient(url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key)
    # The merchant's ledger as the desk opens it: a SQLite file, migrated to head.
    journal = await asyncio.to_thread(
        open_merchant_ledger,
        environment="sandbox",
        desk=DeskIdentity.here("Test desk"),
        sqlite_path=journal_path,
    )
    services = Services(
        client,
        journal,
        CardService(client, journal, operator=operator, direct_add_enabled=direct),
        MoneyService(client, journal, operator=operator, check_delays=check_delays, **money),
    )
    try:
        yield services
    finally:
        # As the desk lets a profile go: work the screens started (a vault read, a card
        # page check) finishes before the journal closes.
        for _ in range(3):
            await asyncio.sleep(0)
        await services.cards.wait_idle()
        await services.money.wait_idle()
        await client.aclose()
        journal.close()

"""Two desks on one ledger file: what the back office does shows on the front desk's
Orders, Activity and Card vault pages by itself, each change once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from iotpay_desk import ledger
from iotpay_desk.api import IotPayClient, Order
from iotpay_desk.core.profiles import Environment, Profile
from iotpay_desk.gui.activity import KIND, OUTCOME, PAYMENT
from iotpay_desk.gui.mainwindow import MainWindow, Page
from iotpay_desk.gui.vault import VaultPage
from iotpay_desk.journal import Action, ActionKind
from iotpay_desk.journal.port import DeskIdentity
from iotpay_desk.ledger.feed import LedgerFeed
from iotpay_desk.ledger.journal import LedgerJournal
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services import CardService, MoneyService
from iotpay_desk.services.events import EventHub, LedgerReset
from tests.gui.conftest import QLoop, until
from tests.services.conftest import pay

pytestmark = pytest.mark.usefixtures("canadian_english")

FAST_CHECKS = (0.0, 0.05, 0.1, 0.2)


class TwoDesks:
    """The front desk: a main window on the ledger, its hub and feed, as the app wires
    them. The back office: a money service on the same ledger file, no window."""

    def __init__(self, qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp: Path) -> None:
        self.qloop = qloop
        path = tmp / "ledger.sqlite3"
        self.engines = [ledger.open_engine(ledger.sqlite_url(path)) for _ in range(2)]
        ledger.migrate(self.engines[0])
        self.front_journal = LedgerJournal(self.engines[0], desk=DeskIdentity.here("Front"))
        self.back_journal = LedgerJournal(self.engines[1], desk=DeskIdentity.here("Back"))
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0), trust_env=False)
        self.client = IotPayClient(
            sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=self.http, backoff=0.02
        )
        profile = Profile.new(
            "Sandbox",
            Environment.SANDBOX,
            DEMO_MERCHANT.mch_id,
            operators=["jack"],
            custom_url=sandbox.url,
        )
        self.window = MainWindow(profile=profile)
        qtbot.addWidget(self.window)
        self.front = MoneyService(
            self.client,
            self.front_journal,  # type: ignore[arg-type]
            operator="jack",
            check_delays=FAST_CHECKS,
            on_change=self.window.action_changed,
        )
        self.cards = CardService(self.client, self.front_journal, operator="jack")  # type: ignore[arg-type]
        self.back = MoneyService(
            self.client,
            self.back_journal,  # type: ignore[arg-type]
            operator="jill",
            check_delays=FAST_CHECKS,
        )
        self.hub: EventHub | None = None
        self.feed: LedgerFeed | None = None
        self.window.show()

    def start(self) -> None:
        async def wire() -> None:
            self.hub = EventHub()
            self.window.set_event_hub(self.hub)  # the one line the app adds
            self.feed = LedgerFeed(self.front_journal, self.hub, DEMO_MERCHANT.mch_id)
            self.feed.start()
            assert await asyncio.to_thread(self.feed.listening.wait, 5.0)
            self.window.set_money_service(self.front, cards=self.cards)

        self.qloop.run(wire())

    def pay(self, amount: int = 5000) -> Order:
        return self.qloop.run(pay(self.client, amount))

    def close(self) -> None:
        if self.feed is not None:
            self.feed.stop()
        self.window.set_money_service(None)
        self.window.set_event_hub(None)
        self.qloop.run(self.http.aclose())
        for engine in self.engines:
            engine.dispose()


@pytest.fixture
def desks(qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[TwoDesks]:
    d = TwoDesks(qtbot, qloop, sandbox, tmp_path)
    d.start()
    yield d
    d.close()


def activity_rows(window: MainWindow) -> list[tuple[str, str, str]]:
    table = window.activity.table
    rows = []
    for row in range(table.rowCount()):
        cells = [table.item(row, c) for c in (KIND, PAYMENT, OUTCOME)]
        rows.append(tuple(c.text() if c is not None else "" for c in cells))
    return rows  # type: ignore[return-value]


def test_a_void_made_at_another_desk_shows_on_orders_and_activity_without_a_click(
    desks: TwoDesks, qtbot: QtBot
) -> None:
    window = desks.window
    paid = desks.pay(5000)
    window.show_page(Page.ORDERS)
    orders = window.orders

    async def scenario() -> None:
        orders.query.clear()
        qtbot.keyClicks(orders.query, paid.pay_order_id)
        qtbot.keyClick(orders.query, Qt.Key.Key_Return)
        await until(lambda: orders.detail is not None and orders.lookup_button.isEnabled())
        assert orders.values["status"].text() == "Paid"
        assert orders.void_button.isEnabled()
        assert activity_rows(window) == []

        # The back office voids the payment on its own desk.
        draft = await desks.back.new_draft(ActionKind.VOID, paid.pay_order_id)
        result = await desks.back.void(paid.pay_order_id, draft_id=draft.id)
        assert result.succeeded

        await until(
            lambda: activity_rows(window) == [("Void", paid.pay_order_id, "Done")],
            within=3.0,
            what="the other desk's void on Activity",
        )
        await until(
            lambda: orders.values["status"].text() == "Voided",
            within=3.0,
            what="the payment shown as voided",
        )
        await until(lambda: orders.lookup_button.isEnabled(), what="the refresh finished")
        assert not orders.void_button.isEnabled()
        assert not orders.refund_button.isEnabled()

    desks.qloop.run(scenario())


def test_a_notification_recorded_for_the_payment_shown_updates_orders(
    desks: TwoDesks, qtbot: QtBot
) -> None:
    """The notify receiver (another process on the ledger) records IOTPay's notification:
    the payment on screen says it was notified, without a click."""
    window = desks.window
    paid = desks.pay(5000)
    orders = window.orders

    async def scenario() -> None:
        qtbot.keyClicks(orders.query, paid.pay_order_id)
        qtbot.keyClick(orders.query, Qt.Key.Key_Return)
        await until(lambda: orders.detail is not None and orders.lookup_button.isEnabled())
        assert orders.values["notified"].text() == "—"
        await asyncio.to_thread(desks.back_journal.record_notification, paid)
        await until(
            lambda: orders.values["notified"].text().endswith("Paid"),
            within=3.0,
            what="the notification on Orders",
        )

    desks.qloop.run(scenario())


def test_this_desks_own_refund_reaches_activity_once(desks: TwoDesks) -> None:
    """The front desk's service reports each step and the feed brings the same rows:
    Activity and Orders hear of each state once."""
    assert desks.window.bridge is not None
    heard: list[Action] = []
    desks.window.bridge.action_changed.connect(heard.append)
    paid = desks.pay(5000)
    hub = desks.hub
    assert hub is not None

    async def scenario() -> None:
        draft = await desks.front.new_draft(ActionKind.VOID, paid.pay_order_id)
        result = await desks.front.void(paid.pay_order_id, draft_id=draft.id)
        assert result.succeeded
        # The feed's copies of what the service reported arrive and are dropped.
        await until(lambda: hub.dropped_count >= 1, within=3.0, what="the feed's copy")
        await asyncio.sleep(0.5)

    desks.qloop.run(scenario())
    states = [(a.id, a.state) for a in heard]
    assert len(states) == len(set(states)), states
    assert [s.value for _id, s in states] == ["intent", "succeeded"]
    assert activity_rows(desks.window) == [("Void", paid.pay_order_id, "Done")]


def test_a_card_added_elsewhere_appears_in_the_vault(desks: TwoDesks) -> None:
    vault = desks.window.pages[Page.VAULT]
    assert isinstance(vault, VaultPage)
    desks.window.show_page(Page.VAULT)

    async def scenario() -> None:
        await until(lambda: vault.model.total == 0 and vault.table.isEnabled())
        await asyncio.to_thread(
            desks.back_journal.add_vault_card,
            mch_id=DEMO_MERCHANT.mch_id,
            card_id="CARD-FROM-BACK",
            customer_label="Ada Lovelace",
            card_num="424242******4242",
            brand="V",
            expiry_date="1230",
            holder="Ada L",
            via="imported",
            operator="jill",
        )
        await until(lambda: vault.model.row_of("CARD-FROM-BACK") >= 0, within=3.0)
        assert vault.count.text() == "1 card(s)"
        await asyncio.to_thread(
            desks.back_journal.remove_vault_card,
            DEMO_MERCHANT.mch_id,
            "CARD-FROM-BACK",
            operator="jill",
        )
        await until(lambda: vault.model.total == 0, within=3.0)

    desks.qloop.run(scenario())


def test_after_a_reset_activity_reads_the_ledger_again(desks: TwoDesks) -> None:
    """Changes the feed could not see (the shared server was away) come in with the
    reset that follows its reconnection."""
    feed, hub = desks.feed, desks.hub
    assert feed is not None
    assert hub is not None
    feed.stop()  # the feed is away
    paid = desks.pay(5000)

    async def scenario() -> None:
        draft = await desks.back.new_draft(ActionKind.VOID, paid.pay_order_id)
        assert (await desks.back.void(paid.pay_order_id, draft_id=draft.id)).succeeded
        await asyncio.sleep(0.5)
        assert activity_rows(desks.window) == []  # nobody told it
        hub.publish(LedgerReset("reconnected"))
        await until(
            lambda: activity_rows(desks.window) == [("Void", paid.pay_order_id, "Done")],
            within=3.0,
        )

    desks.qloop.run(scenario())

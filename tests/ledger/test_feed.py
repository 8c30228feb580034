"""The ledger feed on both backends: two desks (two LedgerJournals, two engines) on one
ledger; what one writes reaches the other's event hub within a second, once."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from sqlalchemy import Engine

from iotpay_desk import ledger
from iotpay_desk.journal import Action, ActionKind, ActionState, new_mch_no
from iotpay_desk.journal.port import DeskIdentity
from iotpay_desk.ledger.feed import LedgerFeed, parse_payload
from iotpay_desk.ledger.journal import LedgerJournal
from iotpay_desk.services.events import (
    ActionChanged,
    EventHub,
    LedgerEvent,
    LedgerReset,
    VaultChanged,
)
from tests.plugins.postgres import PostgresServer

MCH = "10000701"
OTHER_MCH = "10000999"


def pay_id(n: int) -> str:
    return f"PC2024010121500957987{n:07d}"


@dataclass
class Seen:
    """What a hub's subscriber got, with when (time.perf_counter())."""

    events: list[tuple[float, LedgerEvent]] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, event: LedgerEvent) -> None:
        self.events.append((time.perf_counter(), event))
        self.wake.set()

    def actions(self, action_id: int | None = None) -> list[Action]:
        return [
            e.action
            for _t, e in self.events
            if isinstance(e, ActionChanged) and (action_id is None or e.action.id == action_id)
        ]

    async def until(self, test: object, within: float = 5.0) -> float:
        """Wait until ``test()`` is true; the time the last event came."""
        assert callable(test)
        deadline = time.monotonic() + within
        while not test():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; seen {[e for _t, e in self.events]}")
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), left)
        return self.events[-1][0] if self.events else time.perf_counter()


@pytest.fixture
def other_engine(backend: Engine) -> Iterator[Engine]:
    """A second engine on the same ledger: the other desk's."""
    engine = ledger.open_engine(backend.url)
    yield engine
    engine.dispose()


@dataclass
class Desks:
    writer: LedgerJournal  # desk A: writes
    reader: LedgerJournal  # desk B: follows through its feed
    hub: EventHub
    feed: LedgerFeed
    seen: Seen


@pytest_asyncio.fixture
async def desks(backend: Engine, other_engine: Engine) -> AsyncIterator[Desks]:
    writer = LedgerJournal(backend, desk=DeskIdentity.here("front"))
    reader = LedgerJournal(other_engine, desk=DeskIdentity.here("back office"))
    hub = EventHub()
    seen = Seen()
    hub.subscribe(seen)
    feed = LedgerFeed(reader, hub, MCH)
    feed.start()
    assert await asyncio.to_thread(feed.listening.wait, 10.0), "the feed never got ready"
    yield Desks(writer, reader, hub, feed, seen)
    await asyncio.to_thread(feed.stop)
    assert not feed.running


def refund(journal: LedgerJournal, n: int, mch_id: str = MCH) -> Action:
    return journal.create_intent(
        kind=ActionKind.REFUND,
        mch_id=mch_id,
        mch_no=new_mch_no("R"),
        operator="jack",
        target_pay_order_id=pay_id(n),
        amount_cents=500 + n,
    )


def test_payloads_are_read_or_refused() -> None:
    assert parse_payload("actions:10000701:42") == ("actions", "10000701", 42)
    assert parse_payload("vault_cards:a:b:7") == ("vault_cards", "a:b", 7)
    assert parse_payload("lookups:10000701:1") is None
    assert parse_payload("actions:10000701:x") is None
    assert parse_payload("actions") is None


@pytest.mark.asyncio
async def test_a_change_reaches_the_other_desk_within_a_second(
    desks: Desks, backend: Engine
) -> None:
    latencies: list[float] = []
    for n in range(25):
        t0 = time.perf_counter()
        action = await asyncio.to_thread(refund, desks.writer, n)
        arrived = await desks.seen.until(lambda a=action: desks.seen.actions(a.id))
        latencies.append(arrived - t0)
        t0 = time.perf_counter()
        done = await asyncio.to_thread(desks.writer.complete, action.id, ActionState.FAILED)
        arrived = await desks.seen.until(
            lambda a=done: any(x.state is ActionState.FAILED for x in desks.seen.actions(a.id))
        )
        latencies.append(arrived - t0)
        # Seen as written: intent, then its outcome, and nothing else about it.
        assert [a.state for a in desks.seen.actions(action.id)] == [
            ActionState.INTENT,
            ActionState.FAILED,
        ]
        assert desks.seen.actions(action.id)[-1] == done
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(
        f"\n{backend.dialect.name}: {len(latencies)} changes, one desk to the other: "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    assert max(latencies) < 1.0


@pytest.mark.asyncio
async def test_another_merchants_changes_are_not_shown(desks: Desks) -> None:
    theirs = await asyncio.to_thread(refund, desks.writer, 1, OTHER_MCH)
    ours = await asyncio.to_thread(refund, desks.writer, 2)
    await desks.seen.until(lambda: desks.seen.actions(ours.id))
    await asyncio.sleep(0.4)
    assert desks.seen.actions(theirs.id) == []
    assert [a.id for a in desks.seen.actions()] == [ours.id]


@pytest.mark.asyncio
async def test_the_desks_own_report_and_the_feed_make_one_delivery(desks: Desks) -> None:
    """Desk B's service writes and reports the change (``on_change``); the feed then
    brings the same row: the page hears of it once. A later change still comes."""
    action = await asyncio.to_thread(refund, desks.reader, 3)
    desks.hub.action_changed(action)  # what the money service does after writing
    await desks.seen.until(lambda: desks.hub.dropped_count >= 1)
    await asyncio.sleep(0.4)  # nothing else is on its way
    assert desks.seen.actions(action.id) == [action]
    # The feed reported the older state late: it is not shown over the newer one.
    done = await asyncio.to_thread(desks.reader.complete, action.id, ActionState.FAILED)
    desks.hub.action_changed(done)
    desks.hub.action_changed(action)
    await desks.seen.until(lambda: desks.hub.dropped_count >= 3)
    await asyncio.sleep(0.4)
    assert desks.seen.actions(action.id) == [action, done]


@pytest.mark.asyncio
async def test_vault_cards_added_and_removed_elsewhere_are_told(desks: Desks) -> None:
    def add() -> None:
        desks.writer.add_vault_card(
            mch_id=MCH,
            card_id="CARD-1",
            customer_label="Ada",
            card_num="424242******4242",
            brand="V",
            expiry_date="1230",
            holder="Ada L",
            via="hosted",
            operator="jack",
        )

    def cards() -> list[VaultChanged]:
        return [e for _t, e in desks.seen.events if isinstance(e, VaultChanged)]

    await asyncio.to_thread(add)
    await desks.seen.until(lambda: cards())
    assert cards()[0].card is not None
    assert cards()[0].card.customer_label == "Ada"
    await asyncio.to_thread(desks.writer.remove_vault_card, MCH, "CARD-1", operator="jack")
    await desks.seen.until(lambda: len(cards()) >= 2)
    assert cards()[-1] == VaultChanged(MCH, "CARD-1", None)


@pytest.mark.asyncio
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_lost_listen_connection_comes_back_and_says_reload(
    desks: Desks, postgres_server: PostgresServer
) -> None:
    pid = desks.feed.backend_pid
    assert pid is not None
    missed: list[Action] = []

    def terminate() -> None:
        with postgres_server.admin() as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        # Written while the feed is away: never notified to it.
        missed.append(refund(desks.writer, 5))

    await asyncio.to_thread(terminate)
    await desks.seen.until(
        lambda: any(isinstance(e, LedgerReset) for _t, e in desks.seen.events), within=10
    )
    assert desks.feed.reconnects == 1
    assert desks.feed.backend_pid not in (None, pid)
    # What it follows after reconnecting still comes.
    after = await asyncio.to_thread(refund, desks.writer, 6)
    await desks.seen.until(lambda: desks.seen.actions(after.id))


@pytest.mark.asyncio
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_the_feed_keeps_trying_while_the_server_refuses_it(
    desks: Desks, backend: Engine, postgres_server: PostgresServer
) -> None:
    """The connection is lost and the database refuses new ones for a while: the feed
    tries again (with pauses), says nothing until it listens again, then says reset."""
    pid = desks.feed.backend_pid
    name = backend.url.database

    def refuse(allow: bool) -> None:
        with postgres_server.admin() as conn:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}')
            if not allow:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))

    await asyncio.to_thread(refuse, False)
    try:

        def until_deaf() -> bool:
            deadline = time.monotonic() + 5
            while desks.feed.listening.is_set() and time.monotonic() < deadline:
                time.sleep(0.02)
            return not desks.feed.listening.is_set()

        assert await asyncio.to_thread(until_deaf)
        await asyncio.sleep(1.0)  # a few attempts, all refused
        assert desks.feed.running
        assert not any(isinstance(e, LedgerReset) for _t, e in desks.seen.events)
    finally:
        await asyncio.to_thread(refuse, True)
    await desks.seen.until(
        lambda: any(isinstance(e, LedgerReset) for _t, e in desks.seen.events), within=10
    )
    assert desks.feed.reconnects == 1
    assert desks.feed.listening.is_set()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_feed_connects_as_the_desk_did(backend: Engine) -> None:
    """The TLS mode the desk connected with (``connect_args``, as open_ledger gives it,
    not in the URL) is the feed's too: a feed connection without it would go in clear
    (or fail) where the desk's own require TLS."""
    engine = ledger.open_engine(
        backend.url, connect_args={"sslmode": "disable", "connect_timeout": 3}
    )
    loop = asyncio.new_event_loop()
    try:
        feed = LedgerFeed(LedgerJournal(engine), EventHub(loop), MCH)
        params, pooled = feed._pg_params()
        assert pooled
        assert params["sslmode"] == "disable"
        assert params["connect_timeout"] == "3"
        assert params["dbname"] == backend.url.database
        assert params["application_name"] == "iotpay-desk ledger feed"
        feed = LedgerFeed(
            LedgerJournal(engine), EventHub(loop), MCH, connect_kw={"sslmode": "require"}
        )
        assert feed._pg_params()[0]["sslmode"] == "require"
    finally:
        loop.close()
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_stop_leaves_no_thread(backend: Engine) -> None:
    async def run() -> float:
        hub = EventHub()
        feed = LedgerFeed(LedgerJournal(backend), hub, MCH)
        feed.start()
        assert await asyncio.to_thread(feed.listening.wait, 10.0)
        t0 = time.perf_counter()
        feed.stop()
        took = time.perf_counter() - t0
        assert not feed.running
        return took

    took = asyncio.run(run())
    assert took < 2.0
    assert [t.name for t in threading.enumerate() if t.name == "ledger-feed"] == []


def test_a_feed_is_started_once(backend: Engine) -> None:
    async def run() -> None:
        feed = LedgerFeed(LedgerJournal(backend), EventHub(), MCH)
        with feed, pytest.raises(RuntimeError):
            feed.start()
        assert not feed.running

    asyncio.run(run())

"""The event hub: each change delivered once, never an older one over a newer one, on the
loop's thread whichever thread published it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from iotpay_desk.journal import Action, ActionKind, ActionState
from iotpay_desk.journal.models import Notification, VaultCard
from iotpay_desk.services.events import (
    ActionChanged,
    EventHub,
    LedgerEvent,
    LedgerReset,
    NotificationRecorded,
    VaultChanged,
)

T0 = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def intent(action_id: int = 1) -> Action:
    return Action(
        id=action_id,
        kind=ActionKind.REFUND,
        mch_id="10000701",
        mch_no=f"R{action_id:012d}ABCD",
        amount_cents=500,
        currency="CAD",
        operator="jack",
        state=ActionState.INTENT,
        created_at=T0,
        updated_at=T0,
        target_pay_order_id="PC20240101215009579871439079",
    )


def later(action: Action, state: ActionState, seconds: float = 1.0, **kw: object) -> Action:
    return replace(
        action, state=state, updated_at=action.updated_at + timedelta(seconds=seconds), **kw
    )  # type: ignore[arg-type]


def card(label: str) -> VaultCard:
    return VaultCard(
        card_id="CARD-1",
        customer_label=label,
        card_num="424242******4242",
        brand="V",
        expiry_date="1230",
        holder="",
        added_by="jack",
        added_at=T0,
        mch_id="10000701",
    )


async def hub_and_log() -> tuple[EventHub, list[LedgerEvent]]:
    hub = EventHub()
    got: list[LedgerEvent] = []
    hub.subscribe(got.append)
    return hub, got


@pytest.mark.asyncio
async def test_the_same_change_twice_is_delivered_once() -> None:
    hub, got = await hub_and_log()
    a = intent()
    hub.action_changed(a)  # the service's report
    hub.publish(ActionChanged(replace(a)))  # the feed's read of the same row (a new object)
    assert got == [ActionChanged(a)]
    assert (hub.delivered_count, hub.dropped_count) == (1, 1)


@pytest.mark.asyncio
async def test_an_older_state_never_replaces_a_newer_one() -> None:
    hub, got = await hub_and_log()
    a = intent()
    checking = later(a, ActionState.CHECKING)
    checked = replace(checking, attempts=1)  # a check may keep the time
    done = later(checked, ActionState.SUCCEEDED)
    for event in (a, checking, checked, a, checking, done, checked, a, done):
        hub.action_changed(event)
    assert [e.action for e in got if isinstance(e, ActionChanged)] == [a, checking, checked, done]


@pytest.mark.asyncio
async def test_a_final_state_is_not_undone_by_a_desk_with_a_later_clock() -> None:
    hub, got = await hub_and_log()
    a = intent()
    done = later(a, ActionState.FAILED, seconds=1)
    skewed_open = later(a, ActionState.CHECKING, seconds=30)  # another desk's fast clock
    hub.action_changed(done)
    hub.action_changed(skewed_open)
    assert got == [ActionChanged(done)]


@pytest.mark.asyncio
async def test_other_things_are_compared_by_what_they_hold() -> None:
    hub, got = await hub_and_log()
    note = Notification(
        pay_order_id="PC20240101215009579871439079",
        mch_order_no="1234-A",
        pay_type="pay",
        status=2,
        amount_cents=5000,
        card_num="424242******4242",
        first_at=T0,
        last_at=T0,
        mch_id="10000701",
    )
    events: list[LedgerEvent] = [
        VaultChanged("10000701", "CARD-1", card("Ada")),
        VaultChanged("10000701", "CARD-1", card("Ada")),
        VaultChanged("10000701", "CARD-1", card("Ada Lovelace")),
        VaultChanged("10000701", "CARD-1", None),
        VaultChanged("10000701", "CARD-1", None),
        NotificationRecorded(note),
        NotificationRecorded(note),
        NotificationRecorded(replace(note, times=2, last_at=T0 + timedelta(seconds=5))),
        LedgerReset("reconnected"),
        LedgerReset("reconnected"),
    ]
    for event in events:
        hub.publish(event)
    assert got == [events[0], events[2], events[3], events[5], events[7], events[8], events[9]]


@pytest.mark.asyncio
async def test_forget_lets_the_same_change_through_again() -> None:
    hub, got = await hub_and_log()
    a = intent()
    hub.action_changed(a)
    hub.forget()
    hub.action_changed(a)
    assert len(got) == 2


@pytest.mark.asyncio
async def test_events_from_other_threads_reach_subscribers_on_the_loop_thread() -> None:
    hub = EventHub()
    loop_thread = threading.get_ident()
    threads: list[int] = []
    done = asyncio.Event()

    def subscriber(event: LedgerEvent) -> None:
        threads.append(threading.get_ident())
        if len(threads) == 20:
            done.set()

    hub.subscribe(subscriber)

    def publish_many() -> None:
        for n in range(1, 21):
            hub.action_changed(intent(n))

    worker = threading.Thread(target=publish_many)
    worker.start()
    await asyncio.wait_for(done.wait(), 5)
    worker.join()
    assert set(threads) == {loop_thread}


@pytest.mark.asyncio
async def test_a_failing_subscriber_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = EventHub()
    got: list[LedgerEvent] = []

    def broken(_event: LedgerEvent) -> None:
        raise ValueError("boom")

    hub.subscribe(broken)
    unsubscribe = hub.subscribe(got.append)
    hub.publish(LedgerReset())
    assert got == [LedgerReset()]
    assert "a subscriber failed on LedgerReset" in caplog.text
    unsubscribe()
    hub.publish(LedgerReset())
    assert got == [LedgerReset()]


def test_events_published_after_the_loop_closed_are_dropped() -> None:
    loop = asyncio.new_event_loop()
    hub = EventHub(loop)
    loop.close()
    hub.publish(LedgerReset())  # no error: the desk is shutting down


def test_the_hub_and_the_feed_never_import_qt() -> None:
    code = (
        "import sys, iotpay_desk.services.events, iotpay_desk.ledger.feed; "
        "loaded = [m for m in sys.modules if m.startswith('PySide6')]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr

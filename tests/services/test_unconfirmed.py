"""Late deliveries and stale forms: the two ways a desk could pay out twice.

A. IOTPay commits a call after the desk stopped waiting (a loopback proxy holds the call
   and delivers it late). The desk never calls it "not received" before the profile's
   window ends, and sending it again reuses its number, so IOTPay refuses the second.
B. Two forms on one payment: a form opened while another refund was in flight is
   refused once that refund succeeded, by the journal's own transaction, also when the
   two services hold two connections to one journal file (as two desks would).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from iotpay_desk.api import IotPayClient, Order
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services import ActionResult, Draft, MoneyService, PaymentChanged
from iotpay_desk.services.money import NOT_RECEIVED_AFTER_S
from tests.plugins.lateproxy import LateProxy

from .conftest import add_card_on_page, pay, returns_at_sandbox, sandbox_orders, wait_for

pytestmark = pytest.mark.asyncio

REFUND = ActionKind.REFUND
MCH = DEMO_MERCHANT.mch_id
DAY = 24 * 3600.0


def _late_service(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    proxy: LateProxy,
    now: list,
    **kw: object,
) -> MoneyService:
    """A service whose client goes through the proxy and gives up after 1 s; the
    profile's default window (a day) unless told otherwise."""
    return make_service(
        client=make_client(proxy.url, timeout=1.0),
        clock=lambda: now[0],
        not_received_after=kw.pop("not_received_after", NOT_RECEIVED_AFTER_S),
        **kw,
    )


async def refund_delivered_late(
    service: MoneyService,
    client: IotPayClient,
    sandbox: SandboxServer,
    proxy: LateProxy,
    amount: int,
) -> tuple[Order, Draft, ActionResult]:
    """A settled payment of $50.00, and a refund of ``amount`` that the proxy holds (its
    answer lost when the client gives up): the payment, the form's draft, the result."""
    p = await pay(client, 5000)
    sandbox.settle()
    draft = await service.new_draft(REFUND, p.pay_order_id)
    proxy.hold("cc_refund")
    first = await service.refund(p.pay_order_id, amount, draft_id=draft.id)
    return p, draft, first


async def test_the_default_window_is_at_least_a_day() -> None:
    assert NOT_RECEIVED_AFTER_S >= DAY


async def test_a_refund_delivered_late_is_never_called_not_received_within_the_window(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    late_proxy: LateProxy,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    now = [sandbox.clock.local_now()]
    service = _late_service(make_service, make_client, late_proxy, now)
    p, _draft, first = await refund_delivered_late(service, client, sandbox, late_proxy, 500)
    assert first.state is ActionState.CHECKING
    assert first.unconfirmed
    assert first.can_send_again

    # 70 s, an hour, 23 h later: IOTPay still has no record; the desk keeps saying so.
    for later in (70, 3600, 23 * 3600):
        now[0] = first.action.created_at + timedelta(seconds=later)
        await service.check_due()
        action = journal.get_action(first.action.id)
        assert action.state is ActionState.CHECKING, later
        detail = await service.order_detail(p.pay_order_id)
        assert [r.state for r in detail.returns] == [ActionState.CHECKING]
    assert detail.pending_cents == 500
    assert detail.refundable_now == 4500

    # The late delivery lands at last: the desk finds it and completes the action.
    late_proxy.release()
    await service.check_due()  # not due yet: nothing is asked
    now[0] += timedelta(hours=1)
    (checked,) = await service.check_due()
    assert checked.succeeded
    assert [o["amount"] for o in await returns_at_sandbox(sandbox.url, p.pay_order_id)] == [500]


async def test_sending_again_reuses_the_number_so_a_late_first_send_cannot_refund_twice(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    late_proxy: LateProxy,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    now = [sandbox.clock.local_now()]
    service = _late_service(make_service, make_client, late_proxy, now)
    p, draft, first = await refund_delivered_late(service, client, sandbox, late_proxy, 500)
    assert first.unconfirmed
    late_proxy.wait_held(1)
    now[0] += timedelta(seconds=70)

    again = await service.send_again(first.action)
    assert again.succeeded
    assert again.action.id == first.action.id
    assert again.action.mch_no == draft.id

    late_proxy.release()  # the first send reaches IOTPay now: refused, its number is used
    returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
    assert [(o["amount"], o["mchOrderNo"]) for o in returns] == [(500, draft.id)]
    # Whatever the desk checks afterwards, the journal keeps one succeeded refund.
    now[0] += timedelta(hours=2)
    await service.check_due()
    (action,) = journal.actions_for_target(MCH, p.pay_order_id)
    assert action.state is ActionState.SUCCEEDED
    events = [e.event for e in journal.audit_for_action(action.id)]
    assert "send_again" in events


async def test_the_first_send_landing_before_the_second_makes_the_second_a_look_up(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    late_proxy: LateProxy,
    client: IotPayClient,
    sandbox: SandboxServer,
) -> None:
    now = [sandbox.clock.local_now()]
    service = _late_service(make_service, make_client, late_proxy, now)
    p, _draft, first = await refund_delivered_late(service, client, sandbox, late_proxy, 700)
    assert first.unconfirmed
    late_proxy.release()
    again = await service.send_again(first.action)  # looks first: IOTPay has it
    assert again.succeeded
    assert [o["amount"] for o in await returns_at_sandbox(sandbox.url, p.pay_order_id)] == [700]


async def test_a_second_send_that_races_the_late_first_one_is_refused_by_iotpay(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    late_proxy: LateProxy,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    # The first send lands between the second's look and its send: IOTPay says the
    # number is used, and the desk resolves it by looking it up: one refund.
    now = [sandbox.clock.local_now()]
    service = _late_service(make_service, make_client, late_proxy, now)
    p, _draft, first = await refund_delivered_late(service, client, sandbox, late_proxy, 900)
    late_proxy.wait_held(1)
    late_proxy.hold("cc_refund")  # the second send is held too …
    again = asyncio.create_task(service.send_again(first.action))
    await wait_for(lambda: late_proxy.held == 2)
    late_proxy.release()  # … and both arrive together: one wins, one is refused
    result = await again
    if result.checking:
        result = await service.resolve(result.action)
    assert result.succeeded
    returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
    assert [o["amount"] for o in returns] == [900]
    assert journal.get_action(first.action.id).state is ActionState.SUCCEEDED


async def test_not_received_only_once_the_window_has_passed(
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    now = [sandbox.clock.local_now()]
    service = make_service(clock=lambda: now[0], not_received_after=DAY)
    p = await pay(client, 800)
    sandbox.settle()
    draft = await service.new_draft(REFUND, p.pay_order_id)
    sandbox.set_faults([FaultSpec("error500", "cc_refund", count=1)])  # never committed
    result = await service.refund(p.pay_order_id, 800, draft_id=draft.id)
    assert result.unconfirmed
    assert service.unconfirmed_until(result.action) == result.action.created_at + timedelta(
        seconds=DAY
    )
    now[0] = result.action.created_at + timedelta(seconds=DAY - 1)
    await service.check_due()
    assert journal.get_action(result.action.id).state is ActionState.CHECKING
    now[0] = result.action.created_at + timedelta(seconds=DAY)
    (done,) = await service.check_due()
    assert done.state is ActionState.NOT_RECEIVED
    assert await returns_at_sandbox(sandbox.url, p.pay_order_id) == []


async def test_checks_back_off_to_an_hour_and_end_with_the_window(
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    now = [sandbox.clock.local_now()]
    service = make_service(clock=lambda: now[0], not_received_after=DAY)
    p = await pay(client, 800)
    sandbox.settle()
    draft = await service.new_draft(REFUND, p.pay_order_id)
    sandbox.set_faults([FaultSpec("error500", "cc_refund", count=1)])
    result = await service.refund(p.pay_order_id, 800, draft_id=draft.id)
    gaps: list[float] = []
    action = journal.get_action(result.action.id)
    while action.state is ActionState.CHECKING:
        due = service.next_check_at(action)
        gaps.append((due - action.updated_at).total_seconds())
        now[0] = due - timedelta(seconds=1)
        assert await service.check_due() == []  # not due yet: IOTPay is not asked
        now[0] = due
        await service.check_due()
        action = journal.get_action(result.action.id)
        assert len(gaps) < 100
    assert gaps[:4] == [60.0, 120.0, 240.0, 480.0]
    assert max(gaps) == 3600.0
    assert action.state is ActionState.NOT_RECEIVED
    assert action.updated_at == action.created_at + timedelta(seconds=DAY)


async def test_a_card_charge_delivered_late_and_sent_again_charges_once(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    make_cards: Callable[..., object],
    late_proxy: LateProxy,
    client: IotPayClient,
    sandbox: SandboxServer,
) -> None:
    now = [sandbox.clock.local_now()]
    service = _late_service(make_service, make_client, late_proxy, now)
    cards = make_cards()
    card = await add_card_on_page(cards, sandbox.url)  # type: ignore[arg-type]
    draft = await service.new_draft(ActionKind.CHARGE_TOKEN)
    late_proxy.hold("cc_purchasewithtoken")
    first = await service.charge_card(draft.id, card.card_id, 1234, subject="Lunch")
    assert first.unconfirmed
    assert first.can_send_again
    now[0] += timedelta(seconds=70)
    again = await service.send_again(first.action)
    assert again.succeeded
    late_proxy.release()
    charges = [o for o in await sandbox_orders(sandbox.url) if o["mchOrderNo"] == draft.id]
    assert [(o["amount"], o["status"]) for o in charges] == [(1234, 2)]
    all_paid = [
        o
        for o in await sandbox_orders(sandbox.url)
        if o["payType"] != "refund" and o["amount"] == 1234
    ]
    assert len(all_paid) == 1


async def test_the_watch_keeps_checking_while_the_desk_runs(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    late_proxy: LateProxy,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    now = [sandbox.clock.local_now()]
    service = _late_service(make_service, make_client, late_proxy, now)
    _p, _draft, first = await refund_delivered_late(service, client, sandbox, late_proxy, 300)
    assert first.unconfirmed
    late_proxy.release()
    now[0] += timedelta(minutes=5)
    watch = asyncio.create_task(service.watch(tick=0.05))
    try:
        await wait_for(lambda: journal.get_action(first.action.id).state is ActionState.SUCCEEDED)
    finally:
        watch.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watch
    await service.wait_idle()


# ------------------------------------------------------------------ B: two forms, one payment


async def test_a_form_opened_while_a_refund_was_in_flight_is_refused_after_it_succeeds(
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
    tmp_path: Path,
) -> None:
    # Desk A and desk B on one journal file, each with its own connection.
    p = await pay(client, 5000)
    sandbox.settle()
    b_journal = open_sqlite_ledger(journal.path)
    try:
        a = make_service(operator="ann", not_received_after=DAY)
        b = make_service(journal=b_journal, operator="bob", not_received_after=DAY)
        da = await a.new_draft(REFUND, p.pay_order_id)
        sandbox.set_faults([FaultSpec("latency", "cc_refund", count=1, latency_ms=1500)])
        slow = asyncio.create_task(a.refund(p.pay_order_id, 500, draft_id=da.id))
        await wait_for(lambda: b_journal.find_action(MCH, da.id))
        # B looks the payment up and opens its form while A's refund is in flight.
        detail = await b.order_detail(p.pay_order_id)
        assert [r.state for r in detail.in_flight] == [ActionState.INTENT]
        assert detail.refundable_now == 4500
        db = await b.new_draft(REFUND, p.pay_order_id)
        assert (await slow).succeeded
        with pytest.raises(PaymentChanged) as changed:
            await b.refund(p.pay_order_id, 500, draft_id=db.id)
        assert changed.value.action.mch_no == da.id
        returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
        assert [o["amount"] for o in returns] == [500]
        # A form opened now knows of A's refund and may go ahead.
        fresh = await b.new_draft(REFUND, p.pay_order_id)
        assert (await b.refund(p.pay_order_id, 500, draft_id=fresh.id)).succeeded
        assert len(await returns_at_sandbox(sandbox.url, p.pay_order_id)) == 2
    finally:
        b_journal.close()


async def test_a_form_opened_during_an_action_that_then_fails_may_still_go_ahead(
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    p = await pay(client, 5000)
    sandbox.settle()
    a = make_service(operator="ann")
    b = make_service(operator="bob")
    # A voids a settled payment: IOTPay refuses it (use refund), nothing moved.
    da = await a.new_draft(ActionKind.VOID, p.pay_order_id)
    sandbox.set_faults([FaultSpec("latency", "cc_void", count=1, latency_ms=800)])
    slow = asyncio.create_task(a.void(p.pay_order_id, draft_id=da.id))
    await wait_for(lambda: journal.find_action(MCH, da.id))
    db = await b.new_draft(REFUND, p.pay_order_id)
    assert (await slow).state is ActionState.FAILED
    assert (await b.refund(p.pay_order_id, 100, draft_id=db.id)).succeeded
    assert [o["amount"] for o in await returns_at_sandbox(sandbox.url, p.pay_order_id)] == [100]


RACER = """
import asyncio, pathlib, sys
import httpx
from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import ActionKind
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.services import ActionInProgress, MoneyService, PaymentChanged

async def main(url, path, mch_id, key, pay_order_id, go, name):
    http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0), trust_env=False)
    service = MoneyService(
        IotPayClient(url, mch_id, key, http=http), open_sqlite_ledger(path), operator=name,
        not_received_after=86400.0,
    )
    draft = await service.new_draft(ActionKind.REFUND, pay_order_id)
    print("ready", flush=True)
    while not pathlib.Path(go).exists():
        await asyncio.sleep(0.005)
    try:
        result = await service.refund(pay_order_id, 500, draft_id=draft.id)
        print(result.state.value, flush=True)
    except (ActionInProgress, PaymentChanged) as exc:
        print(type(exc).__name__, flush=True)
    await http.aclose()

asyncio.run(main(*sys.argv[1:]))
"""


@pytest.mark.parametrize("latency_ms", [0, 300])
async def test_two_desk_processes_racing_for_one_payment_refund_once(
    latency_ms: int,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
    tmp_path: Path,
) -> None:
    p = await pay(client, 5000)
    sandbox.settle()
    if latency_ms:
        sandbox.set_faults([FaultSpec("latency", "cc_refund", latency_ms=latency_ms)])
    go = tmp_path / "go"
    racers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RACER,
            sandbox.url,
            str(journal.path),
            DEMO_MERCHANT.mch_id,
            DEMO_MERCHANT.key,
            p.pay_order_id,
            str(go),
            name,
            stdout=asyncio.subprocess.PIPE,
        )
        for name in ("desk-a", "desk-b", "desk-c")
    ]
    for racer in racers:
        assert racer.stdout is not None
        assert (await asyncio.wait_for(racer.stdout.readline(), 30)).strip() == b"ready"
    go.write_text("go")
    outcomes = []
    for racer in racers:
        out, _ = await asyncio.wait_for(racer.communicate(), 60)
        assert racer.returncode == 0
        outcomes.append(out.decode().strip())
    assert sorted(outcomes).count("succeeded") == 1, outcomes
    assert all(o in ("succeeded", "ActionInProgress", "PaymentChanged") for o in outcomes)
    returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
    assert [o["amount"] for o in returns] == [500]
    assert [a.state for a in journal.actions_for_target(MCH, p.pay_order_id)] == [
        ActionState.SUCCEEDED
    ]

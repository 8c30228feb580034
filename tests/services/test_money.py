"""The money service against the real sandbox over loopback and a real journal file."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from iotpay_desk.api import IotPayClient, IotPayRejected, RefundRequest, VoidRequest
from iotpay_desk.api.rules import BrokenRule, RuleCode
from iotpay_desk.journal import Action, ActionKind, ActionState
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxClock, SandboxServer
from iotpay_desk.services import (
    ActionInProgress,
    Advice,
    CannotReachIotPay,
    FailureKind,
    InvalidInput,
    MoneyService,
    OrderNotFound,
    PaymentChanged,
    RefusedByIotPay,
    StatusWord,
    UnknownDraft,
    classify_failure,
)

from .conftest import pay, returns_at_sandbox

pytestmark = pytest.mark.asyncio
REFUND, VOID = ActionKind.REFUND, ActionKind.VOID


async def test_lookup_by_either_id_and_the_recent_list(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    p = await pay(client, 5000, mch_order_no="order-7781")
    by_no = await service.lookup("  order-7781 ")
    by_id = await service.lookup(p.pay_order_id)
    for d in (by_no, by_id):
        assert d.order.pay_order_id == p.pay_order_id
        assert d.order.mch_order_no == "order-7781"
        assert d.status in (StatusWord.PAID, StatusWord.PAID_NOTIFIED)
        assert d.refundable_cents == 5000
        assert d.order.card_num == "424242******4242"
        assert d.order.card_type == "V"
        assert d.advice is Advice.VOID  # sandbox morning, cut-off 21:00
        assert d.settles_at is not None
        assert d.returns == ()
    recent = await service.recent_lookups()
    assert [(lk.query, lk.pay_order_id) for lk in recent] == [(p.pay_order_id, p.pay_order_id)]

    # an mchOrderNo shaped like a payOrderId is found the other way round
    odd = await pay(client, 1200, mch_order_no="PC11111111111111111111111111")
    assert (await service.lookup("PC11111111111111111111111111")).order.pay_order_id == (
        odd.pay_order_id
    )
    assert [lk.pay_order_id for lk in await service.recent_lookups()] == [
        odd.pay_order_id,
        p.pay_order_id,
    ]
    with pytest.raises(OrderNotFound):
        await service.lookup("no-such-order")
    with pytest.raises(InvalidInput) as info:
        await service.lookup("   ")
    assert info.value.field == "query"


async def test_advice_follows_the_profile_cutoff(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    p = await pay(client, 900)
    assert (await service.lookup(p.pay_order_id)).advice is Advice.VOID
    sandbox.advance(13 * 3600)  # past 21:00 in sandbox time: settled there, advised here
    detail = await service.lookup(p.pay_order_id)
    assert detail.advice is Advice.REFUND
    draft = await service.new_draft(REFUND, p.pay_order_id)
    assert (await service.refund(p.pay_order_id, 900, draft_id=draft.id)).succeeded


async def test_two_partial_refunds_then_an_over_refund_is_refused(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer, journal: LedgerJournal
) -> None:
    p = await pay(client, 5000)
    sandbox.settle()
    d1 = await service.new_draft(REFUND, p.pay_order_id)
    r1 = await service.refund(p.pay_order_id, 2000, "damaged", "box crushed", draft_id=d1.id)
    assert r1.state is ActionState.SUCCEEDED
    assert r1.order is not None
    assert r1.order.pay_order_id.startswith("RP")
    assert r1.order.amount == 2000
    assert r1.action.mch_no == d1.id
    d2 = await service.new_draft(REFUND, p.pay_order_id)
    r2 = await service.refund(p.pay_order_id, 2500, draft_id=d2.id)
    assert r2.succeeded

    d3 = await service.new_draft(REFUND, p.pay_order_id)
    with pytest.raises(InvalidInput) as info:
        await service.refund(p.pay_order_id, 501, draft_id=d3.id)
    assert info.value.field == "amount"
    assert info.value.rule == BrokenRule(RuleCode.OVER_REFUNDABLE, left=500)
    returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
    assert sorted(o["amount"] for o in returns) == [2000, 2500]
    assert journal.find_action(DEMO_MERCHANT.mch_id, d3.id) is None  # nothing written

    detail = await service.lookup(p.pay_order_id)
    assert detail.refundable_cents == 500
    assert [r.action.amount_cents for r in detail.returns] == [2000, 2500]
    assert detail.returned_cents == 4500
    assert detail.refunded_elsewhere_cents == 0
    # the exact remainder still goes through
    r3 = await service.refund(p.pay_order_id, 500, draft_id=d3.id)
    assert r3.succeeded

    events = [(e.event, e.detail.get("mch_no")) for e in reversed(journal.audit_page(50))]
    assert events == [
        ("intent", d1.id),
        ("answer", d1.id),
        ("intent", d2.id),
        ("answer", d2.id),
        ("refused", d3.id),
        ("intent", d3.id),
        ("answer", d3.id),
    ]
    first = journal.audit_for_action(r1.action.id)
    assert first[0].operator == "jack"
    assert first[0].detail["reason"] == "damaged"
    assert first[0].detail["refundable_before"] == 5000
    assert first[1].detail["state"] == "succeeded"
    assert first[1].detail["pay_order_id"] == r1.order.pay_order_id


async def test_amount_rules_before_anything_is_sent(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    p = await pay(client, 1000)
    sandbox.settle()
    d = await service.new_draft(REFUND, p.pay_order_id)
    for amount, code in [
        (0, RuleCode.MORE_THAN_ZERO),
        (-5, RuleCode.MORE_THAN_ZERO),
        (10.5, RuleCode.WHOLE_CENTS),
    ]:
        with pytest.raises(InvalidInput) as info:
            await service.refund(p.pay_order_id, amount, draft_id=d.id)  # type: ignore[arg-type]
        assert info.value.field == "amount"
        assert info.value.rule.code is code
    with pytest.raises(InvalidInput) as info:
        await service.refund(p.pay_order_id, 100, "x" * 501, draft_id=d.id)
    assert info.value.field == "reason"
    with pytest.raises(UnknownDraft):
        await service.refund(p.pay_order_id, 100, draft_id="R000000000000AAAAAAAAAA")
    with pytest.raises(UnknownDraft):
        await service.void(p.pay_order_id, draft_id=d.id)  # a refund draft
    assert await returns_at_sandbox(sandbox.url, p.pay_order_id) == []
    # after the mistakes, the same draft still works
    assert (await service.refund(p.pay_order_id, 1000, draft_id=d.id)).succeeded


async def test_void_then_refund_is_refused(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    p = await pay(client, 3000, card="5555555555554444")
    dv = await service.new_draft(VOID, p.pay_order_id)
    v = await service.void(p.pay_order_id, "customer cancelled", draft_id=dv.id)
    assert v.succeeded
    assert v.order is not None
    assert v.order.amount == 3000
    assert v.action.amount_cents == 3000
    assert v.order.card_num == "555555******4444"

    dr = await service.new_draft(REFUND, p.pay_order_id)
    with pytest.raises(InvalidInput) as info:
        await service.refund(p.pay_order_id, 100, draft_id=dr.id)
    assert info.value.field == "amount"
    dv2 = await service.new_draft(VOID, p.pay_order_id)
    with pytest.raises(InvalidInput) as info:
        await service.void(p.pay_order_id, draft_id=dv2.id)
    assert info.value.field == "payOrderId"
    returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
    assert [o["endpoint"] for o in returns] == ["cc_void"]
    detail = await service.lookup(p.pay_order_id)
    assert detail.refundable_cents == 0
    assert detail.advice is Advice.NONE


async def test_void_after_settlement_is_refused_and_refund_offered(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    p = await pay(client, 4200)
    sandbox.settle()
    dv = await service.new_draft(VOID, p.pay_order_id)
    v = await service.void(p.pay_order_id, "wrong amount", "call back", draft_id=dv.id)
    assert v.state is ActionState.FAILED
    assert v.failure is FailureKind.TOO_LATE_TO_VOID
    assert v.try_instead is REFUND
    assert "settled" in v.ret_msg
    # what was typed carries over: the refund of the same payment, in full
    dr = await service.new_draft(v.try_instead, p.pay_order_id)
    r = await service.refund(
        p.pay_order_id, v.action.amount_cents or 0, v.action.reason, v.action.note, draft_id=dr.id
    )
    assert r.succeeded
    assert r.action.amount_cents == 4200
    assert r.action.reason == "wrong amount"
    assert [o["endpoint"] for o in await returns_at_sandbox(sandbox.url, p.pay_order_id)] == [
        "cc_refund"
    ]


async def test_refund_before_settlement_is_refused_and_void_offered(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    p = await pay(client, 1500)
    dr = await service.new_draft(REFUND, p.pay_order_id)
    r = await service.refund(p.pay_order_id, 1500, draft_id=dr.id)
    assert r.state is ActionState.FAILED
    assert r.failure is FailureKind.TOO_EARLY_TO_REFUND
    assert r.try_instead is VOID
    # re-submitting the refused draft gives the same answer and sends nothing
    again = await service.refund(p.pay_order_id, 1500, draft_id=dr.id)
    assert again.action == r.action
    dv = await service.new_draft(VOID, p.pay_order_id)
    assert (await service.void(p.pay_order_id, draft_id=dv.id)).succeeded


async def test_the_sandbox_refusal_texts_are_classified(
    client: IotPayClient, sandbox: SandboxServer
) -> None:
    early = await pay(client, 1000)
    with pytest.raises(IotPayRejected) as info:
        await client.refund(RefundRequest("R1", "jack", 100, early.pay_order_id))
    assert classify_failure(info.value.ret_msg) is FailureKind.TOO_EARLY_TO_REFUND
    sandbox.settle()
    with pytest.raises(IotPayRejected) as info:
        await client.void(VoidRequest("V1", "jack", early.pay_order_id))
    assert classify_failure(info.value.ret_msg) is FailureKind.TOO_LATE_TO_VOID
    with pytest.raises(IotPayRejected) as info:
        await client.refund(RefundRequest("R2", "jack", 1001, early.pay_order_id))
    assert classify_failure(info.value.ret_msg) is FailureKind.OVER_REFUNDABLE
    await client.refund(RefundRequest("R3", "jack", 100, early.pay_order_id))
    with pytest.raises(IotPayRejected) as info:
        await client.refund(RefundRequest("R3", "jack", 100, early.pay_order_id))
    assert classify_failure(info.value.ret_msg) is FailureKind.ID_ALREADY_USED


async def test_two_desks_racing_on_one_payment_keep_iotpays_refusal(
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    # Two profiles (two journals) on one merchant: only IOTPay sees both.
    p = await pay(client, 5000)
    sandbox.settle()
    a_journal = open_sqlite_ledger(tmp_path / "a.sqlite3")
    try:
        a = make_service(journal=a_journal, operator="ann")
        b = make_service()
        da = await a.new_draft(REFUND, p.pay_order_id)
        db = await b.new_draft(REFUND, p.pay_order_id)
        sandbox.set_faults([FaultSpec("latency", "cc_refund", count=1, latency_ms=1500)])
        slow = asyncio.create_task(a.refund(p.pay_order_id, 3000, draft_id=da.id))
        await _until(lambda: a_journal.find_action(DEMO_MERCHANT.mch_id, da.id))
        fast = await b.refund(p.pay_order_id, 5000, draft_id=db.id)
        assert fast.succeeded
        late = await slow
        assert late.state is ActionState.FAILED
        assert late.failure is FailureKind.OVER_REFUNDABLE
        assert a_journal.get_action(late.action.id).ret_msg == late.ret_msg
        returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
        assert [o["amount"] for o in returns] == [5000]
    finally:
        a_journal.close()


async def test_one_draft_submitted_twenty_times_at_once_makes_one_refund(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer, journal: LedgerJournal
) -> None:
    p = await pay(client, 2000)
    sandbox.settle()
    draft = await service.new_draft(REFUND, p.pay_order_id)
    # a little latency keeps the call in flight while the other 19 arrive
    sandbox.set_faults([FaultSpec("latency", "cc_refund", latency_ms=200)])
    results = await asyncio.gather(
        *(service.refund(p.pay_order_id, 700, draft_id=draft.id) for _ in range(20))
    )
    assert {r.action.id for r in results} == {results[0].action.id}
    assert all(r.succeeded for r in results)
    returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
    assert len(returns) == 1
    # a held Enter later, even with another amount typed: the same one refund
    again = await service.refund(p.pay_order_id, 900, draft_id=draft.id)
    assert again.action.id == results[0].action.id
    assert len(await returns_at_sandbox(sandbox.url, p.pay_order_id)) == 1
    assert len(journal.actions_for_target(DEMO_MERCHANT.mch_id, p.pay_order_id)) == 1


async def test_another_draft_waits_for_the_unresolved_one_and_then_sees_it(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer, journal: LedgerJournal
) -> None:
    p = await pay(client, 2000)
    sandbox.settle()
    first = await service.new_draft(REFUND, p.pay_order_id)
    second = await service.new_draft(REFUND, p.pay_order_id)  # another window
    sandbox.set_faults([FaultSpec("latency", "cc_refund", latency_ms=400, count=1)])
    running = asyncio.create_task(service.refund(p.pay_order_id, 500, draft_id=first.id))
    await _until(lambda: journal.find_action(DEMO_MERCHANT.mch_id, first.id))
    with pytest.raises(ActionInProgress) as info:
        await service.refund(p.pay_order_id, 500, draft_id=second.id)
    assert info.value.action.mch_no == first.id
    assert (await running).succeeded
    with pytest.raises(PaymentChanged) as changed:
        await service.refund(p.pay_order_id, 500, draft_id=second.id)
    assert changed.value.action.mch_no == first.id
    third = await service.new_draft(REFUND, p.pay_order_id)
    assert (await service.refund(p.pay_order_id, 500, draft_id=third.id)).succeeded
    assert len(await returns_at_sandbox(sandbox.url, p.pay_order_id)) == 2


# ---------------------------------------------------------------------- fault modes

# kind → (committed at the sandbox?, the journal's final state)
FAULTS = {
    "latency": (True, ActionState.SUCCEEDED),
    "error500": (False, ActionState.NOT_RECEIVED),
    "drop_after_commit": (True, ActionState.SUCCEEDED),
    "hang": (False, ActionState.NOT_RECEIVED),
    "malformed_json": (True, ActionState.SUCCEEDED),
}


@pytest.mark.parametrize("endpoint", ["cc_refund", "cc_void"])
@pytest.mark.parametrize("kind", list(FAULTS))
async def test_each_fault_mode_ends_with_the_right_refunds(
    kind: str,
    endpoint: str,
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    committed, final = FAULTS[kind]
    seen: list[ActionState] = []
    # hang: the desk gives up after 0.5 s; every other mode answers quickly
    desk_client = make_client(sandbox.url, timeout=0.5 if kind == "hang" else 5.0)
    service = make_service(client=desk_client, on_change=lambda a: seen.append(a.state))
    p = await pay(client, 2500)
    if endpoint == "cc_refund":
        sandbox.settle()
    draft = await service.new_draft(REFUND if endpoint == "cc_refund" else VOID, p.pay_order_id)
    spec = FaultSpec(kind, endpoint, count=1, latency_ms=150 if kind == "latency" else 0)  # type: ignore[arg-type]
    sandbox.set_faults([spec])

    if endpoint == "cc_refund":
        result = await service.refund(p.pay_order_id, 1000, draft_id=draft.id)
    else:
        result = await service.void(p.pay_order_id, draft_id=draft.id)

    assert sandbox.faults.active() == []  # the fault hit the one money call
    assert result.state is final
    returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
    assert len(returns) == (1 if committed else 0)
    stored = journal.get_action(result.action.id)
    assert stored.state is final
    if committed:
        assert stored.pay_order_id == returns[0]["payOrderId"]
        assert result.order is not None
        assert result.order.pay_order_id == returns[0]["payOrderId"]
    lost = kind != "latency"
    assert seen[0] is ActionState.INTENT
    assert seen[-1] is final
    assert (ActionState.CHECKING in seen) is lost
    assert (stored.attempts >= 1) is lost
    events = [e.event for e in journal.audit_for_action(stored.id)]
    assert events[0] == "intent"
    assert events[-1] == ("resolved" if lost else "answer")

    # the same draft again never sends; a new draft may
    again = (
        await service.refund(p.pay_order_id, 1000, draft_id=draft.id)
        if endpoint == "cc_refund"
        else await service.void(p.pay_order_id, draft_id=draft.id)
    )
    assert again.action.id == stored.id
    assert len(await returns_at_sandbox(sandbox.url, p.pay_order_id)) == len(returns)
    if not committed:
        retry = await service.new_draft(draft.kind, p.pay_order_id)
        if endpoint == "cc_refund":
            assert (await service.refund(p.pay_order_id, 1000, draft_id=retry.id)).succeeded
        else:
            assert (await service.void(p.pay_order_id, draft_id=retry.id)).succeeded
        assert len(await returns_at_sandbox(sandbox.url, p.pay_order_id)) == 1


async def test_a_lost_answer_stays_checking_until_it_is_safe_to_say_not_received(
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    now = [sandbox.clock.local_now()]
    service = make_service(clock=lambda: now[0], not_received_after=60.0)
    p = await pay(client, 800)
    sandbox.settle()
    draft = await service.new_draft(REFUND, p.pay_order_id)
    sandbox.set_faults([FaultSpec("error500", "cc_refund", count=1)])
    result = await service.refund(p.pay_order_id, 800, draft_id=draft.id)
    assert result.state is ActionState.CHECKING
    assert result.action.attempts == 4  # every scheduled check, none conclusive
    other = await service.new_draft(REFUND, p.pay_order_id)
    with pytest.raises(ActionInProgress):
        await service.refund(p.pay_order_id, 800, draft_id=other.id)
    detail = await service.lookup(p.pay_order_id)
    assert [r.state for r in detail.returns] == [ActionState.CHECKING]

    now[0] += timedelta(seconds=61)
    detail = await service.lookup(p.pay_order_id)  # re-queried because not final
    assert [r.state for r in detail.returns] == [ActionState.NOT_RECEIVED]
    assert await returns_at_sandbox(sandbox.url, p.pay_order_id) == []
    assert journal.open_actions() == []


async def test_no_connection_for_the_money_call_means_not_received(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    p = await pay(client, 600)
    sandbox.settle()
    draft = await service.new_draft(REFUND, p.pay_order_id)
    # WORKAROUND: a refused connection between the payment check and the refund cannot be
    # staged with a real server on one URL; the transport refuses cc_refund alone.
    real = httpx.AsyncHTTPTransport()

    class RefuseRefund(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/cc_refund"):
                raise httpx.ConnectError("connection refused", request=request)
            return await real.handle_async_request(request)

    async with httpx.AsyncClient(transport=RefuseRefund()) as http:
        refusing = IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http)
        desk = MoneyService(
            refusing, service._journal, operator="jack", clock=sandbox.clock.local_now
        )
        desk._drafts[draft.id] = draft
        result = await desk.refund(p.pay_order_id, 600, draft_id=draft.id)
    await real.aclose()
    assert result.state is ActionState.NOT_RECEIVED
    assert "could not reach" in result.ret_msg
    assert await returns_at_sandbox(sandbox.url, p.pay_order_id) == []


async def test_iotpay_unreachable_before_sending_writes_nothing(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    journal: LedgerJournal,
) -> None:
    dead = make_client("http://127.0.0.1:9")  # discard port: nothing listens
    service = make_service(client=dead)
    draft = await service.new_draft(REFUND, "PC20240101215009579871439079")
    with pytest.raises(CannotReachIotPay):
        await service.refund("PC20240101215009579871439079", 100, draft_id=draft.id)
    with pytest.raises(CannotReachIotPay):
        await service.lookup("order-1")
    assert journal.actions_page() == []


async def test_unresolved_intents_are_resolved_at_start_up(
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    p = await pay(client, 900)
    sandbox.settle()
    # a desk that wrote its intent and died before sending
    journal.create_intent(
        kind=REFUND,
        mch_id=DEMO_MERCHANT.mch_id,
        mch_no="R240101000000NEVERSENTAA",
        operator="jack",
        target_pay_order_id=p.pay_order_id,
        amount_cents=900,
        now=sandbox.clock.local_now(),
    )
    # one whose call landed but whose answer was never recorded
    landed = journal.create_intent(
        kind=REFUND,
        mch_id=DEMO_MERCHANT.mch_id,
        mch_no="R240101000000LANDEDXXXXX",
        operator="jack",
        target_pay_order_id=(await pay(client, 700)).pay_order_id,
        amount_cents=700,
        now=sandbox.clock.local_now(),
    )
    sandbox.settle()
    await client.refund(RefundRequest(landed.mch_no, "jack", 700, landed.target_pay_order_id or ""))
    seen: list[Action] = []
    service = make_service(on_change=seen.append)
    results = await service.resolve_unresolved()
    assert sorted((r.action.mch_no, r.state) for r in results) == [
        ("R240101000000LANDEDXXXXX", ActionState.SUCCEEDED),
        ("R240101000000NEVERSENTAA", ActionState.NOT_RECEIVED),
    ]
    assert journal.open_actions() == []
    assert await returns_at_sandbox(sandbox.url, p.pay_order_id) == []
    assert {a.state for a in seen} >= {ActionState.CHECKING, ActionState.SUCCEEDED}
    # resolving a final action asks nothing and changes nothing
    again = await service.resolve(results[0].action.id)
    assert again.action == journal.get_action(results[0].action.id)


async def test_no_card_number_in_the_journal_file(
    service: MoneyService, client: IotPayClient, sandbox: SandboxServer, journal: LedgerJournal
) -> None:
    cards = ["4242424242424242", "5555555555554444"]
    for card in cards:
        p = await pay(client, 1000, card=card)
        d = await service.new_draft(VOID, p.pay_order_id)
        await service.void(p.pay_order_id, f"card {card}", f"cvv: 123 {card}", draft_id=d.id)
        await service.lookup(p.pay_order_id)
    blob = b"".join(f.read_bytes() for f in journal.path.parent.iterdir())
    assert b"424242******4242" in blob
    for card in [*cards, "4000000000000002", "4000000000000077"]:
        assert card.encode() not in blob
    assert DEMO_MERCHANT.key.encode() not in blob


async def _until(predicate: Callable[[], object], within: float = 10.0) -> None:
    from .conftest import wait_for

    await wait_for(predicate, within)


async def test_a_wrong_merchant_key_is_a_refusal_not_a_missing_order(
    make_service: Callable[..., MoneyService], sandbox: SandboxServer, journal: LedgerJournal
) -> None:
    async with httpx.AsyncClient(trust_env=False) as http:
        wrong = IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, "NOT_THE_KEY_000000", http=http)
        service = make_service(client=wrong)
        with pytest.raises(RefusedByIotPay) as info:
            await service.lookup("order-1")
        assert "sign" in info.value.ret_msg.lower()
        draft = await service.new_draft(VOID, "PC20240101215009579871439079")
        with pytest.raises(RefusedByIotPay):
            await service.void("PC20240101215009579871439079", draft_id=draft.id)
        service.discard_draft(draft.id)
        with pytest.raises(UnknownDraft):
            await service.void("PC20240101215009579871439079", draft_id=draft.id)
    assert journal.actions_page() == []


async def test_a_pending_or_declined_payment_cannot_be_returned(
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    sandbox_factory: Callable[..., SandboxServer],
    journal: LedgerJournal,
) -> None:
    frozen = sandbox_factory(clock=SandboxClock(frozen=True))  # pending stays pending
    c = make_client(frozen.url)
    service = make_service(client=c, clock=frozen.clock.local_now)
    pending = await pay(c, 1000, card="4000000000000077", expect_status=0)
    declined = await pay(c, 1000, card="4000000000000002", expect_status=9)
    detail = await service.lookup(pending.pay_order_id)
    assert detail.status is StatusWord.PENDING
    assert detail.advice is Advice.NONE
    assert (await service.lookup(declined.pay_order_id)).status is StatusWord.FAILED
    for p, code in [(pending, RuleCode.PAYMENT_PENDING), (declined, RuleCode.PAYMENT_FAILED)]:
        d = await service.new_draft(VOID, p.pay_order_id)
        with pytest.raises(InvalidInput) as info:
            await service.void(p.pay_order_id, draft_id=d.id)
        assert info.value.field == "payOrderId"
        assert info.value.rule.code is code
    assert journal.actions_page() == []

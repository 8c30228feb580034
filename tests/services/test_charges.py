"""Charges on file, wallet charges and purchase links against the real sandbox."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable

import pytest

from iotpay_desk.api import IotPayClient, Order, PurchaseWithTokenRequest
from iotpay_desk.journal import ActionKind, ActionState, new_mch_no
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.sandbox import FaultSpec, SandboxServer
from iotpay_desk.services import (
    RETURN_URL_BASE,
    ActionResult,
    CannotReachIotPay,
    CardService,
    InvalidInput,
    MoneyService,
    NotInJournal,
    UnknownCard,
    UnknownDraft,
    VaultCard,
    parse_return_url,
)

from .conftest import FUTURE_EXPIRY, file_bytes, sandbox_orders, submit_page

TOKEN, WALLET = ActionKind.CHARGE_TOKEN, ActionKind.CHARGE_WALLET
APPROVE, MASTERCARD = "4242424242424242", "5555555555554444"
DECLINE, PENDING = "4000000000000002", "4000000000000077"


async def on_file(
    direct_cards: CardService, number: str = APPROVE, label: str = "Ada"
) -> VaultCard:
    return await direct_cards.direct_add_card(label, number, FUTURE_EXPIRY, "123", "Ada Buyer")


async def charges_at_sandbox(url: str) -> list[dict[str, object]]:
    return [o for o in await sandbox_orders(url) if o["payType"] == "pay"]


async def charge(
    service: MoneyService, card: VaultCard, amount: int = 1500, **kw: object
) -> ActionResult:
    draft = await service.new_draft(TOKEN)
    return await service.charge_card(draft.id, card.card_id, amount, **kw)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_charge_a_card_on_file(
    service: MoneyService, direct_cards: CardService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    card = await on_file(direct_cards)
    draft = await service.new_draft(TOKEN)
    assert draft.id.startswith("T")
    assert draft.pay_order_id == ""
    result = await service.charge_card(
        draft.id, card.card_id, 1500, subject="Order 12", note="by phone", client_ip="192.0.2.7"
    )
    assert result.succeeded
    a = result.action
    assert (a.kind, a.mch_no, a.amount_cents, a.card_id, a.subject, a.note) == (
        TOKEN,
        draft.id,
        1500,
        card.card_id,
        "Order 12",
        "by phone",
    )
    assert a.mch_user_id == card.card_id
    assert a.card_num == "424242******4242"
    assert a.card_type == "V"
    assert a.auth_num
    assert a.trans_num
    assert result.order is not None
    assert a.pay_order_id == result.order.pay_order_id
    assert result.order.amount == 1500
    (at_sandbox,) = await charges_at_sandbox(sandbox.url)
    assert at_sandbox["mchOrderNo"] == draft.id
    assert at_sandbox["amount"] == 1500
    trail = [e.event for e in journal.audit_for_action(a.id)]
    assert trail == ["intent", "answer"]
    intent = journal.audit_for_action(a.id)[0].detail
    assert intent["card_id"] == card.card_id
    assert intent["client_ip"] == "192.0.2.7"
    # The same draft again (a second click, later): the same result, nothing sent.
    again = await service.charge_card(
        draft.id, card.card_id, 1500, subject="Order 12", note="by phone", client_ip="192.0.2.7"
    )
    assert again.action.id == a.id
    assert again.succeeded
    with pytest.raises(UnknownDraft):  # the same form with another amount: refused
        await service.charge_card(draft.id, card.card_id, 2500)
    assert len(await charges_at_sandbox(sandbox.url)) == 1


@pytest.mark.asyncio
async def test_a_declined_card(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer
) -> None:
    card = await on_file(direct_cards, DECLINE)
    result = await charge(service, card, 990)
    assert result.state is ActionState.DECLINED
    assert result.ret_msg == "card declined"
    assert result.order is not None
    assert result.order.status == 9
    assert not result.checking


@pytest.mark.asyncio
async def test_a_pending_card_is_checking_then_followed_to_success(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer
) -> None:
    card = await on_file(direct_cards, PENDING)
    result = await charge(service, card, 4200)
    assert result.state is ActionState.CHECKING
    assert result.order is not None
    assert result.order.status == 0
    ticks: list[tuple[int, int | None]] = []
    done = await service.follow(
        result.action.mch_no,
        interval=0.05,
        on_tick=lambda n, o: ticks.append((n, o.status if o else None)),
    )
    assert done.succeeded
    assert done.order is not None
    assert done.order.pay_order_id == result.order.pay_order_id
    assert ticks
    assert ticks[-1][1] in (2, 3)
    assert [n for n, _ in ticks] == list(range(1, len(ticks) + 1))
    # Following a final action answers at once.
    assert (await service.follow(result.action.mch_no)).action.id == done.action.id


@pytest.mark.asyncio
async def test_a_lost_answer_charges_exactly_once(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer
) -> None:
    card = await on_file(direct_cards)
    sandbox.set_faults([FaultSpec("drop_after_commit", "cc_purchasewithtoken", count=1)])
    draft = await service.new_draft(TOKEN)
    result = await service.charge_card(draft.id, card.card_id, 7700)
    assert sandbox.faults.active() == []  # the fault hit the one charge
    assert result.succeeded
    assert result.order is not None
    assert result.action.attempts >= 1  # settled by cc_query
    again = await service.charge_card(draft.id, card.card_id, 7700)
    assert again.action.id == result.action.id
    charges = await charges_at_sandbox(sandbox.url)
    assert [(c["mchOrderNo"], c["amount"]) for c in charges] == [(draft.id, 7700)]


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", ["error500", "malformed_json"])
async def test_other_faults_never_charge_twice(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer, fault: str
) -> None:
    card = await on_file(direct_cards)
    sandbox.set_faults([FaultSpec(fault, "cc_purchasewithtoken", count=1)])  # type: ignore[arg-type]
    draft = await service.new_draft(TOKEN)
    result = await service.charge_card(draft.id, card.card_id, 300)
    charges = await charges_at_sandbox(sandbox.url)
    if fault == "error500":  # never handled: IOTPay has no such order
        assert result.state is ActionState.NOT_RECEIVED
        assert charges == []
    else:  # handled, the answer garbled: found by cc_query
        assert result.succeeded
        assert len(charges) == 1


@pytest.mark.asyncio
async def test_one_draft_sent_twenty_times_at_once_charges_once(
    service: MoneyService, direct_cards: CardService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    card = await on_file(direct_cards)
    sandbox.set_faults([FaultSpec("latency", "cc_purchasewithtoken", latency_ms=200)])
    draft = await service.new_draft(TOKEN)
    results = await asyncio.gather(
        *(service.charge_card(draft.id, card.card_id, 2000) for _ in range(20))
    )
    assert {r.action.id for r in results} == {results[0].action.id}
    assert all(r.succeeded for r in results)
    assert len(await charges_at_sandbox(sandbox.url)) == 1
    assert len([a for a in journal.actions_page(100) if a.kind is TOKEN]) == 1


@pytest.mark.asyncio
async def test_charge_input_is_checked_before_anything_is_written_or_sent(
    service: MoneyService, direct_cards: CardService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    card = await on_file(direct_cards)
    journal.add_vault_card(
        mch_id=service.mch_id,
        card_id="old-1",
        customer_label="Old",
        card_num="424242******4242",
        brand="V",
        expiry_date="0120",
        holder="O",
        via="hosted",
        operator="jack",
    )
    draft = await service.new_draft(TOKEN)
    cases: list[tuple[dict[str, object], str]] = [
        ({"amount_cents": 0}, "amount"),
        ({"amount_cents": -5}, "amount"),
        ({"amount_cents": 12.5}, "amount"),
        ({"subject": "s" * 65}, "subject"),
        ({"note": "n" * 501}, "note"),
        ({"client_ip": "300.1.1.1"}, "clientIp"),
        ({"mch_user_id": "u" * 31}, "mchUserId"),
        ({"card_id": "old-1"}, "cardId"),
    ]
    for change, field in cases:
        args: dict[str, object] = {"card_id": card.card_id, "amount_cents": 100}
        args.update(change)
        with pytest.raises(InvalidInput) as info:
            await service.charge_card(draft.id, **args)  # type: ignore[arg-type]
        assert info.value.field == field, change
    with pytest.raises(UnknownCard):
        await service.charge_card(draft.id, "not-in-vault", 100)
    with pytest.raises(UnknownDraft):
        await service.charge_card("T000000000000AAAAAAAAAA", card.card_id, 100)
    refund_draft = await service.new_draft(ActionKind.REFUND, "PC20240101215009579871439079")
    with pytest.raises(UnknownDraft):
        await service.charge_card(refund_draft.id, card.card_id, 100)
    assert journal.actions_page(100) == []
    assert await charges_at_sandbox(sandbox.url) == []
    # After those corrections the same draft goes through, once.
    ok = await service.charge_card(draft.id, card.card_id, 100)
    assert ok.succeeded


@pytest.mark.asyncio
async def test_similar_recent_charge(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer
) -> None:
    card = await on_file(direct_cards)
    other = await on_file(direct_cards, MASTERCARD, "Other")
    declined = await on_file(direct_cards, DECLINE, "Declined")
    assert await service.similar_recent_charge(card.card_id, 1500) is None
    first = await charge(service, card, 1500)
    await charge(service, declined, 1500)
    found = await service.similar_recent_charge(card.card_id, 1500)
    assert found is not None
    assert found.id == first.action.id
    assert await service.similar_recent_charge(card.card_id, 1501) is None
    assert await service.similar_recent_charge(other.card_id, 1500) is None
    assert await service.similar_recent_charge(declined.card_id, 1500) is None  # no money moved
    # The window is the profile's (24 hours by default), not a few minutes.
    assert service.repeat_charge_within == 24 * 3600
    sandbox.advance(14 * 60)  # the same charge 14 minutes later is still "similar"
    found = await service.similar_recent_charge(card.card_id, 1500)
    assert found is not None
    assert found.mch_no == first.action.mch_no
    sandbox.advance(24 * 3600 - 14 * 60 + 1)  # a day and a second after: outside
    assert await service.similar_recent_charge(card.card_id, 1500) is None
    assert await service.similar_recent_charge(card.card_id, 1500, within_s=2 * 86400) is not None


@pytest.mark.asyncio
async def test_similar_recent_charge_uses_the_profile_s_window(
    make_service: Callable[..., MoneyService], direct_cards: CardService, sandbox: SandboxServer
) -> None:
    service = make_service(repeat_charge_within=3600.0)  # a profile's 1 hour
    card = await on_file(direct_cards)
    await charge(service, card, 700)
    sandbox.advance(59 * 60)
    assert await service.similar_recent_charge(card.card_id, 700) is not None
    sandbox.advance(2 * 60)
    assert await service.similar_recent_charge(card.card_id, 700) is None


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.asyncio
async def test_wallet_charges(
    service: MoneyService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    token = '{"paymentData":"approve-me-WALLETSECRET-0001","version":"EC_v1"}'
    pasted = b64(token)
    pasted = pasted[:20] + "\n  " + pasted[20:]  # line breaks from a paste are fine
    draft = await service.new_draft(WALLET)
    assert draft.id.startswith("W")
    ok = await service.charge_wallet(draft.id, "ApplePay", pasted, 2599, subject="App order")
    assert ok.succeeded
    assert ok.order is not None
    assert ok.order.channel == "CC_CA"
    assert ok.action.card_num == "424242******4242"
    intent = journal.audit_for_action(ok.action.id)[0].detail
    assert intent["wallet_type"] == "ApplePay"
    assert len(intent["wallet_sha256"]) == 12
    assert intent["wallet_bytes"] == len(token)

    declined = await service.charge_wallet(
        (await service.new_draft(WALLET)).id, "GooglePay", b64("please DECLINE this"), 100
    )
    assert declined.state is ActionState.DECLINED
    assert declined.ret_msg == "card declined"

    bad_draft = await service.new_draft(WALLET)
    for wallet_type, data, field in [
        ("ApplePay", "not base64!!", "walletData"),
        ("ApplePay", "QUJD=", "walletData"),
        ("ApplePay", "", "walletData"),
        ("ApplePay", "A" * 40_000, "walletData"),
        ("SamsungPay", b64("x"), "walletType"),
    ]:
        with pytest.raises(InvalidInput) as info:
            await service.charge_wallet(bad_draft.id, wallet_type, data, 100)
        assert info.value.field == field
        assert "WALLETSECRET" not in str(info.value)
    data = file_bytes(journal.path)
    assert b"WALLETSECRET" not in data
    assert b64(token).encode()[:40] not in data
    assert len(await charges_at_sandbox(sandbox.url)) == 2


@pytest.mark.asyncio
async def test_purchase_link_paid_on_iotpay_s_page(
    service: MoneyService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    session = await service.start_purchase(2500, subject="Table 4", body="2 coffees")
    assert session.mch_order_no.startswith("P")
    assert session.redirect_url.startswith(f"{sandbox.url}/cc/purchase?key=")
    assert session.return_url == f"{RETURN_URL_BASE}/purchase/{session.session_id}"
    assert session.action.kind is ActionKind.PURCHASE_LINK
    assert session.action.state is ActionState.CHECKING  # waiting for the customer
    assert session.secure_id not in repr(session)
    (order,) = await sandbox_orders(sandbox.url)
    assert (order["mchOrderNo"], order["status"], order["amount"]) == (
        session.mch_order_no,
        0,
        2500,
    )

    envelope = await submit_page(sandbox.url, "cc_pfpurchase", session.redirect_url)
    back = envelope["retData"]["redirectUrl"]
    hint = parse_return_url(back)
    assert hint is not None
    assert (hint.kind, hint.session_id, hint.mch_order_no) == (
        "purchase",
        session.session_id,
        session.mch_order_no,
    )
    assert hint.says_succeeded
    done = await service.follow(session.mch_order_no, interval=0.01)
    assert done.succeeded
    assert done.action.card_num == "424242******4242"
    assert done.action.subject == "Table 4"
    assert journal.audit_for_action(done.action.id)[0].detail["body"] == "2 coffees"


@pytest.mark.asyncio
async def test_follow_gives_up_after_its_attempts_and_continues_when_called_again(
    service: MoneyService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    session = await service.start_purchase(1800)
    ticks: list[tuple[int, Order | None]] = []
    result = await service.follow(
        session.mch_order_no, attempts=3, interval=0.01, on_tick=lambda n, o: ticks.append((n, o))
    )
    assert result.checking  # "outcome unknown — keep checking"
    assert result.order is not None
    assert result.order.status == 0
    assert [n for n, _ in ticks] == [1, 2, 3]
    assert all(o is not None and o.status == 0 for _, o in ticks)
    assert result.action.attempts == 1
    assert journal.audit_for_action(result.action.id)[-1].event == "check"

    # The customer's first card is declined; the page may be used again.
    await submit_page(sandbox.url, "cc_pfpurchase", session.redirect_url, card=DECLINE)
    still = await service.follow(session.mch_order_no, attempts=2, interval=0.01)
    assert still.checking
    assert still.order is not None
    assert still.order.status == 9
    await submit_page(sandbox.url, "cc_pfpurchase", session.redirect_url, card=MASTERCARD)
    paid = await service.follow(session.mch_order_no, attempts=5, interval=0.01)
    assert paid.succeeded
    assert paid.action.card_num == "555555******4444"
    with pytest.raises(NotInJournal):
        await service.follow("P000000000000AAAAAAAAAA")


@pytest.mark.asyncio
async def test_an_unpaid_purchase_link_is_closed_once_its_page_is_gone(
    service: MoneyService, sandbox: SandboxServer
) -> None:
    unpaid = await service.start_purchase(500)
    declined = await service.start_purchase(600)
    await submit_page(sandbox.url, "cc_pfpurchase", declined.redirect_url, card=DECLINE)
    sandbox.advance(2 * 3600 + 1)
    closed = await service.follow(unpaid.mch_order_no, attempts=1)
    assert closed.state is ActionState.FAILED
    assert "expired" in closed.ret_msg
    gone = await service.follow(declined.mch_order_no, attempts=1)
    assert gone.state is ActionState.DECLINED


@pytest.mark.asyncio
async def test_purchase_link_input_and_lost_answers(
    service: MoneyService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    for kwargs, field in [
        ({"amount_cents": 0}, "amount"),
        ({"amount_cents": 100, "subject": "s" * 65}, "subject"),
        ({"amount_cents": 100, "body": "b" * 251}, "body"),
        ({"amount_cents": 100, "mch_user_id": "u" * 31}, "mchUserId"),
    ]:
        with pytest.raises(InvalidInput) as info:
            await service.start_purchase(**kwargs)  # type: ignore[arg-type]
        assert info.value.field == field
    assert journal.actions_page(10) == []
    sandbox.set_faults([FaultSpec("drop_after_commit", "cc_purchase", count=1)])
    with pytest.raises(CannotReachIotPay):
        await service.start_purchase(700)
    (lost,) = journal.actions_page(10)
    assert lost.state is ActionState.CHECKING  # its order exists, but nobody has its page


@pytest.mark.asyncio
async def test_a_charge_on_file_can_be_voided_through_the_same_journal(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer
) -> None:
    card = await on_file(direct_cards)
    paid = await charge(service, card, 3300)
    assert paid.order is not None
    pay_order_id = paid.order.pay_order_id
    void = await service.new_draft(ActionKind.VOID, pay_order_id)
    voided = await service.void(pay_order_id, reason="wrong amount", draft_id=void.id)
    assert voided.succeeded
    detail = await service.order_detail(pay_order_id)
    assert detail.refundable_cents == 0


@pytest.mark.asyncio
async def test_unresolved_charges_are_resolved_at_start_up(
    make_service: Callable[..., MoneyService],
    direct_cards: CardService,
    journal: LedgerJournal,
    sandbox: SandboxServer,
) -> None:
    first = make_service()
    card = await on_file(direct_cards, PENDING)
    pending = await charge(first, card, 1200)
    assert pending.checking
    link = await first.start_purchase(900)
    # A new desk process: the pending charge is found paid; the link is still waiting.
    results = {r.action.mch_no: r for r in await make_service().resolve_unresolved()}
    assert results[pending.action.mch_no].succeeded
    assert results[link.mch_order_no].checking


@pytest.mark.asyncio
async def test_a_desk_killed_between_intent_and_answer_never_charges_again(
    make_service: Callable[..., MoneyService],
    direct_cards: CardService,
    client: IotPayClient,
    journal: LedgerJournal,
    sandbox: SandboxServer,
) -> None:
    card = await on_file(direct_cards)
    # Two intents written by a desk that then died: one charge reached IOTPay, one never left.
    landed, lost = new_mch_no("T"), new_mch_no("T")
    for mch_no in (landed, lost):
        journal.create_intent(
            kind=TOKEN,
            mch_id=client.mch_id,
            mch_no=mch_no,
            operator="jack",
            amount_cents=4100,
            card_id=card.card_id,
            mch_user_id=card.card_id,
            now=sandbox.clock.local_now(),  # the desk's clock in these tests
        )
    await client.purchase_with_token(
        PurchaseWithTokenRequest(
            mch_order_no=landed,
            mch_user_id=card.card_id,
            card_id=card.card_id,
            amount=4100,
            login_name="jack",
        )
    )
    results = {r.action.mch_no: r for r in await make_service().resolve_unresolved()}
    assert results[landed].succeeded
    assert results[landed].action.card_num == "424242******4242"
    assert results[lost].state is ActionState.NOT_RECEIVED
    assert [c["mchOrderNo"] for c in await charges_at_sandbox(sandbox.url)] == [landed]

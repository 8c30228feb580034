"""The card vault against the real sandbox over loopback and a real journal file."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from iotpay_desk.api import DirectAddCardRequest, IotPayClient, IotPayRejected, QueryCardRequest
from iotpay_desk.journal.store import _search_text
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.sandbox import SandboxServer
from iotpay_desk.sandbox.faults import FaultSpec
from iotpay_desk.services import (
    RETURN_URL_BASE,
    CannotReachIotPay,
    CardNotAdded,
    CardNotBound,
    CardService,
    DirectAddDisabled,
    ExpiryState,
    InvalidInput,
    UnknownCard,
    VaultCard,
    check_card_id,
)
from iotpay_desk.services.cards import PAGE_LIFETIME

from .conftest import FUTURE_EXPIRY, add_card_on_page, file_bytes, secure_id_of, submit_page

CARD_ID = re.compile(r"C[0-9]{6}T[0-9]{6}[A-Z2-7]{8}")


def events(journal: LedgerJournal) -> list[str]:
    return [e.event for e in reversed(journal.audit_page(1000))]


@pytest.mark.asyncio
async def test_hosted_add_card_is_saved_only_after_iotpay_confirms_it(
    cards: CardService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    session = await cards.start_add_card("  Ada   Lovelace ")
    assert CARD_ID.fullmatch(session.card_id)
    assert len(session.card_id) <= 30
    assert session.customer_label == "Ada Lovelace"
    assert session.redirect_url.startswith(f"{sandbox.url}/cc/addcard?key=")
    assert secure_id_of(session.redirect_url) == session.secure_id
    assert session.secure_id not in repr(session)
    assert session.return_url == f"{RETURN_URL_BASE}/addcard/{session.session_id}"
    assert await cards.list_cards() == []  # nothing saved before the page comes back
    assert cards.open_sessions() == [session]

    envelope = await submit_page(sandbox.url, "cc_pfaddcard", session.redirect_url)
    back = envelope["retData"]["redirectUrl"]
    assert back.startswith(session.return_url + "?")
    assert parse_qs(urlsplit(back).query) == {"retCode": ["SUCCESS"]}

    card = await cards.finish_add_card(session, back)
    assert card.card_id == session.card_id
    assert card.customer_label == "Ada Lovelace"
    assert card.card_num == "424242******4242"
    assert card.brand == "V"
    assert card.expiry_date == FUTURE_EXPIRY
    assert card.holder == "Ada Buyer"
    assert card.added_by == "jack"
    assert card.added_at.tzinfo is not None
    assert card.via == "hosted"
    assert card.last4 == "4242"
    assert await cards.list_cards() == [card]
    assert cards.open_sessions() == []
    # Finishing again (a second click) gives the same card, saved once.
    assert await cards.finish_add_card(session, back) == card
    assert journal.count_vault_cards(cards.mch_id) == 1
    assert events(journal) == ["card_add_started", "card_added"]


@pytest.mark.asyncio
async def test_finish_without_a_hint_asks_iotpay(
    cards: CardService, sandbox: SandboxServer
) -> None:
    session = await cards.start_add_card("Grace")
    await submit_page(sandbox.url, "cc_pfaddcard", session.redirect_url, card="5555555555554444")
    card = await cards.finish_add_card(session)  # the dialog lost the URL: IOTPay decides
    assert (card.card_num, card.brand) == ("555555******4444", "M")


@pytest.mark.asyncio
async def test_a_success_hint_for_a_card_iotpay_does_not_have_adds_nothing(
    cards: CardService, journal: LedgerJournal
) -> None:
    session = await cards.start_add_card("Mallory")
    forged = f"{session.return_url}?retCode=SUCCESS"  # the hint is unsigned: never trusted
    with pytest.raises(CardNotAdded) as info:
        await cards.finish_add_card(session, forged)
    assert "not binding" in info.value.ret_msg
    assert info.value.card_id == session.card_id
    assert await cards.list_cards() == []
    assert events(journal) == ["card_add_started", "card_add_failed"]


@pytest.mark.asyncio
async def test_a_failure_hint_adds_nothing_even_when_another_page_bound_the_id(
    cards: CardService, sandbox: SandboxServer
) -> None:
    first = await cards.start_add_card("Twin A", "twin-card")
    second = await cards.start_add_card("Twin B", "twin-card")  # bound by neither yet
    ok = await submit_page(sandbox.url, "cc_pfaddcard", first.redirect_url)
    refused = await submit_page(sandbox.url, "cc_pfaddcard", second.redirect_url)
    back = refused["retData"]["redirectUrl"]
    assert parse_qs(urlsplit(back).query)["retCode"] == ["FAIL"]
    with pytest.raises(CardNotAdded) as info:
        await cards.finish_add_card(second, back)
    assert "already used" in info.value.ret_msg
    card = await cards.finish_add_card(first, ok["retData"]["redirectUrl"])
    assert [c.customer_label for c in await cards.list_cards()] == [card.customer_label]


@pytest.mark.asyncio
async def test_a_hint_for_another_page_is_refused(
    cards: CardService, sandbox: SandboxServer
) -> None:
    one = await cards.start_add_card("One")
    two = await cards.start_add_card("Two")
    await submit_page(sandbox.url, "cc_pfaddcard", one.redirect_url)
    with pytest.raises(CardNotAdded):
        await cards.finish_add_card(two, f"{one.return_url}?retCode=SUCCESS")
    with pytest.raises(CardNotAdded):
        await cards.finish_add_card(one, "https://evil.example/return/addcard/x?retCode=SUCCESS")
    assert await cards.list_cards() == []


@pytest.mark.asyncio
async def test_cancel_leaves_nothing_behind(cards: CardService, journal: LedgerJournal) -> None:
    session = await cards.start_add_card("Walked away")
    await cards.cancel_add_card(session)
    await cards.cancel_add_card(session)  # twice is harmless
    assert await cards.list_cards() == []
    assert cards.open_sessions() == []
    assert journal.count_vault_cards(cards.mch_id) == 0
    assert events(journal) == ["card_add_started", "card_add_cancelled"]
    cancelled = journal.audit_page(1)[0]
    assert cancelled.detail["card_id"] == session.card_id


@pytest.mark.asyncio
async def test_a_card_bound_just_before_the_page_was_closed_is_kept(
    cards: CardService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    session = await cards.start_add_card("Closed too soon")
    # The customer pressed "Add card" on IOTPay's page, then the page was closed before
    # it came back to the desk.
    await submit_page(sandbox.url, "cc_pfaddcard", session.redirect_url)
    card = await cards.cancel_add_card(session)
    assert card is not None
    assert (card.card_id, card.customer_label, card.last4) == (
        session.card_id,
        "Closed too soon",
        "4242",
    )
    assert await cards.list_cards() == [card]
    assert journal.open_card_pages(cards.mch_id) == []
    assert events(journal) == ["card_add_started", "card_add_cancelled", "card_added"]
    assert journal.audit_page(1)[0].detail["bound_before_close"] is True


@pytest.mark.asyncio
async def test_pages_left_open_are_settled_at_the_next_start(
    make_cards: Callable[..., CardService], journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    now = [datetime(2025, 3, 1, 14, 0, tzinfo=UTC)]
    cards = make_cards(clock=lambda: now[0])
    bound = await cards.start_add_card("Bound, not confirmed")
    unbound = await cards.start_add_card("Never typed")
    on_screen = await cards.start_add_card("Still on screen")
    await submit_page(sandbox.url, "cc_pfaddcard", bound.redirect_url)
    await submit_page(sandbox.url, "cc_pfaddcard", on_screen.redirect_url, card="5555555555554444")

    # Two pages are closed while IOTPay answers cc_querycard with errors: not known.
    sandbox.set_faults([FaultSpec("error500", "cc_querycard")])
    for session in (bound, unbound):
        with pytest.raises(CannotReachIotPay):
            await cards.cancel_add_card(session)
    assert await cards.list_cards() == []
    assert {p.session_id for p in journal.open_card_pages(cards.mch_id)} == {
        bound.session_id,
        unbound.session_id,
        on_screen.session_id,
    }
    # Still unreachable when asked again: nothing changes.
    with pytest.raises(CannotReachIotPay):
        await cards.resolve_open_pages()
    assert len(journal.open_card_pages(cards.mch_id)) == 3
    sandbox.clear_faults()

    # The page still on screen is left to the dialog showing it.
    found = await cards.resolve_open_pages()
    assert [c.customer_label for c in found] == ["Bound, not confirmed"]
    assert [c.card_id for c in await cards.list_cards()] == [bound.card_id]
    # A page younger than IOTPay's page lifetime could still bind: it stays open.
    assert {p.session_id for p in journal.open_card_pages(cards.mch_id)} == {
        unbound.session_id,
        on_screen.session_id,
    }
    # The next start (a new service: no page on screen) finds the other bound card.
    later = make_cards(clock=lambda: now[0])
    (second,) = await later.resolve_open_pages()
    assert (second.card_id, second.last4) == (on_screen.card_id, "4444")
    assert [p.session_id for p in journal.open_card_pages(cards.mch_id)] == [unbound.session_id]
    now[0] += PAGE_LIFETIME
    assert await later.resolve_open_pages() == []
    assert journal.open_card_pages(cards.mch_id) == []
    # It was closed on screen (audited then): it ends as cancelled, with nothing more.
    assert events(journal).count("card_add_cancelled") == 2
    assert "card_add_failed" not in events(journal)
    # The dialog that still showed its page finishes as usual: the card is saved once.
    assert await cards.finish_add_card(on_screen) == second
    assert journal.count_vault_cards(cards.mch_id) == 2


@pytest.mark.asyncio
async def test_a_submission_in_flight_when_the_page_closed_is_found_later(
    make_cards: Callable[..., CardService], journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    now = [datetime(2025, 3, 1, 14, 0, tzinfo=UTC)]
    cards = make_cards(clock=lambda: now[0])
    session = await cards.start_add_card("Late binding")
    assert await cards.cancel_add_card(session) is None  # IOTPay has no card yet...
    # ... but the customer's "Add card" was still on its way, and binds it now.
    await submit_page(sandbox.url, "cc_pfaddcard", session.redirect_url)
    later = make_cards(clock=lambda: now[0])  # the next start
    (card,) = await later.resolve_open_pages()
    assert (card.card_id, card.customer_label) == (session.card_id, "Late binding")
    assert journal.open_card_pages(cards.mch_id) == []
    assert events(journal) == ["card_add_started", "card_add_cancelled", "card_added"]


@pytest.mark.asyncio
async def test_a_page_the_desk_never_saw_again_ends_as_not_added(
    make_cards: Callable[..., CardService], journal: LedgerJournal
) -> None:
    now = [datetime(2025, 3, 1, 14, 0, tzinfo=UTC)]
    cards = make_cards(clock=lambda: now[0])
    session = await cards.start_add_card("Desk closed")  # then the desk was closed
    later = make_cards(clock=lambda: now[0])
    assert await later.resolve_open_pages() == []
    assert len(journal.open_card_pages(cards.mch_id)) == 1  # it could still bind
    now[0] += PAGE_LIFETIME
    assert await later.resolve_open_pages() == []
    assert journal.open_card_pages(cards.mch_id) == []
    failed = journal.audit_page(1)[0]
    assert failed.event == "card_add_failed"
    assert failed.detail["card_id"] == session.card_id
    assert "left before IOTPay bound a card" in failed.detail["why"]


@pytest.mark.asyncio
async def test_wait_idle_waits_for_a_check_in_flight(
    cards: CardService, journal: LedgerJournal, sandbox: SandboxServer
) -> None:
    session = await cards.start_add_card("Slow answer")
    await submit_page(sandbox.url, "cc_pfaddcard", session.redirect_url)
    later = make_later(cards)
    sandbox.set_faults([FaultSpec("latency", "cc_querycard", latency_ms=300)])
    assert not later.busy
    check = asyncio.ensure_future(later.resolve_open_pages())
    await asyncio.sleep(0.05)
    assert later.busy
    await later.wait_idle()  # as the desk does before it closes the journal
    assert check.done()
    assert [c.card_id for c in check.result()] == [session.card_id]
    assert not later.busy
    assert journal.count_vault_cards(cards.mch_id) == 1


def make_later(cards: CardService) -> CardService:
    """The same profile's card service at the desk's next start (no page on screen)."""
    return CardService(cards._client, cards._journal, operator="jill", clock=cards._clock)


@pytest.mark.asyncio
async def test_typed_card_ids_are_checked_and_unique(
    cards: CardService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    assert await cards.validate_card_id("  cust-42 ") == "cust-42"
    for bad in (
        "",
        "   ",
        "x" * 31,
        "has space",
        "semi;colon",
        "4242424242424242",
        "C-4000000000000002",
    ):
        with pytest.raises(InvalidInput) as info:
            await cards.validate_card_id(bad)
        assert info.value.field == "cardId"
        assert "4242424242424242" not in str(info.value)
    await add_card_on_page(cards, sandbox.url, "Cust 42", card="4242424242424242")
    taken = (await cards.list_cards())[0].card_id
    with pytest.raises(InvalidInput) as info:
        await cards.start_add_card("Another", taken)
    assert info.value.field == "cardId"

    # A cardId bound at IOTPay but not in this vault (another computer): IOTPay refuses it.
    await client.direct_add_card(
        DirectAddCardRequest(
            card_id="elsewhere-1",
            card_num="4242424242424242",
            holder="X Y",
            cvv="123",
            login_name="jack",
            expiry_date=FUTURE_EXPIRY,
        )
    )
    with pytest.raises(InvalidInput) as info:
        await cards.start_add_card("Elsewhere", "elsewhere-1")
    assert info.value.field == "cardId"
    for label in ("", "  ", "x" * 65, "4242 4242 4242 4242"):
        with pytest.raises(InvalidInput) as info:
            await cards.start_add_card(label)
        assert info.value.field == "customerLabel"


@pytest.mark.asyncio
async def test_generated_card_ids_are_unique(cards: CardService) -> None:
    ids = {await cards.new_card_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(CARD_ID.fullmatch(i) for i in ids)
    assert all(check_card_id(i) == i for i in ids)  # a generated id passes the typed-id rule


@pytest.mark.asyncio
async def test_direct_add_is_off_by_default_and_sends_nothing(
    cards: CardService, client: IotPayClient
) -> None:
    assert cards.direct_add_enabled is False
    with pytest.raises(DirectAddDisabled):
        await cards.direct_add_card(
            "Bob", "4242424242424242", FUTURE_EXPIRY, "123", "Bob Buyer", card_id="bob-1"
        )
    with pytest.raises(IotPayRejected) as info:
        await client.query_card(QueryCardRequest(card_id="bob-1"))
    assert info.value.is_not_found
    assert await cards.list_cards() == []


@pytest.mark.asyncio
async def test_direct_add_keeps_no_card_data(
    direct_cards: CardService,
    journal: LedgerJournal,
    client: IotPayClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    card = await direct_cards.direct_add_card(
        "Bob", "5555 5555 5555 4444", "12/30", "987", "  Bob   Buyer ", card_id="bob-1"
    )
    assert card == VaultCard(
        card_id="bob-1",
        customer_label="Bob",
        card_num="555555******4444",
        brand="M",
        expiry_date="1230",
        holder="Bob Buyer",
        added_by="jack",
        added_at=card.added_at,
        mch_id=direct_cards.mch_id,
        via="direct",
    )
    bound = await client.query_card(QueryCardRequest(card_id="bob-1"))
    assert bound.card_num == "555555******4444"
    data = file_bytes(journal.path)
    assert b"5555555555554444" not in data
    assert b"987" not in data.replace(b"555555******4444", b"")  # nor the CVV (no stray "987")
    assert "5555555555554444" not in caplog.text
    assert "5555555555554444" not in repr(direct_cards)


@pytest.mark.asyncio
async def test_direct_add_errors_name_the_field_and_send_nothing(
    direct_cards: CardService, client: IotPayClient, sandbox: SandboxServer
) -> None:
    sandbox_today = sandbox.clock.local_now()
    past = f"{(sandbox_today.month - 2) % 12 + 1:02d}{(sandbox_today.year - 1) % 100:02d}"
    cases = [
        ({"card_num": "4242424242424241"}, "cardNum"),
        ({"card_num": "4242-4242"}, "cardNum"),
        ({"expiry_mmyy": "1330"}, "expiryDate"),
        ({"expiry_mmyy": past}, "expiryDate"),
        ({"cvv": "12"}, "cvv"),
        ({"holder": "   "}, "holder"),
        ({"customer_label": ""}, "customerLabel"),
        ({"card_id": "bad id"}, "cardId"),
    ]
    for change, field in cases:
        args = {
            "customer_label": "Bob",
            "card_num": "4242424242424242",
            "expiry_mmyy": FUTURE_EXPIRY,
            "cvv": "123",
            "holder": "Bob Buyer",
            "card_id": "bob-2",
        }
        args.update(change)
        with pytest.raises(InvalidInput) as info:
            await direct_cards.direct_add_card(**args)
        assert info.value.field == field, change
        assert "4242424242424242" not in str(info.value)
        assert "4242424242424241" not in str(info.value)
    with pytest.raises(IotPayRejected):
        await client.query_card(QueryCardRequest(card_id="bob-2"))
    # No expiry at all is allowed (IOTPay then has none): the state is unknown.
    card = await direct_cards.direct_add_card("Nox", "4242424242424242", "", "123", "N O")
    assert card.expiry_date == ""
    assert card.expiry_state(date(2030, 1, 1)) is ExpiryState.UNKNOWN


@pytest.mark.asyncio
async def test_direct_add_with_a_lost_answer_asks_iotpay_instead_of_resending(
    direct_cards: CardService, sandbox: SandboxServer
) -> None:
    from iotpay_desk.sandbox import FaultSpec

    sandbox.set_faults([FaultSpec("drop_after_commit", "cc_directaddcard", count=1)])
    card = await direct_cards.direct_add_card(
        "Lost", "4242424242424242", FUTURE_EXPIRY, "123", "L A", card_id="lost-1"
    )
    assert card.card_id == "lost-1"
    assert card.card_num == "424242******4242"
    sandbox.set_faults([FaultSpec("error500", "cc_directaddcard", count=1)])
    with pytest.raises(CannotReachIotPay):
        await direct_cards.direct_add_card(
            "Lost 2", "4242424242424242", FUTURE_EXPIRY, "123", "L A", card_id="lost-2"
        )
    assert [c.card_id for c in await direct_cards.list_cards()] == ["lost-1"]


@pytest.mark.asyncio
async def test_search_over_label_id_last4_holder_and_brand(direct_cards: CardService) -> None:
    add = direct_cards.direct_add_card
    await add(
        "Café Étoile", "4242424242424242", FUTURE_EXPIRY, "123", "Zoé Martin", card_id="cafe-1"
    )
    await add("Hardware Co", "5555555555554444", FUTURE_EXPIRY, "123", "Sam Reed", card_id="hw-9")
    await add(
        "hardware annex", "4000000000000077", FUTURE_EXPIRY, "123", "Ann Lee", card_id="hw-10"
    )

    async def labels(search: str) -> list[str]:
        return [c.customer_label for c in await direct_cards.list_cards(search)]

    # by label, any case: "annex" before "Co"
    assert await labels("") == ["Café Étoile", "hardware annex", "Hardware Co"]
    assert await labels("HARDWARE") == ["hardware annex", "Hardware Co"]
    assert await labels("café") == ["Café Étoile"]
    assert await labels("CAFÉ") == ["Café Étoile"]
    assert await labels("zoé") == ["Café Étoile"]
    assert await labels("hw-1") == ["hardware annex"]
    assert await labels("4444") == ["Hardware Co"]
    assert await labels("0077") == ["hardware annex"]
    assert await labels("visa") == ["Café Étoile", "hardware annex"]
    assert await labels("master") == ["Hardware Co"]
    assert await labels("hardware visa") == ["hardware annex"]
    assert await labels("nothing-like-this") == []
    assert await labels("%") == []  # no wildcard
    assert await labels("4242424242424242") == []  # the full number is not kept to match


@pytest.mark.asyncio
async def test_search_on_ten_thousand_cards(cards: CardService, journal: LedgerJournal) -> None:
    raw = sqlite3.connect(journal.path)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = []
    for i in range(10_000):
        label, card_id, holder = f"Customer {i:05d}", f"cid-{i:05d}", f"Holder {i % 97}"
        num = f"424242******{i % 10000:04d}"
        rows.append(
            (
                cards.mch_id,
                card_id,
                label,
                num,
                "V" if i % 2 else "M",
                "1230",
                holder,
                "hosted",
                "jack",
                now,
                _search_text(card_id, label, holder, num),
            )
        )
    with raw:
        raw.executemany(
            "INSERT INTO vault_cards (mch_id, card_id, customer_label, card_num, brand, "
            "expiry_date, holder, via, added_by, added_at, search_text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    raw.close()
    timings = {}
    for search in ("", "customer 0999", "holder 5", "0042", "visa 77", "nothing"):
        started = time.perf_counter()
        found = await cards.list_cards(search)
        timings[search] = time.perf_counter() - started
        if search == "customer 0999":
            # every word matches: "0999" in Customer 00999 and in 09990 … 09999
            assert [c.card_id for c in found] == ["cid-00999"] + [f"cid-0999{d}" for d in range(10)]
    assert len(await cards.list_cards()) == 10_000
    # Figures only: the vault's speed is a benchmark's target, not a timed test's.
    print("vault search on 10,000 cards (s):", {k: round(v, 4) for k, v in timings.items()})


@pytest.mark.asyncio
async def test_refresh_rename_remove_and_import(
    cards: CardService, journal: LedgerJournal, client: IotPayClient, sandbox: SandboxServer
) -> None:
    card = await add_card_on_page(cards, sandbox.url, "Keep Me")
    fresh = await cards.refresh_card(card.card_id)
    assert fresh.refreshed_at is not None
    assert (fresh.card_num, fresh.expiry_date, fresh.holder) == (
        card.card_num,
        card.expiry_date,
        card.holder,
    )
    renamed = await cards.rename_card(card.card_id, "Kept, renamed")
    assert renamed.customer_label == "Kept, renamed"
    assert await cards.list_cards("renamed") == [renamed]

    removed = await cards.remove_card(card.card_id)
    assert removed.card_id == card.card_id
    assert await cards.list_cards() == []
    entry = journal.audit_page(1)[0]
    assert entry.event == "card_removed"
    assert entry.detail["still_bound_at_iotpay"] is True
    assert (await client.query_card(QueryCardRequest(card_id=card.card_id))).card_id == card.card_id
    with pytest.raises(UnknownCard):
        await cards.remove_card(card.card_id)
    with pytest.raises(UnknownCard):
        await cards.refresh_card(card.card_id)
    with pytest.raises(InvalidInput):  # its cardId is still taken at IOTPay
        await cards.start_add_card("Again", card.card_id)

    back = await cards.import_card("Back again", card.card_id)
    assert (back.customer_label, back.via, back.card_num) == (
        "Back again",
        "imported",
        card.card_num,
    )
    with pytest.raises(InvalidInput):
        await cards.import_card("Twice", card.card_id)
    with pytest.raises(CardNotBound):
        await cards.import_card("Ghost", "never-bound-1")


@pytest.mark.asyncio
async def test_refresh_of_a_card_iotpay_no_longer_has(
    cards: CardService, journal: LedgerJournal
) -> None:
    journal.add_vault_card(
        mch_id=cards.mch_id,
        card_id="gone-1",
        customer_label="Gone",
        card_num="424242******4242",
        brand="V",
        expiry_date="1230",
        holder="G",
        via="hosted",
        operator="jack",
    )
    with pytest.raises(CardNotBound) as info:
        await cards.refresh_card("gone-1")
    assert info.value.card_id == "gone-1"
    assert [c.card_id for c in await cards.list_cards()] == ["gone-1"]  # kept until removed


@pytest.mark.asyncio
async def test_unreachable_iotpay_is_a_typed_error(
    make_cards: Callable[..., CardService], make_client: Callable[..., IotPayClient]
) -> None:
    offline = make_cards(client=make_client("http://127.0.0.1:9"))
    with pytest.raises(CannotReachIotPay):
        await offline.start_add_card("Nobody")
    assert await offline.list_cards() == []


def test_expiry_states() -> None:
    def card(expiry: str) -> VaultCard:
        return VaultCard("c", "l", "424242******4242", "V", expiry, "h", "jack", datetime.now(UTC))

    today = date(2025, 6, 15)
    assert card("0725").expiry_state(today) is ExpiryState.OK
    assert card("0625").expiry_state(today) is ExpiryState.EXPIRES_THIS_MONTH
    assert card("0625").expiry_state(date(2025, 6, 30)) is ExpiryState.EXPIRES_THIS_MONTH
    assert card("0525").expiry_state(today) is ExpiryState.EXPIRED
    assert card("1224").expiry_state(today) is ExpiryState.EXPIRED
    assert card("0126").expiry_state(today) is ExpiryState.OK
    for odd in ("", "13/5", "1325", "0025", "abcd", "１２３４"):
        assert card(odd).expiry_state(today) is ExpiryState.UNKNOWN

"""Cards bound at IOTPay but not (yet) in this vault: a card page closed after IOTPay
bound the card, a card added on another computer. The card is kept, never lost (the real
web view, the real sandbox, real journal files)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from iotpay_desk.gui.vault import VaultPage
from iotpay_desk.gui.webpage import HostedPageDialog, PageState
from iotpay_desk.sandbox import SandboxServer
from iotpay_desk.sandbox.faults import FaultSpec
from iotpay_desk.services.session import DeskSession, SessionSettings
from tests.services.conftest import add_card_on_page, submit_page

from .conftest import QLoop, until
from .desk import desk_services


async def open_card_page(page: VaultPage, label: str, card_id: str) -> HostedPageDialog:
    page.new_label.setText(label)
    page.new_card_id.setText(card_id)
    page.add_button.click()
    await until(lambda: page.hosted_dialog is not None, what="the card page dialog")
    dialog = page.hosted_dialog
    assert dialog is not None
    await until(lambda: dialog.state is PageState.READY, what="the card page loaded")
    return dialog


def test_a_card_bound_just_before_the_page_was_closed_is_shown_added(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            added: list[str] = []
            page.card_added.connect(added.append)
            dialog = await open_card_page(page, "Grace H.", "grace-card-2")
            (session,) = s.cards.open_sessions()
            # The customer's "Add card" reached IOTPay; the page was closed before it
            # came back to the desk.
            await submit_page(sandbox.url, "cc_pfaddcard", session.redirect_url)
            dialog.cancel_button.click()
            await until(lambda: added == ["grace-card-2"], what="the card kept")
            assert page.add_message.text() == (
                "The card page was closed after IOTPay added the card: Visa ••••4242 for "
                "Grace H. (card ID grace-card-2) is in the vault."
            )
            assert page.count.text() == "1 card(s)"
            selected = page.selected_card()
            assert selected is not None
            assert selected.card_id == "grace-card-2"
            assert s.journal.open_card_pages(s.cards.mch_id) == []
            page.close()

    qloop.run(scenario())


def test_a_page_closed_while_iotpay_is_unreachable_is_checked_at_the_next_start(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            dialog = await open_card_page(page, "Hedy L.", "hedy-card-1")
            (session,) = s.cards.open_sessions()
            await submit_page(
                sandbox.url, "cc_pfaddcard", session.redirect_url, card="5555555555554444"
            )
            sandbox.set_faults([FaultSpec("error500", "cc_querycard")])
            dialog.cancel_button.click()
            await until(lambda: page.add_message.isVisible(), what="the message")
            assert page.add_message.text().startswith(
                "The card page was closed, and IOTPay could not be asked whether the card "
                "was added."
            )
            assert page.count.text() == "0 card(s)"
            # What was typed stays, in case the card must be added again.
            assert page.new_label.text() == "Hedy L."
            assert page.add_button.isEnabled()
            page.close()
            sandbox.clear_faults()

            # The next start: a new session on the same ledger file; its start-up check
            # (not the page) finds the card, and the page shows what it found.
            session = DeskSession(s.client, s.journal, SessionSettings(operator="cashier2"))
            cards = session.cards
            again = VaultPage()
            again.set_services(cards, session.money)
            again.show()
            session.start(on_cards_found=again.show_found)
            await until(lambda: again.message.isVisible(), what="the message")
            assert again.message.text() == (
                "IOTPay had added these cards on a card page that was closed before the desk "
                "could confirm them; they are now in the vault: Mastercard ••••4444 for "
                "Hedy L. (card ID hedy-card-1)."
            )
            await until(lambda: again.count.text() == "1 card(s)")
            assert s.journal.open_card_pages(cards.mch_id) == []
            again.close()
            await session.close()

    qloop.run(scenario())


def test_a_card_added_on_another_computer_is_imported_by_its_card_id(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "front.sqlite3") as front:
            await add_card_on_page(front.cards, sandbox.url, "Ada B.")
            (card,) = await front.cards.list_cards()
        async with desk_services(sandbox.url, tmp_path / "office.sqlite3") as office:
            page = VaultPage()
            page.set_services(office.cards, office.money)
            page.show()
            await until(lambda: page.count.text() == "0 card(s)")
            page.new_label.setText("Ada B. (from the front desk)")
            page.import_button.click()
            await until(lambda: page.add_message.isVisible(), what="the message")
            assert page.add_message.text() == (
                "Type the card ID the card was added under at IOTPay."
            )
            assert page.new_card_id.hasFocus()

            page.new_card_id.setText("no-such-card")
            page.import_button.click()
            await until(lambda: "no-such-card" in page.add_message.text(), what="the refusal")
            assert page.add_message.text() == (
                "IOTPay has no card under card ID no-such-card. Check the card ID, or add the card."
            )
            assert page.new_label.text() == "Ada B. (from the front desk)"  # kept

            page.new_card_id.setText(f"  {card.card_id} ")
            page.import_button.click()
            await until(lambda: page.count.text() == "1 card(s)", what="the card imported")
            assert page.add_message.text() == (
                f"Card imported from IOTPay: Visa ••••4242 for Ada B. (from the front desk) "
                f"(card ID {card.card_id})."
            )
            (imported,) = await office.cards.list_cards()
            assert (imported.card_id, imported.via, imported.added_by) == (
                card.card_id,
                "imported",
                "cashier1",
            )
            # Twice: refused, nothing changes.
            page.new_label.setText("Again")
            page.new_card_id.setText(card.card_id)
            page.import_button.click()
            await until(lambda: "already" in page.add_message.text(), what="the refusal")
            assert page.count.text() == "1 card(s)"
            page.close()

    qloop.run(scenario())


def test_switching_profiles_stops_the_check_and_leaves_the_page_for_later(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            added = await s.cards.start_add_card("Slow IOTPay")
            await submit_page(sandbox.url, "cc_pfaddcard", added.redirect_url)
            # The desk closed with the page open; IOTPay now answers very slowly.
            sandbox.set_faults([FaultSpec("latency", "cc_querycard", latency_ms=5000)])
            session = DeskSession(s.client, s.journal, SessionSettings(operator="cashier1"))
            cards = session.cards
            page = VaultPage()
            page.set_services(cards, session.money)
            page.show()
            session.start(on_cards_found=page.show_found)
            await until(lambda: cards.busy, what="the check started")
            started = asyncio.get_running_loop().time()
            page.set_services(None, None)  # the profile is switched away
            await session.close()
            assert asyncio.get_running_loop().time() - started < 4.0  # not the 5 s answer
            assert [p.session_id for p in s.journal.open_card_pages(cards.mch_id)] == [
                added.session_id
            ]
            assert await cards.list_cards() == []
            sandbox.clear_faults()
            page.close()

    qloop.run(scenario())

"""The Card vault page with a real QtWebEngine, the real sandbox and a real journal file."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox

from iotpay_desk.api import QueryCardRequest
from iotpay_desk.gui.vault import EXPIRED_RED, VaultModel, VaultPage
from iotpay_desk.gui.webpage import PageState
from iotpay_desk.sandbox import SandboxServer
from iotpay_desk.services import ExpiryState, VaultCard

from .conftest import QLoop, message_boxes, until
from .desk import TEST_CARDS, desk_services
from .pagedriver import PageDriver, future_mmyy


async def fill_hosted_page(page: VaultPage, number: str, cvv: str = "123") -> None:
    await until(lambda: page.hosted_dialog is not None, what="the card page dialog")
    dialog = page.hosted_dialog
    assert dialog is not None
    await until(lambda: dialog.state is PageState.READY, what="the card page loaded")
    assert dialog.view is not None
    driver = PageDriver(dialog.view)
    await driver.wait_loaded()
    await driver.fill(number, future_mmyy(), cvv, "Ada Lovelace")
    await driver.click("submit")


def test_add_a_card_on_the_hosted_page(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            await until(lambda: page.count.text() == "0 card(s)")
            assert page.add_box.isEnabled()
            added: list[str] = []
            page.card_added.connect(added.append)
            page.new_label.setText("Ada L. — account 1042")
            page.add_button.click()
            await fill_hosted_page(page, TEST_CARDS["visa"])
            await until(lambda: bool(added), what="the card confirmed", within=15)
            # Shown only once IOTPay confirmed it with cc_querycard; saved in the vault.
            assert page.hosted_dialog is None
            card_id = added[0]
            assert page.add_message.text() == (
                f"Card added: Visa ••••4242 for Ada L. — account 1042 (card ID {card_id})."
            )
            assert page.count.text() == "1 card(s)"
            shown = page.selected_card()
            assert shown is not None
            assert shown.card_id == card_id
            assert shown.card_num == "424242******4242"
            assert shown.added_by == "cashier1"
            stored = await s.cards.list_cards()
            assert [c.card_id for c in stored] == [card_id]
            bound = await s.client.query_card(QueryCardRequest(card_id=card_id))
            assert bound.card_num == "424242******4242"
            assert page.new_label.text() == ""
            page.close()

    qloop.run(scenario())


def test_cancel_mid_entry_saves_nothing(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            page.new_label.setText("Grace H.")
            page.new_card_id.setText("grace-card-1")
            page.add_button.click()
            await until(lambda: page.hosted_dialog is not None)
            dialog = page.hosted_dialog
            assert dialog is not None
            await until(lambda: dialog.state is PageState.READY)
            assert dialog.view is not None
            driver = PageDriver(dialog.view)
            await driver.wait_loaded()
            await driver.type("card-number", TEST_CARDS["visa"])
            await driver.wait_value("card-number", "4242 4242 4242 4242")
            dialog.cancel_button.click()
            await until(lambda: page.add_message.isVisible(), what="the message")
            assert page.add_message.text() == "The card page was closed: no card was added."
            assert page.hosted_dialog is None
            assert await s.cards.list_cards() == []
            assert s.cards.open_sessions() == []
            assert page.add_button.isEnabled()
            assert page.import_button.isEnabled()
            assert not page.direct_button.isEnabled()  # off for this profile, still off
            # The same card ID can be used again.
            assert page.new_card_id.text() == "grace-card-1"
            page.close()

    qloop.run(scenario())


def test_direct_entry_is_off_by_default(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            assert not s.cards.direct_add_enabled
            assert not page.direct_button.isVisible()
            assert not page.direct_button.isEnabled()
            page.open_direct_add()  # even when called: nothing opens
            assert page.dialog is None
            page.close()

    qloop.run(scenario())


def test_direct_entry_when_the_profile_allows_it(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.sqlite3"

    async def scenario() -> None:
        async with desk_services(sandbox.url, journal, direct=True) as s:
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            assert page.direct_button.isVisible()
            page.new_label.setText("Direct customer")
            page.direct_button.click()
            from iotpay_desk.gui.direct_add_dialog import DirectAddDialog

            dialog = page.dialog
            assert isinstance(dialog, DirectAddDialog)
            assert dialog.label.text() == "Direct customer"
            # A mistake first: IOTPay's field error is shown, the card fields are emptied.
            dialog.number.setText("4242424242424241")
            dialog.expiry.setText(future_mmyy())
            dialog.cvv.setText("321")
            dialog.holder.setText("Dee Rect")
            dialog.submit.click()
            await until(dialog.message.isVisible, what="the error")
            assert "Card number" in dialog.message.text()
            assert (dialog.number.text(), dialog.expiry.text(), dialog.cvv.text()) == ("", "", "")
            assert not dialog.number.isUndoAvailable()
            assert await s.cards.list_cards() == []
            # Then the right card.
            dialog.number.setText("5555 5555 5555 4444")
            dialog.expiry.setText(future_mmyy())
            dialog.cvv.setText("321")
            dialog.submit.click()
            await until(lambda: dialog.card is not None, what="the card added")
            assert (dialog.number.text(), dialog.expiry.text(), dialog.cvv.text()) == ("", "", "")
            assert page.count.text() == "1 card(s)"
            card = page.selected_card()
            assert card is not None
            assert card.card_num == "555555******4444"
            dialog.close()
            page.close()

    qloop.run(scenario())
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("journal"))
    assert b"5555555555554444" not in data
    assert b"4242424242424241" not in data


def test_refresh_and_remove_say_the_card_stays_bound(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3", direct=True) as s:
            card = await s.cards.direct_add_card(
                "Rem Oval", TEST_CARDS["visa"], future_mmyy(), "123", "Rem Oval"
            )
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            await until(lambda: page.count.text() == "1 card(s)")
            assert not page.remove_button.isEnabled()
            assert page.select_card(card.card_id)
            assert page.remove_button.isEnabled()
            page.refresh_button.click()
            await until(page.message.isVisible, what="the refresh")
            assert page.message.text().startswith(
                f"IOTPay has Visa ••••4242 under card ID {card.card_id}, expiry "
            )
            page.remove_button.click()
            await until(lambda: bool(message_boxes(page)), what="the confirmation")
            (box,) = message_boxes(page)
            assert "stays bound at IOTPay" in box.text()
            assert "no way to unbind" in box.text()
            assert card.card_id in box.text()
            # Cancel first: nothing happens.
            box.button(QMessageBox.StandardButton.Cancel).click()
            await asyncio.sleep(0.05)
            assert page.count.text() == "1 card(s)"
            page.remove_button.click()
            await until(lambda: bool(message_boxes(page)))
            (box,) = message_boxes(page)
            (remove,) = [
                b
                for b in box.buttons()
                if box.buttonRole(b) is QMessageBox.ButtonRole.DestructiveRole
            ]
            remove.click()
            await until(lambda: page.count.text() == "0 card(s)", what="removed")
            assert "still bound at IOTPay" in page.message.text()
            assert await s.cards.list_cards() == []
            bound = await s.client.query_card(QueryCardRequest(card_id=card.card_id))
            assert bound.card_num == "424242******4242"
            page.close()

    qloop.run(scenario())


def _card(card_id: str, label: str, expiry: str, num: str = "424242******4242") -> VaultCard:
    return VaultCard(
        card_id=card_id,
        customer_label=label,
        card_num=num,
        brand="V" if num.startswith("4") else "M",
        expiry_date=expiry,
        holder=f"{label} Holder",
        added_by="cashier1",
        added_at=datetime(2025, 3, 1, 15, 30, tzinfo=UTC),
    )


def test_added_dates_are_on_the_merchants_clock(qapp: QApplication) -> None:
    from zoneinfo import ZoneInfo

    from PySide6.QtCore import QLocale

    before = QLocale()
    QLocale.setDefault(QLocale("en_CA"))
    try:
        card = replace(
            _card("C-late", "Lena", "1228"), added_at=datetime(2025, 3, 1, 3, 30, tzinfo=UTC)
        )
        model = VaultModel(date(2026, 5, 14))
        model.tz = ZoneInfo("America/Vancouver")  # 19:30 on February 28 there
        model.set_cards([card])
        added = model.index(0, VaultModel.COLUMNS.index("added_at"))
        assert model.data(added, Qt.ItemDataRole.DisplayRole) == "2025-02-28"
        assert str(model.data(added, Qt.ItemDataRole.ToolTipRole)).endswith("PST")
    finally:
        QLocale.setDefault(before)


def test_expiry_warnings_and_instant_search(qapp: QApplication) -> None:
    today = date(2026, 5, 14)
    cards = [
        _card("C-ok", "Olive", "1228"),
        _card("C-soon", "Sunny", "0526", "555555******4444"),
        _card("C-old", "Oscar", "0426"),
        _card("C-none", "Nemo", ""),
    ]
    model = VaultModel(today)
    model.set_cards(cards)
    assert [c.expiry_state(today) for c in cards] == [
        ExpiryState.OK,
        ExpiryState.EXPIRES_THIS_MONTH,
        ExpiryState.EXPIRED,
        ExpiryState.UNKNOWN,
    ]
    expiry = VaultModel.COLUMNS.index("expiry")

    def cell(card_id: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return model.data(model.index(model.row_of(card_id), expiry), role)

    texts = [cell(c.card_id) for c in cards]
    assert texts == ["12/28", "05/26 — ends this month", "04/26 — expired", "—"]
    red = cell("C-old", Qt.ItemDataRole.ForegroundRole)
    assert red.color() == QColor(EXPIRED_RED)  # type: ignore[attr-defined]
    assert cell("C-old", Qt.ItemDataRole.DecorationRole) is not None
    assert cell("C-soon", Qt.ItemDataRole.DecorationRole) is not None
    assert cell("C-ok", Qt.ItemDataRole.DecorationRole) is None
    assert cell("C-ok", Qt.ItemDataRole.ForegroundRole) is None
    # Sorted by customer, then by any column the user clicks.
    assert [c.customer_label for c in model.cards] == ["Nemo", "Olive", "Oscar", "Sunny"]
    model.sort(expiry, Qt.SortOrder.DescendingOrder)
    assert [c.card_id for c in model.cards][:2] == ["C-ok", "C-soon"]

    page = VaultPage(today=today)
    page.model.set_cards(cards, today)
    page._update_count()
    for text, expected in [
        ("", 4),
        ("4444", 1),  # last four digits
        ("oscar", 1),  # customer, any case
        ("sunny holder", 1),  # name on the card
        ("mastercard", 1),  # brand
        ("C-n", 1),  # card ID
        ("nothing like it", 0),
    ]:
        page.search.setText(text)
        assert page.model.rowCount() == expected, text
    page.search.setText("C-o")
    assert page.count.text() == "2 of 4 card(s)"
    page.close()


def test_search_over_ten_thousand_cards_is_instant(qapp: QApplication) -> None:
    cards = [
        _card(f"C{i:06d}", f"Customer {i}", "1230", f"424242******{i % 10000:04d}")
        for i in range(10_000)
    ]
    page = VaultPage(today=date(2026, 5, 14))
    page.model.set_cards(cards)
    worst = 0.0
    for text in ("Customer 99", "0042", "C00999", "zzz", ""):
        start = time.perf_counter()
        page.search.setText(text)
        page.model.rowCount()
        worst = max(worst, time.perf_counter() - start)
    assert worst < 0.25, f"a search took {worst * 1000:.0f} ms"
    page.close()


@pytest.mark.parametrize("width_chars", [80])
def test_page_fits_without_clipping(qapp: QApplication, width_chars: int) -> None:
    page = VaultPage()
    fm = page.fontMetrics()
    page.resize(fm.averageCharWidth() * width_chars, fm.height() * 30)
    page.show()
    QApplication.processEvents()
    for button in (page.add_button, page.charge_button, page.remove_button):
        assert button.width() >= button.sizeHint().width() - 1
    page.close()


def test_charge_and_payments_open_from_the_page(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    from iotpay_desk.gui.charge_dialog import ChargeDialog
    from iotpay_desk.gui.purchase_dialog import PurchaseDialog
    from iotpay_desk.gui.wallet_dialog import WalletDialog

    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3", direct=True) as s:
            first = await s.cards.direct_add_card(
                "Alpha", TEST_CARDS["visa"], future_mmyy(), "123", "A"
            )
            second = await s.cards.direct_add_card(
                "Beta", TEST_CARDS["mastercard"], future_mmyy(), "123", "B"
            )
            page = VaultPage()
            page.set_services(s.cards, s.money, merchant_name="Demo Café")
            page.show()
            await until(lambda: page.count.text() == "2 card(s)")
            page.search.setText("Beta")
            assert page.select_card(second.card_id)
            finished: list[bool] = []
            page.charge_finished.connect(lambda: finished.append(True))
            page.charge_button.click()
            dialog = page.dialog
            assert isinstance(dialog, ChargeDialog)
            # Every card of the vault is offered, the selected one first.
            assert dialog.selected() == second
            assert dialog.card.count() == 2
            await until(dialog.submit.isEnabled)
            dialog.amount.setText("1.00")
            dialog.submit.click()
            await until(lambda: bool(finished), within=15)
            dialog.receipt_button.click()
            assert "Demo Café" in dialog.receipt_dialog.preview.toPlainText()  # type: ignore[union-attr]
            dialog.receipt_dialog.close()  # type: ignore[union-attr]
            dialog.close()
            page.purchase_button.click()
            assert isinstance(page.dialog, PurchaseDialog)
            page.dialog.close()
            page.wallet_button.click()
            assert isinstance(page.dialog, WalletDialog)
            await until(page.dialog.submit.isEnabled)
            page.dialog.close()
            assert first.card_id != second.card_id
            page.close()

    qloop.run(scenario())


@pytest.mark.parametrize("width_chars", [70, 100, 200])
def test_no_column_heading_is_clipped(qapp: QApplication, width_chars: int) -> None:
    page = VaultPage(today=date(2026, 5, 14))
    page.model.set_cards(
        [
            _card("C250301T153000AB12CD34", "Jane Doe — account 1042", "0526"),
            _card("C250302T091500EF56GH78", "Maple Bakery (catering)", "1230", "555555******4444"),
        ]
    )
    fm = page.fontMetrics()
    page.resize(fm.averageCharWidth() * width_chars, fm.height() * 30)
    page.show()
    header = page.table.horizontalHeader()
    QApplication.processEvents()
    QApplication.processEvents()
    for column in range(page.model.columnCount()):
        assert header.sectionSize(column) >= header.sectionSizeHint(column), column
    card_id = VaultModel.COLUMNS.index("card_id")
    whole = page.table.sizeHintForColumn(card_id)
    used = sum(header.sectionSize(c) for c in range(page.model.columnCount()))
    if width_chars >= 200:
        # Room enough: card IDs whole, the table exactly as wide as the view.
        assert header.sectionSize(card_id) >= whole
        assert used == page.table.viewport().width()
    elif width_chars == 100:
        # Short of room: the card ID and the customer give way, no sideways scrolling.
        assert header.sectionSize(card_id) < whole
        assert used <= page.table.viewport().width()
    page.close()


def test_a_selection_the_search_hides_disables_the_card_buttons(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Charge, Refresh and Remove act on the card selected on screen: when the search
    hides it they are off (Charge cannot open for an unseen card); shown again, the
    card is selected again and they are back."""
    from PySide6.QtTest import QTest

    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3", direct=True) as s:
            alpha = await s.cards.direct_add_card(
                "Alpha", TEST_CARDS["visa"], future_mmyy(), "123", "A"
            )
            beta = await s.cards.direct_add_card(
                "Beta", TEST_CARDS["mastercard"], future_mmyy(), "123", "B"
            )
            page = VaultPage()
            page.set_services(s.cards, s.money, merchant_name="Demo Café")
            page.show()
            await until(lambda: page.count.text() == "2 card(s)")
            card_buttons = (page.charge_button, page.refresh_button, page.remove_button)
            assert not any(b.isEnabled() for b in card_buttons)
            # The cashier clicks Alpha's row.
            row = page.model.row_of(alpha.card_id)
            rect = page.table.visualRect(page.model.index(row, 0))
            QTest.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            await until(lambda: page.selected_card() == alpha, what="Alpha selected")
            assert all(b.isEnabled() for b in card_buttons)
            # A search that keeps Alpha on screen keeps it selected.
            page.search.setFocus()
            QTest.keyClicks(page.search, "Alp")
            assert page.selected_card() == alpha
            assert all(b.isEnabled() for b in card_buttons)
            # A search that hides it: nothing is selected, nothing can act on a card.
            page.search.clear()
            QTest.keyClicks(page.search, "Beta")
            assert page.count.text() == "1 of 2 card(s)"
            assert page.selected_card() is None
            assert not any(b.isEnabled() for b in card_buttons)
            page.charge_button.click()
            page.table.doubleClicked.emit(page.model.index(0, 0))
            assert page.dialog is None, "no charge opens for a card not on screen"
            # Cleared: Alpha shows again, selected as the cashier left it.
            page.search.clear()
            assert page.count.text() == "2 card(s)"
            assert page.selected_card() == alpha
            selected_rows = page.table.selectionModel().selectedRows()
            assert [page.model.cards[i.row()] for i in selected_rows] == [alpha]
            assert all(b.isEnabled() for b in card_buttons)
            # Another choice under a search is the one kept.
            QTest.keyClicks(page.search, "Beta")
            assert page.select_card(beta.card_id)
            page.search.clear()
            assert page.selected_card() == beta
            page.charge_button.click()
            assert page.dialog is not None
            page.dialog.close()
            page.close()

    qloop.run(scenario())


def test_a_vault_bigger_than_a_page_is_listed_and_searched_in_the_ledger(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page asks the ledger for its first VAULT_PAGE cards (here 5 of 8) and says
    there are more; typed words go to the ledger once typing pauses, which finds a card
    past the page; nothing typed meanwhile is lost; a card another desk adds comes in
    through the ledger too."""
    from PySide6.QtTest import QTest

    import iotpay_desk.gui.vault as vault_module
    from iotpay_desk.services.events import VaultChanged

    monkeypatch.setattr(vault_module, "VAULT_PAGE", 5)
    monkeypatch.setattr(vault_module, "SEARCH_DELAY_MS", 20)

    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "journal.sqlite3") as s:
            journal, mch = s.journal, s.cards.mch_id
            for i in range(8):
                await asyncio.to_thread(
                    journal.add_vault_card,
                    mch_id=mch,
                    card_id=f"C-big-{i}",
                    customer_label=f"Customer {chr(ord('A') + i)} account 10{i}",
                    card_num=f"424242******{4240 + i}",
                    brand="V",
                    expiry_date="1230",
                    holder="",
                    via="hosted",
                    operator="jack",
                )
            asked: list[tuple[str, int | None]] = []
            list_cards = s.cards.list_cards

            async def counted(search: str = "", *, limit: int | None = None) -> list[VaultCard]:
                asked.append((search, limit))
                return await list_cards(search, limit=limit)

            s.cards.list_cards = counted  # type: ignore[method-assign]
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            await until(lambda: page.model.rowCount() == 5, what="the first page")
            assert asked == [("", 6)]  # a page and one more: are there more?
            assert [c.customer_label[:10] for c in page.model.cards] == [
                f"Customer {x}" for x in "ABCDE"
            ]
            assert page.more_note.isVisible()
            assert page.more_note.text().startswith("Showing the first 5 cards — type part")
            # Card G is past the page: the ledger finds it; typed keys are all kept.
            page.search.setFocus()
            QTest.keyClicks(page.search, "account 1")
            QTest.keyClicks(page.search, "06")
            await until(lambda: [c.card_id for c in page.model.cards] == ["C-big-6"])
            assert page.search.text() == "account 106"
            assert asked[-1] == ("account 106", 6)
            assert len(asked) == 2, asked  # one search, after the typing paused
            assert not page.more_note.isVisible()
            assert page.count.text() == "1 card(s) found"
            # Another desk adds a card that falls past the page: the page asks again.
            added = await asyncio.to_thread(
                journal.add_vault_card,
                mch_id=mch,
                card_id="C-big-other",
                customer_label="Customer Z account 106",
                card_num="424242******4299",
                brand="V",
                expiry_date="1230",
                holder="",
                via="hosted",
                operator="jill",
            )
            page.vault_changed(VaultChanged(mch_id=mch, card_id=added.card_id, card=added))
            await until(lambda: len(asked) == 3, what="the ledger asked again")
            await until(lambda: page.model.rowCount() == 2, what="the other desk's card")
            assert asked[-1] == ("account 106", 6)
            # Cleared: the first page again.
            page.search.clear()
            await until(lambda: page.model.rowCount() == 5 and page.more_note.isVisible())
            page.close()

    qloop.run(scenario())

"""The Transactions page (Ctrl+T): the merchant's books in a lazy table, filters that
combine and follow typing, a filter that cannot be read named by its box, Enter opening
the payment on the Orders page; on real widgets, a real ledger file and the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from iotpay_desk.api import Order, OrderStatus
from iotpay_desk.core.settings import Settings
from iotpay_desk.gui.mainwindow import MainWindow, Page
from iotpay_desk.gui.transactions import (
    AMOUNT,
    CARD,
    IOTPAY_ID,
    KIND,
    ORDER_NO,
    PAGE_SIZE,
    STATUS,
    TransactionsPage,
)
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from tests.gui.conftest import QLoop, until
from tests.gui.test_orders import Desk
from tests.services.conftest import pay

pytestmark = pytest.mark.usefixtures("canadian_english")
MCH = DEMO_MERCHANT.mch_id


@pytest.fixture
def desk(qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Desk]:
    d = Desk(qtbot, qloop, sandbox, tmp_path)
    yield d
    d.close()


def _fill(desk: Desk, n: int) -> None:
    """``n`` orders in the books as notifications would bring them."""
    base = Order(
        pay_order_id="",
        mch_id=MCH,
        amount=1000,
        status=OrderStatus.NOTIFIED,
        card_num="424242******4242",
        card_type="V",
    )
    t0 = datetime(2025, 3, 1, 17, tzinfo=UTC)
    for i in range(n):
        desk.journal.books.record(
            replace(
                base,
                pay_order_id=f"PC20250301170000{i:012d}",
                mch_order_no=f"web-{i:04d}",
                amount=1000 + i,
                card_num="555555******4444" if i % 10 == 0 else base.card_num,
            ),
            source="notify",
            confirmed=False,
            now=t0 + timedelta(minutes=i),
        )


def _column(page: TransactionsPage, column: int) -> list[str]:
    model = page.model
    return [model.cell(e, column) for e in model.rows]


async def _settled(page: TransactionsPage) -> None:
    await until(lambda: not page.model.loading and not page._pause.isActive(), 10)


def test_the_books_fill_the_table_a_page_at_a_time(desk: Desk, qtbot: QtBot) -> None:
    _fill(desk, PAGE_SIZE + 50)
    desk.start()
    page = desk.window.transactions

    async def scenario() -> None:
        QTest.keyClick(desk.window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
        assert desk.window.current_page() is Page.TRANSACTIONS
        await _settled(page)
        assert len(page.model.rows) == PAGE_SIZE  # one page read, not the whole books
        assert page.model.canFetchMore()
        assert "more as you scroll" in page.count.text()
        newest = page.model.rows[0]
        assert newest.mch_order_no == f"web-{PAGE_SIZE + 49:04d}"
        # Scrolling to the end reads the next page.
        page.table.scrollToBottom()
        await until(lambda: len(page.model.rows) == PAGE_SIZE + 50, 10)
        await _settled(page)
        assert not page.model.canFetchMore()
        assert page.count.text() == f"Orders: {PAGE_SIZE + 50}"

    desk.qloop.run(scenario())
    assert _column(page, KIND)[0] == "Payment"
    assert _column(page, STATUS)[0] == "Paid, notified"
    assert _column(page, AMOUNT)[0] == "$12.49"
    assert _column(page, CARD)[0] == "Visa •••• 4242"


def test_filters_combine_and_follow_typing(desk: Desk, qtbot: QtBot) -> None:
    _fill(desk, 60)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)

    async def scenario() -> None:
        await _settled(page)
        assert len(page.model.rows) == 60
        QTest.keyClicks(page.last4, "4444")
        await _settled(page)
        assert _column(page, ORDER_NO) == [f"web-{i:04d}" for i in (50, 40, 30, 20, 10, 0)]
        # One amount alone is that amount.
        QTest.keyClicks(page.amount_from, "10.30")
        await _settled(page)
        assert _column(page, ORDER_NO) == ["web-0030"]
        # With "to", a range; free text narrows it further (part of an order number).
        QTest.keyClicks(page.amount_to, "10.50")
        await _settled(page)
        assert _column(page, ORDER_NO) == ["web-0050", "web-0040", "web-0030"]
        QTest.keyClicks(page.search, "eb-004")
        await _settled(page)
        assert _column(page, ORDER_NO) == ["web-0040"]
        page.kind.setCurrentIndex(page.kind.findData("refund"))
        await _settled(page)
        assert page.model.rows == []
        assert page.count.text() == "No order matches."

    desk.qloop.run(scenario())


def test_a_filter_that_cannot_be_read_names_its_box_and_keeps_the_list(
    desk: Desk, qtbot: QtBot
) -> None:
    _fill(desk, 5)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)

    async def scenario() -> None:
        await _settled(page)
        shown = list(page.model.rows)
        QTest.keyClicks(page.amount_from, "12.345")
        await _settled(page)
        assert page.problem.isVisible()
        assert page.problem.text() == "Amount: must have at most two decimals"
        assert page.model.rows == shown  # nothing lost
        page.amount_from.clear()
        QTest.keyClicks(page.amount_from, "20")
        QTest.keyClicks(page.amount_to, "10")
        await _settled(page)
        assert page.problem.text() == "Amount to: at least the first amount"
        assert page.model.rows == shown
        assert page.amount_from.text() == "20"  # what was typed stays
        page.amount_to.clear()
        page.amount_from.clear()
        await _settled(page)
        assert not page.problem.isVisible()

    desk.qloop.run(scenario())


def test_enter_opens_the_payment_on_the_orders_page(
    desk: Desk, qtbot: QtBot, sandbox: SandboxServer
) -> None:
    desk.start()
    page = desk.window.transactions

    async def scenario() -> None:
        paid = await pay(desk.client, 2500, mch_order_no="counter-77")
        await desk.service.lookup("counter-77")  # now in the books, confirmed
        desk.window.show_page(Page.TRANSACTIONS)
        page.reload()
        await _settled(page)
        assert _column(page, IOTPAY_ID) == [paid.pay_order_id]
        page.table.setFocus()
        page.table.selectRow(0)
        QTest.keyClick(page.table, Qt.Key.Key_Return)
        assert desk.window.current_page() is Page.ORDERS
        assert desk.orders.query.text() == paid.pay_order_id
        await until(lambda: desk.orders.detail is not None, 10)

    desk.qloop.run(scenario())


def test_column_choice_and_order_are_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(tmp_path)
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    page = first.transactions
    header = page.table.horizontalHeader()
    header.moveSection(header.visualIndex(AMOUNT), 0)  # Amount first
    menu = page.column_menu()
    titles = [a.text() for a in menu.actions()]
    assert titles[CARD] == "Card"
    menu.actions()[CARD].setChecked(False)  # Card hidden
    assert header.isSectionHidden(CARD)
    first.close()

    second = MainWindow(settings=Settings(tmp_path))
    qtbot.addWidget(second)
    again = second.transactions.table.horizontalHeader()
    assert again.logicalIndex(0) == AMOUNT
    assert again.isSectionHidden(CARD)
    assert not again.isSectionHidden(KIND)


def test_the_last_column_shown_cannot_be_hidden(qtbot: QtBot) -> None:
    page = TransactionsPage()
    qtbot.addWidget(page)
    header = page.table.horizontalHeader()
    for column in range(1, page.model.columnCount()):
        header.setSectionHidden(column, True)
    menu = page.column_menu()
    assert not menu.actions()[0].isEnabled()
    assert all(a.isEnabled() for a in menu.actions()[1:])


# -- saved filters -----------------------------------------------------------------------


def test_a_saved_filter_comes_back_on_a_new_page_with_its_period_still_relative(
    desk: Desk, qtbot: QtBot
) -> None:
    _fill(desk, 30)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)

    async def scenario() -> TransactionsPage:
        await _settled(page)
        QTest.keyClicks(page.last4, "4444")
        page.kind.setCurrentIndex(page.kind.findData("payment"))
        await _settled(page)
        assert _column(page, ORDER_NO) == ["web-0020", "web-0010", "web-0000"]
        assert page.save_filter("  Mastercard   payments ") is None
        assert page.saved_names() == ["Mastercard payments"]
        page.period.setCurrentIndex(page.period.findData("month"))
        assert page.saved.currentIndex() == 0  # changed by hand: no longer that one
        assert page.save_filter("Mastercard this month") is None
        assert page.saved.currentText() == "Mastercard this month"
        kept = page.saved_filters()
        # "This month" is kept as a period, not as the days it meant when saved.
        assert "month" in kept
        assert QDate.currentDate().toString("yyyy-MM-dd") not in kept

        # The page opened again (another window, the next day): the same filters.
        again = TransactionsPage()
        qtbot.addWidget(again)
        again.set_service(desk.service)
        assert again.restore_saved_filters(kept)
        assert again.saved_names() == ["Mastercard payments", "Mastercard this month"]
        await _settled(again)
        assert len(again.model.rows) == 30
        assert again.pick_filter("Mastercard payments")
        await _settled(again)
        assert again.last4.text() == "4444"
        assert again.kind.currentData() == "payment"
        assert again.saved.currentText() == "Mastercard payments"
        assert _column(again, ORDER_NO) == ["web-0020", "web-0010", "web-0000"]
        assert again.pick_filter("Mastercard this month")
        flt = again.current_filter()
        today = datetime.now(again.tz).date()
        assert flt.since is not None
        assert flt.since.date() == today.replace(day=1)
        assert flt.until is not None
        assert flt.until.date() == today + timedelta(days=1)
        # Renamed and deleted; another merchant's page sees none of them.
        assert again.rename_filter("Mastercard payments", "Mastercard this month") is not None
        assert again.rename_filter("Mastercard payments", "MC payments") is None
        again.delete_filter("Mastercard this month")
        assert again.saved_names() == ["MC payments"]
        return again

    again = desk.qloop.run(scenario())
    other = TransactionsPage()
    qtbot.addWidget(other)
    assert other.restore_saved_filters(again.saved_filters())
    assert other.saved_names() == []  # no profile open: no merchant's filters
    assert not other.restore_saved_filters("not json")
    assert other.saved_filters() == '{"version": 1, "merchants": {}}'


def test_a_saved_filter_that_no_longer_reads_names_its_box(desk: Desk, qtbot: QtBot) -> None:
    _fill(desk, 5)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)

    async def scenario() -> None:
        await _settled(page)
        shown = list(page.model.rows)
        QTest.keyClicks(page.amount_from, "1,050")  # in English: a thousand and fifty
        await _settled(page)
        assert not page.problem.isVisible()
        assert page.save_filter("Big ones") is None
        page.clear_filters()
        await _settled(page)
        # In French "1,050" could be thousands or three decimals: the box is named.
        QLocale.setDefault(QLocale("fr_CA"))
        try:
            assert not page.pick_filter("Big ones")
        finally:
            QLocale.setDefault(QLocale("en_CA"))
        assert page.problem.isVisible()
        assert page.problem.text().startswith("Saved filter “Big ones”: Amount: ")
        assert page.amount_from.text() == "1,050"  # shown as saved, to be fixed
        assert page.model.rows == shown  # the list kept what it showed
        # A period this desk no longer offers is named too.
        data = json.loads(page.saved_filters())
        data["merchants"][MCH][0]["boxes"]["period"] = "fortnight"
        assert page.restore_saved_filters(json.dumps(data))
        assert not page.pick_filter("Big ones")
        assert page.problem.text() == "Saved filter “Big ones”: Period: no longer offered"

    desk.qloop.run(scenario())


def test_the_page_reads_only_what_is_shown_and_makes_each_row_once(
    desk: Desk, qtbot: QtBot
) -> None:
    _fill(desk, PAGE_SIZE + 10)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)

    async def scenario() -> None:
        await _settled(page)
        page.table.viewport().repaint()

        def made() -> int:
            return sum(len(p.texts) for p in page.model._pages)

        shown = made()
        assert 0 < shown < 100  # the rows on screen, not the page read
        page.table.viewport().repaint()
        assert made() == shown
        # Near the end (two screens before it), the next page is asked for already.
        bar = page.table.verticalScrollBar()
        bar.setValue(bar.maximum() - bar.pageStep())
        await until(lambda: len(page.model.rows) == PAGE_SIZE + 10, 10)

    desk.qloop.run(scenario())


def test_a_saved_filter_is_kept_with_the_window_at_once(
    desk: Desk, qtbot: QtBot, tmp_path: Path
) -> None:
    window = MainWindow(settings=Settings(tmp_path / "config"))
    qtbot.addWidget(window)
    page = window.transactions
    page.set_service(desk.service)
    QTest.keyClicks(page.last4, "4242")
    assert page.save_filter("Visa 4242") is None
    # Kept at once (a crash now loses nothing), read back by the next window.
    again = MainWindow(settings=Settings(tmp_path / "config"))
    qtbot.addWidget(again)
    again.transactions.set_service(desk.service)
    assert again.transactions.saved_names() == ["Visa 4242"]


def test_import_orders_opens_from_the_page(desk: Desk, qtbot: QtBot) -> None:
    from iotpay_desk.gui.import_dialog import ImportDialog

    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)
    assert page.import_button.isEnabled()
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    dialogs = page.findChildren(ImportDialog)
    assert len(dialogs) == 1
    assert dialogs[0].isVisible()
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)  # the same one, raised
    assert page.findChildren(ImportDialog) == dialogs
    dialogs[0].reject()

"""The Transactions table holds only the pages used last: scrolled end to end through
more pages than it keeps, it holds no more than its cap; a page let go is read again by
its keys when shown (with what came into the books between them since), and Enter on a
row opens that row's order. Real widgets, a real ledger file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from iotpay_desk.api import Order, OrderStatus
from iotpay_desk.gui import transactions
from iotpay_desk.gui.mainwindow import Page
from iotpay_desk.gui.transactions import ORDER_NO, PAGE_SIZE, TransactionsPage
from iotpay_desk.journal.books import BooksFilter
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from tests.gui.conftest import QLoop, until
from tests.gui.test_orders import Desk

pytestmark = pytest.mark.usefixtures("canadian_english")
MCH = DEMO_MERCHANT.mch_id
T0 = datetime(2025, 3, 1, 17, tzinfo=UTC)
ORDERS = PAGE_SIZE * 5 + 30
HELD = 2


@pytest.fixture
def desk(
    qtbot: QtBot,
    qloop: QLoop,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Desk]:
    monkeypatch.setattr(transactions, "_PAGES_HELD", HELD)
    d = Desk(qtbot, qloop, sandbox, tmp_path)
    yield d
    d.close()


def _book(desk: Desk, i: int, at: datetime, *, status: OrderStatus = OrderStatus.NOTIFIED) -> None:
    desk.journal.books.record(
        Order(
            pay_order_id=f"PC20250301170000{i:012d}",
            mch_id=MCH,
            amount=1000 + i,
            status=status,
            card_num="424242******4242",
            card_type="V",
            mch_order_no=f"web-{i:05d}",
        ),
        source="notify",
        confirmed=False,
        now=at,
    )


def _fill(desk: Desk, n: int) -> None:
    for i in range(n):
        _book(desk, i, T0 + timedelta(minutes=i))


def _books(desk: Desk) -> list[str]:
    """Every order number in the books, newest first, read straight from the ledger."""
    return [e.mch_order_no or "" for e in desk.journal.books.page(MCH, limit=10_000)]


async def _cell(page: TransactionsPage, row: int) -> str:
    """Row ``row``'s order number as the table shows it once its page is in."""
    model = page.model
    index = model.index(row, ORDER_NO)
    await until(lambda: model.data(index) != transactions._NOT_READ, 10)
    return str(model.data(index))


async def _scroll_to_the_end(page: TransactionsPage) -> None:
    while True:
        page.table.scrollToBottom()
        await until(lambda: not page.model.loading, 10)
        if not page.model.has_more:
            return


def test_scrolled_end_to_end_the_table_holds_at_most_its_cap(desk: Desk, qtbot: QtBot) -> None:
    _fill(desk, ORDERS)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)

    async def scenario() -> None:
        await until(lambda: page.model.rowCount() > 0, 10)
        await _scroll_to_the_end(page)
        model = page.model
        assert model.rowCount() == ORDERS
        assert model.held_pages <= HELD
        assert model.held_row(0) is None  # the first page was let go …
        # … and is read again, by its keys, when the view shows it.
        page.table.scrollToTop()
        assert await _cell(page, 0) == f"web-{ORDERS - 1:05d}"
        assert model.held_pages <= HELD
        # Every row, visited in order, is the books' row at that place.
        shown = [await _cell(page, row) for row in range(0, ORDERS, 37)]
        assert shown == _books(desk)[::37]
        assert model.held_pages <= HELD

    desk.qloop.run(scenario())


def test_a_page_read_again_shows_what_came_between_its_keys(desk: Desk, qtbot: QtBot) -> None:
    _fill(desk, ORDERS)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)

    async def scenario() -> None:
        await until(lambda: page.model.rowCount() > 0, 10)
        await _scroll_to_the_end(page)
        model = page.model
        assert model.held_row(0) is None
        # Meanwhile: a newer order, and an older one booked into the third page's span.
        _book(desk, 90_001, T0 + timedelta(minutes=ORDERS + 5))
        middle = ORDERS - PAGE_SIZE * 2 - 10  # the third page holds this one's minute
        _book(desk, 90_002, T0 + timedelta(minutes=middle, seconds=30))
        page.table.scrollToTop()
        assert await _cell(page, 0) == "web-90001"
        assert model.rowCount() == ORDERS + 1
        await _cell(page, PAGE_SIZE * 2 + 5)  # the third page read again
        assert model.rowCount() == ORDERS + 2
        # Nothing lost, nothing twice: the table reads as the books do.
        rows = []
        for row in range(model.rowCount()):
            rows.append(await _cell(page, row))
        assert rows == _books(desk)

    desk.qloop.run(scenario())


def test_a_page_read_again_drops_what_no_longer_matches(desk: Desk, qtbot: QtBot) -> None:
    _fill(desk, ORDERS)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)

    async def scenario() -> None:
        await until(lambda: page.model.rowCount() > 0, 10)
        page.model.set_filter(BooksFilter(text="web-0"))
        await until(lambda: page.model.rowCount() > 0 and not page.model.loading, 10)
        await _scroll_to_the_end(page)
        model = page.model
        total = model.rowCount()
        assert model.held_row(0) is None
        # The newest matching order's reason changes so that it no longer matches: a
        # page read again holds one row less, the list shrinks in place.
        newest = _books(desk)[0]
        assert newest.startswith("web-0")
        gone = desk.journal.books.page(MCH, BooksFilter(text=newest), limit=1)[0]
        desk.journal.books.record(
            replace(
                Order(
                    pay_order_id=gone.pay_order_id,
                    mch_id=MCH,
                    amount=gone.amount_cents,
                    status=OrderStatus.NOTIFIED,
                    card_num="424242******4242",
                    card_type="V",
                ),
                mch_order_no="renamed",
            ),
            source="notify",
            confirmed=False,
            now=T0,
        )
        matching = [n for n in _books(desk) if n.startswith("web-0")]
        if len(matching) == total:
            pytest.skip("the books keep an order's first number: nothing stops matching")
        page.table.scrollToTop()
        await _cell(page, 0)
        assert model.rowCount() == total - 1
        assert [await _cell(page, r) for r in range(model.rowCount())] == matching

    desk.qloop.run(scenario())


def test_enter_on_a_row_read_again_opens_that_rows_order(desk: Desk, qtbot: QtBot) -> None:
    _fill(desk, ORDERS)
    desk.start()
    page = desk.window.transactions
    desk.window.show_page(Page.TRANSACTIONS)
    opened: list[str] = []
    page.open_order.disconnect()  # only what it asks for: no look-up left in flight
    page.open_order.connect(opened.append)

    async def scenario() -> None:
        await until(lambda: page.model.rowCount() > 0, 10)
        await _scroll_to_the_end(page)
        page.table.scrollToTop()
        assert await _cell(page, 3) == f"web-{ORDERS - 4:05d}"
        page.table.setFocus()
        page.table.selectRow(3)
        QTest.keyClick(page.table, Qt.Key.Key_Return)

    desk.qloop.run(scenario())
    assert opened == [f"PC20250301170000{ORDERS - 4:012d}"]

"""The End of day page (Ctrl+D): a business day's figures, what needs attention, moving
between days from the keyboard, closing the day with its close-out report and the warning
when the day changes after; on real widgets, a real ledger file and the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from iotpay_desk.api import Order
from iotpay_desk.gui.endofday import EndOfDayPage
from iotpay_desk.gui.mainwindow import Page
from iotpay_desk.journal import ActionKind
from iotpay_desk.journal.days import (
    AttentionItem,
    DailyNet,
    DayChange,
    DayClose,
    DayFigures,
    DayLine,
    day_bounds,
)
from iotpay_desk.sandbox import SandboxServer
from iotpay_desk.services.rules import TORONTO
from tests.gui.conftest import QLoop, message_boxes, until
from tests.gui.test_orders import Desk

pytestmark = pytest.mark.usefixtures("canadian_english")
DAY = date(2026, 12, 4)


def _figures() -> DayFigures:
    since, until_ = day_bounds(DAY, time(21, 0), TORONTO)
    return DayFigures(
        day=DAY,
        since=since,
        until=until_,
        currency="CAD",
        total=DayLine("", 5, 150_000, 1, 20_000, 1, 6_544),
        by_brand=(DayLine("V", 3, 100_000, 1, 20_000), DayLine("A", 2, 50_000, 0, 0, 1, 6_544)),
        by_operator=(DayLine("jack", 5, 150_000, 1, 20_000), DayLine("", 0, 0, 0, 0, 1, 6_544)),
        by_desk=(DayLine("Front counter", 5, 150_000, 1, 20_000, 1, 6_544),),
        failed_count=2,
    )


def _attention() -> list[AttentionItem]:
    at = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
    return [
        AttentionItem("outcome_unknown", "PC20261204103000123456789012", "A-17", 2_500, 4, at),
        AttentionItem("not_found", "PC20261204113000123456789013", "B-9", 1_200, None, at),
    ]


def _texts(table: object, column: int) -> list[str]:
    from PySide6.QtWidgets import QTableWidget

    assert isinstance(table, QTableWidget)
    return [table.item(r, column).text() for r in range(table.rowCount())]


@pytest.fixture
def page(qtbot: QtBot) -> EndOfDayPage:
    p = EndOfDayPage()
    qtbot.addWidget(p)
    p.resize(900, 700)
    p.show()
    return p


def test_the_page_shows_the_figures_given_to_it(page: EndOfDayPage) -> None:
    page.show_figures(_figures())
    page.show_attention(_attention())
    assert page.summary.text().startswith("Net: $1,234.56")
    assert _texts(page.totals, 0) == ["Sales", "Refunds", "Voids", "Net"]
    assert _texts(page.totals, 2) == ["$1,500.00", "$200.00", "$65.44", "$1,234.56"]
    # Brands in words; the line of no one's name says so.
    assert _texts(page.by_brand, 0) == ["Visa", "American Express"]
    assert _texts(page.by_brand, 5) == ["$800.00", "$434.56"]
    assert _texts(page.by_operator, 0) == ["jack", "No operator recorded"]
    assert _texts(page.by_desk, 0) == ["Front counter"]
    # The figures of the three breakdowns line up one under the other.
    widths = {t.horizontalHeader().sectionSize(5) for t in (page.by_brand, page.by_desk)}
    assert len(widths) == 1
    assert page.tabs.tabText(page.attention_tab) == "Needs &attention (2)"
    assert _texts(page.attention_table, 0) == [
        "Outcome still unknown",
        "IOTPay has no such order",
    ]
    assert _texts(page.attention_table, 2) == ["$25.00", "$12.00"]
    # The charts get the day's brands.
    assert page.brand_chart.series_points() == 2


def test_a_closed_day_says_who_closed_it_and_warns_of_changes(page: EndOfDayPage) -> None:
    figures = _figures()
    page.show_figures(figures)
    assert not page.changed.isVisible()
    close = DayClose(
        id=1,
        mch_id="10000701",
        day=DAY,
        closed_at=datetime(2026, 12, 5, 2, 5, tzinfo=UTC),
        operator="jack",
        desk="Front counter",
        cutoff="21:00",
        timezone="America/Toronto",
        figures=figures,
        digest="0" * 64,
    )
    change = DayChange("RP20261205090102123456789012", "added", "refund", None, (2, 2_000, 0))
    page.show_close(close, [change])
    # (Qt writes a narrow no-break space before "p.m.")
    said = page.state.text().replace("\u202f", " ")
    assert said == "Closed by jack at 2026-12-04 9:05 p.m. on desk Front counter."
    assert page.changed.isVisible()
    text = page.changed.text()
    assert text.startswith(
        "Changed after it was closed. Orders not as they were when the day was closed: 1."
    )
    assert "RP20261205090102123456789012" in text
    assert "Not in the day → Paid, $20.00" in text
    assert not page.close_button.isEnabled()  # no service: nothing to close either way


def test_the_bank_deposits_panel_gets_its_own_tab(page: EndOfDayPage) -> None:
    assert not page.tabs.isTabVisible(page.deposits_tab)
    panel = QWidget()
    page.set_deposits_widget(panel)
    assert page.tabs.isTabVisible(page.deposits_tab)
    assert panel.parentWidget() is page.deposits_holder
    page.set_deposits_widget(None)
    assert not page.tabs.isTabVisible(page.deposits_tab)


def test_enter_and_double_click_open_the_order(page: EndOfDayPage, qtbot: QtBot) -> None:
    page.show_attention(_attention())
    page.tabs.setCurrentIndex(page.attention_tab)
    table = page.attention_table
    table.setFocus()
    table.selectRow(1)
    with qtbot.waitSignal(page.open_order) as sig:
        QTest.keyClick(table, Qt.Key.Key_Return)
    assert sig.args == ["PC20261204113000123456789013"]
    rect = table.visualRect(table.model().index(0, 0))
    # A double-click is a press and release, then a second press as a double-click.
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.open_order) as sig:
        QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == ["PC20261204103000123456789012"]


def test_reconcile_asks_for_the_day_shown(page: EndOfDayPage, qtbot: QtBot) -> None:
    page.set_day(DAY)
    page.reconcile_button.setEnabled(True)  # (enabled with a service)
    with qtbot.waitSignal(page.reconcile_requested) as sig:
        qtbot.mouseClick(page.reconcile_button, Qt.MouseButton.LeftButton)
    assert sig.args == [DAY]


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def desk(qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Desk]:
    d = Desk(qtbot, qloop, sandbox, tmp_path)
    yield d
    d.close()


def _work_a_day(desk: Desk) -> tuple[Order, Order]:
    """Two payments the desk looked up, one voided; settled; the other partly refunded;
    and one payment only notified (never confirmed with IOTPay)."""
    service = desk.service

    async def work() -> tuple[Order, Order, Order]:
        kept = await _pay(desk, 5_000)
        voided = await _pay(desk, 800)
        for order in (kept, voided):
            await service.lookup(order.pay_order_id)
        d = await service.new_draft(ActionKind.VOID, voided.pay_order_id)
        assert (await service.void(voided.pay_order_id, "wrong amount", draft_id=d.id)).succeeded
        desk.sandbox.settle()
        d = await service.new_draft(ActionKind.REFUND, kept.pay_order_id)
        refund = await service.refund(kept.pay_order_id, 1_500, "damaged", draft_id=d.id)
        assert refund.succeeded
        heard = await _pay(desk, 700)
        return kept, voided, heard

    kept, _voided, heard = desk.qloop.run(work())
    desk.journal.books.record(
        heard, source="notify", confirmed=False, now=desk.sandbox.clock.local_now()
    )
    return kept, heard


async def _pay(desk: Desk, amount: int) -> Order:
    from tests.services.conftest import pay

    return await pay(desk.client, amount)


def _pdf_text(path: Path) -> str:
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    text = "\n".join(doc.getAllText(i).text() for i in range(doc.pageCount()))
    doc.close()
    return text


async def _loaded(page: EndOfDayPage) -> None:
    await until(lambda: not page.loading and page.figures is not None, 10, "day read")


def test_a_worked_day_is_closed_reported_and_flagged_when_it_changes(
    desk: Desk, qtbot: QtBot, tmp_path: Path
) -> None:
    kept, heard = _work_a_day(desk)
    desk.start()
    window = desk.window
    page = window.end_of_day
    today = desk.service.days.today()
    report = tmp_path / "reports" / "close-out.pdf"
    report.parent.mkdir()

    async def scenario() -> None:
        window.activateWindow()
        QTest.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() is Page.END_OF_DAY
        await _loaded(page)
        assert page.day == today
        # 50.00 + 8.00 + 7.00 sold, 8.00 voided, 15.00 refunded.
        assert page.figures is not None
        assert page.figures.total.net_cents == 4_200
        assert page.summary.text().startswith("Net: $42.00")
        assert _texts(page.by_brand, 0) == ["Visa"]
        assert "Only notified, not confirmed with IOTPay" in _texts(page.attention_table, 0)
        assert heard.pay_order_id in _texts(page.attention_table, 5)
        assert page.net_chart.series_points() >= 1
        assert page.state.text() == "Not closed yet."

        # Close the day: the question names the day, its net and what needs attention.
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
        await until(lambda: page.question is not None and page.question.isVisible())
        question = page.question
        assert question is not None
        assert today.strftime("%Y") in question.text()
        assert "Net: $42.00" in question.informativeText()
        assert "Still needing attention: 1" in question.informativeText()
        assert "This business day is not over" in question.informativeText()
        qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
        await until(lambda: page.day_close is not None, 10, "day closed")
        await until(lambda: page.file_dialog is not None and page.file_dialog.isVisible())
        dialog = page.file_dialog
        assert isinstance(dialog, QFileDialog)
        assert dialog.selectedFiles()[0].endswith(f"close-out-{today.isoformat()}.pdf")
        dialog.fileSelected.emit(str(report))
        dialog.close()
        await until(report.exists, 15, "report written")
        await until(lambda: page.save_button.isEnabled(), 10)
        assert page.state.text().startswith("Closed by jack at ")
        assert not page.close_button.isEnabled()
        assert not page.changed.isVisible()

        # A refund booked into the closed day: the page warns, the close stays as it was.
        async def refund_again() -> str:
            service = desk.service
            d = await service.new_draft(ActionKind.REFUND, kept.pay_order_id)
            again = await service.refund(kept.pay_order_id, 500, "second", draft_id=d.id)
            assert again.succeeded
            assert again.order is not None
            return again.order.pay_order_id

        refund_id = await refund_again()
        # The page hears of the refund and reads the day again by itself.
        await until(page.changed.isVisible, 10, "changes shown")
        await _loaded(page)
        assert "was closed: 1." in page.changed.text()
        assert refund_id in page.changed.text()
        assert page.figures.total.net_cents == 3_700
        assert page.day_close is not None
        assert page.day_close.figures.total.net_cents == 4_200
        assert not page.close_button.isEnabled()

        again = tmp_path / "reports" / "again"
        page.save_report(str(again), today)
        await until(lambda: again.with_suffix(".pdf").exists(), 15, "report saved again")

    desk.qloop.run(scenario(), timeout=60)
    data = report.read_bytes()
    assert data.startswith(b"%PDF")
    text = _pdf_text(report)
    assert "$42.00" in text
    assert today.strftime("%B") in text  # the day in words
    assert "Closed by jack" in text
    assert "page 1 of" in text
    assert "Changed after it was closed" not in text
    later = _pdf_text(tmp_path / "reports" / "again.pdf")
    assert "$42.00" in later  # the figures as closed
    assert "Changed after it was closed" in later


def test_a_day_closed_meanwhile_at_another_desk_is_not_closed_twice(
    desk: Desk, qtbot: QtBot
) -> None:
    desk.qloop.run(_pay(desk, 1_000))
    desk.start()
    page = desk.window.end_of_day
    desk.window.show_page(Page.END_OF_DAY)

    async def scenario() -> None:
        await _loaded(page)
        assert page.close_button.isEnabled()
        await desk.service.days.close_day(page.day)  # as another desk would
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
        await until(lambda: page.question is not None and page.question.isVisible())
        qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
        await until(page.message.isVisible, 10, "refusal said")
        assert page.message.text().startswith("This day was already closed by jack")
        await until(lambda: page.day_close is not None, 10, "closed state read")
        assert not page.close_button.isEnabled()
        assert not message_boxes(page)

    desk.qloop.run(scenario(), timeout=30)


def test_the_keyboard_moves_between_business_days(desk: Desk, qtbot: QtBot) -> None:
    desk.start()
    window = desk.window
    page = window.end_of_day
    today = desk.service.days.today()

    async def scenario() -> None:
        window.activateWindow()
        await until(lambda: QApplication.activeWindow() is window)
        window.show_page(Page.END_OF_DAY)
        await _loaded(page)
        assert not page.next_button.isEnabled()  # no business day after today's
        page.date_edit.setFocus()
        QTest.keyClick(page.date_edit, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
        assert page.day == today - timedelta(days=1)
        await _loaded(page)
        assert page.next_button.isEnabled()
        assert page.date_edit.date().toPython() == today - timedelta(days=1)
        QTest.keyClick(page.date_edit, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
        assert page.day == today
        QTest.keyClick(page.date_edit, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
        assert page.day == today  # never past today's business day
        # Alt+P (Previous day), Alt+O (Today) from the buttons' mnemonics.
        page.reconcile_button.setFocus()
        # (a mnemonic presses its button with a short animation)
        QTest.keyClick(page.reconcile_button, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
        await until(lambda: page.day == today - timedelta(days=1), what="Alt+P")
        await _loaded(page)
        # Tab goes through the day's controls, then the actions, then the tabs.
        page.previous_button.setFocus()
        chain = []
        for _ in range(6):
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            chain.append(QApplication.focusWidget())
        assert chain == [
            page.next_button,
            page.today_button,
            page.reconcile_button,
            page.close_button,
            page.save_button,
            page.tabs.tabBar(),
        ]
        QTest.keyClick(page.reconcile_button, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
        await until(lambda: page.day == today, what="Alt+O")
        await _loaded(page)
        # The chart period: 90 days of nets, read without blocking.
        page.period.setCurrentIndex(page.period.findData(90))
        await until(lambda: len(page.net_chart.nets) == 90, 10, "90 days read")
        assert page.net_chart.nets[-1] == DailyNet(today, 0, 0, 0)  # nothing sold yet
        assert page.net_chart.series_points() == 0

    desk.qloop.run(scenario(), timeout=30)


def test_reconcile_with_iotpay_lists_what_changed_behind_the_desks_back(
    desk: Desk, qtbot: QtBot
) -> None:
    """The page's Reconcile button runs the day's reconciliation in a progress dialog;
    when it ends the page lists the order IOTPay now says was refunded."""
    import uuid

    from iotpay_desk.api import RefundRequest
    from iotpay_desk.gui.import_dialog import JobProgressDialog

    async def work() -> Order:
        paid = await _pay(desk, 4_000)
        await desk.service.lookup(paid.pay_order_id)
        desk.sandbox.settle()
        await desk.client.refund(
            RefundRequest(
                mch_refund_no="r" + uuid.uuid4().hex[:20],
                login_name="jack",
                refund_amount=1_000,
                pay_order_id=paid.pay_order_id,
            )
        )
        return paid

    paid = desk.qloop.run(work())
    desk.start()
    window = desk.window
    page = window.end_of_day
    window.show_page(Page.END_OF_DAY)

    async def scenario() -> None:
        await _loaded(page)
        assert [i.kind for i in page.attention] == []
        qtbot.mouseClick(page.reconcile_button, Qt.MouseButton.LeftButton)
        dialogs = window.findChildren(JobProgressDialog)
        assert len(dialogs) == 1
        dialog = dialogs[0]
        await until(lambda: dialog.summary is not None, 20, "reconciliation ended")
        await until(lambda: [i.kind for i in page.attention] == ["status_differs"], 10, "listed")
        (item,) = page.attention
        assert item.pay_order_id == paid.pay_order_id
        assert "refunded 0→1000" in item.detail
        assert not message_boxes(window)
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

    desk.qloop.run(scenario(), timeout=40)
    events = [e.event for e in desk.journal.audit_page(20)]
    assert "reconcile.differs" in events

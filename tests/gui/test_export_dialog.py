"""Export… on the Transactions page (gui/export_dialog.py): every order the filter shows
(not only the rows read into the table) to CSV or XLSX, the fields in the order picked,
cancelling that leaves no file and keeps an older one, a formula-looking cell written as
text, a file that cannot be written named; on real widgets, a real ledger file filled
through the books' own path, and the desk's money service."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from iotpay_desk.api import Order, OrderStatus
from iotpay_desk.gui.export_dialog import ExportDialog, locale_separator
from iotpay_desk.gui.mainwindow import Page
from iotpay_desk.gui.transactions import EXPORT_FIELDS, PAGE_SIZE, TransactionsPage
from iotpay_desk.ledger.export import FIELDS
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services.exporting import Exports
from tests.gui.conftest import QLoop, until
from tests.gui.test_orders import Desk

pytestmark = pytest.mark.usefixtures("canadian_english")
MCH = DEMO_MERCHANT.mch_id
ROWS = PAGE_SIZE + 50
T0 = datetime(2025, 3, 1, 17, 0, 5, tzinfo=UTC)  # 12:00:05 in Toronto


@pytest.fixture
def desk(qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Desk]:
    d = Desk(qtbot, qloop, sandbox, tmp_path)
    if getattr(d.service, "exports", None) is None:
        d.service.exports = Exports(d.service._ctx)  # type: ignore[attr-defined]
    base = Order(
        pay_order_id="",
        mch_id=MCH,
        amount=1000,
        refundable=1000,
        status=OrderStatus.SUCCESS,
        card_num="424242******4242",
        card_type="V",
    )
    for i in range(ROWS):
        d.journal.books.record(
            replace(base, pay_order_id=f"PC20250301170000{i:012d}", mch_order_no=f"web-{i:04d}"),
            source="desk",
            confirmed=True,
            operator="jack",
            subject='=HYPERLINK("http://evil","click")' if i == 7 else f"Café, table {i}",
            now=T0 + timedelta(minutes=i),
        )
    d.start()
    d.window.show_page(Page.TRANSACTIONS)
    yield d
    d.close()


def _open(desk: Desk, tmp_path: Path) -> tuple[TransactionsPage, ExportDialog]:
    page = desk.window.transactions
    page.export_folder = tmp_path
    QTest.keyClick(
        page, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    dialog = page.export_dialog
    assert isinstance(dialog, ExportDialog)
    assert dialog.isVisible()
    return page, dialog


async def _done(dialog: ExportDialog) -> None:
    await until(lambda: not dialog.running, 30)


def _rows(path: Path, sep: str = ",") -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=sep))


def test_every_field_offered_is_one_the_ledger_writes() -> None:
    assert set(EXPORT_FIELDS) == set(FIELDS)


def test_csv_has_every_row_the_filter_shows_in_the_fields_order_picked(
    desk: Desk, qtbot: QtBot, tmp_path: Path
) -> None:
    async def scenario() -> None:
        page = desk.window.transactions
        await until(lambda: not page.model.loading, 10)
        assert len(page.model.rows) == PAGE_SIZE  # the table read one page so far
        page, dialog = _open(desk, tmp_path)
        today = datetime.now(page.tz).date().isoformat()
        assert dialog.path.text() == str(tmp_path / f"transactions-{today}.csv")
        # The defaults: the table's visible columns, in their order on screen.
        assert dialog.chosen_fields() == page.visible_fields()
        assert dialog.chosen_fields()[:3] == ["at", "kind", "mch_order_no"]
        assert dialog.separator_and_point() == (",", ".")
        assert dialog.bom.isChecked()
        # Amount first, then the order number; nothing else.
        for row in range(dialog.fields.count()):
            item = dialog.fields.item(row)
            keep = item.data(Qt.ItemDataRole.UserRole) in ("amount", "mch_order_no", "subject")
            item.setCheckState(Qt.CheckState.Checked if keep else Qt.CheckState.Unchecked)
        keys = [
            dialog.fields.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(dialog.fields.count())
        ]
        dialog.fields.setCurrentRow(keys.index("amount"))
        for _ in range(keys.index("amount")):
            QTest.keyClick(dialog.fields, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
        assert dialog.chosen_fields() == ["amount", "mch_order_no", "subject"]
        QTest.mouseClick(dialog.export, Qt.MouseButton.LeftButton)
        assert dialog.running
        assert not dialog.fields.isEnabled()  # nothing changes under the export
        await _done(dialog)
        assert dialog.result_rows == ROWS
        assert "Exported 250 orders" in dialog.status.text()
        assert dialog.cancel.text() == "Close"

    desk.qloop.run(scenario())
    (written,) = tmp_path.glob("transactions-*.csv")
    rows = _rows(written)
    assert rows[0] == ["Amount", "Order number", "Subject"]
    assert len(rows) == ROWS + 1  # all of them, not the page the table read
    assert rows[1] == ["10.00", f"web-{ROWS - 1:04d}", f"Café, table {ROWS - 1}"]
    assert rows[-1] == ["10.00", "web-0000", "Café, table 0"]
    # The formula-looking subject is text a spreadsheet shows, never runs.
    assert rows[-8] == ["10.00", "web-0007", '\'=HYPERLINK("http://evil","click")']


def test_xlsx_with_the_filter_and_a_semicolon_csv_in_french(
    desk: Desk, qtbot: QtBot, tmp_path: Path
) -> None:
    async def scenario() -> None:
        page = desk.window.transactions
        await until(lambda: not page.model.loading, 10)
        QTest.keyClicks(page.search, "web-000")  # ten orders: web-0000 … web-0009
        await until(lambda: not page.model.loading and not page._pause.isActive(), 10)
        assert len(page.model.rows) == 10
        page, dialog = _open(desk, tmp_path)
        dialog.format.setCurrentIndex(dialog.format.findData("xlsx"))
        keys = [dialog.fields.item(r).data(Qt.ItemDataRole.UserRole) for r in range(19)]
        dialog.fields.item(keys.index("subject")).setCheckState(Qt.CheckState.Checked)
        assert dialog.path.text().endswith(".xlsx")
        assert not dialog.separator.isEnabled()
        dialog.start()
        await _done(dialog)
        assert dialog.result_rows == 10
        dialog.close()

    desk.qloop.run(scenario())
    (book,) = tmp_path.glob("*.xlsx")
    with zipfile.ZipFile(book) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            z.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in z.namelist()
            else sheet
        )
    assert "<f>" not in sheet  # no formula anywhere
    assert "HYPERLINK" in strings  # the subject, as a string
    assert sheet.count("<row ") == 11
    assert "web-0009" in strings

    # In French the separator is a semicolon and the decimal point a comma.
    assert locale_separator(QLocale("fr_CA")) == (";", ",")
    assert locale_separator(QLocale("en_CA")) == (",", ".")


def test_cancel_leaves_no_file_and_keeps_the_older_one(
    desk: Desk, qtbot: QtBot, tmp_path: Path
) -> None:
    older = tmp_path / "books.csv"
    older.write_text("last week's export")

    async def scenario() -> None:
        _page, dialog = _open(desk, tmp_path)
        dialog.path.setText(str(older))
        dialog.start()
        QTest.keyClick(dialog, Qt.Key.Key_Escape)  # Escape cancels the export, not the dialog
        assert dialog.isVisible()
        await _done(dialog)
        assert dialog.result_rows is None
        assert dialog.status.text() == "Cancelled: no file was written; books.csv is as it was."
        assert dialog.export.isEnabled()  # the choices are back, as they were
        assert dialog.path.text() == str(older)

    desk.qloop.run(scenario())
    assert older.read_text() == "last week's export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".csv", ".part")) == [
        "books.csv"
    ]


def test_a_file_that_cannot_be_written_is_named_and_nothing_is_lost(
    desk: Desk, qtbot: QtBot, tmp_path: Path
) -> None:
    target = tmp_path / "books.csv"
    target.write_text("kept")
    (tmp_path / "books.csv.part").mkdir()  # where the export writes first: not a file

    async def scenario() -> None:
        _page, dialog = _open(desk, tmp_path)
        dialog.path.setText(str(target))
        dialog.start()
        await _done(dialog)
        assert dialog.problem.isVisible()
        assert dialog.problem.text().startswith(f"{target} could not be written: ")
        assert dialog.path.text() == str(target)
        assert dialog.export.isEnabled()
        # No field checked: said, and nothing starts.
        for row in range(dialog.fields.count()):
            dialog.fields.item(row).setCheckState(Qt.CheckState.Unchecked)
        dialog.start()
        assert not dialog.running
        assert dialog.problem.text() == "Fields: check at least one."

    desk.qloop.run(scenario())
    assert target.read_text() == "kept"


def test_the_default_name_is_the_merchants_day(qtbot: QtBot, tmp_path: Path) -> None:
    async def never(*_: object) -> int | None:
        raise AssertionError("not started")

    dialog = ExportDialog(
        [("at", "Date"), ("amount", "Amount")],
        ["amount"],
        never,
        today=date(2026, 12, 5),
        folder=tmp_path,
    )
    qtbot.addWidget(dialog)
    assert dialog.path.text() == str(tmp_path / "transactions-2026-12-05.csv")
    assert dialog.chosen_fields() == ["amount"]
    assert dialog.fields.item(0).text() == "Amount"  # the chosen first, the others after

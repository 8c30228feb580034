"""The bank deposits panel: a statement file imported (its bad lines listed, the date order
asked when the file leaves it open), deposits matched to the nets of days worked through
the real sandbox, matched by hand and undone; on real widgets and a real ledger file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from iotpay_desk.api import IotPayClient
from iotpay_desk.gui.deposits import AMOUNT, DESCRIPTION, PAYS, DepositsPanel
from iotpay_desk.gui.endofday import EndOfDayPage
from iotpay_desk.gui.theme import apply_theme
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services import MoneyService
from tests.gui.conftest import QLoop, message_boxes, until
from tests.services.conftest import FAST_CHECKS, pay

pytestmark = pytest.mark.usefixtures("canadian_english")
DAY_S = 86_400


class Books:
    """A money service on the sandbox and a real ledger file, and a deposits panel."""

    def __init__(self, qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp: Path) -> None:
        self.qloop = qloop
        self.sandbox = sandbox
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0), trust_env=False)
        self.client = IotPayClient(
            sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=self.http, backoff=0.02
        )
        self.journal: LedgerJournal = open_sqlite_ledger(tmp / "journal.sqlite3")
        self.service = MoneyService(
            self.client,
            self.journal,
            operator="jack",
            check_delays=FAST_CHECKS,
            not_received_after=0.0,
            clock=sandbox.clock.local_now,
        )
        self.panel = DepositsPanel(self.service)
        self.panel.resize(980, 620)
        qtbot.addWidget(self.panel)
        self.panel.show()

    async def work_day(self, *amounts: int) -> None:
        for cents in amounts:
            order = await pay(self.client, cents)
            await self.service.lookup(order.pay_order_id)

    def close(self) -> None:
        self.qloop.run(self.http.aclose())
        self.journal.close()


@pytest.fixture
def books(qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Books]:
    b = Books(qtbot, qloop, sandbox, tmp_path)
    yield b
    b.close()


def _statement(path: Path, rows: list[tuple[date, str, str]]) -> Path:
    lines = ["Date,Description,Amount"]
    lines += [f"{d:%d/%m/%Y},{desc},{amount}" for d, desc, amount in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _short(d: date) -> str:
    return QLocale().toString(QDate(d.year, d.month, d.day), QLocale.FormatType.ShortFormat)


def _shot(panel: QWidget, name: str) -> None:
    folder = os.environ.get("DESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        panel.grab().save(str(Path(folder) / f"{name}.png"))


def test_import_match_by_hand_and_undo(books: Books, qtbot: QtBot, tmp_path: Path) -> None:
    panel = books.panel
    service = books.service
    d0 = service.days.today()
    d = [d0 + timedelta(days=k) for k in range(4)]

    async def scenario() -> None:
        await books.work_day(2000, 1234)  # day 0: 32.34
        books.sandbox.clock.advance(DAY_S)
        await books.work_day(500)  # day 1: 5.00
        books.sandbox.clock.advance(DAY_S)
        await books.work_day(700)  # day 2: 7.00, paid with an odd amount
        books.sandbox.clock.advance(DAY_S)
        panel.date_to.setDate(panel.date_to.date().addDays(3))
        await panel.load()
        assert [panel.day_cells(r)[1] for r in range(panel.days.rowCount())] == [
            "$32.34",
            "$5.00",
            "$7.00",
        ]
        path = _statement(
            tmp_path / "nov.csv",
            [
                (d[1], "IOTPAY SETTLEMENT", "32.34"),
                (d[2], "IOTPAY SETTLEMENT", "5.00"),
                (d[3], '"=HYPERLINK(""http://x"",""pay"")"', "6.95"),
                (d[3], "IOTPAY SETTLEMENT", "twelve"),
                (d[3], "HYDRO", "-80.00"),
            ],
        )
        task = panel.load_file(str(path))
        # Day and month both at or under 12 in every date: the desk asks.
        if all(x.day <= 12 for x in d[1:4]):
            await until(lambda: panel.date_order_box is not None, 10, "the date order question")
            box = panel.date_order_box
            assert box is not None
            assert "nov.csv" in box.text()
            button = box.findChild(QPushButton, "date-order-dmy")
            assert button is not None
            assert button.text() == "&Day first"
            assert "Day first: “" in box.informativeText()
            _shot(box, "deposits-date-order")
            button.click()
        await task
        assert panel.last_import is not None
        assert (panel.last_import.added, panel.last_import.bad_lines) == (3, 1)
        assert panel.bad_lines.isVisible()
        assert panel.bad_lines.item(0).text() == "Line 5: “twelve” is not an amount"
        assert "deposits added: 3" in panel.message.text()
        assert panel.deposits.rowCount() == 3
        assert panel.deposit_cells(2)[DESCRIPTION] == '=HYPERLINK("http://x","pay")'
        assert [panel.deposit_cells(r)[PAYS] for r in range(3)] == ["not matched"] * 3

        QTest.mouseClick(panel.match_button, Qt.MouseButton.LeftButton)
        await until(lambda: "matched now: 2" in panel.message.text(), 10, "the match")
        cells = [panel.deposit_cells(r) for r in range(3)]
        assert [c[AMOUNT] for c in cells] == ["$32.34", "$5.00", "$6.95"]
        assert cells[0][PAYS] == _short(d[0])
        assert cells[1][PAYS] == _short(d[1])
        assert cells[2][PAYS] == "not matched"
        assert panel.days.rowCount() == 1
        assert panel.day_cells(0)[1] == "$7.00"
        _shot(panel, "deposits-matched")

        # By hand: the 6.95 deposit pays day 2 (7.00): the difference shows.
        assert not panel.by_hand_button.isEnabled()
        panel.select_deposit(panel.report.deposits[2].id)  # type: ignore[union-attr]
        panel.select_days([d[2]])
        assert panel.by_hand_button.isEnabled()
        QTest.mouseClick(panel.by_hand_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: panel.deposit_cells(2)[PAYS].endswith("(by hand)"), 10, "the match by hand"
        )
        assert panel.days.rowCount() == 0
        row = panel.deposit_cells(2)
        assert row[-1] == "-$0.05"
        assert "not matched: 0" in panel.summary.text()
        _shot(panel, "deposits-by-hand")

        # Undo it: the day is back among the days without a deposit.
        panel.select_deposit(panel.report.deposits[2].id)  # type: ignore[union-attr]
        assert panel.undo_button.isEnabled()
        QTest.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
        await until(lambda: panel.deposit_cells(2)[PAYS] == "not matched", 10, "the undo")
        assert panel.days.rowCount() == 1

    books.qloop.run(scenario(), timeout=60)
    events = [e.event for e in books.journal.audit_page(limit=20)]
    assert "deposits_import" in events
    assert "deposit_match" in events
    assert "deposit_unmatch" in events


def test_a_bad_file_is_named_and_nothing_changes(books: Books, tmp_path: Path) -> None:
    panel = books.panel
    path = tmp_path / "garbage.ofx"
    path.write_bytes(os.urandom(64 * 1024))

    async def scenario() -> None:
        await panel.load()
        assert await panel.import_path(path) is None
        await until(lambda: bool(message_boxes(panel)), 5, "the message")
        box = message_boxes(panel)[0]
        assert "“garbage.ofx” cannot be imported" in box.text()
        assert "garbage.ofx" in panel.message.text()
        assert panel.deposits.rowCount() == 0
        assert panel.import_button.isEnabled()
        box.close()

    books.qloop.run(scenario())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screens(books: Books, tmp_path: Path, theme: str) -> None:
    """Render the panel (set DESK_SCREENSHOTS to a folder to keep the pictures)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, theme)
    panel = books.panel
    d0 = books.service.days.today()

    async def scenario() -> None:
        await books.work_day(4210)
        books.sandbox.clock.advance(DAY_S)
        await books.work_day(999)
        books.sandbox.clock.advance(DAY_S)
        panel.date_to.setDate(panel.date_to.date().addDays(2))
        path = tmp_path / "statement.csv"
        path.write_text(
            "Date,Description,Withdrawals,Deposits\n"
            f"{d0 + timedelta(days=1):%Y-%m-%d},IOTPAY SETTLEMENT BATCH 0412,,42.10\n"
            f"{d0 + timedelta(days=1):%Y-%m-%d},E-TRANSFER FROM A CUSTOMER WITH A LONG NAME,,"
            "150.00\n"
            f"{d0 + timedelta(days=2):%Y-%m-%d},IOTPAY SETTLEMENT,,not a number\n",
            encoding="utf-8",
        )
        # Through the file dialog, as a person would: it offers statements, then reads one.
        QTest.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
        dialog = panel.file_dialog
        assert dialog is not None
        assert dialog.isVisible()
        assert dialog.nameFilters()[0] == "Bank statements (*.csv *.ofx *.qfx)"
        dialog.selectFile(str(path))
        dialog.accept()
        await until(lambda: panel.last_import is not None, 10, "the import")
        await until(lambda: panel.deposits.rowCount() == 2, 10, "the deposits")
        await panel.match_period()
        _shot(panel, f"deposits-{theme}")
        # In its place: the End of day page's Bank deposits tab.
        page = EndOfDayPage()
        page.resize(1100, 760)
        page.set_deposits_widget(panel)
        page.tabs.setCurrentIndex(page.deposits_tab)
        page.show()
        await until(lambda: panel.isVisible(), 5, "the tab")
        assert panel.deposits.rowCount() == 2
        _shot(page, f"deposits-on-end-of-day-{theme}")
        page.set_deposits_widget(None)
        page.close()
        page.deleteLater()

    try:
        books.qloop.run(scenario(), timeout=60)
        assert panel.deposits.rowCount() == 2
        assert panel.bad_lines.count() == 1
    finally:
        apply_theme(app, "light")


def test_a_period_too_long_is_named(books: Books) -> None:
    panel = books.panel

    async def scenario() -> None:
        await panel.load()
        panel.date_from.setDate(panel.date_to.date().addDays(-500))
        assert await panel.match_period() is None
        assert panel.message.text() == "Choose a period of 400 days at most."
        assert panel.match_button.isEnabled()

    books.qloop.run(scenario())

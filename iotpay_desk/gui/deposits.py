"""Bank deposits on the End of day page: the bank's statement imported, its deposits
matched to the business days' nets, by hand when the desk cannot decide, and undone.

:class:`DepositsPanel` shows a period (the last 30 days unless changed): its deposits
(posted on, amount, description, the day or days each pays, or "not matched") and the
business days with a net but no deposit ("no deposit yet" once their window has passed).
"Import statement…" reads a CSV, OFX or QFX file (asking whether its dates are day first
or month first when the file cannot tell), stores its deposits and lists the lines it
could not read. "Match" pairs deposits and days; a deposit and one or more days selected
can be matched by hand; "Undo match" takes a match back. Work runs on the qasync loop
(:func:`~.asyncjob.run_busy`): the window never freezes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar, final

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal.deposits import Deposit, DepositError
from iotpay_desk.journal.statements import DateOrderUnknown, StatementError, StatementPlan
from iotpay_desk.services import MoneyService
from iotpay_desk.services.deposits import (
    MAX_PERIOD_DAYS,
    DepositReport,
    ImportResult,
    MatchReport,
)

from .amounts import format_cents
from .asyncjob import async_slot, find_indicator, gone, run_busy
from .errors import Kind, UserMessage, show_message

__all__ = ["DEFAULT_PERIOD_DAYS", "DepositsPanel"]

DEFAULT_PERIOD_DAYS = 30
POSTED, AMOUNT, DESCRIPTION, PAYS, DIFFERENCE = range(5)
DAY, NET, STATE = range(3)
ID_ROLE = Qt.ItemDataRole.UserRole
_NONE = "—"

T = TypeVar("T")


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _short(d: date) -> str:
    return QLocale().toString(_qdate(d), QLocale.FormatType.ShortFormat)


def _fill(text: str, args: Sequence[str]) -> str:
    for i, a in enumerate(args, 1):
        text = text.replace(f"%{i}", a)
    return text


def problem_text(exc: StatementError | DepositError) -> str:
    """The translated text of a statement refused or a deposit change refused."""
    if isinstance(exc, StatementError):
        reason = _fill(QCoreApplication.translate("Statement", exc.reason), exc.args_)
        return (
            QCoreApplication.translate("DepositsPanel", "“%1” cannot be imported: %2")
            .replace("%1", exc.file_name)
            .replace("%2", reason)
        )
    return _fill(QCoreApplication.translate("Deposits", exc.reason), exc.args_)


class _Refused:
    """A statement or deposit change refused, to show (not an internal error)."""

    def __init__(self, exc: StatementError | DepositError) -> None:
        self.exc = exc


@final
class DepositsPanel(QWidget):
    """Bank deposits of a period and the days they pay. Signal ``changed`` after an
    import, a match or an undo (what else shows the deposits may read them again)."""

    changed = Signal()

    def __init__(self, money: MoneyService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deposits-panel")
        self._money = money
        self.report: DepositReport | None = None
        self.last_import: ImportResult | None = None
        self.last_plan: StatementPlan | None = None
        self.ambiguous_ids: set[int] = set()
        self.file_dialog: QFileDialog | None = None
        self.date_order_box: QMessageBox | None = None
        self._reads = 0

        intro = QLabel(
            self.tr(
                "Import the bank's statement (CSV, OFX or QFX) and match its deposits to the "
                "business days' nets: a deposit pays one day, or a weekend's days together."
            ),
            self,
        )
        intro.setWordWrap(True)

        self.date_from = QDateEdit(self)
        self.date_from.setObjectName("deposits-from")
        self.date_to = QDateEdit(self)
        self.date_to.setObjectName("deposits-to")
        today = self._today()
        for edit, d in (
            (self.date_from, today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)),
            (self.date_to, today),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(_qdate(d))
        from_label = QLabel(self.tr("&From:"), self)
        from_label.setBuddy(self.date_from)
        to_label = QLabel(self.tr("&To:"), self)
        to_label.setBuddy(self.date_to)

        self.import_button = QPushButton(self.tr("&Import statement…"), self)
        self.import_button.setObjectName("deposits-import")
        self.match_button = QPushButton(self.tr("&Match"), self)
        self.match_button.setObjectName("deposits-match")
        self.match_button.setToolTip(
            self.tr("Match the period's deposits to its days by date and amount")
        )
        top = QHBoxLayout()
        top.addWidget(from_label)
        top.addWidget(self.date_from)
        top.addWidget(to_label)
        top.addWidget(self.date_to)
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.match_button)

        self.summary = QLabel(self)
        self.summary.setObjectName("deposits-summary")
        self.summary.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("deposits-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)
        self._read_problem = False  # the message says the last read failed
        self.bad_title = QLabel(self.tr("Lines not imported:"), self)
        self.bad_lines = QListWidget(self)
        self.bad_lines.setObjectName("deposits-bad-lines")
        self.bad_title.setBuddy(self.bad_lines)
        for w in (self.bad_title, self.bad_lines):
            w.setVisible(False)

        # -- deposits -----------------------------------------------------------------------
        self.deposits = QTableWidget(0, 5, self)
        self.deposits.setObjectName("deposits-table")
        self.deposits.setHorizontalHeaderLabels(
            [
                self.tr("Posted"),
                self.tr("Amount"),
                self.tr("Description"),
                self.tr("Pays business day(s)"),
                self.tr("Difference"),
            ]
        )
        self._table_look(self.deposits)
        self.deposits.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.deposits.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        deposits_label = QLabel(self.tr("D&eposits:"), self)
        deposits_label.setBuddy(self.deposits)

        # -- days without a deposit -------------------------------------------------------------
        self.days = QTableWidget(0, 3, self)
        self.days.setObjectName("deposits-days")
        self.days.setHorizontalHeaderLabels(
            [self.tr("Business day"), self.tr("Net"), self.tr("Deposit")]
        )
        self._table_look(self.days)
        self.days.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.days.horizontalHeader().setSectionResizeMode(STATE, QHeaderView.ResizeMode.Stretch)
        days_label = QLabel(self.tr("Days &without a deposit:"), self)
        days_label.setBuddy(self.days)

        self.by_hand_button = QPushButton(self.tr("Match by &hand"), self)
        self.by_hand_button.setObjectName("deposits-by-hand")
        self.by_hand_button.setToolTip(
            self.tr("Match the selected deposit to the selected day or days")
        )
        self.undo_button = QPushButton(self.tr("&Undo match"), self)
        self.undo_button.setObjectName("deposits-undo")
        self.undo_button.setToolTip(self.tr("Take back the selected deposit's match"))

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(deposits_label)
        lv.addWidget(self.deposits, 1)
        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(days_label)
        rv.addWidget(self.days, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(left)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.by_hand_button)
        bottom.addWidget(self.undo_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.bad_title)
        layout.addWidget(self.bad_lines)
        layout.addWidget(self.split, 1)
        layout.addLayout(bottom)

        for a, b in (
            (self.date_from, self.date_to),
            (self.date_to, self.import_button),
            (self.import_button, self.match_button),
            (self.match_button, self.deposits),
            (self.deposits, self.days),
            (self.days, self.by_hand_button),
            (self.by_hand_button, self.undo_button),
        ):
            QWidget.setTabOrder(a, b)

        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(300)
        self._pause.timeout.connect(self.refresh)
        self.date_from.dateChanged.connect(self._pause.start)
        self.date_to.dateChanged.connect(self._pause.start)
        self.import_button.clicked.connect(self.ask_file)
        self.match_button.clicked.connect(self.match)
        self.by_hand_button.clicked.connect(self.match_by_hand)
        self.undo_button.clicked.connect(self.undo)
        self.deposits.itemSelectionChanged.connect(self._update_buttons)
        self.days.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()
        self._show_summary()

    # ------------------------------------------------------------------ wiring

    def set_service(self, money: MoneyService | None) -> None:
        """The service of the profile now open (None: none); the list is read again."""
        self._money = money
        self.report = None
        self._show_report(None)
        if money is not None:
            today = self._today()
            self.date_to.setDate(_qdate(today))
            self.date_from.setDate(_qdate(today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)))
            self._pause.start()
        self._update_buttons()

    def _period_problem(self) -> bool:
        """Say so and True when the period is longer than the service matches at once."""
        first, last = self.period()
        if (last - first).days < MAX_PERIOD_DAYS:
            return False
        self._say(
            self.tr("Choose a period of %1 days at most.").replace("%1", str(MAX_PERIOD_DAYS))
        )
        return True

    def period(self) -> tuple[date, date]:
        first, last = _pydate(self.date_from.date()), _pydate(self.date_to.date())
        return (first, last) if first <= last else (last, first)

    def _today(self) -> date:
        if self._money is not None:
            return self._money.days.today()
        return _pydate(QDate.currentDate())

    def _controls(self) -> list[QWidget]:
        return [self.import_button, self.match_button, self.by_hand_button, self.undo_button]

    async def _attempt(self, work: Awaitable[T]) -> T | _Refused:
        try:
            return await work
        except (StatementError, DepositError) as exc:
            return _Refused(exc)

    def _refused(self, refused: _Refused) -> None:
        text = problem_text(refused.exc)
        self._say(text)
        show_message(self, UserMessage(Kind.USER, text))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------------ reading

    @async_slot()
    async def refresh(self) -> None:
        await self.load()

    def reload(self) -> None:
        """Read the period again (when the ledger is back, after another page's change)."""
        self._pause.stop()
        self.refresh()

    async def load(self) -> None:
        """Read the period's deposits and days again."""
        money = self._money
        if money is None or self._period_problem():
            return
        first, last = self.period()
        self._reads += 1
        mine = self._reads
        # Reading holds no button back (reading is harmless); only the newest read shows.
        # A read that fails (the shared ledger away: its banner says so) is said here,
        # never in a box.
        result = await run_busy(
            [],
            money.deposits.report(first, last),
            progress_text=self.tr("Reading the deposits…"),
            busy=find_indicator([self]),
            parent=self,
            on_error=self._read_failed,
        )
        if gone(self) or result.value is None or mine != self._reads:
            return
        if self._read_problem:
            self._read_problem = False
            self._say("")
        self._show_report(result.value)

    def _read_failed(self, message: UserMessage) -> None:
        self._read_problem = True
        self._say(self.tr("The deposits could not be read: %1").replace("%1", message.text))

    # ------------------------------------------------------------------ import

    def ask_file(self) -> None:
        """Choose a statement (``open()``: the window keeps working meanwhile)."""
        dialog = QFileDialog(
            self,
            self.tr("Import a bank statement"),
            "",
            self.tr("Bank statements (*.csv *.ofx *.qfx);;CSV files (*.csv);;All files (*)"),
        )
        dialog.setObjectName("deposits-file-dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.load_file)
        self.file_dialog = dialog
        dialog.open()

    @async_slot(str)
    async def load_file(self, path: str) -> None:
        if path:
            await self.import_path(Path(path))

    async def import_path(self, path: Path) -> ImportResult | None:
        """Read ``path``, ask for the date order if the file leaves it open, store its
        deposits and show what was added and which lines were not read."""
        money = self._money
        if money is None:
            return None
        self._say("")
        date_order: str | None = None
        while True:
            read = await run_busy(
                self._controls(),
                self._attempt(money.deposits.read_statement(path, date_order=date_order)),
                progress_text=self.tr("Reading the statement…"),
                parent=self,
            )
            if gone(self) or read.value is None:
                return None
            value = read.value
            if isinstance(value, _Refused) and isinstance(value.exc, DateOrderUnknown):
                if date_order is not None:
                    self._refused(value)
                    return None
                date_order = await self.ask_date_order(value.exc)
                if date_order is None or gone(self):
                    return None
                continue
            if isinstance(value, _Refused):
                self._refused(value)
                return None
            plan = value
            break
        stored = await run_busy(
            self._controls(),
            money.deposits.import_statement(plan),
            progress_text=self.tr("Importing the statement…"),
            parent=self,
        )
        if gone(self) or stored.value is None:
            return None
        result = stored.value
        self.last_plan, self.last_import = plan, result
        self._say(
            self.tr(
                "%1: deposits added: %2; already in the ledger: %3; withdrawals left out: %4; "
                "lines not imported: %5."
            )
            .replace("%1", result.file_name)
            .replace("%2", str(result.added))
            .replace("%3", str(result.already))
            .replace("%4", str(result.withdrawals))
            .replace("%5", str(result.bad_lines))
        )
        self.bad_lines.clear()
        for bad in plan.bad_lines:
            reason = _fill(QCoreApplication.translate("Statement", bad.reason), bad.args)
            self.bad_lines.addItem(
                self.tr("Line %1: %2").replace("%1", str(bad.line)).replace("%2", reason)
            )
        rows = min(max(len(plan.bad_lines), 1), 5)
        self.bad_lines.setFixedHeight(
            rows * self.bad_lines.sizeHintForRow(0) + 2 * self.bad_lines.frameWidth() + 4
        )
        for w in (self.bad_title, self.bad_lines):
            w.setVisible(bool(plan.bad_lines))
        self.changed.emit()
        await self.load()
        return result

    async def ask_date_order(self, exc: DateOrderUnknown) -> str | None:
        """Ask whether the file's dates are day first or month first; None: cancelled."""
        digits = [int(p) for p in exc.example.replace("-", "/").replace(".", "/").split("/")]
        box = QMessageBox(self)
        box.setObjectName("deposits-date-order")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Dates in the statement"))
        box.setText(
            self.tr(
                "In “%1” every date could be day first or month first (for example “%2”). "
                "How does your bank write dates?"
            )
            .replace("%1", exc.file_name)
            .replace("%2", exc.example)
        )
        choices: dict[object, str] = {}
        readings: list[str] = []
        for order, text, reading in (
            ("dmy", self.tr("&Day first"), self.tr("Day first: “%1” is %2")),
            ("mdy", self.tr("&Month first"), self.tr("Month first: “%1” is %2")),
        ):
            a, b, y = digits if len(digits) == 3 else (1, 1, 2000)
            day, month = (a, b) if order == "dmy" else (b, a)
            shown = QLocale().toString(QDate(y, month, day), QLocale.FormatType.LongFormat)
            readings.append(reading.replace("%1", exc.example).replace("%2", shown))
            button = box.addButton(text, QMessageBox.ButtonRole.AcceptRole)
            button.setObjectName(f"date-order-{order}")
            choices[button] = order
        box.setInformativeText("\n".join(readings))
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

        def done(_: int) -> None:
            if not answer.done():
                answer.set_result(choices.get(box.clickedButton()))

        box.finished.connect(done)
        self.date_order_box = box
        box.open()
        try:
            return await answer
        finally:
            self.date_order_box = None

    # ------------------------------------------------------------------ matching

    @async_slot()
    async def match(self) -> None:
        await self.match_period()

    async def match_period(self) -> MatchReport | None:
        money = self._money
        if money is None or self._period_problem():
            return None
        first, last = self.period()
        self._reads += 1  # a read begun before the match would show the days unmatched
        result = await run_busy(
            self._controls(),
            self._attempt(money.deposits.match(first, last)),
            progress_text=self.tr("Matching deposits to days…"),
            parent=self,
        )
        if gone(self) or result.value is None:
            return None
        if isinstance(result.value, _Refused):
            self._refused(result.value)
            return None
        report = result.value
        self.ambiguous_ids = {i for a in report.ambiguous for i in a.deposit_ids}
        text = self.tr("Deposits matched now: %1.").replace("%1", str(len(report.matched)))
        if report.ambiguous:
            text += " " + self.tr(
                "Deposits that could pay more than one day: %1 (marked; match them by hand)."
            ).replace("%1", str(len(self.ambiguous_ids)))
        self._say(text)
        self._show_report(report.report)
        if report.matched:
            self.changed.emit()
        return report

    @async_slot()
    async def match_by_hand(self) -> None:
        await self.match_selected()

    async def match_selected(self) -> Deposit | None:
        money = self._money
        deposit = self.selected_deposit()
        days = self.selected_days()
        if money is None or deposit is None or deposit.matched or not days:
            return None
        result = await run_busy(
            self._controls(),
            self._attempt(money.deposits.match_by_hand(deposit.id, days)),
            progress_text=self.tr("Matching by hand…"),
            parent=self,
        )
        if gone(self) or result.value is None:
            return None
        if isinstance(result.value, _Refused):
            self._refused(result.value)
            return None
        self.ambiguous_ids.discard(deposit.id)
        self._say("")
        self.changed.emit()
        await self.load()
        return result.value

    @async_slot()
    async def undo(self) -> None:
        await self.undo_selected()

    async def undo_selected(self) -> int | None:
        money = self._money
        deposit = self.selected_deposit()
        if money is None or deposit is None or not deposit.matched:
            return None
        result = await run_busy(
            self._controls(),
            self._attempt(money.deposits.unmatch(deposit.id)),
            progress_text=self.tr("Undoing the match…"),
            parent=self,
        )
        if gone(self) or result.value is None:
            return None
        if isinstance(result.value, _Refused):
            self._refused(result.value)
            return None
        self._say("")
        self.changed.emit()
        await self.load()
        return result.value

    # ------------------------------------------------------------------ showing

    def selected_deposit(self) -> Deposit | None:
        rows = self.deposits.selectionModel().selectedRows()
        if not rows or self.report is None:
            return None
        item = self.deposits.item(rows[0].row(), POSTED)
        wanted = item.data(ID_ROLE) if item is not None else None
        return next((d for d in self.report.deposits if d.id == wanted), None)

    def selected_days(self) -> list[date]:
        out: list[date] = []
        for index in self.days.selectionModel().selectedRows():
            item = self.days.item(index.row(), DAY)
            if item is not None:
                out.append(date.fromisoformat(str(item.data(ID_ROLE))))
        return sorted(out)

    def select_deposit(self, deposit_id: int) -> None:
        for row in range(self.deposits.rowCount()):
            item = self.deposits.item(row, POSTED)
            if item is not None and item.data(ID_ROLE) == deposit_id:
                self.deposits.selectRow(row)
                return

    def select_days(self, days: Sequence[date]) -> None:
        self.days.clearSelection()
        wanted = {d.isoformat() for d in days}
        model = self.days.selectionModel()
        for row in range(self.days.rowCount()):
            item = self.days.item(row, DAY)
            if item is not None and item.data(ID_ROLE) in wanted:
                model.select(
                    self.days.model().index(row, 0),
                    model.SelectionFlag.Select | model.SelectionFlag.Rows,
                )

    def deposit_cells(self, row: int) -> list[str]:
        return [self._text(self.deposits, row, c) for c in range(self.deposits.columnCount())]

    def day_cells(self, row: int) -> list[str]:
        return [self._text(self.days, row, c) for c in range(self.days.columnCount())]

    @staticmethod
    def _text(table: QTableWidget, row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text() if item is not None else ""

    def _table_look(self, table: QTableWidget) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setHighlightSections(False)

    def _show_report(self, report: DepositReport | None) -> None:
        kept = self.selected_deposit()
        self.report = report
        deposits = report.deposits if report is not None else ()
        self.deposits.setRowCount(len(deposits))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, d in enumerate(deposits):
            if d.matched:
                pays = ", ".join(_short(m.day) for m in d.matches)
                if any(m.how == "manual" for m in d.matches):
                    pays = self.tr("%1 (by hand)").replace("%1", pays)
                diff = format_cents(d.difference_cents) if d.difference_cents else _NONE
            elif d.id in self.ambiguous_ids:
                pays = self.tr("not matched: could pay more than one day")
                diff = _NONE
            else:
                pays = self.tr("not matched")
                diff = _NONE
            cells = [_short(d.posted_on), format_cents(d.amount_cents), d.description, pays, diff]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                # Shown as text, never as anything else (a cell may look like a formula).
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column in (AMOUNT, DIFFERENCE):
                    item.setTextAlignment(right)
                if column == POSTED:
                    item.setData(ID_ROLE, d.id)
                if column == DESCRIPTION:
                    item.setToolTip(
                        self.tr("%1 (file: %2)")
                        .replace("%1", d.description)
                        .replace("%2", d.file_name)
                    )
                self.deposits.setItem(row, column, item)
        days = report.days_without_deposit if report is not None else ()
        self.days.setRowCount(len(days))
        for row, w in enumerate(days):
            if w.net_cents < 0:
                state = self.tr("refunds exceed sales: nothing to deposit")
            elif w.overdue:
                state = self.tr("no deposit yet")
            else:
                state = self.tr("deposit may still come")
            for column, text in enumerate((_short(w.day), format_cents(w.net_cents), state)):
                item = QTableWidgetItem(text)
                if column == NET:
                    item.setTextAlignment(right)
                if column == DAY:
                    item.setData(ID_ROLE, w.day.isoformat())
                self.days.setItem(row, column, item)
        if kept is not None:
            self.select_deposit(kept.id)
        self._show_summary()
        self._update_buttons()

    def _show_summary(self) -> None:
        report = self.report
        if report is None:
            self.summary.setText(
                self.tr("No statement imported for this period yet.")
                if self._money is not None
                else self.tr("Open a profile to see its deposits.")
            )
            return
        overdue = sum(1 for w in report.days_without_deposit if w.overdue)
        self.summary.setText(
            self.tr(
                "Deposits: %1 (matched: %2, not matched: %3). Days without a deposit: %4 "
                "(overdue: %5)."
            )
            .replace("%1", str(len(report.deposits)))
            .replace("%2", str(len(report.matched)))
            .replace("%3", str(len(report.unmatched)))
            .replace("%4", str(len(report.days_without_deposit)))
            .replace("%5", str(overdue))
        )

    def _update_buttons(self) -> None:
        has = self._money is not None
        deposit = self.selected_deposit()
        self.import_button.setEnabled(has)
        self.match_button.setEnabled(has)
        self.by_hand_button.setEnabled(
            has and deposit is not None and not deposit.matched and bool(self.selected_days())
        )
        self.undo_button.setEnabled(has and deposit is not None and deposit.matched)

"""The End of day page (Ctrl+D): a business day's totals, what needs attention, its charts,
reconciling it with IOTPay and closing it with its close-out report.

A business day runs from the profile's cut-off on the day before to the cut-off on the
day (the settlement batch); the page says so in words. Its widgets take the journal's
dataclasses (:meth:`EndOfDayPage.show_figures`, :meth:`~EndOfDayPage.show_attention`,
:meth:`~EndOfDayPage.show_close`, :meth:`~EndOfDayPage.show_nets`); loading them goes
through the money service's ``days`` coroutines on the qasync loop, so the GUI never
waits on the ledger. A day that cannot be read says why on the page and keeps what it
showed.

Closing the day asks first (naming the day, its net and what still needs attention),
closes it through the service, then offers to save the close-out PDF. A closed day says
who closed it, when and on which desk, and warns when an order of the day changed after
(:meth:`iotpay_desk.services.days.Days.changes_since_close`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, TypeVar, final

from PySide6.QtCore import QDate, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal.days import (
    AttentionItem,
    DailyNet,
    DayAlreadyClosed,
    DayChange,
    DayClose,
    DayFigures,
    DayLine,
    business_day_of,
    day_bounds,
)
from iotpay_desk.services import MoneyService
from iotpay_desk.services.days import CHART_DAYS
from iotpay_desk.services.receipts import Merchant
from iotpay_desk.services.rules import DEFAULT_CUTOFF, TORONTO

from .amounts import format_cents
from .asyncjob import JobResult, async_slot, find_indicator, gone, run_busy
from .charts import BrandChart, NetChart, brand_chart_image, net_chart_image
from .closeout import (
    BRAND_CHART,
    NET_CHART,
    attention_text,
    brand_name,
    change_text,
    closeout_file_name,
    closeout_html,
    day_words,
    detail_text,
    group_name,
    kind_text,
    order_state_text,
    translate_closeout,
    write_closeout_pdf,
)
from .errors import describe
from .pagekit import page_title
from .receipt import default_paper, merchant_for
from .theme import is_dark
from .words import local_time, zone_note

__all__ = ["PERIODS", "EndOfDayPage"]

log = logging.getLogger(__name__)

#: The chart periods offered (days).
PERIODS = CHART_DAYS
#: At most this many changes after the close are listed on the page (the report has all).
CHANGES_SHOWN = 3
ITEM_ROLE = Qt.ItemDataRole.UserRole
T = TypeVar("T")
_NONE = "—"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


def _readonly_table(parent: QWidget, name: str, headings: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headings), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headings))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    first = table.horizontalHeaderItem(0)
    if first is not None:
        first.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def _cell(text: str, *, right: bool = False, bold: bool = False, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    item.setToolTip(tip or text)
    return item


def _fit_tables(tables: Sequence[QTableWidget]) -> None:
    """Each table as tall as its rows (they sit in a scrolling column and never scroll
    themselves) and as wide as its contents; tables of the same columns get the same
    widths, so their figures line up one under the other."""
    if not tables:
        return
    columns = tables[0].columnCount()
    widths = [0] * columns
    for table in tables:
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(False)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        pad = table.fontMetrics().horizontalAdvance("M")
        for c in range(columns):
            need = max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) + pad
            widths[c] = max(widths[c], need)
    for table in tables:
        header = table.horizontalHeader()
        for c, width in enumerate(widths):
            header.resizeSection(c, width)
        table.resizeRowsToContents()
        frame = 2 * table.frameWidth()
        height = header.sizeHint().height() + frame
        height += sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(height)
        table.setFixedWidth(sum(widths) + frame)


@final
class EndOfDayPage(QWidget):
    """A business day's figures, what needs attention, charts, Reconcile and Close.

    Signals (GUI thread): ``reconcile_requested(date)`` when the user asks to reconcile
    the day shown with IOTPay (the window starts the job; call :meth:`reload` after it);
    ``open_order(str)`` with the IOTPay order ID to show on the Orders page (Enter or a
    double-click on what needs attention); ``day_closed(DayClose)`` once this desk closed
    a day; ``report_saved(str)`` with the path of a close-out report written.
    """

    reconcile_requested = Signal(object)
    open_order = Signal(str)
    day_closed = Signal(object)
    report_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-end-of-day")
        self._service: MoneyService | None = None
        self.tz: tzinfo = TORONTO
        self.cutoff: time = DEFAULT_CUTOFF
        self.day: date = self.today()
        self.figures: DayFigures | None = None
        self.attention: list[AttentionItem] = []
        self.day_close: DayClose | None = None
        self.changes: list[DayChange] = []
        self.nets: list[DailyNet] = []
        self.loading = False
        self._working = 0  # a close or a report being written: Close and Save wait
        self._task: asyncio.Task[None] | None = None
        self._generation = 0
        self._loaded_at: datetime | None = None
        # Changes come in bursts (a refund: intent, then its answer): one read after them.
        self._stale_timer = QTimer(self)
        self._stale_timer.setSingleShot(True)
        self._stale_timer.setInterval(500)
        self._stale_timer.timeout.connect(self.reload)
        self.question: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        self.deposits_widget: QWidget | None = None

        # -- the day -----------------------------------------------------------------------
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("eod-date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(_qdate(self.day))
        self.date_edit.setAccessibleName(self.tr("Business day"))
        day_label = QLabel(self.tr("Business &day:"), self)
        day_label.setBuddy(self.date_edit)
        self.previous_button = QPushButton(self.tr("◀ &Previous day"), self)
        self.previous_button.setObjectName("eod-previous")
        self.previous_button.setToolTip(self.tr("The business day before (Alt+Left)"))
        self.next_button = QPushButton(self.tr("&Next day ▶"), self)
        self.next_button.setObjectName("eod-next")
        self.next_button.setToolTip(self.tr("The business day after (Alt+Right)"))
        self.today_button = QPushButton(self.tr("T&oday"), self)
        self.today_button.setObjectName("eod-today")
        self.today_button.setToolTip(self.tr("The business day now, by the profile's cut-off"))
        self.previous_button.clicked.connect(lambda: self.set_day(self.day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.set_day(self.day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.set_day(self.today()))
        self.date_edit.dateChanged.connect(lambda d: self.set_day(_pydate(d)))
        for key, step in ((Qt.Key.Key_Left, -1), (Qt.Key.Key_Right, 1)):
            shortcut = QShortcut(QKeySequence(Qt.Modifier.ALT | key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: self.set_day(self.day + timedelta(days=s)))
        day_row = QHBoxLayout()
        day_row.addWidget(day_label)
        day_row.addWidget(self.date_edit)
        day_row.addWidget(self.previous_button)
        day_row.addWidget(self.next_button)
        day_row.addWidget(self.today_button)
        day_row.addStretch(1)

        self.bounds = QLabel(self)
        self.bounds.setObjectName("eod-bounds")
        self.bounds.setWordWrap(True)

        # -- actions -----------------------------------------------------------------------
        self.reconcile_button = QPushButton(self.tr("&Reconcile with IOTPay"), self)
        self.reconcile_button.setObjectName("eod-reconcile")
        self.reconcile_button.setToolTip(
            self.tr("Check every order of the day with IOTPay and list the differences")
        )
        self.close_button = QPushButton(self.tr("C&lose the day…"), self)
        self.close_button.setObjectName("eod-close")
        self.save_button = QPushButton(self.tr("Sa&ve report…"), self)
        self.save_button.setObjectName("eod-save")
        self.save_button.setToolTip(self.tr("Save the day's close-out report as PDF"))
        self.reconcile_button.clicked.connect(lambda: self.reconcile_requested.emit(self.day))
        self.close_button.clicked.connect(self.ask_close)
        self.save_button.clicked.connect(self.ask_save)

        # -- state -------------------------------------------------------------------------
        self.state = QLabel(self)
        self.state.setObjectName("eod-state")
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        action_row = QHBoxLayout()
        action_row.addWidget(self.reconcile_button)
        action_row.addWidget(self.close_button)
        action_row.addWidget(self.save_button)
        action_row.addWidget(self.state, 1)
        self.changed = QLabel(self)
        self.changed.setObjectName("eod-changed")
        self.changed.setWordWrap(True)
        self.changed.setTextFormat(Qt.TextFormat.PlainText)
        self.changed.setFrameShape(QFrame.Shape.StyledPanel)
        self.changed.setVisible(False)
        self.problem = QLabel(self)
        self.problem.setObjectName("eod-problem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setVisible(False)
        self.message = QLabel(self)
        self.message.setObjectName("eod-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)

        # -- the Day tab: totals and breakdowns --------------------------------------------
        self.summary = QLabel(self)
        self.summary.setObjectName("eod-summary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.summary.setFont(font)
        self.totals = _readonly_table(
            self, "eod-totals", [self.tr("What"), self.tr("Count"), self.tr("Amount")]
        )
        line_heads = [
            self.tr("Orders"),
            self.tr("Sales"),
            self.tr("Refunds"),
            self.tr("Voids"),
            self.tr("Net"),
        ]
        self.by_brand = _readonly_table(self, "eod-by-brand", [self.tr("Card brand"), *line_heads])
        self.by_operator = _readonly_table(
            self, "eod-by-operator", [self.tr("Operator"), *line_heads]
        )
        self.by_desk = _readonly_table(self, "eod-by-desk", [self.tr("Desk"), *line_heads])
        figures = QWidget(self)
        column = QVBoxLayout(figures)
        column.addWidget(self.summary)
        for heading, table in (
            (self.tr("Totals"), self.totals),
            (self.tr("By card brand"), self.by_brand),
            (self.tr("By operator"), self.by_operator),
            (self.tr("By desk"), self.by_desk),
        ):
            title = QLabel(heading, figures)
            title_font = title.font()
            title_font.setBold(True)
            title.setFont(title_font)
            column.addWidget(title)
            column.addWidget(table)
            table.setAccessibleName(heading)
        column.addStretch(1)
        self.figures_area = QScrollArea(self)
        self.figures_area.setObjectName("eod-figures")
        self.figures_area.setWidgetResizable(True)
        self.figures_area.setFrameShape(QFrame.Shape.NoFrame)
        self.figures_area.setWidget(figures)

        # -- the attention tab -------------------------------------------------------------
        self.attention_table = _readonly_table(
            self,
            "eod-attention",
            [
                self.tr("What needs attention"),
                self.tr("Order number"),
                self.tr("Amount"),
                self.tr("Time"),
                self.tr("Detail"),
                self.tr("IOTPay order ID"),
            ],
        )
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        for c in range(self.attention_table.columnCount()):
            head_item = self.attention_table.horizontalHeaderItem(c)
            if head_item is not None and c != 2:  # the amount stays on the right
                head_item.setTextAlignment(left)
        self.attention_table.setAccessibleName(self.tr("What needs attention"))
        att_header = self.attention_table.horizontalHeader()
        att_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        att_header.setStretchLastSection(True)
        self.attention_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.attention_table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.attention_table.installEventFilter(self)
        attention_hint = QLabel(
            self.tr("Double-click an order (or press Enter) to open it on the Orders page."),
            self,
        )
        attention_hint.setWordWrap(True)
        attention_tab = QWidget(self)
        att_layout = QVBoxLayout(attention_tab)
        att_layout.addWidget(attention_hint)
        att_layout.addWidget(self.attention_table, 1)

        # -- the charts tab ----------------------------------------------------------------
        self.period = QComboBox(self)
        self.period.setObjectName("eod-period")
        for days in PERIODS:
            self.period.addItem(self.tr("%1 days").replace("%1", str(days)), days)
        period_label = QLabel(self.tr("Sho&w:"), self)
        period_label.setBuddy(self.period)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.net_chart = NetChart(self)
        self.brand_chart = BrandChart(brand_name, self)
        period_row = QHBoxLayout()
        period_row.addWidget(period_label)
        period_row.addWidget(self.period)
        period_row.addStretch(1)
        fm = self.fontMetrics()
        self.net_chart.setMinimumHeight(fm.height() * 15)
        self.brand_chart.setMinimumHeight(fm.height() * 12)
        charts = QWidget(self)
        charts_layout = QVBoxLayout(charts)
        charts_layout.addLayout(period_row)
        charts_layout.addWidget(self.net_chart, 3)
        charts_layout.addWidget(self.brand_chart, 2)
        charts_tab = QScrollArea(self)
        charts_tab.setObjectName("eod-charts")
        charts_tab.setWidgetResizable(True)
        charts_tab.setFrameShape(QFrame.Shape.NoFrame)
        charts_tab.setWidget(charts)

        # -- tabs --------------------------------------------------------------------------
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("eod-tabs")
        self.day_tab = self.tabs.addTab(self.figures_area, self.tr("Day"))
        self.attention_tab = self.tabs.addTab(attention_tab, "")
        self.charts_tab = self.tabs.addTab(charts_tab, self.tr("Chart&s"))
        self.deposits_holder = QWidget(self)
        QVBoxLayout(self.deposits_holder)
        self.deposits_tab = self.tabs.addTab(self.deposits_holder, self.tr("&Bank deposits"))
        self.tabs.setTabVisible(self.deposits_tab, False)

        layout = QVBoxLayout(self)
        layout.addWidget(page_title(self.tr("End of day"), self))
        layout.addLayout(day_row)
        layout.addWidget(self.bounds)
        layout.addLayout(action_row)
        layout.addWidget(self.changed)
        layout.addWidget(self.problem)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.setTabOrder(self.date_edit, self.previous_button)
        self.setTabOrder(self.previous_button, self.next_button)
        self.setTabOrder(self.next_button, self.today_button)
        self.setTabOrder(self.today_button, self.reconcile_button)
        self.setTabOrder(self.reconcile_button, self.close_button)
        self.setTabOrder(self.close_button, self.save_button)
        self.setTabOrder(self.save_button, self.tabs)

        self._show_bounds()
        self.show_figures(None)
        self.show_attention([])
        self.show_close(None, [])
        self._update_buttons()

    # -- service, day --------------------------------------------------------------------------

    @property
    def service(self) -> MoneyService | None:
        return self._service

    def set_service(self, service: MoneyService | None) -> None:
        """The active profile's money service (None: no profile; the page is empty)."""
        self._service = service
        if service is not None:
            self.tz = service.tz
            self.cutoff = service.cutoff
        self.figures, self.attention, self.day_close, self.changes, self.nets = (
            None,
            [],
            None,
            [],
            [],
        )
        self.day = self.today()
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(_qdate(self.day))
        self.date_edit.blockSignals(False)
        self.show_figures(None)
        self.show_attention([])
        self.show_close(None, [])
        self.show_nets([])
        self._show_bounds()
        self.reload()

    def today(self) -> date:
        """The business day now (the service's, or by this page's cut-off and zone)."""
        service = self._service
        if service is not None:
            return service.days.today()
        return business_day_of(datetime.now(UTC), self.cutoff, self.tz)

    def set_day(self, day: date) -> None:
        """Show the business day ``day`` (no later than today's)."""
        day = min(day, self.today())
        if self.date_edit.date() != _qdate(day):
            self.date_edit.blockSignals(True)
            self.date_edit.setDate(_qdate(day))
            self.date_edit.blockSignals(False)
        if day == self.day and self.figures is not None:
            return
        self.day = day
        self._show_bounds()
        self.message.setVisible(False)
        self.reload()

    def _show_bounds(self) -> None:
        self.date_edit.setMaximumDate(_qdate(self.today()))
        since, until = day_bounds(self.day, self.cutoff, self.tz)
        text = (
            self.tr("%1, from %2 to %3\n%4")
            .replace("%1", day_words(self.day))
            .replace("%2", local_time(since.astimezone(self.tz)))
            .replace("%3", local_time(until.astimezone(self.tz)))
            .replace("%4", zone_note(self.tz))
        )
        self.bounds.setText(text)
        self.next_button.setEnabled(self.day < self.today())

    # -- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the day shown again (after a reconcile, when the ledger is back)."""
        self._stale_timer.stop()
        self._generation += 1
        if self._task is not None:
            self._task.cancel()
            self._task = None
        service = self._service
        if service is None:
            self.loading = False
            self._update_buttons()
            return
        self.loading = True
        self._update_buttons()
        self._task = asyncio.ensure_future(self._load(service, self.day, self._generation))

    async def _load(self, service: MoneyService, day: date, generation: int) -> None:
        days = service.days
        try:
            figures, attention, close, nets = await asyncio.gather(
                days.figures(day),
                days.attention(day),
                days.get_close(day),
                days.daily_nets(day, self.period_days()),
            )
            changes = await days.changes_since_close(day) if close is not None else []
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # said on the page; what it showed stays
            if generation == self._generation and not gone(self):
                log.info("end of day %s not read: %s", day, type(exc).__name__)
                self.loading = False
                self._show_problem(
                    self.tr("The day could not be read: %1").replace("%1", describe(exc).text)
                )
                self._update_buttons()
            return
        if generation != self._generation or gone(self):
            return
        self.loading = False
        self._loaded_at = datetime.now(UTC)
        self._show_problem("")
        self.show_figures(figures)
        self.show_attention(attention)
        self.show_close(close, changes)
        self.show_nets(nets)
        self._update_buttons()

    def period_days(self) -> int:
        value = self.period.currentData()
        return int(value) if isinstance(value, int) else PERIODS[0]

    @async_slot()
    async def _period_changed(self) -> None:
        service = self._service
        if service is None:
            return
        day, days = self.day, self.period_days()
        try:
            nets = await service.days.daily_nets(day, days)
        except Exception as exc:
            if not gone(self):
                self._show_problem(
                    self.tr("The chart could not be read: %1").replace("%1", describe(exc).text)
                )
            return
        if not gone(self) and day == self.day and days == self.period_days():
            self.show_nets(nets)

    def mark_stale(self, *_args: object) -> None:
        """Something in the books changed (an action moved on, a notification came): the
        day shown is read again, soon if the page is on screen, else when it is shown."""
        self._loaded_at = None
        if self.isVisible() and self._service is not None:
            self._stale_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Shown again after a while (or the business day turned): read it again.
        if self._service is None or self.loading:
            return
        stale = self._loaded_at is None or datetime.now(UTC) - self._loaded_at > timedelta(
            seconds=30
        )
        if stale:
            self.reload()

    # -- showing -------------------------------------------------------------------------------

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        color = "#ff8080" if is_dark(self.palette()) else "#b3001b"
        self.problem.setStyleSheet(f"QLabel#eod-problem {{ color: {color}; }}")
        self.problem.setVisible(bool(text))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_figures(self, figures: DayFigures | None) -> None:
        """The day's totals and its breakdowns by card brand, operator and desk."""
        self.figures = figures
        total = figures.total if figures is not None else DayLine()
        if figures is None:
            self.summary.setText(
                self.tr("No profile is open.") if self._service is None else self.tr("Reading…")
            )
        else:
            self.summary.setText(
                self.tr("Net: %1 — sales %2, refunds %3, voids %4. Failed payments: %5")
                .replace("%1", format_cents(total.net_cents))
                .replace("%2", str(total.sales_count))
                .replace("%3", str(total.refunds_count))
                .replace("%4", str(total.voids_count))
                .replace("%5", str(figures.failed_count))
            )
        rows = (
            (self.tr("Sales"), total.sales_count, total.sales_cents, False),
            (self.tr("Refunds"), total.refunds_count, total.refunds_cents, False),
            (self.tr("Voids"), total.voids_count, total.voids_cents, False),
            (self.tr("Net"), total.count, total.net_cents, True),
        )
        self.totals.setRowCount(len(rows))
        for r, (label, count, cents, bold) in enumerate(rows):
            self.totals.setItem(r, 0, _cell(label, bold=bold))
            self.totals.setItem(r, 1, _cell(str(count), right=True, bold=bold))
            self.totals.setItem(r, 2, _cell(format_cents(cents), right=True, bold=bold))
        _fit_tables([self.totals])
        for table, group, lines in (
            (self.by_brand, "brand", figures.by_brand if figures else ()),
            (self.by_operator, "operator", figures.by_operator if figures else ()),
            (self.by_desk, "desk", figures.by_desk if figures else ()),
        ):
            self._fill_lines(table, group, lines)
        _fit_tables([self.by_brand, self.by_operator, self.by_desk])
        self.brand_chart.show_brands(figures.by_brand if figures is not None else ())

    def _fill_lines(self, table: QTableWidget, group: str, lines: Sequence[DayLine]) -> None:
        table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            cells = (
                _cell(group_name(group, line.key)),
                _cell(str(line.count), right=True),
                self._amount(line.sales_cents, line.sales_count, self.tr("Sales: %1")),
                self._amount(line.refunds_cents, line.refunds_count, self.tr("Refunds: %1")),
                self._amount(line.voids_cents, line.voids_count, self.tr("Voids: %1")),
                _cell(format_cents(line.net_cents), right=True, bold=True),
            )
            for c, item in enumerate(cells):
                table.setItem(r, c, item)

    @staticmethod
    def _amount(cents: int, count: int, tip: str) -> QTableWidgetItem:
        if not count:
            return _cell(_NONE, right=True, tip=tip.replace("%1", "0"))
        return _cell(format_cents(cents), right=True, tip=tip.replace("%1", str(count)))

    def show_attention(self, items: Sequence[AttentionItem]) -> None:
        """What needs attention, each in words; the tab's title counts them."""
        self.attention = list(items)
        table = self.attention_table
        table.setRowCount(len(items))
        for r, item in enumerate(items):
            when = local_time(item.at.astimezone(self.tz)) if item.at is not None else _NONE
            cells = (
                _cell(attention_text(item.kind)),
                _cell(item.mch_order_no or _NONE),
                _cell(format_cents(item.amount_cents), right=True),
                _cell(when),
                _cell(detail_text(item.kind, item.detail, format_cents) or _NONE),
                _cell(item.pay_order_id or _NONE),
            )
            for c, cell in enumerate(cells):
                if c == 0:
                    cell.setData(ITEM_ROLE, item)
                table.setItem(r, c, cell)
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        self.tabs.setTabText(
            self.attention_tab,
            self.tr("Needs &attention (%1)").replace("%1", str(len(items))),
        )
        self._update_buttons()

    def show_close(self, close: DayClose | None, changes: Sequence[DayChange]) -> None:
        """Whether the day is closed (by whom, when, on which desk) and what changed in it
        since it was closed."""
        self.day_close = close
        self.changes = list(changes)
        if close is None:
            self.state.setText(self.tr("Not closed yet.") if self._service is not None else "")
        else:
            self.state.setText(
                self.tr("Closed by %1 at %2 on desk %3.")
                .replace("%1", close.operator or _NONE)
                .replace("%2", local_time(close.closed_at.astimezone(self.tz)))
                .replace("%3", close.desk or _NONE)
            )
        self.state.setVisible(bool(self.state.text()))
        if close is not None and changes:
            lines = [
                self.tr(
                    "Changed after it was closed. Orders not as they were when the day was "
                    "closed: %1. The close-out report lists them all."
                ).replace("%1", str(len(changes)))
            ]
            for change in changes[:CHANGES_SHOWN]:
                lines.append(
                    self.tr("• %1 %2 — %3: %4 → %5")
                    .replace("%1", kind_text(change.kind))
                    .replace("%2", change.pay_order_id)
                    .replace("%3", change_text(change.what))
                    .replace("%4", order_state_text(change.before, format_cents))
                    .replace("%5", order_state_text(change.after, format_cents))
                )
            if len(changes) > CHANGES_SHOWN:
                lines.append(
                    self.tr("…and %1 more.").replace("%1", str(len(changes) - CHANGES_SHOWN))
                )
            self.changed.setText("\n".join(lines))
            dark = is_dark(self.palette())
            colors = ("#3d2a00", "#ffd27a") if dark else ("#fff4d6", "#5c3d00")
            self.changed.setStyleSheet(
                f"QLabel#eod-changed {{ background: {colors[0]}; color: {colors[1]};"
                " padding: 0.4em; }"
            )
            self.changed.setVisible(True)
        else:
            self.changed.clear()
            self.changed.setVisible(False)
        self._update_buttons()

    def show_nets(self, nets: Sequence[DailyNet]) -> None:
        """The daily nets of the period on the chart."""
        self.nets = list(nets)
        self.net_chart.show_nets(self.nets)

    def _update_buttons(self) -> None:
        ready = (
            self._service is not None
            and self.figures is not None
            and not self.loading
            and not self._working
        )
        self.reconcile_button.setEnabled(self._service is not None)
        self.close_button.setEnabled(ready and self.day_close is None)
        self.close_button.setToolTip(
            self.tr("This day is closed.")
            if self.day_close is not None
            else self.tr("Keep the day's figures as they are now and save its report")
        )
        self.save_button.setEnabled(ready)

    # -- deposits ------------------------------------------------------------------------------

    def set_deposits_widget(self, widget: QWidget | None) -> None:
        """Put the bank deposits panel on the page, in its own tab (None: take it away)."""
        layout = self.deposits_holder.layout()
        assert layout is not None
        if self.deposits_widget is not None:
            layout.removeWidget(self.deposits_widget)
            self.deposits_widget.setParent(None)
        self.deposits_widget = widget
        if widget is not None:
            layout.addWidget(widget)
        self.tabs.setTabVisible(self.deposits_tab, widget is not None)

    # -- attention: open an order --------------------------------------------------------------

    def _open_row(self, row: int) -> None:
        cell = self.attention_table.item(row, 0)
        item = cell.data(ITEM_ROLE) if cell is not None else None
        if isinstance(item, AttentionItem) and item.pay_order_id:
            self.open_order.emit(item.pay_order_id)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if (
            watched is self.attention_table
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._open_row(self.attention_table.currentRow())
            return True
        return super().eventFilter(watched, event)

    # -- closing -------------------------------------------------------------------------------

    async def _run(self, work: Awaitable[T], text: str) -> JobResult[T]:
        """``work`` with its progress in the window's status bar and a failure said in a
        message box; Close and Save wait meanwhile (whatever a reload does to them)."""
        self._working += 1
        self._update_buttons()
        try:
            return await run_busy(
                [], work, progress_text=text, busy=find_indicator([self]), parent=self
            )
        finally:
            self._working -= 1
            if not gone(self):
                self._update_buttons()

    def close_question(self) -> QMessageBox:
        """The question asked before closing the day shown (not shown yet)."""
        net = self.figures.total.net_cents if self.figures is not None else 0
        box = QMessageBox(self)
        box.setObjectName("close-day-question")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Close the day"))
        box.setText(self.tr("Close the business day of %1?").replace("%1", day_words(self.day)))
        lines = [
            self.tr("Net: %1").replace("%1", format_cents(net)),
            self.tr("Still needing attention: %1").replace("%1", str(len(self.attention))),
            "",
        ]
        if self.day >= self.today():
            _since, until = day_bounds(self.day, self.cutoff, self.tz)
            lines += [
                self.tr(
                    "This business day is not over: it ends at %1. Orders made until then will "
                    "be flagged as changes after the close."
                ).replace("%1", local_time(until.astimezone(self.tz))),
                "",
            ]
        lines += [
            self.tr(
                "Its figures are kept as they are now and cannot be closed again; any later "
                "change to its orders is flagged on this page and in its report."
            ),
        ]
        box.setInformativeText("\n".join(lines))
        self.confirm_button = box.addButton(
            self.tr("&Close the day"), QMessageBox.ButtonRole.AcceptRole
        )
        self.confirm_button.setObjectName("close-day-confirm")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        return box

    def ask_close(self) -> None:
        """Close the day… : ask (window-modal, ``open()``), then close it."""
        if self._service is None or self.figures is None or self.day_close is not None:
            return
        box = self.close_question()
        box.buttonClicked.connect(
            lambda button, day=self.day: (
                self.close_day(day) if button is self.confirm_button else None
            )
        )
        self.question = box
        box.open()

    @async_slot(object)
    async def close_day(self, day: date) -> None:
        """Close ``day`` through the service, show it closed and offer to save its report."""
        service = self._service
        if service is None:
            return
        self.question = None

        async def work() -> DayClose | DayAlreadyClosed:
            try:
                return await service.days.close_day(day)
            except DayAlreadyClosed as exc:
                return exc

        result = await self._run(work(), self.tr("Closing the day…"))
        if gone(self):
            return
        closed = result.value
        if isinstance(closed, DayAlreadyClosed):
            self._say(
                self.tr("This day was already closed by %1 on desk %2.")
                .replace("%1", closed.operator or _NONE)
                .replace("%2", closed.desk or _NONE)
            )
            if day == self.day:
                self.reload()
            return
        if closed is None:
            return
        log.info("business day %s closed", day.isoformat())
        self.day_closed.emit(closed)
        if day == self.day:
            self.show_close(closed, [])
            self.reload()
        self._say(self.tr("The day is closed. Save its close-out report now."))
        self.ask_save(title=self.tr("The day is closed — save its close-out report"))

    # -- the report ----------------------------------------------------------------------------

    def default_report_path(self) -> Path:
        docs = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        ) or str(Path.home())
        return Path(docs) / closeout_file_name(self.day)

    def ask_save(self, *, title: str = "") -> None:
        """Save report… : a save dialog (``open()``); the PDF is written once a file is
        chosen."""
        if self._service is None:
            return
        dialog = QFileDialog(
            self,
            title or self.tr("Save the close-out report"),
            str(self.default_report_path()),
            self.tr("PDF documents (*.pdf)"),
        )
        dialog.setObjectName("eod-save-dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        day = self.day
        dialog.fileSelected.connect(lambda path: self.save_report(path, day))
        self.file_dialog = dialog
        dialog.open()

    def merchant(self) -> Merchant | None:
        return merchant_for(self)

    @async_slot(str, object)
    async def save_report(self, path: str, day: date | None = None) -> None:
        """Write the close-out report of ``day`` (the day shown) to ``path``: the figures
        as closed (or as they are, for a day not closed), what needs attention, the
        changes since the close, the brand and 30-day charts. Drawn in a worker thread."""
        service = self._service
        if service is None or not path:
            return
        day = day or self.day
        result = await self._run(
            self._write_report(service, day, Path(path)), self.tr("Saving the close-out report…")
        )
        if gone(self) or result.value is None:
            return
        target = result.value
        log.info("close-out report of %s saved", day.isoformat())
        self._say(self.tr("The close-out report was saved as %1.").replace("%1", str(target)))
        self.report_saved.emit(str(target))

    async def _write_report(self, service: MoneyService, day: date, path: Path) -> Path:
        days = service.days
        close, attention, nets = await asyncio.gather(
            days.get_close(day), days.attention(day), days.daily_nets(day, 30)
        )
        figures = close.figures if close is not None else await days.figures(day)
        changes = await days.changes_since_close(day) if close is not None else []
        tz = self.tz
        now = datetime.now(UTC)
        images: dict[str, QImage] = {}
        charts: list[str] = []
        if any(line.sales_cents for line in figures.by_brand):
            images[BRAND_CHART] = brand_chart_image(
                figures.by_brand, brand_name=brand_name, title=self.tr("Sales by card brand")
            )
            charts.append(BRAND_CHART)
        if nets:
            images[NET_CHART] = net_chart_image(
                nets, title=self.tr("Daily net, the last %1 days").replace("%1", str(len(nets)))
            )
            charts.append(NET_CHART)
        html = closeout_html(
            figures,
            attention,
            close,
            changes,
            self.merchant(),
            translate_closeout,
            format_cents,
            lambda moment: local_time(moment.astimezone(tz)),
            day_text=day_words,
            zone=str(getattr(tz, "key", "") or tz),
            charts=charts,
            made_at=now,
        )
        title = self.tr("Close-out of %1").replace("%1", day.isoformat())
        footer = self.tr("Close-out of %1 — page %2 of %3").replace("%1", day.isoformat())
        footer = footer.replace("%2", "%1").replace("%3", "%2")
        return await asyncio.to_thread(
            write_closeout_pdf,
            path,
            html,
            title,
            images=images,
            paper=default_paper(),
            footer=footer,
        )

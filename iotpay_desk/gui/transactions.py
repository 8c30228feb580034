"""The Transactions page (Ctrl+T): every order in the merchant's books, newest first.

The table is a lazy model (:class:`TransactionsModel`): it asks for the next page when
the view scrolls near its end (``fetchMore``) and holds only the pages used last (a page
let go is read again by its keys when it is shown), so the books can hold a million
orders, the page still opens at once and memory stays flat however far one scrolls.
Filters combine (a period in the merchant's zone, status, kind, amount or amount range,
last four digits, operator, desk, free text); results follow typing after a short pause.
A filter that cannot be read says which box and why, and the list keeps what it showed.
Enter or a double-click opens the payment on the Orders page (for a refund or void: the
payment it returned), where Refund and Void are.
"""

from __future__ import annotations

import asyncio
import json
from bisect import bisect_right
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, final, overload

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal.books import BookEntry, BookKey, BooksFilter, FilterProblem
from iotpay_desk.services import InvalidInput, MoneyService
from iotpay_desk.services.rules import TORONTO

from .amounts import format_cents, parse_amount
from .asyncjob import gone
from .errors import describe, rule_text
from .pagekit import page_title
from .words import card_brand, local_time

__all__ = ["EXPORT_FIELDS", "PAGE_SIZE", "SavedFilter", "TransactionsModel", "TransactionsPage"]

PAGE_SIZE = 200
WHEN, KIND, ORDER_NO, IOTPAY_ID, AMOUNT, REFUNDED, STATUS, CARD, CUSTOMER, OPERATOR, DESK, WHY = (
    range(12)
)
ENTRY_ROLE = Qt.ItemDataRole.UserRole
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_NONE = "—"
_ANY = -1

Loader = Callable[[BooksFilter, BookKey | None, BookKey | None, int], Awaitable[list[BookEntry]]]
"""Reads a page: ``(filter, after, through, limit)`` (see ``Books.page``)."""

#: The export's fields (``ledger.export.FIELDS``' keys) in the order the dialog offers
#: them, and the table's columns they show.
EXPORT_FIELDS: tuple[str, ...] = (
    "at", "kind", "mch_order_no", "pay_order_id", "original_order_id", "amount", "refunded",
    "currency", "status", "card_brand", "card_last4", "card_id", "customer", "subject",
    "operator", "desk", "reason", "note", "source",
)  # fmt: skip
_COLUMN_FIELDS: dict[int, tuple[str, ...]] = {
    WHEN: ("at",),
    KIND: ("kind",),
    ORDER_NO: ("mch_order_no",),
    IOTPAY_ID: ("pay_order_id",),
    AMOUNT: ("amount",),
    REFUNDED: ("refunded",),
    STATUS: ("status",),
    CARD: ("card_brand", "card_last4"),
    CUSTOMER: ("customer",),
    OPERATOR: ("operator",),
    DESK: ("desk",),
    WHY: ("reason", "note"),
}
SAVED_NAME_MAX = 60
_SAVED_VERSION = 1
SavedFilter = dict[str, Any]
"""A saved filter: its ``name`` and its ``boxes`` as typed (text as typed, a period by
its name: "This month" stays relative, dates only for "Dates…")."""


_ENTRY_FIELDS = tuple(f.name for f in dataclass_fields(BookEntry))
_PAGES_HELD = 40  # pages of rows the table keeps read (8,000 rows: many screens)
_REREAD_LIMIT = 10_000  # rows a page read again may have grown to
_NOT_READ = "…"  # a cell whose page is being read again


def _plain(entries: Iterable[BookEntry]) -> list[tuple[Any, ...]]:
    """Entries as plain tuples (texts, numbers, times): Python's cycle collector leaves
    those alone, so rows held cost a collection nothing."""
    return [tuple(getattr(e, f) for f in _ENTRY_FIELDS) for e in entries]


@final
class _Page:
    """A run of rows in the list: those after ``start`` down to ``end`` (keys; ``start``
    None: from the newest). The pages partition the list, so a page read again between
    its keys shows what is there now and no row falls between two pages. ``rows`` is
    None while the page is not held."""

    __slots__ = ("count", "end", "reading", "rows", "start", "texts")

    def __init__(self, start: BookKey | None, end: BookKey, rows: list[tuple[Any, ...]]) -> None:
        self.start = start
        self.end = end
        self.count = len(rows)
        self.rows: list[tuple[Any, ...]] | None = rows
        self.texts: dict[int, tuple[str, ...]] = {}  # by row in the page: its cells, once shown
        self.reading = False


@final
class HeldRows(Sequence[BookEntry]):
    """The model's rows as a sequence: its length is every row known, an item a row held
    now (:class:`LookupError` for one whose page was let go: ask the model)."""

    __slots__ = ("_model",)

    def __init__(self, model: TransactionsModel) -> None:
        self._model = model

    def __len__(self) -> int:
        return self._model.rowCount()

    @overload
    def __getitem__(self, index: int) -> BookEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[BookEntry]: ...

    def __getitem__(self, index: int | slice) -> BookEntry | list[BookEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        row = self._model.held_row(index)
        if row is None:
            raise LookupError(f"row {index} is not held now")
        return BookEntry(*row)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HeldRows | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


@final
class TransactionsModel(QAbstractTableModel):
    """The books' rows for one filter, read a page at a time as the view needs them.

    :meth:`set_filter` starts over; ``fetchMore`` (from the view) reads the next page on
    the qasync loop. Only the :data:`_PAGES_HELD` pages used last are kept: a page let
    go is read again (by its keys) when the view shows one of its rows, so a million
    rows scrolled through cost what a few thousand do. Signals: ``failed(str)`` when a
    page could not be read (the rows already shown stay); ``loaded(int)`` with the row
    count after each page."""

    failed = Signal(str)
    loaded = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = HeldRows(self)
        self._pages: list[_Page] = []
        self._firsts: list[int] = []  # each page's first row
        self._total = 0
        self._held: dict[_Page, None] = {}  # pages with rows, least recently used first
        self._last_used: _Page | None = None
        self._locale = QLocale()
        self.tz: tzinfo = TORONTO
        self._loader: Loader | None = None
        self._filter = BooksFilter()
        self._more = False
        self._task: asyncio.Task[None] | None = None
        self._rereads: set[asyncio.Task[None]] = set()
        self._reading = False
        self._generation = 0
        self._headings = {
            WHEN: self.tr("Date and time"),
            KIND: self.tr("Kind"),
            ORDER_NO: self.tr("Order number"),
            IOTPAY_ID: self.tr("IOTPay order ID"),
            AMOUNT: self.tr("Amount"),
            REFUNDED: self.tr("Refunded"),
            STATUS: self.tr("Status"),
            CARD: self.tr("Card"),
            CUSTOMER: self.tr("Customer"),
            OPERATOR: self.tr("Operator"),
            DESK: self.tr("Desk"),
            WHY: self.tr("Reason or note"),
        }

    # -- reading -----------------------------------------------------------------------------

    def set_loader(self, loader: Loader | None) -> None:
        self._loader = loader
        self.set_filter(self._filter)

    @property
    def has_more(self) -> bool:
        """More rows match than are read so far."""
        return self._more

    @property
    def loading(self) -> bool:
        """The next page is being read."""
        return self._reading

    @property
    def held_pages(self) -> int:
        """Pages whose rows are held now (at most :data:`_PAGES_HELD`)."""
        return len(self._held)

    def _used(self, row: int) -> tuple[_Page, int] | None:
        """The held page of row ``row`` and the row's place in it (the page marked used
        last); None if the page is not held (it is read again)."""
        index = bisect_right(self._firsts, row) - 1
        if index < 0:
            return None
        page = self._pages[index]
        if page.rows is None:
            self._read_again(page)
            return None
        if page is not self._last_used:
            del self._held[page]
            self._held[page] = None
            self._last_used = page
        at = row - self._firsts[index]
        return (page, at) if at < page.count else None

    def held_row(self, row: int) -> tuple[Any, ...] | None:
        """Row ``row``'s fields (a :class:`BookEntry`'s, in order) if its page is held;
        else None, and the page is read again."""
        found = self._used(row)
        if found is None:
            return None
        page, at = found
        return page.rows[at] if page.rows is not None else None

    def entry(self, row: int) -> BookEntry | None:
        """Row ``row`` as an entry, if its page is held (else it is read again)."""
        if not 0 <= row < self._total:
            return None
        fields = self.held_row(row)
        return BookEntry(*fields) if fields is not None else None

    def _start_over(self, pages: list[_Page]) -> None:
        self._generation += 1
        if self._task is not None:
            self._task.cancel()
            self._task = None
        for task in self._rereads:
            task.cancel()
        self._rereads = set()
        self._reading = False
        self.beginResetModel()
        self._pages = pages
        self._held = dict.fromkeys(pages)
        self._last_used = None
        self._renumber()
        self._locale = QLocale()
        self.endResetModel()

    def _renumber(self) -> None:
        firsts, n = [], 0
        for page in self._pages:
            firsts.append(n)
            n += page.count
        self._firsts, self._total = firsts, n

    def set_filter(self, flt: BooksFilter) -> None:
        """Show what ``flt`` matches, from its first page."""
        self._filter = flt
        self._start_over([])
        self._more = self._loader is not None
        self._read_next()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self.loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._read_next()

    def _read_next(self) -> None:
        if self._loader is None or not self._more or self.loading:
            return
        after = self._pages[-1].end if self._pages else None
        self._reading = True
        self._task = asyncio.ensure_future(
            self._read(self._loader, self._filter, after, self._generation)
        )

    async def _read(
        self, loader: Loader, flt: BooksFilter, after: BookKey | None, generation: int
    ) -> None:
        try:
            page = await loader(flt, after, None, PAGE_SIZE)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # shown on the page; the rows already read stay
            if generation == self._generation:
                self._more = self._reading = False
                self.failed.emit(describe(exc).text)
            return
        if generation != self._generation:
            return  # a newer filter took over meanwhile
        self._reading = False
        self._more = len(page) >= PAGE_SIZE
        if page:
            first = self._total
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            added = _Page(after, page[-1].key, _plain(page))
            self._pages.append(added)
            self._firsts.append(first)
            self._total += added.count
            self._hold(added)
            self.endInsertRows()
        self.loaded.emit(self._total)

    def _hold(self, page: _Page) -> None:
        self._held[page] = None
        self._last_used = page
        while len(self._held) > _PAGES_HELD:
            oldest = next(iter(self._held))
            del self._held[oldest]
            oldest.rows = None
            oldest.texts = {}

    def _read_again(self, page: _Page) -> None:
        if page.reading or self._loader is None:
            return
        page.reading = True
        task = asyncio.ensure_future(
            self._reread(self._loader, self._filter, page, self._generation)
        )
        self._rereads.add(task)
        task.add_done_callback(self._rereads.discard)

    async def _reread(self, loader: Loader, flt: BooksFilter, page: _Page, generation: int) -> None:
        try:
            found = await loader(flt, page.start, page.end, _REREAD_LIMIT)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            page.reading = False
            if generation == self._generation:
                self.failed.emit(describe(exc).text)
            return
        page.reading = False
        if generation != self._generation:
            return
        index = self._pages.index(page)
        first = self._firsts[index]
        rows = _plain(found)
        grown = len(rows) - page.count
        # Orders booked or changed meanwhile between the page's keys: its rows are what
        # the books hold there now (the list grows or shrinks in place).
        if grown > 0:
            self.beginInsertRows(QModelIndex(), first + page.count, first + len(rows) - 1)
        elif grown < 0:
            self.beginRemoveRows(QModelIndex(), first + len(rows), first + page.count - 1)
        page.rows, page.count = rows, len(rows)
        page.texts = {}
        if grown:
            self._renumber()
            if grown > 0:
                self.endInsertRows()
            else:
                self.endRemoveRows()
            self.loaded.emit(self._total)
        self._hold(page)
        if rows:
            last = self.index(first + len(rows) - 1, len(self._headings) - 1)
            self.dataChanged.emit(self.index(first, 0), last)

    def show(self, rows: list[BookEntry], *, more: bool = False) -> None:
        """Show ``rows`` as read (sample screens; the page reads through its loader)."""
        pages: list[_Page] = []
        for at in range(0, len(rows), PAGE_SIZE):
            chunk = rows[at : at + PAGE_SIZE]
            pages.append(_Page(pages[-1].end if pages else None, chunk[-1].key, _plain(chunk)))
        self._start_over(pages)
        self._more = more
        self.loaded.emit(self._total)

    # -- the table ---------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headings)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headings.get(section)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        # Painting asks for a dozen roles per cell: the ones not given return first, and a
        # row's texts are made once, when it is first shown (a repaint is lookups).
        if role in (_DISPLAY, _TOOLTIP):
            row = index.row()
            if not 0 <= row < self._total:
                return None
            found = self._used(row)
            if found is None:
                return _NOT_READ if role == _DISPLAY else None
            page, at = found
            texts = page.texts.get(at)
            if texts is None:
                assert page.rows is not None
                texts = page.texts[at] = self.texts(BookEntry(*page.rows[at]))
            column = index.column()
            return texts[column] if 0 <= column < len(texts) else None
        if role == _ALIGN:
            return _RIGHT if index.column() in (AMOUNT, REFUNDED) else None
        if role == ENTRY_ROLE:
            return self.entry(index.row())
        return None

    def texts(self, entry: BookEntry) -> tuple[str, ...]:
        """The row's cells, as shown."""
        return tuple(self.cell(entry, column) for column in range(len(self._headings)))

    def cell_kinds(self) -> list[str]:
        return [self.tr("Payment"), self.tr("Refund"), self.tr("Void")]

    def cell(self, e: BookEntry, column: int) -> str:
        if column == WHEN:
            return local_time(e.at.astimezone(self.tz), self._locale)
        if column == KIND:
            return {
                "payment": self.tr("Payment"),
                "refund": self.tr("Refund"),
                "void": self.tr("Void"),
            }.get(e.kind, e.kind)
        if column == ORDER_NO:
            return e.mch_order_no or _NONE
        if column == IOTPAY_ID:
            return e.pay_order_id
        if column == AMOUNT:
            return format_cents(e.amount_cents)
        if column == REFUNDED:
            return format_cents(e.refunded_cents) if e.refunded_cents else _NONE
        if column == STATUS:
            return status_words(e.status)
        if column == CARD:
            if not e.card_last4:
                return _NONE
            return f"{card_brand(e.card_brand)} •••• {e.card_last4}".strip()
        if column == CUSTOMER:
            return e.customer or e.card_id or _NONE
        if column == OPERATOR:
            return e.operator or _NONE
        if column == DESK:
            return e.desk or _NONE
        if column == WHY:
            return " — ".join(t for t in (e.reason, e.note) if t) or _NONE
        return ""


def status_words(status: int) -> str:
    """IOTPay's order status in words."""
    translate = QCoreApplication.translate
    return {
        0: translate("TransactionsModel", "Pending"),
        1: translate("TransactionsModel", "Unknown"),
        2: translate("TransactionsModel", "Paid"),
        3: translate("TransactionsModel", "Paid, notified"),
        9: translate("TransactionsModel", "Failed"),
    }.get(status, str(status))


@final
class TransactionsPage(QWidget):
    """The books in a table with filters. Signal: ``open_order(str)`` with the IOTPay
    order ID of the payment to show on the Orders page."""

    open_order = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-transactions")
        self._service: MoneyService | None = None
        self.tz: tzinfo = TORONTO
        self.model = TransactionsModel(self)
        self.model.failed.connect(self._show_failure)
        self.model.loaded.connect(self._show_count)
        self.model.modelReset.connect(lambda: self._show_count(0))

        intro = QLabel(
            self.tr(
                "Every order of this merchant that a desk made, looked up or was notified of, "
                "newest first. Filters combine; double-click an order (or press Enter) to "
                "open its payment on the Orders page."
            ),
            self,
        )
        intro.setWordWrap(True)

        # -- filters ---------------------------------------------------------------------
        self.search = QLineEdit(self)
        self.search.setObjectName("books-search")
        self.search.setPlaceholderText(self.tr("Order number, customer, subject, reason or note"))
        self.search.setClearButtonEnabled(True)
        self.period = QComboBox(self)
        self.period.setObjectName("books-period")
        for text, key in (
            (self.tr("All time"), "all"),
            (self.tr("Today"), "today"),
            (self.tr("Yesterday"), "yesterday"),
            (self.tr("This week"), "week"),
            (self.tr("This month"), "month"),
            (self.tr("Dates…"), "custom"),
        ):
            self.period.addItem(text, key)
        self.date_from = QDateEdit(self)
        self.date_from.setObjectName("books-from")
        self.date_to = QDateEdit(self)
        self.date_to.setObjectName("books-to")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setVisible(False)
        self.status = QComboBox(self)
        self.status.setObjectName("books-status")
        self.status.addItem(self.tr("Any status"), _ANY)
        for code in (2, 3, 0, 9):
            self.status.addItem(status_words(code), code)
        self.kind = QComboBox(self)
        self.kind.setObjectName("books-kind")
        for text, key in (
            (self.tr("Any kind"), ""),
            (self.tr("Payments"), "payment"),
            (self.tr("Refunds"), "refund"),
            (self.tr("Voids"), "void"),
        ):
            self.kind.addItem(text, key)
        self.amount_from = QLineEdit(self)
        self.amount_from.setObjectName("books-amount-from")
        self.amount_to = QLineEdit(self)
        self.amount_to.setObjectName("books-amount-to")
        self.last4 = QLineEdit(self)
        self.last4.setObjectName("books-last4")
        self.last4.setMaxLength(4)
        self.last4.setValidator(QRegularExpressionValidator(r"[0-9]{0,4}", self.last4))
        self.operator = QLineEdit(self)
        self.operator.setObjectName("books-operator")
        self.desk = QLineEdit(self)
        self.desk.setObjectName("books-desk")

        grid = QGridLayout()
        labelled = (
            (self.tr("Fi&nd:"), self.search, 0, 0, 1, 5),
            (self.tr("&Period:"), self.period, 1, 0, 1, 1),
            (self.tr("From:"), self.date_from, 1, 2, 1, 1),
            (self.tr("To:"), self.date_to, 1, 4, 1, 1),
            (self.tr("&Status:"), self.status, 2, 0, 1, 1),
            (self.tr("&Kind:"), self.kind, 2, 2, 1, 1),
            (self.tr("&Last four:"), self.last4, 2, 4, 1, 1),
            (self.tr("&Amount:"), self.amount_from, 3, 0, 1, 1),
            (self.tr("to:"), self.amount_to, 3, 2, 1, 1),
            (self.tr("&Operator:"), self.operator, 4, 0, 1, 1),
            (self.tr("&Desk:"), self.desk, 4, 2, 1, 1),
        )
        self.labels: dict[QWidget, QLabel] = {}
        for text, widget, row, col, rows, cols in labelled:
            label = QLabel(text, self)
            label.setBuddy(widget)
            self.labels[widget] = label
            grid.addWidget(label, row, col)
            grid.addWidget(widget, row, col + 1, rows, cols)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 2)
        grid.setColumnStretch(5, 1)

        # -- saved filters and the export -----------------------------------------------
        self._saved: dict[str, list[SavedFilter]] = {}  # by merchant (its own books)
        self._owner = ""
        self.saved = QComboBox(self)
        self.saved.setObjectName("books-saved")
        self.saved.setMinimumContentsLength(18)
        self.saved.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.saved.activated.connect(self._saved_picked)
        self.save_button = QPushButton(self.tr("Sa&ve…"), self)
        self.save_button.setObjectName("books-save-filter")
        self.save_button.setToolTip(self.tr("Save the filter as it is, under a name"))
        self.save_button.clicked.connect(self._ask_save)
        self.rename_button = QPushButton(self.tr("Rename…"), self)
        self.rename_button.setObjectName("books-rename-filter")
        self.rename_button.clicked.connect(self._ask_rename)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("books-delete-filter")
        self.delete_button.clicked.connect(self._ask_delete)
        self.export_button = QPushButton(self.tr("E&xport…"), self)
        self.export_button.setObjectName("books-export")
        self.export_button.setToolTip(
            self.tr("Every order the filter shows, to a CSV or Excel file (Ctrl+Shift+E)")
        )
        self.export_button.clicked.connect(self.open_export)
        export_key = QShortcut(QKeySequence("Ctrl+Shift+E"), self)
        export_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        export_key.activated.connect(self.open_export)
        self.export_dialog: Any = None
        self.import_button = QPushButton(self.tr("&Import orders…"), self)
        self.import_button.setObjectName("books-import")
        self.import_button.setToolTip(
            self.tr(
                "Bring orders named in a CSV file (order numbers or IOTPay order IDs) "
                "into the books"
            )
        )
        self.import_button.clicked.connect(self.open_import)
        self.import_dialog: Any = None
        saved_label = QLabel(self.tr("Saved filte&rs:"), self)
        saved_label.setBuddy(self.saved)
        saved_row = QHBoxLayout()
        saved_row.addWidget(saved_label)
        saved_row.addWidget(self.saved, 1)
        saved_row.addWidget(self.save_button)
        saved_row.addWidget(self.rename_button)
        saved_row.addWidget(self.delete_button)
        saved_row.addStretch(1)
        saved_row.addWidget(self.import_button)
        saved_row.addWidget(self.export_button)
        self._fill_saved()

        self.problem = QLabel(self)
        self.problem.setObjectName("books-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("QLabel#books-problem { color: #b3001b; }")
        self.problem.setVisible(False)
        self.count = QLabel(self)
        self.count.setObjectName("books-count")

        # -- the table ---------------------------------------------------------------------
        self.table = QTableView(self)
        self.table.setObjectName("books-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        lines = self.table.verticalHeader()
        lines.setVisible(False)
        # Every row one line high, fixed: a million rows need no measuring.
        lines.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        lines.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        self._fit_columns()
        # Right-click on the headings: which columns show (their order: drag a heading).
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        # The next page is asked for two screens before the end (the view itself asks only
        # at the very end), so it is usually in before it is needed.
        self.table.verticalScrollBar().valueChanged.connect(self._near_the_end)
        self.table.doubleClicked.connect(self._open)
        self.table.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.addWidget(page_title(self.tr("Transactions"), self))
        layout.addWidget(intro)
        layout.addLayout(saved_row)
        layout.addLayout(grid)
        layout.addWidget(self.problem)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)

        # Results follow typing after a short pause; a choice applies at once.
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(300)
        self._pause.timeout.connect(self.apply)
        for line in (
            self.search,
            self.amount_from,
            self.amount_to,
            self.last4,
            self.operator,
            self.desk,
        ):
            line.textChanged.connect(self._pause.start)
            line.returnPressed.connect(self.apply)
        for box in (self.period, self.status, self.kind):
            box.currentIndexChanged.connect(self.apply)
        self.period.currentIndexChanged.connect(self._period_changed)
        self._period_changed()
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.apply)
        self._show_count(0)

    def _fit_columns(self) -> None:
        """Each column as wide as what it usually holds (or its heading), in this font:
        whole dates, IOTPay's 28-character ids, amounts; the reason takes the rest."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        when = local_time(datetime(2025, 12, 31, 23, 59, tzinfo=self.tz))
        samples = {
            WHEN: when,
            KIND: max(self.model.cell_kinds(), key=metrics.horizontalAdvance),
            ORDER_NO: "A-2025-0314-17",
            IOTPAY_ID: "PC20250314101502123456789012",
            AMOUNT: format_cents(1_234_567),
            REFUNDED: format_cents(1_234_567),
            STATUS: status_words(3),
            CARD: f"{card_brand('M')} •••• 4444",
            CUSTOMER: "Ada Lovelace (table 4)",
            OPERATOR: "cashier1",
            DESK: "Front counter",
        }
        pad = metrics.horizontalAdvance("M") * 2
        for column, text in samples.items():
            heading = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = max(metrics.horizontalAdvance(text), metrics.horizontalAdvance(heading))
            header.resizeSection(column, width + pad)

    def _column_menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))
        menu.deleteLater()

    def _near_the_end(self, value: int) -> None:
        bar = self.table.verticalScrollBar()
        if value >= bar.maximum() - 2 * bar.pageStep() and self.model.canFetchMore():
            self.model.fetchMore()

    def column_menu(self) -> QMenu:
        """A menu of the columns, each checked when shown; the last one shown stays."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        shown = [c for c in range(self.model.columnCount()) if not header.isSectionHidden(c)]
        for column in range(self.model.columnCount()):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(column in shown)
            action.setEnabled(not (column in shown and len(shown) == 1))
            action.toggled.connect(
                lambda on, c=column: self.table.horizontalHeader().setSectionHidden(c, not on)
            )
        return menu

    def header_state(self) -> QByteArray:
        """The columns' order, widths and which are shown (kept with the window's state)."""
        return self.table.horizontalHeader().saveState()

    def restore_header_state(self, state: QByteArray) -> bool:
        header = self.table.horizontalHeader()
        if not header.restoreState(state):
            return False
        if all(header.isSectionHidden(c) for c in range(self.model.columnCount())):
            header.showSection(WHEN)  # never a table of no columns
        return True

    # -- service ---------------------------------------------------------------------------

    def set_service(self, service: MoneyService | None) -> None:
        self._service = service
        if service is not None:
            self.tz = service.tz
        self.model.tz = self.tz
        loader: Loader | None = None
        if service is not None:

            def loader(
                flt: BooksFilter, after: BookKey | None, through: BookKey | None, limit: int
            ) -> Awaitable[list[BookEntry]]:
                return service.books_page(flt, limit=limit, after=after, through=through)

        self.model.set_loader(loader)
        self._owner = service.mch_id if service is not None else ""
        self._fill_saved()
        self.export_button.setEnabled(service is not None)
        self.import_button.setEnabled(service is not None)

    def open_import(self) -> None:
        """Import orders…: a CSV of order numbers or IOTPay order IDs looked up and
        booked (:class:`~.import_dialog.ImportDialog`); the list is read again after."""
        from .import_dialog import ImportDialog

        service = self._service
        if service is None:
            return
        if self.import_dialog is not None and not gone(self.import_dialog):
            self.import_dialog.raise_()
            self.import_dialog.activateWindow()
            return
        dialog = ImportDialog(service, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda _summary: self.reload())
        self.import_dialog = dialog
        dialog.open()

    def reload(self) -> None:
        """Read the books again for the filter shown (the ledger came back)."""
        self.apply()

    def clear_filters(self) -> None:
        """Every box back to "all" (another profile: its books, its own search)."""
        for line in (
            self.search,
            self.amount_from,
            self.amount_to,
            self.last4,
            self.operator,
            self.desk,
        ):
            line.clear()
        for box in (self.period, self.status, self.kind):
            box.setCurrentIndex(0)
        self.problem.setVisible(False)

    # -- saved filters ---------------------------------------------------------------------

    saved_filters_changed = Signal()

    def saved_filters(self) -> str:
        """Every merchant's saved filters, as text to keep with the window's state."""
        mine = {k: v for k, v in self._saved.items() if v}
        return json.dumps({"version": _SAVED_VERSION, "merchants": mine}, ensure_ascii=False)

    def restore_saved_filters(self, data: object) -> bool:
        """The saved filters kept by :meth:`saved_filters`; False (and none) when
        ``data`` cannot be read."""
        self._saved = {}
        try:
            parsed = json.loads(str(data)) if data else {}
            merchants = parsed.get("merchants", {}) if isinstance(parsed, dict) else None
            if not isinstance(merchants, dict):
                raise ValueError("no merchants")
            for owner, entries in merchants.items():
                kept = [
                    {"name": str(e["name"])[:SAVED_NAME_MAX], "boxes": dict(e["boxes"])}
                    for e in entries
                    if isinstance(e, dict)
                    and str(e.get("name", "")).strip()
                    and isinstance(e.get("boxes"), dict)
                ]
                if kept:
                    self._saved[str(owner)] = kept
        except (ValueError, TypeError, KeyError, AttributeError):
            self._saved = {}
            self._fill_saved()
            return False
        self._fill_saved()
        return True

    def saved_names(self) -> list[str]:
        """This merchant's saved filters' names, in the drop-down's order."""
        return [e["name"] for e in self._saved.get(self._owner, [])]

    def boxes(self) -> dict[str, Any]:
        """The filter boxes as typed (what a saved filter keeps)."""
        out: dict[str, Any] = {
            "text": self.search.text(),
            "period": self.period.currentData(),
            "status": self.status.currentData(),
            "kind": self.kind.currentData(),
            "amount_from": self.amount_from.text(),
            "amount_to": self.amount_to.text(),
            "last4": self.last4.text(),
            "operator": self.operator.text(),
            "desk": self.desk.text(),
        }
        if out["period"] == "custom":
            out["from"] = self.date_from.date().toString("yyyy-MM-dd")
            out["to"] = self.date_to.date().toString("yyyy-MM-dd")
        return out

    def save_filter(self, name: str) -> str | None:
        """Save the boxes as they are under ``name`` (one of that name is replaced);
        a problem with the name, in words, or None."""
        name = " ".join(name.split())
        if not name:
            return self.tr("Name: type a name for the filter.")
        if len(name) > SAVED_NAME_MAX:
            return self.tr("Name: at most %1 characters.").replace("%1", str(SAVED_NAME_MAX))
        entries = self._saved.setdefault(self._owner, [])
        entry = {"name": name, "boxes": self.boxes()}
        for i, old in enumerate(entries):
            if old["name"].casefold() == name.casefold():
                entries[i] = entry
                break
        else:
            entries.append(entry)
        self._fill_saved(name)
        self.saved_filters_changed.emit()
        return None

    def rename_filter(self, old: str, new: str) -> str | None:
        """Rename a saved filter; a problem with the new name, in words, or None."""
        new = " ".join(new.split())
        entries = self._saved.get(self._owner, [])
        if not new:
            return self.tr("Name: type a name for the filter.")
        if len(new) > SAVED_NAME_MAX:
            return self.tr("Name: at most %1 characters.").replace("%1", str(SAVED_NAME_MAX))
        if any(e["name"].casefold() == new.casefold() and e["name"] != old for e in entries):
            return self.tr("Name: another saved filter is called %1.").replace("%1", new)
        for entry in entries:
            if entry["name"] == old:
                entry["name"] = new
        self._fill_saved(new)
        self.saved_filters_changed.emit()
        return None

    def delete_filter(self, name: str) -> None:
        entries = self._saved.get(self._owner, [])
        self._saved[self._owner] = [e for e in entries if e["name"] != name]
        self._fill_saved()
        self.saved_filters_changed.emit()

    def _fill_saved(self, current: str = "") -> None:
        self.saved.blockSignals(True)
        self.saved.clear()
        self.saved.addItem(self.tr("(none chosen)"), "")
        for name in self.saved_names():
            self.saved.addItem(name, name)
        self.saved.setCurrentIndex(max(0, self.saved.findData(current)) if current else 0)
        self.saved.blockSignals(False)
        self._saved_buttons()

    def _saved_buttons(self) -> None:
        chosen = bool(self.saved.currentData())
        self.rename_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)
        self.saved.setEnabled(self.saved.count() > 1)

    def _saved_picked(self, _index: int = 0) -> None:
        name = str(self.saved.currentData() or "")
        self._saved_buttons()
        if name:
            self.pick_filter(name)

    def pick_filter(self, name: str) -> bool:
        """Put a saved filter in the boxes and show what it finds ("This month" is the
        month it is now). A box that no longer reads (a language changed since) is named
        and the list keeps what it showed; False then."""
        entry = next((e for e in self._saved.get(self._owner, []) if e["name"] == name), None)
        if entry is None:
            return False
        self.saved.blockSignals(True)
        self.saved.setCurrentIndex(max(0, self.saved.findData(name)))
        self.saved.blockSignals(False)
        self._saved_buttons()
        boxes: dict[str, Any] = entry["boxes"]
        problem = self._set_boxes(boxes)
        if problem is None:
            try:
                self.current_filter()
            except FilterProblem as exc:
                problem = self._problem_text(exc)
        if problem is not None:
            self._pause.stop()
            self.problem.setText(
                self.tr("Saved filter %1: %2").replace("%1", f"“{name}”").replace("%2", problem)
            )
            self.problem.setVisible(True)
            return False
        self.apply(keep_saved=True)
        return True

    def _set_boxes(self, boxes: dict[str, Any]) -> str | None:
        """The boxes as ``boxes`` says (signals held); the first one that cannot be set,
        named, or None."""
        problem: str | None = None
        widgets: list[QWidget] = [
            self.search, self.period, self.status, self.kind, self.amount_from,
            self.amount_to, self.last4, self.operator, self.desk, self.date_from, self.date_to,
        ]  # fmt: skip
        for widget in widgets:
            widget.blockSignals(True)
        try:
            for line, key in (
                (self.search, "text"),
                (self.amount_from, "amount_from"),
                (self.amount_to, "amount_to"),
                (self.last4, "last4"),
                (self.operator, "operator"),
                (self.desk, "desk"),
            ):
                line.setText(str(boxes.get(key, "") or ""))
            for box, key, title in (
                (self.period, "period", self.tr("Period")),
                (self.status, "status", self.tr("Status")),
                (self.kind, "kind", self.tr("Kind")),
            ):
                index = box.findData(boxes.get(key, box.itemData(0)))
                if index < 0:
                    box.setCurrentIndex(0)
                    problem = problem or self.tr("%1: no longer offered").replace("%1", title)
                else:
                    box.setCurrentIndex(index)
            if boxes.get("period") == "custom":
                for edit, key, title in (
                    (self.date_from, "from", self.tr("From")),
                    (self.date_to, "to", self.tr("To")),
                ):
                    day = QDate.fromString(str(boxes.get(key, "")), "yyyy-MM-dd")
                    if day.isValid():
                        edit.setDate(day)
                    else:
                        problem = problem or self.tr("%1: not a date").replace("%1", title)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._period_changed()
        return problem

    def _ask_save(self) -> None:
        current = str(self.saved.currentData() or "")
        name, ok = QInputDialog.getText(
            self,
            self.tr("Save the filter"),
            self.tr("Name of this filter (e.g. Refunds this month over $100):"),
            text=current,
        )
        if not ok:
            return
        problem = self.save_filter(name)
        if problem is not None:
            QMessageBox.warning(self, self.tr("Save the filter"), problem)

    def _ask_rename(self) -> None:
        old = str(self.saved.currentData() or "")
        if not old:
            return
        name, ok = QInputDialog.getText(
            self, self.tr("Rename the saved filter"), self.tr("New name:"), text=old
        )
        if not ok:
            return
        problem = self.rename_filter(old, name)
        if problem is not None:
            QMessageBox.warning(self, self.tr("Rename the saved filter"), problem)

    def _ask_delete(self) -> None:
        name = str(self.saved.currentData() or "")
        if not name:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Delete the saved filter"),
            self.tr("Delete the saved filter %1? The orders are not touched.").replace(
                "%1", f"“{name}”"
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_filter(name)

    # -- export ----------------------------------------------------------------------------

    def export_fields(self) -> list[tuple[str, str]]:
        """Every field an export can hold: its key and its title, translated."""
        titles = {
            "at": self.tr("Date and time"),
            "kind": self.tr("Kind"),
            "mch_order_no": self.tr("Order number"),
            "pay_order_id": self.tr("IOTPay order ID"),
            "original_order_id": self.tr("Payment returned"),
            "amount": self.tr("Amount"),
            "refunded": self.tr("Refunded"),
            "currency": self.tr("Currency"),
            "status": self.tr("Status"),
            "card_brand": self.tr("Card brand"),
            "card_last4": self.tr("Last four"),
            "card_id": self.tr("Card on file"),
            "customer": self.tr("Customer"),
            "subject": self.tr("Subject"),
            "operator": self.tr("Operator"),
            "desk": self.tr("Desk"),
            "reason": self.tr("Reason"),
            "note": self.tr("Note"),
            "source": self.tr("Source"),
        }
        return [(k, titles[k]) for k in EXPORT_FIELDS]

    def visible_fields(self) -> list[str]:
        """The export fields of the table's visible columns, in their order on screen."""
        header = self.table.horizontalHeader()
        out: list[str] = []
        for visual in range(header.count()):
            column = header.logicalIndex(visual)
            if not header.isSectionHidden(column):
                out.extend(_COLUMN_FIELDS.get(column, ()))
        return out

    def export_labels(self) -> dict[str, str]:
        """The words for kinds and statuses in the file, translated."""
        labels = {
            "kind:payment": self.tr("Payment"),
            "kind:refund": self.tr("Refund"),
            "kind:void": self.tr("Void"),
        }
        labels.update({f"status:{c}": status_words(c) for c in (0, 1, 2, 3, 9)})
        return labels

    def open_export(self) -> None:
        """Export… (Ctrl+Shift+E): what the filter shows, to a file."""
        from .export_dialog import ExportDialog, ExportRequest

        service = self._service
        exports = getattr(service, "exports", None) if service is not None else None
        if exports is None:
            return
        try:
            flt = self.current_filter()
        except FilterProblem as exc:
            self.problem.setText(self._problem_text(exc))
            self.problem.setVisible(True)
            return
        if self.export_dialog is not None and self.export_dialog.isVisible():
            self.export_dialog.raise_()
            self.export_dialog.activateWindow()
            return
        titles = dict(self.export_fields())
        labels = self.export_labels()

        def write(
            request: ExportRequest,
            progress: Callable[[int], None],
            cancelled: Callable[[], bool],
        ) -> Awaitable[int | None]:
            return exports.write(  # type: ignore[no-any-return]
                flt,
                request.path,
                xlsx=request.xlsx,
                fields=request.fields,
                titles=titles,
                labels=labels,
                separator=request.separator,
                decimal_point=request.decimal_point,
                bom=request.bom,
                progress=progress,
                cancelled=cancelled,
            )

        def count() -> Awaitable[int]:
            return exports.count(flt)  # type: ignore[no-any-return]

        dialog = ExportDialog(
            self.export_fields(),
            self.visible_fields(),
            write,
            count,
            today=datetime.now(self.tz).date(),
            folder=self.export_folder,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.finished_export.connect(self._exported)
        self.export_dialog = dialog
        dialog.destroyed.connect(lambda: setattr(self, "export_dialog", None))
        dialog.show()

    #: Where the export's file goes at first (None: the Documents folder).
    export_folder: Path | None = None

    def _exported(self, rows: int) -> None:
        self.count.setText(self.tr("Exported orders: %1").replace("%1", QLocale().toString(rows)))

    # -- filters ---------------------------------------------------------------------------

    def _period_changed(self) -> None:
        custom = self.period.currentData() == "custom"
        for edit in (self.date_from, self.date_to):
            edit.setVisible(custom)
            label = self.labels.get(edit)
            if label is not None:
                label.setVisible(custom)

    def current_filter(self) -> BooksFilter:
        """The filter the boxes say; raises :class:`FilterProblem` naming the box."""
        since, until = self._period()
        # One amount alone is that amount; with "to", a range (either end may be open).
        amounts: list[int | None] = []
        for edit, name in ((self.amount_from, "amount_min"), (self.amount_to, "amount_max")):
            text = edit.text().strip()
            if not text:
                amounts.append(None)
                continue
            try:
                amounts.append(parse_amount(text))
            except InvalidInput as exc:
                raise FilterProblem(name, rule_text(exc.rule)) from None
        low, high = amounts
        if high is None and low is not None:
            high = low
        status = self.status.currentData()
        kind = self.kind.currentData()
        last4 = self.last4.text().strip()
        if last4 and len(last4) != 4:
            raise FilterProblem("last4", self.tr("four digits"))
        flt = BooksFilter(
            since=since,
            until=until,
            statuses=frozenset() if status == _ANY else frozenset({int(status)}),
            kinds=frozenset({kind}) if kind else frozenset(),
            amount_min=low,
            amount_max=high,
            last4=last4,
            operator=self.operator.text().strip(),
            desk=self.desk.text().strip(),
            text=self.search.text().strip(),
        )
        flt.check()
        return flt

    def _period(self) -> tuple[datetime | None, datetime | None]:
        key = self.period.currentData()
        today = datetime.now(self.tz).date()
        if key == "today":
            return self._days(today, today)
        if key == "yesterday":
            day = today - timedelta(days=1)
            return self._days(day, day)
        if key == "week":
            return self._days(today - timedelta(days=today.weekday()), today)
        if key == "month":
            return self._days(today.replace(day=1), today)
        if key == "custom":
            first, last = self.date_from.date().toPython(), self.date_to.date().toPython()
            assert isinstance(first, date)
            assert isinstance(last, date)
            if last < first:
                raise FilterProblem("until", self.tr("on or after the first day"))
            return self._days(first, last)
        return None, None

    def _days(self, first: date, last: date) -> tuple[datetime, datetime]:
        """From the start of ``first`` to the end of ``last``, on the merchant's clock."""
        start = datetime.combine(first, time(), self.tz)
        end = datetime.combine(last + timedelta(days=1), time(), self.tz)
        return start, end

    def apply(self, *, keep_saved: bool = False) -> None:
        """Show what the boxes say, or say which box cannot be read (the list stays)."""
        self._pause.stop()
        if not keep_saved and self.saved.currentIndex() > 0:
            # Changed by hand: no longer the saved filter shown in the drop-down.
            name = str(self.saved.currentData())
            entry = next((e for e in self._saved.get(self._owner, []) if e["name"] == name), None)
            if entry is None or entry["boxes"] != self.boxes():
                self.saved.setCurrentIndex(0)
                self._saved_buttons()
        try:
            flt = self.current_filter()
        except FilterProblem as exc:
            self.problem.setText(self._problem_text(exc))
            self.problem.setVisible(True)
            return
        self.problem.setVisible(False)
        self.model.set_filter(flt)

    def _problem_text(self, exc: FilterProblem) -> str:
        box = {
            "amount_min": self.tr("Amount"),
            "amount_max": self.tr("Amount to"),
            "last4": self.tr("Last four"),
            "until": self.tr("To"),
            "since": self.tr("From"),
        }.get(exc.field, exc.field)
        # The filter's own rules in words (a rule from the amount parser comes translated).
        rule = {
            "at least the smallest amount": self.tr("at least the first amount"),
            "exactly 4 digits": self.tr("four digits"),
            "after the start of the range": self.tr("on or after the first day"),
            "0 or more": self.tr("0 or more"),
        }.get(exc.rule, exc.rule)
        return self.tr("%1: %2").replace("%1", box).replace("%2", rule)

    # -- results ---------------------------------------------------------------------------

    def _show_count(self, rows: int) -> None:
        if self._service is None:
            self.count.setText(self.tr("No profile is open."))
        elif self.model.loading and not rows:
            self.count.setText(self.tr("Reading the books…"))
        elif rows == 0:
            self.count.setText(self.tr("No order matches."))
        elif self.model.has_more:
            self.count.setText(
                self.tr("Orders shown: %1 (more as you scroll)").replace("%1", str(rows))
            )
        else:
            self.count.setText(self.tr("Orders: %1").replace("%1", str(rows)))

    def _show_failure(self, text: str) -> None:
        self.problem.setText(self.tr("The books could not be read: %1").replace("%1", text))
        self.problem.setVisible(True)

    def selected_entry(self) -> BookEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        entry = rows[0].data(ENTRY_ROLE)
        return entry if isinstance(entry, BookEntry) else None

    def _open(self, index: QModelIndex | None = None) -> None:
        entry = index.data(ENTRY_ROLE) if index is not None else self.selected_entry()
        if not isinstance(entry, BookEntry):
            return
        # A refund or void: the payment it returned (Refund and Void are there).
        target = entry.original_order_id if entry.kind != "payment" else entry.pay_order_id
        self.open_order.emit(target or entry.pay_order_id)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._open(self.table.currentIndex())
            return True
        return super().eventFilter(watched, event)

"""The Card vault page: customers' cards on file, adding them on IOTPay's page, charging.

A card is added on IOTPay's hosted page, shown in :class:`~.webpage.HostedPageDialog`
(QtWebEngine loads then, not before); the desk shows the card as added only after
``cc_querycard`` confirmed it. Removing a card takes it out of the desk's vault only:
IOTPay's V3 API has no unbind call, and the page says so.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, final

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.services import (
    RETURN_URL_BASE,
    VAULT_PAGE,
    CannotReachIotPay,
    CardNotAdded,
    CardNotBound,
    ExpiryState,
    RefusedByIotPay,
    VaultCard,
)

from .asyncjob import async_slot, gone, held, run_busy
from .cardwords import card_title, expiry_text
from .errors import Kind, UserMessage
from .pagekit import page_title
from .words import card_brand, zone_note, zoned_time

if TYPE_CHECKING:
    from iotpay_desk.services import CardService, MoneyService

    from .webpage import HostedPageDialog

__all__ = ["VaultModel", "VaultPage", "card_title", "expiry_text"]

log = logging.getLogger(__name__)

CARD_ROLE = Qt.ItemDataRole.UserRole
EXPIRED_RED = QColor(198, 40, 40)
SEARCH_DELAY_MS = 250
"""How long typing pauses before the search goes to the ledger (a big vault's only)."""
SOON_AMBER = QColor(176, 96, 0)

_Index = QModelIndex | QPersistentModelIndex


@final
class VaultModel(QAbstractTableModel):
    """The cards the ledger gave (the whole vault, or the first :data:`VAULT_PAGE` of a
    list or a search), those that match the search typed shown, one row each, in the
    chosen order.

    Search and sort run over these plain Python lists (a search text per card, made
    once): the rows narrow as the user types; a vault bigger than a page is searched in
    the ledger too (:class:`VaultPage`). No signals of its own.
    """

    COLUMNS = ("customer", "card_id", "card", "expiry", "added_by", "added_at")

    def __init__(self, today: date | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.all_cards: list[VaultCard] = []  # what the ledger gave
        self.cards: list[VaultCard] = []  # the rows shown
        # The ledger had more cards (or matches) than all_cards holds.
        self.more = False
        self.today = today or date.today()
        # The merchant's time zone (the profile's): every time on the page is on it.
        self.tz: tzinfo | None = None
        self._search = ""
        self._haystack: dict[str, str] = {}
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)
        self._headers = [
            self.tr("Customer"),
            self.tr("Card ID"),
            self.tr("Card"),
            self.tr("Expiry"),
            self.tr("Added by"),
            self.tr("Added"),
        ]

    @staticmethod
    def _search_text(card: VaultCard) -> str:
        brand = card_brand(card.brand) if card.brand else ""
        parts = (card.customer_label, card.card_id, card.card_num, card.holder, card.brand, brand)
        return " ".join(parts).casefold()

    def set_cards(
        self,
        cards: list[VaultCard],
        today: date | None = None,
        *,
        more: bool = False,
        search: str | None = None,
    ) -> None:
        """The cards the ledger gave; ``more``: it had more than these; ``search``: the
        text to narrow them by from now on (None: the one typed before)."""
        if today is not None:
            self.today = today
        if search is not None:
            self._search = search.strip().casefold()
        self.more = more
        self.all_cards = list(cards)
        self._haystack = {c.card_id: self._search_text(c) for c in self.all_cards}
        self._refilter()

    def set_search(self, text: str) -> None:
        self._search = text.strip().casefold()
        self._refilter()

    @property
    def total(self) -> int:
        return len(self.all_cards)

    def _key(self, column: int) -> Any:
        name = self.COLUMNS[column]
        if name == "customer":
            return lambda c: c.customer_label.casefold()
        if name == "card_id":
            return lambda c: c.card_id.casefold()
        if name == "card":
            return lambda c: (c.brand, c.last4)
        if name == "expiry":
            return lambda c: (c.expiry_date[2:], c.expiry_date[:2])
        if name == "added_by":
            return lambda c: c.added_by.casefold()
        return lambda c: c.added_at

    def _refilter(self) -> None:
        self.beginResetModel()
        words = self._search.split()
        if words:
            hay = self._haystack
            shown = [c for c in self.all_cards if all(w in hay.get(c.card_id, "") for w in words)]
        else:
            shown = list(self.all_cards)
        column, order = self._sort
        shown.sort(key=self._key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        self.cards = shown
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self.cards.sort(key=self._key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()

    def replace_card(self, card: VaultCard) -> None:
        for i, c in enumerate(self.all_cards):
            if c.card_id == card.card_id:
                self.all_cards[i] = card
                break
        else:
            self.all_cards.append(card)
        self._haystack[card.card_id] = self._search_text(card)
        row = self.row_of(card.card_id)
        words = self._search.split()
        if row >= 0 and all(w in self._haystack[card.card_id] for w in words):
            self.cards[row] = card
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        else:
            self._refilter()

    def remove_card(self, card_id: str) -> None:
        self.all_cards = [c for c in self.all_cards if c.card_id != card_id]
        self._haystack.pop(card_id, None)
        row = self.row_of(card_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.cards[row]
            self.endRemoveRows()

    def row_of(self, card_id: str) -> int:
        for row, c in enumerate(self.cards):
            if c.card_id == card_id:
                return row
        return -1

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cards)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        card = self.cards[index.row()]
        column = self.COLUMNS[index.column()]
        if role == CARD_ROLE:
            return card
        state = card.expiry_state(self.today)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "customer":
                return card.customer_label
            if column == "card_id":
                return card.card_id
            if column == "card":
                return card_title(card)
            if column == "expiry":
                return expiry_text(card, self.today)
            if column == "added_by":
                return card.added_by
            when = card.added_at.astimezone(self.tz)
            return QLocale().toString(
                QDate(when.year, when.month, when.day), QLocale.FormatType.ShortFormat
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "card":
                return card.card_num
            if column == "card_id":
                return card.card_id
            if column == "added_at":
                when = card.added_at.astimezone(self.tz)
                return zoned_time(when)
            if column == "customer" and card.holder:
                return self.tr("Name on the card: %1").replace("%1", card.holder)
            if column == "expiry" and state is ExpiryState.EXPIRED:
                return self.tr("This card has expired: IOTPay will decline charges on it.")
            if column == "expiry" and state is ExpiryState.EXPIRES_THIS_MONTH:
                return self.tr("This card expires at the end of this month.")
            return None
        if column != "expiry":
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if state is ExpiryState.EXPIRED:
                return QBrush(EXPIRED_RED)
            if state is ExpiryState.EXPIRES_THIS_MONTH:
                return QBrush(SOON_AMBER)
        if role == Qt.ItemDataRole.DecorationRole and state in (
            ExpiryState.EXPIRED,
            ExpiryState.EXPIRES_THIS_MONTH,
        ):
            from PySide6.QtWidgets import QApplication

            icon = (
                QStyle.StandardPixmap.SP_MessageBoxCritical
                if state is ExpiryState.EXPIRED
                else QStyle.StandardPixmap.SP_MessageBoxWarning
            )
            style = QApplication.style()
            return style.standardIcon(icon) if style is not None else None
        return None


async def ask(parent: QWidget, title: str, text: str, yes: str, *, icon: QMessageBox.Icon) -> bool:
    """A window-modal question opened with ``open()``; True if ``yes`` was chosen."""
    box = QMessageBox(parent)
    box.setObjectName("vault-question")
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def finished(_code: int) -> None:
        if not answer.done():
            answer.set_result(box.clickedButton() is yes_button)

    box.finished.connect(finished)
    box.open()
    return await answer


@final
class VaultPage(QWidget):
    """Cards on file: search, expiry warnings, add (hosted page or direct), refresh, remove,
    charge.

    Signals (GUI thread): ``card_added(str card_id)`` once IOTPay confirmed a new card;
    ``card_removed(str card_id)``; ``charge_finished()`` after a charge dialog reported an
    outcome (Activity refreshes on it).
    """

    card_added = Signal(str)
    card_removed = Signal(str)
    charge_finished = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-vault")
        self._cards: CardService | None = None
        self._money: MoneyService | None = None
        self._ledger_ok = True  # False while the ledger cannot be reached: no charges
        self.merchant_name = ""
        self._today = today
        self.hosted_dialog: HostedPageDialog | None = None
        self.dialog: QWidget | None = None
        # The card the cashier selected, kept while a search hides it: selected again
        # when it shows again; until then nothing is selected and no card button works.
        self._chosen: str | None = None

        self.offline = QLabel(
            self.tr("Choose a merchant profile whose key is in the keychain to see and add cards."),
            self,
        )
        self.offline.setObjectName("vault-offline")
        self.offline.setWordWrap(True)

        # -- add a card --------------------------------------------------------------------
        self.add_box = QGroupBox(self.tr("Add a card"), self)
        self.add_box.setObjectName("vault-add")
        self.new_label = QLineEdit(self.add_box)
        self.new_label.setObjectName("new-label")
        self.new_label.setPlaceholderText(self.tr("e.g. Jane Doe, account 1042"))
        self.new_label.setClearButtonEnabled(True)
        label_label = QLabel(self.tr("C&ustomer:"), self.add_box)
        label_label.setBuddy(self.new_label)
        self.new_card_id = QLineEdit(self.add_box)
        self.new_card_id.setObjectName("new-card-id")
        self.new_card_id.setPlaceholderText(self.tr("made by the desk"))
        self.new_card_id.setMaxLength(30)
        card_id_label = QLabel(self.tr("Card &ID (optional):"), self.add_box)
        card_id_label.setBuddy(self.new_card_id)
        self.add_button = QPushButton(self.tr("&Add card…"), self.add_box)
        self.add_button.setObjectName("add-card")
        self.add_button.setToolTip(
            self.tr("The card is typed on IOTPay's secure page; the desk never sees the number.")
        )
        self.direct_button = QPushButton(self.tr("&Direct entry…"), self.add_box)
        self.direct_button.setObjectName("direct-add")
        self.direct_button.setToolTip(
            self.tr("Type the card here (only for merchants who confirmed PCI DSS compliance).")
        )
        self.import_button = QPushButton(self.tr("Imp&ort from IOTPay"), self.add_box)
        self.import_button.setObjectName("import-card")
        self.import_button.setToolTip(
            self.tr(
                "Take a card already bound at IOTPay into this vault by its card ID (one "
                "added on another computer, or removed from this vault earlier)."
            )
        )
        self.add_button.clicked.connect(self.add_card)
        self.direct_button.clicked.connect(self.open_direct_add)
        self.import_button.clicked.connect(self.import_card)
        self.new_label.returnPressed.connect(self.add_button.click)
        self.new_card_id.returnPressed.connect(self.add_button.click)
        self.add_message = QLabel(self.add_box)
        self.add_message.setObjectName("add-message")
        self.add_message.setWordWrap(True)
        self.add_message.setVisible(False)
        # Fields on one line, buttons on the next: the page stays narrow enough for a
        # 1366-pixel screen at 150 % in French.
        add_row = QHBoxLayout()
        add_row.addWidget(label_label)
        add_row.addWidget(self.new_label, 3)
        add_row.addWidget(card_id_label)
        add_row.addWidget(self.new_card_id, 2)
        add_buttons = QHBoxLayout()
        add_buttons.addWidget(self.add_button)
        add_buttons.addWidget(self.import_button)
        add_buttons.addWidget(self.direct_button)
        add_buttons.addStretch(1)
        add_layout = QVBoxLayout(self.add_box)
        add_layout.addLayout(add_row)
        add_layout.addLayout(add_buttons)
        add_layout.addWidget(self.add_message)

        # -- search and table ----------------------------------------------------------------
        self.search = QLineEdit(self)
        self.search.setObjectName("vault-search")
        self.search.setPlaceholderText(
            self.tr("Customer, card ID, last 4 digits, name on the card or brand")
        )
        self.search.setClearButtonEnabled(True)
        search_label = QLabel(self.tr("&Search:"), self)
        search_label.setBuddy(self.search)
        self.count = QLabel(self)
        self.count.setObjectName("vault-count")
        # Said when the ledger has more cards (or matches) than the page shows.
        self.more_note = QLabel(self)
        self.more_note.setObjectName("vault-more")
        self.more_note.setWordWrap(True)
        self.more_note.setVisible(False)
        # A big vault's search goes to the ledger once typing pauses; the text the
        # answer is for (an answer for an older text is dropped: a newer one follows).
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self._complete = False  # all_cards is the whole vault (no search, no more)

        self.model = VaultModel(today, self)
        self.search.textChanged.connect(self._search_changed)

        self.table = QTableView(self)
        self.table.setObjectName("vault-table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Sized to what is shown (a sample of rows, so 10,000 cards stay quick) by
        # _fit_columns; the card ID gives way when room is short (elided in the middle,
        # whole in the search), never below its own heading.
        header.setResizeContentsPrecision(200)
        self.table.verticalHeader().setResizeContentsPrecision(200)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_columns)
        for changed in (
            self.model.modelReset,
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.dataChanged,
            self.model.layoutChanged,
        ):
            changed.connect(self._fit_timer.start)
        self.table.viewport().installEventFilter(self)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        # A model reset (search, reload) drops the view's selection without a
        # selectionChanged signal: the buttons follow here, and the chosen card comes back
        # once it is shown again.
        self.model.modelReset.connect(self._restore_selection)

        self.charge_button = QPushButton(self.tr("&Charge…"), self)
        self.charge_button.setObjectName("charge-card")
        self.refresh_button = QPushButton(self.tr("&Refresh from IOTPay"), self)
        self.refresh_button.setObjectName("refresh-card")
        self.remove_button = QPushButton(self.tr("Re&move from vault…"), self)
        self.remove_button.setObjectName("remove-card")
        self.charge_button.clicked.connect(self.open_charge)
        self.table.doubleClicked.connect(self.charge_button.click)
        self.refresh_button.clicked.connect(self.refresh_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.purchase_button = QPushButton(self.tr("&Payment page or link…"), self)
        self.purchase_button.setObjectName("open-purchase")
        self.wallet_button = QPushButton(self.tr("&Wallet payment…"), self)
        self.wallet_button.setObjectName("open-wallet")
        self.purchase_button.clicked.connect(self.open_purchase)
        self.wallet_button.clicked.connect(self.open_wallet)
        self.message = QLabel(self)
        self.message.setObjectName("vault-message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count)
        actions = QHBoxLayout()
        actions.addWidget(self.charge_button)
        actions.addWidget(self.refresh_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        actions.addWidget(self.purchase_button)
        actions.addWidget(self.wallet_button)
        # The zone of the "Added" times, stated once (the merchant's, the profile's).
        self.zone = QLabel(self)
        self.zone.setObjectName("vault-zone")
        self.zone.setWordWrap(True)
        self.zone.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(self.tr("Card vault"), self))
        layout.addWidget(self.offline)
        layout.addWidget(self.add_box)
        layout.addLayout(search_row)
        layout.addWidget(self.more_note)
        layout.addWidget(self.zone)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        self.setTabOrder(self.new_label, self.new_card_id)
        self.setTabOrder(self.new_card_id, self.add_button)
        self.setTabOrder(self.add_button, self.import_button)
        self.setTabOrder(self.import_button, self.direct_button)
        self.setTabOrder(self.direct_button, self.search)
        self.setTabOrder(self.search, self.table)
        self.setTabOrder(self.table, self.charge_button)
        self.set_services(None, None)

    # ------------------------------------------------------------------ wiring

    def set_services(
        self,
        cards: CardService | None,
        money: MoneyService | None,
        *,
        merchant_name: str = "",
    ) -> None:
        """The active profile's card and money services (None: the page is off) and the
        merchant's name for receipts."""
        self._cards = cards
        self._money = money
        self.merchant_name = merchant_name
        self.model.tz = cards.tz if cards is not None else None
        self.zone.setText(zone_note(cards.tz) if cards is not None else "")
        self.zone.setVisible(cards is not None)
        ready = cards is not None
        self.offline.setVisible(not ready)
        for w in (self.add_box, self.search, self.table):
            w.setEnabled(ready)
        direct = ready and bool(cards is not None and cards.direct_add_enabled)
        self.direct_button.setVisible(direct)
        self.direct_button.setEnabled(direct)
        self._update_money_buttons()
        self._search_timer.stop()
        self._complete = False
        if not ready:
            self.model.set_cards([])
        self._selection_changed()
        self._update_count()
        if ready:
            self.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_timer.start()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Each column as wide as its heading and what it shows; the room left over goes
        to the card ID. When room is short the card ID gives way first, then the
        customer, each down to its heading (elided, whole in the tooltip); only then does
        the table scroll sideways. A heading is never clipped."""
        header = self.table.horizontalHeader()
        widths = [
            max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(self.model.columnCount())
        ]
        spare = self.table.viewport().width() - sum(widths)
        card_col = VaultModel.COLUMNS.index("card_id")
        if spare > 0:
            widths[card_col] += spare
        for column in (card_col, VaultModel.COLUMNS.index("customer")):
            if spare >= 0:
                break
            floor = header.sectionSizeHint(column)
            give = min(-spare, max(0, widths[column] - floor))
            widths[column] -= give
            spare += give
        for column, width in enumerate(widths):
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    @property
    def cards_service(self) -> CardService | None:
        return self._cards

    def today(self) -> date:
        return self._today or date.today()

    # ------------------------------------------------------------------ list

    @async_slot()
    async def reload(self) -> None:
        """Read the vault again from the ledger (no call to IOTPay): its first
        :data:`VAULT_PAGE` cards in the list's order, or those of the search typed (the
        ledger searches through its own index), and whether it has more."""
        cards = self._cards
        if cards is None:
            return
        self._search_timer.stop()
        text = self.search.text()
        result = await run_busy(
            self.table,
            cards.list_cards(text, limit=VAULT_PAGE + 1),
            progress_text=self.tr("Reading the card vault…"),
            on_error=self._say,
        )
        if gone(self) or result.value is None or cards is not self._cards:
            return
        if self.search.text() != text:
            return  # typed on meanwhile: the search for the newer text is on its way
        found = result.value
        more = len(found) > VAULT_PAGE
        selected = self.selected_card()
        # The ledger's answer is the search's (the page's own words, matched on these
        # rows too, hide none of them: they hold what the ledger's search text holds).
        self.model.set_cards(found[:VAULT_PAGE], self.today(), more=more, search=text)
        self._complete = not text.strip() and not more
        self._update_count()
        if selected is not None:
            self.select_card(selected.card_id)

    def vault_changed(self, change: Any) -> None:
        """A card was added, changed or removed, on this desk or another
        (``LedgerBridge.vault_changed``, a ``services.events.VaultChanged``): that row only."""
        cards = self._cards
        if cards is None or change.mch_id != cards.mch_id:
            return
        if change.card is not None:
            self.model.replace_card(change.card)
        else:
            self.model.remove_card(change.card_id)
        self._update_count()
        self._update_card_buttons()
        if not self._complete:
            # Only a page of a bigger vault is here: where the card falls in it (or
            # whether it does) is the ledger's to say, once the changes pause.
            self._search_timer.start()

    def show_found(self, found: list[VaultCard]) -> None:
        """Cards the desk's start-up check found bound on add-card pages a previous run
        left unconfirmed (the desk closed, or IOTPay unreachable, when the page was
        closed): shown, named, and the vault read again. The page never starts that check
        itself (the desk's session does, once per start)."""
        if gone(self) or self._cards is None or not found:
            return
        for card in found:
            self.model.replace_card(card)
            self.card_added.emit(card.card_id)
        self._update_count()
        self.tell_found(found)
        self.reload()

    def tell_found(self, found: list[VaultCard]) -> None:
        """Say which cards came in from add-card pages a previous run left open."""
        self._say(
            self.tr(
                "IOTPay had added these cards on a card page that was closed before the "
                "desk could confirm them; they are now in the vault: %1."
            ).replace(
                "%1",
                "; ".join(
                    self.tr("%1 for %2 (card ID %3)")
                    .replace("%1", card_title(c))
                    .replace("%2", c.customer_label)
                    .replace("%3", c.card_id)
                    for c in found
                ),
            )
        )

    def tell_not_checked(self) -> None:
        """Say that a closed card page could not be checked with IOTPay (checked later)."""
        self._say_add(
            UserMessage(
                Kind.PENDING,
                self.tr(
                    "The card page was closed, and IOTPay could not be asked whether the "
                    "card was added. The desk asks again when it next starts; a card "
                    "IOTPay added then appears in the vault."
                ),
            )
        )

    def _search_changed(self, text: str) -> None:
        # The rows here narrow at once; a vault bigger than what is here is searched in
        # the ledger too, once typing pauses (the answer replaces these rows).
        self.model.set_search(text)
        self._update_count()
        if self._cards is not None and not self._complete:
            self._search_timer.start()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        searching = bool(self.search.text().strip())
        if self._complete or self._cards is None:
            if shown == total:
                self.count.setText(self.tr("%1 card(s)").replace("%1", str(total)))
            else:
                self.count.setText(
                    self.tr("%1 of %2 card(s)").replace("%1", str(shown)).replace("%2", str(total))
                )
        elif searching:
            self.count.setText(self.tr("%1 card(s) found").replace("%1", str(shown)))
        else:
            self.count.setText(self.tr("%1 card(s)").replace("%1", str(shown)))
        more = self.model.more and not self._complete
        if more and searching:
            note = self.tr(
                "Showing the first %1 matching cards — type more of the name, account, "
                "last 4 digits or card ID to narrow the list"
            )
        elif more:
            note = self.tr(
                "Showing the first %1 cards — type part of a name, account, last 4 digits "
                "or card ID to narrow the list"
            )
        else:
            note = ""
        self.more_note.setText(note.replace("%1", QLocale().toString(VAULT_PAGE)))
        self.more_note.setVisible(bool(note))

    def selected_card(self) -> VaultCard | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        card = self.model.data(rows[0], CARD_ROLE)
        return card if isinstance(card, VaultCard) else None

    def select_card(self, card_id: str) -> bool:
        row = self.model.row_of(card_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _selection_changed(self, *_args: object) -> None:
        card = self.selected_card()
        self._chosen = card.card_id if card is not None else None
        self._update_card_buttons()

    def _restore_selection(self) -> None:
        chosen = self._chosen
        if chosen is None or not self.select_card(chosen):
            self._update_card_buttons()  # nothing shown is selected: nothing to act on

    def _update_card_buttons(self) -> None:
        """Refresh, Remove and Charge act on the selected card, which must be on screen."""
        card = self.selected_card()
        on = card is not None and self._cards is not None
        self.refresh_button.setEnabled(on)
        self.remove_button.setEnabled(on)
        self.charge_button.setEnabled(on and self._money is not None and self._ledger_ok)

    def set_ledger_ok(self, ok: bool) -> None:
        """The ledger can be used (False: Charge, the payment page or link and wallet
        payments stay off, with the reason in their tooltip: nothing is sent without its
        record)."""
        self._ledger_ok = ok
        self._update_money_buttons()
        self._update_card_buttons()

    def _update_money_buttons(self) -> None:
        money = self._money is not None
        self.purchase_button.setEnabled(money and self._ledger_ok)
        self.wallet_button.setEnabled(money and self._ledger_ok)
        why = (
            ""
            if self._ledger_ok
            else self.tr("The ledger cannot be reached: charges are off until it is back.")
        )
        for button in (self.charge_button, self.purchase_button, self.wallet_button):
            button.setToolTip(why)

    def _say(self, message: UserMessage | str | None) -> None:
        _show(self.message, message)

    def _add_controls(self) -> list[QWidget]:
        """What must not be used while a card is being added or imported."""
        return [
            self.add_button,
            self.import_button,
            self.direct_button,
            self.new_label,
            self.new_card_id,
        ]

    def _say_add(self, message: UserMessage | str | None) -> None:
        _show(self.add_message, message)
        if isinstance(message, UserMessage) and message.field in ("cardId",):
            self.new_card_id.setFocus()
            self.new_card_id.selectAll()
        elif isinstance(message, UserMessage) and message.field in ("customer_label", "label"):
            self.new_label.setFocus()

    def _typed_label(self) -> str | None:
        """The customer typed for a new card, or None (and a message) when it is empty."""
        label = self.new_label.text().strip()
        if not label:
            self._say_add(
                UserMessage(
                    Kind.USER,
                    self.tr("Type who the card belongs to (a name or an account number)."),
                    field="customer_label",
                )
            )
            return None
        return label

    # ------------------------------------------------------------------ add (hosted page)

    @async_slot()
    async def add_card(self) -> None:
        """Start cc_addcard, show IOTPay's page, confirm with cc_querycard."""
        cards = self._cards
        if cards is None or self.hosted_dialog is not None:
            return
        label = self._typed_label()
        if label is None:
            return
        self._say_add(None)
        wanted = self.new_card_id.text().strip() or None
        controls = self._add_controls()
        started = await run_busy(
            controls,
            cards.start_add_card(label, wanted),
            progress_text=self.tr("Asking IOTPay for its card page…"),
            on_error=self._say_add,
        )
        session = started.value
        if gone(self) or session is None:
            return
        from .webpage import HostedPageDialog

        dialog = HostedPageDialog(
            session.redirect_url,
            RETURN_URL_BASE,
            title=self.tr("Add a card for %1").replace("%1", label),
            intro=self.tr(
                "Type the card on IOTPay's page below, or hand the keyboard to the customer. "
                "The desk never sees the card number."
            ),
            parent=self.window(),
        )
        self.hosted_dialog = dialog
        try:
            with held(controls):
                dialog.open()
                returned = await dialog.wait()
        finally:
            self.hosted_dialog = None
            # The window is its parent (for modality and placement) and would keep it
            # until the desk quits.
            if not gone(dialog):
                dialog.deleteLater()
        if returned is None:
            await self._cancel_add(session)
            return
        await self._finish_add(session, returned)

    async def _cancel_add(self, session: Any) -> None:
        """The page was closed: ask IOTPay whether the card was bound just before."""
        cards = self._cards
        if cards is None:
            return
        outcome: list[VaultCard | None] = []

        async def check() -> None:
            try:
                outcome.append(await cards.cancel_add_card(session))
            except (CannotReachIotPay, RefusedByIotPay) as exc:
                log.info("card page closed, not checked: %s", exc)

        result = await run_busy(
            self._add_controls(),
            check(),
            progress_text=self.tr("Checking with IOTPay…"),
            on_error=self._say_add,
        )
        if gone(self) or not result.ok:
            return
        if not outcome:
            self.tell_not_checked()
            return
        got = outcome[0]
        if got is None:
            self._say_add(self.tr("The card page was closed: no card was added."))
            return
        self._show_added(
            got,
            self.tr(
                "The card page was closed after IOTPay added the card: %1 for %2 "
                "(card ID %3) is in the vault."
            ),
        )

    async def _finish_add(self, session: Any, returned: str) -> None:
        cards = self._cards
        if cards is None:
            return
        outcome: list[VaultCard | CardNotAdded] = []

        async def finish() -> None:
            try:
                outcome.append(await cards.finish_add_card(session, returned))
            except CardNotAdded as exc:
                outcome.append(exc)

        result = await run_busy(
            self._add_controls(),
            finish(),
            progress_text=self.tr("Confirming the card with IOTPay…"),
            on_error=self._say_add,
        )
        if gone(self) or not result.ok or not outcome:
            return
        got = outcome[0]
        if isinstance(got, CardNotAdded):
            reason = got.ret_msg or self.tr("no reason given")
            self._say_add(
                UserMessage(
                    Kind.USER,
                    self.tr("IOTPay did not add the card: “%1”. Nothing was saved.").replace(
                        "%1", reason
                    ),
                )
            )
            return
        self._show_added(got, self.tr("Card added: %1 for %2 (card ID %3)."))

    def _show_added(self, card: VaultCard, template: str) -> None:
        """Show a card just added, selected, with ``template`` (%1 card, %2 customer,
        %3 card ID) below the add fields, which are cleared for the next card."""
        self._show_new_card(card)
        self._say_add(
            template.replace("%1", card_title(card))
            .replace("%2", card.customer_label)
            .replace("%3", card.card_id)
        )
        self.card_added.emit(card.card_id)

    # ------------------------------------------------------------------ import

    @async_slot()
    async def import_card(self) -> None:
        """Take a card IOTPay already has (``cc_querycard``) into the vault."""
        cards = self._cards
        if cards is None or self.hosted_dialog is not None:
            return
        label = self._typed_label()
        if label is None:
            return
        card_id = self.new_card_id.text().strip()
        if not card_id:
            self._say_add(
                UserMessage(
                    Kind.USER,
                    self.tr("Type the card ID the card was added under at IOTPay."),
                    field="cardId",
                )
            )
            return
        self._say_add(None)
        outcome: list[VaultCard] = []

        async def take() -> None:
            try:
                outcome.append(await cards.import_card(label, card_id))
            except CardNotBound:
                self._say_add(
                    UserMessage(
                        Kind.USER,
                        self.tr(
                            "IOTPay has no card under card ID %1. Check the card ID, or add "
                            "the card."
                        ).replace("%1", card_id),
                        field="cardId",
                    )
                )

        result = await run_busy(
            self._add_controls(),
            take(),
            progress_text=self.tr("Asking IOTPay about the card…"),
            on_error=self._say_add,
        )
        if gone(self) or not result.ok or not outcome:
            return
        self._show_added(outcome[0], self.tr("Card imported from IOTPay: %1 for %2 (card ID %3)."))

    # ------------------------------------------------------------------ direct add

    def open_direct_add(self) -> None:
        cards = self._cards
        if cards is None or not cards.direct_add_enabled:
            return
        from .direct_add_dialog import DirectAddDialog

        dialog = DirectAddDialog(cards, parent=self.window())
        dialog.label.setText(self.new_label.text())
        dialog.card_id.setText(self.new_card_id.text())
        dialog.added.connect(self._direct_added)
        self.dialog = dialog
        dialog.open()

    def _direct_added(self, card: VaultCard) -> None:
        self._show_new_card(card)
        self.card_added.emit(card.card_id)

    def _show_new_card(self, card: VaultCard) -> None:
        """A card just added, shown and selected; the add fields cleared for the next.
        The search is cleared, or, when the vault is bigger than a page (the card may
        fall past it), set to the card's ID (the ledger's answer then holds it)."""
        self.model.replace_card(card)
        if self._complete:
            self.search.clear()
        else:
            self.search.setText(card.card_id)
        self._update_count()
        self.select_card(card.card_id)
        self.new_label.clear()
        self.new_card_id.clear()

    # ------------------------------------------------------------------ refresh, remove

    @async_slot()
    async def refresh_selected(self) -> None:
        cards, card = self._cards, self.selected_card()
        if cards is None or card is None:
            return
        self._say(None)
        result = await run_busy(
            [self.refresh_button, self.remove_button, self.charge_button],
            cards.refresh_card(card.card_id),
            progress_text=self.tr("Asking IOTPay about the card…"),
            on_error=self._say,
        )
        if gone(self):
            return
        self._update_card_buttons()  # the search may have hidden the card meanwhile
        if result.value is None:
            return
        fresh = result.value
        self.model.replace_card(fresh)
        self.select_card(fresh.card_id)
        self._say(
            self.tr("IOTPay has %1 under card ID %2, expiry %3.")
            .replace("%1", card_title(fresh))
            .replace("%2", fresh.card_id)
            .replace("%3", expiry_text(fresh, self.today()))
        )

    @async_slot()
    async def remove_selected(self) -> None:
        cards, card = self._cards, self.selected_card()
        if cards is None or card is None:
            return
        text = (
            self.tr(
                "Remove %1 of %2 from the desk's vault?\n\nThe card stays bound at IOTPay "
                "under card ID %3: IOTPay has no way to unbind a card. The desk only stops "
                "offering it for charges."
            )
            .replace("%1", card_title(card))
            .replace("%2", card.customer_label)
            .replace("%3", card.card_id)
        )
        yes = await ask(
            self,
            self.tr("Remove a card from the vault"),
            text,
            self.tr("&Remove from vault"),
            icon=QMessageBox.Icon.Warning,
        )
        if not yes or gone(self):
            return
        result = await run_busy(
            [self.refresh_button, self.remove_button, self.charge_button],
            cards.remove_card(card.card_id),
            progress_text=self.tr("Removing the card from the vault…"),
            on_error=self._say,
        )
        if gone(self) or not result.ok:
            return
        self.model.remove_card(card.card_id)
        self._update_count()
        self._selection_changed()
        self._say(
            self.tr("%1 of %2 was removed from the vault. It is still bound at IOTPay.")
            .replace("%1", card_title(card))
            .replace("%2", card.customer_label)
        )
        self.card_removed.emit(card.card_id)

    # ------------------------------------------------------------------ charge, payments

    def open_charge(self) -> None:
        money, card = self._money, self.selected_card()
        if money is None or card is None:
            return
        from .charge_dialog import ChargeDialog

        dialog = ChargeDialog(
            money,
            self.model.all_cards,
            card.card_id,
            merchant_name=self.merchant_name,
            today=self.today(),
            parent=self.window(),
        )
        self._open_money_dialog(dialog)
        dialog.start()

    def open_purchase(self) -> None:
        money = self._money
        if money is None:
            return
        from .purchase_dialog import PurchaseDialog

        self._open_money_dialog(
            PurchaseDialog(money, merchant_name=self.merchant_name, parent=self.window())
        )

    def open_wallet(self) -> None:
        money = self._money
        if money is None:
            return
        from .wallet_dialog import WalletDialog

        dialog = WalletDialog(money, merchant_name=self.merchant_name, parent=self.window())
        self._open_money_dialog(dialog)
        dialog.start()

    def _open_money_dialog(self, dialog: Any) -> None:
        """Show a charge, purchase or wallet dialog; its outcome refreshes Activity."""
        dialog.outcome_known.connect(self.charge_finished)
        self.dialog = dialog
        dialog.open()


def _show(label: QLabel, message: UserMessage | str | None) -> None:
    if message is None:
        label.clear()
        label.setVisible(False)
        return
    label.setText(message.text if isinstance(message, UserMessage) else message)
    label.setVisible(True)

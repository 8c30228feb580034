"""The Activity page: every money action this desk started, and what came of it."""

from __future__ import annotations

from datetime import tzinfo
from typing import final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal import Action, ActionKind
from iotpay_desk.services import CardService, MoneyService
from iotpay_desk.services.rules import TORONTO

from .amounts import format_cents
from .asyncjob import async_slot, gone, run_busy
from .pagekit import page_title
from .words import action_word, checked_until, local_time, outcome_text, zone_note

__all__ = ["ActivityPage"]

PAGE_SIZE = 200
# The table's columns, left to right.
# What happened comes first; who and what for after (the last to scroll off when narrow).
WHEN, KIND, AMOUNT, OUTCOME, PAYMENT, CARD, CUSTOMER, OPERATOR = range(8)
PAYMENT_COLUMN = PAYMENT
_ID_ROLE = Qt.ItemDataRole.UserRole
_NONE = "—"


def _last4(card_num: str) -> str:
    digits = "".join(c for c in card_num if c.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


@final
class ActivityPage(QWidget):
    """The journal's actions (charges, purchase links, refunds and voids), newest first;
    unresolved ones can be checked again.

    Each row names its kind, the payment it is about (IOTPay's order ID: the payment a
    refund or void returns, a charge's own), the amount, the card's last four digits and
    the customer (the vault's label of the card, else the charge's mchUserId or cardId; a
    refund or void of a charge made here shows that charge's card and customer).

    No signals. :meth:`action_changed` (GUI thread) is fed by ``LedgerBridge.action_changed``
    (every desk's actions, each change once), or the money service's ``on_change`` while
    the window has no event hub.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-activity")
        self._service: MoneyService | None = None
        self._cards: CardService | None = None
        self.known: dict[int, Action] = {}
        self.customers: dict[str, str] = {}  # cardId → the vault's customer label
        self.tz: tzinfo = TORONTO

        intro = QLabel(
            self.tr(
                "Every charge, purchase link, refund and void made from this desk or another "
                "desk sharing its ledger, newest first. Actions IOTPay has not confirmed yet "
                "are checked again until it does."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.zone = QLabel(zone_note(self.tz), self)
        self.zone.setObjectName("activity-zone")
        self.zone.setWordWrap(True)
        self.table = QTableWidget(0, 8, self)
        self.table.setObjectName("activity-table")
        headings = {
            WHEN: self.tr("When"),
            KIND: self.tr("Kind"),
            PAYMENT: self.tr("Payment"),
            AMOUNT: self.tr("Amount"),
            CARD: self.tr("Card"),
            CUSTOMER: self.tr("Customer"),
            OUTCOME: self.tr("Outcome"),
            OPERATOR: self.tr("Operator"),
        }
        self.table.setHorizontalHeaderLabels([headings[c] for c in range(len(headings))])
        payment_heading = self.table.horizontalHeaderItem(PAYMENT)
        assert payment_heading is not None  # set just above
        payment_heading.setToolTip(
            self.tr(
                "IOTPay's order ID of the payment: the one a refund or void returns money "
                "from, or the one a charge made"
            )
        )
        # The long IOTPay ids give way (elided in the middle, whole in the tooltip).
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Sized by _fit_columns: the customer, then the payment's id give way when room
        # is short (elided, whole in the tooltip), never below a readable width.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setResizeContentsPrecision(PAGE_SIZE)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_columns)
        self.table.viewport().installEventFilter(self)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.details = QLabel(self)
        self.details.setObjectName("activity-details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_button = QPushButton(self.tr("&Check with IOTPay now"), self)
        self.check_button.setObjectName("check-now")
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self.check_selected)
        # An action IOTPay has no record of yet may be sent again, with its own number.
        self.resend_button = QPushButton(self.tr("&Send again (same number)"), self)
        self.resend_button.setObjectName("send-again")
        self.resend_button.setEnabled(False)
        self.resend_button.clicked.connect(self.send_selected_again)
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.setObjectName("refresh-activity")
        self.refresh_button.clicked.connect(self.reload)
        self.empty = QLabel(self.tr("Nothing yet."), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.resend_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(self.tr("Activity"), self))
        layout.addWidget(intro)
        layout.addWidget(self.zone)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        self._update_empty()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_timer.start()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Each column as wide as its heading and what it shows; the room left over goes
        to the payment's id and the customer. When room is short the customer gives way
        first, then the payment's id (elided in the middle: "PC2025031…6789004"), each
        down to a readable width; only then does the table scroll sideways."""
        header = self.table.horizontalHeader()
        columns = self.table.columnCount()
        widths = [
            max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(columns)
        ]
        spare = self.table.viewport().width() - sum(widths)
        if spare > 0:
            widths[PAYMENT] += spare // 2
            widths[CUSTOMER] += spare - spare // 2
        metrics = self.table.fontMetrics()
        floors = {
            CUSTOMER: max(header.sectionSizeHint(CUSTOMER), metrics.horizontalAdvance("M" * 8)),
            PAYMENT: max(
                header.sectionSizeHint(PAYMENT),
                metrics.horizontalAdvance("PC2025031…6789004") + metrics.averageCharWidth() * 2,
            ),
        }
        for column in (CUSTOMER, PAYMENT):
            if spare >= 0:
                break
            give = min(-spare, max(0, widths[column] - floors[column]))
            widths[column] -= give
            spare += give
        for column, width in enumerate(widths):
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def set_service(
        self, service: MoneyService | None, *, cards: CardService | None = None
    ) -> None:
        """The money service of the active profile, and its card service (the vault's
        customer labels name the customers of card charges)."""
        self._service = service
        self._cards = cards if service is not None else None
        self.tz = service.tz if service is not None else TORONTO
        self.zone.setText(zone_note(self.tz))
        self.refresh_button.setEnabled(service is not None)
        self.known.clear()
        self.customers.clear()
        self.table.setRowCount(0)
        self._update_empty()
        if service is not None:
            self.reload()

    # -- data ------------------------------------------------------------------------------------

    @async_slot()
    async def reload(self) -> None:
        service = self._service
        if service is None:
            return
        result = await run_busy(
            self.refresh_button,
            service.actions_page(PAGE_SIZE),
            progress_text=self.tr("Reading the journal…"),
        )
        if gone(self) or service is not self._service:  # the profile was switched meanwhile
            return
        if result.value is not None:
            self.known = {a.id: a for a in result.value}
            self._fill()
        await self._load_customers(service)

    async def _load_customers(self, service: MoneyService) -> None:
        """The vault's customer labels of the cards the actions shown were made with (a
        convenience: without them the column shows the charge's mchUserId): those cards
        only, each looked up by its card ID, not the whole vault."""
        cards = self._cards
        if cards is None:
            return
        wanted = sorted({a.card_id for a in self.known.values() if a.card_id})
        try:
            labels = await cards.labels_of(wanted)
        except Exception:  # the labels are a convenience; the list stands without them
            return
        if gone(self) or service is not self._service:
            return
        labels = {card_id: label for card_id, label in labels.items() if label}
        if labels != self.customers:
            self.customers = labels
            self._fill()

    def payment_of(self, a: Action) -> str:
        """IOTPay's order ID of the payment the action is about ("" if none yet)."""
        if a.kind.returns_money:
            return a.target_pay_order_id or ""
        return a.pay_order_id or ""

    def _charge_of(self, a: Action) -> Action | None:
        """The charge made from this desk that a refund or void returns money from."""
        if not a.kind.returns_money or not a.target_pay_order_id:
            return None
        for other in self.known.values():
            if not other.kind.returns_money and other.pay_order_id == a.target_pay_order_id:
                return other
        return None

    def card_of(self, a: Action) -> str:
        """The card's last four digits (a refund's or void's: its payment's)."""
        last4 = _last4(a.card_num)
        if not last4:
            charge = self._charge_of(a)
            last4 = _last4(charge.card_num) if charge is not None else ""
        if not last4:
            return _NONE
        return self.tr("•••• %1").replace("%1", last4)

    def customer_of(self, a: Action) -> str:
        """The vault's label of the card, else the mchUserId or cardId of the charge."""
        source = self._charge_of(a) if a.kind.returns_money else a
        if source is None:
            return _NONE
        if source.card_id and source.card_id in self.customers:
            return self.customers[source.card_id]
        if source.kind is ActionKind.PURCHASE_LINK and source.mch_user_id == "walk-in":
            return self.tr("Walk-in")
        return source.mch_user_id or source.card_id or _NONE

    def action_changed(self, action: Action) -> None:
        """A refund or void started or changed state (from the money service)."""
        self.known[action.id] = action
        self._fill()

    def _fill(self) -> None:
        selected = self.selected_action()
        ordered = sorted(self.known.values(), key=lambda a: a.id, reverse=True)
        self.table.setRowCount(len(ordered))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, a in enumerate(ordered):
            amount = format_cents(a.amount_cents) if a.amount_cents is not None else _NONE
            cells = {
                WHEN: local_time(a.created_at.astimezone(self.tz)),
                KIND: action_word(a.kind),
                PAYMENT: self.payment_of(a) or _NONE,
                AMOUNT: amount,
                CARD: self.card_of(a),
                CUSTOMER: self.customer_of(a),
                OUTCOME: outcome_text(a, self._service),
                OPERATOR: a.operator,
            }
            for col, text in cells.items():
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(_ID_ROLE, a.id)
                if a.is_open:
                    item.setFont(bold)
                self.table.setItem(row, col, item)
            if selected is not None and a.id == selected.id:
                self.table.selectRow(row)
        self._update_empty()
        self._selection_changed()
        self._fit_timer.start()

    def _update_empty(self) -> None:
        has = bool(self.known)
        self.empty.setVisible(not has)
        self.table.setVisible(has)
        self.details.setVisible(has)

    def selected_action(self) -> Action | None:
        items = self.table.selectedItems()
        if not items:
            return None
        action_id = items[0].data(_ID_ROLE)
        return self.known.get(action_id) if isinstance(action_id, int) else None

    def select(self, action_id: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(_ID_ROLE) == action_id:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        a = self.selected_action()
        self.check_button.setEnabled(a is not None and a.is_open and self._service is not None)
        self.resend_button.setEnabled(self._can_send_again(a))
        if a is None:
            self.details.clear()
            return
        number = {
            ActionKind.REFUND: self.tr("Refund number: %1"),
            ActionKind.VOID: self.tr("Void number: %1"),
            ActionKind.CHARGE_TOKEN: self.tr("Order number: %1"),
            ActionKind.CHARGE_WALLET: self.tr("Order number: %1"),
            ActionKind.PURCHASE_LINK: self.tr("Order number: %1"),
        }[a.kind]
        lines = [number.replace("%1", a.mch_no)]
        if a.kind.returns_money:
            if a.target_pay_order_id:
                lines.append(self.tr("Payment returned: %1").replace("%1", a.target_pay_order_id))
            if a.pay_order_id:
                lines.append(self.tr("IOTPay's reference: %1").replace("%1", a.pay_order_id))
        elif a.pay_order_id:
            lines.append(self.tr("IOTPay order ID: %1").replace("%1", a.pay_order_id))
        if a.card_id:
            lines.append(self.tr("Card ID: %1").replace("%1", a.card_id))
        if a.ret_msg:
            lines.append(self.tr("IOTPay said: “%1”").replace("%1", a.ret_msg))
        if a.reason:
            lines.append(self.tr("Reason: %1").replace("%1", a.reason))
        if a.note:
            lines.append(self.tr("Note: %1").replace("%1", a.note))
        if a.desk:
            lines.append(self.tr("Desk: %1").replace("%1", a.desk))
        if a.attempts:
            lines.append(self.tr("Checks with IOTPay: %1").replace("%1", str(a.attempts)))
        if a.is_open and not a.pay_order_id and self._service is not None:
            lines.append(
                self.tr(
                    "IOTPay has no record of it yet; it may still arrive late. The desk keeps "
                    "checking until %1."
                ).replace("%1", checked_until(self._service, a))
            )
        self.details.setText("\n".join(lines))

    def _can_send_again(self, a: Action | None) -> bool:
        return (
            a is not None
            and self._service is not None
            and a.is_open
            and not a.pay_order_id
            and a.kind in (ActionKind.REFUND, ActionKind.VOID, ActionKind.CHARGE_TOKEN)
        )

    @async_slot()
    async def send_selected_again(self) -> None:
        """Send the selected unconfirmed action again, with its own number (IOTPay refuses
        a number it has already used, so it can never go through twice)."""
        service, action = self._service, self.selected_action()
        if service is None or not self._can_send_again(action):
            return
        assert action is not None
        result = await run_busy(
            [self.resend_button, self.check_button],
            service.send_again(action),
            progress_text=self.tr("Sending again with the same number…"),
        )
        if gone(self):
            return
        if result.value is not None:
            self.action_changed(result.value.action)

    @async_slot()
    async def check_selected(self) -> None:
        service, action = self._service, self.selected_action()
        if service is None or action is None:
            return
        result = await run_busy(
            self.check_button,
            service.resolve(action),
            progress_text=self.tr("Checking with IOTPay…"),
        )
        if gone(self):
            return
        if result.value is not None:
            self.action_changed(result.value.action)

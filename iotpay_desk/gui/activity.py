"""The Activity page: every money action this desk started, and what came of it."""

from __future__ import annotations

from typing import final

from PySide6.QtCore import Qt
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

from iotpay_desk.journal import Action
from iotpay_desk.services import MoneyService

from .amounts import format_cents
from .asyncjob import async_slot, gone, run_busy
from .pagekit import page_title
from .words import action_word, local_time, state_word

__all__ = ["ActivityPage"]

PAGE_SIZE = 200
PAYMENT_COLUMN = 5
_ID_ROLE = Qt.ItemDataRole.UserRole


@final
class ActivityPage(QWidget):
    """The journal's actions, newest first; unresolved ones can be checked again.

    No signals. :meth:`action_changed` is the money service's ``on_change`` (GUI thread).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-activity")
        self._service: MoneyService | None = None
        self.known: dict[int, Action] = {}

        intro = QLabel(
            self.tr(
                "Every refund and void made from this desk, newest first. Actions IOTPay has "
                "not confirmed yet are checked again until it does."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("activity-table")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("When"),
                self.tr("Action"),
                self.tr("Amount"),
                self.tr("Outcome"),
                self.tr("Operator"),
                self.tr("Payment"),
            ]
        )
        # The long IOTPay ids give way (elided in the middle, whole in the tooltip).
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PAYMENT_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.details = QLabel(self)
        self.details.setObjectName("activity-details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_button = QPushButton(self.tr("&Check with IOTPay now"), self)
        self.check_button.setObjectName("check-now")
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self.check_selected)
        self.refresh_button = QPushButton(self.tr("Re&fresh"), self)
        self.refresh_button.setObjectName("refresh-activity")
        self.refresh_button.clicked.connect(self.reload)
        self.empty = QLabel(self.tr("Nothing yet."), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(self.tr("Activity"), self))
        layout.addWidget(intro)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        self._update_empty()

    def set_service(self, service: MoneyService | None) -> None:
        self._service = service
        self.refresh_button.setEnabled(service is not None)
        self.known.clear()
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
            amount = format_cents(a.amount_cents) if a.amount_cents is not None else "—"
            cells = [
                local_time(a.created_at.astimezone()),
                action_word(a.kind),
                amount,
                state_word(a.state),
                a.operator,
                a.target_pay_order_id or "—",
            ]
            for col, text in enumerate(cells):
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
        if a is None:
            self.details.clear()
            return
        lines = [
            self.tr("Refund number: %1").replace("%1", a.mch_no),
        ]
        if a.pay_order_id:
            lines.append(self.tr("IOTPay's reference: %1").replace("%1", a.pay_order_id))
        if a.ret_msg:
            lines.append(self.tr("IOTPay said: “%1”").replace("%1", a.ret_msg))
        if a.reason:
            lines.append(self.tr("Reason: %1").replace("%1", a.reason))
        if a.note:
            lines.append(self.tr("Note: %1").replace("%1", a.note))
        if a.attempts:
            lines.append(self.tr("Checks with IOTPay: %1").replace("%1", str(a.attempts)))
        self.details.setText("\n".join(lines))

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

"""The Orders page: look up a payment, see what is left of it, refund or void it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import final

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal import ActionKind, Lookup
from iotpay_desk.services import Advice, MoneyService, OrderDetail, StatusWord, status_word
from iotpay_desk.services.receipts import Receipt, receipt_for, receipt_for_detail

from .amounts import format_cents
from .asyncjob import async_slot, gone, run_busy
from .errors import UserMessage
from .pagekit import page_title
from .receipt import merchant_for, show_receipt
from .refund_dialog import RefundDialog
from .words import action_word, card_brand, local_time, state_word, status_text

__all__ = ["OrdersPage"]


@final
class OrdersPage(QWidget):
    """Look-up and the actions on one payment.

    Signal ``action_finished()`` (GUI thread) after a refund or void form reported an
    outcome (the Activity page refreshes on it).
    """

    action_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-orders")
        self._service: MoneyService | None = None
        self._retype_above: int | None = None
        self.merchant_name = ""
        self.detail: OrderDetail | None = None
        self.dialog: RefundDialog | None = None

        self.query = QLineEdit(self)
        self.query.setObjectName("order-query")
        self.query.setPlaceholderText(self.tr("e.g. PC20240101215009579871439079 or 1234-A"))
        self.query.setClearButtonEnabled(True)
        self._recent = QStringListModel(self)
        completer = QCompleter(self._recent, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.query.setCompleter(completer)
        query_label = QLabel(self.tr("&Order number or IOTPay order ID:"), self)
        query_label.setBuddy(self.query)
        self.lookup_button = QPushButton(self.tr("&Look up"), self)
        self.lookup_button.setObjectName("lookup")
        self.lookup_button.setDefault(True)
        self.lookup_button.clicked.connect(self.look_up)
        self.query.returnPressed.connect(self.look_up)

        self.message = QLabel(self)
        self.message.setObjectName("orders-message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        # -- the payment ---------------------------------------------------------------------
        self.payment_box = QGroupBox(self.tr("Payment"), self)
        self.payment_box.setObjectName("payment")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.values: dict[str, QLabel] = {}
        rows = [
            ("pay_order_id", self.tr("IOTPay order ID")),
            ("mch_order_no", self.tr("Order number")),
            ("amount", self.tr("Amount")),
            ("refundable", self.tr("Left to refund")),
            ("status", self.tr("Status")),
            ("paid_at", self.tr("Paid")),
            ("card", self.tr("Card")),
            ("notified", self.tr("Notified")),
        ]
        for key, label in rows:
            value = QLabel(self.payment_box)
            value.setObjectName(f"payment-{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            form.addRow(label, value)
        self.advice = QLabel(self.payment_box)
        self.advice.setObjectName("payment-advice")
        self.advice.setWordWrap(True)
        self.refund_button = QPushButton(self.tr("&Refund…"), self.payment_box)
        self.refund_button.setObjectName("refund")
        self.void_button = QPushButton(self.tr("&Void…"), self.payment_box)
        self.void_button.setObjectName("void")
        self.refund_button.clicked.connect(lambda: self.open_form(ActionKind.REFUND))
        self.void_button.clicked.connect(lambda: self.open_form(ActionKind.VOID))
        self.receipt_button = QPushButton(self.tr("Re&ceipt…"), self.payment_box)
        self.receipt_button.setObjectName("order-receipt")
        self.receipt_button.setToolTip(self.tr("Show, print or save the receipt of this order"))
        self.receipt_button.clicked.connect(self.show_order_receipt)
        buttons = QHBoxLayout()
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.refund_button)
        buttons.addStretch(1)
        buttons.addWidget(self.receipt_button)
        box_layout = QVBoxLayout(self.payment_box)
        box_layout.addLayout(form)
        box_layout.addWidget(self.advice)
        box_layout.addLayout(buttons)
        self.payment_box.setVisible(False)

        self.returns = QTableWidget(0, 4, self)
        self.returns.setObjectName("payment-returns")
        self.returns.setHorizontalHeaderLabels(
            [self.tr("Action"), self.tr("Amount"), self.tr("Outcome"), self.tr("When")]
        )
        self.returns.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.returns.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.returns.verticalHeader().setVisible(False)
        self.returns.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.returns.horizontalHeader().setStretchLastSection(True)
        self.returns.itemActivated.connect(lambda item: self.show_return_receipt(item.row()))
        self.returns.setToolTip(self.tr("Press Enter or double-click a row for its receipt"))
        self.returns_label = QLabel(self.tr("Refunds and voids made from this desk:"), self)
        self.returns_label.setBuddy(self.returns)

        # -- layout --------------------------------------------------------------------------
        search = QHBoxLayout()
        search.addWidget(query_label)
        search.addWidget(self.query, 1)
        search.addWidget(self.lookup_button)
        self.offline = QLabel(
            self.tr("Choose a merchant profile whose key is in the keychain to look up orders."),
            self,
        )
        self.offline.setWordWrap(True)
        # -- recent look-ups, one click (or Enter) reopens ---------------------------------
        self.recent = QListWidget(self)
        self.recent.setObjectName("recent-lookups")
        self.recent.setUniformItemSizes(True)
        self.recent.setAlternatingRowColors(True)
        self.recent.itemActivated.connect(self._reopen)
        self.recent.itemClicked.connect(self._reopen)
        recent_label = QLabel(self.tr("R&ecent look-ups:"), self)
        recent_label.setBuddy(self.recent)
        recent_box = QVBoxLayout()
        recent_box.addWidget(recent_label)
        recent_box.addWidget(self.recent, 1)

        main = QVBoxLayout()
        main.addWidget(self.message)
        main.addWidget(self.payment_box)
        main.addWidget(self.returns_label)
        main.addWidget(self.returns, 1)
        main.addStretch(0)
        body = QHBoxLayout()
        body.addLayout(main, 3)
        body.addLayout(recent_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(self.tr("Orders"), self))
        layout.addWidget(self.offline)
        layout.addLayout(search)
        layout.addLayout(body, 1)
        self.setTabOrder(self.query, self.lookup_button)
        self.setTabOrder(self.lookup_button, self.void_button)
        self.setTabOrder(self.void_button, self.refund_button)
        self.setTabOrder(self.refund_button, self.receipt_button)
        self.setTabOrder(self.receipt_button, self.returns)
        self.setTabOrder(self.returns, self.recent)
        self.show_detail(None)
        self.set_service(None)

    # -- wiring ---------------------------------------------------------------------------

    def set_service(
        self,
        service: MoneyService | None,
        *,
        retype_above: int | None = None,
        merchant_name: str = "",
    ) -> None:
        """The money service of the active profile (None: nothing can be looked up)."""
        self._service = service
        self._retype_above = retype_above
        self.merchant_name = merchant_name
        ready = service is not None
        self.offline.setVisible(not ready)
        self.query.setEnabled(ready)
        self.lookup_button.setEnabled(ready)
        if not ready:
            self.show_detail(None)
            self.recent.clear()
            self._recent.setStringList([])
        else:
            self.load_recent()

    @property
    def service(self) -> MoneyService | None:
        return self._service

    # -- look-up --------------------------------------------------------------------------

    def _say(self, message: UserMessage | None) -> None:
        if message is None:
            self.message.clear()
            self.message.setVisible(False)
            return
        self.message.setText(message.text)
        self.message.setVisible(True)
        if message.field in ("query", "payOrderId", "mchOrderNo"):
            self.query.setFocus()
            self.query.selectAll()

    @async_slot()
    async def look_up(self) -> None:
        service = self._service
        text = self.query.text().strip()
        if service is None or not text:
            return
        self._say(None)
        result = await run_busy(
            [self.lookup_button, self.query],
            service.lookup(text),
            progress_text=self.tr("Looking up the order with IOTPay…"),
            on_error=self._say,
        )
        if gone(self) or service is not self._service:  # the profile was switched meanwhile
            return
        if result.value is not None:
            self.show_detail(result.value)
            self.load_recent()

    @async_slot()
    async def refresh(self) -> None:
        """Ask IOTPay again about the payment shown (after a refund or void)."""
        service, detail = self._service, self.detail
        if service is None or detail is None:
            return
        result = await run_busy(
            [self.lookup_button, self.refund_button, self.void_button],
            service.order_detail(detail.order.pay_order_id),
            progress_text=self.tr("Updating the payment from IOTPay…"),
            on_error=self._say,
        )
        if gone(self) or service is not self._service:
            return
        if result.value is not None:
            self.show_detail(result.value)

    @async_slot()
    async def load_recent(self) -> None:
        service = self._service
        if service is None:
            return
        try:
            lookups = await service.recent_lookups()
        except Exception:  # the list is a convenience; the look-up itself still works
            return
        if gone(self) or service is not self._service:
            return
        self.show_recent(lookups)

    def show_recent(self, lookups: Sequence[Lookup]) -> None:
        """Fill the recent list and the query's completer, newest first."""
        seen: list[str] = []
        for lk in lookups:
            for text in (lk.query, lk.pay_order_id, lk.mch_order_no):
                if text and text not in seen:
                    seen.append(text)
        self._recent.setStringList(seen)
        self.recent.clear()
        shown: set[str] = set()
        for lk in lookups:
            key = lk.pay_order_id or lk.query
            if key in shown:
                continue
            shown.add(key)
            label = lk.mch_order_no or lk.query
            item = QListWidgetItem(f"{label}\n{local_time(lk.at.astimezone())}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(key)
            self.recent.addItem(item)

    def _reopen(self, item: QListWidgetItem) -> None:
        """Look up a recent order again (fresh from IOTPay)."""
        if not self.lookup_button.isEnabled():
            return  # a look-up is running
        key = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(key, str) and key:
            self.query.setText(key)
            self.look_up()

    # -- the payment ------------------------------------------------------------------------

    def show_detail(self, detail: OrderDetail | None) -> None:
        self.detail = detail
        self.payment_box.setVisible(detail is not None)
        self.returns.setVisible(detail is not None)
        self.returns_label.setVisible(detail is not None)
        if detail is None:
            self.returns.setRowCount(0)
            self.refund_button.setEnabled(False)
            self.void_button.setEnabled(False)
            self.receipt_button.setEnabled(False)
            return
        self.receipt_button.setEnabled(True)
        order = detail.order
        v = self.values
        v["pay_order_id"].setText(order.pay_order_id)
        v["mch_order_no"].setText(order.mch_order_no)
        v["amount"].setText(format_cents(order.amount))
        v["refundable"].setText(format_cents(detail.refundable_cents))
        v["status"].setText(status_text(detail.status))
        v["paid_at"].setText(order.pay_succ_time or "—")
        card = " ".join(x for x in (card_brand(order.card_type), order.card_num) if x)
        v["card"].setText(card or "—")
        v["notified"].setText(self._notified_text(detail))
        if order.is_refund:
            self.payment_box.setTitle(self.tr("Refund or void"))
        else:
            self.payment_box.setTitle(self.tr("Payment"))
        self.advice.setText(self._advice_text(detail))
        can_return = detail.advice is not Advice.NONE and detail.refundable_cents > 0
        self.refund_button.setEnabled(can_return)
        self.void_button.setEnabled(can_return and detail.refundable_cents == order.amount)
        self.refund_button.setDefault(detail.advice is Advice.REFUND)
        self.void_button.setDefault(detail.advice is Advice.VOID)
        self.returns.setRowCount(len(detail.returns))
        for row, r in enumerate(detail.returns):
            amount = r.order.amount if r.order else (r.action.amount_cents or 0)
            cells = [
                action_word(r.action.kind),
                format_cents(amount),
                state_word(r.state),
                local_time(r.action.created_at.astimezone()),
            ]
            for col, text in enumerate(cells):
                self.returns.setItem(row, col, QTableWidgetItem(text))

    def _notified_text(self, detail: OrderDetail) -> str:
        """The latest notification a notify receiver recorded for the order, if any."""
        if not detail.notifications:
            return "—"
        latest = detail.notifications[0]
        text = (
            self.tr("%1 — %2")
            .replace("%1", local_time(latest.first_at.astimezone()))
            .replace("%2", status_text(status_word(latest.status)))
        )
        if latest.times > 1:
            text += " " + self.tr("(IOTPay sent it %1 times)").replace("%1", str(latest.times))
        return text

    def _advice_text(self, detail: OrderDetail) -> str:
        order = detail.order
        if order.is_refund:
            return self.tr("This is a refund or a void; look up its payment to return money.")
        if detail.advice is Advice.VOID:
            when = local_time(detail.settles_at) if detail.settles_at else "—"
            return self.tr(
                "Not settled yet (settles at %1): a void cancels it in full, before then."
            ).replace("%1", when)
        if detail.advice is Advice.REFUND:
            return self.tr("Settled: refund all or part of what is left.")
        if detail.refundable_cents <= 0 and detail.status in (
            StatusWord.PAID,
            StatusWord.PAID_NOTIFIED,
        ):
            return self.tr("Nothing is left to refund on this payment.")
        return self.tr("This payment did not go through; there is nothing to return.")

    # -- receipts -----------------------------------------------------------------------------

    def order_receipt(self) -> Receipt | None:
        """The receipt of the order on screen, as IOTPay reports it (a reprint), with the
        refunds and voids made of it since."""
        if self.detail is None:
            return None
        operator = self._service.operator if self._service is not None else ""
        return receipt_for_detail(
            self.detail,
            merchant_name=self.merchant_name,
            operator=operator,
            merchant=merchant_for(self),
        )

    def return_receipt(self, row: int) -> Receipt | None:
        """The receipt of the refund or void in ``row`` of the table, from the journal."""
        if self.detail is None or not 0 <= row < len(self.detail.returns):
            return None
        result = self.detail.returns[row]
        return receipt_for(
            result.action,
            merchant_name=self.merchant_name,
            order=result.order or self.detail.order,
        )

    def show_order_receipt(self) -> None:
        receipt = self.order_receipt()
        if receipt is not None:
            show_receipt(self.window(), receipt)

    def show_return_receipt(self, row: int) -> None:
        receipt = self.return_receipt(row)
        if receipt is not None:
            show_receipt(self.window(), receipt)

    # -- refund / void ------------------------------------------------------------------------

    def open_form(self, kind: ActionKind) -> None:
        service, detail = self._service, self.detail
        if service is None or detail is None:
            return
        dialog = RefundDialog(
            service, detail, kind, retype_above=self._retype_above, parent=self.window()
        )
        dialog.outcome_known.connect(self._after_action)
        dialog.swap_requested.connect(self._swap)
        self.dialog = dialog
        dialog.open()
        dialog.start()

    def _after_action(self) -> None:
        self.action_finished.emit()
        self.refresh()

    def _swap(self, kind_value: str, reason: str, note: str) -> None:
        """IOTPay said "too late to void" / "too early to refund": offer the other one."""
        self.open_form(ActionKind(kind_value))
        if self.dialog is not None:
            self.dialog.reason.setText(reason)
            self.dialog.note.setText(note)

"""The Orders page: look up a payment, see what is left of it, refund or void it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
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

from iotpay_desk.journal import Action, ActionKind, ActionState, Lookup, Notification
from iotpay_desk.services import Advice, MoneyService, OrderDetail, StatusWord, status_word
from iotpay_desk.services.receipts import Receipt, receipt_for, receipt_for_detail
from iotpay_desk.services.rules import TORONTO, iotpay_time, payment_status

from .amounts import format_cents
from .asyncjob import async_slot, gone, run_busy
from .errors import UserMessage
from .pagekit import page_title
from .receipt import merchant_for, show_receipt
from .refund_dialog import RefundDialog
from .words import (
    action_word,
    card_brand,
    local_time,
    outcome_text,
    payment_status_text,
    state_word,
    status_text,
    zone_note,
)

__all__ = ["OrdersPage"]


@final
class OrdersPage(QWidget):
    """Look-up and the actions on one payment.

    Signal ``action_finished()`` (GUI thread) after a refund or void form reported an
    outcome (the Activity page refreshes on it while the window has no event hub).
    :meth:`action_changed` (GUI thread) is fed by ``LedgerBridge.action_changed`` (every
    desk's actions), or the money service's ``on_change`` while there is no event hub.

    Refund, Void and Receipt act only on the payment whose number is in the look-up
    field, once its look-up has finished: a look-up that starts greys the payment out
    (and one that fails clears it), and editing the field disables them until the
    look-up is run again. Refund and Void stay off while a refund or void of the payment
    is unresolved (being sent, or being checked with IOTPay), from this window or from
    any other desk on the journal (seen at each look-up and refresh).
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
        self.tz: tzinfo = TORONTO  # the merchant's zone (the profile's): every time shown
        self._looking = False
        self._refreshing = False
        self._refresh_again = False
        # Refunds and voids of the payment on screen whose outcome is not known yet.
        self.unresolved: dict[int, Action] = {}
        # One of them was settled since the payment was shown: what is left to refund is
        # out of date until the payment is asked for again.
        self._outdated = False
        self._looked_up = ""  # the text of the look-up that found the payment shown
        # False while the ledger cannot be reached: no refund or void may start.
        self._ledger_ok = True

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
        self.query.textChanged.connect(self._update_actions)

        self.zone = QLabel(self)
        self.zone.setObjectName("orders-zone")
        self.zone.setWordWrap(True)

        self.message = QLabel(self)
        self.message.setObjectName("orders-message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.stale = QLabel(self)
        self.stale.setObjectName("orders-stale")
        self.stale.setWordWrap(True)
        self.stale.setVisible(False)

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
        self.in_flight = QLabel(self.payment_box)
        self.in_flight.setObjectName("payment-in-flight")
        self.in_flight.setWordWrap(True)
        self.in_flight.setVisible(False)
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
        box_layout.addWidget(self.in_flight)
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
        self.returns_label = QLabel(
            self.tr("Refunds and voids made from this desk or another:"), self
        )
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
        main.addWidget(self.stale)
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
        layout.addWidget(self.zone)
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
        self.tz = service.tz if service is not None else TORONTO
        self.zone.setText(zone_note(self.tz))
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

    def set_ledger_ok(self, ok: bool) -> None:
        """The ledger can be used (False: Refund and Void stay off, with the reason in
        their tooltip; a payment shown without the ledger's part is read again when it
        is back)."""
        if ok == self._ledger_ok:
            return
        self._ledger_ok = ok
        self._update_actions()
        if ok and self.detail is not None and self.detail.ledger_missing:
            self.refresh()

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
        self._looking = True
        self._update_actions()  # the payment on screen is greyed out meanwhile
        try:
            result = await run_busy(
                [self.lookup_button, self.query],
                service.lookup(text),
                progress_text=self.tr("Looking up the order with IOTPay…"),
                on_error=self._say,
            )
        finally:
            if not gone(self):
                self._looking = False
        if gone(self) or service is not self._service:  # the profile was switched meanwhile
            return
        if result.value is not None:
            self._looked_up = text
            self.show_detail(result.value)
            self.load_recent()
        else:
            self.show_detail(None)  # nothing of the previous payment stays actionable

    @async_slot()
    async def refresh(self) -> None:
        """Ask IOTPay again about the payment shown (after a refund or void). A refresh
        asked for while one runs makes that one go once more (never two at a time)."""
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        try:
            while True:
                self._refresh_again = False
                service, detail = self._service, self.detail
                if service is None or detail is None:
                    return
                pay_order_id = detail.order.pay_order_id
                self._update_actions()
                result = await run_busy(
                    self.lookup_button,
                    service.order_detail(pay_order_id),
                    progress_text=self.tr("Updating the payment from IOTPay…"),
                    on_error=self._say,
                )
                if gone(self) or service is not self._service:
                    return
                fresh = result.value
                shown = self.detail
                if (
                    fresh is not None
                    and not self._looking
                    and shown is not None
                    and shown.order.pay_order_id == pay_order_id
                ):
                    self.show_detail(fresh)
                if not self._refresh_again:
                    return
        finally:
            if not gone(self):
                self._refreshing = False
                self._update_actions()

    def action_changed(self, action: Action) -> None:
        """A refund or void started or changed state (the money service's ``on_change``,
        GUI thread). Refund and Void are off while one of the payment on screen is
        unresolved; once it is settled the payment is asked for again."""
        detail = self.detail
        if detail is None or action.target_pay_order_id != detail.order.pay_order_id:
            return
        if action.is_open:
            self.unresolved[action.id] = action
        else:
            self.unresolved.pop(action.id, None)
            self._outdated = True
        self._update_actions()
        if not action.is_open and not self._form_reports(action):
            self.refresh()

    def notification_recorded(self, notification: Notification) -> None:
        """IOTPay's notification about an order was recorded, by any desk's receiver
        (``LedgerBridge.notification_recorded``): about the payment shown or one of its
        refunds, the payment is asked for again."""
        detail = self.detail
        if detail is None:
            return
        about = {detail.order.pay_order_id, *(r.action.pay_order_id for r in detail.returns)}
        if notification.pay_order_id in about:
            self.refresh()

    def _form_reports(self, action: Action) -> bool:
        """True if the refund or void form on screen sent ``action``: it reports the
        outcome itself (and the page refreshes then, once)."""
        dialog = self.dialog
        if dialog is None or gone(dialog) or not dialog.isVisible():
            return False
        return dialog.draft is not None and dialog.draft.mch_no == action.mch_no

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
            item = QListWidgetItem(f"{label}\n{self.local(lk.at)}")
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

    def local(self, moment: datetime) -> str:
        """A journal time (UTC) or IOTPay's, on the merchant's clock (the profile's zone)."""
        return local_time(moment.astimezone(self.tz))

    def show_detail(self, detail: OrderDetail | None) -> None:
        self.detail = detail
        self._outdated = False
        self.unresolved = (
            {r.action.id: r.action for r in detail.returns if r.action.is_open} if detail else {}
        )
        self.payment_box.setVisible(detail is not None)
        self.returns.setVisible(detail is not None)
        self.returns_label.setVisible(detail is not None)
        if detail is None:
            self.returns.setRowCount(0)
            self._update_actions()
            return
        order = detail.order
        v = self.values
        v["pay_order_id"].setText(order.pay_order_id)
        v["mch_order_no"].setText(order.mch_order_no)
        v["amount"].setText(format_cents(order.amount))
        if detail.ledger_missing:
            # Without the ledger the refunds made through the desks are not known.
            v["refundable"].setText(self.tr("Not known (the ledger cannot be read)"))
        else:
            v["refundable"].setText(format_cents(detail.refundable_cents))
        v["status"].setText(
            payment_status_text(payment_status(order, (r.action for r in detail.returns)))
        )
        paid = iotpay_time(order.pay_succ_time)
        v["paid_at"].setText(self.local(paid) if paid is not None else order.pay_succ_time or "—")
        card = " ".join(x for x in (card_brand(order.card_type), order.card_num) if x)
        v["card"].setText(card or "—")
        v["notified"].setText(self._notified_text(detail))
        if order.is_refund:
            self.payment_box.setTitle(self.tr("Refund or void"))
        else:
            self.payment_box.setTitle(self.tr("Payment"))
        if detail.ledger_missing:
            advice = self.tr(
                "The ledger could not be read: the refunds and voids made through the desks "
                "are not shown, so what is left to refund is not known."
            )
        else:
            advice = self._advice_text(detail)
        self.advice.setText(advice)
        self.refund_button.setDefault(detail.advice is Advice.REFUND)
        self.void_button.setDefault(detail.advice is Advice.VOID)
        self.returns.setRowCount(len(detail.returns))
        for row, r in enumerate(detail.returns):
            amount = r.order.amount if r.order else (r.action.amount_cents or 0)
            cells = [
                action_word(r.action.kind),
                format_cents(amount),
                outcome_text(r.action, self._service) if r.action.is_open else state_word(r.state),
                self.local(r.action.created_at),
            ]
            for col, text in enumerate(cells):
                self.returns.setItem(row, col, QTableWidgetItem(text))
        self._update_actions()

    def is_current(self) -> bool:
        """The payment on screen is the one whose number is in the field, and no look-up
        of another one is running: only then may anything act on it."""
        detail = self.detail
        if detail is None or self._looking:
            return False
        text = self.query.text().strip()
        lookup = detail.lookup.query if detail.lookup is not None else ""
        return bool(text) and text in (
            detail.order.pay_order_id,
            detail.order.mch_order_no,
            lookup,
            self._looked_up,
        )

    def _update_actions(self) -> None:
        """Enable Refund, Void and Receipt from what is on screen (see the class doc)."""
        detail = self.detail
        current = self.is_current()
        if detail is None or current:
            self.stale.setVisible(False)
        else:
            if self._looking:
                text = self.tr("Looking up “%1”…").replace("%1", self.query.text().strip())
            else:
                text = self.tr(
                    "The payment below is %1, not the order in the field: press Enter to "
                    "look that order up before acting on it."
                ).replace("%1", detail.order.mch_order_no or detail.order.pay_order_id)
            self.stale.setText(text)
            self.stale.setVisible(True)
        self.payment_box.setEnabled(current)
        self.returns.setEnabled(current)
        self.in_flight.setText(self._in_flight_text())
        self.in_flight.setVisible(detail is not None and bool(self.unresolved))
        can_return = (
            detail is not None
            and current
            and not self.unresolved
            and not self._refreshing
            and not self._outdated
            and detail.advice is not Advice.NONE
            and detail.refundable_cents > 0
        )
        ledger_off = not self._ledger_ok or (detail is not None and detail.ledger_missing)
        can_return = can_return and not ledger_off
        why = (
            self.tr("The ledger cannot be reached: refunds and voids are off until it is back.")
            if ledger_off
            else ""
        )
        self.refund_button.setToolTip(why)
        self.void_button.setToolTip(why)
        self.refund_button.setEnabled(can_return)
        self.void_button.setEnabled(
            can_return and detail is not None and detail.refundable_cents == detail.order.amount
        )
        self.receipt_button.setEnabled(current)

    def _in_flight_text(self) -> str:
        """Why Refund and Void are off: the refunds and voids IOTPay has not settled."""
        lines: list[str] = []
        for action in sorted(self.unresolved.values(), key=lambda a: a.id):
            amount = format_cents(action.amount_cents or 0)
            sending = action.state is ActionState.INTENT
            if action.kind is ActionKind.VOID:
                text = (
                    self.tr("A void of %1 is being sent to IOTPay.")
                    if sending
                    else self.tr("A void of %1 is being checked with IOTPay.")
                )
            else:
                text = (
                    self.tr("A refund of %1 is being sent to IOTPay.")
                    if sending
                    else self.tr("A refund of %1 is being checked with IOTPay.")
                )
            lines.append(text.replace("%1", amount))
        if not lines:
            return ""
        lines.append(
            self.tr(
                "Refund and void stay off until IOTPay has answered; the Activity page "
                "shows where it stands."
            )
        )
        return "\n".join(lines)

    def _notified_text(self, detail: OrderDetail) -> str:
        """The latest notification a notify receiver recorded for the order, if any."""
        if not detail.notifications:
            return "—"
        latest = detail.notifications[0]
        text = (
            self.tr("%1 — %2")
            .replace("%1", self.local(latest.first_at))
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
            when = self.local(detail.settles_at) if detail.settles_at else "—"
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
        if self.detail is None or not self.is_current():
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
        if self.detail is None or not self.is_current() or not 0 <= row < len(self.detail.returns):
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
        if service is None or detail is None or not self.is_current() or self.unresolved:
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

"""The refund / void form of one payment.

Opened with ``open()`` (never ``exec()``: the qasync loop keeps running). :meth:`start`
makes the draft — the refund number is fixed when the form opens, so pressing the button
twice, or again after an error, can never refund twice. The money service does the rest;
the form shows what came of it in plain words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import final

from PySide6.QtCore import QDate, QLocale, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.services import (
    ActionResult,
    Advice,
    Draft,
    InvalidInput,
    MoneyService,
    OrderDetail,
)

from .amounts import AmountEcho, format_cents, parse_amount
from .asyncjob import BusyIndicator, async_slot, gone, run_busy
from .errors import Kind, UserMessage, describe
from .pagekit import keep_fitted

__all__ = ["RefundDialog"]


def _plain_amount(cents: int, locale: QLocale | None = None) -> str:
    """``2500`` → ``25.00`` / ``25,00``: what the cashier would type."""
    loc = locale or QLocale()
    return f"{cents // 100}{loc.decimalPoint()}{cents % 100:02d}"


class ReasonBox(QComboBox):
    """The reason: a list of the usual ones, or any text typed (kept in the journal)."""

    def __init__(self, reasons: list[str], placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        edit = self.lineEdit()
        assert edit is not None
        edit.setPlaceholderText(placeholder)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(reasons)
        self.setCurrentIndex(-1)
        self.setEditText("")

    def text(self) -> str:
        return self.currentText().strip()

    def setText(self, text: str) -> None:
        self.setEditText(text)


@final
class RefundDialog(QDialog):
    """Refund (all or part) or void one payment.

    Signals (GUI thread): ``outcome_known()`` once IOTPay's answer (or the "checking" state)
    is known; ``swap_requested(str kind, str reason, str note)`` when IOTPay said the other
    action is the right one and the user chose it.
    """

    outcome_known = Signal()
    swap_requested = Signal(str, str, str)

    def __init__(
        self,
        service: MoneyService,
        detail: OrderDetail,
        kind: ActionKind,
        *,
        retype_above: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        keep_fitted(self)
        if not kind.returns_money:
            raise ValueError("a refund or a void")
        self.setObjectName(f"{kind.value}-dialog")
        self._service = service
        self._detail = detail
        self.kind = kind
        self._retype_above = retype_above
        self.draft: Draft | None = None
        self.outcome: ActionResult | None = None
        order = detail.order
        refund = kind is ActionKind.REFUND
        self.setWindowTitle(self.tr("Refund a payment") if refund else self.tr("Void a payment"))

        intro = QLabel(self)
        intro.setWordWrap(True)
        if refund:
            intro.setText(
                self.tr("Payment %1 of %2. Left to refund: %3.")
                .replace("%1", order.pay_order_id)
                .replace("%2", format_cents(order.amount))
                .replace("%3", format_cents(detail.refundable_now))
            )
        else:
            intro.setText(
                self.tr("Payment %1: a void cancels all of it (%2) before it settles.")
                .replace("%1", order.pay_order_id)
                .replace("%2", format_cents(detail.refundable_cents))
            )

        # What is left once the refunds still in flight are counted.
        self.amount = QLineEdit(_plain_amount(detail.refundable_now), self)
        self.amount.setObjectName("amount")
        self.amount_echo = AmountEcho(self.amount, self)
        # Before settlement IOTPay refunds nothing: said before anything is sent.
        self.settlement = QLabel(self)
        self.settlement.setObjectName("refund-settlement")
        self.settlement.setWordWrap(True)
        self.settlement.setVisible(False)
        self.amount_again = QLineEdit(self)
        self.amount_again.setObjectName("amount-again")
        self.reason = ReasonBox(
            [
                self.tr("Item returned"),
                self.tr("Customer cancelled"),
                self.tr("Charged twice"),
                self.tr("Wrong amount charged"),
                self.tr("Goodwill gesture"),
            ],
            self.tr("choose or type a reason"),
            self,
        )
        self.reason.setObjectName("reason")
        self.note = QLineEdit(self)
        self.note.setObjectName("note")
        form = QFormLayout()
        self._amount_label = QLabel(self.tr("&Amount to refund:"), self)
        self._amount_label.setBuddy(self.amount)
        self._again_label = QLabel(self.tr("Amount a&gain:"), self)
        self._again_label.setBuddy(self.amount_again)
        reason_label = QLabel(self.tr("R&eason:"), self)
        reason_label.setBuddy(self.reason)
        note_label = QLabel(self.tr("&Note (kept in the journal):"), self)
        note_label.setBuddy(self.note)
        if refund:
            form.addRow(self._amount_label, self.amount)
            form.addRow("", self.amount_echo)
            form.addRow(self._again_label, self.amount_again)
        else:
            self.amount.setVisible(False)
            self.amount_again.setVisible(False)
            self._amount_label.setVisible(False)
            self._again_label.setVisible(False)
            self.amount_echo.setVisible(False)
        form.addRow(reason_label, self.reason)
        form.addRow(note_label, self.note)
        self.amount.textChanged.connect(self._retype_needed)
        self.amount.textChanged.connect(self._explain_settlement)

        self.message = QLabel(self)
        self.message.setObjectName("dialog-message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.busy = BusyIndicator(self)

        self.buttons = QDialogButtonBox(self)
        self.submit = QPushButton(self.tr("&Refund") if refund else self.tr("&Void"), self)
        self.submit.setObjectName("submit")
        self.submit.setEnabled(False)  # until the draft exists
        self.buttons.addButton(self.submit, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # "Close", not "Cancel": beside Void, Cancel reads as cancelling the payment
        # (in French both began with "Annuler").
        self.cancel.setText(self.tr("&Close"))
        # Shown only after an outcome; outside the button box, which shows what it holds.
        self.other = QPushButton(self)
        self.other.setObjectName("other-action")
        self.other.setVisible(False)
        self.again = QPushButton(self.tr("&Try again"), self)
        self.again.setObjectName("try-again")
        self.again.setVisible(False)
        # An unconfirmed refund or void is sent again with its own number, never a new one.
        self.resend = QPushButton(self.tr("&Send again (same number)"), self)
        self.resend.setObjectName("send-again")
        self.resend.setVisible(False)
        # The refund's or void's receipt, once IOTPay confirmed it.
        self.receipt_button = QPushButton(self.tr("Recei&pt…"), self)
        self.receipt_button.setObjectName("return-receipt")
        self.receipt_button.setVisible(False)
        self.receipt_button.clicked.connect(self.show_receipt)
        self.receipt_dialog: QWidget | None = None
        self.submit.clicked.connect(self.send)
        self.cancel.clicked.connect(self.reject)
        self.other.clicked.connect(self._swap)
        self.again.clicked.connect(self._try_again)
        self.resend.clicked.connect(self.send_again)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.settlement)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        row = QHBoxLayout()
        row.addWidget(self.other)
        row.addWidget(self.again)
        row.addWidget(self.resend)
        row.addWidget(self.receipt_button)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout.addLayout(row)
        self._retype_needed()
        self._explain_settlement()
        self.finished.connect(self._forget_draft)
        # The cashier types the amount first (the reason, for a void).
        if refund:
            self.amount.setFocus()
            self.amount.selectAll()
        else:
            self.reason.setFocus()

    # -- the draft ---------------------------------------------------------------------------

    @async_slot()
    async def start(self) -> None:
        """Make the draft (fixes the refund number); the button works once it exists."""
        result = await run_busy(
            self.submit,
            self._service.new_draft(self.kind, self._detail.order.pay_order_id),
            progress_text=self.tr("Preparing…"),
            on_error=self._say,
        )
        if gone(self):
            return
        if result.value is not None:
            self.draft = result.value
            self.submit.setEnabled(True)
            self.submit.setDefault(True)
        else:
            self.submit.setEnabled(False)

    def _forget_draft(self) -> None:
        if self.draft is not None:
            self._service.discard_draft(self.draft.id)

    def _unconfirmed_text(self, result: ActionResult) -> str:
        from .words import checked_until

        if result.action.kind is ActionKind.REFUND:
            text = self.tr(
                "IOTPay has no record of this refund yet. It may still arrive late, so it is "
                "not known whether money moved. The desk keeps checking until %1 and shows the "
                "outcome in Activity. You can send it again with the same number (%2): IOTPay "
                "refuses a number it has already used, so it can never be refunded twice."
            )
        else:
            text = self.tr(
                "IOTPay has no record of this void yet. It may still arrive late, so it is "
                "not known whether the payment was cancelled. The desk keeps checking until %1 "
                "and shows the outcome in Activity. You can send it again with the same number "
                "(%2): IOTPay refuses a number it has already used, so it can never go through "
                "twice."
            )
        when = checked_until(self._service, result.action)
        return text.replace("%1", when).replace("%2", result.action.mch_no)

    @async_slot()
    async def send_again(self) -> None:
        """Send the unconfirmed refund or void again, with its own number."""
        result = self.outcome
        if result is None or not result.can_send_again:
            return
        job = await run_busy(
            [self.resend],
            self._service.send_again(result.action),
            progress_text=self.tr("Sending again with the same number…"),
            on_error=self._say,
        )
        if gone(self):
            return
        if job.value is not None:
            self.resend.setVisible(False)
            self._show_result(job.value)

    def _try_again(self) -> None:
        self._forget_draft()
        self.draft = None
        self.outcome = None
        self.again.setVisible(False)
        self.submit.setVisible(True)
        self._set_inputs_enabled(True)
        self._say(None)
        self._explain_settlement()
        self.start()

    # -- before settlement ----------------------------------------------------------------------

    def _settles_text(self) -> str:
        """When the payment is expected to settle (the profile's cut-off, in the merchant's
        time zone): "tonight at 9:00 p.m. EST", or "on <date> at …" on another day."""
        when = self._detail.settles_at
        if when is None:
            return self.tr("at the end of the day's batch")
        loc = QLocale()
        lookup = self._detail.lookup
        today = (lookup.at if lookup is not None else datetime.now(UTC)).astimezone(when.tzinfo)
        clock = loc.toString(QTime(when.hour, when.minute), QLocale.FormatType.ShortFormat)
        clock = f"{clock} {when.tzname() or ''}".strip()
        if when.date() == today.date():
            return self.tr("tonight at %1").replace("%1", clock)
        day = loc.toString(QDate(when.year, when.month, when.day), QLocale.FormatType.LongFormat)
        return self.tr("on %1 at %2").replace("%1", day).replace("%2", clock)

    def _explain_settlement(self, *_args: object) -> None:
        """A refund form for a payment that has not settled says, before anything is sent,
        that IOTPay refunds only settled payments and that a void returns all of it."""
        if self.kind is not ActionKind.REFUND or self._detail.advice is not Advice.VOID:
            self.settlement.setVisible(False)
            return
        full = self._detail.refundable_cents
        try:
            asked: int | None = parse_amount(self.amount.text())
        except InvalidInput:
            asked = None
        if asked is not None and asked < full:
            text = self.tr(
                "Not settled yet: IOTPay refunds a payment only once it has settled, %1. To "
                "return only %2, wait until then and refund it. Before then the only way back "
                "is a void, which cancels the full %3."
            ).replace("%2", format_cents(asked))
        else:
            text = self.tr(
                "Not settled yet: IOTPay refunds a payment only once it has settled, %1. "
                "Before then, void it instead: a void returns the full %3."
            )
        text = text.replace("%1", self._settles_text()).replace("%3", format_cents(full))
        self.settlement.setText(text)
        self.settlement.setVisible(self.outcome is None)

    # -- input ---------------------------------------------------------------------------------

    def _retype_needed(self) -> bool:
        needed = False
        if self.kind is ActionKind.REFUND and self._retype_above is not None:
            try:
                needed = parse_amount(self.amount.text()) > self._retype_above
            except InvalidInput:
                needed = False
        self.amount_again.setVisible(needed)
        self._again_label.setVisible(needed)
        return needed

    def _amount_cents(self) -> int | None:
        """The amount typed (cents), or None after saying what is wrong."""
        try:
            cents = parse_amount(self.amount.text())
        except InvalidInput as exc:
            self._say(describe(exc))
            self.amount.setFocus()
            return None
        if self._retype_needed():
            try:
                again = parse_amount(self.amount_again.text())
            except InvalidInput:
                again = None
            if again != cents:
                self._say(
                    UserMessage(
                        Kind.USER,
                        self.tr(
                            "The two amounts differ. Type the amount to refund again to confirm it."
                        ),
                        field="amount",
                    )
                )
                self.amount_again.setFocus()
                self.amount_again.selectAll()
                return None
        return cents

    def _set_inputs_enabled(self, on: bool) -> None:
        for w in (self.amount, self.amount_again, self.reason, self.note):
            w.setEnabled(on)

    def _say(self, message: UserMessage | None) -> None:
        if message is None:
            self.message.clear()
            self.message.setVisible(False)
            return
        self.message.setText(message.text)
        self.message.setVisible(True)
        if message.field == "amount":
            self.amount.setFocus()
        elif message.field in ("reason", "note"):
            (self.reason if message.field == "reason" else self.note).setFocus()

    # -- send ------------------------------------------------------------------------------------

    @async_slot()
    async def send(self) -> None:
        draft = self.draft
        if draft is None or self.outcome is not None:
            return
        self._say(None)
        pay_order_id = self._detail.order.pay_order_id
        if self.kind is ActionKind.REFUND:
            cents = self._amount_cents()
            if cents is None:
                return
            work = self._service.refund(
                pay_order_id, cents, self.reason.text(), self.note.text(), draft_id=draft.id
            )
            progress = self.tr("Refunding with IOTPay…")
        else:
            work = self._service.void(
                pay_order_id, self.reason.text(), self.note.text(), draft_id=draft.id
            )
            progress = self.tr("Voiding with IOTPay…")
        job = await run_busy(
            [self.submit, self.amount, self.amount_again, self.reason, self.note],
            work,
            progress_text=progress,
            on_error=self._say,
        )
        if gone(self):
            return
        if job.value is not None and self.outcome is None:
            # A second send that got through awaited the same action: shown once.
            self._show_result(job.value)

    def _show_result(self, result: ActionResult) -> None:
        self.outcome = result
        self.settlement.setVisible(False)  # what happened is said below
        refund = self.kind is ActionKind.REFUND
        amount = result.order.amount if result.order else (result.action.amount_cents or 0)
        state = result.state
        done = True
        if state is ActionState.SUCCEEDED:
            text = (self.tr("Refunded %1.") if refund else self.tr("Voided %1.")).replace(
                "%1", format_cents(amount)
            )
            if result.order is not None and result.order.pay_order_id:
                text += " " + self.tr("IOTPay's reference: %1.").replace(
                    "%1", result.order.pay_order_id
                )
            self.receipt_button.setVisible(True)
        elif result.can_send_again:
            text = self._unconfirmed_text(result)
            self.resend.setVisible(True)
            done = False
        elif result.checking:
            text = self.tr(
                "IOTPay has not confirmed yet. The desk keeps checking with IOTPay and shows "
                "the outcome in Activity. Do not start it again."
            )
        elif state is ActionState.NOT_RECEIVED:
            text = self.tr("IOTPay never received it, so nothing moved. You can try again.")
            self.again.setVisible(True)
            done = False
        elif state is ActionState.DECLINED:
            text = self.tr("IOTPay declined it: “%1”.").replace(
                "%1", result.ret_msg or self.tr("no reason given")
            )
        else:
            text = self.tr("IOTPay refused it: “%1”.").replace(
                "%1", result.ret_msg or self.tr("no reason given")
            )
            other = result.try_instead
            if other is ActionKind.REFUND:
                text += " " + self.tr("The payment has settled: refund it instead.")
                self.other.setText(self.tr("&Refund instead"))
                self.other.setVisible(True)
            elif other is ActionKind.VOID:
                full = self._detail.refundable_cents
                asked = result.action.amount_cents or full
                if asked < full:
                    # A void is all or nothing: never offered for a part without saying so.
                    text += " " + (
                        self.tr(
                            "The payment has not settled yet, so IOTPay cannot refund part of "
                            "it. A void cancels the whole payment: %1, not %2. To return only "
                            "%2, refund it once it has settled (%3)."
                        )
                        .replace("%1", format_cents(full))
                        .replace("%2", format_cents(asked))
                        .replace("%3", self._settles_text())
                    )
                    self.other.setText(
                        self.tr("&Void the full %1 instead").replace("%1", format_cents(full))
                    )
                else:
                    text += " " + self.tr("The payment has not settled yet: void it instead.")
                    self.other.setText(self.tr("&Void instead"))
                self.other.setVisible(True)
        self.message.setText(text)
        self.message.setVisible(True)
        self.submit.setVisible(False)
        self._set_inputs_enabled(False)
        self.cancel.setText(self.tr("&Close"))
        self.cancel.setDefault(True)
        if done:
            self.outcome_known.emit()

    def show_receipt(self) -> None:
        """The receipt of the refund or void IOTPay confirmed (print, save as PDF)."""
        from iotpay_desk.services.receipts import receipt_for

        from .receipt import show_receipt

        result = self.outcome
        if result is None or not result.succeeded:
            return
        receipt = receipt_for(result.action, order=result.order or self._detail.order)
        self.receipt_dialog = show_receipt(self, receipt)

    def _swap(self) -> None:
        other = self.outcome.try_instead if self.outcome else None
        if other is None:
            return
        reason, note = self.reason.text(), self.note.text()
        self.accept()
        self.swap_requested.emit(other.value, reason, note)

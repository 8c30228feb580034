"""Charge a card on file (cc_purchasewithtoken) through the money journal.

The form opens with a draft: its order number is fixed then, so a double-click, a held
Enter or a retry after an error can never charge twice. Before the charge is sent, the
form says exactly what will happen, and warns when the same card was charged the same
amount within the profile's repeat-charge window (a day by default), naming that charge.
"""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import date, datetime
from typing import TYPE_CHECKING, final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.services import (
    FOLLOW_ATTEMPTS,
    FOLLOW_INTERVAL_S,
    ActionResult,
    Draft,
    ExpiryState,
    InvalidInput,
    VaultCard,
)

from .amounts import AmountEcho, format_cents, parse_amount
from .asyncjob import BusyIndicator, async_slot, gone, run_busy
from .cardwords import card_title, expiry_text
from .draftdialog import OutcomeTexts, forget_draft, make_draft, open_receipt, outcome_text, say
from .errors import UserMessage, describe, field_label, rule_text
from .pagekit import keep_fitted

if TYPE_CHECKING:
    from iotpay_desk.services import MoneyService

__all__ = ["ChargeDialog", "check_client_ip"]

SUBJECT_MAX = 64
NOTE_MAX = 500


def check_client_ip(text: str) -> str | None:
    """The rule a customer IP address breaks, or None (empty is allowed: it is optional)."""
    value = text.strip()
    if not value:
        return None
    if len(value) > 50:
        return "at most 50 characters"
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return "must be an IPv4 or IPv6 address"
    return None


@final
class ChargeDialog(QDialog):
    """Charge one of the vault's cards. Open with ``open()`` then call :meth:`start`.

    Signals (GUI thread): ``outcome_known()`` once IOTPay's answer (or the "checking"
    state) is known.
    """

    outcome_known = Signal()

    def __init__(
        self,
        service: MoneyService,
        cards: list[VaultCard],
        card_id: str | None = None,
        *,
        merchant_name: str = "",
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        keep_fitted(self)
        self.setObjectName("charge-dialog")
        self.setWindowTitle(self.tr("Charge a card on file"))
        self._service = service
        self._merchant_name = merchant_name
        self._today = today or date.today()
        self.draft: Draft | None = None
        self.outcome: ActionResult | None = None
        self._warned_for: tuple[str, int] | None = None
        self.receipt_dialog: QWidget | None = None
        self.follow_attempts = FOLLOW_ATTEMPTS
        self.follow_interval = FOLLOW_INTERVAL_S
        self._follow_task: asyncio.Task[None] | None = None

        self.card = QComboBox(self)
        self.card.setObjectName("charge-card")
        for c in cards:
            text = f"{c.customer_label} — {card_title(c)} — {c.card_id}"
            state = c.expiry_state(self._today)
            if state is ExpiryState.EXPIRED:
                text += " — " + expiry_text(c, self._today)
            self.card.addItem(text, c)
        if card_id is not None:
            for i in range(self.card.count()):
                if self.card.itemData(i).card_id == card_id:
                    self.card.setCurrentIndex(i)
        self.amount = QLineEdit(self)
        self.amount.setObjectName("charge-amount")
        self.amount.setPlaceholderText(self.tr("e.g. 12.50"))
        self.subject = QLineEdit(self)
        self.subject.setObjectName("charge-subject")
        self.subject.setMaxLength(SUBJECT_MAX)
        self.subject.setPlaceholderText(self.tr("shown on the order at IOTPay"))
        self.note = QLineEdit(self)
        self.note.setObjectName("charge-note")
        self.note.setMaxLength(NOTE_MAX)
        self.client_ip = QLineEdit(self)
        self.client_ip.setObjectName("charge-client-ip")
        self.client_ip.setPlaceholderText(self.tr("optional, e.g. 192.0.2.10"))
        self.ip_message = QLabel(self)
        self.ip_message.setObjectName("charge-ip-message")
        self.ip_message.setWordWrap(True)
        self.ip_message.setVisible(False)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, field in (
            (self.tr("Car&d:"), self.card),
            (self.tr("&Amount:"), self.amount),
            (self.tr("&Subject:"), self.subject),
            (self.tr("&Note (kept in the journal):"), self.note),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)
        ip_label = QLabel(self.tr("Customer &IP address:"), self)
        ip_label.setBuddy(self.client_ip)
        form.addRow(ip_label, self.client_ip)
        # Under the amount: what the form understood, in figures and words.
        self.amount_echo = AmountEcho(self.amount, self)
        form.insertRow(2, "", self.amount_echo)

        self.confirmation = QLabel(self)
        self.confirmation.setObjectName("charge-confirmation")
        self.confirmation.setWordWrap(True)
        self.warning = QLabel(self)
        self.warning.setObjectName("charge-warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("QLabel#charge-warning { font-weight: bold; }")
        self.warning.setVisible(False)
        self.message = QLabel(self)
        self.message.setObjectName("dialog-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)
        self.busy = BusyIndicator(self)

        self.buttons = QDialogButtonBox(self)
        self.submit = QPushButton(self.tr("C&harge"), self)
        self.submit.setObjectName("submit")
        self.submit.setEnabled(False)  # until the draft exists
        self.buttons.addButton(self.submit, QDialogButtonBox.ButtonRole.AcceptRole)
        self.receipt_button = QPushButton(self.tr("&Receipt…"), self)
        self.receipt_button.setObjectName("charge-receipt")
        self.buttons.addButton(self.receipt_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.receipt_button.setVisible(False)
        self.keep_checking = QPushButton(self.tr("K&eep checking"), self)
        self.keep_checking.setObjectName("charge-keep-checking")
        self.buttons.addButton(self.keep_checking, QDialogButtonBox.ButtonRole.ActionRole)
        self.keep_checking.setVisible(False)
        self.keep_checking.clicked.connect(self._start_follow)
        # An unconfirmed charge is sent again with its own order number, never a new one.
        self.resend = QPushButton(self.tr("Send a&gain (same number)"), self)
        self.resend.setObjectName("charge-send-again")
        self.buttons.addButton(self.resend, QDialogButtonBox.ButtonRole.ActionRole)
        self.resend.setVisible(False)
        self.resend.clicked.connect(self.send_again)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.submit.clicked.connect(self.send)
        self.cancel.clicked.connect(self.reject)
        self.receipt_button.clicked.connect(self.show_receipt)

        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.ip_message)  # right under its field, naming it
        layout.addWidget(self.confirmation)
        layout.addWidget(self.warning)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

        for w in (self.amount, self.subject, self.client_ip):
            w.textChanged.connect(self._update)
        self.card.currentIndexChanged.connect(self._update)
        self.client_ip.editingFinished.connect(self._check_ip)
        self.finished.connect(self._forget_draft)
        self.finished.connect(self._stop_following)
        self._update()
        self.amount.setFocus()  # the card is chosen already; the amount is typed first

    # -- the draft ---------------------------------------------------------------------------

    @async_slot()
    async def start(self) -> None:
        """Make the draft (fixes the order number); the Charge button works once it exists."""
        draft = await make_draft(
            self,
            self._service,
            ActionKind.CHARGE_TOKEN,
            self.submit,
            progress_text=self.tr("Preparing…"),
            on_error=self._say,
        )
        if draft is not None:
            self.draft = draft

    def _forget_draft(self) -> None:
        forget_draft(self._service, self.draft)

    # -- input ---------------------------------------------------------------------------------

    def selected(self) -> VaultCard | None:
        card = self.card.currentData()
        return card if isinstance(card, VaultCard) else None

    def _cents(self) -> int | None:
        try:
            cents = parse_amount(self.amount.text())
        except InvalidInput:
            return None
        return cents if cents > 0 else None

    def _update(self, *_args: object) -> None:
        card, cents = self.selected(), self._cents()
        if card is None:
            self.confirmation.setText(self.tr("There is no card to charge."))
        elif cents is None:
            self.confirmation.setText(
                self.tr("Type the amount to charge to %1 of %2.")
                .replace("%1", card_title(card))
                .replace("%2", card.customer_label)
            )
        else:
            self.confirmation.setText(
                self.tr(
                    "Charge %1 to %2 of %3 (card ID %4) now. IOTPay takes the money from the "
                    "card at once; it can be voided until the day's batch closes."
                )
                .replace("%1", format_cents(cents))
                .replace("%2", card_title(card))
                .replace("%3", card.customer_label)
                .replace("%4", card.card_id)
            )
        now = (card.card_id, cents) if card is not None and cents is not None else None
        if self._warned_for is not None and self._warned_for != now:
            self._warned_for = None
            self.warning.setVisible(False)
            self.submit.setText(self.tr("C&harge"))

    def _check_ip(self) -> bool:
        rule = check_client_ip(self.client_ip.text())
        if rule is None:
            self.ip_message.setVisible(False)
            return True
        self.ip_message.setText(
            self.tr("%1: %2.").replace("%1", field_label("clientIp")).replace("%2", rule_text(rule))
        )
        self.ip_message.setVisible(True)
        return False

    def _say(self, message: UserMessage | None) -> None:
        focus = {
            "amount": self.amount,
            "subject": self.subject,
            "note": self.note,
            "clientIp": self.client_ip,
            "cardId": self.card,
        }
        say(self.message, message, focus)

    def _set_inputs_enabled(self, on: bool) -> None:
        for w in (self.card, self.amount, self.subject, self.note, self.client_ip):
            w.setEnabled(on)

    # -- send ------------------------------------------------------------------------------------

    @async_slot()
    async def send(self) -> None:
        draft, card = self.draft, self.selected()
        if draft is None or card is None or self.outcome is not None:
            return
        self._say(None)
        try:
            cents = parse_amount(self.amount.text())
        except InvalidInput as exc:
            self._say(describe(exc))
            return
        if not self._check_ip():
            self.client_ip.setFocus()
            return
        controls = [self.submit, self.card, self.amount, self.subject, self.note, self.client_ip]
        if self._warned_for != (card.card_id, cents):
            similar = await run_busy(
                controls,
                self._service.similar_recent_charge(card.card_id, cents),
                progress_text=self.tr("Checking recent charges…"),
                on_error=self._say,
            )
            if gone(self) or not similar.ok:
                return
            if similar.value is not None:
                earlier = similar.value
                self._warned_for = (card.card_id, cents)
                self.show_repeat_warning(
                    earlier.amount_cents or cents, earlier.created_at, earlier.mch_no
                )
                return
        result = await run_busy(
            controls,
            self._service.charge_card(
                draft.id,
                card.card_id,
                cents,
                subject=self.subject.text().strip(),
                note=self.note.text().strip(),
                client_ip=self.client_ip.text().strip() or None,
            ),
            progress_text=self.tr("Charging the card with IOTPay…"),
            on_error=self._say,
        )
        if gone(self):
            return
        if result.value is not None:
            self.show_result(result.value)
        elif result.pending:
            self._set_inputs_enabled(False)
            self.submit.setVisible(False)

    def show_repeat_warning(self, cents: int, when: datetime, order_no: str) -> None:
        """The same card was charged the same amount within the profile's repeat-charge
        window: say when (date, time and zone of the merchant) and which order, ask again."""
        from .words import zoned_time

        moment = when.astimezone(self._service.tz)
        self.warning.setText(
            self.tr(
                "This card was already charged %1 on %2 (order %3). Charge it again "
                "only if the customer owes it twice."
            )
            .replace("%1", format_cents(cents))
            .replace("%2", zoned_time(moment))
            .replace("%3", order_no)
        )
        self.warning.setVisible(True)
        self.submit.setText(self.tr("C&harge again"))

    def show_result(self, result: ActionResult) -> None:
        self.outcome = result
        texts = OutcomeTexts(
            paid=self.tr("Charged %1."),
            reference=self.tr("IOTPay's reference: %1."),
            checking=self.tr(
                "IOTPay has not confirmed the charge yet. The desk keeps checking with IOTPay "
                "and shows the outcome in Activity. Do not charge again."
            ),
            declined=self.tr("The card was declined: “%1”. Nothing was charged."),
            not_received=self.tr("IOTPay never received the charge, so nothing was charged."),
            refused=self.tr("IOTPay refused the charge: “%1”. Nothing was charged."),
            no_reason=self.tr("no reason given"),
        )
        text = outcome_text(result, texts)
        succeeded = result.state is ActionState.SUCCEEDED
        done = succeeded or not result.checking
        order = result.order
        if succeeded and order is not None and order.auth_num:
            text += " " + self.tr("Authorization: %1.").replace("%1", order.auth_num)
        if succeeded:
            self.receipt_button.setVisible(True)
            self.receipt_button.setDefault(True)
        self.message.setText(text)
        self.message.setVisible(True)
        self.confirmation.setVisible(False)  # it said what would happen; this is what did
        self.warning.setVisible(False)
        self.submit.setVisible(False)
        self._set_inputs_enabled(False)
        self.cancel.setText(self.tr("&Close"))
        if not self.receipt_button.isVisible():
            self.cancel.setDefault(True)
        if done:
            self.outcome_known.emit()
        elif self._follow_task is None or self._follow_task.done():
            self._start_follow()

    # -- following a charge IOTPay has not confirmed ------------------------------------------

    def _start_follow(self) -> None:
        self.keep_checking.setVisible(False)
        self._follow_task = self.follow()

    def _stop_following(self) -> None:
        task = self._follow_task
        if task is not None and not task.done():
            task.cancel()

    @async_slot()
    async def follow(self) -> None:
        """Ask IOTPay about the charge (cc_query) as its SDKs do, until it is final or the
        attempts run out ("outcome unknown" and a button to keep checking)."""
        result = self.outcome
        if result is None or not result.checking:
            return
        job = await run_busy(
            self.keep_checking,
            self._service.follow(
                result.action.mch_no,
                attempts=self.follow_attempts,
                interval=self.follow_interval,
            ),
            progress_text=self.tr("Checking the charge with IOTPay…"),
            on_error=self._say,
        )
        if gone(self):
            return
        fresh = job.value
        if fresh is not None and not fresh.checking:
            self.show_result(fresh)
            return
        self.message.setText(
            self.tr(
                "Outcome unknown: IOTPay has not confirmed this charge yet (order %1). Do "
                "not charge again; keep checking, or see it later in Activity."
            ).replace("%1", result.action.mch_no)
        )
        self.keep_checking.setVisible(True)
        self.keep_checking.setDefault(True)
        if fresh is not None and fresh.can_send_again:
            self.message.setText(self._unconfirmed_text(fresh))
            self.resend.setVisible(True)

    def _unconfirmed_text(self, result: ActionResult) -> str:
        from .words import checked_until

        when = checked_until(self._service, result.action)
        return (
            self.tr(
                "IOTPay has no record of this charge yet (order %1). It may still arrive "
                "late, so it is not known whether the card was charged. The desk keeps "
                "checking until %2 and shows the outcome in Activity. You can send it again "
                "with the same order number: IOTPay refuses a number it has already used, so "
                "the card can never be charged twice."
            )
            .replace("%1", result.action.mch_no)
            .replace("%2", when)
        )

    @async_slot()
    async def send_again(self) -> None:
        """Send the unconfirmed charge again, with its own order number."""
        result = self.outcome
        if result is None or not result.checking:
            return
        self._stop_following()
        job = await run_busy(
            [self.resend, self.keep_checking],
            self._service.send_again(result.action),
            progress_text=self.tr("Sending the charge again with the same number…"),
            on_error=self._say,
        )
        if gone(self):
            return
        if job.value is not None:
            self.resend.setVisible(False)
            self.keep_checking.setVisible(False)
            self.show_result(job.value)

    def show_receipt(self) -> None:
        dialog = open_receipt(self, self.outcome, self._merchant_name)
        if dialog is not None:
            self.receipt_dialog = dialog

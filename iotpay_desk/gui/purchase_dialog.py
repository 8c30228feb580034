"""A simple purchase (cc_purchase): IOTPay's own payment page, keyed in here or paid on the
customer's phone through a link and its QR code.

The order exists at IOTPay as soon as the page is asked for (status pending). IOTPay lets
the same page be tried again after a declined card until it expires: keyed in here, the
page opens again at once for another card (once IOTPay confirmed the decline), and if it
was closed, a "Try another card" button opens it again. Either way, the desk then follows
it with ``cc_query`` as IOTPay's SDKs do — once a second, 30 times — and if it is still
not final says "outcome unknown" with a button to keep checking. The page's return URL is
only a hint: the outcome shown is always the one IOTPay confirmed.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.api import OrderStatus
from iotpay_desk.journal import ActionState
from iotpay_desk.services import RETURN_URL_BASE, ActionResult, InvalidInput, parse_return_url

from .amounts import AmountEcho, format_cents, parse_amount
from .asyncjob import BusyIndicator, async_slot, gone, run_busy
from .draftdialog import OutcomeTexts, open_receipt, outcome_text, say
from .errors import UserMessage, describe
from .pagekit import keep_fitted
from .qr import qr_pixmap

if TYPE_CHECKING:
    from iotpay_desk.api import Order
    from iotpay_desk.services import MoneyService

    from .webpage import HostedPageDialog

__all__ = ["FOLLOW_ATTEMPTS", "FOLLOW_INTERVAL_S", "PurchaseDialog"]

FOLLOW_ATTEMPTS = 30
FOLLOW_INTERVAL_S = 1.0


@final
class PurchaseDialog(QDialog):
    """Take a one-off payment on IOTPay's page. Open with ``open()``.

    Signals (GUI thread): ``outcome_known()`` once IOTPay confirmed the payment's outcome
    (paid or declined); ``link_ready(str url)`` when the payment link is shown.
    """

    outcome_known = Signal()
    link_ready = Signal(str)

    def __init__(
        self,
        service: MoneyService,
        *,
        merchant_name: str = "",
        follow_attempts: int = FOLLOW_ATTEMPTS,
        follow_interval: float = FOLLOW_INTERVAL_S,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        keep_fitted(self)
        self.setObjectName("purchase-dialog")
        self.setWindowTitle(self.tr("Take a payment on IOTPay's page"))
        self._service = service
        self._merchant_name = merchant_name
        self.follow_attempts = follow_attempts
        self.follow_interval = follow_interval
        self.session: Any = None
        self.outcome: ActionResult | None = None
        self.hosted_dialog: HostedPageDialog | None = None
        self.receipt_dialog: QWidget | None = None
        self._follow_task: asyncio.Task[None] | None = None
        self._keyed_in = False  # the card is typed on IOTPay's page in the desk

        # -- the payment ------------------------------------------------------------------
        self.amount = QLineEdit(self)
        self.amount.setObjectName("purchase-amount")
        self.amount.setPlaceholderText(self.tr("e.g. 12.50"))
        self.subject = QLineEdit(self)
        self.subject.setObjectName("purchase-subject")
        self.subject.setMaxLength(64)
        self.subject.setPlaceholderText(self.tr("shown on IOTPay's page"))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, field in (
            (self.tr("&Amount:"), self.amount),
            (self.tr("&Subject:"), self.subject),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)
        # Under the amount: what the form understood, in figures and words.
        self.amount_echo = AmountEcho(self.amount, self)
        form.insertRow(1, "", self.amount_echo)
        self.key_in_button = QPushButton(self.tr("&Key in here…"), self)
        self.key_in_button.setObjectName("purchase-key-in")
        self.key_in_button.setToolTip(
            self.tr("Open IOTPay's page in the desk and type the card there.")
        )
        self.phone_button = QPushButton(self.tr("Customer's &phone"), self)
        self.phone_button.setObjectName("purchase-phone")
        self.phone_button.setToolTip(
            self.tr("Show a link and its QR code; the customer pays on their own phone.")
        )
        self.key_in_button.clicked.connect(self.key_in)
        self.phone_button.clicked.connect(self.show_link)
        ways = QHBoxLayout()
        ways.addWidget(self.key_in_button)
        ways.addWidget(self.phone_button)
        ways.addStretch(1)

        # -- the link -----------------------------------------------------------------------
        self.link_box = QGroupBox(self.tr("Payment link"), self)
        self.link_box.setObjectName("purchase-link-box")
        self.link = QLineEdit(self.link_box)
        self.link.setObjectName("purchase-link")
        self.link.setReadOnly(True)
        self.copy_button = QPushButton(self.tr("&Copy link"), self.link_box)
        self.copy_button.setObjectName("purchase-copy")
        self.copy_button.clicked.connect(self.copy_link)
        self.qr = QLabel(self.link_box)
        self.qr.setObjectName("purchase-qr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setAccessibleName(self.tr("QR code of the payment link"))
        link_hint = QLabel(
            self.tr("The customer scans the code with the phone's camera and pays there."),
            self.link_box,
        )
        link_hint.setWordWrap(True)
        link_row = QHBoxLayout()
        link_row.addWidget(self.link, 1)
        link_row.addWidget(self.copy_button)
        link_layout = QVBoxLayout(self.link_box)
        link_layout.addWidget(link_hint)
        link_layout.addLayout(link_row)
        link_layout.addWidget(self.qr)
        self.link_box.setVisible(False)

        # -- following ----------------------------------------------------------------------
        self.progress = QProgressBar(self)
        self.progress.setObjectName("purchase-progress")
        self.progress.setRange(0, follow_attempts)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.status = QLabel(self)
        self.status.setObjectName("purchase-status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setVisible(False)
        self.busy = BusyIndicator(self)

        self.buttons = QDialogButtonBox(self)
        self.keep_checking = QPushButton(self.tr("K&eep checking"), self)
        self.keep_checking.setObjectName("purchase-keep-checking")
        self.keep_checking.clicked.connect(self._keep_checking)
        self.receipt_button = QPushButton(self.tr("&Receipt…"), self)
        self.receipt_button.setObjectName("purchase-receipt")
        self.receipt_button.clicked.connect(self.show_receipt)
        self.buttons.addButton(self.keep_checking, QDialogButtonBox.ButtonRole.ActionRole)
        self.keep_checking.setVisible(False)
        self.buttons.addButton(self.receipt_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.receipt_button.setVisible(False)
        # A card declined on the keyed-in page, and the page closed: open it again.
        self.again_button = QPushButton(self.tr("&Try another card…"), self)
        self.again_button.setObjectName("purchase-try-again")
        self.again_button.setToolTip(
            self.tr("Open IOTPay's page again for the same payment and type another card.")
        )
        self.again_button.clicked.connect(self.try_another_card)
        self.buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.again_button.setVisible(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setObjectName("purchase-close")
        self.close_button.clicked.connect(self.reject)

        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(ways)
        layout.addWidget(self.link_box)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.finished.connect(self._stop_following)
        self.amount.setFocus()  # the amount is typed first

    # -- start ---------------------------------------------------------------------------------

    def _say(self, message: UserMessage | str | None) -> None:
        say(self.status, message, {"amount": self.amount, "subject": self.subject})

    async def _start(self) -> bool:
        """Ask IOTPay for the payment page once (the order exists from then on)."""
        if self.session is not None:
            return True
        try:
            cents = parse_amount(self.amount.text())
        except InvalidInput as exc:
            self._say(describe(exc))
            return False
        self._say(None)
        result = await run_busy(
            [self.key_in_button, self.phone_button, self.amount, self.subject],
            self._service.start_purchase(cents, subject=self.subject.text().strip()),
            progress_text=self.tr("Asking IOTPay for a payment page…"),
            on_error=self._say,
        )
        if gone(self) or result.value is None:
            return False
        self.session = result.value
        self.amount.setEnabled(False)
        self.subject.setEnabled(False)
        return True

    @async_slot()
    async def key_in(self) -> None:
        """Open IOTPay's page in the desk. A card IOTPay declined there: the same page
        again for another card. Once the page returns or closes, follow the order."""
        if self.outcome is not None or self.hosted_dialog is not None:
            return
        if not await self._start() or gone(self):
            return
        from .webpage import HostedPageDialog

        session = self.session
        self._keyed_in = True
        self._stop_following()  # after "Try another card": the page first
        self.again_button.setVisible(False)
        self.keep_checking.setVisible(False)
        self.progress.setVisible(False)
        dialog = HostedPageDialog(
            session.redirect_url,
            RETURN_URL_BASE,
            title=self.tr("Payment of %1").replace("%1", self._amount_text()),
            hold_on_return=True,
            parent=self,
        )
        self.hosted_dialog = dialog
        self.key_in_button.setEnabled(False)
        self.phone_button.setEnabled(False)
        returned: str | None = None
        accepted = False
        try:
            dialog.open()
            while True:
                returned = await dialog.wait()
                if gone(self) or returned is None:
                    break
                reason = await self._declined_on_page(returned)
                if gone(self) or reason is None:
                    break
                self._say(
                    self.tr(
                        "The card was declined: “%1”. Nothing was charged. IOTPay's page is "
                        "open again for another card."
                    ).replace("%1", reason)
                )
                notice = self.tr(
                    "The card was declined: “%1”. Nothing was charged. Type another card, "
                    "or Cancel to stop."
                ).replace("%1", reason)
                if not dialog.show_again(notice):
                    break  # closed while IOTPay was asked
            if not gone(dialog):
                dialog.finish()
                accepted = dialog.result() == QDialog.DialogCode.Accepted
        finally:
            self.hosted_dialog = None
            # This dialog is its parent and would keep it (and so every page keyed in
            # here) as long as itself.
            if not gone(dialog):
                dialog.deleteLater()
        if gone(self):
            return
        if returned is None or not accepted:
            self._say(
                self.tr("The payment page was closed. Checking with IOTPay whether it was paid…")
            )
        else:
            self._say(self.tr("IOTPay's page is done. Confirming the payment with IOTPay…"))
        self._begin_follow()

    async def _declined_on_page(self, url: str) -> str | None:
        """The reason, when the page came back saying the card was declined and IOTPay
        confirms it (the order is declined, and its page may be tried again); None
        otherwise (paid, pending, or IOTPay could not be asked: the desk follows it)."""
        session = self.session
        hint = parse_return_url(url)
        if (
            session is None
            or hint is None
            or not hint.says_failed
            or hint.session_id != session.session_id
        ):
            return None
        result = await run_busy(
            [],
            self._service.follow(session.mch_order_no, attempts=1, interval=0.0),
            progress_text=self.tr("Checking the card's answer with IOTPay…"),
            busy=self.busy,
            on_error=self._say,
        )
        fresh = result.value
        if fresh is None or not fresh.checking or fresh.order is None:
            return None
        if fresh.order.status != OrderStatus.FAILED:
            return None
        return fresh.order.ret_msg or hint.ret_msg or self.tr("no reason given")

    def try_another_card(self) -> None:
        """The keyed-in page was closed after a declined card: open it again."""
        self.again_button.setVisible(False)
        self.key_in()

    @async_slot()
    async def show_link(self) -> None:
        """Show the payment link and its QR code; follow the order meanwhile."""
        if self.outcome is not None:
            return
        if not await self._start() or gone(self):
            return
        url = self.session.redirect_url
        self.link.setText(url)
        self.link.setCursorPosition(0)
        self.set_qr(url)
        self.link_box.setVisible(True)
        self.key_in_button.setEnabled(False)
        self.phone_button.setEnabled(False)
        self.copy_button.setFocus()
        self.adjustSize()
        self.link_ready.emit(url)
        self._say(self.tr("Waiting for the customer to pay…"))
        self._begin_follow()

    def set_qr(self, url: str) -> None:
        """The link's QR code, its modules a quarter of a text line tall (so it scales
        with the font and the screen), shown whole."""
        module = max(2, self.fontMetrics().height() // 4)
        pixmap = qr_pixmap(url, module, self.devicePixelRatioF())
        self.qr.setPixmap(pixmap)
        self.qr.setMinimumSize(pixmap.deviceIndependentSize().toSize())

    def copy_link(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None and self.link.text():
            clipboard.setText(self.link.text())
            self._say(self.tr("Link copied. Waiting for the customer to pay…"))

    def _amount_text(self) -> str:
        try:
            return format_cents(parse_amount(self.amount.text()))
        except InvalidInput:
            return self.amount.text()

    # -- follow ----------------------------------------------------------------------------------

    def _begin_follow(self) -> None:
        self._follow_task = self.follow()

    def _keep_checking(self) -> None:
        self.keep_checking.setVisible(False)
        self._begin_follow()

    def _tick(self, attempt: int, order: Order | None) -> None:
        if gone(self):
            return
        if order is not None and order.status == OrderStatus.FAILED:
            # A declined card on IOTPay's page: another card may be tried on the same
            # page until it expires, so the order is not final yet.
            self._say_declined(order)
        self.progress.setValue(min(attempt, self.follow_attempts))
        self.progress.setFormat(
            self.tr("Check %1 of %2")
            .replace("%1", str(attempt))
            .replace("%2", str(self.follow_attempts))
        )
        self.progress.setToolTip(self.progress.format())

    def _say_declined(self, order: Order) -> None:
        """The card was declined and the page is not on screen: say how to try another."""
        reason = order.ret_msg or self.tr("no reason given")
        if self._keyed_in:
            self._say(
                self.tr(
                    "The card was declined: “%1”. Nothing was charged. To try another card, "
                    "press Try another card: IOTPay's page opens again for this payment."
                ).replace("%1", reason)
            )
            self.again_button.setVisible(True)
            self.again_button.setDefault(True)
        else:
            self._say(
                self.tr(
                    "The card was declined: “%1”. Nothing was charged yet. The customer can "
                    "open the link again (scan the code again) and try another card; the "
                    "desk keeps checking."
                ).replace("%1", reason)
            )

    @async_slot()
    async def follow(self) -> None:
        """Ask IOTPay about the order every interval, up to the number of attempts."""
        session = self.session
        if session is None:
            return
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.keep_checking.setVisible(False)
        result = await run_busy(
            [self.keep_checking],
            self._service.follow(
                session.mch_order_no,
                attempts=self.follow_attempts,
                interval=self.follow_interval,
                on_tick=self._tick,
            ),
            progress_text=self.tr("Checking the payment with IOTPay…"),
            on_error=self._say,
        )
        if gone(self):
            return
        self.progress.setVisible(False)
        if result.value is not None:
            self.show_result(result.value)
        else:
            self.keep_checking.setVisible(True)

    def show_result(self, result: ActionResult) -> None:
        last = result.order
        if (
            result.checking
            and self._keyed_in
            and last is not None
            and last.status == OrderStatus.FAILED
        ):
            self._say_declined(last)  # the page can be opened again; or keep checking
            self.keep_checking.setVisible(True)
            return
        if result.checking:
            self._say(
                self.tr(
                    "Outcome unknown: IOTPay has not confirmed this payment yet. It may still "
                    "be paid. Keep checking, or look the order up later (order %1)."
                ).replace("%1", self.session.mch_order_no if self.session else "")
            )
            self.keep_checking.setVisible(True)
            self.keep_checking.setDefault(True)
            return
        self.outcome = result
        texts = OutcomeTexts(
            paid=self.tr("Paid %1."),
            reference=self.tr("IOTPay's reference: %1."),
            declined=self.tr("The payment was declined: “%1”. Nothing was charged."),
            refused=self.tr("IOTPay refused the payment: “%1”. Nothing was charged."),
            no_reason=self.tr("no reason given"),
        )
        if result.state is ActionState.SUCCEEDED:
            self.receipt_button.setVisible(True)
            self.receipt_button.setDefault(True)
        self._say(outcome_text(result, texts))
        self.link_box.setVisible(False)
        self.keep_checking.setVisible(False)
        self.again_button.setVisible(False)
        self.close_button.setText(self.tr("&Close"))
        self.outcome_known.emit()

    def _stop_following(self) -> None:
        task = self._follow_task
        if task is not None and not task.done():
            task.cancel()

    def show_receipt(self) -> None:
        dialog = open_receipt(self, self.outcome, self._merchant_name)
        if dialog is not None:
            self.receipt_dialog = dialog

"""Direct card entry (cc_directaddcard) — only for profiles whose merchant confirmed PCI DSS
compliance. The card fields are never logged or stored, and are cleared after the call
whatever its outcome (and when the form closes); only IOTPay's masked number is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.services import VaultCard

from .asyncjob import BusyIndicator, async_slot, gone, run_busy
from .cardwords import card_title
from .draftdialog import say
from .errors import UserMessage
from .pagekit import keep_fitted

if TYPE_CHECKING:
    from iotpay_desk.services import CardService

__all__ = ["DirectAddDialog"]

_SENSITIVE = (
    Qt.InputMethodHint.ImhSensitiveData
    | Qt.InputMethodHint.ImhNoPredictiveText
    | Qt.InputMethodHint.ImhNoAutoUppercase
)


@final
class DirectAddDialog(QDialog):
    """Type a card into the desk and bind it at IOTPay. Open with ``open()``.

    Signals (GUI thread): ``added(VaultCard)`` once IOTPay bound the card.
    """

    added = Signal(object)

    def __init__(self, service: CardService, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_fitted(self)
        self.setObjectName("direct-add-dialog")
        self.setWindowTitle(self.tr("Enter a card directly"))
        self._service = service
        self.card: VaultCard | None = None

        warning = QLabel(
            self.tr(
                "Your merchant profile confirmed PCI DSS compliance, so cards may be typed "
                "here. The desk sends them to IOTPay and keeps only the masked number."
            ),
            self,
        )
        warning.setObjectName("direct-add-warning")
        warning.setWordWrap(True)
        self.label = QLineEdit(self)
        self.label.setObjectName("direct-label")
        self.card_id = QLineEdit(self)
        self.card_id.setObjectName("direct-card-id")
        self.card_id.setMaxLength(30)
        self.card_id.setPlaceholderText(self.tr("made by the desk"))
        self.number = QLineEdit(self)
        self.number.setObjectName("direct-number")
        self.number.setInputMethodHints(_SENSITIVE | Qt.InputMethodHint.ImhDigitsOnly)
        self.number.setMaxLength(23)
        self.expiry = QLineEdit(self)
        self.expiry.setObjectName("direct-expiry")
        self.expiry.setPlaceholderText(self.tr("MMYY"))
        self.expiry.setMaxLength(4)
        self.expiry.setInputMethodHints(_SENSITIVE | Qt.InputMethodHint.ImhDigitsOnly)
        self.cvv = QLineEdit(self)
        self.cvv.setObjectName("direct-cvv")
        self.cvv.setEchoMode(QLineEdit.EchoMode.Password)
        self.cvv.setMaxLength(4)
        self.cvv.setInputMethodHints(_SENSITIVE | Qt.InputMethodHint.ImhDigitsOnly)
        self.holder = QLineEdit(self)
        self.holder.setObjectName("direct-holder")
        self.holder.setInputMethodHints(_SENSITIVE)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, field in (
            (self.tr("C&ustomer:"), self.label),
            (self.tr("Card &ID (optional):"), self.card_id),
            (self.tr("Card &number:"), self.number),
            (self.tr("&Expiry (MMYY):"), self.expiry),
            (self.tr("Security &code (CVV):"), self.cvv),
            (self.tr("Name on the car&d:"), self.holder),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)

        self.message = QLabel(self)
        self.message.setObjectName("dialog-message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.busy = BusyIndicator(self)
        self.buttons = QDialogButtonBox(self)
        self.submit = QPushButton(self.tr("&Add card"), self)
        self.submit.setObjectName("submit")
        self.submit.setDefault(True)
        self.buttons.addButton(self.submit, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.submit.clicked.connect(self.send)
        self.cancel.clicked.connect(self.reject)

        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.finished.connect(self.clear_card_fields)

    def clear_card_fields(self) -> None:
        """Forget the number, expiry and CVV (``setText`` also drops the undo history)."""
        for w in (self.number, self.expiry, self.cvv):
            w.setText("")

    def _say(self, message: UserMessage | str | None) -> None:
        focus = {
            "cardNum": self.number,
            "expiryDate": self.expiry,
            "cvv": self.cvv,
            "holder": self.holder,
            "cardId": self.card_id,
            "customer_label": self.label,
        }
        say(self.message, message, focus)

    @async_slot()
    async def send(self) -> None:
        if self.card is not None:
            return
        self._say(None)
        number = "".join(self.number.text().split())
        expiry, cvv = self.expiry.text().strip(), self.cvv.text().strip()
        # The card data leaves the fields at once: whatever happens next, they are empty.
        self.clear_card_fields()
        fields = [self.submit, self.label, self.card_id, self.number, self.expiry, self.cvv]
        fields.append(self.holder)
        result = await run_busy(
            fields,
            self._service.direct_add_card(
                self.label.text().strip(),
                number,
                expiry,
                cvv,
                self.holder.text().strip(),
                card_id=self.card_id.text().strip() or None,
            ),
            progress_text=self.tr("Adding the card at IOTPay…"),
            on_error=self._say,
        )
        del number, expiry, cvv
        if gone(self) or result.value is None:
            return
        self.card = result.value
        self._say(
            self.tr("Card added: %1 for %2 (card ID %3).")
            .replace("%1", card_title(self.card))
            .replace("%2", self.card.customer_label)
            .replace("%3", self.card.card_id)
        )
        self.submit.setVisible(False)
        for w in fields:
            w.setEnabled(False)
        self.cancel.setText(self.tr("&Close"))
        self.cancel.setDefault(True)
        self.added.emit(self.card)

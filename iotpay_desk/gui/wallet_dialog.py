"""A wallet payment (cc_purchasewithwallet) for merchants whose own app collects Apple Pay
or Google Pay tokens: paste or load the base64 token, charge it through the journal.

The token is a bearer credential for one payment: it is never logged or journaled (the
money service keeps its type and a short hash only), and the form forgets it once sent.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.services import ActionResult, Draft, InvalidInput, check_wallet

from .amounts import AmountEcho, parse_amount
from .asyncjob import BusyIndicator, async_slot, gone, run_busy
from .draftdialog import OutcomeTexts, forget_draft, make_draft, open_receipt, outcome_text, say
from .errors import UserMessage, describe, field_label, rule_text
from .pagekit import keep_fitted

if TYPE_CHECKING:
    from iotpay_desk.services import MoneyService

__all__ = ["TOKEN_FILE_MAX", "WALLET_TYPES", "WalletDialog", "check_wallet_data"]

WALLET_TYPES = ("ApplePay", "GooglePay")
#: A wallet token file larger than this is not a wallet token.
TOKEN_FILE_MAX = 64 * 1024


def check_wallet_data(text: str, wallet_type: str = WALLET_TYPES[0]) -> str | None:
    """The rule the pasted token breaks (the money service's own check), or None.
    Whitespace and line breaks are ignored."""
    try:
        check_wallet(wallet_type, text)
    except InvalidInput as exc:
        return exc.rule
    return None


def _read_token_file(path: Path) -> str:
    with path.open("rb") as f:
        raw = f.read(TOKEN_FILE_MAX + 1)
    if len(raw) > TOKEN_FILE_MAX:
        raise InvalidInput("walletData", "is too large")
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise InvalidInput("walletData", "must be base64 text") from None


@final
class WalletDialog(QDialog):
    """Charge an Apple Pay / Google Pay token. Open with ``open()`` then call :meth:`start`.

    Signals (GUI thread): ``outcome_known()`` once IOTPay's answer (or the "checking"
    state) is known.
    """

    outcome_known = Signal()

    def __init__(
        self, service: MoneyService, *, merchant_name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        keep_fitted(self)
        self.setObjectName("wallet-dialog")
        self.setWindowTitle(self.tr("Charge a wallet payment token"))
        self._service = service
        self._merchant_name = merchant_name
        self.draft: Draft | None = None
        self.outcome: ActionResult | None = None
        self.file_dialog: QFileDialog | None = None
        self.receipt_dialog: QWidget | None = None

        intro = QLabel(
            self.tr(
                "For payments your own app collected with Apple Pay or Google Pay: paste the "
                "payment token it produced (base64), or load it from a file."
            ),
            self,
        )
        intro.setWordWrap(True)
        # The amount first: it is what the cashier types (and the tab order starts there).
        self.amount = QLineEdit(self)
        self.amount.setObjectName("wallet-amount")
        self.amount.setPlaceholderText(self.tr("e.g. 12.50"))
        self.amount_echo = AmountEcho(self.amount, self)
        self.wallet = QComboBox(self)
        self.wallet.setObjectName("wallet-type")
        self.wallet.addItem(self.tr("Apple Pay"), "ApplePay")
        self.wallet.addItem(self.tr("Google Pay"), "GooglePay")
        self.token = QPlainTextEdit(self)
        self.token.setObjectName("wallet-token")
        self.token.setPlaceholderText(self.tr("Paste the base64 payment token here"))
        self.token.setTabChangesFocus(True)
        self.token.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.token.setMaximumHeight(self.fontMetrics().height() * 6)
        self.token.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.load_button = QPushButton(self.tr("&Load from file…"), self)
        self.load_button.setObjectName("wallet-load")
        self.load_button.clicked.connect(self.ask_file)
        self.token_message = QLabel(self)
        self.token_message.setObjectName("wallet-token-message")
        self.token_message.setWordWrap(True)
        self.token_message.setVisible(False)
        self.subject = QLineEdit(self)
        self.subject.setObjectName("wallet-subject")
        self.subject.setMaxLength(64)
        self.note = QLineEdit(self)
        self.note.setObjectName("wallet-note")
        self.note.setMaxLength(500)

        token_row = QVBoxLayout()
        token_row.addWidget(self.token)
        load_row = QHBoxLayout()
        load_row.addWidget(self.load_button)
        load_row.addStretch(1)
        token_row.addLayout(load_row)
        token_row.addWidget(self.token_message)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        amount_label = QLabel(self.tr("&Amount:"), self)
        amount_label.setBuddy(self.amount)
        form.addRow(amount_label, self.amount)
        form.addRow("", self.amount_echo)
        wallet_label = QLabel(self.tr("&Wallet:"), self)
        wallet_label.setBuddy(self.wallet)
        form.addRow(wallet_label, self.wallet)
        token_label = QLabel(self.tr("&Token:"), self)
        token_label.setBuddy(self.token)
        form.addRow(token_label, token_row)
        for text, field in (
            (self.tr("&Subject:"), self.subject),
            (self.tr("&Note (kept in the journal):"), self.note),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)

        self.message = QLabel(self)
        self.message.setObjectName("dialog-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)
        self.busy = BusyIndicator(self)
        self.buttons = QDialogButtonBox(self)
        self.submit = QPushButton(self.tr("C&harge"), self)
        self.submit.setObjectName("submit")
        self.submit.setEnabled(False)
        self.buttons.addButton(self.submit, QDialogButtonBox.ButtonRole.AcceptRole)
        self.receipt_button = QPushButton(self.tr("&Receipt…"), self)
        self.receipt_button.setObjectName("wallet-receipt")
        self.buttons.addButton(self.receipt_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.receipt_button.setVisible(False)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.submit.clicked.connect(self.send)
        self.cancel.clicked.connect(self.reject)
        self.receipt_button.clicked.connect(self.show_receipt)

        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.token.textChanged.connect(lambda: self.token_message.setVisible(False))
        self.finished.connect(self._forget)
        self.amount.setFocus()

    # -- the draft -------------------------------------------------------------------------------

    @async_slot()
    async def start(self) -> None:
        draft = await make_draft(
            self,
            self._service,
            ActionKind.CHARGE_WALLET,
            self.submit,
            progress_text=self.tr("Preparing…"),
            on_error=self._say,
        )
        if draft is not None:
            self.draft = draft

    def _forget(self) -> None:
        self.token.setPlainText("")
        forget_draft(self._service, self.draft)

    # -- input -----------------------------------------------------------------------------------

    def _token_problem(self, rule: str) -> None:
        self.token_message.setText(
            self.tr("%1: %2.")
            .replace("%1", field_label("walletData"))
            .replace("%2", rule_text(rule))
        )
        self.token_message.setVisible(True)
        self.token.setFocus()

    def ask_file(self) -> None:
        dialog = QFileDialog(
            self,
            self.tr("Load a wallet payment token"),
            "",
            self.tr("Token files (*.txt *.b64 *.json);;All files (*)"),
        )
        dialog.setObjectName("wallet-file-dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.load_file)
        self.file_dialog = dialog
        dialog.open()

    @async_slot(str)
    async def load_file(self, path: str) -> None:
        if not path:
            return
        result = await run_busy(
            self.load_button,
            asyncio.to_thread(_read_token_file, Path(path)),
            progress_text=self.tr("Reading the token file…"),
            on_error=lambda m: self._token_problem_message(m),
        )
        if gone(self) or result.value is None:
            return
        self.token.setPlainText(result.value)
        rule = check_wallet_data(result.value)
        if rule is not None:
            self._token_problem(rule)

    def _token_problem_message(self, message: UserMessage) -> None:
        self.token_message.setText(message.text)
        self.token_message.setVisible(True)

    def _say(self, message: UserMessage | None) -> None:
        if message is not None and message.field in ("walletData", "walletType"):
            self._token_problem_message(message)
            self.token.setFocus()
            return
        say(self.message, message, {"amount": self.amount})

    def _set_inputs_enabled(self, on: bool) -> None:
        for w in (self.wallet, self.token, self.load_button, self.amount, self.subject, self.note):
            w.setEnabled(on)

    # -- send ------------------------------------------------------------------------------------

    @async_slot()
    async def send(self) -> None:
        draft = self.draft
        if draft is None or self.outcome is not None:
            return
        self._say(None)
        data = "".join(self.token.toPlainText().split())
        rule = check_wallet_data(data)
        if rule is not None:
            self._token_problem(rule)
            return
        try:
            cents = parse_amount(self.amount.text())
        except InvalidInput as exc:
            self._say(describe(exc))
            return
        controls = [self.submit, self.wallet, self.token, self.load_button, self.amount]
        controls += [self.subject, self.note]
        result = await run_busy(
            controls,
            self._service.charge_wallet(
                draft.id,
                str(self.wallet.currentData()),
                data,
                cents,
                subject=self.subject.text().strip(),
                note=self.note.text().strip(),
            ),
            progress_text=self.tr("Charging the wallet token with IOTPay…"),
            on_error=self._say,
        )
        if gone(self):
            return
        if result.value is not None:
            self.token.setPlainText("")  # single use: sent, so forgotten
            self.show_result(result.value)

    def show_result(self, result: ActionResult) -> None:
        self.outcome = result
        texts = OutcomeTexts(
            paid=self.tr("Charged %1."),
            reference=self.tr("IOTPay's reference: %1."),
            checking=self.tr(
                "IOTPay has not confirmed the charge yet. The desk keeps checking with IOTPay "
                "and shows the outcome in Activity. Do not charge again."
            ),
            declined=self.tr("The payment was declined: “%1”. Nothing was charged."),
            not_received=self.tr("IOTPay never received the charge, so nothing was charged."),
            refused=self.tr("IOTPay refused the charge: “%1”. Nothing was charged."),
            no_reason=self.tr("no reason given"),
        )
        if result.state is ActionState.SUCCEEDED:
            self.receipt_button.setVisible(True)
            self.receipt_button.setDefault(True)
        self.message.setText(outcome_text(result, texts))
        self.message.setVisible(True)
        self.submit.setVisible(False)
        self._set_inputs_enabled(False)
        self.cancel.setText(self.tr("&Close"))
        self.outcome_known.emit()

    def show_receipt(self) -> None:
        dialog = open_receipt(self, self.outcome, self._merchant_name)
        if dialog is not None:
            self.receipt_dialog = dialog

"""The keychain banner: shown while the merchant keys cannot be read."""

from __future__ import annotations

from typing import final

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QWidget,
)

from iotpay_desk.core.credentials import KeychainState, KeychainStatus

from .errors import keychain_text

__all__ = ["KeychainBanner"]


@final
class KeychainBanner(QFrame):
    """Plain words about the keychain, what to do, and a Retry button.

    Signal ``retry_requested()`` (GUI thread) when Retry is pressed. Hidden while the
    keychain is available.
    """

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keychain-banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Amber with dark text reads the same in the light and the dark palette.
        self.setStyleSheet(
            "QFrame#keychain-banner { background: #fff1c2; border: 1px solid #c99a00; }"
            " QFrame#keychain-banner QLabel { color: #2b2100; }"
        )
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        )
        self.title = QLabel(self)
        self.title.setObjectName("keychain-banner-title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel(self)
        self.text.setObjectName("keychain-banner-text")
        self.text.setWordWrap(True)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.retry_button = QPushButton(self.tr("&Retry"), self)
        self.retry_button.setObjectName("keychain-retry")
        self.retry_button.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.addWidget(icon)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry_button)
        self._status: KeychainStatus | None = None
        self.setVisible(False)

    @property
    def status(self) -> KeychainStatus | None:
        return self._status

    def set_status(self, status: KeychainStatus) -> None:
        """Show the banner for a locked or unavailable keychain, hide it otherwise."""
        self._status = status
        if status.state is KeychainState.AVAILABLE:
            self.setVisible(False)
            return
        if status.state is KeychainState.LOCKED:
            self.title.setText(self.tr("Keychain locked"))
        else:
            self.title.setText(self.tr("No keychain"))
        message = keychain_text(status.message) or self.tr(
            "The system keychain cannot be used, so the desk cannot read your merchant key."
        )
        self.text.setText(
            message + " " + self.tr("Until then the desk cannot talk to IOTPay for this profile.")
        )
        self.setToolTip(status.detail)
        self.setVisible(True)

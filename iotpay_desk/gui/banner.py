"""The keychain banner: shown while the merchant keys cannot be read."""

from __future__ import annotations

from typing import final

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
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
        self.retry_button = QPushButton(self.tr("Re&try"), self)
        self.retry_button.setObjectName("keychain-retry")
        self.retry_button.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.addWidget(icon)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry_button)
        self._status: KeychainStatus | None = None
        self._demo_key = False
        self.setVisible(False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Claim the height the wrapped text needs at this width: the window's layout
        asks a banner for its height at its widest, and would otherwise squeeze the page
        below it when the window is narrower."""
        super().resizeEvent(event)
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            need = layout.totalHeightForWidth(self.width())
            if need != self.minimumHeight():
                self.setMinimumHeight(need)

    @property
    def status(self) -> KeychainStatus | None:
        return self._status

    @property
    def demo_key(self) -> bool:
        """True while the sandbox session works with the demo key held in memory."""
        return self._demo_key

    def set_status(self, status: KeychainStatus, *, demo_key: bool | None = None) -> None:
        """Show the banner for a keychain that cannot be used, hide it otherwise.

        ``demo_key`` (None: unchanged): the session is on the sandbox and uses the demo
        merchant's published key from memory, so the desk does talk to IOTPay (the sandbox)
        and only saving keys is impossible; the banner says exactly that.
        """
        self._status = status
        if demo_key is not None:
            self._demo_key = demo_key
        if status.state is KeychainState.AVAILABLE:
            self.setVisible(False)
            return
        if status.state is KeychainState.LOCKED:
            self.title.setText(self.tr("Keychain locked"))
        elif status.state is KeychainState.CANCELLED:
            self.title.setText(self.tr("Keychain prompt cancelled"))
        else:
            self.title.setText(self.tr("No keychain"))
        message = keychain_text(status.message) or self.tr(
            "The system keychain cannot be used, so the desk cannot read your merchant key."
        )
        if self._demo_key:
            consequence = self.tr(
                "The sandbox works: this session uses the demo merchant's published key, held "
                "in memory only. Merchant keys cannot be saved until the keychain can be used."
            )
        else:
            consequence = self.tr("Until then the desk cannot talk to IOTPay for this profile.")
        self.text.setText(message + " " + consequence)
        self.setToolTip(status.detail)
        self.setVisible(True)

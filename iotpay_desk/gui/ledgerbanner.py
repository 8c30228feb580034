"""The banner that says the profile's ledger cannot be used, and what that means."""

from __future__ import annotations

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

from .errors import Kind, UserMessage

__all__ = ["LedgerBanner"]


class LedgerBanner(QFrame):
    """Plain words: the ledger (this computer's file or the shared server) cannot be
    used, so money actions are off (nothing is sent without its record), look-ups work;
    a server that cannot be reached says since when, and that the desk tries again.

    Signal ``retry_requested()`` (GUI thread) when Try again is pressed. Hidden while the
    ledger works."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ledger-banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Red-tinged with dark text: readable in the light and the dark palette.
        self.setStyleSheet(
            "QFrame#ledger-banner { background: #fde2e1; border: 1px solid #b3261e; }"
            " QFrame#ledger-banner QLabel { color: #410e0b; }"
        )
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size)
        )
        self.title = QLabel(self.tr("Ledger unavailable"), self)
        self.title.setObjectName("ledger-banner-title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel(self)
        self.text.setObjectName("ledger-banner-text")
        self.text.setWordWrap(True)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.retry_button = QPushButton(self.tr("Tr&y again"), self)
        self.retry_button.setObjectName("ledger-retry")
        self.retry_button.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.addWidget(icon)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry_button)
        self.problem: UserMessage | None = None
        self.unavailable_since = ""
        self.setVisible(False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Claim the height the wrapped text needs at this width (as the keychain
        banner does)."""
        super().resizeEvent(event)
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            need = layout.totalHeightForWidth(self.width())
            if need != self.minimumHeight():
                self.setMinimumHeight(need)

    def _consequence(self) -> str:
        return self.tr(
            "Refunds, voids and charges are off until it is back: nothing is sent without "
            "its record. Look-ups still work."
        )

    def set_problem(self, problem: UserMessage | None) -> None:
        """Show why the ledger cannot be used (None: it works again; hidden)."""
        self.problem = problem
        self.unavailable_since = ""
        if problem is None:
            self.setVisible(False)
            return
        self.text.setText(problem.text + " " + self._consequence())
        self.setToolTip(problem.details)
        self.setVisible(True)

    def set_unavailable(
        self, where: str, *, shared: bool, since: str, retrying: bool, reason: str = ""
    ) -> None:
        """The ledger cannot be reached (its server stopped, the network is cut): since
        ``since`` (a time on the merchant's clock), tried again by itself if
        ``retrying``. ``reason``: the technical cause, in the tooltip."""
        # The time first: a locale's short time may end with a period ("2:05 p.m.").
        if shared:
            text = self.tr("Since %2, the shared ledger at %1 cannot be reached.")
        else:
            text = self.tr("Since %2, the ledger file %1 cannot be reached.")
        text = text.replace("%1", where).replace("%2", since) + " " + self._consequence()
        if retrying:
            text += " " + self.tr("The desk tries again by itself.")
        self.problem = UserMessage(Kind.USER, text, details=reason)
        self.unavailable_since = since
        self.text.setText(text)
        self.setToolTip(reason)
        self.setVisible(True)

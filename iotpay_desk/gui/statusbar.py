"""The status bar's parts: the environment badge and the connection state."""

from __future__ import annotations

import enum
from typing import final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QWidget

from iotpay_desk.core.profiles import Environment

__all__ = ["ConnectionIndicator", "ConnectionState", "EnvironmentBadge"]

# Colours that keep their meaning in light and dark palettes (text contrast ≥ 4.5:1).
_BADGE_STYLES = {
    Environment.PRODUCTION: ("#b3001b", "#ffffff"),
    Environment.TEST: ("#f0b400", "#1a1a1a"),
    Environment.SANDBOX: ("#1f6f8b", "#ffffff"),
    Environment.CUSTOM: ("#5c5c66", "#ffffff"),
}


@final
class EnvironmentBadge(QLabel):
    """Where requests go, as a coloured badge; PRODUCTION cannot be missed. No signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environment-badge")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self._environment: Environment | None = None
        self.set_environment(None)

    @property
    def environment(self) -> Environment | None:
        return self._environment

    def set_environment(self, env: Environment | None, host: str = "") -> None:
        self._environment = env
        if env is None:
            self.setText(self.tr("No profile"))
            self.setToolTip(self.tr("Create a merchant profile in Settings to start."))
            self.setStyleSheet("")
            return
        texts = {
            Environment.PRODUCTION: self.tr("PRODUCTION — real money"),
            Environment.TEST: self.tr("IOTPay test"),
            Environment.SANDBOX: self.tr("Sandbox"),
            Environment.CUSTOM: self.tr("Custom server"),
        }
        tips = {
            Environment.PRODUCTION: self.tr(
                "Refunds, voids and charges move real money on IOTPay's production host."
            ),
            Environment.TEST: self.tr("IOTPay's test host: no real money moves."),
            Environment.SANDBOX: self.tr(
                "The local sandbox on this computer: no real money moves."
            ),
            Environment.CUSTOM: self.tr("A custom server: %1"),
        }
        self.setText(texts[env])
        self.setToolTip(tips[env].replace("%1", host))
        bg, fg = _BADGE_STYLES[env]
        weight = "bold"
        self.setStyleSheet(
            f"QLabel#environment-badge {{ background: {bg}; color: {fg}; font-weight: {weight};"
            " padding: 0.15em 0.6em; border-radius: 0.3em; }"
        )


class ConnectionState(enum.Enum):
    UNKNOWN = "unknown"
    CHECKING = "checking"
    CONNECTED = "connected"
    UNREACHABLE = "unreachable"


@final
class ConnectionIndicator(QToolButton):
    """The connection state; clicking asks for a new check.

    Signal ``check_requested()`` (GUI thread) when the user clicks it.
    """

    check_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connection-state")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.clicked.connect(self.check_requested)
        self._state = ConnectionState.UNKNOWN
        self.set_state(ConnectionState.UNKNOWN)

    @property
    def state(self) -> ConnectionState:
        return self._state

    def set_state(self, state: ConnectionState) -> None:
        self._state = state
        texts = {
            ConnectionState.UNKNOWN: self.tr("Connection not checked"),
            ConnectionState.CHECKING: self.tr("Checking the connection…"),
            ConnectionState.CONNECTED: self.tr("Connected to IOTPay"),
            ConnectionState.UNREACHABLE: self.tr("Cannot reach IOTPay"),
        }
        marks = {
            ConnectionState.UNKNOWN: "○",
            ConnectionState.CHECKING: "◌",
            ConnectionState.CONNECTED: "●",
            ConnectionState.UNREACHABLE: "✕",
        }
        self.setText(f"{marks[state]} {texts[state]}")
        if state is ConnectionState.UNREACHABLE:
            self.setToolTip(self.tr("Check the internet connection, then click here to try again."))
        else:
            self.setToolTip(self.tr("Click to check the connection to IOTPay again."))
        self.setEnabled(state is not ConnectionState.CHECKING)

"""The desk's one main window: navigation, pages, keychain banner, status bar."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import final

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.core.credentials import CredentialStore, KeychainStatus
from iotpay_desk.core.profiles import Environment, Profile
from iotpay_desk.core.settings import Settings
from iotpay_desk.journal import Action
from iotpay_desk.services import CardService, MoneyService

from .activity import ActivityPage
from .asyncjob import BusyIndicator, async_slot, gone, run_busy
from .banner import KeychainBanner
from .orders import OrdersPage
from .settings_page import SettingsPage
from .statusbar import ConnectionIndicator, ConnectionState, EnvironmentBadge
from .vault import VaultPage

__all__ = ["ConnectionCheck", "MainWindow", "Page"]

log = logging.getLogger(__name__)

#: Asks IOTPay something harmless; returns the state it found (never raises for a network
#: problem: it answers ``UNREACHABLE``).
ConnectionCheck = Callable[[], Awaitable[ConnectionState]]


class Page(enum.IntEnum):
    ORDERS = 0
    VAULT = 1
    ACTIVITY = 2
    SETTINGS = 3


@final
class MainWindow(QMainWindow):
    """Navigation on the left, one page at a time on the right, state in the status bar.

    Everything comes in through the constructor: the active profile (or None), the
    credential store (its state drives the banner), the settings, the connection check
    and, optionally, the Card vault and Settings page widgets; the money service comes
    later through :meth:`set_money_service` (it needs the key from the keychain).

    Signals (GUI thread): ``page_changed(int)`` with the :class:`Page` shown;
    ``closed()`` once the window has closed; ``keychain_available()`` when a retry found
    the keychain usable again; ``profiles_requested()`` from File ▸ Profiles….
    """

    page_changed = Signal(int)
    closed = Signal()
    keychain_available = Signal()
    profiles_requested = Signal()

    def __init__(
        self,
        *,
        profile: Profile | None = None,
        credentials: CredentialStore | None = None,
        settings: Settings | None = None,
        connection_check: ConnectionCheck | None = None,
        pages: Mapping[Page, QWidget] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main-window")
        self._credentials = credentials
        self._connection_check = connection_check
        self._closing = False

        # -- pages ---------------------------------------------------------------------------
        given = dict(pages or {})
        self.orders = OrdersPage(self)
        self.activity = ActivityPage(self)
        self.orders.action_finished.connect(self.activity.reload)
        self.pages: dict[Page, QWidget] = {
            Page.ORDERS: self.orders,
            Page.VAULT: given.get(Page.VAULT) or VaultPage(self),
            Page.ACTIVITY: self.activity,
            Page.SETTINGS: given.get(Page.SETTINGS) or SettingsPage(settings, self),
        }
        titles = {
            Page.ORDERS: self.tr("&Orders"),
            Page.VAULT: self.tr("&Card vault"),
            Page.ACTIVITY: self.tr("&Activity"),
            Page.SETTINGS: self.tr("&Settings"),
        }
        vault = self.pages[Page.VAULT]
        if isinstance(vault, VaultPage):
            vault.charge_finished.connect(self.activity.reload)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("pages")
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(self.tr("Navigation"))
        for page in Page:
            self.stack.addWidget(self.pages[page])
            item = QListWidgetItem(titles[page].replace("&", ""), self.nav)
            item.setData(Qt.ItemDataRole.UserRole, int(page))
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setStyleSheet("QListWidget#navigation::item { padding: 0.35em 0.6em; }")
        self.nav.currentRowChanged.connect(self._on_nav_row)

        # -- banner, layout ------------------------------------------------------------------
        self.production_strip = QLabel(
            self.tr("PRODUCTION — refunds, voids and charges here move real money."), self
        )
        self.production_strip.setObjectName("production-strip")
        self.production_strip.setWordWrap(True)
        self.production_strip.setStyleSheet(
            "QLabel#production-strip { background: #b3001b; color: #ffffff; font-weight: bold;"
            " padding: 0.3em 0.6em; }"
        )
        self.production_strip.setVisible(False)
        self.banner = KeychainBanner(self)
        self.banner.retry_requested.connect(self.recheck_keychain)
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.addWidget(self.production_strip)
        outer.addWidget(self.banner)
        row = QHBoxLayout()
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)

        # -- menus and shortcuts -------------------------------------------------------------
        self.page_actions: dict[Page, QAction] = {}
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.profiles_action = QAction(self.tr("&Profiles…"), self)
        self.profiles_action.setObjectName("profiles")
        self.profiles_action.triggered.connect(self.profiles_requested)
        file_menu.addAction(self.profiles_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        if quit_action.shortcut().isEmpty():
            quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        go_menu = self.menuBar().addMenu(self.tr("&Go"))
        group = QActionGroup(self)
        group.setExclusive(True)
        for page in Page:
            action = QAction(titles[page], self)
            action.setObjectName(f"go-{page.name.lower()}")
            action.setCheckable(True)
            digit = Qt.Key(Qt.Key.Key_1.value + int(page))
            action.setShortcut(QKeySequence(Qt.Modifier.CTRL | digit))
            action.triggered.connect(lambda _on=False, p=page: self.show_page(p))
            group.addAction(action)
            go_menu.addAction(action)
            self.addAction(action)  # shortcut works even with the menu bar hidden
            self.page_actions[page] = action
        go_menu.addSeparator()
        self.find_action = QAction(self.tr("&Find an order"), self)
        self.find_action.setObjectName("find-order")
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        if self.find_action.shortcut().isEmpty():
            self.find_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_F))
        self.find_action.triggered.connect(self.find_order)
        go_menu.addAction(self.find_action)
        self.addAction(self.find_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About IOTPay Desk"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

        # -- status bar ----------------------------------------------------------------------
        self.busy = BusyIndicator(self)
        self.profile_label = QLabel(self)
        self.profile_label.setObjectName("profile-name")
        self.environment_badge = EnvironmentBadge(self)
        self.connection = ConnectionIndicator(self)
        self.connection.check_requested.connect(self.check_connection)
        bar = self.statusBar()
        bar.addWidget(self.busy, 1)
        bar.addPermanentWidget(self.profile_label)
        bar.addPermanentWidget(self.environment_badge)
        bar.addPermanentWidget(self.connection)

        self.set_profile(profile)
        self.show_page(Page.ORDERS)
        self._fit_navigation()
        self.resize(self.sizeHint().expandedTo(self._comfortable_size()))

    # -- pages ------------------------------------------------------------------------------

    def current_page(self) -> Page:
        return Page(self.stack.currentIndex())

    def find_order(self) -> None:
        """Ctrl+F: the Orders page, its look-up field focused with its text selected."""
        self.show_page(Page.ORDERS)
        query = self.orders.query
        query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        query.selectAll()

    def show_page(self, page: Page) -> None:
        if self.nav.currentRow() != int(page):
            self.nav.setCurrentRow(int(page))  # → _on_nav_row
        else:
            self._on_nav_row(int(page))

    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        page = Page(row)
        changed = self.stack.currentIndex() != row
        self.stack.setCurrentIndex(row)
        self.page_actions[page].setChecked(True)
        if changed:
            self.page_changed.emit(row)

    def _fit_navigation(self) -> None:
        width = self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth()
        width += self.fontMetrics().averageCharWidth() * 4
        self.nav.setFixedWidth(width)

    def _comfortable_size(self) -> QSize:
        """Room for a table of orders, in units of the window's font."""
        fm = self.fontMetrics()
        return QSize(fm.averageCharWidth() * 125, fm.height() * 36)

    # -- profile, environment -----------------------------------------------------------------

    def set_profile(self, profile: Profile | None) -> None:
        self._profile = profile
        title = self.tr("IOTPay Desk")
        production = profile is not None and profile.environment is Environment.PRODUCTION
        self.production_strip.setVisible(production)
        if profile is None:
            self.profile_label.setText(self.tr("No profile"))
            self.environment_badge.set_environment(None)
            self.setWindowTitle(title)
            return
        self.profile_label.setText(self.tr("Profile: %1").replace("%1", profile.name))
        self.environment_badge.set_environment(profile.environment, profile.base_url or "")
        if profile.environment is Environment.PRODUCTION:
            self.setWindowTitle(
                self.tr("%1 — %2 — PRODUCTION").replace("%1", title).replace("%2", profile.name)
            )
        else:
            self.setWindowTitle(self.tr("%1 — %2").replace("%1", title).replace("%2", profile.name))

    @property
    def profile(self) -> Profile | None:
        return self._profile

    # -- money ----------------------------------------------------------------------------------

    def set_money_service(
        self,
        service: MoneyService | None,
        *,
        cards: CardService | None = None,
        retype_above: int | None = None,
    ) -> None:
        """The active profile's money and card services (None: those pages are off)."""
        name = self._profile.name if self._profile is not None else ""
        self.orders.set_service(service, retype_above=retype_above, merchant_name=name)
        self.activity.set_service(service, cards=cards)
        vault = self.pages[Page.VAULT]
        if isinstance(vault, VaultPage):
            vault.set_services(cards, service, merchant_name=name)

    def forget_profile_data(self) -> None:
        """Switching profiles: every page lets go of the old profile's services and of what
        it showed (order detail, typed look-up, recent look-ups, activity, vault)."""
        self.set_money_service(None)
        self.orders.query.clear()
        self.orders.message.clear()
        self.orders.message.setVisible(False)
        vault = self.pages[Page.VAULT]
        if isinstance(vault, VaultPage):
            vault.search.clear()

    def action_changed(self, action: Action) -> None:
        """The money service's ``on_change`` (GUI thread): a refund or void moved on."""
        self.activity.action_changed(action)
        self.orders.action_changed(action)

    # -- keychain -------------------------------------------------------------------------------

    def set_keychain_status(self, status: KeychainStatus, *, demo_key: bool | None = None) -> None:
        """The banner's keychain state; ``demo_key`` as :meth:`KeychainBanner.set_status`."""
        self.banner.set_status(status, demo_key=demo_key)

    @async_slot()
    async def recheck_keychain(self) -> None:
        """Ask the keychain again (in a worker thread) and update the banner."""
        store = self._credentials
        if store is None:
            return
        result = await run_busy(
            self.banner.retry_button,
            asyncio.to_thread(store.status),
            progress_text=self.tr("Checking the keychain…"),
        )
        if gone(self):
            return
        if result.value is not None:
            was_usable = self.banner.status is None or self.banner.status.usable
            self.set_keychain_status(result.value)
            if result.value.usable and not was_usable:
                self.keychain_available.emit()

    # -- connection -----------------------------------------------------------------------------

    def set_connection_check(self, check: ConnectionCheck | None) -> None:
        self._connection_check = check
        if check is None:
            self.connection.set_state(ConnectionState.UNKNOWN)

    def set_connection_state(self, state: ConnectionState) -> None:
        self.connection.set_state(state)

    @async_slot()
    async def check_connection(self) -> None:
        """Run the connection check and show its answer."""
        check = self._connection_check
        if check is None:
            return
        self.connection.set_state(ConnectionState.CHECKING)
        state = ConnectionState.UNKNOWN
        try:
            result = await run_busy(
                self.connection,
                check(),
                progress_text=self.tr("Checking the connection to IOTPay…"),
            )
            if gone(self):
                return
            if result.value is not None:
                state = result.value
        finally:
            if not gone(self) and not self._closing:
                self.connection.set_state(state)

    # -- misc ---------------------------------------------------------------------------------

    def _about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About IOTPay Desk"))
        box.setText(
            self.tr("IOTPay Desk — look up, refund and void card payments made through IOTPay.")
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

"""The desk's one main window: navigation, pages, keychain banner, status bar."""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, final

from PySide6.QtCore import QByteArray, QLocale, QSettings, QSize, Qt, QTime, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
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
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import Environment, Profile
from iotpay_desk.core.settings import CARD_PAGE_RELEASE_MINUTES, Settings
from iotpay_desk.journal.errors import LedgerUnavailable

from .asyncjob import BusyIndicator, async_slot, gone, run_busy
from .banner import KeychainBanner
from .ledgerbanner import LedgerBanner
from .statusbar import ConnectionIndicator, ConnectionState, EnvironmentBadge

if TYPE_CHECKING:
    # The pages (and what they import: the services, charts, receipts) are built by
    # :meth:`MainWindow.build_pages`, which the desk calls after the window's first frame.
    from iotpay_desk.journal import Action, VaultCard
    from iotpay_desk.services import CardService, MoneyService
    from iotpay_desk.services.events import EventHub
    from iotpay_desk.services.ledgerwatch import LedgerState

    from .about import AboutDialog
    from .activity import ActivityPage
    from .deposits import DepositsPanel
    from .endofday import EndOfDayPage
    from .errors import UserMessage
    from .help import HelpDialog
    from .import_dialog import JobProgressDialog
    from .ledgerbridge import LedgerBridge
    from .orders import OrdersPage
    from .purchase_dialog import PurchaseDialog
    from .transactions import TransactionsPage
    from .vault import VaultPage

__all__ = ["WINDOW_STATE_FILE", "ConnectionCheck", "MainWindow", "Page", "mnemonic_letter"]

log = logging.getLogger(__name__)

#: Window size, position and maximised state, and the Transactions columns (order,
#: widths, which are shown), beside the settings (``QSettings`` ini).
WINDOW_STATE_FILE = "window.ini"


def mnemonic_letter(text: str) -> str:
    """The Alt+letter of ``text`` (``"Re&try"`` → ``"t"``), "" when it has none."""
    text = text.replace("&&", "")
    at = text.find("&")
    return text[at + 1].casefold() if 0 <= at < len(text) - 1 else ""


#: Asks IOTPay something harmless; returns the state it found (never raises for a network
#: problem: it answers ``UNREACHABLE``).
ConnectionCheck = Callable[[], Awaitable[ConnectionState]]


class Page(enum.IntEnum):
    ORDERS = 0
    VAULT = 1
    ACTIVITY = 2
    SETTINGS = 3
    TRANSACTIONS = 4
    END_OF_DAY = 5


# The pages in the navigation, top to bottom (the books next to the orders). Ctrl+1…4
# keep the pages they always had; Transactions is Ctrl+T, End of day Ctrl+D (on X11 a
# focused text field takes Ctrl+E: the end of its line).
NAV_ORDER = (
    Page.ORDERS,
    Page.TRANSACTIONS,
    Page.END_OF_DAY,
    Page.VAULT,
    Page.ACTIVITY,
    Page.SETTINGS,
)
#: The pages whose shortcut is a letter (the others: Ctrl and their number).
LETTER_SHORTCUTS = {Page.TRANSACTIONS: Qt.Key.Key_T, Page.END_OF_DAY: Qt.Key.Key_D}


@final
class MainWindow(QMainWindow):
    """Navigation on the left, one page at a time on the right, state in the status bar.

    Everything comes in through the constructor: the active profile (or None), the
    credential store (its state drives the banner), the settings, the connection check
    and, optionally, the Card vault and Settings page widgets; the money service comes
    later through :meth:`set_money_service` (it needs the key from the keychain).

    With ``defer_pages`` the window is built without its pages (each place in the page
    stack holds an empty widget) so that it can be on screen before their modules are
    even imported; :meth:`build_pages` must then be called before anything else is asked
    of it (the desk does it right after the first frame).

    Closing the window while a refund, void or charge waits for IOTPay's answer (or a
    payment link is being followed) asks first, and says that it stays pending and is
    checked at the next start. The window's size, position and maximised state are kept in
    ``<config dir>/window.ini`` (with ``settings``).

    Signals (GUI thread): ``page_changed(int)`` with the :class:`Page` shown;
    ``closed()`` once the window has closed; ``keychain_available()`` when a retry found
    the keychain usable again; ``profiles_requested()`` from File ▸ Profiles….
    """

    # Built by build_pages.
    orders: OrdersPage
    activity: ActivityPage
    transactions: TransactionsPage
    end_of_day: EndOfDayPage
    deposits_panel: DepositsPanel

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
        developer_settings: bool = False,
        paths: AppPaths | None = None,
        defer_pages: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main-window")
        self._paths = paths  # where About says the data and logs are (default: the platform's)
        self.about_dialog: AboutDialog | None = None
        self._credentials = credentials
        self._connection_check = connection_check
        self._settings = settings
        self._closing = False
        self._window_state_read = False
        self._money: MoneyService | None = None
        self._ledger_ok = True  # False while the ledger banner is shown: money is off
        self._cards: CardService | None = None
        self._activity_waits = False  # Activity gets the service when the ledger is back
        # The ledger's events (set_event_hub): None while the pages are fed directly.
        self._hub: EventHub | None = None
        self.bridge: LedgerBridge | None = None
        # Set once the user said "Quit anyway" (or a signal/restart asked to close).
        self._quit_confirmed = False
        self._quit_box: QMessageBox | None = None
        self.restart_wanted = False
        self.help_dialog: HelpDialog | None = None
        self.cards_dialog: HelpDialog | None = None
        # The window-wide Alt+letters (menu bar, banner); the Settings page avoids them.
        menu_titles = (self.tr("&File"), self.tr("&Go"), self.tr("&Help"))
        self.banner = KeychainBanner(self)
        self.ledger_banner = LedgerBanner(self)
        reserved = "".join(
            mnemonic_letter(t) for t in (*menu_titles, self.banner.retry_button.text())
        )

        # -- pages (built by build_pages) ------------------------------------------------------
        self._given_pages = dict(pages or {})
        self._developer_settings = developer_settings
        self._reserved = reserved
        self.pages: dict[Page, QWidget] = {}
        self.titles = {
            Page.ORDERS: self.tr("&Orders"),
            Page.VAULT: self.tr("&Card vault"),
            Page.ACTIVITY: self.tr("&Activity"),
            Page.SETTINGS: self.tr("&Settings"),
            Page.TRANSACTIONS: self.tr("&Transactions"),
            Page.END_OF_DAY: self.tr("&End of day"),
        }
        titles = self.titles
        # Built now, the pages come first in the focus chain (the look-up field has the
        # focus when the window opens); deferred, build_pages gives it to it.
        made = None if defer_pages else self._make_pages()
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("pages")
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(self.tr("Navigation"))
        for page in NAV_ORDER:
            # Each page, or its place until build_pages makes it.
            self.stack.addWidget(made[page] if made is not None else QWidget(self.stack))
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
        self.banner.retry_requested.connect(self.recheck_keychain)
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.addWidget(self.production_strip)
        outer.addWidget(self.banner)
        outer.addWidget(self.ledger_banner)
        row = QHBoxLayout()
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)

        # -- menus and shortcuts -------------------------------------------------------------
        self.page_actions: dict[Page, QAction] = {}
        file_menu = self.menuBar().addMenu(menu_titles[0])
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
        go_menu = self.menuBar().addMenu(menu_titles[1])
        group = QActionGroup(self)
        group.setExclusive(True)
        for page in NAV_ORDER:
            action = QAction(titles[page], self)
            action.setObjectName(f"go-{page.name.lower()}")
            action.setCheckable(True)
            letter = LETTER_SHORTCUTS.get(page)
            if letter is not None:
                action.setShortcut(QKeySequence(Qt.Modifier.CTRL | letter))
            else:
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
        help_menu = self.menuBar().addMenu(menu_titles[2])
        self.guide_action = QAction(self.tr("&User guide"), self)
        self.guide_action.setObjectName("user-guide")
        self.guide_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        if self.guide_action.shortcut().isEmpty():
            self.guide_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.guide_action.triggered.connect(self.show_user_guide)
        help_menu.addAction(self.guide_action)
        self.addAction(self.guide_action)
        self.cards_action = QAction(self.tr("Sandbox &test cards"), self)
        self.cards_action.setObjectName("test-cards")
        self.cards_action.triggered.connect(self.show_test_cards)
        help_menu.addAction(self.cards_action)
        help_menu.addSeparator()
        self.about_action = QAction(self.tr("&About IOTPay Desk"), self)
        self.about_action.setObjectName("about")
        self.about_action.triggered.connect(self._about)
        help_menu.addAction(self.about_action)

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

        self._profile = profile
        if made is not None:
            self.pages = made
        self.set_profile(profile)
        self.show_page(Page.ORDERS)
        self._fit_navigation()
        self.resize(self.sizeHint().expandedTo(self._comfortable_size()))
        self._restore_window_state()

    def build_pages(self) -> None:
        """Build the pages in their places in the stack (once; see ``defer_pages``)."""
        if self.pages:
            return
        pages = self._make_pages()
        current = self.stack.currentIndex()
        for row, page in enumerate(NAV_ORDER):
            place = self.stack.widget(row)
            self.stack.insertWidget(row, pages[page])
            if place is not None:
                self.stack.removeWidget(place)
                place.deleteLater()
        self.pages = pages
        self.stack.setCurrentIndex(current)
        if self.current_page() is Page.ORDERS:
            # The look-up field takes the typing, as when the pages are built with the
            # window (they come after the navigation in the focus chain now).
            self.orders.query.setFocus(Qt.FocusReason.OtherFocusReason)
        if self._window_state_read:
            self._restore_pages_state()

    def _make_pages(self) -> dict[Page, QWidget]:
        """The pages, wired to the window (not yet in the stack)."""
        from .activity import ActivityPage
        from .deposits import DepositsPanel
        from .endofday import EndOfDayPage
        from .orders import OrdersPage
        from .settings_page import SettingsPage
        from .transactions import TransactionsPage
        from .vault import VaultPage

        settings, given = self._settings, self._given_pages
        self.orders = OrdersPage(self)
        self.activity = ActivityPage(self)
        self.transactions = TransactionsPage(self)
        self.transactions.open_order.connect(self.open_order)
        self.end_of_day = EndOfDayPage(self)
        self.end_of_day.open_order.connect(self.open_order)
        self.end_of_day.reconcile_requested.connect(self.reconcile_day)
        # A filter saved or changed is kept at once, not only when the window closes.
        self.transactions.saved_filters_changed.connect(self._save_window_state)
        self.deposits_panel = DepositsPanel(None, self)
        self.end_of_day.set_deposits_widget(self.deposits_panel)
        self.orders.action_finished.connect(self.activity.reload)
        pages: dict[Page, QWidget] = {
            Page.ORDERS: self.orders,
            Page.TRANSACTIONS: self.transactions,
            Page.END_OF_DAY: self.end_of_day,
            Page.VAULT: given.get(Page.VAULT) or VaultPage(self),
            Page.ACTIVITY: self.activity,
            Page.SETTINGS: given.get(Page.SETTINGS)
            or SettingsPage(
                settings, self, developer=self._developer_settings, reserved=self._reserved
            ),
        }
        settings_page = pages[Page.SETTINGS]
        if isinstance(settings_page, SettingsPage):
            settings_page.restart_requested.connect(self.restart)
            settings_page.setting_changed.connect(self._apply_setting)
        self._apply_setting(CARD_PAGE_RELEASE_MINUTES.key)
        vault = pages[Page.VAULT]
        if isinstance(vault, VaultPage):
            vault.charge_finished.connect(self.activity.reload)
        return pages

    # -- pages ------------------------------------------------------------------------------

    def current_page(self) -> Page:
        return NAV_ORDER[self.stack.currentIndex()]

    @staticmethod
    def nav_row(page: Page) -> int:
        """The row of ``page`` in the navigation (and in the page stack)."""
        return NAV_ORDER.index(page)

    def open_order(self, pay_order_id: str) -> None:
        """The Orders page, showing the order ``pay_order_id`` (from Transactions or End of
        day)."""
        self.show_page(Page.ORDERS)
        self.orders.query.setText(pay_order_id)
        self.orders.look_up()

    def reconcile_day(self, day: date) -> JobProgressDialog | None:
        """Reconcile with IOTPay (End of day): every order of ``day`` re-checked with
        cc_query in a progress dialog (Cancel stops it, resumable); the page is read
        again when it ends."""
        money = self._money
        if money is None:
            return None
        from .import_dialog import JobProgressDialog

        dialog = JobProgressDialog(
            self.tr("Reconcile %1 with IOTPay").replace("%1", day.isoformat()),
            lambda progress: money.reconciler.reconcile_day(day, on_progress=progress),
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.job_finished.connect(lambda _summary: self.end_of_day.reload())
        dialog.job_stopped.connect(self.end_of_day.reload)
        dialog.open()
        dialog.start()
        return dialog

    def find_order(self) -> None:
        """Ctrl+F: the Orders page, its look-up field focused with its text selected."""
        self.show_page(Page.ORDERS)
        query = self.orders.query
        query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        query.selectAll()

    def show_page(self, page: Page) -> None:
        row = self.nav_row(page)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # → _on_nav_row
        else:
            self._on_nav_row(row)

    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        page = NAV_ORDER[row]
        changed = self.stack.currentIndex() != row
        self.stack.setCurrentIndex(row)
        self.page_actions[page].setChecked(True)
        if changed:
            self.page_changed.emit(int(page))

    def _vault_page(self) -> VaultPage | None:
        """The Card vault page (None: a stand-in was given for it)."""
        from .vault import VaultPage

        vault = self.pages.get(Page.VAULT)
        return vault if isinstance(vault, VaultPage) else None

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
        """The profile in the title and the status bar.

        The program's name ends the title ("Front desk — IOTPay Desk"): it is also the
        application's display name, which Qt appends to any title not ending with it, so
        the name is never said twice.
        """
        self._profile = profile
        title = self.tr("IOTPay Desk")
        production = profile is not None and profile.environment is Environment.PRODUCTION
        self.production_strip.setVisible(production)
        if profile is None:
            self.profile_label.setText(self.tr("No profile"))
            self.profile_label.setToolTip(
                self.tr("Create a merchant profile with File ▸ Profiles… to start.")
            )
            self.environment_badge.set_environment(None)
            self.environment_badge.setVisible(False)  # "No profile" is said once
            self.setWindowTitle(title)
            return
        self.profile_label.setText(self.tr("Profile: %1").replace("%1", profile.name))
        self.profile_label.setToolTip("")
        self.environment_badge.set_environment(profile.environment, profile.base_url or "")
        self.environment_badge.setVisible(True)
        if profile.environment is Environment.PRODUCTION:
            self.setWindowTitle(
                self.tr("%1 — PRODUCTION — %2").replace("%1", profile.name).replace("%2", title)
            )
        else:
            self.setWindowTitle(self.tr("%1 — %2").replace("%1", profile.name).replace("%2", title))

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
        self._money = service
        self._cards = cards
        name = self._profile.name if self._profile is not None else ""
        self.orders.set_service(service, retype_above=retype_above, merchant_name=name)
        # Activity is the ledger's trail: with no ledger it waits for it (the banner says
        # why) instead of failing to read it.
        self._activity_waits = service is not None and not self._ledger_ok
        self.activity.set_service(None if self._activity_waits else service, cards=cards)
        self.transactions.set_service(service)
        self.end_of_day.set_service(service)
        self.deposits_panel.set_service(service)
        vault = self._vault_page()
        if vault is not None:
            vault.set_services(cards, service, merchant_name=name)

    def set_ledger_problem(self, problem: UserMessage | None) -> None:
        """Why the profile's ledger cannot be used (None: it works): the ledger banner;
        refunds, voids, charges and purchase links are off while it is shown."""
        self.ledger_banner.set_problem(problem)
        self._set_ledger_ok(problem is None)

    def set_ledger_state(self, state: LedgerState) -> None:
        """The session's ledger state (``DeskSession.on_ledger``): the banner says since
        when a ledger cannot be reached; money actions are off until it is back, and then
        the pages read the ledger again."""
        if state.available:
            self.set_ledger_problem(None)
            return
        from .errors import describe

        error = state.error
        if not isinstance(error, LedgerUnavailable):
            self.set_ledger_problem(describe(error) if error is not None else None)
            return
        since = ""
        if state.since is not None:
            at = state.since.astimezone(self.orders.tz)
            since = QLocale().toString(QTime(at.hour, at.minute), QLocale.FormatType.ShortFormat)
        self.ledger_banner.set_unavailable(
            error.where,
            shared=error.shared,
            since=since,
            retrying=state.retrying,
            reason=str(error),
        )
        self._set_ledger_ok(False)

    def _set_ledger_ok(self, ok: bool) -> None:
        was = self._ledger_ok
        self._ledger_ok = ok
        self.orders.set_ledger_ok(ok)
        vault = self._vault_page()
        if vault is not None:
            vault.set_ledger_ok(ok)
        if ok and not was and self._money is not None:
            # Back: what the ledger holds (recent look-ups, activity, cards) is read again.
            self.orders.load_recent()
            if self._activity_waits:
                self._activity_waits = False
                self.activity.set_service(self._money, cards=self._cards)
            else:
                self.activity.reload()
            self.transactions.reload()
            self.end_of_day.reload()
            self.deposits_panel.reload()
            if vault is not None:
                vault.reload()

    def cards_found(self, cards: list[VaultCard]) -> None:
        """Cards the start-up check found bound on add-card pages an earlier run left
        open: the vault page shows and names them."""
        vault = self._vault_page()
        if vault is not None:
            vault.show_found(cards)

    def forget_profile_data(self) -> None:
        """Switching profiles: every page lets go of the old profile's services and of what
        it showed (order detail, typed look-up, recent look-ups, activity, vault)."""
        self.set_money_service(None)
        self.orders.query.clear()
        self.orders.message.clear()
        self.orders.message.setVisible(False)
        vault = self._vault_page()
        if vault is not None:
            vault.search.clear()
        self.transactions.clear_filters()

    def action_changed(self, action: Action) -> None:
        """The money service's ``on_change`` (GUI thread): a refund or void moved on.
        With an event hub (:meth:`set_event_hub`) it goes to the hub, which tells the
        pages through the bridge once, however many times the change is reported."""
        if self._hub is not None:
            self._hub.action_changed(action)
            return
        self.activity.action_changed(action)
        self.orders.action_changed(action)
        self.end_of_day.mark_stale()

    def set_event_hub(self, hub: EventHub | None) -> None:
        """Feed the pages from ``hub`` (None: from :meth:`action_changed` directly, as
        before). The hub gets this desk's reports and, from a ``ledger.feed.LedgerFeed``
        on the same hub, every row any desk writes; one :class:`LedgerBridge` turns its
        events into signals: Activity and Orders follow actions, the vault page cards,
        and a reset (the shared ledger came back) makes each read again. Activity then
        no longer reloads itself after a form reported its outcome: the change reaches
        it once, as an event."""
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge.deleteLater()
            self.bridge = None
        direct, self._hub = self._hub is None, hub
        vault = self._vault_page()
        reloads = [self.orders.action_finished]
        if vault is not None:
            reloads.append(vault.charge_finished)
        for signal in reloads:
            if direct and hub is not None:
                signal.disconnect(self.activity.reload)
            elif not direct and hub is None:
                signal.connect(self.activity.reload)
        if hub is None:
            return
        from .ledgerbridge import LedgerBridge

        bridge = LedgerBridge(hub, self)
        bridge.action_changed.connect(self.activity.action_changed)
        bridge.action_changed.connect(self.orders.action_changed)
        bridge.notification_recorded.connect(self.orders.notification_recorded)
        bridge.reset.connect(self.activity.reload)
        bridge.reset.connect(self.orders.refresh)
        bridge.reset.connect(self.end_of_day.reload)
        bridge.reset.connect(self.deposits_panel.reload)
        bridge.action_changed.connect(self.end_of_day.mark_stale)
        bridge.notification_recorded.connect(self.end_of_day.mark_stale)
        if vault is not None:
            bridge.vault_changed.connect(vault.vault_changed)
            bridge.reset.connect(vault.reload)
        self.bridge = bridge

    # -- keychain -------------------------------------------------------------------------------

    def set_keychain_status(self, status: KeychainStatus, *, demo_key: bool | None = None) -> None:
        """The banner's keychain state; ``demo_key`` as :meth:`KeychainBanner.set_status`."""
        self.banner.set_status(status, demo_key=demo_key)

    @async_slot()
    async def recheck_keychain(self) -> None:
        """Ask the keychain again (in a worker thread) and update the banner."""
        from asyncio import to_thread

        store = self._credentials
        if store is None:
            return
        result = await run_busy(
            self.banner.retry_button,
            to_thread(store.status),
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

    # -- help ---------------------------------------------------------------------------------

    def show_user_guide(self) -> None:
        """Help ▸ User guide (F1): the guide in the desk's language, in a help window."""
        from .help import HelpDialog, guide_path

        dialog = self.help_dialog
        if dialog is None:
            dialog = HelpDialog(self.tr("IOTPay Desk — user guide"), self)
            dialog.setObjectName("user-guide-dialog")
            dialog.show_file(guide_path())
            self.help_dialog = dialog
        if dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.show()

    def show_test_cards(self) -> None:
        """Help ▸ Sandbox test cards: the cards and demo merchant of the README."""
        from .help import HelpDialog, test_cards_html

        dialog = self.cards_dialog
        if dialog is None:
            dialog = HelpDialog(self.tr("Sandbox test cards"), self)
            dialog.setObjectName("test-cards-dialog")
            dialog.show_html(test_cards_html())
            self.cards_dialog = dialog
        if dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.show()

    def _about(self) -> None:
        from .about import AboutDialog, desk_about

        dialog = AboutDialog(desk_about(self._paths), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.about_dialog = dialog
        dialog.open()

    # -- window state ---------------------------------------------------------------------------

    def _state_store(self) -> QSettings | None:
        if self._settings is None:
            return None
        path = self._settings.config_dir / WINDOW_STATE_FILE
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _restore_window_state(self) -> None:
        self._window_state_read = True
        store = self._state_store()
        if store is None:
            return
        geometry = store.value("geometry")
        # Qt keeps the window on a screen that exists (a monitor unplugged since).
        readable = isinstance(geometry, QByteArray) and not geometry.isEmpty()
        if readable and not self.restoreGeometry(geometry):
            log.info("window geometry not restored (unreadable)")
        if self.pages:
            self._restore_pages_state()

    def _restore_pages_state(self) -> None:
        store = self._state_store()
        if store is None:
            return
        columns = store.value("transactions/columns")
        readable = isinstance(columns, QByteArray) and not columns.isEmpty()
        if readable and not self.transactions.restore_header_state(columns):
            log.info("transactions columns not restored (unreadable)")
        filters = store.value("transactions/filters", "")
        if not self.transactions.restore_saved_filters(filters if isinstance(filters, str) else ""):
            log.info("saved filters not restored (unreadable)")

    def _save_window_state(self) -> None:
        store = self._state_store()
        if store is None:
            return
        try:
            self._settings.config_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        except OSError as exc:
            log.warning("window state not saved: %s", exc)
            return
        store.setValue("geometry", self.saveGeometry())
        if self.pages:
            store.setValue("transactions/columns", self.transactions.header_state())
            store.setValue("transactions/filters", self.transactions.saved_filters())
        store.sync()
        if store.status() is not QSettings.Status.NoError:
            log.warning("window state not saved: %s", store.status().name)

    # -- settings that apply at once ------------------------------------------------------------

    def _apply_setting(self, key: str) -> None:
        """A setting the window applies itself, as it starts and when it is changed."""
        if key == CARD_PAGE_RELEASE_MINUTES.key and self._settings is not None:
            from .webpage import set_idle_release

            set_idle_release(self._settings.get(CARD_PAGE_RELEASE_MINUTES) * 60_000)

    # -- quitting -------------------------------------------------------------------------------

    def restart(self) -> None:
        """Settings ▸ Restart now: close (asking first if work is in flight); the desk then
        starts again (``restart_wanted``)."""
        self.restart_wanted = True  # "Keep working" to the quit question takes it back
        self.close()

    def close_without_asking(self) -> None:
        """Close even with work in flight (SIGTERM, the session ending): it stays pending in
        the journal and is checked at the next start."""
        self._quit_confirmed = True
        self.close()

    def following_purchases(self) -> list[PurchaseDialog]:
        """Payment links on screen whose outcome IOTPay has not given yet."""
        # Imported here: the purchase form (and its QR code maker) is not needed to start.
        from .purchase_dialog import PurchaseDialog

        return [
            d
            for d in self.findChildren(PurchaseDialog)
            if d.isVisible() and d.session is not None and d.outcome is None
        ]

    def work_in_flight(self) -> bool:
        """A refund, void or charge waits for IOTPay, or a payment link is being followed."""
        money = self._money
        return (money is not None and money.busy) or bool(self.following_purchases())

    def _pending_sentence(self, action: Action) -> str:
        from iotpay_desk.journal import ActionKind

        from .amounts import format_cents

        amount = format_cents(action.amount_cents or 0)
        texts = {
            ActionKind.REFUND: self.tr("A refund of %1 is still waiting for IOTPay's answer."),
            ActionKind.VOID: self.tr("A void of %1 is still waiting for IOTPay's answer."),
            ActionKind.CHARGE_TOKEN: self.tr(
                "A charge of %1 is still waiting for IOTPay's answer."
            ),
            ActionKind.CHARGE_WALLET: self.tr(
                "A wallet payment of %1 is still waiting for IOTPay's answer."
            ),
            ActionKind.PURCHASE_LINK: self.tr(
                "A payment link for %1 is still waiting for the customer to pay."
            ),
        }
        return texts[action.kind].replace("%1", amount)

    def quit_question(self, actions: list[Action]) -> QMessageBox:
        """The question asked before quitting with ``actions`` still open (not shown)."""
        lines = [self._pending_sentence(a) for a in actions[:5]]
        if len(actions) > 5:
            lines.append(self.tr("…and %1 more.").replace("%1", str(len(actions) - 5)))
        if not lines:
            lines.append(self.tr("Work with IOTPay is still in progress."))
        box = QMessageBox(self)
        box.setObjectName("quit-question")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Quit IOTPay Desk?"))
        box.setText("\n".join([*lines, "", self.tr("Quit anyway?")]))
        box.setInformativeText(
            self.tr(
                "If you quit now, what is pending stays in the journal and the desk checks it "
                "with IOTPay at the next start. Nothing is sent twice."
            )
        )
        self.keep_button = box.addButton(
            self.tr("&Keep working"), QMessageBox.ButtonRole.RejectRole
        )
        self.keep_button.setObjectName("keep-working")
        self.quit_button = box.addButton(
            self.tr("&Quit anyway"), QMessageBox.ButtonRole.DestructiveRole
        )
        self.quit_button.setObjectName("quit-anyway")
        box.setDefaultButton(self.keep_button)
        box.setEscapeButton(self.keep_button)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        return box

    @async_slot()
    async def ask_before_quitting(self) -> None:
        """What is still pending, and Quit anyway / Keep working."""
        from asyncio import sleep

        if self._quit_box is not None and self._quit_box.isVisible():
            self._quit_box.raise_()
            return
        actions: list[Action] = []
        money = self._money
        if money is not None:
            try:
                actions = await money.open_actions()
                # A refund sent this very moment may not be written down yet: a short wait.
                for _ in range(5):
                    if actions or not money.busy or gone(self):
                        break
                    await sleep(0.1)
                    actions = await money.open_actions()
            except Exception:
                log.warning("open actions could not be read for the quit question", exc_info=True)
        if gone(self):
            return
        box = self.quit_question(actions)
        box.buttonClicked.connect(self._quit_answer)
        self._quit_box = box
        box.open()

    def _quit_answer(self, button: QAbstractButton) -> None:
        self._quit_box = None
        if button is self.quit_button:
            log.info("quitting with work pending: it is checked at the next start")
            self.close_without_asking()
        else:
            self.restart_wanted = False

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quit_confirmed and self.work_in_flight():
            event.ignore()
            self.ask_before_quitting()
            return
        self._closing = True
        if self._quit_box is not None:
            self._quit_box.close()
        self._save_window_state()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

"""The main window: navigation by mouse and keyboard, status bar, keychain banner."""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked
from PySide6.QtCore import QLocale, QSize, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget
from pytestqt.qtbot import QtBot

from iotpay_desk.core.credentials import CredentialStore, KeychainState
from iotpay_desk.core.profiles import Environment, Profile
from iotpay_desk.core.settings import Settings
from iotpay_desk.gui.activity import ActivityPage
from iotpay_desk.gui.endofday import EndOfDayPage
from iotpay_desk.gui.mainwindow import MainWindow, Page
from iotpay_desk.gui.orders import OrdersPage
from iotpay_desk.gui.settings_page import SettingsPage
from iotpay_desk.gui.statusbar import ConnectionState
from iotpay_desk.gui.transactions import TransactionsPage
from iotpay_desk.gui.vault import VaultPage
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import SandboxServer
from tests.gui.conftest import QLoop, message_boxes, until
from tests.plugins.memkeyring import MemoryKeyring


def _profile(env: Environment, name: str = "Shop") -> Profile:
    url = "http://127.0.0.1:9" if env in (Environment.SANDBOX, Environment.CUSTOM) else None
    return Profile.new(name, env, "10000701", operators=["cashier1"], custom_url=url)


@pytest.fixture
def window(qtbot: QtBot, tmp_path) -> MainWindow:
    win = MainWindow(profile=_profile(Environment.SANDBOX, "Sandbox"), settings=Settings(tmp_path))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


PAGE_TYPES = {
    Page.ORDERS: OrdersPage,
    Page.VAULT: VaultPage,
    Page.ACTIVITY: ActivityPage,
    Page.SETTINGS: SettingsPage,
    Page.TRANSACTIONS: TransactionsPage,
    Page.END_OF_DAY: EndOfDayPage,
}


def _shown(win: MainWindow) -> type:
    stack = win.findChild(QStackedWidget, "pages")
    assert stack is not None
    return type(stack.currentWidget())


def test_navigation_by_mouse(window: MainWindow, qtbot: QtBot) -> None:
    assert _shown(window) is OrdersPage
    for page in (Page.SETTINGS, Page.VAULT, Page.ACTIVITY, Page.ORDERS):
        item = window.nav.item(window.nav_row(page))
        rect = window.nav.visualItemRect(item)
        with qtbot.waitSignal(window.page_changed) as sig:
            qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert sig.args == [int(page)]
        assert _shown(window) is PAGE_TYPES[page]
        assert window.current_page() is page
        assert window.page_actions[page].isChecked()


def test_navigation_by_ctrl_digits(window: MainWindow, qtbot: QtBot) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for key, page in (
        (Qt.Key.Key_4, Page.SETTINGS),
        (Qt.Key.Key_2, Page.VAULT),
        (Qt.Key.Key_3, Page.ACTIVITY),
        (Qt.Key.Key_1, Page.ORDERS),
        (Qt.Key.Key_T, Page.TRANSACTIONS),
        (Qt.Key.Key_D, Page.END_OF_DAY),
    ):
        QTest.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert _shown(window) is PAGE_TYPES[page], key
        assert window.nav.currentRow() == window.nav_row(page)


def test_navigation_by_arrow_keys(window: MainWindow, qtbot: QtBot) -> None:
    window.nav.setFocus()
    qtbot.waitUntil(window.nav.hasFocus)
    QTest.keyClick(window.nav, Qt.Key.Key_Down)
    assert _shown(window) is TransactionsPage  # the books next to the orders
    QTest.keyClick(window.nav, Qt.Key.Key_Down)
    assert _shown(window) is EndOfDayPage
    QTest.keyClick(window.nav, Qt.Key.Key_Down)
    QTest.keyClick(window.nav, Qt.Key.Key_Down)
    assert _shown(window) is ActivityPage


def test_menus_have_mnemonics_and_shortcuts(window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Go", "&Help"]
    shortcuts = [window.page_actions[p].shortcut().toString() for p in Page]
    assert shortcuts == ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+T", "Ctrl+D"]


@pytest.mark.parametrize(
    ("env", "badge", "strip"),
    [
        (Environment.PRODUCTION, "PRODUCTION — real money", True),
        (Environment.TEST, "IOTPay test", False),
        (Environment.SANDBOX, "Sandbox", False),
    ],
)
def test_status_bar_environment(
    window: MainWindow, env: Environment, badge: str, strip: bool
) -> None:
    window.set_profile(_profile(env, "Demo Café"))
    assert window.profile_label.text() == "Profile: Demo Café"
    assert window.environment_badge.text() == badge
    assert window.environment_badge.isVisible()
    assert window.production_strip.isVisible() is strip
    assert ("PRODUCTION" in window.windowTitle()) is strip
    style = window.environment_badge.styleSheet()
    assert ("#b3001b" in style) is (env is Environment.PRODUCTION)


def test_status_bar_without_profile(window: MainWindow) -> None:
    window.set_profile(None)
    assert window.profile_label.text() == "No profile"
    assert not window.production_strip.isVisible()
    # Said once, not "No profile  No profile".
    shown = [
        w.text() for w in window.statusBar().findChildren(QLabel) if w.isVisible() and w.text()
    ]
    assert shown.count("No profile") == 1, shown
    window.set_profile(_profile(Environment.TEST, "Demo Café"))
    assert window.environment_badge.isVisible()


def test_the_title_names_the_program_once(window: MainWindow, qapp: QApplication) -> None:
    before = qapp.applicationDisplayName()
    qapp.setApplicationDisplayName("IOTPay Desk")
    try:
        window.set_profile(_profile(Environment.SANDBOX, "Front desk"))
        assert window.windowTitle() == "Front desk — IOTPay Desk"
        window.set_profile(_profile(Environment.PRODUCTION, "Demo Café"))
        assert window.windowTitle() == "Demo Café — PRODUCTION — IOTPay Desk"
        window.set_profile(None)
        assert window.windowTitle() == "IOTPay Desk"
        # Qt appends the display name to a title that does not end with it (X11, Windows):
        # every title ends with it, so the name is never shown twice.
        for profile in (None, _profile(Environment.TEST, "Counter")):
            window.set_profile(profile)
            assert window.windowTitle().endswith(qapp.applicationDisplayName())
            assert window.windowTitle().count("IOTPay Desk") == 1
    finally:
        qapp.setApplicationDisplayName(before)


def test_connection_states(window: MainWindow) -> None:
    texts = {}
    for state in ConnectionState:
        window.set_connection_state(state)
        texts[state] = window.connection.text()
    assert "Connection not checked" in texts[ConnectionState.UNKNOWN]
    assert "Checking" in texts[ConnectionState.CHECKING]
    assert "Connected to IOTPay" in texts[ConnectionState.CONNECTED]
    assert "Cannot reach IOTPay" in texts[ConnectionState.UNREACHABLE]


def test_connection_check_runs_on_click_and_shows_checking(
    window: MainWindow, qloop: QLoop, qtbot: QtBot
) -> None:
    import asyncio

    answer = asyncio.Event()

    async def check() -> ConnectionState:
        await answer.wait()
        return ConnectionState.UNREACHABLE

    window.set_connection_check(check)

    async def scenario() -> None:
        qtbot.mouseClick(window.connection, Qt.MouseButton.LeftButton)
        await until(lambda: window.connection.state is ConnectionState.CHECKING)
        assert window.busy.isVisible()
        assert not window.connection.isEnabled()
        answer.set()
        await until(lambda: window.connection.state is ConnectionState.UNREACHABLE)

    qloop.run(scenario())
    assert window.connection.isEnabled()
    assert not window.busy.isVisible()


def test_banner_shown_when_no_keychain(window: MainWindow) -> None:
    store = CredentialStore(backend=fail.Keyring())
    status = store.status()
    assert status.state is KeychainState.UNAVAILABLE
    window.set_keychain_status(status)
    assert window.banner.isVisible()
    assert window.banner.title.text() == "No keychain"
    assert window.banner.text.text().startswith("No system keychain was found.")
    assert window.banner.retry_button.isVisible()


class UnlockableKeyring(KeyringBackend):
    """A keychain that is locked until the user unlocks it (as Secret Service does)."""

    priority = 1  # type: ignore[assignment]
    locked = True
    reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("read-only in this test")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("read-only in this test")


def test_banner_retry_hides_it_once_unlocked(qtbot: QtBot, qloop: QLoop) -> None:
    backend = UnlockableKeyring()
    store = CredentialStore(backend=backend)
    win = MainWindow(profile=_profile(Environment.SANDBOX), credentials=store)
    qtbot.addWidget(win)
    win.show()
    win.set_keychain_status(store.status())
    assert win.banner.isVisible()
    assert win.banner.title.text() == "Keychain locked"
    available: list[bool] = []
    win.keychain_available.connect(lambda: available.append(True))

    async def scenario() -> None:
        # Still locked: Retry keeps the banner, and the button comes back.
        reads = backend.reads
        qtbot.mouseClick(win.banner.retry_button, Qt.MouseButton.LeftButton)
        await until(lambda: backend.reads > reads, what="keychain asked again")
        await until(lambda: win.banner.retry_button.isEnabled() and not win.busy.busy)
        assert win.banner.isVisible()
        assert available == []
        backend.locked = False
        qtbot.mouseClick(win.banner.retry_button, Qt.MouseButton.LeftButton)
        await until(lambda: not win.banner.isVisible(), what="banner hidden")

    qloop.run(scenario())
    assert win.banner.retry_button.isEnabled()
    assert available == [True]  # the desk connects the profile now


def test_banner_hidden_with_a_working_keychain(window: MainWindow) -> None:
    window.set_keychain_status(CredentialStore(backend=MemoryKeyring()).status())
    assert not window.banner.isVisible()


def test_window_size_follows_the_font(window: MainWindow) -> None:
    fm = window.fontMetrics()
    assert window.width() >= fm.averageCharWidth() * 100
    assert window.height() >= fm.height() * 30


def test_closed_signal(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.closed):
        window.close()


# -- the window remembers its place ---------------------------------------------------------


def test_size_position_and_maximised_state_are_remembered(qtbot: QtBot, tmp_path) -> None:
    settings = Settings(tmp_path)
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    # Within the offscreen screen (800×600): Qt keeps a restored window on its screen.
    first.resize(first.minimumSizeHint().expandedTo(QSize(640, 430)))
    first.move(61, 47)
    size, pos = first.size(), first.pos()
    first.close()
    assert (tmp_path / "window.ini").is_file()

    second = MainWindow(settings=Settings(tmp_path))
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.size() == size
    # The window is wider than the offscreen screen's 800 px, so Qt slides it left onto
    # the screen; the height position is kept as it was.
    assert second.pos().y() == pos.y()
    assert not second.isMaximized()
    second.showMaximized()
    qtbot.waitUntil(second.isMaximized)
    second.close()

    third = MainWindow(settings=Settings(tmp_path))
    qtbot.addWidget(third)
    third.show()
    qtbot.waitUntil(third.isMaximized)
    third.showNormal()
    qtbot.waitUntil(lambda: not third.isMaximized())
    assert third.size() == size  # un-maximising gives back the remembered size


# -- help --------------------------------------------------------------------------------------


def test_help_menu_has_the_guide_the_test_cards_and_the_version(
    window: MainWindow, qtbot: QtBot
) -> None:
    import importlib.metadata

    help_menu = window.menuBar().actions()[-1].menu()
    items = [a.text() for a in help_menu.actions() if not a.isSeparator()]
    assert items == ["&User guide", "Sandbox &test cards", "&About IOTPay Desk"]
    assert window.guide_action.shortcut().toString() == "F1"

    window.about_action.trigger()
    about = window.about_dialog
    assert about is not None
    assert about.isVisible()
    version = importlib.metadata.version("iotpay-desk")
    assert about.version_label.text() == version
    about.close()

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(window, Qt.Key.Key_F1)
    guide = window.help_dialog
    assert guide is not None
    qtbot.waitUntil(guide.isVisible)
    text = guide.browser.toPlainText()
    assert "IOTPay Desk — user guide" in text
    assert "Refunds and voids" in text
    assert "Ctrl+F" in text

    window.cards_action.trigger()
    cards = window.cards_dialog
    assert cards is not None
    assert cards.isVisible()
    table = cards.browser.toPlainText()
    assert "4000000000000077" in table
    assert "SANDBOX_DEMO_KEY_not_secret_0001" in table


def test_the_guide_comes_in_french(qtbot: QtBot, tmp_path) -> None:
    from iotpay_desk.gui.i18n import install_translators

    translators = install_translators("fr")
    try:
        win = MainWindow(settings=Settings(tmp_path))
        qtbot.addWidget(win)
        win.show()
        win.show_user_guide()
        assert win.help_dialog is not None
        text = win.help_dialog.browser.toPlainText()
    finally:
        translators.remove()
    assert "guide d’utilisation" in text
    assert "Remboursements et annulations" in text


def test_the_bundle_carries_the_guides() -> None:
    """pyinstaller.spec bundles resources/ whole: the guides are found beside the program."""
    from pathlib import Path

    from iotpay_desk.gui.help import guide_path

    root = Path(__file__).resolve().parents[2]
    spec = (root / "pyinstaller.spec").read_text("utf-8")
    assert 'datas.append((str(ROOT / "resources"), "resources"))' in spec
    for lang in ("en", "fr"):
        path = guide_path(lang)
        assert path == root / "resources" / "help" / f"guide_{lang}.html"
        assert path.is_file()


def test_the_test_cards_are_the_readme_table(window: MainWindow) -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    rows = re.findall(r"^\| `(\d{16})` \| (\w+) \| ([^|]+)\|$", readme, re.MULTILINE)
    assert len(rows) == 4
    window.show_test_cards()
    assert window.cards_dialog is not None
    text = window.cards_dialog.browser.toPlainText()
    for number, brand, result in rows:
        # One table row: the number, then the brand and the result cells.
        cells = text.split(number, 1)[1].split("\n")[1:3]
        assert cells[0] == brand
        assert cells[1].startswith(result.strip().split(" (")[0].split(":")[0]), cells


# -- the keychain banner says what is true -------------------------------------------------


def test_banner_in_a_sandbox_session_on_the_demo_key(window: MainWindow) -> None:
    status = CredentialStore(backend=fail.Keyring()).status()
    window.set_keychain_status(status, demo_key=True)
    text = window.banner.text.text()
    assert window.banner.isVisible()
    assert "cannot talk to IOTPay" not in text
    assert "The sandbox works" in text
    assert "held in memory only" in text
    assert "cannot be saved" in text
    # Retry keeps saying it while the keychain is still missing.
    window.set_keychain_status(status)
    assert "The sandbox works" in window.banner.text.text()
    # Another profile, no demo key: nothing can be sent, and the banner says so.
    window.set_keychain_status(status, demo_key=False)
    assert "cannot talk to IOTPay" in window.banner.text.text()


def test_a_wrapped_banner_never_squeezes_the_page_below_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    # The payment box is on screen (a payment was looked up), then the banner's long,
    # wrapped text appears: the window grows, the page keeps the height it needs.
    for label in window.orders.values.values():
        label.setText("PC20250314101502123456789012")
    window.orders.advice.setText("Settled: refund all or part of what is left.")
    window.orders.payment_box.setVisible(True)
    status = CredentialStore(backend=fail.Keyring()).status()
    window.set_keychain_status(status, demo_key=True)
    qtbot.waitUntil(
        lambda: window.banner.height() >= window.banner.minimumSizeHint().height(), timeout=2000
    )
    QApplication.processEvents()
    QApplication.processEvents()
    assert window.banner.text.height() >= window.banner.text.heightForWidth(
        window.banner.text.width()
    )
    # The banner claims the height its wrapped text needs, so the window's layout (which
    # asks for a banner's height at its widest) grows the window instead of the page.
    banner_layout = window.banner.layout()
    assert banner_layout is not None
    need = banner_layout.totalHeightForWidth(window.banner.width())
    assert window.banner.minimumHeight() >= need
    assert window.minimumSizeHint().height() >= (window.stack.minimumSizeHint().height() + need)
    assert window.stack.height() >= window.stack.minimumSizeHint().height()
    value = window.orders.values["pay_order_id"]
    assert value.height() >= value.sizeHint().height()


def test_banner_for_a_cancelled_keychain_prompt(window: MainWindow) -> None:
    from iotpay_desk.core.credentials import MSG_CANCELLED, KeychainStatus

    window.set_keychain_status(KeychainStatus(KeychainState.CANCELLED, MSG_CANCELLED))
    assert window.banner.title.text() == "Keychain prompt cancelled"
    assert window.banner.text.text().startswith("The keychain prompt was cancelled")
    assert "running" not in window.banner.text.text()
    assert window.banner.retry_button.isVisible()


# -- quitting with money in flight -------------------------------------------------------------


def test_quitting_with_a_refund_in_flight_asks_and_leaves_it_pending(
    qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path
) -> None:
    """A refund held by the sandbox (latency fault): closing the window asks; Keep working
    keeps it open; Quit anyway quits, and the refund is in the journal, unresolved, for the
    next start's check."""
    import asyncio

    import httpx

    from iotpay_desk.api import IotPayClient
    from iotpay_desk.app import _cancel_other_tasks
    from iotpay_desk.journal import ActionKind
    from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec
    from iotpay_desk.services import MoneyService
    from tests.services.conftest import pay

    QLocale.setDefault(QLocale("en_CA"))
    http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0), trust_env=False)
    client = IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http)
    journal = open_sqlite_ledger(tmp_path / "journal.sqlite3")
    service = MoneyService(client, journal, operator="jack", clock=sandbox.clock.local_now)
    profile = Profile.new(
        "Sandbox",
        Environment.SANDBOX,
        DEMO_MERCHANT.mch_id,
        operators=["jack"],
        custom_url=sandbox.url,
    )
    win = MainWindow(profile=profile, settings=Settings(tmp_path / "config"))
    qtbot.addWidget(win)
    win.show()
    closed: list[bool] = []
    win.closed.connect(lambda: closed.append(True))

    async def scenario() -> asyncio.Future[object]:
        win.set_money_service(service)
        payment = await pay(client, 5000)
        sandbox.settle()
        sandbox.set_faults([FaultSpec("latency", endpoint="cc_refund", latency_ms=60_000)])
        draft = await service.new_draft(ActionKind.REFUND, payment.pay_order_id)
        refund = asyncio.ensure_future(
            service.refund(payment.pay_order_id, 1250, "damaged", draft_id=draft.id)
        )
        await until(lambda: service.busy, what="refund sent")
        await until(lambda: journal.open_actions(), what="refund journalled")

        win.close()
        await until(lambda: message_boxes(win), what="the quit question")
        (box,) = message_boxes(win)
        assert "A refund of $12.50 is still waiting for IOTPay's answer." in box.text()
        assert "Quit anyway?" in box.text()
        assert "at the next start" in box.informativeText()
        qtbot.mouseClick(win.keep_button, Qt.MouseButton.LeftButton)
        await until(lambda: not message_boxes(win), what="question answered")
        assert win.isVisible()
        assert closed == []

        # Settings ▸ Restart now asks the same; Keep working takes the restart back.
        win.restart()
        await until(lambda: message_boxes(win), what="the quit question again")
        qtbot.mouseClick(win.keep_button, Qt.MouseButton.LeftButton)
        await until(lambda: not message_boxes(win), what="question answered again")
        assert win.isVisible()
        assert not win.restart_wanted

        win.restart()
        await until(lambda: message_boxes(win), what="the quit question a third time")
        qtbot.mouseClick(win.quit_button, Qt.MouseButton.LeftButton)
        await until(lambda: bool(closed), what="window closed")
        assert not win.isVisible()
        assert win.restart_wanted  # the desk starts again once it has closed
        return refund

    try:
        refund = qloop.run(scenario(), timeout=40)
        # What the desk does once its window closed: work still running is cancelled.
        qloop.loop.run_until_complete(_cancel_other_tasks(grace=0.2))
        assert refund.done()
        (left,) = qloop.run(service.open_actions())
        assert left.kind is ActionKind.REFUND
        assert left.amount_cents == 1250
        assert left.state.is_open  # unresolved: checked with IOTPay at the next start
    finally:
        sandbox.clear_faults()
        win.set_money_service(None)
        qloop.run(http.aclose())
        journal.close()
    assert (tmp_path / "config" / "window.ini").is_file()


def test_quitting_while_a_payment_link_is_followed_asks_first(
    qtbot: QtBot, qloop: QLoop, sandbox: SandboxServer, tmp_path
) -> None:
    import httpx

    from iotpay_desk.api import IotPayClient
    from iotpay_desk.gui.purchase_dialog import PurchaseDialog
    from iotpay_desk.journal import ActionKind
    from iotpay_desk.sandbox import DEMO_MERCHANT
    from iotpay_desk.services import MoneyService

    QLocale.setDefault(QLocale("en_CA"))
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0), trust_env=False)
    client = IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http)
    journal = open_sqlite_ledger(tmp_path / "journal.sqlite3")
    service = MoneyService(client, journal, operator="jack", clock=sandbox.clock.local_now)
    win = MainWindow(profile=_profile(Environment.SANDBOX), settings=Settings(tmp_path / "c"))
    qtbot.addWidget(win)
    win.show()
    closed: list[bool] = []
    win.closed.connect(lambda: closed.append(True))
    dialog = PurchaseDialog(service, follow_attempts=1000, follow_interval=0.2, parent=win)

    async def scenario() -> None:
        win.set_money_service(service)
        dialog.open()
        qtbot.keyClicks(dialog.amount, "18.75")
        qtbot.mouseClick(dialog.phone_button, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.session is not None, what="link shown")
        assert not service.busy  # nothing is being sent: the customer has not paid yet
        win.close()
        await until(lambda: message_boxes(win), what="the quit question")
        (box,) = message_boxes(win)
        assert "A payment link for $18.75 is still waiting for the customer to pay." in (box.text())
        qtbot.mouseClick(win.quit_button, Qt.MouseButton.LeftButton)
        await until(lambda: bool(closed), what="window closed")
        (left,) = await service.open_actions()
        assert left.kind is ActionKind.PURCHASE_LINK  # still open: checked at the next start

    try:
        qloop.run(scenario(), timeout=30)
    finally:
        win.set_money_service(None)
        qloop.run(http.aclose())
        journal.close()

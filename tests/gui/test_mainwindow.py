"""The main window: navigation by mouse and keyboard, status bar, keychain banner."""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStackedWidget
from pytestqt.qtbot import QtBot

from iotpay_desk.core.credentials import CredentialStore, KeychainState
from iotpay_desk.core.profiles import Environment, Profile
from iotpay_desk.core.settings import Settings
from iotpay_desk.gui.activity import ActivityPage
from iotpay_desk.gui.mainwindow import MainWindow, Page
from iotpay_desk.gui.orders import OrdersPage
from iotpay_desk.gui.settings_page import SettingsPage
from iotpay_desk.gui.statusbar import ConnectionState
from iotpay_desk.gui.vault import VaultPage
from tests.gui.conftest import QLoop, until
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
}


def _shown(win: MainWindow) -> type:
    stack = win.findChild(QStackedWidget, "pages")
    assert stack is not None
    return type(stack.currentWidget())


def test_navigation_by_mouse(window: MainWindow, qtbot: QtBot) -> None:
    assert _shown(window) is OrdersPage
    for page in (Page.SETTINGS, Page.VAULT, Page.ACTIVITY, Page.ORDERS):
        item = window.nav.item(int(page))
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
    ):
        QTest.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert _shown(window) is PAGE_TYPES[page], key
        assert window.nav.currentRow() == int(page)


def test_navigation_by_arrow_keys(window: MainWindow, qtbot: QtBot) -> None:
    window.nav.setFocus()
    qtbot.waitUntil(window.nav.hasFocus)
    QTest.keyClick(window.nav, Qt.Key.Key_Down)
    QTest.keyClick(window.nav, Qt.Key.Key_Down)
    assert _shown(window) is ActivityPage


def test_menus_have_mnemonics_and_shortcuts(window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Go", "&Help"]
    shortcuts = [window.page_actions[p].shortcut().toString() for p in Page]
    assert shortcuts == ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"]


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
    assert window.environment_badge.text() == "No profile"
    assert not window.production_strip.isVisible()


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

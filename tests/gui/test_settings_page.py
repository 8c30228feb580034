"""The Settings page: one editor per declared setting, saved off the GUI thread."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSpinBox
from pytestqt.qtbot import QtBot

from iotpay_desk.core.settings import ALL_SETTINGS, LANGUAGE, PSEUDO_TRANSLATION, Settings
from iotpay_desk.gui.mainwindow import Page
from iotpay_desk.gui.settings_page import SettingsPage, with_mnemonic
from tests.gui.conftest import QLoop, until


def test_one_editor_per_setting_with_unique_mnemonics(qtbot: QtBot, tmp_path: Path) -> None:
    page = SettingsPage(Settings(tmp_path), developer=True)
    qtbot.addWidget(page)
    assert set(page.editors) == {s.key for s in ALL_SETTINGS}
    texts = [c.text() for c in page.findChildren(QCheckBox)]
    texts += [lbl.text() for lbl in page.findChildren(QLabel) if lbl.buddy() is not None]
    letters = []
    for t in texts:
        i = t.index("&")
        letters.append(t[i + 1].lower())
    assert len(letters) == len(ALL_SETTINGS)
    assert len(set(letters)) == len(letters)
    for lbl in page.findChildren(QLabel):
        if lbl.buddy() is not None:
            assert lbl.buddy() in page.editors.values()


def test_with_mnemonic() -> None:
    used: set[str] = set()
    assert with_mnemonic("Language", used) == "&Language"
    assert with_mnemonic("Log detail", used) == "L&og detail"
    assert with_mnemonic("&Keep", used) == "&Keep"


def test_change_is_saved(qtbot: QtBot, qloop: QLoop, tmp_path: Path) -> None:
    settings = Settings(tmp_path)
    page = SettingsPage(settings, developer=True)
    qtbot.addWidget(page)
    page.show()
    combo = page.editors["language"]
    box = page.editors["pseudo_translation"]
    spin = page.editors["recent_lookups"]
    assert isinstance(combo, QComboBox)
    assert isinstance(box, QCheckBox)
    assert isinstance(spin, QSpinBox)

    async def scenario() -> None:
        with qtbot.waitSignal(page.setting_changed) as sig:
            combo.setCurrentIndex(combo.findData("fr"))
            await until(lambda: sig.signal_triggered)
        assert sig.args == ["language"]
        # On its indicator: the box spans the form, and a click past its text misses it.
        middle = box.height() // 2
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(middle, middle))
        await until(lambda: settings.get(PSEUDO_TRANSLATION) is True)
        spin.setFocus()
        spin.selectAll()
        qtbot.keyClicks(spin, "42")
        qtbot.keyClick(spin, Qt.Key.Key_Return)
        await until(lambda: settings.value("recent_lookups") == 42)
        await until(lambda: spin.isEnabled() and box.isEnabled() and combo.isEnabled())

    qloop.run(scenario())
    saved = json.loads((tmp_path / "settings.json").read_text("utf-8"))
    assert saved["values"] == {"language": "fr", "pseudo_translation": True, "recent_lookups": 42}
    assert Settings(tmp_path).get(LANGUAGE) == "fr"


def test_without_settings(qtbot: QtBot) -> None:
    page = SettingsPage(None)
    qtbot.addWidget(page)
    assert page.editors == {}


def test_log_detail_and_theme_apply_at_once(qtbot: QtBot, tmp_path: Path) -> None:
    import logging

    from PySide6.QtWidgets import QApplication

    from iotpay_desk.app import apply_setting
    from iotpay_desk.core.settings import LOG_LEVEL, THEME

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    from iotpay_desk.gui.theme import apply_theme, is_dark

    root = logging.getLogger()
    before = root.level
    settings = Settings(tmp_path / "config")
    try:
        settings.set(LOG_LEVEL, "DEBUG")
        apply_setting(app, settings, LOG_LEVEL.key)
        assert root.level == logging.DEBUG
        settings.set(LOG_LEVEL, "ERROR")
        apply_setting(app, settings, LOG_LEVEL.key)
        assert root.level == logging.ERROR
        settings.set(THEME, "dark")
        apply_setting(app, settings, THEME.key)
        assert is_dark(app.palette())
    finally:
        root.setLevel(before)
        apply_theme(app, "system")


def test_the_developer_option_is_not_shown_to_merchants(qtbot: QtBot, tmp_path: Path) -> None:
    page = SettingsPage(Settings(tmp_path))
    qtbot.addWidget(page)
    page.show()
    assert "pseudo_translation" not in page.editors
    texts = [w.text() for w in page.findChildren(QCheckBox) + page.findChildren(QLabel)]
    assert not any("Lengthen" in t.replace("&", "") for t in texts)
    # --pseudo shows it; so does a desk where it was left on (so it can be turned off).
    dev = SettingsPage(Settings(tmp_path), developer=True)
    qtbot.addWidget(dev)
    assert "pseudo_translation" in dev.editors
    on = Settings(tmp_path / "on")
    on.set(PSEUDO_TRANSLATION, True)
    left_on = SettingsPage(on)
    qtbot.addWidget(left_on)
    assert "pseudo_translation" in left_on.editors


def test_languages_are_named_in_their_own_language(qtbot: QtBot, tmp_path: Path) -> None:
    from iotpay_desk.gui.i18n import install_translators

    translators = install_translators("fr")
    try:
        page = SettingsPage(Settings(tmp_path))
        qtbot.addWidget(page)
        combo = page.editors["language"]
        assert isinstance(combo, QComboBox)
        names = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}
    finally:
        translators.remove()
    assert names["en"] == "English"
    assert names["fr"] == "Français"
    english = SettingsPage(Settings(tmp_path / "en"))
    qtbot.addWidget(english)
    combo = english.editors["language"]
    assert isinstance(combo, QComboBox)
    assert combo.itemText(combo.findData("fr")) == "Français"


def test_changing_the_language_offers_a_restart(qtbot: QtBot, qloop: QLoop, tmp_path: Path) -> None:
    from iotpay_desk.gui.mainwindow import MainWindow

    settings = Settings(tmp_path)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    page = window.pages[Page.SETTINGS]
    assert isinstance(page, SettingsPage)
    window.show_page(Page.SETTINGS)
    assert not page.restart_notice.isVisible()
    combo = page.editors["language"]
    assert isinstance(combo, QComboBox)

    async def scenario() -> None:
        combo.setCurrentIndex(combo.findData("fr"))
        await until(lambda: page.restart_notice.isVisible(), what="restart offered")
        assert "after a restart" in page.restart_text.text()
        # Back to the language on screen: nothing to restart for.
        combo.setCurrentIndex(combo.findData("system"))
        await until(lambda: not page.restart_notice.isVisible(), what="notice gone")
        combo.setCurrentIndex(combo.findData("fr"))
        await until(lambda: page.restart_notice.isVisible(), what="restart offered again")
        with qtbot.waitSignal(window.closed):
            qtbot.mouseClick(page.restart_button, Qt.MouseButton.LeftButton)

    qloop.run(scenario())
    assert window.restart_wanted  # the desk starts again once this window has closed
    assert Settings(tmp_path).get(LANGUAGE) == "fr"


def test_relaunch_command_drops_the_language_override() -> None:
    from iotpay_desk.app import relaunch_command

    argv = ["/usr/bin/python3", "-m", "iotpay_desk", "--sandbox", "--language", "fr"]
    assert relaunch_command(argv) == ["/usr/bin/python3", "-m", "iotpay_desk", "--sandbox"]
    argv = ["/opt/iotpay-desk/iotpay-desk", "--language=en", "--pseudo"]
    assert relaunch_command(argv) == ["/opt/iotpay-desk/iotpay-desk", "--pseudo"]


def test_desk_name_is_explained_and_bad_names_are_refused_beside_it(
    qtbot: QtBot, qloop: QLoop, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QLineEdit

    from iotpay_desk.core.settings import DESK_NAME, default_desk_name

    settings = Settings(tmp_path)
    page = SettingsPage(settings)
    qtbot.addWidget(page)
    page.show()
    edit = page.editors["desk_name"]
    assert isinstance(edit, QLineEdit)
    assert edit.text() == default_desk_name()  # this computer's name until changed
    labels = [lbl.text() for lbl in page.findChildren(QLabel)]
    assert "&Desk name" in labels
    assert any("shown to other desks sharing the merchant's ledger" in t for t in labels)
    assert any("written in the audit trail" in t for t in labels)
    problem = page.problems["desk_name"]

    def type_name(text: str) -> None:
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    async def scenario() -> None:
        type_name("x" * 41)
        await until(problem.isVisible, what="the rule beside the field")
        assert (
            problem.text() == "Desk name: must be at most 40 characters. Correct it and try again."
        )
        assert edit.text() == "x" * 41  # what was typed stays
        await until(edit.isEnabled)
        type_name("   ")
        await until(lambda: "must not be blank" in problem.text(), what="blank refused")
        await until(edit.isEnabled)
        with qtbot.waitSignal(page.setting_changed) as sig:
            type_name("  Front counter 2 ")
            await until(lambda: sig.signal_triggered)
        assert sig.args == ["desk_name"]
        await until(lambda: not problem.isVisible(), what="the rule gone")

    qloop.run(scenario())
    assert Settings(tmp_path).get(DESK_NAME) == "Front counter 2"


def test_the_card_pages_idle_release_is_a_number_of_minutes_applied_at_once(
    qtbot: QtBot, qloop: QLoop, tmp_path: Path
) -> None:
    from iotpay_desk.core.settings import CARD_PAGE_RELEASE_MINUTES
    from iotpay_desk.gui import webpage
    from iotpay_desk.gui.mainwindow import MainWindow

    settings = Settings(tmp_path)
    settings.set(CARD_PAGE_RELEASE_MINUTES, 2)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    try:
        assert webpage._release_after_ms == 2 * 60_000  # applied as the window starts
        page = window.pages[Page.SETTINGS]
        assert isinstance(page, SettingsPage)
        spin = page.editors[CARD_PAGE_RELEASE_MINUTES.key]
        assert isinstance(spin, QSpinBox)
        assert (spin.minimum(), spin.maximum(), spin.value()) == (0, 1440, 2)

        async def scenario() -> None:
            spin.setValue(0)
            spin.editingFinished.emit()
            await until(lambda: settings.get(CARD_PAGE_RELEASE_MINUTES) == 0)
            await until(lambda: webpage._release_after_ms == 0)

        qloop.run(scenario())
        assert spin.text() == "Never (keep ready)"
    finally:
        webpage.set_idle_release(webpage.DEFAULT_IDLE_RELEASE_MS)

"""The Settings page: one editor per declared setting, saved off the GUI thread."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSpinBox
from pytestqt.qtbot import QtBot

from iotpay_desk.core.settings import ALL_SETTINGS, LANGUAGE, PSEUDO_TRANSLATION, Settings
from iotpay_desk.gui.settings_page import SettingsPage, with_mnemonic
from tests.gui.conftest import QLoop, until


def test_one_editor_per_setting_with_unique_mnemonics(qtbot: QtBot, tmp_path: Path) -> None:
    page = SettingsPage(Settings(tmp_path))
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
    page = SettingsPage(settings)
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
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
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

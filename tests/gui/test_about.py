"""Help ▸ About and ``iotpay-desk --version``: the version, the build, Qt and Python, and
where the data and logs are (folders opened from the dialog)."""

from __future__ import annotations

import importlib.metadata
import json
import platform
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iotpay_desk.core import about as core_about
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.gui.about import AboutDialog, desk_about

VERSION = importlib.metadata.version("iotpay-desk")
ROOT = Path(__file__).resolve().parents[2]


def test_about_names_the_version_the_libraries_and_the_folders(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = AppPaths.under(tmp_path / "desk")
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    dialog = AboutDialog(desk_about(paths))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.version_label.text() == VERSION
    assert dialog.build_label.text() == "run from sources"  # not a frozen build
    assert qVersion() in dialog.qt_label.text()
    assert dialog.python_label.text() == platform.python_version()
    assert dialog.data_label.text() == str(paths.data_dir)
    assert dialog.log_label.text() == str(paths.log_dir)

    dialog.open_data.click()
    dialog.open_logs.click()
    assert [u.toLocalFile() for u in opened] == [str(paths.data_dir), str(paths.log_dir)]
    assert paths.data_dir.is_dir()
    assert paths.log_dir.is_dir()

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0] == f"IOTPay Desk {VERSION}"
    assert f"Data: {paths.data_dir}" in copied
    assert f"Logs: {paths.log_dir}" in copied


def test_a_frozen_build_reads_its_build_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / core_about.BUILD_FILE).write_text(
        json.dumps(
            {"version": "9.8.7", "commit": "abc123def456", "built_at": "2026-11-30T14:05:00Z"}
        )
    )
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    info = core_about.build_info()
    assert info == core_about.BuildInfo("9.8.7", "abc123def456", "2026-11-30T14:05:00Z", True)
    dialog = AboutDialog(desk_about(AppPaths.under(tmp_path)))
    qtbot.addWidget(dialog)
    assert dialog.version_label.text() == "9.8.7"
    assert dialog.commit_label.text() == "abc123def456"
    assert dialog.build_label.text().endswith("14:05 UTC")
    assert "2026" in dialog.build_label.text()


def test_a_frozen_build_without_its_file_still_says_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert core_about.build_info() == core_about.BuildInfo(VERSION, "", "", True)


def test_the_help_menu_opens_about_and_escape_closes_it(qtbot: QtBot, qapp: QApplication) -> None:
    from iotpay_desk.gui.mainwindow import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.about_action.trigger()
    dialog = window.about_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClick(dialog, "\x1b")  # Escape
    qtbot.waitUntil(lambda: not dialog.isVisible())


@pytest.mark.parametrize("args", [["--version"], ["-V"], ["--sandbox", "--version"]])
def test_version_on_the_command_line(args: list[str], tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(
        [sys.executable, "-m", "iotpay_desk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"IOTPay Desk {VERSION}"
    assert lines[1].startswith("Build: run from sources, commit ")
    assert lines[2] == (
        f"Qt {qVersion()} (PySide6 {PySide6.__version__}), Python {platform.python_version()}"
    )
    assert lines[3] == f"Data: {tmp_path / 'data' / 'iotpay-desk'}"
    assert lines[4].startswith(f"Logs: {tmp_path / 'state' / 'iotpay-desk'}")
    assert not list(tmp_path.rglob("*.log"))  # printing the version starts nothing


def test_the_desk_has_its_icon(qapp: QApplication) -> None:
    from iotpay_desk.gui.about import desk_icon

    icon = desk_icon()
    assert not icon.isNull()
    assert not icon.pixmap(48, 48).isNull()

"""The screenshot script renders real PNGs offscreen, per scale in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshots.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_lists_the_screens() -> None:
    proc = _run("--list")
    assert proc.returncode == 0, proc.stderr
    names = proc.stdout.split()
    assert {"main-orders", "main-settings", "main-keychain", "message-internal-error"} <= set(names)


def test_renders_at_two_scales(tmp_path: Path) -> None:
    proc = _run(
        "--all",
        "--out",
        str(tmp_path),
        "--only",
        "main-orders",
        "message-user-error",
        "--langs",
        "en",
        "--themes",
        "dark",
    )
    assert proc.returncode == 0, proc.stderr
    small = QImage(str(tmp_path / "main-orders-dark-en-100.png"))
    large = QImage(str(tmp_path / "main-orders-dark-en-150.png"))
    assert not small.isNull()
    assert not large.isNull()
    assert abs(large.width() / small.width() - 1.5) < 0.1
    # Dark palette: the window background is dark.
    assert small.pixelColor(small.width() // 2, small.height() // 2).lightness() < 100
    assert (tmp_path / "message-user-error-dark-en-150.png").exists()


def test_no_screen_shares_an_alt_letter_in_english_or_french() -> None:
    proc = _run("--check-mnemonics", "--langs", "en", "fr")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 mnemonic clash(es)" in proc.stdout


def test_the_mnemonic_check_covers_menus_and_the_banner(qtbot, tmp_path: Path) -> None:
    """Menu bar titles count with the window's buttons (Alt+H opened Help and pressed
    Charge), items count within their menu, and the banner's Retry counts with every page."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QPushButton

    from iotpay_desk.core.credentials import MSG_LOCKED, KeychainState, KeychainStatus
    from iotpay_desk.core.settings import Settings
    from iotpay_desk.gui.mainwindow import MainWindow

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from screenshots import mnemonic_conflicts
    finally:
        sys.path.remove(str(ROOT / "scripts"))

    win = MainWindow(settings=Settings(tmp_path))
    qtbot.addWidget(win)
    win.show()
    win.set_keychain_status(KeychainStatus(KeychainState.LOCKED, MSG_LOCKED))
    assert mnemonic_conflicts(win) == []  # the desk's own window, banner shown

    page = win.orders
    button = QPushButton("C&harge…", page)
    button.show()
    again = QPushButton("&Try again", page)
    again.show()
    file_menu = win.menuBar().actions()[0].menu()
    file_menu.addAction(QAction("&Print", win))  # File already has &Profiles…
    found = mnemonic_conflicts(win)
    assert "Alt+h: '&Help' and 'C&harge…'" in found
    assert "Alt+t: 'Re&try' and '&Try again'" in found
    assert "menu File: Alt+p: '&Profiles…' and '&Print'" in found

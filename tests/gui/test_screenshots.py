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

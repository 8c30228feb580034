"""The installer definitions kept beside the spec: the Windows NSIS script compiles with
Debian's makensis (warnings are errors) against a stand-in of the PyInstaller folder; the
Debian package's own pieces (desktop entry, icon, Depends list) are well formed. The
package itself is built, installed, upgraded and removed by ``scripts/check_deb.py`` in CI."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NSI = ROOT / "packaging" / "windows" / "iotpay-desk.nsi"
sys.path.insert(0, str(ROOT / "scripts"))


def _makensis(tmp_path: Path, *defines: str) -> subprocess.CompletedProcess[str]:
    makensis = shutil.which("makensis")
    if makensis is None:
        pytest.skip("makensis is not installed (.ci/run installs Debian's nsis)")
    return subprocess.run(
        [makensis, "-V2", "-WX", *defines, str(NSI)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )


def test_the_windows_installer_script_compiles_against_a_stand_in_payload(
    tmp_path: Path,
) -> None:
    payload = tmp_path / "iotpay-desk"
    (payload / "_internal" / "resources").mkdir(parents=True)
    (payload / "iotpay-desk.exe").write_bytes(b"MZ stand-in")
    (payload / "_internal" / "base_library.zip").write_bytes(b"PK" + bytes(4096))
    (payload / "_internal" / "resources" / "guide_fr.html").write_text("é", "utf-8")
    out = tmp_path / "iotpay-desk-0.1.0-setup.exe"
    done = _makensis(tmp_path, "-DVERSION=0.1.0", f"-DPAYLOAD={payload}", f"-DOUTFILE={out}")
    assert done.returncode == 0, done.stdout + done.stderr
    data = out.read_bytes()
    assert data[:2] == b"MZ"  # a Windows program
    assert b"Nullsoft" in data


def test_the_installer_compiles_with_the_icons_drawn_for_windows(tmp_path: Path) -> None:
    import make_icons

    assert make_icons.main([str(tmp_path / "icons")]) == 0
    ico = (tmp_path / "icons" / "iotpay-desk.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert (tmp_path / "icons" / "iotpay-desk.icns").read_bytes()[:4] == b"icns"
    payload = tmp_path / "iotpay-desk"
    (payload / "_internal").mkdir(parents=True)
    (payload / "iotpay-desk.exe").write_bytes(b"MZ stand-in")
    out = tmp_path / "iotpay-desk-0.1.0-setup.exe"
    done = _makensis(
        tmp_path,
        "-DVERSION=0.1.0",
        f"-DPAYLOAD={payload}",
        f"-DOUTFILE={out}",
        f"-DICON={tmp_path / 'icons' / 'iotpay-desk.ico'}",
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_windows_installer_script_says_what_it_needs(tmp_path: Path) -> None:
    done = _makensis(tmp_path, "-DVERSION=0.1.0")
    assert done.returncode != 0
    assert "PAYLOAD is needed" in done.stdout + done.stderr


def test_the_desktop_entry_starts_the_desk_from_the_menu() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(ROOT / "packaging" / "linux" / "iotpay-desk.desktop", encoding="utf-8")
    desk = entry["Desktop Entry"]
    assert desk["Type"] == "Application"
    assert desk["Exec"] == "iotpay-desk"
    assert desk["Icon"] == "iotpay-desk"
    assert desk["Terminal"] == "false"
    assert desk["Name[fr]"]
    assert desk["Comment[fr]"]


def test_the_package_depends_on_what_ci_installs() -> None:
    import build_deb

    names = build_deb.depends()
    assert "libgl1" in names
    assert "libnss3" in names  # QtWebEngine's Chromium
    assert all(" " not in n and "#" not in n for n in names)
    assert len(names) == len(set(names))
    run = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "packaging/linux/qt-packages.txt" in run  # one list for both


def test_the_icon_renders_at_every_size(tmp_path: Path) -> None:
    import build_deb

    build_deb.render_icons(tmp_path)
    from PySide6.QtGui import QImage

    for size in build_deb.ICON_SIZES:
        image = QImage(
            str(tmp_path / f"usr/share/icons/hicolor/{size}x{size}/apps/iotpay-desk.png")
        )
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # drawn, not empty

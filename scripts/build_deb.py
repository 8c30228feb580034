#!/usr/bin/env python3
"""Make the Debian package of the desk from the frozen bundle (``dist/iotpay-desk/``).

    python3 scripts/dev.py deb [--version 0.1.1] [--skip-bundle]
    uv run python scripts/build_deb.py [--bundle DIR] [--version V] [--out DIR]

What the package holds (``dpkg-deb``, nothing else needed):

- the bundle under ``/opt/iotpay-desk/``, and ``/usr/bin/iotpay-desk`` that starts it;
- a desktop entry and the icon in several sizes (drawn from ``resources/icons``), so the
  desk is in the applications menu;
- ``Depends:`` on the system libraries the bundle needs (``packaging/linux/
  qt-packages.txt``, the list ``.ci/run`` installs);
- its copyright and changelog, md5sums, and a ``postrm`` that says on purge where each
  user's data stays (nothing in ``/opt``: profiles, ledger, settings and logs live in the
  user's own folders, so an upgrade or a removal never touches them).

The version is the project's (``pyproject.toml``) unless ``--version`` says otherwise
(the upgrade check installs a second, higher one over the first).
"""

# ruff: noqa: S103, S603, S607 - a package's modes are 0755/0644; runs dpkg-deb/dpkg/patchelf

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from build_bundle import project_version  # the scripts' folder comes first on sys.path

ROOT = Path(__file__).resolve().parent.parent
NAME = "iotpay-desk"
PACKAGING = ROOT / "packaging" / "linux"
ICON_SVG = ROOT / "resources" / "icons" / "iotpay-desk.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: Beyond Qt's libraries: the C library the PySide6 wheels are built for (manylinux_2_28),
#: and sensible-pager, which the bundled util-linux libraries may call.
BASE_DEPENDS = ["libc6 (>= 2.28)", "sensible-utils"]
MAINTAINER = "IOTPay Desk maintainers <desk@iotpay.ca>"


def say(msg: str) -> None:
    print(f"[deb] {msg}", flush=True)


def depends() -> list[str]:
    """The packages of ``qt-packages.txt`` (comments and blank lines left out)."""
    names: list[str] = []
    for line in (PACKAGING / "qt-packages.txt").read_text("utf-8").splitlines():
        names += line.split("#", 1)[0].split()
    return names


def architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def render_icon(size: int) -> Any:
    """The SVG icon drawn at ``size`` × ``size`` pixels (a QImage)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        _APP.append(QGuiApplication([]))
    renderer = QSvgRenderer(str(ICON_SVG))
    if not renderer.isValid():
        raise SystemExit(f"{ICON_SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


_APP: list[Any] = []  # the QGuiApplication render_icon made, kept for the process


def render_icons(target: Path) -> None:
    """The SVG icon, and PNGs of it at :data:`ICON_SIZES`, into the hicolor theme."""
    icons = target / "usr" / "share" / "icons" / "hicolor"
    scalable = icons / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copyfile(ICON_SVG, scalable / f"{NAME}.svg")
    for size in ICON_SIZES:
        folder = icons / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True)
        if not render_icon(size).save(str(folder / f"{NAME}.png")):  # PNG, from the suffix
            raise SystemExit(f"could not write the {size} px icon")


def _is_library(name: str) -> bool:
    return name.endswith(".so") or ".so." in name


def _is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def _elf_files(target: Path) -> list[Path]:
    """The shared libraries and programs under ``target`` (ELF files, links left out)."""
    return [
        p
        for p in sorted(target.rglob("*"))
        if p.is_file()
        and not p.is_symlink()
        and (_is_library(p.name) or os.access(p, os.X_OK))
        and _is_elf(p)
    ]


def _drop_foreign_runpaths(elves: list[Path]) -> int:
    """Remove RUNPATHs that name the build machine's folders (a Python built with pyenv
    bakes ``/root/.pyenv/.../lib`` into its libraries): the installed program would look
    there first. Those relative to the library (``$ORIGIN``) stay. How many were removed."""
    patchelf = shutil.which("patchelf")
    if patchelf is None:
        raise SystemExit("patchelf is needed (apt-get install patchelf)")
    removed = 0
    for path in elves:
        found = subprocess.run(
            [patchelf, "--print-rpath", str(path)], capture_output=True, text=True, check=False
        )
        paths = [p for p in found.stdout.strip().split(":") if p]
        if found.returncode == 0 and any(not p.startswith("$ORIGIN") for p in paths):
            kept = [p for p in paths if p.startswith("$ORIGIN")]
            if kept:
                cmd = [patchelf, "--set-rpath", ":".join(kept), str(path)]
            else:
                cmd = [patchelf, "--remove-rpath", str(path)]
            subprocess.run(cmd, check=True)
            removed += 1
    return removed


def _copy_bundle(bundle: Path, target: Path) -> None:
    """The bundle with Debian's modes: 0755 for folders and programs, 0644 for the rest
    (shared libraries too); no RUNPATH naming the build machine."""
    shutil.copytree(bundle, target, symlinks=True)
    for folder, _dirs, files in os.walk(target):
        os.chmod(folder, 0o755)
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                continue
            program = path.stat().st_mode & stat.S_IXUSR and not _is_library(name)
            path.chmod(0o755 if program else 0o644)
    elves = _elf_files(target)
    removed = _drop_foreign_runpaths(elves)
    say(f"RUNPATH naming the build machine removed from {removed} libraries")
    stripped = _strip_libraries([p for p in elves if _is_library(p.name)])
    say(f"symbols not needed to load them stripped from {stripped} libraries")


def _strip_libraries(elves: list[Path]) -> int:
    """``strip --strip-unneeded`` on the shared libraries that still carry symbol tables
    or debug sections (Python's own extension modules, a few wheels'): what the dynamic
    linker uses stays. The program itself is left as it is (its archive follows it)."""
    strip = shutil.which("strip")
    if strip is None:
        raise SystemExit("strip is needed (apt-get install binutils)")
    libraries = [str(p) for p in elves]
    before = {path: Path(path).stat().st_size for path in libraries}
    for start in range(0, len(libraries), 200):
        subprocess.run([strip, "--strip-unneeded", *libraries[start : start + 200]], check=True)
    return sum(1 for path in libraries if Path(path).stat().st_size != before[path])


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    path.chmod(mode)


def _gzip(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as z:
        z.write(data)
    path.chmod(0o644)


def stage(bundle: Path, root: Path, version: str, arch: str) -> None:
    _copy_bundle(bundle, root / "opt" / NAME)
    _write(
        root / "usr" / "bin" / NAME,
        f'#!/bin/sh\nexec /opt/{NAME}/{NAME} "$@"\n',
        0o755,
    )
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copyfile(PACKAGING / f"{NAME}.desktop", apps / f"{NAME}.desktop")
    (apps / f"{NAME}.desktop").chmod(0o644)
    render_icons(root)
    doc = root / "usr" / "share" / "doc" / NAME
    doc.mkdir(parents=True)
    shutil.copyfile(PACKAGING / "copyright", doc / "copyright")
    (doc / "copyright").chmod(0o644)
    overrides = root / "usr" / "share" / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    shutil.copyfile(PACKAGING / "lintian-overrides", overrides / NAME)
    (overrides / NAME).chmod(0o644)
    when = format_datetime(datetime.now(UTC).replace(microsecond=0))
    changelog = (
        f"{NAME} ({version}) stable; urgency=medium\n\n"
        f"  * Release {version}: see the desk's README for what it does.\n\n"
        f" -- {MAINTAINER}  {when}\n"
    )
    _gzip(doc / "changelog.gz", changelog.encode("utf-8"))
    for folder, _dirs, _files in os.walk(root / "usr"):
        os.chmod(folder, 0o755)
    os.chmod(root / "opt", 0o755)

    control = root / "DEBIAN"
    control.mkdir(mode=0o755)
    size_kib = sum((p.lstat().st_size + 1023) // 1024 for p in root.rglob("*") if not p.is_dir())
    description = (
        "back office for IOTPay card payments (Credit Card API V3)\n"
        " Look up any order, refund it in full or in part or void it, keep customers'\n"
        " cards entered on IOTPay's own page, charge a card on file, send a purchase\n"
        " link, print receipts, and keep the merchant's books: transactions, exports,\n"
        " end of day and bank deposits, on a ledger shared between desks."
    )
    _write(
        control / "control",
        f"Package: {NAME}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {size_kib}\n"
        f"Depends: {', '.join(BASE_DEPENDS + depends())}\n"
        "Section: misc\n"
        "Priority: optional\n"
        f"Description: {description}\n",
    )
    shutil.copyfile(PACKAGING / "postrm", control / "postrm")
    (control / "postrm").chmod(0o755)
    sums = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(root)
        if rel.parts[0] == "DEBIAN":
            continue
        sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {rel.as_posix()}\n")  # noqa: S324 - dpkg's format
    _write(control / "md5sums", "".join(sums))


def build(bundle: Path, out: Path, version: str) -> Path:
    exe = bundle / NAME
    if not exe.is_file():
        raise SystemExit(f"{exe} is missing: build the bundle first (scripts/dev.py bundle)")
    arch = architecture()
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"{NAME}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="iotpay-deb-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir(mode=0o755)
        stage(bundle, root, version, arch)
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(deb)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return deb


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / NAME)
    p.add_argument("--version", default=None, help="the package's version (the project's)")
    p.add_argument("--out", type=Path, default=ROOT / "dist")
    args = p.parse_args(argv)
    version = args.version or project_version()
    t0 = time.monotonic()
    deb = build(args.bundle, args.out, version)
    say(
        f"{deb.relative_to(ROOT) if deb.is_relative_to(ROOT) else deb}: "
        f"{deb.stat().st_size / 2**20:.0f} MiB, built in {time.monotonic() - t0:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Set up and drive the project from a fresh clone. Standard library only, Python 3.11+.

    python3 scripts/dev.py run [DESK ARGS...]    start the desk on the embedded sandbox
    python3 scripts/dev.py test [PYTEST ARGS...] lint, format check, mypy, whole pytest suite
    python3 scripts/dev.py bundle [ARGS...]      build the PyInstaller bundle and smoke-start it
    python3 scripts/dev.py deb [ARGS...]         the Debian package of that bundle (dist/*.deb)
    python3 scripts/dev.py doctor                report missing system libraries for Qt

Each command first sets up: it finds uv (or installs it into .venv-bootstrap/ in this
repository), then runs ``uv sync --locked`` into .venv/. Nothing is installed outside the
repository except uv's download cache.
"""

# ruff: noqa: S603 - this script runs fixed commands of its own, never user-supplied strings

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - this line must run on any python3 to say so
    sys.exit(f"iotpay-desk needs Python 3.11 or newer; this is {sys.version.split()[0]}")

ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP = ROOT / ".venv-bootstrap"
# The uv release the lock file was made and measured with; an older uv on PATH is not used.
UV_PIN = "uv==0.13.9"
UV_MIN = (0, 13, 0)
IS_WINDOWS = sys.platform == "win32"
IS_LINUX = sys.platform.startswith("linux")

# Shared libraries the PySide6 wheels load but do not ship, and the Debian 12 package of each.
# Found with ldd/objdump on the Qt libraries, plugins and QtWebEngineProcess of the wheels.
DEBIAN_PACKAGE_OF = {
    "libasound.so.2": "libasound2",
    "libatk-1.0.so.0": "libatk1.0-0",
    "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlidec.so.1": "libbrotli1",
    "libcairo-gobject.so.2": "libcairo-gobject2",
    "libcairo.so.2": "libcairo2",
    "libdbus-1.so.3": "libdbus-1-3",
    "libdrm.so.2": "libdrm2",
    "libEGL.so.1": "libegl1",
    "libexpat.so.1": "libexpat1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libgbm.so.1": "libgbm1",
    "libgdk_pixbuf-2.0.so.0": "libgdk-pixbuf-2.0-0",
    "libGL.so.1": "libgl1",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
    "libgdk-3.so.0": "libgtk-3-0",
    "libgtk-3.so.0": "libgtk-3-0",
    "libharfbuzz.so.0": "libharfbuzz0b",
    "libnspr4.so": "libnspr4",
    "libnss3.so": "libnss3",
    "libnssutil3.so": "libnss3",
    "libsmime3.so": "libnss3",
    "libpango-1.0.so.0": "libpango-1.0-0",
    "libpangocairo-1.0.so.0": "libpangocairo-1.0-0",
    "libudev.so.1": "libudev1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-dri3.so.0": "libxcb-dri3-0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libXcomposite.so.1": "libxcomposite1",
    "libXdamage.so.1": "libxdamage1",
    "libXext.so.6": "libxext6",
    "libXfixes.so.3": "libxfixes3",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbfile.so.1": "libxkbfile1",
    "libXrandr.so.2": "libxrandr2",
    "libXtst.so.6": "libxtst6",
    "libxshmfence.so.1": "libxshmfence1",
    "libzstd.so.1": "libzstd1",
    "libz.so.1": "zlib1g",
}

# What must load for the desk and the tests (offscreen), relative to PySide6/Qt ...
QT_REQUIRED = [
    "lib/libQt6Core.so.6",
    "lib/libQt6Gui.so.6",
    "lib/libQt6Widgets.so.6",
    "lib/libQt6Network.so.6",
    "lib/libQt6DBus.so.6",
    "lib/libQt6WebEngineCore.so.6",
    "lib/libQt6WebEngineWidgets.so.6",
    "libexec/QtWebEngineProcess",
    "plugins/platforms/libqoffscreen.so",
]
# ... and what a real window needs on X11 or Wayland.
QT_X11 = [
    "lib/libQt6XcbQpa.so.6",
    "plugins/platforms/libqxcb.so",
    "plugins/xcbglintegrations/libqxcb-glx-integration.so",
]
QT_WAYLAND = ["plugins/platforms/libqwayland.so"]


class SetupError(Exception):
    """Set-up cannot go on; the message says what to do."""


def say(msg: str) -> None:
    print(f"[dev] {msg}", file=sys.stderr, flush=True)


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def has_display() -> bool:
    if not IS_LINUX:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# -- uv ---------------------------------------------------------------------------------


def _uv_version(cmd: list[str]) -> tuple[int, ...] | None:
    try:
        out = subprocess.run(
            [*cmd, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        return tuple(int(p) for p in out.stdout.split()[1].split(".")[:3])
    except (IndexError, ValueError):
        return None


def _bootstrap_uv_path() -> Path:
    return BOOTSTRAP / ("Scripts/uv.exe" if IS_WINDOWS else "bin/uv")


def find_uv() -> list[str]:
    """The uv command: from PATH if recent enough, else from (or into) .venv-bootstrap/."""
    on_path = shutil.which("uv")
    if on_path:
        version = _uv_version([on_path])
        if version is not None and version >= UV_MIN:
            return [on_path]
    local = _bootstrap_uv_path()
    if local.exists() and (_uv_version([str(local)]) or ()) >= UV_MIN:
        return [str(local)]
    return install_uv()


def install_uv() -> list[str]:
    say(f"uv not found: installing {UV_PIN} into {BOOTSTRAP.name}/ (once)")
    venv = subprocess.run([sys.executable, "-m", "venv", "--clear", str(BOOTSTRAP)], check=False)
    py = BOOTSTRAP / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")
    if venv.returncode == 0 and py.exists():
        pip = subprocess.run(
            [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q", UV_PIN],
            check=False,
        )
        if pip.returncode == 0 and _uv_version([str(_bootstrap_uv_path())]):
            return [str(_bootstrap_uv_path())]
        raise SetupError(
            f"pip could not install {UV_PIN} into {BOOTSTRAP.name}/ (see above: network, proxy "
            "or certificate?); fix that and retry, or install uv yourself and put it on PATH"
        )
    # No venv module (Debian without python3-venv): try a per-user install.
    say("could not make a bootstrap venv; trying 'pip install --user'")
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--user",
            "--disable-pip-version-check",
            "-q",
            UV_PIN,
        ],
        check=False,
    )
    if pip.returncode == 0 and _uv_version([sys.executable, "-m", "uv"]):
        return [sys.executable, "-m", "uv"]
    hint = "apt-get install python3-venv python3-pip" if IS_LINUX else "reinstall Python with pip"
    raise SetupError(
        f"could not install uv with {sys.executable}: it needs the venv module and pip "
        f"(on Debian/Ubuntu: {hint}), or install uv yourself and put it on PATH"
    )


def uv_env() -> dict[str, str]:
    env = dict(os.environ)
    # Use the Python that runs this script; never fetch an interpreter from the network.
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.pop("VIRTUAL_ENV", None)  # a foreign active venv must not redirect uv run
    return env


def sync(uv: list[str]) -> None:
    cmd = [*uv, "sync", "--locked"]
    if not (ROOT / ".venv").exists() and "UV_PYTHON" not in os.environ:
        cmd += ["--python", sys.executable]
    t0 = time.monotonic()
    rc = subprocess.run(cmd, cwd=ROOT, env=uv_env(), check=False).returncode
    if rc != 0:
        raise SetupError(
            "'uv sync --locked' failed (see above). If pyproject.toml changed, run 'uv lock' "
            "and commit uv.lock."
        )
    say(f"environment ready ({time.monotonic() - t0:.1f} s)")


def uv_run(uv: list[str], args: list[str], env: dict[str, str] | None = None) -> int:
    cmd = [*uv, "run", "--no-sync", *args]
    try:
        return subprocess.run(cmd, cwd=ROOT, env=env or uv_env(), check=False).returncode
    except KeyboardInterrupt:
        return 130


# -- system libraries for Qt ------------------------------------------------------------

_FIND_QT = (
    "import importlib.util, os; s = importlib.util.find_spec('PySide6'); "
    "print(os.path.join(list(s.submodule_search_locations)[0], 'Qt'))"
)


def missing_libs(qt_dir: Path, files: list[str]) -> set[str]:
    """Sonames that the given Qt files need and the dynamic loader cannot find."""
    ldd = shutil.which("ldd")
    if not ldd:
        return set()
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(
        p for p in (str(qt_dir / "lib"), env.get("LD_LIBRARY_PATH", "")) if p
    )
    missing: set[str] = set()
    for rel in files:
        path = qt_dir / rel
        if not path.exists():
            continue
        out = subprocess.run(
            [ldd, str(path)], capture_output=True, text=True, env=env, check=False
        ).stdout
        for line in out.splitlines():
            if "not found" in line:
                missing.add(line.split("=>")[0].strip())
    return missing


def check_qt(uv: list[str], *, need_window: bool) -> None:
    """Say plainly which system packages are missing rather than fail later and obscurely."""
    if not IS_LINUX:
        return
    found = subprocess.run(
        [*uv, "run", "--no-sync", "python", "-c", _FIND_QT],
        cwd=ROOT,
        env=uv_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise SetupError(f"PySide6 is not importable from .venv:\n{found.stderr.strip()}")
    qt_dir = Path(found.stdout.strip())
    files = list(QT_REQUIRED)
    if need_window and os.environ.get("DISPLAY"):
        files += QT_X11
    if need_window and os.environ.get("WAYLAND_DISPLAY"):
        files += QT_WAYLAND
    missing = missing_libs(qt_dir, files)
    if not missing:
        return
    packages = sorted({DEBIAN_PACKAGE_OF.get(lib, "?") for lib in missing} - {"?"})
    unknown = sorted(lib for lib in missing if lib not in DEBIAN_PACKAGE_OF)
    lines = ["Qt needs system libraries that are not installed: " + ", ".join(sorted(missing))]
    if packages and shutil.which("apt-get"):
        sudo = "" if is_root() else "sudo "
        lines.append(
            f"Install them with:\n    {sudo}apt-get install -y --no-install-recommends "
            + " ".join(packages)
        )
    elif packages:
        lines.append("On Debian/Ubuntu they come in: " + " ".join(packages))
    if unknown:
        lines.append("Install the packages that provide: " + ", ".join(unknown))
    raise SetupError("\n".join(lines))


def qt_env(*, for_tests: bool) -> dict[str, str]:
    env = uv_env()
    if IS_LINUX and not has_display():
        if not for_tests and "QT_QPA_PLATFORM" not in env:
            say("no DISPLAY or WAYLAND_DISPLAY: the desk runs offscreen (no visible window)")
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if is_root():
        # QtWebEngine (Chromium) refuses to start as root with its sandbox on.
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    return env


# -- commands ---------------------------------------------------------------------------


def cmd_run(args: list[str]) -> int:
    uv = find_uv()
    sync(uv)
    check_qt(uv, need_window=True)
    return uv_run(uv, ["iotpay-desk", "--sandbox", *args], env=qt_env(for_tests=False))


def cmd_test(args: list[str]) -> int:
    uv = find_uv()
    sync(uv)
    check_qt(uv, need_window=False)
    env = qt_env(for_tests=True)
    pytest_args = list(args)
    if os.environ.get("CI") and not any(a.startswith("--durations") for a in args):
        pytest_args.append("--durations=15")
    steps = [
        ("ruff check", ["ruff", "check", "."]),
        ("ruff format", ["ruff", "format", "--check", "."]),
        (
            "mypy",
            [
                "mypy",
                "iotpay_desk",
                "scripts/dev.py",
                "scripts/build_bundle.py",
                "scripts/build_deb.py",
                "scripts/check_deb.py",
                "scripts/make_icons.py",
            ],
        ),
        ("pytest", ["pytest", *pytest_args]),
    ]
    results: list[tuple[str, int, float]] = []
    for name, cmd in steps:
        say(f"--- {name}: {' '.join(cmd)}")
        t0 = time.monotonic()
        rc = uv_run(uv, cmd, env=env)
        results.append((name, rc, time.monotonic() - t0))
        if rc == 130:
            break
    failed = False
    say("--- summary")
    for name, rc, secs in results:
        if rc == 0:
            verdict = "ok"
        elif name == "pytest" and rc == 5:
            verdict = "FAILED (pytest collected no tests)"
        else:
            verdict = f"FAILED (exit {rc})"
        failed = failed or rc != 0
        say(f"{name:12} {secs:7.1f} s  {verdict}")
    return 1 if failed else 0


def cmd_bundle(args: list[str]) -> int:
    uv = find_uv()
    sync(uv)
    check_qt(uv, need_window=False)
    return uv_run(uv, ["python", "scripts/build_bundle.py", *args], env=qt_env(for_tests=True))


def cmd_deb(args: list[str]) -> int:
    uv = find_uv()
    sync(uv)
    return uv_run(uv, ["python", "scripts/build_deb.py", *args], env=qt_env(for_tests=True))


def cmd_doctor(args: list[str]) -> int:
    uv = find_uv()
    sync(uv)
    check_qt(uv, need_window=True)
    say("Qt's system libraries are all present")
    return 0


COMMANDS = {
    "run": cmd_run,
    "test": cmd_test,
    "bundle": cmd_bundle,
    "deb": cmd_deb,
    "doctor": cmd_doctor,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except SetupError as e:
        say(f"error: {e}")
        return 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

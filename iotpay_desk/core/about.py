"""What the desk says about itself: its version, its build (date and commit), the Qt and
Python it runs on, where its data and logs are. Help ▸ About and ``iotpay-desk
--version`` show the same facts.

The build is described by :data:`BUILD_FILE`, written into the frozen program by
``scripts/build_bundle.py``; run from sources, the commit is asked of git (when the
sources are a git checkout) and there is no build date.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .paths import AppPaths

__all__ = ["BUILD_FILE", "PACKAGE", "About", "BuildInfo", "about", "build_info", "desk_version"]

PACKAGE = "iotpay-desk"
#: Beside the frozen program's modules (``sys._MEIPASS``): {"version", "commit", "built_at"}.
BUILD_FILE = "build-info.json"


def desk_version() -> str:
    """The installed version of the desk (its package metadata, kept in the frozen
    program too)."""
    import importlib.metadata  # only when asked: it is slow to import at start-up

    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class BuildInfo:
    version: str
    commit: str  # "" when unknown
    built_at: str  # ISO 8601 UTC; "" when run from sources
    frozen: bool


def _bundle_dir() -> Path | None:
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if getattr(sys, "frozen", False) and meipass else None


def _git_commit(source: Path) -> str:
    if not (source / ".git").exists():
        return ""
    try:
        done = subprocess.run(  # noqa: S603 - git with fixed arguments, the sources' folder
            ["git", "-C", str(source), "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def build_info() -> BuildInfo:
    """This program's build: from :data:`BUILD_FILE` when frozen, else from the sources."""
    bundle = _bundle_dir()
    if bundle is not None:
        try:
            data = json.loads((bundle / BUILD_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        return BuildInfo(
            version=str(data.get("version") or desk_version()),
            commit=str(data.get("commit") or ""),
            built_at=str(data.get("built_at") or ""),
            frozen=True,
        )
    source = Path(__file__).resolve().parent.parent.parent
    return BuildInfo(desk_version(), _git_commit(source), "", frozen=False)


@dataclass(frozen=True)
class About:
    build: BuildInfo
    qt: str
    pyside: str
    python: str
    data_dir: Path
    log_dir: Path
    config_dir: Path

    def lines(self) -> list[str]:
        """The facts as ``iotpay-desk --version`` prints them (English, one per line)."""
        b = self.build
        built = b.built_at or "run from sources"
        commit = b.commit or "unknown"
        return [
            f"IOTPay Desk {b.version}",
            f"Build: {built}, commit {commit}",
            f"Qt {self.qt} (PySide6 {self.pyside}), Python {self.python}",
            f"Data: {self.data_dir}",
            f"Logs: {self.log_dir}",
            f"Settings: {self.config_dir}",
        ]


def about(qt: str, pyside: str, paths: AppPaths | None = None) -> About:
    """Everything :class:`About` holds; ``qt``/``pyside``: the versions the caller runs
    (this module stays free of Qt), ``paths``: the platform's default unless given."""
    paths = paths or AppPaths.default()
    return About(
        build=build_info(),
        qt=qt,
        pyside=pyside,
        python=platform.python_version(),
        data_dir=paths.data_dir,
        log_dir=paths.log_dir,
        config_dir=paths.config_dir,
    )

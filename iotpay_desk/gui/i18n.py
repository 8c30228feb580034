"""Translations: Qt Linguist catalogues, the language choice, and a pseudo-translation.

Every user-visible string goes through ``self.tr()`` (in a class nobody subclasses — PySide
looks up ``self.tr`` under the *runtime* class name) or ``QCoreApplication.translate(context,
text)``. ``pyside6-lupdate`` extracts them into ``resources/translations/iotpay_desk_<lang>.ts``
and ``pyside6-lrelease`` compiles the ``.qm`` files loaded here: run
``uv run python -m iotpay_desk.gui.i18n --update`` after changing strings, then translate.

The pseudo-translation (``--pseudo`` or ``IOTPAY_DESK_PSEUDO=1``) lengthens every string by
about a third and decorates its letters, so clipped labels and untranslated strings stand
out on screen.
"""

from __future__ import annotations

import logging
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

__all__ = [
    "CATALOG",
    "LANGUAGES",
    "PseudoTranslator",
    "Translators",
    "current_language",
    "install_translators",
    "pick_language",
    "pseudo_enabled",
    "pseudo_text",
    "resources_dir",
    "translations_dir",
]

log = logging.getLogger(__name__)

CATALOG = "iotpay_desk"
#: Languages the desk ships, source language first.
LANGUAGES = ("en", "fr")
PSEUDO_ENV = "IOTPAY_DESK_PSEUDO"
PSEUDO_SCALE = 0.35


def resources_dir() -> Path:
    """The desk's ``resources/``: beside the frozen program or in the source tree."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def translations_dir() -> Path:
    """Where the compiled catalogues are: beside the frozen program or in the source tree."""
    return resources_dir() / "translations"


_current = LANGUAGES[0]


def current_language() -> str:
    """The language the installed catalogues show (the source language before any)."""
    return _current


def pseudo_enabled(flag: bool = False) -> bool:
    """True when ``--pseudo`` was given or ``IOTPAY_DESK_PSEUDO`` is set to a true value."""
    value = os.environ.get(PSEUDO_ENV, "").strip().lower()
    return flag or value in ("1", "true", "yes", "on")


def pick_language(setting: str | None) -> str:
    """The language to show: the setting when it names a shipped one, else the system's."""
    wanted = (setting or "").strip()
    if not wanted or wanted == "system":
        wanted = QLocale.system().name()
    code = wanted.replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else LANGUAGES[0]


# --------------------------------------------------------------------------- pseudo

_ACCENTS = str.maketrans(
    "aceinouyAEIOUCNY",
    "áçéîñöûýÁÉÎÖÛÇÑÝ",
)
# Placeholders, mnemonics, tags and entities survive untouched.
_KEEP = re.compile(r"%L?\d+|%n|\{[A-Za-z_][A-Za-z0-9_]*\}|&&|&[A-Za-z0-9]|<[^>]*>|&[a-z]+;")
# Qt's own contexts whose text is data, not wording (layout direction, key names).
_QT_CONTEXTS_KEPT = ("QPlatformTheme", "QDialogButtonBox", "QMessageBox", "QFileDialog")
_QT_CONTEXT = re.compile(r"Q[A-Z]")


def pseudo_text(text: str, scale: float = PSEUDO_SCALE) -> str:
    """``"&Retry %1"`` → ``"⟦&Rétrý %1·····⟧"``: accented, ~``scale`` longer, markers kept."""
    if not text:
        return text
    out: list[str] = []
    pos = 0
    for m in _KEEP.finditer(text):
        out.append(text[pos : m.start()].translate(_ACCENTS))
        out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:].translate(_ACCENTS))
    # The brackets count towards the growth; at least one pad character.
    pad = "·" * max(1, math.ceil(len(text) * scale) - 2)
    return "⟦" + "".join(out) + pad + "⟧"


class PseudoTranslator(QTranslator):
    """Answers every lookup with the lengthened source text (Qt's data contexts excepted).

    Installed last, it is consulted first, so it shadows the real catalogues.
    """

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        # None is a null QString: Qt goes on to the next catalogue (or the source text);
        # "" would be taken as the translation.
        if not source_text or source_text == "QT_LAYOUT_DIRECTION":
            return None
        if _QT_CONTEXT.match(context or "") and context not in _QT_CONTEXTS_KEPT:
            return None
        return pseudo_text(source_text)

    def isEmpty(self) -> bool:
        return False


# --------------------------------------------------------------------------- loading


@dataclass
class Translators:
    """What :func:`install_translators` put on the application (keep it alive)."""

    language: str
    pseudo: bool
    installed: list[QTranslator]

    def remove(self) -> None:
        global _current
        app = QCoreApplication.instance()
        for t in self.installed:
            if app is not None:
                app.removeTranslator(t)
        self.installed.clear()
        _current = LANGUAGES[0]


def install_translators(
    language: str | None = None, *, pseudo: bool = False, directory: Path | None = None
) -> Translators:
    """Install Qt's own catalogue and the desk's for ``language`` (None: system), then the
    pseudo-translator when asked. Returns them so the caller keeps them referenced."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_translators needs a QCoreApplication")
    lang = pick_language(language)
    installed: list[QTranslator] = []
    if lang != LANGUAGES[0]:
        qt = QTranslator(app)
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt.load(f"qtbase_{lang}", qt_dir):
            app.installTranslator(qt)
            installed.append(qt)
        ours = QTranslator(app)
        where = directory or translations_dir()
        if ours.load(f"{CATALOG}_{lang}", str(where)):
            app.installTranslator(ours)
            installed.append(ours)
        else:
            log.warning("no %s catalogue for %r in %s; showing English", CATALOG, lang, where)
    if pseudo:
        p = PseudoTranslator(app)
        app.installTranslator(p)
        installed.append(p)
    global _current
    _current = lang
    return Translators(lang, pseudo, installed)


# --------------------------------------------------------------------------- maintenance


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


#: Where translatable strings live: the GUI, and the Qt-free core and services, which mark
#: their texts with ``QT_TRANSLATE_NOOP`` (see :mod:`iotpay_desk.core.i18n`).
SOURCE_DIRS = ("gui", "core", "services", "journal")


def source_files(root: Path | None = None) -> list[Path]:
    """The Python files whose strings go into the catalogues."""
    root = root or _repo_root()
    pkg = root / "iotpay_desk"
    files = [pkg / "app.py"]
    for d in SOURCE_DIRS:
        files += sorted((pkg / d).rglob("*.py"))
    return [f for f in files if f.exists()]


def _tool(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def run_lupdate(ts_files: Iterable[Path], root: Path | None = None) -> None:
    """Merge the strings of :func:`source_files` into ``ts_files`` (obsolete ones dropped)."""
    root = root or _repo_root()
    sources = [str(p.relative_to(root)) for p in source_files(root)]
    cmd = [_tool("pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "none", *sources]
    cmd += ["-ts", *(str(t) for t in ts_files)]
    subprocess.run(cmd, cwd=root, check=True)  # noqa: S603 (fixed tool, our own paths)


def run_lrelease(ts_file: Path, qm_file: Path) -> None:
    cmd = [_tool("pyside6-lrelease"), "-silent", str(ts_file), "-qm", str(qm_file)]
    subprocess.run(cmd, check=True)  # noqa: S603


def _main(argv: list[str]) -> int:
    if argv != ["--update"]:
        print("usage: python -m iotpay_desk.gui.i18n --update", file=sys.stderr)
        return 2
    out = translations_dir()
    ts_files = [out / f"{CATALOG}_{lang}.ts" for lang in LANGUAGES[1:]]
    run_lupdate(ts_files)
    for ts in ts_files:
        run_lrelease(ts, ts.with_suffix(".qm"))
        print(f"updated {ts.name} and {ts.with_suffix('.qm').name}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

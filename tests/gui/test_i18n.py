"""Translations: complete, faithful to placeholders, in step with the code; pseudo mode."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iotpay_desk.gui import i18n
from iotpay_desk.gui.i18n import (
    LANGUAGES,
    PseudoTranslator,
    install_translators,
    pick_language,
    pseudo_text,
    run_lupdate,
    translations_dir,
)
from iotpay_desk.gui.mainwindow import MainWindow, Page

TS_FILES = [translations_dir() / f"iotpay_desk_{lang}.ts" for lang in LANGUAGES[1:]]
_PLACEHOLDER = re.compile(r"%L?\d+|%n|\{[A-Za-z_][A-Za-z0-9_]*\}")
_MNEMONIC = re.compile(r"&(?!&)(?=\S)")

Message = tuple[str, str, str, str | None]  # context, source, translation, type


def _messages(ts: Path) -> list[Message]:
    root = ET.parse(ts).getroot()
    out: list[Message] = []
    for ctx in root.iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            assert tr is not None
            out.append((name, msg.findtext("source") or "", tr.text or "", tr.get("type")))
    return out


@pytest.fixture(params=TS_FILES, ids=lambda p: p.name)
def ts_file(request: pytest.FixtureRequest) -> Path:
    path = request.param
    assert isinstance(path, Path)
    assert path.exists(), f"{path} is missing"
    return path


def test_every_message_is_translated(ts_file: Path) -> None:
    problems = [
        (ctx, src, kind)
        for ctx, src, tr, kind in _messages(ts_file)
        if kind in ("unfinished", "obsolete", "vanished") or not tr.strip()
    ]
    assert problems == []


def test_translations_keep_the_placeholders(ts_file: Path) -> None:
    bad = []
    for ctx, src, tr, _ in _messages(ts_file):
        if sorted(_PLACEHOLDER.findall(src)) != sorted(_PLACEHOLDER.findall(tr)):
            bad.append((ctx, src, tr))
    assert bad == []


def test_translations_keep_one_mnemonic(ts_file: Path) -> None:
    bad = []
    for ctx, src, tr, _ in _messages(ts_file):
        if len(_MNEMONIC.findall(src)) != len(_MNEMONIC.findall(tr)):
            bad.append((ctx, src, tr))
    assert bad == []


def test_catalogue_is_up_to_date_with_the_code(ts_file: Path, tmp_path: Path) -> None:
    """lupdate over the sources adds nothing and drops nothing."""
    tool = i18n._tool("pyside6-lupdate")
    assert Path(tool).is_absolute() or shutil.which(tool), "pyside6-lupdate is not installed"
    copy = tmp_path / ts_file.name
    shutil.copy(ts_file, copy)
    run_lupdate([copy])
    before = {(c, s) for c, s, _, _ in _messages(ts_file)}
    after = {(c, s) for c, s, _, _ in _messages(copy)}
    assert after - before == set(), (
        "strings in the code but not in the catalogue: run i18n --update"
    )
    assert before - after == set(), "strings in the catalogue no longer in the code"


def test_compiled_catalogue_matches_the_source(ts_file: Path, qapp: QApplication) -> None:
    qm = ts_file.with_suffix(".qm")
    translator = QTranslator()
    assert translator.load(str(qm)), f"{qm} does not load"
    stale = [
        (ctx, src) for ctx, src, tr, _ in _messages(ts_file) if translator.translate(ctx, src) != tr
    ]
    assert stale == [], "the .qm is older than the .ts: run i18n --update"


# --------------------------------------------------------------------------- language choice


def test_pick_language() -> None:
    assert pick_language("fr") == "fr"
    assert pick_language("fr_CA") == "fr"
    assert pick_language("fr-CA") == "fr"
    assert pick_language("de") == "en"
    assert pick_language("en") == "en"
    system = QLocale.system().name().split("_")[0]
    assert pick_language("system") == (system if system in LANGUAGES else "en")
    assert pick_language(None) == pick_language("system")


@pytest.fixture
def french(qapp: QApplication) -> Iterator[None]:
    tr = install_translators("fr")
    yield
    tr.remove()


def test_main_window_in_french(french: None, qtbot: QtBot) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    assert [win.nav.item(i).text() for i in range(win.nav.count())] == [
        "Commandes",
        "Transactions",
        "Fin de journée",
        "Coffre de cartes",
        "Activité",
        "Paramètres",
    ]
    # Letters no page of the window uses (the vault has &Ajouter, co&ffre, C&lient).
    assert [a.text() for a in win.menuBar().actions()] == ["Fi&chier", "Navi&guer", "Aid&e"]
    assert win.banner.retry_button.text() == "Réessa&yer"
    # Qt's own standard buttons come from Qt's French catalogue.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Annuler"


# --------------------------------------------------------------------------- pseudo


@pytest.mark.parametrize(
    "text",
    [
        "Connected to IOTPay",
        "&Retry",
        "Profile: %1",
        "%1: %2. Correct it and try again.",
        "Hello {name}, &&more",
        "IOTPay has no order “%1”. Check the order number or IOTPay order ID and try again.",
    ],
)
def test_pseudo_text_lengthens_and_keeps_markers(text: str) -> None:
    out = pseudo_text(text)
    assert len(out) >= len(text) * 1.3
    assert len(out) <= len(text) * 1.5 + 4
    assert sorted(_PLACEHOLDER.findall(out)) == sorted(_PLACEHOLDER.findall(text))
    assert len(_MNEMONIC.findall(out)) == len(_MNEMONIC.findall(text))
    assert out != text


def test_pseudo_mnemonic_letter_is_kept() -> None:
    assert "&R" in pseudo_text("&Retry")
    assert "&a" in pseudo_text("Lengthen &all")


def test_pseudo_translator_on_the_window(qapp: QApplication, qtbot: QtBot) -> None:
    tr = install_translators("en", pseudo=True)
    try:
        win = MainWindow()
        qtbot.addWidget(win)
        nav = win.nav.item(int(Page.ORDERS)).text()
        assert nav.startswith("⟦Ordérs")  # the mnemonic letter stays plain
        assert len(nav) >= len("Orders") * 1.3
        # Key names are data, not wording: shortcuts stay usable.
        assert win.page_actions[Page.ORDERS].shortcut().toString() == "Ctrl+1"
        assert QCoreApplication.translate("QGuiApplication", "QT_LAYOUT_DIRECTION") in (
            "QT_LAYOUT_DIRECTION",
            "LTR",
        )
        assert QCoreApplication.translate("QShortcut", "Ctrl") == "Ctrl"
    finally:
        tr.remove()
    assert QCoreApplication.translate("MainWindow", "&Orders") == "&Orders"


def test_pseudo_translator_skips_qt_data_contexts() -> None:
    p = PseudoTranslator()
    assert p.translate("QShortcut", "Ctrl") is None
    assert p.translate("QGuiApplication", "QT_LAYOUT_DIRECTION") is None
    assert p.translate("QPlatformTheme", "Cancel").startswith("⟦")
    assert p.translate("Errors", "x").startswith("⟦")

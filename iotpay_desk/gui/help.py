"""Help ▸ User guide, Sandbox test cards and About: what the desk says about itself.

The user guide is an HTML file per language under ``resources/help/`` (``guide_en.html``,
``guide_fr.html``; bundled with the rest of ``resources/`` by ``pyinstaller.spec``), shown
in a :class:`HelpDialog`. The test cards are the sandbox's own table
(:mod:`iotpay_desk.sandbox.cards`, the same as the README's), with translated words.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import final

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from iotpay_desk.core.about import desk_version

from .i18n import current_language, resources_dir

__all__ = ["HelpDialog", "desk_version", "guide_path", "test_cards_html"]


def guide_path(language: str | None = None) -> Path:
    """The user guide in ``language`` (default: the one the desk shows), else English."""
    folder = resources_dir() / "help"
    lang = language or current_language()
    wanted = folder / f"guide_{lang}.html"
    return wanted if wanted.is_file() else folder / "guide_en.html"


@final
class HelpDialog(QDialog):
    """A page of help text in a QTextBrowser; outside links open in the desktop browser.
    Open it with ``open()`` or ``show()``. No signals of its own."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("help-dialog")
        self.setWindowTitle(title)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("help-text")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._follow)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        fm = self.fontMetrics()
        self.resize(fm.averageCharWidth() * 110, fm.height() * 40)

    def show_file(self, path: Path) -> None:
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(path)))

    def show_html(self, text: str) -> None:
        self.browser.setHtml(text)

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment() and (not url.path() or url.isLocalFile()):
            self.browser.scrollToAnchor(url.fragment())


translate = QCoreApplication.translate


def _t(text: str) -> str:
    return html.escape(text)


def test_cards_html() -> str:
    """The sandbox's test cards (the README's table) and demo merchant, as translated HTML."""
    # Imported here: the sandbox package pulls in its server (only needed on demand).
    from iotpay_desk.sandbox.cards import PENDING_DELAY_S, TEST_CARDS
    from iotpay_desk.sandbox.merchants import DEMO_MERCHANT

    results = {
        "approve": translate("HelpDialog", "approved"),
        "decline": translate("HelpDialog", "declined (status 9)"),
        "pending": translate(
            "HelpDialog", "pending: status 0, then 2 (success) after %1 seconds"
        ).replace("%1", f"{PENDING_DELAY_S:g}"),
    }
    rows = "".join(
        f"<tr><td><code>{number}</code></td><td>{_t(brand)}</td>"
        f"<td>{_t(results[behaviour])}</td></tr>"
        for number, (behaviour, brand) in TEST_CARDS.items()
    )
    expired = translate("HelpDialog", "any of the above with a past expiry")
    refused = translate("HelpDialog", "refused: “card expired”")
    rows += f"<tr><td colspan='2'>{_t(expired)}</td><td>{_t(refused)}</td></tr>"
    head = "".join(
        f"<th align='left'>{_t(text)}</th>"
        for text in (
            translate("HelpDialog", "Card number"),
            translate("HelpDialog", "Brand"),
            translate("HelpDialog", "Result"),
        )
    )
    published = translate("HelpDialog", "(a published test value, not a secret)")
    key_word = translate("HelpDialog", "Key")
    name_word = translate("HelpDialog", "Name")
    title = translate("HelpDialog", "Sandbox test cards")
    demo = translate("HelpDialog", "The sandbox demo merchant")
    merchant = (
        f"<tr><td>mchId</td><td><code>{DEMO_MERCHANT.mch_id}</code></td></tr>"
        f"<tr><td>{_t(key_word)}</td>"
        f"<td><code>{DEMO_MERCHANT.key}</code> {_t(published)}</td></tr>"
        f"<tr><td>{_t(name_word)}</td><td>{_t(DEMO_MERCHANT.name)}</td></tr>"
    )
    intro = translate(
        "HelpDialog",
        "These cards work only on the sandbox: no real money moves. Any holder name, any "
        "3-digit CVV, any future expiry date (MMYY).",
    )
    return (
        f"<h2>{_t(title)}</h2>"
        f"<p>{_t(intro)}</p>"
        f"<table border='1' cellspacing='0' cellpadding='4'><tr>{head}</tr>{rows}</table>"
        f"<h3>{_t(demo)}</h3>"
        f"<table cellpadding='3'>{merchant}</table>"
    )

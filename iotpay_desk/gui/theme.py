"""Light and dark looks: the Fusion style with a standard or a dark palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

__all__ = ["THEMES", "apply_theme", "dark_palette", "is_dark"]

THEMES = ("system", "light", "dark")


def dark_palette() -> QPalette:
    """A dark palette with enough contrast for text, links and disabled controls."""
    p = QPalette()
    window = QColor(45, 45, 48)
    base = QColor(30, 30, 32)
    text = QColor(230, 230, 230)
    disabled = QColor(130, 130, 130)
    highlight = QColor(42, 130, 218)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, QColor(40, 40, 43))
        p.setColor(group, QPalette.ColorRole.ToolTipBase, QColor(60, 60, 64))
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(150, 150, 150))
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, QColor(55, 55, 59))
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.BrightText, QColor(255, 90, 90))
        p.setColor(group, QPalette.ColorRole.Link, QColor(100, 170, 255))
        p.setColor(group, QPalette.ColorRole.LinkVisited, QColor(170, 140, 255))
        p.setColor(group, QPalette.ColorRole.Highlight, highlight)
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
        p.setColor(group, QPalette.ColorRole.Light, QColor(75, 75, 80))
        p.setColor(group, QPalette.ColorRole.Midlight, QColor(62, 62, 66))
        p.setColor(group, QPalette.ColorRole.Mid, QColor(40, 40, 43))
        p.setColor(group, QPalette.ColorRole.Dark, QColor(20, 20, 22))
        p.setColor(group, QPalette.ColorRole.Shadow, QColor(0, 0, 0))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.HighlightedText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, window)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor(50, 50, 53))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(80, 80, 80))
    return p


_platform: tuple[str, QPalette] | None = None


def apply_theme(app: QApplication, theme: str) -> None:
    """``light``/``dark``: Fusion with that palette; ``system``: the platform's own look
    (restored when switching back at run time)."""
    global _platform
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}")
    if _platform is None:
        _platform = (app.style().name(), QPalette(app.palette()))
    if theme == "system":
        app.setStyle(_platform[0])
        app.setPalette(_platform[1])
        return
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if theme == "dark" else app.style().standardPalette())


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128

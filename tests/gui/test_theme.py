"""Light, dark and the platform's own look, switched at run time."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from iotpay_desk.gui.theme import apply_theme, dark_palette, is_dark


def test_switch_dark_light_and_back_to_system(qapp: QApplication) -> None:
    style = qapp.style().name()
    window = qapp.palette().color(QPalette.ColorRole.Window)
    try:
        apply_theme(qapp, "dark")
        assert qapp.style().name().lower() == "fusion"
        assert is_dark(qapp.palette())
        apply_theme(qapp, "light")
        assert not is_dark(qapp.palette())
        apply_theme(qapp, "system")
        assert qapp.style().name() == style
        assert qapp.palette().color(QPalette.ColorRole.Window) == window
    finally:
        apply_theme(qapp, "system")


def test_dark_palette_keeps_text_readable() -> None:
    p = dark_palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Disabled):
        text = p.color(group, QPalette.ColorRole.Text).lightness()
        base = p.color(group, QPalette.ColorRole.Base).lightness()
        assert text - base > 80, group

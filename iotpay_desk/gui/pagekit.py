"""Small building blocks shared by the pages (no translated text of their own)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["page_title"]


def page_title(text: str, parent: QWidget) -> QLabel:
    """A page heading: the window font, larger and bold (scales with the user's font)."""
    label = QLabel(text, parent)
    label.setObjectName("page-title")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label

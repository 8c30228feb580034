"""Small building blocks shared by the pages (no translated text of their own)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

__all__ = ["page_title", "placeholder_layout"]


def page_title(text: str, parent: QWidget) -> QLabel:
    """A page heading: the window font, larger and bold (scales with the user's font)."""
    label = QLabel(text, parent)
    label.setObjectName("page-title")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label


def placeholder_layout(page: QWidget, title: str, text: str) -> QVBoxLayout:
    """Title and an explanation for a page whose content arrives later."""
    layout = QVBoxLayout(page)
    layout.addWidget(page_title(title, page))
    body = QLabel(text, page)
    body.setObjectName("page-text")
    body.setWordWrap(True)
    body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(body)
    layout.addStretch(1)
    return layout

"""Small building blocks shared by the pages (no translated text of their own)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["fit_height", "keep_fitted", "page_title"]


def page_title(text: str, parent: QWidget) -> QLabel:
    """A page heading: the window font, larger and bold (scales with the user's font)."""
    label = QLabel(text, parent)
    label.setObjectName("page-title")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label


def fit_height(window: QWidget) -> None:
    """Grow ``window`` to the height its layout needs at its present width.

    A message label that appears (word-wrapped, so its height depends on the width)
    would otherwise squeeze the fields above it below their own height.
    """
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    if layout.hasHeightForWidth():
        need = layout.totalHeightForWidth(window.width())
    else:
        need = layout.totalSizeHint().height()
    if need > window.height():
        window.resize(window.width(), need)


class _Fitter(QObject):
    """Refits the watched window's height after it is shown and when its layout changes."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget) and event.type() in (
            QEvent.Type.Show,
            QEvent.Type.LayoutRequest,
        ):
            # After the layout has done its own work; never after the window is gone.
            QTimer.singleShot(0, watched, lambda: fit_height(watched))
        return False


def keep_fitted(window: QWidget) -> None:
    """Keep ``window`` tall enough for its layout at its width (see :func:`fit_height`).

    Qt sizes a window from its size hint at the hint's width; a word-wrapped label
    then needs more height at the narrower width the window really gets, and the
    fields are squeezed. This refits on show and on every layout change.
    """
    window.installEventFilter(_Fitter(window))

"""The Activity page: every money action this desk started, and its outcome."""

from __future__ import annotations

from typing import final

from PySide6.QtWidgets import QWidget

from .pagekit import placeholder_layout

__all__ = ["ActivityPage"]


@final
class ActivityPage(QWidget):
    """The journal of actions. No signals yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-activity")
        placeholder_layout(
            self,
            self.tr("Activity"),
            self.tr(
                "Every refund, void and charge made from this desk, with its outcome. "
                "Actions IOTPay has not confirmed yet are checked again here."
            ),
        )

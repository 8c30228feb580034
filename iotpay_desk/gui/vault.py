"""The Card vault page: customers' cards on file (filled in by the card vault work)."""

from __future__ import annotations

from typing import final

from PySide6.QtWidgets import QWidget

from .pagekit import placeholder_layout

__all__ = ["VaultPage"]


@final
class VaultPage(QWidget):
    """Cards on file. No signals yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-vault")
        placeholder_layout(
            self,
            self.tr("Card vault"),
            self.tr(
                "Save a customer's card on IOTPay's secure page and charge it later. "
                "This page arrives in the next version of the desk."
            ),
        )

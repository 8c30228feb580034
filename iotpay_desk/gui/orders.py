"""The Orders page: look up an order, then refund or void it."""

from __future__ import annotations

from typing import final

from PySide6.QtWidgets import QWidget

from .pagekit import placeholder_layout

__all__ = ["OrdersPage"]


@final
class OrdersPage(QWidget):
    """Look-up and the actions on one order. No signals yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-orders")
        placeholder_layout(
            self,
            self.tr("Orders"),
            self.tr(
                "Look up a payment by its order number or IOTPay order ID, then refund or void it."
            ),
        )

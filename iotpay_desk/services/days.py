"""End of day: a business day's figures, what needs attention, closing the day.

Plain asyncio Python: nothing here imports Qt."""

from __future__ import annotations

from .context import MoneyContext

__all__ = ["Days"]


class Days:
    """(being built)"""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

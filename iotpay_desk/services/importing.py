"""Importing orders named in a CSV file into the books, each confirmed with cc_query.

Plain asyncio Python: nothing here imports Qt."""

from __future__ import annotations

from .context import MoneyContext

__all__ = ["Imports"]


class Imports:
    """(being built)"""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

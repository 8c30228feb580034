"""Reconciling a business day: every order of the day re-checked with cc_query.

Plain asyncio Python: nothing here imports Qt."""

from __future__ import annotations

from .context import MoneyContext

__all__ = ["Reconciler"]


class Reconciler:
    """(being built)"""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

"""Bank deposits: a bank statement imported and its deposits matched to days' nets.

Plain asyncio Python: nothing here imports Qt."""

from __future__ import annotations

from .context import MoneyContext

__all__ = ["Deposits"]


class Deposits:
    """(being built)"""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

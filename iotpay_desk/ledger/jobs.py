"""The ledger's side of :mod:`iotpay_desk.journal.jobs`. Plain Python: nothing here imports Qt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from iotpay_desk.journal import store as _journal

__all__ = ["Jobs"]


class Jobs:
    """(being built)"""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _journal._utcnow) -> None:
        self.engine = engine
        self._clock = clock

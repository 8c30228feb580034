"""The ledger's side of :mod:`iotpay_desk.journal.days`: a business day's figures, what
needs attention, closing a day. Plain Python: nothing here imports Qt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, tzinfo

from sqlalchemy import Engine

from iotpay_desk.journal import store as _journal
from iotpay_desk.journal.days import (
    AttentionItem,
    DailyNet,
    DayChange,
    DayClose,
    DayFigures,
)

__all__ = ["Days"]


class Days:
    """Business days of the merchants in one ledger (``engine``, at head)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _journal._utcnow) -> None:
        self.engine = engine
        self._clock = clock

    def figures(self, mch_id: str, day: date, cutoff: time, tz: tzinfo) -> DayFigures:
        raise NotImplementedError

    def daily_nets(
        self, mch_id: str, first: date, last: date, cutoff: time, tz: tzinfo
    ) -> list[DailyNet]:
        raise NotImplementedError

    def attention(
        self,
        mch_id: str,
        day: date,
        cutoff: time,
        tz: tzinfo,
        *,
        receiver_runs: bool = False,
        limit: int = 500,
    ) -> list[AttentionItem]:
        raise NotImplementedError

    def close_day(
        self,
        mch_id: str,
        day: date,
        cutoff: time,
        tz: tzinfo,
        *,
        operator: str,
        desk: str,
        now: datetime | None = None,
    ) -> DayClose:
        raise NotImplementedError

    def get_close(self, mch_id: str, day: date) -> DayClose | None:
        raise NotImplementedError

    def closes(self, mch_id: str, first: date, last: date) -> list[DayClose]:
        raise NotImplementedError

    def changes_since_close(self, mch_id: str, day: date, *, limit: int = 500) -> list[DayChange]:
        raise NotImplementedError

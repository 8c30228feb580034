"""End of day: a business day's figures (sales, refunds, voids and net, by card brand,
operator and desk), what needs attention, the daily nets for charts and deposits, and
closing the day. The profile's cut-off and time zone say where a business day starts
and ends (:mod:`iotpay_desk.journal.days`).

Plain asyncio Python: nothing here imports Qt.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from iotpay_desk.journal.days import (
    AttentionItem,
    DailyNet,
    DayChange,
    DayClose,
    DayFigures,
    business_day_of,
    day_bounds,
)

from .context import MoneyContext

__all__ = ["CHART_DAYS", "Days"]

CHART_DAYS = (30, 90, 365)
"""The spans the End of day page charts daily nets over."""


class Days:
    """Business days of the service's merchant."""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

    def today(self) -> date:
        """The business day now (a time at or after the cut-off is the next day's)."""
        ctx = self._ctx
        return business_day_of(ctx.clock(), ctx.cutoff, ctx.tz)

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        """The day's start (included) and end (excluded), aware, on the profile's clock."""
        since, until = day_bounds(day, self._ctx.cutoff, self._ctx.tz)
        return since.astimezone(self._ctx.tz), until.astimezone(self._ctx.tz)

    async def figures(self, day: date) -> DayFigures:
        ctx = self._ctx
        return await ctx.db(ctx.journal.days.figures, ctx.mch_id, day, ctx.cutoff, ctx.tz)

    async def attention(self, day: date) -> list[AttentionItem]:
        """What of the day needs a person; payments with no notification only when this
        desk gives IOTPay a notify address (a receiver runs)."""
        ctx = self._ctx
        return await ctx.db(
            ctx.journal.days.attention,
            ctx.mch_id,
            day,
            ctx.cutoff,
            ctx.tz,
            receiver_runs=bool(ctx.notify_url),
        )

    async def daily_nets(self, last_day: date, days: int) -> list[DailyNet]:
        """The ``days`` business days ending with ``last_day``, oldest first."""
        if not 1 <= days <= 3660:
            raise ValueError("days: from 1 to 3,660")
        ctx = self._ctx
        first = last_day - timedelta(days=days - 1)
        return await ctx.db(
            ctx.journal.days.daily_nets, ctx.mch_id, first, last_day, ctx.cutoff, ctx.tz
        )

    async def close_day(self, day: date) -> DayClose:
        """Close ``day`` as this operator at this desk (``DayAlreadyClosed`` if it was).
        Today's business day may be closed before its cut-off (what comes after is then
        flagged as changed since); a day to come may not."""
        ctx = self._ctx
        if day > self.today():
            raise ValueError("business_day: today's business day or an earlier one")
        return await ctx.db(
            ctx.journal.days.close_day,
            ctx.mch_id,
            day,
            ctx.cutoff,
            ctx.tz,
            operator=ctx.operator,
            desk=ctx.journal.desk.name,
        )

    async def get_close(self, day: date) -> DayClose | None:
        ctx = self._ctx
        return await ctx.db(ctx.journal.days.get_close, ctx.mch_id, day)

    async def closes(self, first: date, last: date) -> list[DayClose]:
        ctx = self._ctx
        return await ctx.db(ctx.journal.days.closes, ctx.mch_id, first, last)

    async def changes_since_close(self, day: date) -> list[DayChange]:
        ctx = self._ctx
        return await ctx.db(ctx.journal.days.changes_since_close, ctx.mch_id, day)

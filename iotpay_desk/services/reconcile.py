"""Reconciling a business day: every order of the day in the books re-checked with
cc_query (at most ``concurrency`` at once, results written in batches: :mod:`.bulk`).

Each order IOTPay answers for is compared with the books in the transaction that
records it (status, amount, refunded): one that disagrees is recorded ``differs`` with
what differs (``status 2→3; refunded 0→1500``) and one ``reconcile.differs`` audit row;
one IOTPay does not know is ``not_found`` with a ``reconcile.not_found`` audit row; the
others are ``same``. The books then take IOTPay's confirmed answer. When every order has
its answer the job is ``done`` and its summary is one ``reconcile.done`` audit row.

A reconciliation of a day that was cancelled or killed is resumed, not started again:
:meth:`Reconciler.reconcile_day` runs the day's unfinished one if there is one.

Plain asyncio Python: nothing here imports Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from iotpay_desk.api import IotPayRejected, QueryRequest
from iotpay_desk.journal.days import day_bounds
from iotpay_desk.journal.jobs import ItemResult, JobItem, JobSummary, ReconcileReport

from .bulk import CONCURRENCY, JobProgress, run_job, stopping
from .context import MoneyContext
from .errors import CannotReachIotPay

__all__ = ["Reconciler"]

log = logging.getLogger(__name__)


class Reconciler:
    """Reconciliations of the books of one :class:`MoneyContext`'s merchant."""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

    async def start_day(self, day: date) -> int:
        """The day's unfinished reconciliation, or a new one with every order of the day
        in the books written as its items (one transaction); its id."""
        ctx = self._ctx
        jobs = ctx.journal.jobs
        for job in await ctx.db(jobs.open_jobs, ctx.mch_id, "reconcile"):
            if job.business_day == day:
                return job.id
        since, until = day_bounds(day, ctx.cutoff, ctx.tz)
        summary = await ctx.db(
            jobs.create_reconcile,
            ctx.mch_id,
            day,
            since,
            until,
            operator=ctx.operator,
            desk=ctx.journal.desk.name,
            now=ctx.clock(),
        )
        return summary.id

    async def run(
        self,
        job_id: int,
        *,
        on_progress: Callable[[JobProgress], None] | None = None,
        concurrency: int = CONCURRENCY,
    ) -> JobSummary:
        """Check every order of the job still open; its summary at the end. Cancel the
        task to stop: the reconciliation stays resumable."""
        return await run_job(self._ctx, job_id, self._check, on_progress, concurrency)

    async def reconcile_day(
        self,
        day: date,
        *,
        on_progress: Callable[[JobProgress], None] | None = None,
        concurrency: int = CONCURRENCY,
    ) -> JobSummary:
        """Reconcile business day ``day`` (the profile's cut-off and zone): resume its
        unfinished reconciliation or start one, and run it to the end."""
        job_id = await self.start_day(day)
        return await self.run(job_id, on_progress=on_progress, concurrency=concurrency)

    async def unfinished(self) -> list[JobSummary]:
        """This merchant's reconciliations still running, newest first."""
        ctx = self._ctx
        return await ctx.db(ctx.journal.jobs.open_jobs, ctx.mch_id, "reconcile")

    async def latest(self, day: date, *, limit: int = 500) -> ReconcileReport | None:
        """The day's newest reconciliation and its orders that differ, that IOTPay does
        not know or that could not be checked."""
        ctx = self._ctx
        return await ctx.db(ctx.journal.jobs.latest_reconcile, ctx.mch_id, day, limit=limit)

    async def summary(self, job_id: int) -> JobSummary:
        ctx = self._ctx
        found = await ctx.db(ctx.journal.jobs.get, job_id)
        if found is None or found.mch_id != ctx.mch_id:
            raise KeyError(job_id)
        return found

    async def discard(self, job_id: int) -> JobSummary:
        """Give an unfinished reconciliation up (``cancelled``)."""
        ctx = self._ctx
        await self.summary(job_id)
        return await ctx.db(ctx.journal.jobs.finish, job_id, cancel=True, now=ctx.clock())

    async def _check(self, item: JobItem) -> ItemResult:
        ctx = self._ctx
        pay_order_id = item.pay_order_id or item.ref
        try:
            order = await ctx.query(QueryRequest(pay_order_id=pay_order_id))
        except IotPayRejected as exc:
            if exc.is_not_found:
                return ItemResult(item.line_no, "not_found", pay_order_id)
            return ItemResult(
                item.line_no, "failed", pay_order_id, detail=f"refused: {exc.ret_msg}"[:300]
            )
        except CannotReachIotPay as exc:
            return ItemResult(item.line_no, "failed", pay_order_id, f"unreachable: {exc}"[:300])
        except Exception as exc:  # one order's trouble: kept with it, tried again
            if stopping():
                raise
            log.warning("reconcile %s: %s", pay_order_id, type(exc).__name__)
            return ItemResult(item.line_no, "failed", pay_order_id, f"error: {type(exc).__name__}")
        order = replace(order, mch_id=ctx.mch_id)
        return ItemResult(item.line_no, "same", order.pay_order_id, order=order)

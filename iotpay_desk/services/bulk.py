"""Running a job's items: many ``cc_query`` calls at once, their results written in
batches. Shared by imports and reconciliations.

- At most ``concurrency`` items are in flight (that many worker coroutines take the
  next item in turn: no task per item).
- Results are gathered and recorded by one writer: a batch as soon as ``batch`` results
  are waiting, or every ``interval`` seconds, each batch one transaction in the ledger
  (never one per order); the queries go on meanwhile.
- ``on_progress`` is called on the loop's thread after each batch is written (what it
  says is in the ledger), with the rate of this run and the time left at that rate.
- Cancelling the task that runs :func:`run_items` stops the queries, writes the results
  already received and re-raises: the items not answered stay open in the ledger, and
  the job resumes from there.

Plain asyncio Python: nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from iotpay_desk.journal.jobs import OPEN_STATES, ItemResult, JobItem, JobSummary

from .context import MoneyContext

__all__ = [
    "BATCH",
    "CONCURRENCY",
    "INTERVAL_S",
    "JobProgress",
    "progress_of",
    "run_items",
    "run_job",
    "stopping",
]

log = logging.getLogger(__name__)

CONCURRENCY = 20
BATCH = 100
INTERVAL_S = 0.1


@dataclass(frozen=True, slots=True)
class JobProgress:
    """Where a running job stands: ``done`` of ``total`` items have an outcome in the
    ledger (``counts`` by state); ``rate`` is items per second in this run;
    ``seconds_left`` at that rate (None until there is a rate)."""

    job_id: int
    done: int
    total: int
    counts: Mapping[str, int] = field(default_factory=dict)
    rate: float = 0.0
    seconds_left: float | None = None

    def count(self, state: str) -> int:
        return int(self.counts.get(state, 0))

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


def progress_of(summary: JobSummary, rate: float = 0.0) -> JobProgress:
    """A job's progress as its summary in the ledger says."""
    left = summary.pending
    return JobProgress(
        job_id=summary.id,
        done=summary.done,
        total=summary.total,
        counts=dict(summary.counts),
        rate=rate,
        seconds_left=(left / rate) if rate > 0 else (0.0 if not left else None),
    )


def stopping() -> bool:
    """True in a task being cancelled: an error it meets then (an HTTP library failing
    while its connection is torn down) is the cancellation's, not the item's."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def run_items(
    summary: JobSummary,
    items: Iterable[JobItem],
    work: Callable[[JobItem], Awaitable[ItemResult]],
    write: Callable[[list[ItemResult]], Awaitable[None]],
    *,
    concurrency: int = CONCURRENCY,
    batch: int = BATCH,
    interval: float = INTERVAL_S,
    on_progress: Callable[[JobProgress], None] | None = None,
) -> None:
    """Run ``work`` on each of ``items`` (at most ``concurrency`` at once) and ``write``
    the results in batches (module docstring). ``summary``: the job as it was before
    this run (its counts are carried on in the progress)."""
    if concurrency < 1:
        raise ValueError("concurrency: at least 1")
    source = iter(items)
    waiting: list[ItemResult] = []
    full = asyncio.Event()
    finished = False
    halted = False
    counts = dict(summary.counts)
    # Items queried again (failed before) were counted done already.
    done = summary.done
    started = time.monotonic()
    recorded = 0

    def report() -> None:
        if on_progress is None:
            return
        elapsed = time.monotonic() - started
        rate = recorded / elapsed if elapsed > 0 and recorded else 0.0
        left = max(0, summary.total - done)
        try:
            on_progress(
                JobProgress(
                    job_id=summary.id,
                    done=done,
                    total=summary.total,
                    counts=dict(counts),
                    rate=rate,
                    seconds_left=(left / rate) if rate > 0 else (0.0 if not left else None),
                )
            )
        except Exception:
            log.exception("on_progress failed")

    async def worker() -> None:
        for item in source:
            if halted:
                return
            result = await work(item)
            if halted:
                return  # the run is being stopped: the item stays open, asked again later
            waiting.append(result)
            if len(waiting) >= batch:
                full.set()

    async def writer() -> None:
        nonlocal waiting, done, recorded
        while True:
            if not finished and len(waiting) < batch:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(interval):
                        await full.wait()
            full.clear()
            if waiting:
                taken, waiting = waiting, []
                await write(taken)
                for r in taken:
                    # an item tried again leaves "failed"; a new one leaves "pending"
                    before = "failed" if counts.get("failed") and r.line_no in retried else None
                    if before:
                        counts["failed"] -= 1
                    else:
                        counts["pending"] = counts.get("pending", 0) - 1
                        done += 1
                    counts[r.state] = counts.get(r.state, 0) + 1
                recorded += len(taken)
                report()
            elif finished:
                return

    pending_items = list(source)
    retried = {i.line_no for i in pending_items if i.state == "failed"}
    source = iter(pending_items)
    report()
    workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, len(pending_items)))]
    writing = asyncio.create_task(writer())
    try:
        running: set[asyncio.Task[None]] = {*workers, writing}
        while any(w in running for w in workers):
            ended, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for t in ended:
                problem = t.exception()
                if problem is not None:
                    raise problem
        finished = True
        full.set()
        await writing
    except BaseException:  # cancelled, or a write failed
        halted = True
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if not writing.done():
            # Write what was answered: those items are not queried again on resume.
            finished = True
            full.set()
            with contextlib.suppress(Exception):
                await asyncio.shield(writing)
        raise


_DEFERRING = 0
_KEPT_THRESHOLD = 0


@contextlib.contextmanager
def full_collections_deferred() -> Iterator[None]:
    """No full (generation 2) garbage collection while a job runs: over the desk's
    heap one takes 80–140 ms, all of it on the window's thread (measured during an
    import with ``bench/bench_import.py --qt``). The young generations are still
    collected; the full collection comes when the last job ends."""
    global _DEFERRING, _KEPT_THRESHOLD
    if _DEFERRING == 0:
        t0, t1, t2 = gc.get_threshold()
        _KEPT_THRESHOLD = t2
        gc.set_threshold(t0, t1, 2**31 - 1)
    _DEFERRING += 1
    try:
        yield
    finally:
        _DEFERRING -= 1
        if _DEFERRING == 0:
            t0, t1, _ = gc.get_threshold()
            gc.set_threshold(t0, t1, _KEPT_THRESHOLD)


async def run_job(
    ctx: MoneyContext,
    job_id: int,
    work: Callable[[JobItem], Awaitable[ItemResult]],
    on_progress: Callable[[JobProgress], None] | None,
    concurrency: int,
) -> JobSummary:
    """Run a job's open items with ``work`` (:func:`.bulk.run_items`), then finish it
    (``done`` if nothing is left open). Its summary."""
    jobs = ctx.journal.jobs
    summary = await ctx.db(jobs.get, job_id)
    if summary is None or summary.mch_id != ctx.mch_id:
        raise KeyError(job_id)
    if summary.finished:
        if on_progress is not None:
            on_progress(progress_of(summary))
        return summary
    items = await ctx.db(jobs.items, job_id, states=OPEN_STATES)

    async def write(results: list[ItemResult]) -> None:
        await ctx.db(jobs.record, job_id, results, now=ctx.clock())

    with full_collections_deferred():
        await run_items(
            summary,
            items,
            work,
            write,
            concurrency=concurrency,
            on_progress=on_progress,
        )
    return await ctx.db(jobs.finish, job_id, now=ctx.clock())

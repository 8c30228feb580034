"""Imports and reconciliations as the services see them: jobs of many orders, each item's
state kept in the ledger so a job resumes after a crash (no database here:
``iotpay_desk.ledger.jobs`` reads and writes them). Plain Python: no Qt, no SQLAlchemy.

A job is written with all its items in one transaction before its first query; each
item is then ``pending`` until a batch of results records it (one transaction per batch,
with the orders booked). A job stays ``running`` while any of its items is ``pending``
or ``failed`` (IOTPay could not be reached): resuming it queries those again. It is
``done`` when every item has its answer, ``cancelled`` when the person gave it up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from iotpay_desk.api.models import Order

__all__ = [
    "DONE_STATES",
    "ITEM_STATES",
    "JOB_KINDS",
    "JOB_STATES",
    "OPEN_STATES",
    "ItemResult",
    "JobItem",
    "JobStore",
    "JobSummary",
    "NewItem",
    "ReconcileReport",
    "differences",
]

JOB_KINDS = ("import", "reconcile")
JOB_STATES = ("running", "done", "cancelled")
ITEM_STATES = ("pending", "booked", "same", "differs", "not_found", "bad", "failed")
OPEN_STATES = ("pending", "failed")
"""Items a resumed job queries again."""
DONE_STATES = ("booked", "same", "differs", "not_found", "bad")
"""Items that have their answer: never queried again."""


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item of a job being created: the file's line (import) or the order's place in
    the day (reconcile), the order number or IOTPay order ID as given, and its state
    (``pending``, or ``bad`` with why in ``detail``)."""

    line_no: int
    ref: str
    state: str = "pending"
    detail: str = ""
    pay_order_id: str = ""


@dataclass(frozen=True, slots=True)
class JobItem:
    """An item of a job as the ledger holds it."""

    job_id: int
    line_no: int
    ref: str
    state: str
    pay_order_id: str = ""
    detail: str = ""
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What one item's query found, for :meth:`JobStore.record`.

    ``state``: ``booked`` (an import found the order: ``order`` is IOTPay's answer, put
    in the books), ``same`` (a reconciliation's answer: ``order`` given; the ledger
    compares it with the books in the same transaction and records ``differs`` with
    what differs when they disagree), ``not_found`` or ``failed`` (``detail``: why)."""

    line_no: int
    state: str
    pay_order_id: str = ""
    detail: str = ""
    order: Order | None = None


@dataclass(frozen=True, slots=True)
class JobSummary:
    """A job and how many of its items are in each state."""

    id: int
    mch_id: str
    kind: str
    title: str
    business_day: date | None
    operator: str
    desk: str
    state: str
    total: int
    created_at: datetime
    finished_at: datetime | None = None
    counts: Mapping[str, int] = field(default_factory=dict)

    def count(self, state: str) -> int:
        return int(self.counts.get(state, 0))

    @property
    def pending(self) -> int:
        """Items not queried yet."""
        return self.count("pending")

    @property
    def open(self) -> int:
        """Items a resume would query (pending, and failed ones tried again)."""
        return self.count("pending") + self.count("failed")

    @property
    def done(self) -> int:
        """Items with a recorded outcome (failed ones included)."""
        return self.total - self.pending

    @property
    def finished(self) -> bool:
        return self.state != "running"


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """The latest reconciliation of a business day and its items that need a look
    (``differs`` and ``not_found``, then ``failed``), in the day's order."""

    summary: JobSummary
    items: tuple[JobItem, ...] = ()


def differences(before: tuple[int, int, int], after: tuple[int, int, int]) -> str:
    """What differs between the books and IOTPay, each as ``name old→new`` joined with
    ``"; "`` (e.g. ``status 2→3; refunded 0→1500``); "" when they agree. Both are
    (status, amount in cents, refunded in cents)."""
    names = ("status", "amount", "refunded")
    return "; ".join(
        f"{name} {old}→{new}"
        for name, old, new in zip(names, before, after, strict=True)
        if old != new
    )


class JobStore(Protocol):
    """Jobs in the ledger (``LedgerJournal.jobs``). Blocking calls."""

    def create(
        self,
        mch_id: str,
        kind: str,
        items: Sequence[NewItem],
        *,
        title: str,
        operator: str,
        desk: str,
        business_day: date | None = None,
        now: datetime | None = None,
    ) -> JobSummary:
        """A new ``running`` job with all its items, in one transaction."""
        ...

    def create_reconcile(
        self,
        mch_id: str,
        day: date,
        since: datetime,
        until: datetime,
        *,
        operator: str,
        desk: str,
        now: datetime | None = None,
    ) -> JobSummary:
        """A reconciliation of business day ``day``: one pending item for each order of
        the merchant's books from ``since`` (included) to ``until`` (excluded), written
        with the job in one transaction."""
        ...

    def get(self, job_id: int) -> JobSummary | None: ...

    def items(
        self,
        job_id: int,
        *,
        states: Sequence[str] = (),
        after_line: int = 0,
        limit: int = 100_000,
    ) -> list[JobItem]:
        """Items in line order (``states``: only those), after line ``after_line``."""
        ...

    def record(
        self, job_id: int, results: Sequence[ItemResult], *, now: datetime | None = None
    ) -> None:
        """Record a batch of results and book their orders, in one transaction (module
        docstring of ``ledger.jobs``)."""
        ...

    def finish(
        self, job_id: int, *, cancel: bool = False, now: datetime | None = None
    ) -> JobSummary:
        """``done`` when no item is open any more (its summary in the audit), or
        ``cancelled`` (``cancel``); otherwise the job stays ``running``."""
        ...

    def open_jobs(self, mch_id: str, kind: str) -> list[JobSummary]:
        """The merchant's ``running`` jobs of ``kind``, newest first."""
        ...

    def latest_reconcile(
        self, mch_id: str, day: date, *, limit: int = 500
    ) -> ReconcileReport | None:
        """The newest reconciliation of ``day`` and its items that need a look."""
        ...

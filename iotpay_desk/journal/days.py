"""Business days as the services and the desk see them: a day's bounds, its figures, what
needs attention, a closed day and what changed in it since (no database here:
``iotpay_desk.ledger.days`` reads and writes them). Plain Python: no Qt, no SQLAlchemy.

A business day ``D`` is what one settlement batch holds: from the profile's daily cut-off
on the day before ``D`` (included) to the cut-off on ``D`` (excluded), on the wall clock
of the profile's time zone, so a clock change keeps the cut-off at its hour. A payment at
or after the cut-off belongs to the next day, as it settles at the next cut-off.

A day's **net** is what its settlement should pay: successful payments (IOTPay status 2
or 3) less successful refunds and voids made that day. A void cancels a payment before
it settles, so it is made the same business day as its payment; a refund returns a
settled payment and is taken from the day it was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

__all__ = [
    "ATTENTION_KINDS",
    "AttentionItem",
    "DailyNet",
    "DayAlreadyClosed",
    "DayChange",
    "DayClose",
    "DayFigures",
    "DayLine",
    "DayStore",
    "business_day_of",
    "day_bounds",
]


class DayAlreadyClosed(Exception):
    """The business day was closed before (by ``operator`` at ``desk``)."""

    def __init__(self, day: date, operator: str = "", desk: str = "") -> None:
        self.day = day
        self.operator = operator
        self.desk = desk
        super().__init__(f"business day {day.isoformat()} is already closed")


def day_bounds(day: date, cutoff: time, tz: tzinfo) -> tuple[datetime, datetime]:
    """The business day ``day`` as aware UTC times: (start included, end excluded)."""
    start = datetime.combine(day - timedelta(days=1), cutoff, tzinfo=tz)
    end = datetime.combine(day, cutoff, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def business_day_of(when: datetime, cutoff: time, tz: tzinfo) -> date:
    """The business day an aware time belongs to (at the cut-off: the next day)."""
    local = when.astimezone(tz)
    day = local.date()
    if local.replace(tzinfo=None) >= datetime.combine(day, cutoff):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True, slots=True)
class DayLine:
    """The figures of one group of a day's orders (all of them, a card brand, an operator
    or a desk; ``key`` names the group, "" for orders no one's name is on). Cents."""

    key: str = ""
    sales_count: int = 0
    sales_cents: int = 0
    refunds_count: int = 0
    refunds_cents: int = 0
    voids_count: int = 0
    voids_cents: int = 0

    @property
    def net_cents(self) -> int:
        return self.sales_cents - self.refunds_cents - self.voids_cents

    @property
    def count(self) -> int:
        return self.sales_count + self.refunds_count + self.voids_count


@dataclass(frozen=True, slots=True)
class DayFigures:
    """A business day's totals: all orders, then by card brand (IOTPay's cardType: V, M,
    A …; a refund or void counts under its payment's brand), operator and desk. Only
    successful orders count (status 2 or 3); ``failed_count`` says how many failed."""

    day: date
    since: datetime
    until: datetime
    currency: str
    total: DayLine
    by_brand: tuple[DayLine, ...] = ()
    by_operator: tuple[DayLine, ...] = ()
    by_desk: tuple[DayLine, ...] = ()
    failed_count: int = 0

    def to_json(self) -> dict[str, object]:
        """The figures as JSON values (how a closed day keeps them)."""

        def lines(rows: Sequence[DayLine]) -> list[dict[str, object]]:
            return [_line_json(r) for r in rows]

        return {
            "day": self.day.isoformat(),
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "currency": self.currency,
            "total": _line_json(self.total),
            "by_brand": lines(self.by_brand),
            "by_operator": lines(self.by_operator),
            "by_desk": lines(self.by_desk),
            "failed_count": self.failed_count,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DayFigures:
        def lines(key: str) -> tuple[DayLine, ...]:
            rows = data.get(key) or []
            assert isinstance(rows, list)
            return tuple(DayLine(**r) for r in rows)

        total = data["total"]
        assert isinstance(total, dict)
        failed = data.get("failed_count", 0)
        return cls(
            day=date.fromisoformat(str(data["day"])),
            since=datetime.fromisoformat(str(data["since"])),
            until=datetime.fromisoformat(str(data["until"])),
            currency=str(data.get("currency", "CAD")),
            total=DayLine(**total),
            by_brand=lines("by_brand"),
            by_operator=lines("by_operator"),
            by_desk=lines("by_desk"),
            failed_count=int(failed) if isinstance(failed, int) else 0,
        )


def _line_json(line: DayLine) -> dict[str, object]:
    return {
        "key": line.key,
        "sales_count": line.sales_count,
        "sales_cents": line.sales_cents,
        "refunds_count": line.refunds_count,
        "refunds_cents": line.refunds_cents,
        "voids_count": line.voids_count,
        "voids_cents": line.voids_cents,
    }


@dataclass(frozen=True, slots=True)
class DailyNet:
    """One business day's net (cents) and how many successful orders made it."""

    day: date
    net_cents: int
    sales_cents: int = 0
    count: int = 0


ATTENTION_KINDS = (
    "outcome_unknown",  # a charge or purchase the desk sent whose outcome is not known
    "refund_unconfirmed",  # a refund or void the desk sent that IOTPay has not confirmed
    "status_differs",  # the ledger and IOTPay disagree (the last reconciliation)
    "not_found",  # IOTPay has no such order (the last reconciliation)
    "not_confirmed",  # an order only notified, never confirmed with cc_query
    "no_notification",  # a payment with no notification although a receiver runs
)


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """Something of a business day a person must look at. ``kind``: one of
    :data:`ATTENTION_KINDS`; ``detail``: what differs or why (no card number)."""

    kind: str
    pay_order_id: str = ""
    mch_order_no: str = ""
    amount_cents: int = 0
    action_id: int | None = None
    at: datetime | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DayClose:
    """A closed business day: who closed it, when, and its figures as closed."""

    id: int
    mch_id: str
    day: date
    closed_at: datetime
    operator: str
    desk: str
    cutoff: str  # HH:MM
    timezone: str
    figures: DayFigures
    digest: str  # SHA-256 of the day's orders as closed (hex)


@dataclass(frozen=True, slots=True)
class DayChange:
    """An order of a closed day that is not as it was when the day was closed: ``what``
    is ``added`` (not in the day then), ``removed`` (no longer in the day) or
    ``changed``; ``before``/``after`` are (status, amount, refunded) or None."""

    pay_order_id: str
    what: str
    kind: str
    before: tuple[int, int, int] | None
    after: tuple[int, int, int] | None


class DayStore(Protocol):
    """Business days in the ledger (``LedgerJournal.days``). Blocking calls."""

    def figures(self, mch_id: str, day: date, cutoff: time, tz: tzinfo) -> DayFigures: ...

    def daily_nets(
        self, mch_id: str, first: date, last: date, cutoff: time, tz: tzinfo
    ) -> list[DailyNet]:
        """Every business day from ``first`` to ``last`` (both included), in order, days
        without orders at 0."""
        ...

    def attention(
        self,
        mch_id: str,
        day: date,
        cutoff: time,
        tz: tzinfo,
        *,
        receiver_runs: bool = False,
        limit: int = 500,
    ) -> list[AttentionItem]: ...

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
        """Close the day: its figures and orders kept as they are now, in one
        transaction with its audit row. A day is closed once (``DayAlreadyClosed``)."""
        ...

    def get_close(self, mch_id: str, day: date) -> DayClose | None: ...

    def closes(self, mch_id: str, first: date, last: date) -> list[DayClose]: ...

    def changes_since_close(self, mch_id: str, day: date, *, limit: int = 500) -> list[DayChange]:
        """What changed in a closed day since it was closed ([] if not closed)."""
        ...

"""Bank deposits as the services see them: a statement's deposits and their matches to
business days' nets (no database here: ``iotpay_desk.ledger.deposits`` reads and writes
them), and the matcher that pairs them. Plain Python: no Qt, no SQLAlchemy.

Only deposits (money in) are kept: the card processor pays each business day's net into
the account; withdrawals on a statement are the merchant's other business and are left out.

How deposits are matched (:func:`plan_matches`): a deposit pays one business day, or 2–3
consecutive days together (a weekend, a holiday), whose nets add up to exactly its amount,
and it is posted within the window after the (last) day: by default 0 to 5 calendar days.
A single day is preferred to several, then the closest date. Each day is paid by one
deposit at most and each deposit pays once. When two pairings are equally good and share
a deposit or a day, neither is made: they are listed as ambiguous for a person to decide.
Days whose net is 0 need no deposit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP

from .days import DailyNet

__all__ = [
    "DEFAULT_WINDOW",
    "MAX_RUN_DAYS",
    "AddedDeposits",
    "AmbiguousMatch",
    "DayAlreadyPaid",
    "Deposit",
    "DepositAlreadyMatched",
    "DepositError",
    "DepositMatch",
    "DepositNotFound",
    "DepositStore",
    "DepositWindow",
    "MatchPlan",
    "NewDeposit",
    "PlannedMatch",
    "plan_matches",
]

MAX_RUN_DAYS = 3
"""Consecutive calendar days one deposit may pay together (Friday to Sunday)."""


@dataclass(frozen=True, slots=True)
class DepositWindow:
    """When a day's deposit may be posted: ``first`` to ``last`` calendar days after the
    business day (both included)."""

    first: int = 0
    last: int = 5

    def __post_init__(self) -> None:
        if not (0 <= self.first <= self.last <= 31):
            raise ValueError("window: 0 <= first <= last <= 31 days")


DEFAULT_WINDOW = DepositWindow()


class DepositError(Exception):
    """A deposit change refused; ``reason`` is a ``Deposits`` source text (``%1``… are
    ``args``), shown translated by the GUI."""

    def __init__(self, reason: str, *args: object) -> None:
        self.reason = reason
        self.args_ = tuple(str(a) for a in args)
        text = reason
        for i, a in enumerate(self.args_, 1):
            text = text.replace(f"%{i}", a)
        super().__init__(text)


class DepositNotFound(DepositError):
    def __init__(self, deposit_id: int) -> None:
        self.deposit_id = deposit_id
        super().__init__(
            QT_TRANSLATE_NOOP("Deposits", "There is no deposit %1 in the ledger."), deposit_id
        )


class DepositAlreadyMatched(DepositError):
    def __init__(self, deposit_id: int) -> None:
        self.deposit_id = deposit_id
        super().__init__(
            QT_TRANSLATE_NOOP(
                "Deposits", "The deposit is already matched to a day: undo that match first."
            )
        )


class DayAlreadyPaid(DepositError):
    def __init__(self, day: date) -> None:
        self.day = day
        super().__init__(
            QT_TRANSLATE_NOOP(
                "Deposits",
                "The business day %1 is already matched to another deposit: undo that match first.",
            ),
            day.isoformat(),
        )


@dataclass(frozen=True, slots=True)
class NewDeposit:
    """A deposit of a statement, to be stored (``ref``: the bank's id or the line's)."""

    account: str
    posted_on: date
    amount_cents: int
    description: str
    ref: str


@dataclass(frozen=True, slots=True)
class DepositMatch:
    """A business day paid by a deposit: its net when matched, ``how`` auto or manual."""

    id: int
    deposit_id: int
    day: date
    day_net_cents: int
    how: str
    operator: str
    matched_at: datetime


@dataclass(frozen=True, slots=True)
class Deposit:
    """A deposit in the ledger with the days it pays (none: not matched)."""

    id: int
    mch_id: str
    account: str
    posted_on: date
    amount_cents: int
    description: str
    ref: str
    source: str
    file_name: str
    operator: str
    imported_at: datetime
    matches: tuple[DepositMatch, ...] = ()

    @property
    def matched(self) -> bool:
        return bool(self.matches)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(m.day for m in self.matches)

    @property
    def difference_cents(self) -> int:
        """The deposit less the nets of its days when matched (0 for an automatic match)."""
        return self.amount_cents - sum(m.day_net_cents for m in self.matches)


@dataclass(frozen=True, slots=True)
class AddedDeposits:
    """What storing a statement's deposits did: ``added`` new, ``already`` there before."""

    added: int
    already: int
    ids: tuple[int, ...] = ()


class DepositStore(Protocol):
    """Bank deposits in the ledger (``LedgerJournal.deposits``). Blocking calls."""

    def add(
        self,
        mch_id: str,
        deposits: Sequence[NewDeposit],
        *,
        source: str,
        file_name: str,
        operator: str,
        now: datetime | None = None,
        audit: tuple[str, Mapping[str, Any]] | None = None,
    ) -> AddedDeposits:
        """Store a statement's deposits in one transaction; one already there (same
        account and ref) is not added again. ``audit``: (event, detail) of the audit row
        written in the same transaction (with ``added`` and ``already``)."""
        ...

    def get(self, mch_id: str, deposit_id: int) -> Deposit | None: ...

    def between(self, mch_id: str, first: date, last: date) -> list[Deposit]:
        """Deposits posted from ``first`` to ``last`` (included), oldest first, with their
        matches."""
        ...

    def matched_days(self, mch_id: str, first: date, last: date) -> list[DepositMatch]:
        """Matches of the business days ``first`` to ``last``, by day."""
        ...

    def overview(
        self, mch_id: str, posted_first: date, posted_last: date, first_day: date, last_day: date
    ) -> tuple[list[Deposit], list[DepositMatch]]:
        """Deposits posted from ``posted_first`` to ``posted_last`` and the matches of the
        business days ``first_day`` to ``last_day``, read as of one moment."""
        ...

    def record_matches(
        self,
        mch_id: str,
        pairs: Sequence[tuple[int, Sequence[DailyNet]]],
        *,
        how: str,
        operator: str,
        now: datetime | None = None,
        audit: tuple[str, Mapping[str, Any]] | None = None,
    ) -> list[DepositMatch]:
        """Match each deposit to its days, all in one transaction with its audit row
        (``audit``, with the ``matches`` made): a deposit already matched
        (:class:`DepositAlreadyMatched`) or a day already paid (:class:`DayAlreadyPaid`)
        refuses the whole call."""
        ...

    def unmatch(
        self,
        mch_id: str,
        deposit_id: int,
        *,
        operator: str = "",
        now: datetime | None = None,
        audit: tuple[str, Mapping[str, Any]] | None = None,
    ) -> list[DepositMatch]:
        """Undo a deposit's matches (one transaction, with its audit row when one was
        removed: ``audit`` with the ``days`` and ``how``); the matches removed."""
        ...


# ---------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class PlannedMatch:
    """A deposit and the day(s) it pays, ``lag`` days after the last."""

    deposit_id: int
    days: tuple[DailyNet, ...]
    lag: int

    @property
    def net_cents(self) -> int:
        return sum(d.net_cents for d in self.days)


@dataclass(frozen=True, slots=True)
class AmbiguousMatch:
    """A deposit that could pay any of ``options`` (each a tuple of days) equally well,
    or days several deposits could pay equally well: left for a person."""

    deposit_ids: tuple[int, ...]
    options: tuple[tuple[date, ...], ...]


@dataclass(frozen=True, slots=True)
class MatchPlan:
    matches: tuple[PlannedMatch, ...] = ()
    ambiguous: tuple[AmbiguousMatch, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class _Candidate:
    deposit_id: int
    days: tuple[DailyNet, ...]
    lag: int

    @property
    def rank(self) -> tuple[int, int]:
        return (len(self.days), self.lag)


def plan_matches(
    deposits: Iterable[tuple[int, date, int]],
    nets: Iterable[DailyNet],
    *,
    window: DepositWindow = DEFAULT_WINDOW,
    max_run: int = MAX_RUN_DAYS,
) -> MatchPlan:
    """Pair deposits ``(id, posted_on, amount_cents)`` not matched yet with business days
    not paid yet (``nets``; days at 0 need no deposit). See the module doc."""
    by_day = {n.day: n for n in nets}
    candidates: list[_Candidate] = []
    for dep_id, posted, amount in deposits:
        if amount <= 0:
            continue
        for lag in range(window.first, window.last + 1):
            end = posted - timedelta(days=lag)
            last = by_day.get(end)
            if last is None or last.net_cents == 0:
                continue
            for length in range(1, max_run + 1):
                span = [by_day.get(end - timedelta(days=k)) for k in range(length)]
                if any(d is None for d in span):
                    break
                run = tuple(d for d in reversed(span) if d is not None and d.net_cents != 0)
                if span[-1] is None or span[-1].net_cents == 0:
                    continue  # starts on a day at 0: the shorter run is the same
                if sum(d.net_cents for d in run) == amount:
                    candidates.append(_Candidate(dep_id, run, lag))
    # Best first: fewer days, then the closest date. Within one rank, pairings that share
    # a deposit or a day are a tie no one can decide here.
    candidates.sort(key=lambda c: (c.rank, c.deposit_id))
    used_deposits: set[int] = set()
    used_days: set[date] = set()
    matches: list[PlannedMatch] = []
    ambiguous: list[AmbiguousMatch] = []
    i = 0
    while i < len(candidates):
        rank = candidates[i].rank
        j = i
        while j < len(candidates) and candidates[j].rank == rank:
            j += 1
        level = [
            c
            for c in candidates[i:j]
            if c.deposit_id not in used_deposits and not any(d.day in used_days for d in c.days)
        ]
        for group in _conflict_groups(level):
            if len(group) == 1:
                c = group[0]
                matches.append(PlannedMatch(c.deposit_id, c.days, c.lag))
            else:
                ambiguous.append(
                    AmbiguousMatch(
                        tuple(sorted({c.deposit_id for c in group})),
                        tuple(sorted({tuple(d.day for d in c.days) for c in group})),
                    )
                )
            for c in group:
                used_deposits.add(c.deposit_id)
                used_days.update(d.day for d in c.days)
        i = j
    matches.sort(key=lambda m: m.days[0].day)
    return MatchPlan(tuple(matches), tuple(ambiguous))


def _conflict_groups(level: list[_Candidate]) -> list[list[_Candidate]]:
    """The candidates of one rank in groups joined by a shared deposit or day."""
    parent = list(range(len(level)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[object, int] = {}
    for k, c in enumerate(level):
        for key in (("d", c.deposit_id), *(("day", d.day) for d in c.days)):
            if key in owner:
                parent[find(k)] = find(owner[key])
            else:
                owner[key] = k
    groups: dict[int, list[_Candidate]] = {}
    for k, c in enumerate(level):
        groups.setdefault(find(k), []).append(c)
    return list(groups.values())

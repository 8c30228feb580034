"""Bank deposits: a bank statement imported and its deposits matched to days' nets.

A statement (CSV, OFX or QFX) is read first (:meth:`Deposits.read_statement`: what it
holds, the lines it cannot read, nothing stored), then imported
(:meth:`Deposits.import_statement`: its deposits stored in one transaction; a statement
imported twice adds nothing). :meth:`Deposits.match` pairs the deposits of a period with
its business days' nets (:func:`iotpay_desk.journal.deposits.plan_matches`) and stores the
pairs; :meth:`Deposits.report` lists what is matched and what is not. An operator may
match a deposit by hand and undo a match. Imports, matches by hand and undoing are in the
audit trail.

Plain asyncio Python: nothing here imports Qt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from iotpay_desk.journal.days import DailyNet
from iotpay_desk.journal.deposits import (
    DEFAULT_WINDOW,
    AmbiguousMatch,
    DayAlreadyPaid,
    Deposit,
    DepositAlreadyMatched,
    DepositMatch,
    DepositNotFound,
    DepositWindow,
    NewDeposit,
    plan_matches,
)
from iotpay_desk.journal.statements import StatementPlan, read_statement

from .context import MoneyContext
from .errors import InvalidInput

__all__ = [
    "MAX_PERIOD_DAYS",
    "DayWithoutDeposit",
    "DepositReport",
    "Deposits",
    "ImportResult",
    "MatchReport",
]

MAX_PERIOD_DAYS = 400
"""The longest period matched or listed at once."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A statement imported: deposits ``added``, ``already`` in the ledger, and the
    statement's withdrawals and bad lines left out."""

    file_name: str
    added: int
    already: int
    withdrawals: int
    bad_lines: int


@dataclass(frozen=True, slots=True)
class DayWithoutDeposit:
    """A business day with a net and no deposit matched: ``overdue`` once its window has
    passed (no deposit yet), else its deposit may still come."""

    day: date
    net_cents: int
    overdue: bool


@dataclass(frozen=True, slots=True)
class DepositReport:
    """A period's deposits (posted from its first day to its last plus the window) and
    business days: deposits matched (with their days) and not, days without a deposit."""

    first: date
    last: date
    deposits: tuple[Deposit, ...]
    days_without_deposit: tuple[DayWithoutDeposit, ...]
    nets: tuple[DailyNet, ...]

    @property
    def matched(self) -> tuple[Deposit, ...]:
        return tuple(d for d in self.deposits if d.matched)

    @property
    def unmatched(self) -> tuple[Deposit, ...]:
        return tuple(d for d in self.deposits if not d.matched)


@dataclass(frozen=True, slots=True)
class MatchReport:
    """What :meth:`Deposits.match` did: ``matched`` deposits newly matched, ``ambiguous``
    ties left for a person, and the period's report after."""

    matched: tuple[Deposit, ...]
    ambiguous: tuple[AmbiguousMatch, ...]
    report: DepositReport


class Deposits:
    """Bank statements and deposits of one :class:`MoneyContext`'s merchant."""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx
        self.window: DepositWindow = DEFAULT_WINDOW

    def set_window(self, first: int, last: int) -> None:
        """When a day's deposit may be posted: ``first`` to ``last`` days after it."""
        try:
            self.window = DepositWindow(int(first), int(last))
        except ValueError:
            raise InvalidInput("window", "0 ≤ first ≤ last ≤ 31 days") from None

    # ------------------------------------------------------------------ statements

    async def read_statement(
        self, path: str | Path, *, date_order: str | None = None, account: str = ""
    ) -> StatementPlan:
        """The statement file read, nothing stored. Raises
        :class:`~iotpay_desk.journal.statements.StatementError` for a file that cannot be
        read, :class:`~iotpay_desk.journal.statements.DateOrderUnknown` when the person
        must say whether its dates are day first ("dmy") or month first ("mdy")."""
        return await self._ctx.db(read_statement, path, date_order=date_order, account=account)

    async def import_statement(self, plan: StatementPlan) -> ImportResult:
        """Store the statement's deposits (one transaction) and an audit row."""
        ctx = self._ctx
        new = [
            NewDeposit(x.account, x.posted_on, x.amount_cents, x.description, x.ref)
            for x in plan.deposits
        ]
        audit = {
            "file": plan.file_name,
            "format": plan.source,
            "withdrawals_left_out": plan.withdrawals,
            "bad_lines": len(plan.bad_lines),
        }
        added = await ctx.db(
            ctx.journal.deposits.add,
            ctx.mch_id,
            new,
            source=plan.source,
            file_name=plan.file_name,
            operator=ctx.operator,
            now=ctx.clock(),
            audit=("deposits_import", audit),
        )
        return ImportResult(
            plan.file_name, added.added, added.already, plan.withdrawals, len(plan.bad_lines)
        )

    # ------------------------------------------------------------------ matching

    async def match(self, first_day: date, last_day: date) -> MatchReport:
        """Match the period's unmatched deposits to its unpaid days and store the pairs
        (how=auto, one transaction). If another desk matched some of them meanwhile, the
        whole batch is refused by the ledger and planned again once from what it holds."""
        ctx = self._ctx
        self._check_period(first_day, last_day)
        for attempt in (1, 2):
            nets, deposits, matches = await self._load(first_day, last_day)
            paid = {m.day for m in matches} | {m.day for d in deposits for m in d.matches}
            free_days = [n for n in nets if n.day not in paid]
            free = [(d.id, d.posted_on, d.amount_cents) for d in deposits if not d.matched]
            plan = plan_matches(free, free_days, window=self.window)
            if not plan.matches:
                break
            try:
                await ctx.db(
                    ctx.journal.deposits.record_matches,
                    ctx.mch_id,
                    [(m.deposit_id, m.days) for m in plan.matches],
                    how="auto",
                    operator=ctx.operator,
                    now=ctx.clock(),
                    audit=(
                        "deposits_matched",
                        {"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
                    ),
                )
                break
            except (DepositAlreadyMatched, DayAlreadyPaid):
                if attempt == 2:
                    raise
        report = await self.report(first_day, last_day)
        ids = {m.deposit_id for m in plan.matches}
        matched = tuple(d for d in report.deposits if d.id in ids)
        return MatchReport(matched, plan.ambiguous, report)

    async def report(self, first_day: date, last_day: date) -> DepositReport:
        """The period's deposits and days (see :class:`DepositReport`)."""
        self._check_period(first_day, last_day)
        ctx = self._ctx
        nets, deposits, matches = await self._load(first_day, last_day)
        paid = {m.day for m in matches}
        today = ctx.today()
        without = tuple(
            DayWithoutDeposit(n.day, n.net_cents, n.day + timedelta(days=self.window.last) < today)
            for n in nets
            if n.net_cents != 0 and n.day not in paid
        )
        return DepositReport(first_day, last_day, tuple(deposits), without, tuple(nets))

    async def match_by_hand(self, deposit_id: int, days: Sequence[date]) -> Deposit:
        """Match a deposit to business days chosen by the operator (how=manual), whatever
        the amounts: the difference is shown. An audit row says who did it."""
        ctx = self._ctx
        if not days:
            raise InvalidInput("days", "choose at least one business day")
        chosen = sorted(set(days))
        deposit = await ctx.db(ctx.journal.deposits.get, ctx.mch_id, deposit_id)
        if deposit is None:
            raise DepositNotFound(deposit_id)
        if deposit.matched:
            raise DepositAlreadyMatched(deposit_id)
        nets = await ctx.db(
            ctx.journal.days.daily_nets, ctx.mch_id, chosen[0], chosen[-1], ctx.cutoff, ctx.tz
        )
        by_day = {n.day: n for n in nets}
        picked = [by_day.get(d, DailyNet(d, 0)) for d in chosen]
        await ctx.db(
            ctx.journal.deposits.record_matches,
            ctx.mch_id,
            [(deposit_id, picked)],
            how="manual",
            operator=ctx.operator,
            now=ctx.clock(),
            audit=(
                "deposit_match",
                {
                    "deposit_id": deposit_id,
                    "posted_on": deposit.posted_on.isoformat(),
                    "amount_cents": deposit.amount_cents,
                    "days": [d.isoformat() for d in chosen],
                    "nets_cents": [n.net_cents for n in picked],
                },
            ),
        )
        done = await ctx.db(ctx.journal.deposits.get, ctx.mch_id, deposit_id)
        assert done is not None
        return done

    async def unmatch(self, deposit_id: int) -> int:
        """Undo a deposit's match (auto or manual); how many days it paid. An audit row."""
        ctx = self._ctx
        removed = await ctx.db(
            ctx.journal.deposits.unmatch,
            ctx.mch_id,
            deposit_id,
            operator=ctx.operator,
            now=ctx.clock(),
            audit=("deposit_unmatch", {"deposit_id": deposit_id}),
        )
        if not removed:
            deposit = await ctx.db(ctx.journal.deposits.get, ctx.mch_id, deposit_id)
            if deposit is None:
                raise DepositNotFound(deposit_id)
        return len(removed)

    # ------------------------------------------------------------------ plumbing

    def _check_period(self, first: date, last: date) -> None:
        if last < first:
            raise InvalidInput("period", "the first day comes after the last")
        if (last - first).days >= MAX_PERIOD_DAYS:
            raise InvalidInput("period", f"at most {MAX_PERIOD_DAYS} days at once")

    async def _load(
        self, first: date, last: date
    ) -> tuple[list[DailyNet], list[Deposit], list[DepositMatch]]:
        ctx = self._ctx
        nets = await ctx.db(
            ctx.journal.days.daily_nets, ctx.mch_id, first, last, ctx.cutoff, ctx.tz
        )
        deposits, matches = await ctx.db(
            ctx.journal.deposits.overview,
            ctx.mch_id,
            first + timedelta(days=self.window.first),
            last + timedelta(days=self.window.last),
            first,
            last,
        )
        return nets, deposits, matches

"""Looking up: an order by either of its ids with its refunds and voids, the recent
look-ups, and the journal's actions and audit trail, a page at a time. Never sends a
money-moving call; an unresolved refund or void of the order gets one look
(:meth:`.checking.Checker.check`).

A look-up needs IOTPay, not the ledger: when the ledger cannot be reached
(:class:`~iotpay_desk.journal.errors.LedgerUnavailable`) it still shows IOTPay's answer,
with ``ledger_missing`` set: the refunds and voids made through the desks, the
notifications and the recent list are not there, so what is left to refund is not known
and nothing may act on the payment."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import datetime

from iotpay_desk.api import IotPayRejected, Order, Outcome, QueryRequest, rules
from iotpay_desk.api.rules import RuleCode
from iotpay_desk.journal import Action, ActionState, AuditEntry, Lookup, Notification
from iotpay_desk.journal.books import BookEntry, BookKey, BooksFilter
from iotpay_desk.journal.errors import LedgerUnavailable

from .checking import IN_FLIGHT_GRACE_S, Checker
from .context import MoneyContext
from .errors import InvalidInput, OrderNotFound, RefusedByIotPay
from .results import ActionResult, result_of
from .rules import Advice, StatusWord, advice, looks_like_pay_order_id, settles_at, status_word

__all__ = ["Lookups", "OrderDetail"]


@dataclass(frozen=True, slots=True)
class OrderDetail:
    """What the Orders screen shows for one order."""

    order: Order
    status: StatusWord
    refundable_cents: int
    advice: Advice
    settles_at: datetime | None
    returns: tuple[ActionResult, ...] = ()
    refunded_elsewhere_cents: int = 0
    lookup: Lookup | None = field(default=None, compare=False)
    # IOTPay's notifications of this order that a notify receiver recorded, newest first
    # (none unless the merchant runs one; the desk never depends on them).
    notifications: tuple[Notification, ...] = ()
    # The ledger could not be reached: ``returns``, ``notifications`` and ``lookup`` are
    # missing (not empty), so "left to refund" is not known and no refund or void may
    # start from this picture.
    ledger_missing: bool = False

    @property
    def in_flight(self) -> tuple[ActionResult, ...]:
        """Refunds and voids of this payment whose outcome is not known yet."""
        return tuple(r for r in self.returns if r.checking)

    @property
    def pending_cents(self) -> int:
        """What the refunds and voids in flight would take, if they succeed."""
        return sum(r.action.amount_cents or 0 for r in self.in_flight)

    @property
    def refundable_now(self) -> int:
        """What a new refund may take: IOTPay's refundable less what is in flight."""
        return max(0, self.refundable_cents - self.pending_cents)

    @property
    def returned_cents(self) -> int:
        """Refunded or voided through this desk (succeeded actions)."""
        return sum(
            r.order.amount if r.order else (r.action.amount_cents or 0)
            for r in self.returns
            if r.succeeded
        )


class Lookups:
    """Orders, look-ups and the journal's pages for one :class:`MoneyContext`."""

    def __init__(self, ctx: MoneyContext, checker: Checker) -> None:
        self._ctx = ctx
        self._checker = checker

    async def lookup(self, text: str) -> OrderDetail:
        """Find an order by payOrderId or mchOrderNo (whichever it looks like first, then
        the other), with its refunds and voids from the journal (unresolved ones checked
        with IOTPay once). Records the lookup for the recent list."""
        query = text.strip()
        if not query:
            raise InvalidInput("query", RuleCode.REQUIRED)
        problem = rules.id30(query)
        if problem:
            raise InvalidInput("query", problem)
        ways = ["payOrderId", "mchOrderNo"]
        if not looks_like_pay_order_id(query):
            ways.reverse()
        order: Order | None = None
        for way in ways:
            req = (
                QueryRequest(pay_order_id=query)
                if way == "payOrderId"
                else QueryRequest(mch_order_no=query)
            )
            try:
                order = await self._ctx.query(req)
                break
            except IotPayRejected as exc:
                if not exc.is_not_found:
                    raise RefusedByIotPay(exc.ret_msg) from None
        if order is None:
            raise OrderNotFound(query)
        return await self._detail(order, query)

    async def order_detail(self, pay_order_id: str) -> OrderDetail:
        """The detail of a payment, freshly queried by its payOrderId (no lookup recorded)."""
        return await self._detail(await self._ctx.order_by_id(pay_order_id), None)

    async def _detail(self, order: Order, query: str | None) -> OrderDetail:
        ctx = self._ctx
        missing = False
        try:
            actions = await ctx.db(ctx.journal.actions_for_target, ctx.mch_id, order.pay_order_id)
        except LedgerUnavailable:
            actions, missing = [], True
        results: list[ActionResult] = []
        now = ctx.clock()
        for action in actions:
            if missing or (
                action.state is ActionState.INTENT
                and (now - action.created_at).total_seconds() < IN_FLIGHT_GRACE_S
            ):
                # Just sent, by another window or desk: its answer is on the way. (Or
                # the ledger went away during an earlier check: shown as it was read.)
                results.append(result_of(action))
            elif action.is_open and action.mch_no not in ctx.tasks:
                # One look now; the full backoff is resolve()'s job.
                task = ctx.own(action.mch_no, self._checker.check(action, delays=(0.0,)))
                try:
                    results.append(await asyncio.shield(task))
                except LedgerUnavailable:
                    results.append(result_of(action))
                    missing = True
            else:
                results.append(result_of(action))
        returned = sum(
            r.order.amount if r.order else (r.action.amount_cents or 0)
            for r in results
            if r.succeeded
        )
        elsewhere = 0
        if not order.is_refund and order.outcome is Outcome.SUCCEEDED:
            elsewhere = max(0, order.amount - order.refundable - returned)
        notifications: list[Notification] = []
        lookup = None
        if not missing:
            try:
                # IOTPay just confirmed it (cc_query): in the merchant's books.
                await ctx.db(
                    ctx.journal.record_order,
                    replace(order, mch_id=ctx.mch_id),  # the merchant it was asked for
                    source="lookup",
                    confirmed=True,
                    now=ctx.clock(),
                )
                notifications = await ctx.db(
                    ctx.journal.notifications, ctx.mch_id, order.pay_order_id, limit=10
                )
                if query is not None:
                    lookup = await ctx.db(
                        ctx.journal.record_lookup,
                        ctx.mch_id,
                        query,
                        order.pay_order_id,
                        order.mch_order_no,
                        now=ctx.clock(),
                    )
            except LedgerUnavailable:
                missing = True
        return OrderDetail(
            order=order,
            status=status_word(order.status),
            refundable_cents=order.refundable if not order.is_refund else 0,
            advice=advice(order, ctx.clock(), ctx.cutoff, ctx.tz),
            settles_at=None if order.is_refund else settles_at(order, ctx.cutoff, ctx.tz),
            returns=tuple(results),
            refunded_elsewhere_cents=elsewhere,
            lookup=lookup,
            notifications=tuple(notifications),
            ledger_missing=missing,
        )

    async def books_page(
        self,
        flt: BooksFilter,
        *,
        limit: int = 100,
        after: BookKey | None = None,
        through: BookKey | None = None,
    ) -> list[BookEntry]:
        """A page of this merchant's books (every order its desks saw), newest first."""
        ctx = self._ctx
        return await ctx.db(
            ctx.journal.books_page, ctx.mch_id, flt, limit=limit, after=after, through=through
        )

    async def recent_lookups(self, limit: int = 20) -> list[Lookup]:
        return await self._ctx.db(self._ctx.journal.recent_lookups, self._ctx.mch_id, limit)

    async def audit_page(self, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
        """The Activity screen's audit trail, newest first, a page at a time."""
        return await self._ctx.db(self._ctx.journal.audit_page, limit, before_id)

    async def open_actions(self) -> list[Action]:
        """Unresolved refunds and voids of this merchant (the "checking" list)."""
        return await self._ctx.db(self._ctx.journal.open_actions, self._ctx.mch_id)

    async def actions_page(self, limit: int = 100, before_id: int | None = None) -> list[Action]:
        """Journal actions newest first, a page at a time."""
        return await self._ctx.db(self._ctx.journal.actions_page, limit, before_id)

    async def audit_for_action(self, action_id: int) -> list[AuditEntry]:
        """Every audit entry of one action, oldest first."""
        return await self._ctx.db(self._ctx.journal.audit_for_action, action_id)

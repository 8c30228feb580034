"""Finding out, with ``cc_query``, what became of a money action whose outcome is not
known. Nothing here ever sends a money-moving call.

One look (:meth:`Checker.look`) asks IOTPay for the action's number once and completes
the action when the answer is final, or when IOTPay still has no order after the
profile's window. The one check loop (:meth:`Checker.check`) repeats looks on the
backoff schedule and records each look that settled nothing; everything that checks an
unresolved action goes through it: :meth:`~Checker.resolve` (and
:meth:`~Checker.resolve_unresolved` at start-up), :meth:`~Checker.check_due` (and
:meth:`~Checker.watch` while the desk runs), a submit that finds its draft already
sent, a send whose answer was lost, a look-up, and ``send_again``'s look before it
sends. :meth:`~Checker.follow` waits on a pending charge or purchase link with the same
look.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from iotpay_desk.api import (
    CannotConnect,
    IotPayRejected,
    Order,
    Outcome,
    OutcomeUnknown,
    QueryRequest,
)
from iotpay_desk.journal import Action, ActionKind, ActionState

from .charges import FOLLOW_ATTEMPTS, FOLLOW_INTERVAL_S, PURCHASE_LINK_FINAL_AFTER_S
from .context import MoneyContext
from .errors import NotInJournal
from .results import ActionResult, result_of

__all__ = [
    "CHECK_DELAYS",
    "IN_FLIGHT_GRACE_S",
    "LATER_CHECK_FIRST_S",
    "LATER_CHECK_MAX_S",
    "NOT_RECEIVED_AFTER_S",
    "WATCH_TICK_S",
    "Checker",
    "Look",
]

log = logging.getLogger(__name__)

# Seconds to wait before each cc_query check of a lost answer (about 1 minute in all).
CHECK_DELAYS: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
# A lost call is called "not received" only when IOTPay still has no order this long
# after the intent: a slow or congested IOTPay, or a proxy on the way, may commit a call
# long after the desk stopped waiting. Until then the action stays unresolved ("IOTPay
# has no record of it yet") and is checked again with growing gaps (the profile's
# ``unconfirmed_hours``, never less than a day).
NOT_RECEIVED_AFTER_S = 24 * 3600.0
# After the first minute's checks: the gap before the next check doubles from a minute
# to at most an hour, at every start and while the desk runs (:meth:`Checker.watch`).
LATER_CHECK_FIRST_S = 60.0
# An intent younger than this is taken to be in flight (another window or desk sent it
# and awaits its answer): a look-up shows it as it is instead of checking it.
IN_FLIGHT_GRACE_S = 60.0
LATER_CHECK_MAX_S = 3600.0
WATCH_TICK_S = 20.0


@dataclass(frozen=True, slots=True)
class Look:
    """What one ``cc_query`` of an action found.

    ``done``: the action as completed by this look (final at IOTPay, or never arrived);
    ``order``: IOTPay's order, when it answered with one; ``note``: what was seen when
    nothing was settled ("not found yet", "refused: …", "could not reach IOTPay: …",
    "status 0").
    """

    done: Action | None
    order: Order | None
    note: str = ""


class Checker:
    """Resolves unknown outcomes of one :class:`MoneyContext` with ``cc_query``."""

    def __init__(self, ctx: MoneyContext) -> None:
        self._ctx = ctx

    # ------------------------------------------------------------------ schedule

    def unconfirmed_until(self, action: Action) -> datetime:
        """When an action IOTPay has no record of is called "not received" at last."""
        return action.created_at + timedelta(seconds=self._ctx.not_received_after)

    def next_check_at(self, action: Action) -> datetime:
        """When the watch checks an unresolved action again: gaps double from a minute
        to an hour after the first minute's checks, and the last check falls when the
        unconfirmed window ends (so "not received" is said on time)."""
        extra = max(0, action.attempts - len(self._ctx.check_delays))
        gap = min(LATER_CHECK_MAX_S, LATER_CHECK_FIRST_S * 2 ** min(extra, 16))
        due = action.updated_at + timedelta(seconds=gap)
        end = self.unconfirmed_until(action)
        if action.updated_at < end:
            due = min(due, end)
        return due

    # ------------------------------------------------------------------ one action

    async def look(self, action: Action) -> Look:
        """Ask IOTPay once for ``action``'s number; complete the action when the answer
        is final, or when IOTPay still has no order after the unconfirmed window."""
        ctx = self._ctx
        try:
            order = await ctx.client.query(QueryRequest(mch_order_no=action.mch_no))
        except IotPayRejected as exc:
            if not exc.is_not_found:
                return Look(None, None, f"refused: {exc.ret_msg}")
            age = (ctx.clock() - action.created_at).total_seconds()
            if age < ctx.not_received_after:
                return Look(None, None, "not found yet")
            done = await ctx.complete(
                action,
                ActionState.NOT_RECEIVED,
                ret_msg="IOTPay has no order with this id: it never arrived",
                event="resolved",
                checked=True,
            )
            return Look(done, None)
        except (CannotConnect, OutcomeUnknown) as exc:
            return Look(None, None, f"could not reach IOTPay: {exc.reason}")
        final = self.final_for(action, order)
        if final is None:
            return Look(None, order, f"status {order.status}")
        state, why = final
        done = await ctx.complete(
            action, state, order=order, ret_msg=why, event="resolved", checked=True
        )
        return Look(done, order)

    async def claim(self, action: Action) -> Action | None:
        """Take or renew this desk's lease on checking ``action`` (the ledger's
        :meth:`~iotpay_desk.journal.ActionLedger.claim_check`): None when another running
        desk holds it, or the action has ended. Only the desk holding the lease asks
        IOTPay about an action, so desks sharing a ledger never check one together."""
        ctx = self._ctx
        return await ctx.db(ctx.journal.claim_check, action.id, now=ctx.clock())

    async def _elsewhere(self, action: Action) -> ActionResult:
        """``action`` is checked by another desk (or ended): as the ledger has it now."""
        ctx = self._ctx
        fresh = await ctx.db(ctx.journal.get_action, action.id)
        if fresh.is_open:
            log.info(
                "%s %s is being checked by desk %r; left to it",
                fresh.kind.value,
                fresh.mch_no,
                fresh.lease_desk,
            )
        return result_of(fresh)

    async def check(self, action: Action, *, delays: Sequence[float] | None = None) -> ActionResult:
        """The check loop of one unresolved action: a look after each of ``delays``
        (default: the backoff schedule; one look for a purchase link), until one is
        final. The caller owns ``action.mch_no`` (or it is a one-off look). Each look is
        made under this desk's lease (:meth:`claim`); when another desk holds it, the
        loop stops and returns the action as the ledger has it."""
        ctx = self._ctx
        claimed = await self.claim(action)
        if claimed is None:
            return await self._elsewhere(action)
        action = claimed
        if action.state is ActionState.INTENT:
            action = await ctx.mark_checking(action, "no answer was recorded")
        if delays is None:
            # A purchase link waits for a customer, not for a lost answer: one look.
            link = action.kind is ActionKind.PURCHASE_LINK
            delays = (0.0,) if link else ctx.check_delays
        last: Order | None = None
        for n, delay in enumerate(delays):
            if delay > 0:
                await ctx.sleep(delay)
            if n > 0:
                renewed = await self.claim(action)
                if renewed is None:
                    return await self._elsewhere(action)
            seen = await self.look(action)
            if seen.done is not None:
                return result_of(seen.done, seen.order)
            if seen.order is not None:
                last = seen.order
                result = f"{seen.note}, not final yet"
            else:
                result = seen.note
            action = await ctx.record_check(action, result)
            if action.state.is_final:  # completed meanwhile (another window or process)
                return result_of(action)
            ctx.changed(action)
        return ActionResult(action=action, order=last)

    def final_for(self, action: Action, order: Order) -> tuple[ActionState, str] | None:
        """The final state IOTPay's order gives ``action`` (None: not final yet).

        A purchase link's page may be retried after a declined card until it expires,
        so its status 9 is final only once the page is surely gone; an unpaid link is
        closed then too.
        """
        outcome = order.outcome
        if outcome is Outcome.SUCCEEDED:
            return ActionState.SUCCEEDED, ""
        if action.kind is ActionKind.PURCHASE_LINK:
            age = (self._ctx.clock() - action.created_at).total_seconds()
            if age < PURCHASE_LINK_FINAL_AFTER_S:
                return None
            if outcome is Outcome.FAILED:
                return ActionState.DECLINED, ""
            return ActionState.FAILED, "the payment page expired before it was paid"
        if outcome is Outcome.FAILED:
            return ActionState.DECLINED, ""
        return None

    # ------------------------------------------------------------------ who checks

    async def resolve(self, action: Action | int) -> ActionResult:
        """Resolve an unresolved action with ``cc_query`` by its mch_no (with backoff).

        Never sends a money-moving call. If this service is already sending or checking
        the action, waits for that instead. A final action is returned as it is.
        """
        ctx = self._ctx
        if isinstance(action, int):
            action = await ctx.db(ctx.journal.get_action, action)
        task = ctx.tasks.get(action.mch_no)
        if task is None:
            fresh = await ctx.db(ctx.journal.get_action, action.id)
            task = ctx.tasks.get(fresh.mch_no)  # it may have started meanwhile
            if task is None:
                if fresh.state.is_final:
                    return result_of(fresh)
                task = ctx.own(fresh.mch_no, self.check(fresh))
        return await asyncio.shield(task)

    async def resolve_unresolved(self) -> list[ActionResult]:
        """At start-up: resolve every intent and checking action of this merchant."""
        ctx = self._ctx
        actions = self._mine(await ctx.db(ctx.journal.open_actions, ctx.mch_id))
        if actions:
            log.info("resolving %d unresolved action(s)", len(actions))
        return list(await asyncio.gather(*(self.resolve(a) for a in actions)))

    def _mine(self, actions: list[Action]) -> list[Action]:
        """Leave out what another running desk is checking (its lease not expired)."""
        ctx = self._ctx
        now = ctx.clock()
        return [a for a in actions if not a.checked_elsewhere(ctx.journal.desk.instance, now)]

    async def check_due(self) -> list[ActionResult]:
        """Check once, with ``cc_query``, every unresolved action of this merchant whose
        next check is due (never sends a money-moving call). Actions this service is
        already sending or checking are left to that."""
        ctx = self._ctx
        actions = self._mine(await ctx.db(ctx.journal.open_actions, ctx.mch_id))
        now = ctx.clock()
        tasks = [
            ctx.own(a.mch_no, self.check(a, delays=(0.0,)))
            for a in actions
            if a.mch_no not in ctx.tasks and self.next_check_at(a) <= now
        ]
        if not tasks:
            return []
        return list(await asyncio.gather(*(asyncio.shield(t) for t in tasks)))

    async def watch(self, tick: float = WATCH_TICK_S) -> None:
        """While the desk runs: keep checking unresolved actions when due, until cancelled.
        A failed round is logged and the watch goes on."""
        while True:
            try:
                await self.check_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("checking unresolved actions failed; trying again later")
            await asyncio.sleep(tick)

    # ------------------------------------------------------------------ following

    async def follow(
        self,
        mch_no: str,
        *,
        attempts: int = FOLLOW_ATTEMPTS,
        interval: float = FOLLOW_INTERVAL_S,
        on_tick: Callable[[int, Order | None], None] | None = None,
    ) -> ActionResult:
        """Follow a charge or purchase link with ``cc_query`` as IOTPay's SDKs do: every
        ``interval`` seconds, up to ``attempts`` times. Returns the final result, or a
        result still ``checking`` ("outcome unknown — keep checking": call again to
        continue). ``on_tick(n, order)`` after each look (``order`` None when IOTPay
        could not be asked). Never sends a money-moving call.
        """
        ctx = self._ctx
        action = await ctx.db(ctx.journal.find_action, ctx.mch_id, mch_no)
        if action is None:
            raise NotInJournal(mch_no)
        if action.state.is_final:
            return result_of(action)
        busy = ctx.tasks.get(mch_no)
        if busy is not None:  # its submit or a check is still running: wait for it
            first = await asyncio.shield(busy)
            if first.action.state.is_final:
                return first
            action = first.action
        last: Order | None = None
        notes: list[str] = []
        for n in range(1, max(0, attempts) + 1):
            if n > 1:
                await ctx.sleep(interval)
            if await self.claim(action) is None:
                return await self._elsewhere(action)
            seen = await self.look(action)
            if seen.order is not None:
                last = seen.order
            if seen.done is not None:
                _tick(on_tick, n, seen.order)
                return result_of(seen.done, seen.order)
            notes.append(seen.note)
            _tick(on_tick, n, seen.order)
            fresh = await ctx.db(ctx.journal.get_action, action.id)
            if fresh.state.is_final:  # completed meanwhile (another window or process)
                return result_of(fresh)
        if attempts <= 0:
            return ActionResult(action=action, order=last)
        action = await ctx.record_check(
            action, f"followed {attempts} times, not final yet (last: {notes[-1]})"
        )
        if action.state.is_final:
            return result_of(action)
        ctx.changed(action)
        return ActionResult(action=action, order=last)


def _tick(on_tick: Callable[[int, Order | None], None] | None, n: int, order: Order | None) -> None:
    if on_tick is None:
        return
    try:
        on_tick(n, order)
    except Exception:
        log.exception("on_tick callback failed")

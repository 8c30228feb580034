"""What every part of the money service shares: one merchant, one operator, the client,
the journal and the clock, the one task that owns each action's number, and the journal
writes that record where an action stands (each followed by ``on_change``).

Threading: every coroutine is for the one asyncio loop (the GUI's qasync loop);
blocking journal work runs in ``asyncio.to_thread``. ``on_change`` is called on the
loop's thread after every state change of an action.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from iotpay_desk.api import (
    CannotConnect,
    InvalidRequest,
    IotPayRejected,
    Order,
    OutcomeUnknown,
    QueryRequest,
    Request,
    request_params,
    rules,
)
from iotpay_desk.api.rules import BrokenRule, RuleCode
from iotpay_desk.journal import Action, ActionState, Ledger

from .errors import CannotReachIotPay, InvalidInput, OrderNotFound, RefusedByIotPay
from .results import ActionResult
from .threads import ThreadCalls

if TYPE_CHECKING:
    from iotpay_desk.api.client import IotPayClient

__all__ = ["TEXT_MAX", "MoneyContext", "check_texts"]

log = logging.getLogger(__name__)

TEXT_MAX = 500  # reason and note (kept in the journal only; IOTPay has no such fields)
_API_FIELDS = {"refundAmount": "amount", "loginName": "operator"}

_P = ParamSpec("_P")
_T = TypeVar("_T")


def check_texts(subject: str, note: str) -> None:
    """A charge's or purchase link's subject (IOTPay's, 64 at most) and note (ours)."""
    if not isinstance(subject, str):
        raise InvalidInput("subject", RuleCode.TEXT)
    if subject.strip():
        problem = rules.text(64)(subject)
        if problem:
            raise InvalidInput("subject", problem)
    if not isinstance(note, str):
        raise InvalidInput("note", RuleCode.TEXT)
    if len(note) > TEXT_MAX:
        raise InvalidInput("note", BrokenRule(RuleCode.MAX_CHARS, max=TEXT_MAX))


class MoneyContext:
    """The merchant, operator, client, journal, clock and settings of one
    :class:`~.money.MoneyService`, and the plumbing its parts share."""

    def __init__(
        self,
        client: IotPayClient,
        journal: Ledger,
        *,
        operator: str,
        clock: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]],
        cutoff: time,
        tz: tzinfo,
        on_change: Callable[[Action], None] | None,
        check_delays: Sequence[float],
        not_received_after: float,
        notify_url: str | None,
        repeat_charge_within: float,
    ) -> None:
        problem = rules.text(12)(operator)
        if problem:
            raise InvalidInput("operator", problem)
        if not check_delays:
            raise ValueError("check_delays: at least one check")
        self.client = client
        self.journal = journal
        self.operator = operator
        self.mch_id = client.mch_id
        self.clock = clock
        self.sleep = sleep
        self.cutoff = cutoff
        self.tz = tz
        self.on_change = on_change
        self.check_delays = tuple(check_delays)
        self.not_received_after = not_received_after
        self.notify_url = notify_url or None
        # The "charged already?" window (seconds): the profile's repeat-charge hours.
        self.repeat_charge_within = repeat_charge_within
        # mch_no → the one task that owns it now (a submit, or a resolve).
        self.tasks: dict[str, asyncio.Task[ActionResult]] = {}
        # The journal's work in worker threads, followed until each returns.
        self.threads = ThreadCalls()

    # ------------------------------------------------------------------ plumbing

    async def db(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        return await self.threads.run(fn, *args, **kwargs)

    def changed(self, action: Action) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(action)
        except Exception:
            log.exception("on_change callback failed for action %s", action.id)

    def own(self, mch_no: str, coro: Awaitable[ActionResult]) -> asyncio.Task[ActionResult]:
        """Run ``coro`` as the one task owning ``mch_no`` (callers await it shielded)."""

        async def run() -> ActionResult:
            return await coro

        task = asyncio.get_running_loop().create_task(run())
        self.tasks[mch_no] = task

        def release(t: asyncio.Task[ActionResult]) -> None:
            if self.tasks.get(mch_no) is t:
                del self.tasks[mch_no]

        task.add_done_callback(release)
        return task

    def today(self) -> date:
        return self.clock().astimezone(self.tz).date()

    def validated(self, req: Request) -> None:
        """Check a request as IOTPay would, naming the desk's field for a broken rule."""
        try:
            request_params(req, self.mch_id)
        except InvalidRequest as exc:
            raise InvalidInput(_API_FIELDS.get(exc.field, exc.field), exc.rule) from None

    async def query(self, req: QueryRequest) -> Order:
        try:
            return await self.client.query(req)
        except (CannotConnect, OutcomeUnknown) as exc:
            raise CannotReachIotPay(exc.reason) from None

    async def order_by_id(self, pay_order_id: str) -> Order:
        """``cc_query`` by payOrderId: OrderNotFound or RefusedByIotPay when it has none."""
        try:
            return await self.query(QueryRequest(pay_order_id=pay_order_id))
        except IotPayRejected as exc:
            if exc.is_not_found:
                raise OrderNotFound(pay_order_id) from None
            raise RefusedByIotPay(exc.ret_msg) from None

    # ------------------------------------------------------------------ journal writes

    async def complete(
        self,
        action: Action,
        state: ActionState,
        *,
        order: Order | None = None,
        ret_msg: str = "",
        event: str = "answer",
        checked: bool = False,
    ) -> Action:
        done = await self.db(
            self.journal.complete,
            action.id,
            state,
            order=order,
            ret_msg=ret_msg,
            event=event,
            checked=checked,
            operator=self.operator,
            now=self.clock(),
        )
        if done.state is not action.state or done.updated_at != action.updated_at:
            self.changed(done)
        return done

    async def mark_checking(self, action: Action, why: str) -> Action:
        checking = await self.db(
            self.journal.mark_checking,
            action.id,
            why=why,
            operator=self.operator,
            now=self.clock(),
        )
        self.changed(checking)
        return checking

    async def record_check(self, action: Action, result: str) -> Action:
        """Record a check that settled nothing (``on_change`` is the caller's: a check
        may find the action completed meanwhile)."""
        return await self.db(
            self.journal.record_check,
            action.id,
            result=result,
            operator=self.operator,
            now=self.clock(),
        )

"""The money service: look up orders, refund, void, resolve unknown outcomes.

The rules it keeps (issue 4):

- Every refund or void is written to the journal as an *intent*, with its generated
  mchRefundNo, before it is sent; IOTPay's answer completes it.
- A money-moving call is sent **once**. When its answer is lost (timeout, dropped
  connection, HTTP 5xx, garbage) the action becomes *checking* and is resolved with
  ``cc_query`` by its mchRefundNo, with backoff; never by sending again. Not found at
  IOTPay → *not_received*: trying again takes a new draft (a new id).
- A *draft* (:meth:`MoneyService.new_draft`) is made when a refund or void form opens.
  Submitting one draft any number of times, at once or later (double-click, a held
  Enter, a retry after an error), sends at most one call: every submit gets the same
  result. A different draft on a payment whose action is unresolved gets
  :class:`ActionInProgress`; one opened before another action on the payment succeeded
  gets :class:`PaymentChanged`. The journal enforces both across windows and processes.
- Amounts are checked (> 0, ≤ refundable from a fresh ``cc_query`` of the payment)
  before anything is written or sent.

Threading: every method is a coroutine for the one asyncio loop (the GUI's qasync
loop); blocking journal work runs in ``asyncio.to_thread``. ``on_change`` is called on
the loop's thread after every state change of an action.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, tzinfo
from typing import ParamSpec, TypeVar

from iotpay_desk.api import (
    CannotConnect,
    InvalidRequest,
    IotPayClient,
    IotPayRejected,
    Order,
    Outcome,
    OutcomeUnknown,
    QueryRequest,
    RefundRequest,
    VoidRequest,
    request_params,
    rules,
)
from iotpay_desk.journal import (
    Action,
    ActionKind,
    ActionState,
    AuditEntry,
    Journal,
    Lookup,
    OpenActionExists,
    TargetChanged,
    new_mch_no,
)

from .errors import (
    ActionInProgress,
    CannotReachIotPay,
    InvalidInput,
    OrderNotFound,
    PaymentChanged,
    RefusedByIotPay,
    UnknownDraft,
)
from .rules import (
    DEFAULT_CUTOFF,
    TORONTO,
    Advice,
    FailureKind,
    StatusWord,
    advice,
    classify_failure,
    looks_like_pay_order_id,
    settles_at,
    status_word,
)

__all__ = [
    "CHECK_DELAYS",
    "ActionResult",
    "Draft",
    "MoneyService",
    "OrderDetail",
]

log = logging.getLogger(__name__)

# Seconds to wait before each cc_query check of a lost answer (about 1 minute in all).
CHECK_DELAYS: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
# A lost call is called "not received" only when IOTPay still has no order this long
# after the intent: a slow IOTPay may commit a call after the desk stopped waiting.
NOT_RECEIVED_AFTER_S = 60.0
TEXT_MAX = 500  # reason and note (kept in the journal only; IOTPay has no such fields)
_API_FIELDS = {"refundAmount": "amount", "loginName": "operator"}

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Draft:
    """A refund or void form: its generated mchRefundNo (``id``) is fixed when it opens.

    ``basis`` is the newest journal action on the payment when the form opened.
    """

    id: str
    kind: ActionKind
    pay_order_id: str
    basis: int
    created_at: datetime

    @property
    def mch_no(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class ActionResult:
    """Where a refund or void stands, after a submit or a check.

    ``state``: succeeded (``order`` is IOTPay's ``RP…`` order), failed (IOTPay refused:
    ``ret_msg`` and ``failure``), declined, checking (being resolved; not an error),
    not_received (never landed; a new draft may try again).
    """

    action: Action
    order: Order | None = None
    failure: FailureKind | None = None

    @property
    def state(self) -> ActionState:
        return self.action.state

    @property
    def ret_msg(self) -> str:
        return self.action.ret_msg

    @property
    def succeeded(self) -> bool:
        return self.action.state is ActionState.SUCCEEDED

    @property
    def checking(self) -> bool:
        return self.action.state.is_open

    @property
    def try_instead(self) -> ActionKind | None:
        """The other action to offer when IOTPay refused this one over settlement."""
        if self.failure is FailureKind.TOO_LATE_TO_VOID:
            return ActionKind.REFUND
        if self.failure is FailureKind.TOO_EARLY_TO_REFUND:
            return ActionKind.VOID
        return None


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

    @property
    def returned_cents(self) -> int:
        """Refunded or voided through this desk (succeeded actions)."""
        return sum(
            r.order.amount if r.order else (r.action.amount_cents or 0)
            for r in self.returns
            if r.succeeded
        )


def _order_of(action: Action) -> Order | None:
    """IOTPay's order as the journal recorded it (None if none was recorded)."""
    if not action.pay_order_id:
        return None
    return Order(
        pay_order_id=action.pay_order_id,
        mch_id=action.mch_id,
        mch_order_no=action.mch_no,
        original_order_id=action.target_pay_order_id or "",
        amount=action.amount_cents or 0,
        currency=action.currency,
        pay_type="refund" if action.kind.returns_money else "pay",
        status=action.status if action.status is not None else 1,
        pay_succ_time=action.pay_succ_time,
        card_num=action.card_num,
        card_type=action.card_type,
        auth_num=action.auth_num,
        trans_num=action.trans_num,
        ret_msg=action.ret_msg,
    )


def _result(action: Action, order: Order | None = None) -> ActionResult:
    failure = classify_failure(action.ret_msg) if action.state is ActionState.FAILED else None
    return ActionResult(action=action, order=order or _order_of(action), failure=failure)


class MoneyService:
    """Refunds, voids and lookups for one merchant and one operator.

    ``clock`` (aware datetimes), ``sleep`` (the backoff waits), ``cutoff``/``tz`` (the
    profile's daily batch cut-off), ``check_delays`` (the cc_query schedule for a lost
    answer) and ``not_received_after`` (seconds) come in here so tests drive them.
    """

    def __init__(
        self,
        client: IotPayClient,
        journal: Journal,
        *,
        operator: str,
        clock: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        cutoff: time = DEFAULT_CUTOFF,
        tz: tzinfo = TORONTO,
        on_change: Callable[[Action], None] | None = None,
        check_delays: Sequence[float] = CHECK_DELAYS,
        not_received_after: float = NOT_RECEIVED_AFTER_S,
    ) -> None:
        problem = rules.text(12)(operator)
        if problem:
            raise InvalidInput("operator", problem)
        if not check_delays:
            raise ValueError("check_delays: at least one check")
        self._client = client
        self._journal = journal
        self.operator = operator
        self.mch_id = client.mch_id
        self._clock = clock
        self._sleep = sleep
        self.cutoff = cutoff
        self.tz = tz
        self.on_change = on_change
        self._check_delays = tuple(check_delays)
        self._not_received_after = not_received_after
        self._drafts: dict[str, Draft] = {}
        # mch_no → the one task that owns it now (a submit, or a resolve).
        self._busy: dict[str, asyncio.Task[ActionResult]] = {}

    def __repr__(self) -> str:
        return f"MoneyService(mch_id={self.mch_id!r}, operator={self.operator!r})"

    # ------------------------------------------------------------------ plumbing

    async def _db(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        return await asyncio.to_thread(fn, *args, **kwargs)

    def _changed(self, action: Action) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(action)
        except Exception:
            log.exception("on_change callback failed for action %s", action.id)

    def _own(self, mch_no: str, coro: Awaitable[ActionResult]) -> asyncio.Task[ActionResult]:
        """Run ``coro`` as the one task owning ``mch_no`` (callers await it shielded)."""

        async def run() -> ActionResult:
            return await coro

        task = asyncio.get_running_loop().create_task(run())
        self._busy[mch_no] = task

        def release(t: asyncio.Task[ActionResult]) -> None:
            if self._busy.get(mch_no) is t:
                del self._busy[mch_no]

        task.add_done_callback(release)
        return task

    async def _query(self, req: QueryRequest) -> Order:
        try:
            return await self._client.query(req)
        except (CannotConnect, OutcomeUnknown) as exc:
            raise CannotReachIotPay(exc.reason) from None

    # ------------------------------------------------------------------ lookups

    async def lookup(self, text: str) -> OrderDetail:
        """Find an order by payOrderId or mchOrderNo (whichever it looks like first, then
        the other), with its refunds and voids from the journal (unresolved ones checked
        with IOTPay once). Records the lookup for the recent list."""
        query = text.strip()
        if not query:
            raise InvalidInput("query", "is required")
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
                order = await self._query(req)
                break
            except IotPayRejected as exc:
                if not exc.is_not_found:
                    raise RefusedByIotPay(exc.ret_msg) from None
        if order is None:
            raise OrderNotFound(query)
        return await self._detail(order, query)

    async def order_detail(self, pay_order_id: str) -> OrderDetail:
        """The detail of a payment, freshly queried by its payOrderId (no lookup recorded)."""
        try:
            order = await self._query(QueryRequest(pay_order_id=pay_order_id))
        except IotPayRejected as exc:
            if exc.is_not_found:
                raise OrderNotFound(pay_order_id) from None
            raise RefusedByIotPay(exc.ret_msg) from None
        return await self._detail(order, None)

    async def _detail(self, order: Order, query: str | None) -> OrderDetail:
        actions = await self._db(self._journal.actions_for_target, self.mch_id, order.pay_order_id)
        results: list[ActionResult] = []
        for action in actions:
            if action.is_open and action.mch_no not in self._busy:
                # One look now; the full backoff is resolve()'s job.
                task = self._own(action.mch_no, self._resolve(action, delays=(0.0,)))
                results.append(await asyncio.shield(task))
            else:
                results.append(_result(action))
        returned = sum(
            r.order.amount if r.order else (r.action.amount_cents or 0)
            for r in results
            if r.succeeded
        )
        elsewhere = 0
        if not order.is_refund and order.outcome is Outcome.SUCCEEDED:
            elsewhere = max(0, order.amount - order.refundable - returned)
        lookup = None
        if query is not None:
            lookup = await self._db(
                self._journal.record_lookup,
                self.mch_id,
                query,
                order.pay_order_id,
                order.mch_order_no,
                now=self._clock(),
            )
        return OrderDetail(
            order=order,
            status=status_word(order.status),
            refundable_cents=order.refundable if not order.is_refund else 0,
            advice=advice(order, self._clock(), self.cutoff, self.tz),
            settles_at=None if order.is_refund else settles_at(order, self.cutoff, self.tz),
            returns=tuple(results),
            refunded_elsewhere_cents=elsewhere,
            lookup=lookup,
        )

    async def recent_lookups(self, limit: int = 20) -> list[Lookup]:
        return await self._db(self._journal.recent_lookups, self.mch_id, limit)

    async def audit_page(self, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
        """The Activity screen's audit trail, newest first, a page at a time."""
        return await self._db(self._journal.audit_page, limit, before_id)

    async def open_actions(self) -> list[Action]:
        """Unresolved refunds and voids of this merchant (the "checking" list)."""
        return await self._db(self._journal.open_actions, self.mch_id)

    async def actions_page(self, limit: int = 100, before_id: int | None = None) -> list[Action]:
        """Journal actions newest first, a page at a time."""
        return await self._db(self._journal.actions_page, limit, before_id)

    async def audit_for_action(self, action_id: int) -> list[AuditEntry]:
        """Every audit entry of one action, oldest first."""
        return await self._db(self._journal.audit_for_action, action_id)

    # ------------------------------------------------------------------ drafts

    async def new_draft(self, kind: ActionKind, pay_order_id: str) -> Draft:
        """Open a refund or void form on a payment: fixes its mchRefundNo."""
        if not kind.returns_money:
            raise ValueError(f"{kind.value}: drafts here are for refunds and voids")
        problem = rules.id30(pay_order_id)
        if problem:
            raise InvalidInput("payOrderId", problem)
        basis = await self._db(self._journal.latest_action_id, self.mch_id, pay_order_id)
        now = self._clock()
        draft = Draft(
            id=new_mch_no(kind.id_prefix, now),
            kind=kind,
            pay_order_id=pay_order_id,
            basis=basis,
            created_at=now,
        )
        self._drafts[draft.id] = draft
        return draft

    def discard_draft(self, draft_id: str) -> None:
        """Forget a draft whose form closed (a call in flight for it carries on)."""
        self._drafts.pop(draft_id, None)

    def _draft(self, draft_id: str, kind: ActionKind, pay_order_id: str) -> Draft:
        draft = self._drafts.get(draft_id)
        if draft is None:
            raise UnknownDraft(draft_id)
        if draft.kind is not kind or draft.pay_order_id != pay_order_id:
            raise UnknownDraft(draft_id, f"the draft is a {draft.kind.value} of another payment")
        return draft

    # ------------------------------------------------------------------ refund, void

    async def refund(
        self,
        pay_order_id: str,
        amount_cents: int,
        reason: str = "",
        note: str = "",
        *,
        draft_id: str,
    ) -> ActionResult:
        """Refund ``amount_cents`` of a settled payment, once per draft."""
        draft = self._draft(draft_id, ActionKind.REFUND, pay_order_id)
        return await self._submit(draft, amount_cents, reason, note)

    async def void(
        self, pay_order_id: str, reason: str = "", note: str = "", *, draft_id: str
    ) -> ActionResult:
        """Void an unsettled payment (always in full), once per draft."""
        draft = self._draft(draft_id, ActionKind.VOID, pay_order_id)
        return await self._submit(draft, None, reason, note)

    async def _submit(
        self, draft: Draft, amount: int | None, reason: str, note: str
    ) -> ActionResult:
        task = self._busy.get(draft.mch_no)
        if task is None:
            task = self._own(draft.mch_no, self._submit_once(draft, amount, reason, note))
        # Shielded: an impatient caller going away never cancels a call in flight.
        return await asyncio.shield(task)

    def _check_input(
        self, draft: Draft, amount: int | None, reason: str, note: str
    ) -> RefundRequest | VoidRequest:
        for name, value in (("reason", reason), ("note", note)):
            if not isinstance(value, str):
                raise InvalidInput(name, "must be text")
            if len(value) > TEXT_MAX:
                raise InvalidInput(name, f"at most {TEXT_MAX} characters")
        req: RefundRequest | VoidRequest
        if draft.kind is ActionKind.REFUND:
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise InvalidInput("amount", "must be a whole number of cents")
            if amount <= 0:
                raise InvalidInput("amount", "must be more than 0")
            req = RefundRequest(
                mch_refund_no=draft.mch_no,
                login_name=self.operator,
                refund_amount=amount,
                pay_order_id=draft.pay_order_id,
            )
        else:
            req = VoidRequest(
                mch_refund_no=draft.mch_no,
                login_name=self.operator,
                pay_order_id=draft.pay_order_id,
            )
        try:
            request_params(req, self.mch_id)
        except InvalidRequest as exc:
            raise InvalidInput(_API_FIELDS.get(exc.field, exc.field), exc.rule) from None
        return req

    async def _submit_once(
        self, draft: Draft, amount: int | None, reason: str, note: str
    ) -> ActionResult:
        existing = await self._db(self._journal.find_action, self.mch_id, draft.mch_no)
        if existing is not None:
            # Submitted before: never send again; check it if it is still open.
            if existing.is_open:
                return await self._resolve(existing)
            return _result(existing)

        req = self._check_input(draft, amount, reason, note)
        payment = await self._fresh_payment(draft.pay_order_id)
        if draft.kind is ActionKind.REFUND:
            assert amount is not None
            if amount > payment.refundable:
                await self._refused_locally(draft, amount, "more than refundable", payment)
                raise InvalidInput(
                    "amount",
                    f"more than the refundable amount ({payment.refundable} cents left)",
                )
        elif payment.refundable <= 0:
            await self._refused_locally(draft, None, "nothing left to void", payment)
            raise InvalidInput("payOrderId", "nothing is left to void on this payment")

        try:
            action = await self._db(
                self._journal.create_intent,
                kind=draft.kind,
                mch_id=self.mch_id,
                mch_no=draft.mch_no,
                operator=self.operator,
                target_pay_order_id=draft.pay_order_id,
                amount_cents=amount if amount is not None else payment.refundable,
                currency=payment.currency or "CAD",
                reason=reason,
                note=note,
                changed_since=draft.basis,
                detail={"refundable_before": payment.refundable},
                now=self._clock(),
            )
        except OpenActionExists as exc:
            raise ActionInProgress(exc.action) from None
        except TargetChanged as exc:
            raise PaymentChanged(exc.action) from None
        self._changed(action)
        return await self._send(action, req)

    async def _fresh_payment(self, pay_order_id: str) -> Order:
        try:
            payment = await self._query(QueryRequest(pay_order_id=pay_order_id))
        except IotPayRejected as exc:
            if exc.is_not_found:
                raise OrderNotFound(pay_order_id) from None
            raise RefusedByIotPay(exc.ret_msg) from None
        if payment.is_refund:
            raise InvalidInput("payOrderId", "is a refund or void, not a payment")
        if payment.outcome is Outcome.NOT_YET_KNOWN:
            raise InvalidInput("payOrderId", "the payment is still pending")
        if payment.outcome is not Outcome.SUCCEEDED:
            raise InvalidInput("payOrderId", "the payment did not succeed")
        return payment

    async def _refused_locally(
        self, draft: Draft, amount: int | None, why: str, payment: Order
    ) -> None:
        await self._db(
            self._journal.append_audit,
            self.operator,
            "refused",
            detail={
                "kind": draft.kind.value,
                "mch_no": draft.mch_no,
                "target": draft.pay_order_id,
                "amount_cents": amount,
                "refundable": payment.refundable,
                "why": why,
            },
            now=self._clock(),
        )

    async def _send(self, action: Action, req: RefundRequest | VoidRequest) -> ActionResult:
        """Send the one money-moving call of ``action`` and record what came of it."""
        try:
            if isinstance(req, RefundRequest):
                order = await self._client.refund(req)
            else:
                order = await self._client.void(req)
        except IotPayRejected as exc:
            if classify_failure(exc.ret_msg) is FailureKind.ID_ALREADY_USED:
                # Our id exists at IOTPay: find out what it is, never send again.
                return await self._lost(action, f"IOTPay says the id is in use: {exc.ret_msg}")
            done = await self._complete(action, ActionState.FAILED, ret_msg=exc.ret_msg)
            return _result(done)
        except CannotConnect as exc:
            # No connection was made: the call never left this computer.
            done = await self._complete(
                action, ActionState.NOT_RECEIVED, ret_msg=f"could not reach IOTPay: {exc.reason}"
            )
            return _result(done)
        except InvalidRequest as exc:  # checked before the intent; kept for safety
            done = await self._complete(
                action, ActionState.NOT_RECEIVED, ret_msg=f"{exc.field}: {exc.rule}"
            )
            return _result(done)
        except OutcomeUnknown as exc:
            return await self._lost(action, exc.reason)
        outcome = order.outcome
        if outcome is Outcome.SUCCEEDED:
            return _result(await self._complete(action, ActionState.SUCCEEDED, order=order), order)
        if outcome is Outcome.FAILED:
            return _result(await self._complete(action, ActionState.DECLINED, order=order), order)
        return await self._lost(action, f"IOTPay answered status {order.status}")

    async def _complete(
        self,
        action: Action,
        state: ActionState,
        *,
        order: Order | None = None,
        ret_msg: str = "",
        event: str = "answer",
        checked: bool = False,
    ) -> Action:
        done = await self._db(
            self._journal.complete,
            action.id,
            state,
            order=order,
            ret_msg=ret_msg,
            event=event,
            checked=checked,
            operator=self.operator,
            now=self._clock(),
        )
        if done.state is not action.state or done.updated_at != action.updated_at:
            self._changed(done)
        return done

    async def _lost(self, action: Action, why: str) -> ActionResult:
        checking = await self._db(
            self._journal.mark_checking,
            action.id,
            why=why,
            operator=self.operator,
            now=self._clock(),
        )
        self._changed(checking)
        return await self._resolve(checking)

    # ------------------------------------------------------------------ resolving

    async def resolve(self, action: Action | int) -> ActionResult:
        """Resolve an unresolved action with ``cc_query`` by its mch_no (with backoff).

        Never sends a money-moving call. If this service is already sending or checking
        the action, waits for that instead. A final action is returned as it is.
        """
        if isinstance(action, int):
            action = await self._db(self._journal.get_action, action)
        task = self._busy.get(action.mch_no)
        if task is None:
            fresh = await self._db(self._journal.get_action, action.id)
            task = self._busy.get(fresh.mch_no)  # it may have started meanwhile
            if task is None:
                if fresh.state.is_final:
                    return _result(fresh)
                task = self._own(fresh.mch_no, self._resolve(fresh))
        return await asyncio.shield(task)

    async def resolve_unresolved(self) -> list[ActionResult]:
        """At start-up: resolve every intent and checking action of this merchant."""
        actions = await self._db(self._journal.open_actions, self.mch_id)
        if actions:
            log.info("resolving %d unresolved action(s)", len(actions))
        return list(await asyncio.gather(*(self.resolve(a) for a in actions)))

    async def _resolve(
        self, action: Action, *, delays: Sequence[float] | None = None
    ) -> ActionResult:
        """The check loop; the caller owns ``action.mch_no`` (or it is a one-off look)."""
        if action.state is ActionState.INTENT:
            action = await self._db(
                self._journal.mark_checking,
                action.id,
                why="no answer was recorded",
                operator=self.operator,
                now=self._clock(),
            )
            self._changed(action)
        for delay in delays if delays is not None else self._check_delays:
            if delay > 0:
                await self._sleep(delay)
            try:
                order = await self._client.query(QueryRequest(mch_order_no=action.mch_no))
            except IotPayRejected as exc:
                if exc.is_not_found:
                    age = (self._clock() - action.created_at).total_seconds()
                    if age >= self._not_received_after:
                        done = await self._complete(
                            action,
                            ActionState.NOT_RECEIVED,
                            ret_msg="IOTPay has no order with this id: it never arrived",
                            event="resolved",
                            checked=True,
                        )
                        return _result(done)
                    result = "not found yet"
                else:
                    result = f"refused: {exc.ret_msg}"
            except (CannotConnect, OutcomeUnknown) as exc:
                result = f"could not reach IOTPay: {exc.reason}"
            else:
                if order.outcome is Outcome.SUCCEEDED:
                    done = await self._complete(
                        action, ActionState.SUCCEEDED, order=order, event="resolved", checked=True
                    )
                    return _result(done, order)
                if order.outcome is Outcome.FAILED:
                    done = await self._complete(
                        action, ActionState.DECLINED, order=order, event="resolved", checked=True
                    )
                    return _result(done, order)
                result = f"status {order.status}, not final yet"
            action = await self._db(
                self._journal.record_check,
                action.id,
                result=result,
                operator=self.operator,
                now=self._clock(),
            )
            if action.state.is_final:  # completed meanwhile (another window or process)
                return _result(action)
            self._changed(action)
        return _result(action)

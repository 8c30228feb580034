"""The money service: look up orders, refund, void, resolve unknown outcomes.

The rules it keeps (issue 4):

- Every refund or void is written to the journal as an *intent*, with its generated
  mchRefundNo, before it is sent; IOTPay's answer completes it.
- A money-moving call is sent **once**. When its answer is lost (timeout, dropped
  connection, HTTP 5xx, garbage) the action becomes *checking* and is resolved with
  ``cc_query`` by its mchRefundNo, with backoff, at every start and while the desk runs
  (:meth:`MoneyService.watch`). Not found at IOTPay stays unresolved for the profile's
  window (a day by default): IOTPay may commit a late delivery. Only then is it
  *not_received*, and trying again takes a new draft (a new id). Before that, the
  operator may :meth:`~MoneyService.send_again` it with its *own* id only.
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
import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from iotpay_desk.api import (
    CannotConnect,
    InvalidRequest,
    IotPayClient,
    IotPayRejected,
    Order,
    OrderStatus,
    Outcome,
    OutcomeUnknown,
    PurchaseRequest,
    PurchaseWithTokenRequest,
    PurchaseWithWalletRequest,
    QueryRequest,
    RefundRequest,
    Request,
    VoidRequest,
    request_params,
    rules,
)
from iotpay_desk.api.rules import BrokenRule, RuleCode
from iotpay_desk.journal import (
    Action,
    ActionKind,
    ActionState,
    AuditEntry,
    ExpiryState,
    Journal,
    Lookup,
    Notification,
    OpenActionExists,
    TargetChanged,
    new_mch_no,
)

from .charges import (
    FOLLOW_ATTEMPTS,
    FOLLOW_INTERVAL_S,
    NOTIFY_URL_FALLBACK,
    PURCHASE_LINK_FINAL_AFTER_S,
    SIMILAR_WITHIN_S,
    PurchaseSession,
    check_client_ip,
    check_wallet,
)
from .errors import (
    ActionInProgress,
    CannotReachIotPay,
    InvalidInput,
    NotInJournal,
    OrderNotFound,
    PaymentChanged,
    RefusedByIotPay,
    UnknownCard,
    UnknownDraft,
)
from .returns import return_url_for
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
    "NOT_RECEIVED_AFTER_S",
    "ActionResult",
    "Draft",
    "MoneyService",
    "OrderDetail",
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
# to at most an hour, at every start and while the desk runs (:meth:`MoneyService.watch`).
LATER_CHECK_FIRST_S = 60.0
# An intent younger than this is taken to be in flight (another window or desk sent it
# and awaits its answer): a look-up shows it as it is instead of checking it.
IN_FLIGHT_GRACE_S = 60.0
LATER_CHECK_MAX_S = 3600.0
WATCH_TICK_S = 20.0
TEXT_MAX = 500  # reason and note (kept in the journal only; IOTPay has no such fields)
_API_FIELDS = {"refundAmount": "amount", "loginName": "operator"}
_CHARGE_KINDS = (ActionKind.CHARGE_TOKEN, ActionKind.CHARGE_WALLET)
# What can be sent again from the journal alone (a wallet token is never kept, and a
# purchase link's lost page cannot be given back).
_RESENDABLE = (ActionKind.REFUND, ActionKind.VOID, ActionKind.CHARGE_TOKEN)
# The mchUserId of a purchase link when the cashier names no customer.
WALK_IN_CUSTOMER = "walk-in"
_SendRequest = RefundRequest | VoidRequest | PurchaseWithTokenRequest | PurchaseWithWalletRequest

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Draft:
    """A refund, void or charge form: its generated mchRefundNo / mchOrderNo (``id``) is
    fixed when it opens.

    ``pay_order_id`` is the payment a refund or void acts on (``""`` for a charge);
    ``basis`` is the newest journal action on that payment when the form opened.
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
    """Where a refund, void, charge or purchase link stands, after a submit or a check.

    ``state``: succeeded (``order`` is IOTPay's order: ``RP…`` for a refund or void),
    failed (IOTPay refused: ``ret_msg`` and ``failure``), declined (the card was
    declined: ``ret_msg``), checking (being resolved, or a charge pending at IOTPay, or
    a purchase link waiting for the customer: not an error; ``order`` is the last one
    seen, if any), not_received (never landed; a new draft may try again).
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
    def unconfirmed(self) -> bool:
        """Unresolved with no order seen at IOTPay: the call may still land there (a late
        delivery), so nothing is known to have moved, nor known not to have moved."""
        return self.action.state.is_open and self.order is None

    @property
    def can_send_again(self) -> bool:
        """An unconfirmed refund, void or card charge may be sent again *with its own
        number* (IOTPay refuses a second use of it, so at most one can succeed)."""
        return self.unconfirmed and self.action.kind in _RESENDABLE

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
    # IOTPay's notifications of this order that a notify receiver recorded, newest first
    # (none unless the merchant runs one; the desk never depends on them).
    notifications: tuple[Notification, ...] = ()

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
        notify_url: str | None = None,
        repeat_charge_within: float = SIMILAR_WITHIN_S,
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
        self._watching = False
        self.notify_url = notify_url or None
        # The "charged already?" window (seconds): the profile's repeat-charge hours.
        self.repeat_charge_within = repeat_charge_within
        self._drafts: dict[str, Draft] = {}
        # draft id → what its first submit asked for (a charge form sent once).
        self._charge_asks: dict[str, tuple[object, ...]] = {}
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

    @property
    def busy(self) -> bool:
        """True while a refund, void or charge of this service is in flight."""
        return bool(self._busy)

    async def wait_idle(self) -> None:
        """Wait until no refund, void or charge of this service is in flight (before its
        journal is closed, e.g. when the desk switches profiles). Never cancels one."""
        while self._busy:
            await asyncio.wait(list(self._busy.values()))

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
        return await self._detail(await self._order_by_id(pay_order_id), None)

    async def _order_by_id(self, pay_order_id: str) -> Order:
        """``cc_query`` by payOrderId: OrderNotFound or RefusedByIotPay when it has none."""
        try:
            return await self._query(QueryRequest(pay_order_id=pay_order_id))
        except IotPayRejected as exc:
            if exc.is_not_found:
                raise OrderNotFound(pay_order_id) from None
            raise RefusedByIotPay(exc.ret_msg) from None

    async def _detail(self, order: Order, query: str | None) -> OrderDetail:
        actions = await self._db(self._journal.actions_for_target, self.mch_id, order.pay_order_id)
        results: list[ActionResult] = []
        now = self._clock()
        for action in actions:
            if (
                action.state is ActionState.INTENT
                and (now - action.created_at).total_seconds() < IN_FLIGHT_GRACE_S
            ):
                # Just sent, by another window or desk: its answer is on the way.
                results.append(_result(action))
            elif action.is_open and action.mch_no not in self._busy:
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
        notifications = await self._db(
            self._journal.notifications, self.mch_id, order.pay_order_id, limit=10
        )
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
            notifications=tuple(notifications),
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

    async def new_draft(self, kind: ActionKind, pay_order_id: str = "") -> Draft:
        """Open a form: a refund or void on a payment (fixes its mchRefundNo), or a charge
        (``CHARGE_TOKEN``, ``CHARGE_WALLET``; no payment: fixes its mchOrderNo)."""
        if kind in _CHARGE_KINDS:
            if pay_order_id:
                raise ValueError(f"{kind.value}: a charge acts on no payment")
            now = self._clock()
            draft = Draft(
                id=new_mch_no(kind.id_prefix, now),
                kind=kind,
                pay_order_id="",
                basis=0,
                created_at=now,
            )
            self._drafts[draft.id] = draft
            return draft
        if not kind.returns_money:
            raise ValueError(f"{kind.value}: drafts are for refunds, voids and charges")
        problem = rules.id30(pay_order_id)
        if problem:
            raise InvalidInput("payOrderId", problem)
        # Refunds and voids still in flight are not part of the basis: when one of them
        # succeeds, this form is out of date and its submit is refused (PaymentChanged).
        basis = await self._db(self._journal.draft_basis, self.mch_id, pay_order_id)
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
        self._charge_asks.pop(draft_id, None)

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
                raise InvalidInput(name, RuleCode.TEXT)
            if len(value) > TEXT_MAX:
                raise InvalidInput(name, BrokenRule(RuleCode.MAX_CHARS, max=TEXT_MAX))
        req: RefundRequest | VoidRequest
        if draft.kind is ActionKind.REFUND:
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise InvalidInput("amount", RuleCode.WHOLE_CENTS)
            if amount <= 0:
                raise InvalidInput("amount", RuleCode.MORE_THAN_ZERO)
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
                    "amount", BrokenRule(RuleCode.OVER_REFUNDABLE, left=payment.refundable)
                )
        elif payment.refundable <= 0:
            await self._refused_locally(draft, None, "nothing left to void", payment)
            raise InvalidInput("payOrderId", RuleCode.NOTHING_TO_VOID)

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
        payment = await self._order_by_id(pay_order_id)
        if payment.is_refund:
            raise InvalidInput("payOrderId", RuleCode.NOT_A_PAYMENT)
        if payment.outcome is Outcome.NOT_YET_KNOWN:
            raise InvalidInput("payOrderId", RuleCode.PAYMENT_PENDING)
        if payment.outcome is not Outcome.SUCCEEDED:
            raise InvalidInput("payOrderId", RuleCode.PAYMENT_FAILED)
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

    async def _call(self, req: _SendRequest) -> Order:
        if isinstance(req, RefundRequest):
            return await self._client.refund(req)
        if isinstance(req, VoidRequest):
            return await self._client.void(req)
        if isinstance(req, PurchaseWithTokenRequest):
            return await self._client.purchase_with_token(req)
        return await self._client.purchase_with_wallet(req)

    async def _send(
        self, action: Action, req: _SendRequest, *, again: bool = False
    ) -> ActionResult:
        """Send the money-moving call of ``action`` and record what came of it.

        ``again``: the call is sent a second time with the same number, because the first
        one's outcome is unknown. The first may still land, so nothing IOTPay says to the
        second proves on its own that nothing moved: a refusal or no connection leaves
        the action unresolved (checked until IOTPay has it or the window ends).
        """
        try:
            order = await self._call(req)
        except IotPayRejected as exc:
            if classify_failure(exc.ret_msg) is FailureKind.ID_ALREADY_USED:
                # Our id exists at IOTPay: find out what it is, never send again.
                return await self._lost(action, f"IOTPay says the id is in use: {exc.ret_msg}")
            if again:
                return await self._still_unknown(action, f"sent again, refused: {exc.ret_msg}")
            done = await self._complete(action, ActionState.FAILED, ret_msg=exc.ret_msg)
            return _result(done)
        except CannotConnect as exc:
            if again:
                return await self._still_unknown(
                    action, f"sent again, could not reach IOTPay: {exc.reason}"
                )
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
        if action.kind in _CHARGE_KINDS and order.status == OrderStatus.PENDING:
            # A pending charge is not a lost answer: it is followed (``follow``), not
            # checked on the backoff schedule.
            checking = await self._db(
                self._journal.mark_checking,
                action.id,
                why=f"pending at IOTPay (status {order.status})",
                operator=self.operator,
                now=self._clock(),
            )
            self._changed(checking)
            return ActionResult(action=checking, order=order)
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

    async def _still_unknown(self, action: Action, why: str) -> ActionResult:
        """Record a check that settled nothing; the action stays unresolved."""
        fresh = await self._db(
            self._journal.record_check,
            action.id,
            result=why,
            operator=self.operator,
            now=self._clock(),
        )
        self._changed(fresh)
        return _result(fresh)

    # ------------------------------------------------------------------ resolving

    def unconfirmed_until(self, action: Action) -> datetime:
        """When an action IOTPay has no record of is called "not received" at last."""
        return action.created_at + timedelta(seconds=self._not_received_after)

    def next_check_at(self, action: Action) -> datetime:
        """When the watch checks an unresolved action again: gaps double from a minute
        to an hour after the first minute's checks, and the last check falls when the
        unconfirmed window ends (so "not received" is said on time)."""
        extra = max(0, action.attempts - len(self._check_delays))
        gap = min(LATER_CHECK_MAX_S, LATER_CHECK_FIRST_S * 2 ** min(extra, 16))
        due = action.updated_at + timedelta(seconds=gap)
        end = self.unconfirmed_until(action)
        if action.updated_at < end:
            due = min(due, end)
        return due

    async def check_due(self) -> list[ActionResult]:
        """Check once, with ``cc_query``, every unresolved action of this merchant whose
        next check is due (never sends a money-moving call). Actions this service is
        already sending or checking are left to that."""
        actions = await self._db(self._journal.open_actions, self.mch_id)
        now = self._clock()
        tasks = [
            self._own(a.mch_no, self._resolve(a, delays=(0.0,)))
            for a in actions
            if a.mch_no not in self._busy and self.next_check_at(a) <= now
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

    async def send_again(self, action: Action | int) -> ActionResult:
        """Send an unconfirmed refund, void or card charge again **with its own number**
        (mchRefundNo / mchOrderNo), after one more ``cc_query`` look.

        IOTPay refuses a second use of a number, so whichever of the two sends lands
        first is the only one that can succeed: this never moves money twice. If IOTPay
        has the order already, nothing is sent. A final action is returned as it is; an
        action this service is sending or checking is waited for instead.
        """
        if isinstance(action, int):
            action = await self._db(self._journal.get_action, action)
        task = self._busy.get(action.mch_no)
        if task is None:
            fresh = await self._db(self._journal.get_action, action.id)
            if fresh.state.is_final:
                return _result(fresh)
            if fresh.kind not in _RESENDABLE:
                raise InvalidInput(
                    "action", BrokenRule(RuleCode.NOT_RESENDABLE, kind=fresh.kind.value)
                )
            task = self._own(fresh.mch_no, self._send_again_once(fresh))
        return await asyncio.shield(task)

    async def _send_again_once(self, action: Action) -> ActionResult:
        looked = await self._resolve(action, delays=(0.0,))
        if looked.action.state.is_final or looked.order is not None:
            return looked  # IOTPay has it: settled, or pending there; nothing is sent
        action = looked.action
        req = await self._request_again(action)
        await self._db(
            self._journal.append_audit,
            self.operator,
            "send_again",
            action_id=action.id,
            detail={"kind": action.kind.value, "mch_no": action.mch_no},
            now=self._clock(),
        )
        return await self._send(action, req, again=True)

    async def _request_again(self, action: Action) -> _SendRequest:
        """The same request as the first send, rebuilt from the journal."""
        target = action.target_pay_order_id or ""
        if action.kind is ActionKind.REFUND:
            return RefundRequest(
                mch_refund_no=action.mch_no,
                login_name=action.operator,
                refund_amount=action.amount_cents or 0,
                pay_order_id=target,
            )
        if action.kind is ActionKind.VOID:
            return VoidRequest(
                mch_refund_no=action.mch_no, login_name=action.operator, pay_order_id=target
            )
        entries = await self._db(self._journal.audit_for_action, action.id)
        intent = next((e.detail for e in entries if e.event == "intent"), {})
        ip = intent.get("client_ip") or None
        return PurchaseWithTokenRequest(
            mch_order_no=action.mch_no,
            mch_user_id=action.mch_user_id or action.card_id or "",
            card_id=action.card_id or "",
            amount=action.amount_cents or 0,
            login_name=action.operator,
            subject=action.subject or None,
            client_ip=ip if isinstance(ip, str) else None,
            notify_url=self.notify_url,
        )

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
        if delays is None:
            # A purchase link waits for a customer, not for a lost answer: one look.
            link = action.kind is ActionKind.PURCHASE_LINK
            delays = (0.0,) if link else self._check_delays
        last: Order | None = None
        for delay in delays:
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
                last = order
                final = self._final_for(action, order)
                if final is not None:
                    state, why = final
                    done = await self._complete(
                        action, state, order=order, ret_msg=why, event="resolved", checked=True
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
        return ActionResult(action=action, order=last)

    def _final_for(self, action: Action, order: Order) -> tuple[ActionState, str] | None:
        """The final state IOTPay's order gives ``action`` (None: not final yet).

        A purchase link's page may be retried after a declined card until it expires,
        so its status 9 is final only once the page is surely gone; an unpaid link is
        closed then too.
        """
        outcome = order.outcome
        if outcome is Outcome.SUCCEEDED:
            return ActionState.SUCCEEDED, ""
        if action.kind is ActionKind.PURCHASE_LINK:
            age = (self._clock() - action.created_at).total_seconds()
            if age < PURCHASE_LINK_FINAL_AFTER_S:
                return None
            if outcome is Outcome.FAILED:
                return ActionState.DECLINED, ""
            return ActionState.FAILED, "the payment page expired before it was paid"
        if outcome is Outcome.FAILED:
            return ActionState.DECLINED, ""
        return None

    # ------------------------------------------------------------------ charges

    def _today(self) -> date:
        return self._clock().astimezone(self.tz).date()

    async def _submit_charge(
        self,
        draft: Draft,
        ask: tuple[object, ...],
        make: Callable[[], Coroutine[Any, Any, ActionResult]],
    ) -> ActionResult:
        """Run the one submit of a charge draft, or join it (same details only)."""
        sent = self._charge_asks.get(draft.id)
        if sent is not None and sent != ask:
            raise UnknownDraft(draft.id, "this charge form was already sent with other details")
        task = self._busy.get(draft.mch_no)
        if task is None:
            self._charge_asks[draft.id] = ask
            task = self._own(draft.mch_no, make())
        # Shielded: an impatient caller going away never cancels a call in flight.
        return await asyncio.shield(task)

    async def _charge_once(
        self, draft: Draft, prepare: Callable[[], Awaitable[tuple[_SendRequest, dict[str, Any]]]]
    ) -> ActionResult:
        existing = await self._db(self._journal.find_action, self.mch_id, draft.mch_no)
        if existing is not None:
            # Submitted before: never send again; check it if it is still open.
            if existing.is_open:
                return await self._resolve(existing)
            return _result(existing)
        try:
            req, intent = await prepare()
            action = await self._db(
                self._journal.create_intent,
                kind=draft.kind,
                mch_id=self.mch_id,
                mch_no=draft.mch_no,
                operator=self.operator,
                now=self._clock(),
                **intent,
            )
        except BaseException:
            # Nothing was written or sent: the form may be corrected and sent again.
            self._charge_asks.pop(draft.id, None)
            raise
        self._changed(action)
        return await self._send(action, req)

    @staticmethod
    def _check_texts(subject: str, note: str) -> None:
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

    def _validated(self, req: Request) -> None:
        try:
            request_params(req, self.mch_id)
        except InvalidRequest as exc:
            raise InvalidInput(_API_FIELDS.get(exc.field, exc.field), exc.rule) from None

    async def charge_card(
        self,
        draft_id: str,
        card_id: str,
        amount_cents: int,
        subject: str = "",
        note: str = "",
        client_ip: str | None = None,
        mch_user_id: str | None = None,
    ) -> ActionResult:
        """Charge a card of the vault (``cc_purchasewithtoken``), once per draft.

        The intent is journaled first. Declined → ``declined`` with IOTPay's retMsg;
        pending at IOTPay (status 0) → ``checking`` with the order: :meth:`follow` it; a
        lost answer → checked with ``cc_query`` (never sent again). Submitting the same
        draft again, at once or later, gives the same result; with other details it is
        refused (:class:`UnknownDraft`). ``mch_user_id`` defaults to the cardId.
        """
        draft = self._draft(draft_id, ActionKind.CHARGE_TOKEN, "")
        ask = ("card", card_id, amount_cents, subject, note, client_ip, mch_user_id)

        async def prepare() -> tuple[_SendRequest, dict[str, Any]]:
            problem = rules.cents(amount_cents)
            if problem:
                raise InvalidInput("amount", problem)
            self._check_texts(subject, note)
            ip = check_client_ip(client_ip)
            card = await self._db(self._journal.get_vault_card, self.mch_id, card_id)
            if card is None:
                raise UnknownCard(card_id)
            if card.expiry_state(self._today()) is ExpiryState.EXPIRED:
                raise InvalidInput("cardId", RuleCode.CARD_EXPIRED)
            user = (mch_user_id or "").strip() or card_id
            req = PurchaseWithTokenRequest(
                mch_order_no=draft.mch_no,
                mch_user_id=user,
                card_id=card_id,
                amount=amount_cents,
                login_name=self.operator,
                subject=subject.strip() or None,
                client_ip=ip,
                notify_url=self.notify_url,
            )
            self._validated(req)
            intent: dict[str, Any] = {
                "amount_cents": amount_cents,
                "note": note,
                "subject": subject.strip(),
                "card_id": card_id,
                "mch_user_id": user,
                "detail": {
                    "card_num": card.card_num,
                    "customer_label": card.customer_label,
                    "client_ip": ip or "",
                },
            }
            return req, intent

        return await self._submit_charge(draft, ask, lambda: self._charge_once(draft, prepare))

    async def similar_recent_charge(
        self, card_id: str, amount_cents: int, within_s: float | None = None
    ) -> Action | None:
        """The newest charge of the same card for the same amount in the last
        ``within_s`` seconds (default: :attr:`repeat_charge_within`) that went through or
        may have (for the "charged already?" warning); None if there is none."""
        window = self.repeat_charge_within if within_s is None else within_s
        since = self._clock() - timedelta(seconds=window)
        found = await self._db(
            self._journal.recent_card_actions,
            self.mch_id,
            card_id,
            since,
            amount_cents=amount_cents,
        )
        for action in found:
            if action.state.is_open or action.state is ActionState.SUCCEEDED:
                return action
        return None

    async def charge_wallet(
        self,
        draft_id: str,
        wallet_type: str,
        wallet_data_b64: str,
        amount_cents: int,
        subject: str = "",
        note: str = "",
    ) -> ActionResult:
        """Charge an Apple Pay / Google Pay token (``cc_purchasewithwallet``) collected
        by the merchant's own app, once per draft, as :meth:`charge_card`. The token is
        never journaled: only its type, size and a short SHA-256."""
        draft = self._draft(draft_id, ActionKind.CHARGE_WALLET, "")
        digest = hashlib.sha256(str(wallet_data_b64).encode("utf-8", "replace")).hexdigest()
        ask = ("wallet", wallet_type, digest, amount_cents, subject, note)

        async def prepare() -> tuple[_SendRequest, dict[str, Any]]:
            problem = rules.cents(amount_cents)
            if problem:
                raise InvalidInput("amount", problem)
            self._check_texts(subject, note)
            token = check_wallet(wallet_type, wallet_data_b64)
            req = PurchaseWithWalletRequest(
                mch_order_no=draft.mch_no,
                amount=amount_cents,
                login_name=self.operator,
                wallet_type=token.wallet_type,
                wallet_data=token.data,
                subject=subject.strip() or None,
                notify_url=self.notify_url,
            )
            self._validated(req)
            intent: dict[str, Any] = {
                "amount_cents": amount_cents,
                "note": note,
                "subject": subject.strip(),
                "detail": {
                    "wallet_type": token.wallet_type,
                    "wallet_sha256": token.short_hash,
                    "wallet_bytes": token.size,
                },
            }
            return req, intent

        return await self._submit_charge(draft, ask, lambda: self._charge_once(draft, prepare))

    # ------------------------------------------------------------------ purchase links

    async def start_purchase(
        self,
        amount_cents: int,
        subject: str = "",
        body: str = "",
        mch_user_id: str | None = None,
    ) -> PurchaseSession:
        """Make a purchase link (``cc_purchase``): the order exists at IOTPay at once with
        status 0. Journaled as a ``purchase_link`` action (intent first), then
        ``checking`` while it waits for the customer: :meth:`follow` it."""
        problem = rules.cents(amount_cents)
        if problem:
            raise InvalidInput("amount", problem)
        self._check_texts(subject, "")
        if not isinstance(body, str):
            raise InvalidInput("body", RuleCode.TEXT)
        now = self._clock()
        mch_no = new_mch_no(ActionKind.PURCHASE_LINK.id_prefix, now)
        session_id = secrets.token_hex(12)
        return_url = return_url_for("purchase", session_id)
        user = (mch_user_id or "").strip() or WALK_IN_CUSTOMER
        req = PurchaseRequest(
            mch_order_no=mch_no,
            mch_user_id=user,
            amount=amount_cents,
            login_name=self.operator,
            notify_url=self.notify_url or NOTIFY_URL_FALLBACK,
            return_url=return_url,
            subject=subject.strip() or None,
            body=body.strip() or None,
        )
        self._validated(req)
        action = await self._db(
            self._journal.create_intent,
            kind=ActionKind.PURCHASE_LINK,
            mch_id=self.mch_id,
            mch_no=mch_no,
            operator=self.operator,
            amount_cents=amount_cents,
            subject=subject.strip(),
            mch_user_id=user,
            detail={"body": body.strip(), "session_id": session_id},
            now=now,
        )
        self._changed(action)
        try:
            redirect = await self._client.purchase(req)
        except IotPayRejected as exc:
            if classify_failure(exc.ret_msg) is FailureKind.ID_ALREADY_USED:
                await self._mark_checking(action, f"IOTPay says the id is in use: {exc.ret_msg}")
                raise RefusedByIotPay(exc.ret_msg) from None
            await self._complete(action, ActionState.FAILED, ret_msg=exc.ret_msg)
            raise RefusedByIotPay(exc.ret_msg) from None
        except CannotConnect as exc:
            await self._complete(
                action, ActionState.NOT_RECEIVED, ret_msg=f"could not reach IOTPay: {exc.reason}"
            )
            raise CannotReachIotPay(exc.reason) from None
        except InvalidRequest as exc:  # checked before the intent; kept for safety
            await self._complete(
                action, ActionState.NOT_RECEIVED, ret_msg=f"{exc.field}: {exc.rule}"
            )
            raise InvalidInput(exc.field, exc.rule) from None
        except OutcomeUnknown as exc:
            # The order may exist, but its page address is lost: nobody can pay it. It
            # is checked like any lost answer and closed when its page has expired.
            await self._mark_checking(action, f"the answer was lost: {exc.reason}")
            raise CannotReachIotPay(
                f"{exc.reason}; no payment page was made, start again"
            ) from None
        page = urlsplit(redirect.redirect_url)
        if page.scheme not in ("http", "https") or not page.hostname:
            await self._mark_checking(action, "the answer had no usable page address")
            raise RefusedByIotPay("the answer had no usable page address")
        waiting = await self._mark_checking(
            action, "waiting for the customer to pay on IOTPay's page"
        )
        return PurchaseSession(
            mch_order_no=mch_no,
            session_id=session_id,
            redirect_url=redirect.redirect_url,
            return_url=return_url,
            amount_cents=amount_cents,
            currency=waiting.currency,
            action=waiting,
            started_at=now,
            secure_id=redirect.secure_id,
        )

    async def _mark_checking(self, action: Action, why: str) -> Action:
        checking = await self._db(
            self._journal.mark_checking,
            action.id,
            why=why,
            operator=self.operator,
            now=self._clock(),
        )
        self._changed(checking)
        return checking

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
        action = await self._db(self._journal.find_action, self.mch_id, mch_no)
        if action is None:
            raise NotInJournal(mch_no)
        if action.state.is_final:
            return _result(action)
        busy = self._busy.get(mch_no)
        if busy is not None:  # its submit or a check is still running: wait for it
            first = await asyncio.shield(busy)
            if first.action.state.is_final:
                return first
            action = first.action
        last: Order | None = None
        notes: list[str] = []
        for n in range(1, max(0, attempts) + 1):
            if n > 1:
                await self._sleep(interval)
            order: Order | None = None
            try:
                order = await self._client.query(QueryRequest(mch_order_no=mch_no))
            except IotPayRejected as exc:
                age = (self._clock() - action.created_at).total_seconds()
                if exc.is_not_found and age >= self._not_received_after:
                    done = await self._complete(
                        action,
                        ActionState.NOT_RECEIVED,
                        ret_msg="IOTPay has no order with this id: it never arrived",
                        event="resolved",
                        checked=True,
                    )
                    self._tick(on_tick, n, None)
                    return _result(done)
                notes.append("not found yet" if exc.is_not_found else f"refused: {exc.ret_msg}")
            except (CannotConnect, OutcomeUnknown) as exc:
                notes.append(f"could not reach IOTPay: {exc.reason}")
            else:
                last = order
                final = self._final_for(action, order)
                if final is not None:
                    state, why = final
                    done = await self._complete(
                        action, state, order=order, ret_msg=why, event="resolved", checked=True
                    )
                    self._tick(on_tick, n, order)
                    return _result(done, order)
                notes.append(f"status {order.status}")
            self._tick(on_tick, n, order)
            fresh = await self._db(self._journal.get_action, action.id)
            if fresh.state.is_final:  # completed meanwhile (another window or process)
                return _result(fresh)
        if attempts <= 0:
            return ActionResult(action=action, order=last)
        action = await self._db(
            self._journal.record_check,
            action.id,
            result=f"followed {attempts} times, not final yet (last: {notes[-1]})",
            operator=self.operator,
            now=self._clock(),
        )
        if action.state.is_final:
            return _result(action)
        self._changed(action)
        return ActionResult(action=action, order=last)

    @staticmethod
    def _tick(
        on_tick: Callable[[int, Order | None], None] | None, n: int, order: Order | None
    ) -> None:
        if on_tick is None:
            return
        try:
            on_tick(n, order)
        except Exception:
            log.exception("on_tick callback failed")

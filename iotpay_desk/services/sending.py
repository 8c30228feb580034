"""Sending a money-moving call once: drafts, the intent, the one send, its answer.

Every refund, void and charge goes the same way (:meth:`Sender.submit`): a *draft*
fixes the action's number when its form opens; the first submit of a draft owns it and
later ones join it (with other details, a charge's are refused); a draft already in the
journal is never sent again, only checked; otherwise the request is prepared and
checked, the *intent* is written to the journal, and the call is sent **once**
(:meth:`Sender.send`). What came of the call is recorded by :meth:`Sender.call`, which
purchase links share: a refusal or no connection completes the action; a lost answer
(or IOTPay saying the number is in use) leaves it *checking*, resolved by the one check
loop (:meth:`~.checking.Checker.check`). :meth:`Sender.send_again` sends an unconfirmed
action a second time with its own number, after one more look.

The ledger going away (:class:`~iotpay_desk.journal.errors.LedgerUnavailable`): an
intent that cannot be written is never sent (the error reaches the caller before any
call). A call that was sent but whose outcome cannot be written raises
:class:`~iotpay_desk.journal.errors.AnswerNotRecorded` instead: the intent stays
unresolved in the ledger and the check loop resolves it with ``cc_query`` once the
ledger is back. IOTPay's answer is not kept in memory to be written later: the intent
row is what survives a crash or another desk taking over, so that path has to work
anyway, and a second writer of the same outcome could race the desk that holds the
check's lease. The answer is logged (no card data) for the record.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from iotpay_desk.api import (
    CannotConnect,
    InvalidRequest,
    IotPayRejected,
    Order,
    OrderStatus,
    Outcome,
    OutcomeUnknown,
    PurchaseWithTokenRequest,
    PurchaseWithWalletRequest,
    RefundRequest,
    VoidRequest,
    rules,
)
from iotpay_desk.api.rules import BrokenRule, RuleCode
from iotpay_desk.journal import (
    Action,
    ActionKind,
    ActionState,
    OpenActionExists,
    TargetChanged,
    new_mch_no,
)
from iotpay_desk.journal.errors import AnswerNotRecorded, LedgerUnavailable

from .checking import Checker
from .context import MoneyContext
from .errors import ActionInProgress, InvalidInput, PaymentChanged, UnknownDraft
from .results import CHARGE_KINDS, RESENDABLE, ActionResult, Draft, result_of
from .rules import FailureKind, classify_failure

__all__ = ["Prepare", "SendRequest", "Sender", "Unanswered", "not_recorded"]

log = logging.getLogger(__name__)

SendRequest = RefundRequest | VoidRequest | PurchaseWithTokenRequest | PurchaseWithWalletRequest
# Checks a submit's input and builds its request and the intent's journal fields.
Prepare = Callable[[], Awaitable[tuple[SendRequest, dict[str, Any]]]]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A call that brought no answer to act on, and the action as the journal now has
    it: ``lost`` when the outcome is unknown (the action is *checking*)."""

    action: Action
    error: Exception
    lost: bool


class Sender:
    """Drafts and the send-once path of one :class:`MoneyContext`."""

    def __init__(self, ctx: MoneyContext, checker: Checker) -> None:
        self._ctx = ctx
        self._checker = checker
        # draft id → the draft of an open form.
        self.drafts: dict[str, Draft] = {}
        # draft id → what its first submit asked for (a charge form sent once).
        self._asks: dict[str, tuple[object, ...]] = {}

    # ------------------------------------------------------------------ drafts

    async def new_draft(self, kind: ActionKind, pay_order_id: str = "") -> Draft:
        """Open a form: a refund or void on a payment (fixes its mchRefundNo), or a charge
        (``CHARGE_TOKEN``, ``CHARGE_WALLET``; no payment: fixes its mchOrderNo)."""
        ctx = self._ctx
        if kind in CHARGE_KINDS:
            if pay_order_id:
                raise ValueError(f"{kind.value}: a charge acts on no payment")
            now = ctx.clock()
            draft = Draft(
                id=new_mch_no(kind.id_prefix, now),
                kind=kind,
                pay_order_id="",
                basis=0,
                created_at=now,
            )
            self.drafts[draft.id] = draft
            return draft
        if not kind.returns_money:
            raise ValueError(f"{kind.value}: drafts are for refunds, voids and charges")
        problem = rules.id30(pay_order_id)
        if problem:
            raise InvalidInput("payOrderId", problem)
        # Refunds and voids still in flight are not part of the basis: when one of them
        # succeeds, this form is out of date and its submit is refused (PaymentChanged).
        basis = await ctx.db(ctx.journal.draft_basis, ctx.mch_id, pay_order_id)
        now = ctx.clock()
        draft = Draft(
            id=new_mch_no(kind.id_prefix, now),
            kind=kind,
            pay_order_id=pay_order_id,
            basis=basis,
            created_at=now,
        )
        self.drafts[draft.id] = draft
        return draft

    def discard_draft(self, draft_id: str) -> None:
        """Forget a draft whose form closed (a call in flight for it carries on)."""
        self.drafts.pop(draft_id, None)
        self._asks.pop(draft_id, None)

    def draft(self, draft_id: str, kind: ActionKind, pay_order_id: str) -> Draft:
        """The open draft ``draft_id``, which must be a ``kind`` of ``pay_order_id``."""
        draft = self.drafts.get(draft_id)
        if draft is None:
            raise UnknownDraft(draft_id)
        if draft.kind is not kind or draft.pay_order_id != pay_order_id:
            raise UnknownDraft(draft_id, f"the draft is a {draft.kind.value} of another payment")
        return draft

    # ------------------------------------------------------------------ submit

    async def submit(
        self, draft: Draft, prepare: Prepare, ask: tuple[object, ...] | None = None
    ) -> ActionResult:
        """Run the one submit of ``draft``, or join it. ``ask`` (a charge's details): a
        later submit with other details is refused (:class:`UnknownDraft`)."""
        if ask is not None:
            sent = self._asks.get(draft.id)
            if sent is not None and sent != ask:
                raise UnknownDraft(draft.id, "this charge form was already sent with other details")
        task = self._ctx.tasks.get(draft.mch_no)
        if task is None:
            if ask is not None:
                self._asks[draft.id] = ask
            task = self._ctx.own(draft.mch_no, self._submit_once(draft, prepare))
        # Shielded: an impatient caller going away never cancels a call in flight.
        return await asyncio.shield(task)

    async def _submit_once(self, draft: Draft, prepare: Prepare) -> ActionResult:
        ctx = self._ctx
        existing = await ctx.db(ctx.journal.find_action, ctx.mch_id, draft.mch_no)
        if existing is not None:
            # Submitted before: never send again; check it if it is still open.
            if existing.is_open:
                return await self._checker.check(existing)
            return result_of(existing)
        try:
            req, intent = await prepare()
            try:
                action = await ctx.db(
                    ctx.journal.create_intent,
                    kind=draft.kind,
                    mch_id=ctx.mch_id,
                    mch_no=draft.mch_no,
                    operator=ctx.operator,
                    now=ctx.clock(),
                    **intent,
                )
            except OpenActionExists as exc:
                raise ActionInProgress(exc.action) from None
            except TargetChanged as exc:
                raise PaymentChanged(exc.action) from None
        except BaseException:
            # Nothing was written or sent: the form may be corrected and sent again.
            self._asks.pop(draft.id, None)
            raise
        ctx.changed(action)
        return await self.send(action, req)

    # ------------------------------------------------------------------ send

    async def call(
        self,
        action: Action,
        call: Callable[[], Awaitable[_T]],
        *,
        again: bool = False,
        lost_prefix: str = "",
    ) -> _T | Unanswered:
        """Make the money-moving ``call`` of ``action`` (journaled already) and record
        what came of it when it brought no answer to act on.

        ``again``: the call is sent a second time with the same number, because the first
        one's outcome is unknown. The first may still land, so nothing IOTPay says to the
        second proves on its own that nothing moved: a refusal or no connection leaves
        the action unresolved (checked until IOTPay has it or the window ends).
        ``lost_prefix`` starts the journal's note of a lost answer.
        """
        ctx = self._ctx
        try:
            return await call()
        except IotPayRejected as exc:
            if classify_failure(exc.ret_msg) is FailureKind.ID_ALREADY_USED:
                # Our id exists at IOTPay: find out what it is, never send again.
                why = f"IOTPay says the id is in use: {exc.ret_msg}"
                return Unanswered(await ctx.mark_checking(action, why), exc, lost=True)
            if again:
                why = f"sent again, refused: {exc.ret_msg}"
                return Unanswered(await self._still_unknown(action, why), exc, lost=False)
            done = await ctx.complete(action, ActionState.FAILED, ret_msg=exc.ret_msg)
            return Unanswered(done, exc, lost=False)
        except CannotConnect as exc:
            if again:
                why = f"sent again, could not reach IOTPay: {exc.reason}"
                return Unanswered(await self._still_unknown(action, why), exc, lost=False)
            # No connection was made: the call never left this computer.
            done = await ctx.complete(
                action, ActionState.NOT_RECEIVED, ret_msg=f"could not reach IOTPay: {exc.reason}"
            )
            return Unanswered(done, exc, lost=False)
        except InvalidRequest as exc:  # checked before the intent; kept for safety
            done = await ctx.complete(
                action, ActionState.NOT_RECEIVED, ret_msg=f"{exc.field}: {exc.rule}"
            )
            return Unanswered(done, exc, lost=False)
        except OutcomeUnknown as exc:
            checking = await ctx.mark_checking(action, f"{lost_prefix}{exc.reason}")
            return Unanswered(checking, exc, lost=True)

    async def _still_unknown(self, action: Action, why: str) -> Action:
        """Record a check that settled nothing; the action stays unresolved."""
        fresh = await self._ctx.record_check(action, why)
        self._ctx.changed(fresh)
        return fresh

    async def _request(self, req: SendRequest) -> Order:
        client = self._ctx.client
        if isinstance(req, RefundRequest):
            return await client.refund(req)
        if isinstance(req, VoidRequest):
            return await client.void(req)
        if isinstance(req, PurchaseWithTokenRequest):
            return await client.purchase_with_token(req)
        return await client.purchase_with_wallet(req)

    async def send(self, action: Action, req: SendRequest, *, again: bool = False) -> ActionResult:
        """Send the refund, void or charge of ``action`` and record what came of it: a
        lost answer is checked (:meth:`~.checking.Checker.check`), never sent again.
        :class:`AnswerNotRecorded` when the ledger went away before the outcome was
        written (see the module docstring)."""
        answered: list[Order] = []

        async def request() -> Order:
            order = await self._request(req)
            answered.append(order)
            return order

        try:
            return await self._send(action, request, again=again)
        except AnswerNotRecorded:
            raise
        except LedgerUnavailable as exc:
            raise not_recorded(action, exc, answered[0] if answered else None) from exc

    async def _send(
        self, action: Action, request: Callable[[], Awaitable[Order]], *, again: bool
    ) -> ActionResult:
        ctx = self._ctx
        answer = await self.call(action, request, again=again)
        if isinstance(answer, Unanswered):
            if answer.lost:
                return await self._checker.check(answer.action)
            return result_of(answer.action)
        order = answer
        outcome = order.outcome
        if outcome is Outcome.SUCCEEDED:
            return result_of(await ctx.complete(action, ActionState.SUCCEEDED, order=order), order)
        if outcome is Outcome.FAILED:
            return result_of(await ctx.complete(action, ActionState.DECLINED, order=order), order)
        if action.kind in CHARGE_KINDS and order.status == OrderStatus.PENDING:
            # A pending charge is not a lost answer: it is followed (``follow``), not
            # checked on the backoff schedule.
            why = f"pending at IOTPay (status {order.status})"
            return ActionResult(action=await ctx.mark_checking(action, why), order=order)
        lost = await ctx.mark_checking(action, f"IOTPay answered status {order.status}")
        return await self._checker.check(lost)

    # ------------------------------------------------------------------ send again

    async def send_again(self, action: Action | int) -> ActionResult:
        """Send an unconfirmed refund, void or card charge again **with its own number**
        (mchRefundNo / mchOrderNo), after one more ``cc_query`` look.

        IOTPay refuses a second use of a number, so whichever of the two sends lands
        first is the only one that can succeed: this never moves money twice. If IOTPay
        has the order already, nothing is sent. A final action is returned as it is; an
        action this service is sending or checking is waited for instead.
        """
        ctx = self._ctx
        if isinstance(action, int):
            action = await ctx.db(ctx.journal.get_action, action)
        task = ctx.tasks.get(action.mch_no)
        if task is None:
            fresh = await ctx.db(ctx.journal.get_action, action.id)
            if fresh.state.is_final:
                return result_of(fresh)
            if fresh.kind not in RESENDABLE:
                raise InvalidInput(
                    "action", BrokenRule(RuleCode.NOT_RESENDABLE, kind=fresh.kind.value)
                )
            task = ctx.own(fresh.mch_no, self._send_again_once(fresh))
        return await asyncio.shield(task)

    async def _send_again_once(self, action: Action) -> ActionResult:
        ctx = self._ctx
        looked = await self._checker.check(action, delays=(0.0,))
        if looked.action.state.is_final or looked.order is not None:
            return looked  # IOTPay has it: settled, or pending there; nothing is sent
        action = looked.action
        req = await self._request_again(action)
        await ctx.db(
            ctx.journal.append_audit,
            ctx.operator,
            "send_again",
            action_id=action.id,
            detail={"kind": action.kind.value, "mch_no": action.mch_no},
            now=ctx.clock(),
        )
        return await self.send(action, req, again=True)

    async def _request_again(self, action: Action) -> SendRequest:
        """The same request as the first send, rebuilt from the journal."""
        ctx = self._ctx
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
        entries = await ctx.db(ctx.journal.audit_for_action, action.id)
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
            notify_url=ctx.notify_url,
        )


def not_recorded(
    action: Action, exc: LedgerUnavailable, order: Order | None = None
) -> AnswerNotRecorded:
    """``action`` was sent but its outcome could not be written: logged, and the error
    that tells the caller so (nothing is sent again; the intent stays unresolved)."""
    if order is not None:
        seen = f"IOTPay answered status {order.status}, payOrderId {order.pay_order_id}"
    elif exc.__context__ is not None:
        seen = f"the call ended with {type(exc.__context__).__name__}"
    else:
        seen = "IOTPay's answer was not seen"
    log.warning(
        "%s %s was sent but its outcome could not be recorded (%s); %s. It stays "
        "unresolved in the ledger and is checked with IOTPay when the ledger is back",
        action.kind.value,
        action.mch_no,
        exc,
        seen,
    )
    return AnswerNotRecorded(action.kind.value, action.mch_no, exc)

"""Refunds and voids of a payment, each sent once through :mod:`.sending`.

The amount is checked (> 0, ≤ refundable from a fresh ``cc_query`` of the payment)
before anything is written or sent; a refusal here is written to the audit trail. The
journal refuses a second unresolved action on one payment (:class:`ActionInProgress`)
and a form opened before another action on it succeeded (:class:`PaymentChanged`).
"""

from __future__ import annotations

from typing import Any

from iotpay_desk.api import Order, Outcome, RefundRequest, VoidRequest
from iotpay_desk.api.rules import BrokenRule, RuleCode
from iotpay_desk.journal import ActionKind

from .context import TEXT_MAX, MoneyContext
from .errors import InvalidInput
from .results import ActionResult, Draft
from .sending import Sender, SendRequest

__all__ = ["Refunds"]


class Refunds:
    """Refund and void for one :class:`MoneyContext`."""

    def __init__(self, ctx: MoneyContext, sender: Sender) -> None:
        self._ctx = ctx
        self._sender = sender

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
        draft = self._sender.draft(draft_id, ActionKind.REFUND, pay_order_id)
        return await self._submit(draft, amount_cents, reason, note)

    async def void(
        self, pay_order_id: str, reason: str = "", note: str = "", *, draft_id: str
    ) -> ActionResult:
        """Void an unsettled payment (always in full), once per draft."""
        draft = self._sender.draft(draft_id, ActionKind.VOID, pay_order_id)
        return await self._submit(draft, None, reason, note)

    async def _submit(
        self, draft: Draft, amount: int | None, reason: str, note: str
    ) -> ActionResult:
        async def prepare() -> tuple[SendRequest, dict[str, Any]]:
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
            intent: dict[str, Any] = {
                "target_pay_order_id": draft.pay_order_id,
                "amount_cents": amount if amount is not None else payment.refundable,
                "currency": payment.currency or "CAD",
                "reason": reason,
                "note": note,
                "changed_since": draft.basis,
                "detail": {"refundable_before": payment.refundable},
            }
            return req, intent

        return await self._sender.submit(draft, prepare)

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
                login_name=self._ctx.operator,
                refund_amount=amount,
                pay_order_id=draft.pay_order_id,
            )
        else:
            req = VoidRequest(
                mch_refund_no=draft.mch_no,
                login_name=self._ctx.operator,
                pay_order_id=draft.pay_order_id,
            )
        self._ctx.validated(req)
        return req

    async def _fresh_payment(self, pay_order_id: str) -> Order:
        payment = await self._ctx.order_by_id(pay_order_id)
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
        ctx = self._ctx
        await ctx.db(
            ctx.journal.append_audit,
            ctx.operator,
            "refused",
            detail={
                "kind": draft.kind.value,
                "mch_no": draft.mch_no,
                "target": draft.pay_order_id,
                "amount_cents": amount,
                "refundable": payment.refundable,
                "why": why,
            },
            now=ctx.clock(),
        )

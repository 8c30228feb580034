"""Where a money action stands: the draft a form opens, and the result of a submit or a
check. Shared by every money module (``sending``, ``checking``, ``refunds``,
``charging``, ``purchases``, ``lookups``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from iotpay_desk.api import Order
from iotpay_desk.journal import Action, ActionKind, ActionState

from .rules import FailureKind, classify_failure

__all__ = [
    "CHARGE_KINDS",
    "RESENDABLE",
    "ActionResult",
    "Draft",
    "order_of",
    "result_of",
]

CHARGE_KINDS = (ActionKind.CHARGE_TOKEN, ActionKind.CHARGE_WALLET)
# What can be sent again from the journal alone (a wallet token is never kept, and a
# purchase link's lost page cannot be given back).
RESENDABLE = (ActionKind.REFUND, ActionKind.VOID, ActionKind.CHARGE_TOKEN)


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
        return self.unconfirmed and self.action.kind in RESENDABLE

    @property
    def try_instead(self) -> ActionKind | None:
        """The other action to offer when IOTPay refused this one over settlement."""
        if self.failure is FailureKind.TOO_LATE_TO_VOID:
            return ActionKind.REFUND
        if self.failure is FailureKind.TOO_EARLY_TO_REFUND:
            return ActionKind.VOID
        return None


def order_of(action: Action) -> Order | None:
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


def result_of(action: Action, order: Order | None = None) -> ActionResult:
    """The result of ``action`` as it stands (``order``: the one IOTPay just gave)."""
    failure = classify_failure(action.ret_msg) if action.state is ActionState.FAILED else None
    return ActionResult(action=action, order=order or order_of(action), failure=failure)

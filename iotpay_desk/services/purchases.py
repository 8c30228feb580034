"""Purchase links (``cc_purchase``): IOTPay's hosted page for a one-off payment.

The order exists at IOTPay at once with status 0. It is journaled as a
``purchase_link`` action (intent first), sent once through :meth:`.sending.Sender.call`,
then *checking* while it waits for the customer (``follow`` it). A link whose page
address was lost is checked like any lost answer and closed when its page has expired.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from iotpay_desk.api import (
    CannotConnect,
    InvalidRequest,
    IotPayRejected,
    OutcomeUnknown,
    PurchaseRequest,
    rules,
)
from iotpay_desk.api.rules import RuleCode
from iotpay_desk.journal import ActionKind, new_mch_no
from iotpay_desk.journal.errors import LedgerUnavailable

from .charges import NOTIFY_URL_FALLBACK, PurchaseSession
from .context import MoneyContext, check_texts
from .errors import CannotReachIotPay, InvalidInput, MoneyError, RefusedByIotPay
from .returns import return_url_for
from .sending import Sender, Unanswered, not_recorded

__all__ = ["WALK_IN_CUSTOMER", "Purchases"]

# The mchUserId of a purchase link when the cashier names no customer.
WALK_IN_CUSTOMER = "walk-in"


class Purchases:
    """Purchase links for one :class:`MoneyContext`."""

    def __init__(self, ctx: MoneyContext, sender: Sender) -> None:
        self._ctx = ctx
        self._sender = sender

    async def start_purchase(
        self,
        amount_cents: int,
        subject: str = "",
        body: str = "",
        mch_user_id: str | None = None,
    ) -> PurchaseSession:
        """Make a purchase link (``cc_purchase``): the order exists at IOTPay at once with
        status 0. Journaled as a ``purchase_link`` action (intent first), then
        ``checking`` while it waits for the customer: ``follow`` it."""
        ctx = self._ctx
        problem = rules.cents(amount_cents)
        if problem:
            raise InvalidInput("amount", problem)
        check_texts(subject, "")
        if not isinstance(body, str):
            raise InvalidInput("body", RuleCode.TEXT)
        now = ctx.clock()
        mch_no = new_mch_no(ActionKind.PURCHASE_LINK.id_prefix, now)
        session_id = secrets.token_hex(12)
        return_url = return_url_for("purchase", session_id)
        user = (mch_user_id or "").strip() or WALK_IN_CUSTOMER
        req = PurchaseRequest(
            mch_order_no=mch_no,
            mch_user_id=user,
            amount=amount_cents,
            login_name=ctx.operator,
            notify_url=ctx.notify_url or NOTIFY_URL_FALLBACK,
            return_url=return_url,
            subject=subject.strip() or None,
            body=body.strip() or None,
        )
        ctx.validated(req)
        action = await ctx.db(
            ctx.journal.create_intent,
            kind=ActionKind.PURCHASE_LINK,
            mch_id=ctx.mch_id,
            mch_no=mch_no,
            operator=ctx.operator,
            amount_cents=amount_cents,
            subject=subject.strip(),
            mch_user_id=user,
            detail={"body": body.strip(), "session_id": session_id},
            now=now,
        )
        ctx.changed(action)
        # A lost answer: the order may exist, but its page address is lost and nobody
        # can pay it. It is checked like any lost answer and closed when its page has
        # expired.
        try:
            redirect = await self._sender.call(
                action, lambda: ctx.client.purchase(req), lost_prefix="the answer was lost: "
            )
            if isinstance(redirect, Unanswered):
                raise _unanswered_error(redirect.error) from None
            page = urlsplit(redirect.redirect_url)
            if page.scheme not in ("http", "https") or not page.hostname:
                await ctx.mark_checking(action, "the answer had no usable page address")
                raise RefusedByIotPay("the answer had no usable page address")
            waiting = await ctx.mark_checking(
                action, "waiting for the customer to pay on IOTPay's page"
            )
        except LedgerUnavailable as exc:
            # Sent, not recorded: the link stays an unresolved intent, checked when the
            # ledger is back (its page is not shown: nothing would follow it).
            raise not_recorded(action, exc) from exc
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


def _unanswered_error(error: Exception) -> MoneyError | InvalidInput:
    """What the cashier is told when a purchase link's call brought no page."""
    if isinstance(error, IotPayRejected):
        return RefusedByIotPay(error.ret_msg)
    if isinstance(error, OutcomeUnknown):
        return CannotReachIotPay(f"{error.reason}; no payment page was made, start again")
    if isinstance(error, CannotConnect):
        return CannotReachIotPay(error.reason)
    if isinstance(error, InvalidRequest):
        return InvalidInput(error.field, error.rule)
    return RefusedByIotPay(str(error))

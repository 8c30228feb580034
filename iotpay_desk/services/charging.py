"""Charges: a card of the vault (``cc_purchasewithtoken``) and an Apple Pay / Google Pay
token (``cc_purchasewithwallet``), each sent once per draft through :mod:`.sending`;
and the "charged already?" look at recent charges of a card."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from iotpay_desk.api import PurchaseWithTokenRequest, PurchaseWithWalletRequest, rules
from iotpay_desk.api.rules import RuleCode
from iotpay_desk.journal import Action, ActionKind, ActionState, ExpiryState

from .charges import check_client_ip, check_wallet
from .context import MoneyContext, check_texts
from .errors import InvalidInput, UnknownCard
from .results import ActionResult
from .sending import Sender, SendRequest

__all__ = ["Charging"]


class Charging:
    """Charges on file and wallet charges for one :class:`MoneyContext`."""

    def __init__(self, ctx: MoneyContext, sender: Sender) -> None:
        self._ctx = ctx
        self._sender = sender

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
        pending at IOTPay (status 0) → ``checking`` with the order: ``follow`` it; a
        lost answer → checked with ``cc_query`` (never sent again). Submitting the same
        draft again, at once or later, gives the same result; with other details it is
        refused (:class:`UnknownDraft`). ``mch_user_id`` defaults to the cardId.
        """
        ctx = self._ctx
        draft = self._sender.draft(draft_id, ActionKind.CHARGE_TOKEN, "")
        ask = ("card", card_id, amount_cents, subject, note, client_ip, mch_user_id)

        async def prepare() -> tuple[SendRequest, dict[str, Any]]:
            problem = rules.cents(amount_cents)
            if problem:
                raise InvalidInput("amount", problem)
            check_texts(subject, note)
            ip = check_client_ip(client_ip)
            card = await ctx.db(ctx.journal.get_vault_card, ctx.mch_id, card_id)
            if card is None:
                raise UnknownCard(card_id)
            if card.expiry_state(ctx.today()) is ExpiryState.EXPIRED:
                raise InvalidInput("cardId", RuleCode.CARD_EXPIRED)
            user = (mch_user_id or "").strip() or card_id
            req = PurchaseWithTokenRequest(
                mch_order_no=draft.mch_no,
                mch_user_id=user,
                card_id=card_id,
                amount=amount_cents,
                login_name=ctx.operator,
                subject=subject.strip() or None,
                client_ip=ip,
                notify_url=ctx.notify_url,
            )
            ctx.validated(req)
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

        return await self._sender.submit(draft, prepare, ask)

    async def similar_recent_charge(
        self, card_id: str, amount_cents: int, within_s: float | None = None
    ) -> Action | None:
        """The newest charge of the same card for the same amount in the last
        ``within_s`` seconds (default: the context's ``repeat_charge_within``) that went
        through or may have (for the "charged already?" warning); None if there is none."""
        ctx = self._ctx
        window = ctx.repeat_charge_within if within_s is None else within_s
        since = ctx.clock() - timedelta(seconds=window)
        found = await ctx.db(
            ctx.journal.recent_card_actions,
            ctx.mch_id,
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
        ctx = self._ctx
        draft = self._sender.draft(draft_id, ActionKind.CHARGE_WALLET, "")
        digest = hashlib.sha256(str(wallet_data_b64).encode("utf-8", "replace")).hexdigest()
        ask = ("wallet", wallet_type, digest, amount_cents, subject, note)

        async def prepare() -> tuple[SendRequest, dict[str, Any]]:
            problem = rules.cents(amount_cents)
            if problem:
                raise InvalidInput("amount", problem)
            check_texts(subject, note)
            token = check_wallet(wallet_type, wallet_data_b64)
            req = PurchaseWithWalletRequest(
                mch_order_no=draft.mch_no,
                amount=amount_cents,
                login_name=ctx.operator,
                wallet_type=token.wallet_type,
                wallet_data=token.data,
                subject=subject.strip() or None,
                notify_url=ctx.notify_url,
            )
            ctx.validated(req)
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

        return await self._sender.submit(draft, prepare, ask)

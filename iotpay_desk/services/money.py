"""The money service: look up orders, refund, void, charge, purchase links, resolve
unknown outcomes. :class:`MoneyService` is the one object the screens use; the work is
done by the modules beside it, each once (issue 4's rules, kept as they were):

- Every refund, void or charge is written to the journal as an *intent*, with its
  generated mchRefundNo / mchOrderNo, before it is sent; IOTPay's answer completes it
  (``sending``).
- A money-moving call is sent **once**. When its answer is lost (timeout, dropped
  connection, HTTP 5xx, garbage) the action becomes *checking* and is resolved with
  ``cc_query`` by its number, with backoff, at every start and while the desk runs
  (:meth:`MoneyService.watch`), by the one check loop (``checking``). Not found at
  IOTPay stays unresolved for the profile's window (a day by default): IOTPay may commit
  a late delivery. Only then is it *not_received*, and trying again takes a new draft (a
  new id). Before that, the operator may :meth:`~MoneyService.send_again` it with its
  *own* id only.
- A *draft* (:meth:`MoneyService.new_draft`) is made when a refund, void or charge form
  opens. Submitting one draft any number of times, at once or later (double-click, a
  held Enter, a retry after an error), sends at most one call: every submit gets the
  same result. A different draft on a payment whose action is unresolved gets
  :class:`ActionInProgress`; one opened before another action on the payment succeeded
  gets :class:`PaymentChanged`. The journal enforces both across windows and processes.
- Amounts are checked (> 0, ≤ refundable from a fresh ``cc_query`` of the payment)
  before anything is written or sent (``refunds``).

Threading: every method is a coroutine for the one asyncio loop (the GUI's qasync
loop); blocking journal work runs in ``asyncio.to_thread``. ``on_change`` is called on
the loop's thread after every state change of an action.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, time, tzinfo
from typing import TYPE_CHECKING

from iotpay_desk.api import Order
from iotpay_desk.journal import Action, ActionKind, AuditEntry, DeskIdentity, Ledger, Lookup
from iotpay_desk.journal.books import BookEntry, BookKey, BooksFilter

from .charges import FOLLOW_ATTEMPTS, FOLLOW_INTERVAL_S, SIMILAR_WITHIN_S, PurchaseSession
from .charging import Charging
from .checking import (
    CHECK_DELAYS,
    IN_FLIGHT_GRACE_S,
    LATER_CHECK_FIRST_S,
    LATER_CHECK_MAX_S,
    NOT_RECEIVED_AFTER_S,
    WATCH_TICK_S,
    Checker,
)
from .context import TEXT_MAX, MoneyContext
from .days import Days
from .deposits import Deposits
from .exporting import Exports
from .importing import Imports
from .lookups import Lookups, OrderDetail
from .purchases import WALK_IN_CUSTOMER, Purchases
from .reconcile import Reconciler
from .refunds import Refunds
from .results import ActionResult, Draft
from .rules import DEFAULT_CUTOFF, TORONTO
from .sending import Sender

if TYPE_CHECKING:
    from iotpay_desk.api.client import IotPayClient

__all__ = [
    "CHECK_DELAYS",
    "IN_FLIGHT_GRACE_S",
    "LATER_CHECK_FIRST_S",
    "LATER_CHECK_MAX_S",
    "NOT_RECEIVED_AFTER_S",
    "TEXT_MAX",
    "WALK_IN_CUSTOMER",
    "WATCH_TICK_S",
    "ActionResult",
    "Draft",
    "MoneyService",
    "OrderDetail",
]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MoneyService:
    """Refunds, voids, charges, purchase links and lookups for one merchant and one
    operator.

    ``clock`` (aware datetimes), ``sleep`` (the backoff waits), ``cutoff``/``tz`` (the
    profile's daily batch cut-off), ``check_delays`` (the cc_query schedule for a lost
    answer) and ``not_received_after`` (seconds) come in here so tests drive them.
    """

    def __init__(
        self,
        client: IotPayClient,
        journal: Ledger,
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
        self._ctx = ctx = MoneyContext(
            client,
            journal,
            operator=operator,
            clock=clock,
            sleep=sleep,
            cutoff=cutoff,
            tz=tz,
            on_change=on_change,
            check_delays=check_delays,
            not_received_after=not_received_after,
            notify_url=notify_url,
            repeat_charge_within=repeat_charge_within,
        )
        self._client = client
        self._journal = journal
        self._checker = Checker(ctx)
        self._sender = Sender(ctx, self._checker)
        self._drafts = self._sender.drafts  # the open forms' drafts (one dict, shared)
        self._lookups = Lookups(ctx, self._checker)
        self._refunds = Refunds(ctx, self._sender)
        self._charging = Charging(ctx, self._sender)
        self._purchases = Purchases(ctx, self._sender)
        # The bookkeeper's work on the books (issue: the books).
        self.days = Days(ctx)
        self.imports = Imports(ctx)
        self.reconciler = Reconciler(ctx)
        self.deposits = Deposits(ctx)
        self.exports = Exports(ctx)

    def __repr__(self) -> str:
        return f"MoneyService(mch_id={self.mch_id!r}, operator={self.operator!r})"

    # ------------------------------------------------------------------ settings

    @property
    def operator(self) -> str:
        return self._ctx.operator

    @property
    def mch_id(self) -> str:
        return self._ctx.mch_id

    @property
    def desk(self) -> DeskIdentity:
        """This running desk, as the ledger knows it (its name, its lease owner id)."""
        return self._ctx.journal.desk

    @property
    def cutoff(self) -> time:
        return self._ctx.cutoff

    @cutoff.setter
    def cutoff(self, value: time) -> None:
        self._ctx.cutoff = value

    @property
    def tz(self) -> tzinfo:
        return self._ctx.tz

    @tz.setter
    def tz(self, value: tzinfo) -> None:
        self._ctx.tz = value

    @property
    def on_change(self) -> Callable[[Action], None] | None:
        """Called on the loop's thread after every state change of an action."""
        return self._ctx.on_change

    @on_change.setter
    def on_change(self, value: Callable[[Action], None] | None) -> None:
        self._ctx.on_change = value

    @property
    def notify_url(self) -> str | None:
        return self._ctx.notify_url

    @notify_url.setter
    def notify_url(self, value: str | None) -> None:
        self._ctx.notify_url = value

    @property
    def repeat_charge_within(self) -> float:
        """The "charged already?" window (seconds): the profile's repeat-charge hours."""
        return self._ctx.repeat_charge_within

    @repeat_charge_within.setter
    def repeat_charge_within(self, value: float) -> None:
        self._ctx.repeat_charge_within = value

    # ------------------------------------------------------------------ in flight

    @property
    def busy(self) -> bool:
        """True while a refund, void or charge of this service is in flight."""
        return bool(self._ctx.tasks)

    async def wait_idle(self) -> None:
        """Wait until no refund, void or charge of this service is in flight (before its
        journal is closed, e.g. when the desk switches profiles). Never cancels one."""
        while self._ctx.tasks:
            await asyncio.wait(list(self._ctx.tasks.values()))
        # and no journal work left running in a thread by a caller that went away
        await self._ctx.threads.idle()

    # ------------------------------------------------------------------ lookups

    async def lookup(self, text: str) -> OrderDetail:
        """Find an order by either id, with its refunds and voids, and record the look-up
        (:meth:`.lookups.Lookups.lookup`)."""
        return await self._lookups.lookup(text)

    async def order_detail(self, pay_order_id: str) -> OrderDetail:
        """A payment freshly queried by its payOrderId (:meth:`.lookups.Lookups.order_detail`)."""
        return await self._lookups.order_detail(pay_order_id)

    async def recent_lookups(self, limit: int = 20) -> list[Lookup]:
        return await self._lookups.recent_lookups(limit)

    async def books_page(
        self,
        flt: BooksFilter,
        *,
        limit: int = 100,
        after: BookKey | None = None,
        through: BookKey | None = None,
    ) -> list[BookEntry]:
        """A page of this merchant's books, newest first (:meth:`.Lookups.books_page`)."""
        return await self._lookups.books_page(flt, limit=limit, after=after, through=through)

    async def audit_page(self, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
        """The Activity screen's audit trail, newest first, a page at a time."""
        return await self._lookups.audit_page(limit, before_id)

    async def open_actions(self) -> list[Action]:
        """Unresolved actions of this merchant (the "checking" list)."""
        return await self._lookups.open_actions()

    async def actions_page(self, limit: int = 100, before_id: int | None = None) -> list[Action]:
        """Journal actions newest first, a page at a time."""
        return await self._lookups.actions_page(limit, before_id)

    async def audit_for_action(self, action_id: int) -> list[AuditEntry]:
        """Every audit entry of one action, oldest first."""
        return await self._lookups.audit_for_action(action_id)

    # ------------------------------------------------------------------ drafts

    async def new_draft(self, kind: ActionKind, pay_order_id: str = "") -> Draft:
        """Open a refund, void or charge form (:meth:`.sending.Sender.new_draft`)."""
        return await self._sender.new_draft(kind, pay_order_id)

    def discard_draft(self, draft_id: str) -> None:
        """Forget a draft whose form closed (a call in flight for it carries on)."""
        self._sender.discard_draft(draft_id)

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
        """Refund ``amount_cents`` of a settled payment, once per draft (:mod:`.refunds`)."""
        return await self._refunds.refund(
            pay_order_id, amount_cents, reason, note, draft_id=draft_id
        )

    async def void(
        self, pay_order_id: str, reason: str = "", note: str = "", *, draft_id: str
    ) -> ActionResult:
        """Void an unsettled payment (always in full), once per draft (:mod:`.refunds`)."""
        return await self._refunds.void(pay_order_id, reason, note, draft_id=draft_id)

    # ------------------------------------------------------------------ resolving

    def unconfirmed_until(self, action: Action) -> datetime:
        """When an action IOTPay has no record of is called "not received" at last."""
        return self._checker.unconfirmed_until(action)

    def next_check_at(self, action: Action) -> datetime:
        """When the watch checks an unresolved action again (:mod:`.checking`)."""
        return self._checker.next_check_at(action)

    async def check_due(self) -> list[ActionResult]:
        """Check every unresolved action whose next check is due, once (:mod:`.checking`)."""
        return await self._checker.check_due()

    async def watch(self, tick: float = WATCH_TICK_S) -> None:
        """While the desk runs: check unresolved actions when due, until cancelled."""
        await self._checker.watch(tick)

    async def send_again(self, action: Action | int) -> ActionResult:
        """Send an unconfirmed refund, void or card charge again with its own number
        (:meth:`.sending.Sender.send_again`): never moves money twice."""
        return await self._sender.send_again(action)

    async def resolve(self, action: Action | int) -> ActionResult:
        """Resolve an unresolved action with ``cc_query`` (:meth:`.checking.Checker.resolve`)."""
        return await self._checker.resolve(action)

    async def resolve_unresolved(self) -> list[ActionResult]:
        """At start-up: resolve every intent and checking action of this merchant."""
        return await self._checker.resolve_unresolved()

    # ------------------------------------------------------------------ charges

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
        """Charge a card of the vault, once per draft (:meth:`.charging.Charging.charge_card`)."""
        return await self._charging.charge_card(
            draft_id, card_id, amount_cents, subject, note, client_ip, mch_user_id
        )

    async def similar_recent_charge(
        self, card_id: str, amount_cents: int, within_s: float | None = None
    ) -> Action | None:
        """The newest like charge of a card, for the "charged already?" warning
        (:meth:`.charging.Charging.similar_recent_charge`)."""
        return await self._charging.similar_recent_charge(card_id, amount_cents, within_s)

    async def charge_wallet(
        self,
        draft_id: str,
        wallet_type: str,
        wallet_data_b64: str,
        amount_cents: int,
        subject: str = "",
        note: str = "",
    ) -> ActionResult:
        """Charge an Apple Pay / Google Pay token, once per draft (:mod:`.charging`)."""
        return await self._charging.charge_wallet(
            draft_id, wallet_type, wallet_data_b64, amount_cents, subject, note
        )

    # ------------------------------------------------------------------ purchase links

    async def start_purchase(
        self,
        amount_cents: int,
        subject: str = "",
        body: str = "",
        mch_user_id: str | None = None,
    ) -> PurchaseSession:
        """Make a purchase link (:meth:`.purchases.Purchases.start_purchase`)."""
        return await self._purchases.start_purchase(amount_cents, subject, body, mch_user_id)

    async def follow(
        self,
        mch_no: str,
        *,
        attempts: int = FOLLOW_ATTEMPTS,
        interval: float = FOLLOW_INTERVAL_S,
        on_tick: Callable[[int, Order | None], None] | None = None,
    ) -> ActionResult:
        """Follow a charge or purchase link with ``cc_query`` (:meth:`.checking.Checker.follow`)."""
        return await self._checker.follow(
            mch_no, attempts=attempts, interval=interval, on_tick=on_tick
        )

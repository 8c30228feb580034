"""Records of the money journal: actions, audit entries, recent lookups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

__all__ = [
    "Action",
    "ActionKind",
    "ActionState",
    "AuditEntry",
    "ExpiryState",
    "Lookup",
    "VaultCard",
    "format_time",
    "parse_time",
]

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_time(when: datetime) -> str:
    """UTC, fixed width, so text order is time order (``2024-01-01T21:50:09.579871Z``)."""
    if when.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    utc = when.astimezone(UTC)
    # strftime(_TIME_FORMAT)'s text in half the time (three a payment), and 4-digit years
    # below 1000 too (%Y writes as many digits as the year has: not fixed width).
    text = utc.isoformat()  # 2024-01-01T21:50:09.579871+00:00, no fraction if it is 0
    return f"{text[:-6]}Z" if utc.microsecond else f"{text[:-6]}.000000Z"


def parse_time(text: str) -> datetime:
    """The inverse of :func:`format_time` (fast: lists of thousands of rows use it)."""
    if len(text) == 27 and text[-1] == "Z":
        try:
            return datetime.fromisoformat(text)  # "Z" is read as UTC
        except ValueError:
            pass
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


class ActionKind(Enum):
    """What a money-moving action does. The id prefix is the first letter of its mch_no."""

    REFUND = "refund"
    VOID = "void"
    CHARGE_TOKEN = "charge_token"  # noqa: S105 - a kind, not a secret
    CHARGE_WALLET = "charge_wallet"
    PURCHASE_LINK = "purchase_link"

    @property
    def id_prefix(self) -> str:
        return _PREFIXES[self]

    @property
    def returns_money(self) -> bool:
        """Refunds and voids act on an existing payment (their ``target``)."""
        return self in (ActionKind.REFUND, ActionKind.VOID)


_PREFIXES = {
    ActionKind.REFUND: "R",
    ActionKind.VOID: "V",
    ActionKind.CHARGE_TOKEN: "T",
    ActionKind.CHARGE_WALLET: "W",
    ActionKind.PURCHASE_LINK: "P",
}


class ActionState(Enum):
    """Where an action stands.

    - ``intent``: written before the call is sent; the answer is not in yet.
    - ``checking``: the answer was lost (timeout, dropped connection, HTTP 5xx); being
      resolved with ``cc_query``. Never sent again.
    - ``succeeded``: IOTPay's order has status 2 or 3.
    - ``failed``: IOTPay refused the call (``FAIL``, its retMsg kept).
    - ``declined``: IOTPay took the call and its order failed (status 9).
    - ``not_received``: IOTPay still had no order with this id when the unconfirmed
      window ended (or no connection was ever made): the call never landed. Trying again
      needs a new action (a new id); nothing is ever re-sent automatically. Corrected if
      IOTPay's order turns up after all.
    """

    INTENT = "intent"
    CHECKING = "checking"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DECLINED = "declined"
    NOT_RECEIVED = "not_received"

    @property
    def is_open(self) -> bool:
        """Unresolved: no second money-moving call may be made while one is open."""
        return self in (ActionState.INTENT, ActionState.CHECKING)

    @property
    def is_final(self) -> bool:
        return not self.is_open


@dataclass(frozen=True, slots=True)
class Action:
    """One money-moving action and what IOTPay answered. Card numbers are masked."""

    id: int
    kind: ActionKind
    mch_id: str
    mch_no: str
    amount_cents: int | None
    currency: str
    operator: str
    state: ActionState
    created_at: datetime
    updated_at: datetime
    target_pay_order_id: str | None = None
    reason: str = ""
    note: str = ""
    pay_order_id: str | None = None
    status: int | None = None
    ret_msg: str = ""
    card_num: str = ""
    card_type: str = ""
    auth_num: str = ""
    trans_num: str = ""
    pay_succ_time: str = ""
    attempts: int = 0
    card_id: str | None = None
    mch_user_id: str | None = None
    subject: str = ""
    # The shared ledger (revision 0002): the desk that wrote the intent, and the lease on
    # checking it while it is unresolved (the running desk holding it, its name, until).
    desk: str = ""
    lease_owner: str | None = None
    lease_desk: str | None = None
    lease_until: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state.is_open

    def checked_elsewhere(self, instance: str, now: datetime) -> bool:
        """Another running desk (not ``instance``) holds an unexpired lease on checking
        this unresolved action: this desk leaves it to that one."""
        return (
            self.is_open
            and self.lease_owner is not None
            and self.lease_owner != instance
            and self.lease_until is not None
            and self.lease_until > now
        )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit trail."""

    id: int
    at: datetime
    operator: str
    event: str
    action_id: int | None
    detail: dict[str, Any]
    mch_id: str = ""
    desk: str = ""


@dataclass(frozen=True, slots=True)
class Lookup:
    """A recent order lookup, for one-click reopening."""

    id: int
    at: datetime
    query: str
    pay_order_id: str
    mch_order_no: str


class ExpiryState(Enum):
    """How a card's expiry date (MMYY) stands on a given day."""

    OK = "ok"
    EXPIRES_THIS_MONTH = "expires_this_month"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # no usable expiry date (IOTPay may give none)


def expiry_state(expiry_mmyy: str, today: date) -> ExpiryState:
    """A card is valid through the last day of its expiry month."""
    text = expiry_mmyy.strip()
    if len(text) != 4 or not text.isascii() or not text.isdigit():
        return ExpiryState.UNKNOWN
    month, year = int(text[:2]), 2000 + int(text[2:])
    if not 1 <= month <= 12:
        return ExpiryState.UNKNOWN
    if (year, month) < (today.year, today.month):
        return ExpiryState.EXPIRED
    if (year, month) == (today.year, today.month):
        return ExpiryState.EXPIRES_THIS_MONTH
    return ExpiryState.OK


@dataclass(frozen=True, slots=True)
class VaultCard:
    """A card on file: bound at IOTPay to ``card_id``, kept in the profile's vault.

    ``card_num`` is masked as IOTPay gave it (``424242******4242``); ``brand`` is ``V``
    Visa, ``M`` Mastercard, ``A`` Amex or ``""``; ``expiry_date`` is MMYY (``""`` when
    IOTPay has none). ``via``: ``hosted`` (IOTPay's page), ``direct`` (typed in the
    desk, PCI DSS merchants) or ``imported`` (already bound, taken into the vault).
    """

    card_id: str
    customer_label: str
    card_num: str
    brand: str
    expiry_date: str
    holder: str
    added_by: str
    added_at: datetime
    mch_id: str = ""
    via: str = "hosted"
    refreshed_at: datetime | None = None

    @property
    def last4(self) -> str:
        digits = "".join(c for c in self.card_num if c.isdigit())
        return digits[-4:] if len(digits) >= 4 else ""

    def expiry_state(self, today: date) -> ExpiryState:
        return expiry_state(self.expiry_date, today)


@dataclass(frozen=True, slots=True)
class CardPage:
    """An add-card page IOTPay gave the desk (``cc_addcard``), and how it ended.

    ``closed_at``: when the page was closed on screen before it came back to the desk.
    ``outcome`` is None while the desk does not know whether the card was bound;
    then ``added``, ``not_added`` (IOTPay has no card on ``card_id``) or ``cancelled``
    (the page was closed before the card was bound).
    """

    session_id: str
    card_id: str
    customer_label: str
    started_by: str
    started_at: datetime
    mch_id: str = ""
    closed_at: datetime | None = None
    outcome: str | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    """A notification IOTPay sent about an order, verified with the merchant key.

    One per order and status: ``times`` counts how often IOTPay sent it (its retries),
    ``first_at`` / ``last_at`` when. ``card_num`` is masked.
    """

    pay_order_id: str
    mch_order_no: str
    pay_type: str
    status: int
    amount_cents: int
    card_num: str
    first_at: datetime
    last_at: datetime
    times: int = 1
    mch_id: str = ""

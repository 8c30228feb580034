"""Pure rules of the Orders screen: status in words (after refunds and voids), void-or-refund
advice, IOTPay's times, the failure classification of IOTPay's answers, amount parsing.
No I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo

from iotpay_desk.api.models import Order, OrderStatus, Outcome
from iotpay_desk.journal.models import Action, ActionKind, ActionState

__all__ = [
    "DEFAULT_CUTOFF",
    "TORONTO",
    "Advice",
    "FailureKind",
    "PaymentStatus",
    "StatusWord",
    "advice",
    "classify_failure",
    "iotpay_time",
    "looks_like_pay_order_id",
    "payment_status",
    "settles_at",
    "status_word",
]

TORONTO = ZoneInfo("America/Toronto")
DEFAULT_CUTOFF = time(21, 0)
_PAY_ORDER_ID = re.compile(r"[A-Z]{2}[0-9]{26}")
_PAY_SUCC_TIME = "%Y-%m-%d %H:%M:%S"


class StatusWord(Enum):
    """An order's status in words; the GUI translates each."""

    PAID = "paid"
    PAID_NOTIFIED = "paid_notified"
    PENDING = "pending"
    FAILED = "failed"
    UNKNOWN = "unknown"
    # After refunds and voids (see payment_status):
    VOIDED = "voided"
    REFUNDED = "refunded"
    PARTLY_REFUNDED = "partly_refunded"
    RETURNED = "returned"  # returned in full elsewhere: IOTPay does not say by which


_WORDS: dict[int, StatusWord] = {
    OrderStatus.SUCCESS: StatusWord.PAID,
    OrderStatus.NOTIFIED: StatusWord.PAID_NOTIFIED,
    OrderStatus.PENDING: StatusWord.PENDING,
    OrderStatus.FAILED: StatusWord.FAILED,
}


def status_word(status: int) -> StatusWord:
    """0 pending, 2 paid, 3 paid & notified, 9 failed; anything else (1) unknown."""
    return _WORDS.get(int(status), StatusWord.UNKNOWN)


class Advice(Enum):
    """What to offer for a payment: void before its settlement, refund after."""

    VOID = "void"
    REFUND = "refund"
    NONE = "none"


def looks_like_pay_order_id(text: str) -> bool:
    """IOTPay's ids: two capital letters and 26 digits (``PC20240101215009579871439079``)."""
    return _PAY_ORDER_ID.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class PaymentStatus:
    """A payment's status after its refunds and voids: ``word``, and ``returned_cents``
    (what went back to the card, in all)."""

    word: StatusWord
    returned_cents: int = 0


def payment_status(order: Order, returns: Iterable[Action] = ()) -> PaymentStatus:
    """The status to show for ``order``, from IOTPay's answer and the journal together.

    IOTPay's ``status`` says whether the payment went through and its ``refundable``
    how much of it is left; it never says "voided". The journal's refunds and voids of
    the payment (``returns``, any state: only succeeded ones count) say which it was.
    What went back is the larger of the two accounts (IOTPay's counts refunds made
    elsewhere, the journal's one IOTPay's answer may predate), never more than the
    amount. A payment returned in full with no void or refund of it in the journal was
    returned elsewhere, and IOTPay does not say how: ``RETURNED``.
    """
    word = status_word(order.status)
    if order.is_refund or order.outcome is not Outcome.SUCCEEDED or order.amount <= 0:
        return PaymentStatus(word)
    done = [
        a
        for a in returns
        if a.state is ActionState.SUCCEEDED
        and a.kind.returns_money
        and a.target_pay_order_id in (None, "", order.pay_order_id)
    ]
    voided = any(a.kind is ActionKind.VOID for a in done)
    journal_cents = sum(
        (a.amount_cents or 0) if a.kind is ActionKind.REFUND else order.amount for a in done
    )
    iotpay_cents = order.amount - max(0, order.refundable)
    returned = min(order.amount, max(journal_cents, iotpay_cents))
    if returned <= 0:
        return PaymentStatus(word)
    if returned < order.amount:
        return PaymentStatus(StatusWord.PARTLY_REFUNDED, returned)
    if voided:
        return PaymentStatus(StatusWord.VOIDED, returned)
    if done:
        return PaymentStatus(StatusWord.REFUNDED, returned)
    return PaymentStatus(StatusWord.RETURNED, returned)


def iotpay_time(text: str) -> datetime | None:
    """IOTPay's ``paySuccTime`` (``yyyy-MM-dd HH:mm:ss``, America/Toronto wall clock) as
    an aware datetime; ``None`` if it is empty or not in that form. Show it with
    ``.astimezone(merchant_tz)``."""
    try:
        return datetime.strptime(text.strip(), _PAY_SUCC_TIME).replace(tzinfo=TORONTO)
    except ValueError:
        return None


def _paid_at(order: Order, tz: tzinfo) -> datetime | None:
    """When IOTPay says the payment succeeded, on ``tz``'s wall clock."""
    paid = iotpay_time(order.pay_succ_time)
    return paid.astimezone(tz) if paid is not None else None


def settles_at(
    order: Order, cutoff: time = DEFAULT_CUTOFF, tz: tzinfo = TORONTO
) -> datetime | None:
    """When a payment is expected to settle: the first daily cut-off strictly after it was
    paid (a payment at or after the day's cut-off settles at the next day's). ``None``
    if the payment time is unknown. Wall-clock arithmetic, so DST keeps the cut-off."""
    paid = _paid_at(order, tz)
    if paid is None:
        return None
    day: date = paid.date()
    candidate = datetime.combine(day, cutoff, tzinfo=tz)
    if paid >= candidate:
        candidate = datetime.combine(day + timedelta(days=1), cutoff, tzinfo=tz)
    return candidate


def advice(
    order: Order, now: datetime, cutoff: time = DEFAULT_CUTOFF, tz: tzinfo = TORONTO
) -> Advice:
    """Void or refund, from the profile's daily cut-off (IOTPay does not say when a
    payment settles). ``NONE`` when there is nothing to return: a refund or void order,
    a payment that did not succeed, nothing left refundable, or no payment time."""
    if order.is_refund or order.outcome is not Outcome.SUCCEEDED or order.refundable <= 0:
        return Advice.NONE
    if order.refundable < order.amount:
        return Advice.REFUND  # partly refunded already: it has settled
    settle = settles_at(order, cutoff, tz)
    if settle is None:
        return Advice.NONE
    return Advice.REFUND if now.astimezone(UTC) >= settle.astimezone(UTC) else Advice.VOID


class FailureKind(Enum):
    """Why IOTPay refused a refund or void, as far as the desk acts on it."""

    TOO_LATE_TO_VOID = "too_late_to_void"  # settled: use a refund
    TOO_EARLY_TO_REFUND = "too_early_to_refund"  # not settled: use a void
    OVER_REFUNDABLE = "over_refundable"
    ID_ALREADY_USED = "id_already_used"  # our mchRefundNo exists: check, never resend
    OTHER = "other"


_NOT_SETTLED = ("not settled", "unsettled", "not yet settled", "before settlement")
_SETTLED = ("already settled", "has been settled", "was settled", "after settlement")
_OVER = ("more than", "exceed", "greater than", "over the", "insufficient", "not enough")
_ID_USED = ("already used", "duplicate", "already exists", "repeated")


def classify_failure(ret_msg: str) -> FailureKind:
    """Classify IOTPay's retMsg for a refused refund or void (the one place that does).

    Aligned with the sandbox's texts ("the payment is already settled; use refund, not
    void", "the payment is not settled yet; use void, not refund", "refundAmount: more
    than the refundable amount (…)", "mchRefundNo: already used …") and with the wording
    IOTPay's hosts use for the same refusals.
    """
    msg = " ".join(ret_msg.lower().split())
    if any(k in msg for k in _NOT_SETTLED):
        return FailureKind.TOO_EARLY_TO_REFUND
    if any(k in msg for k in _SETTLED) or ("settled" in msg and "use refund" in msg):
        return FailureKind.TOO_LATE_TO_VOID
    if "refundable" in msg and any(k in msg for k in _OVER):
        return FailureKind.OVER_REFUNDABLE
    if any(k in msg for k in _ID_USED) and ("mchrefundno" in msg or "mchorderno" in msg):
        return FailureKind.ID_ALREADY_USED
    return FailureKind.OTHER

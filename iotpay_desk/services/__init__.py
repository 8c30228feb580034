"""Use cases behind the screens: look up, refund, void, resolve unknown outcomes.

Plain asyncio Python: nothing here imports Qt. Widgets call these, never the network.
"""

from .errors import (
    ActionInProgress,
    CannotReachIotPay,
    InvalidInput,
    MoneyError,
    OrderNotFound,
    PaymentChanged,
    RefusedByIotPay,
    UnknownDraft,
)
from .money import CHECK_DELAYS, ActionResult, Draft, MoneyService, OrderDetail
from .rules import (
    Advice,
    FailureKind,
    StatusWord,
    advice,
    classify_failure,
    looks_like_pay_order_id,
    parse_cents,
    settles_at,
    status_word,
)

__all__ = [
    "CHECK_DELAYS",
    "ActionInProgress",
    "ActionResult",
    "Advice",
    "CannotReachIotPay",
    "Draft",
    "FailureKind",
    "InvalidInput",
    "MoneyError",
    "MoneyService",
    "OrderDetail",
    "OrderNotFound",
    "PaymentChanged",
    "RefusedByIotPay",
    "StatusWord",
    "UnknownDraft",
    "advice",
    "classify_failure",
    "looks_like_pay_order_id",
    "parse_cents",
    "settles_at",
    "status_word",
]

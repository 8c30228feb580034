"""IOTPay Credit Card API V3: sign, typed requests and results, the async client.

Plain asyncio Python: nothing here imports Qt. The client (and httpx, with its
certificates) is imported when first asked for: the desk's window does not wait for it.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    CannotConnect,
    InvalidNotify,
    InvalidRequest,
    IotPayError,
    IotPayRejected,
    OutcomeUnknown,
)
from .models import (
    AddCardRequest,
    Card,
    DirectAddCardRequest,
    Order,
    OrderStatus,
    Outcome,
    PurchaseRequest,
    PurchaseWithTokenRequest,
    PurchaseWithWalletRequest,
    QueryCardRequest,
    QueryRequest,
    Redirect,
    RefundRequest,
    Request,
    VoidRequest,
    card_brand,
    mask_card_number,
    outcome_of,
    request_params,
)
from .notify import NOTIFY_ACK, parse_notify
from .sign import sign, verify_sign

__all__ = [
    "NOTIFY_ACK",
    "PRODUCTION_URL",
    "TEST_URL",
    "AddCardRequest",
    "CannotConnect",
    "Card",
    "DirectAddCardRequest",
    "InvalidNotify",
    "InvalidRequest",
    "IotPayClient",
    "IotPayError",
    "IotPayRejected",
    "Order",
    "OrderStatus",
    "Outcome",
    "OutcomeUnknown",
    "PurchaseRequest",
    "PurchaseWithTokenRequest",
    "PurchaseWithWalletRequest",
    "QueryCardRequest",
    "QueryRequest",
    "Redirect",
    "RefundRequest",
    "Request",
    "VoidRequest",
    "card_brand",
    "default_http_client",
    "default_http_pools",
    "is_loopback",
    "mask_card_number",
    "outcome_of",
    "parse_notify",
    "request_params",
    "sign",
    "verify_sign",
]

if TYPE_CHECKING:
    from .client import (
        PRODUCTION_URL,
        TEST_URL,
        IotPayClient,
        default_http_client,
        default_http_pools,
        is_loopback,
    )

_FROM_CLIENT = frozenset(
    {
        "PRODUCTION_URL",
        "TEST_URL",
        "IotPayClient",
        "default_http_client",
        "default_http_pools",
        "is_loopback",
    }
)


def __getattr__(name: str) -> Any:
    if name in _FROM_CLIENT:
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

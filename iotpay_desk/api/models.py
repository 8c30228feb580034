"""Typed requests and results of the nine V3 endpoints.

Requests are frozen dataclasses whose fields carry their API name and rule; they are
validated by :func:`request_params` before anything is sent. Results are parsed
tolerantly: unknown fields ignored, any order, missing optional fields fine.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import Any, ClassVar

from . import rules
from .errors import InvalidRequest
from .rules import RuleCode

__all__ = [
    "AddCardRequest",
    "Card",
    "DirectAddCardRequest",
    "Order",
    "OrderStatus",
    "Outcome",
    "PurchaseRequest",
    "PurchaseWithTokenRequest",
    "PurchaseWithWalletRequest",
    "QueryCardRequest",
    "QueryRequest",
    "Redirect",
    "RefundRequest",
    "Request",
    "VoidRequest",
    "mask_card_number",
    "outcome_of",
    "request_params",
]


def _f(
    api: str, rule: rules.Rule, *, required: bool = True, default: Any = None, secret: bool = False
) -> Any:
    """A request field: its API name, its rule; ``secret`` keeps it out of ``repr``."""
    meta = {"api": api, "rule": rule, "required": required}
    if required:
        return field(metadata=meta, repr=not secret)
    return field(default=default, metadata=meta, repr=not secret)


class Request:
    """Base of every request model. ``ENDPOINT`` names the V3 endpoint."""

    ENDPOINT: ClassVar[str]
    MOVES_MONEY: ClassVar[bool] = False
    SECRET_FIELDS: ClassVar[frozenset[str]] = frozenset()

    def check(self) -> None:
        """Extra rules that span fields."""


def _given(value: Any) -> bool:
    """False for ``None`` and blank text: such a field is not sent."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def request_params(req: Request, mch_id: str) -> dict[str, Any]:
    """Validate ``req`` and return the flat JSON params (without ``sign``).

    Raises :class:`InvalidRequest` naming the first field that breaks a rule.
    """
    problem = rules.id30(mch_id)
    if problem:
        raise InvalidRequest("mchId", problem)
    params: dict[str, Any] = {"mchId": mch_id}
    assert dataclasses.is_dataclass(req)
    for f in dataclasses.fields(req):
        api = f.metadata.get("api")
        if api is None:
            continue
        value = getattr(req, f.name)
        if not _given(value):
            # A blank optional field is simply not sent (the sign drops "" too).
            if f.metadata["required"]:
                raise InvalidRequest(api, RuleCode.REQUIRED)
            continue
        problem = f.metadata["rule"](value)
        if problem:
            raise InvalidRequest(api, problem)
        params[api] = value
    req.check()
    return params


_ID = rules.id30


@dataclass(frozen=True, slots=True)
class PurchaseRequest(Request):
    ENDPOINT: ClassVar[str] = "cc_purchase"
    mch_order_no: str = _f("mchOrderNo", _ID)
    mch_user_id: str = _f("mchUserId", _ID)
    amount: int = _f("amount", rules.cents)
    login_name: str = _f("loginName", rules.text(12))
    notify_url: str = _f("notifyUrl", rules.url())
    return_url: str = _f("returnUrl", rules.url())
    currency: str = _f("currency", rules.one_of(*rules.CURRENCIES), required=False, default="CAD")
    channel: str = _f("channel", rules.one_of(*rules.CHANNELS), required=False, default="PF_CC")
    subject: str | None = _f("subject", rules.text(64), required=False)
    body: str | None = _f("body", rules.text(250), required=False)


@dataclass(frozen=True, slots=True)
class AddCardRequest(Request):
    ENDPOINT: ClassVar[str] = "cc_addcard"
    card_id: str = _f("cardId", _ID)
    login_name: str = _f("loginName", rules.text(12))
    return_url: str = _f("returnUrl", rules.url())
    channel: str = _f("channel", rules.one_of(*rules.CHANNELS), required=False, default="PF_CC")


@dataclass(frozen=True, slots=True)
class DirectAddCardRequest(Request):
    """Raw card data (the merchant must be PCI DSS compliant). Its repr shows no card data."""

    ENDPOINT: ClassVar[str] = "cc_directaddcard"
    SECRET_FIELDS: ClassVar[frozenset[str]] = frozenset({"cardNum", "cvv", "expiryDate"})
    card_id: str = _f("cardId", _ID)
    card_num: str = _f("cardNum", rules.card_number, secret=True)
    holder: str = _f("holder", rules.text(64))
    cvv: str = _f("cvv", rules.cvv, secret=True)
    login_name: str = _f("loginName", rules.text(12))
    expiry_date: str | None = _f("expiryDate", rules.mmyy, required=False, secret=True)
    channel: str = _f("channel", rules.one_of(*rules.CHANNELS), required=False, default="PF_CC")


@dataclass(frozen=True, slots=True)
class QueryCardRequest(Request):
    ENDPOINT: ClassVar[str] = "cc_querycard"
    card_id: str = _f("cardId", _ID)


@dataclass(frozen=True, slots=True)
class PurchaseWithTokenRequest(Request):
    ENDPOINT: ClassVar[str] = "cc_purchasewithtoken"
    MOVES_MONEY: ClassVar[bool] = True
    mch_order_no: str = _f("mchOrderNo", _ID)
    mch_user_id: str = _f("mchUserId", _ID)
    card_id: str = _f("cardId", _ID)
    amount: int = _f("amount", rules.cents)
    login_name: str = _f("loginName", rules.text(12))
    currency: str = _f("currency", rules.one_of(*rules.CURRENCIES), required=False, default="CAD")
    subject: str | None = _f("subject", rules.text(64), required=False)
    body: str | None = _f("body", rules.text(250), required=False)
    client_ip: str | None = _f("clientIp", rules.ip_address, required=False)
    notify_url: str | None = _f("notifyUrl", rules.url(), required=False)


@dataclass(frozen=True, slots=True)
class PurchaseWithWalletRequest(Request):
    ENDPOINT: ClassVar[str] = "cc_purchasewithwallet"
    MOVES_MONEY: ClassVar[bool] = True
    mch_order_no: str = _f("mchOrderNo", _ID)
    amount: int = _f("amount", rules.cents)
    login_name: str = _f("loginName", rules.text(12))
    wallet_type: str | None = _f("walletType", rules.one_of(*rules.WALLET_TYPES), required=False)
    wallet_data: str | None = _f("walletData", rules.base64_text(), required=False, secret=True)
    currency: str = _f("currency", rules.one_of(*rules.CURRENCIES), required=False, default="CAD")
    subject: str | None = _f("subject", rules.text(64), required=False)
    body: str | None = _f("body", rules.text(250), required=False)
    notify_url: str | None = _f("notifyUrl", rules.url(), required=False)

    def check(self) -> None:
        if _given(self.wallet_type) != _given(self.wallet_data):
            missing = "walletData" if _given(self.wallet_type) else "walletType"
            raise InvalidRequest(missing, RuleCode.WALLET_PAIR)


@dataclass(frozen=True, slots=True)
class RefundRequest(Request):
    ENDPOINT: ClassVar[str] = "cc_refund"
    MOVES_MONEY: ClassVar[bool] = True
    mch_refund_no: str = _f("mchRefundNo", _ID)
    login_name: str = _f("loginName", rules.text(12))
    refund_amount: int = _f("refundAmount", rules.cents)
    pay_order_id: str = _f("payOrderId", _ID)
    notify_url: str | None = _f("notifyUrl", rules.url(), required=False)


@dataclass(frozen=True, slots=True)
class VoidRequest(Request):
    ENDPOINT: ClassVar[str] = "cc_void"
    MOVES_MONEY: ClassVar[bool] = True
    mch_refund_no: str = _f("mchRefundNo", _ID)
    login_name: str = _f("loginName", rules.text(12))
    pay_order_id: str = _f("payOrderId", _ID)
    notify_url: str | None = _f("notifyUrl", rules.url(), required=False)


@dataclass(frozen=True, slots=True)
class QueryRequest(Request):
    """Query one order by exactly one of mchOrderNo / payOrderId."""

    ENDPOINT: ClassVar[str] = "cc_query"
    mch_order_no: str | None = _f("mchOrderNo", _ID, required=False)
    pay_order_id: str | None = _f("payOrderId", _ID, required=False)

    def check(self) -> None:
        by_mch, by_pay = _given(self.mch_order_no), _given(self.pay_order_id)
        if not by_mch and not by_pay:
            raise InvalidRequest("mchOrderNo", RuleCode.ORDER_ID_NEEDED)
        if by_mch and by_pay:
            raise InvalidRequest("payOrderId", RuleCode.ORDER_ID_ONLY_ONE)


# --------------------------------------------------------------------------- results


class OrderStatus(IntEnum):
    PENDING = 0
    UNKNOWN = 1
    SUCCESS = 2
    NOTIFIED = 3
    FAILED = 9


class Outcome(Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NOT_YET_KNOWN = "not_yet_known"


def outcome_of(ret_code: str, status: int | None) -> Outcome:
    """The one status rule (reference section 3): success is SUCCESS and status 2 or 3."""
    if ret_code != "SUCCESS" or status == OrderStatus.FAILED:
        return Outcome.FAILED
    if status in (OrderStatus.SUCCESS, OrderStatus.NOTIFIED):
        return Outcome.SUCCEEDED
    return Outcome.NOT_YET_KNOWN


def mask_card_number(value: str) -> str:
    """Mask a card number to ``424242******4242``; an already masked value is kept.

    Anything carrying more than 10 digits (a full card number, however it is spelled
    or decorated) is masked so that a host that returns one unmasked still never puts
    it on screen, in a log or on disk. At most the first 6 and the last 4 digits stay
    visible, and the first 6 only when at least 5 digits are hidden between them.
    """
    digits = [c for c in value if c.isdecimal()]
    if len(digits) <= 10:
        return value
    n = len(digits)
    lead = 6 if n >= 15 else 0
    if not value.strip(" -").translate(_SEPARATORS).isdecimal():
        # Decorated ("Visa 4242...", partly masked): hide the digits where they stand.
        out: list[str] = []
        seen = 0
        for c in value:
            if c.isdecimal():
                out.append(c if seen < lead or seen >= n - 4 else "*")
                seen += 1
            else:
                out.append(c)
        return "".join(out)
    plain = "".join(digits)
    return plain[:lead] + "*" * (n - lead - 4) + plain[-4:]


_SEPARATORS = str.maketrans("", "", " -")


def _str(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    if v is None:
        return ""
    return v if isinstance(v, str) else str(v)


_INT_TEXT = re.compile(r"-?[0-9]{1,18}")


def _int(d: dict[str, Any], key: str, default: int = 0) -> int:
    """An integer field, tolerating ``"1500"`` and ``1500.0``; anything else (also an
    integer SQLite's 64 bits cannot hold) is ``default``."""
    v = d.get(key)
    if isinstance(v, bool):
        return default
    if isinstance(v, int):
        return v if abs(v) < 2**63 else default
    if isinstance(v, str) and _INT_TEXT.fullmatch(v.strip()):
        return int(v.strip())
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**63:
        return int(v)
    return default


@dataclass(frozen=True, slots=True)
class Order:
    """IOTPay's order object: a payment, or a refund / void (``payType == "refund"``)."""

    pay_order_id: str
    mch_id: str = ""
    mch_order_no: str = ""
    original_order_id: str = ""
    amount: int = 0
    currency: str = "CAD"
    pay_type: str = "pay"
    refundable: int = 0
    status: int = OrderStatus.UNKNOWN
    invoice_num: str = ""
    pay_succ_time: str = ""
    card_num: str = ""
    card_type: str = ""
    expiry_date: str = ""
    auth_num: str = ""
    trans_num: str = ""
    channel: str = ""
    capture: str = ""
    ret_msg: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, ret_msg: str = "") -> Order:
        status = _int(d, "status", OrderStatus.UNKNOWN)
        return cls(
            pay_order_id=_str(d, "payOrderId"),
            mch_id=_str(d, "mchId"),
            mch_order_no=_str(d, "mchOrderNo"),
            original_order_id=_str(d, "originalOrderId"),
            amount=_int(d, "amount"),
            currency=_str(d, "currency") or "CAD",
            pay_type=_str(d, "payType") or "pay",
            refundable=_int(d, "refundable"),
            status=status,
            invoice_num=_str(d, "invoiceNum"),
            pay_succ_time=_str(d, "paySuccTime"),
            card_num=mask_card_number(_str(d, "cardNum")),
            card_type=_str(d, "cardType"),
            expiry_date=_str(d, "expiryDate"),
            auth_num=_str(d, "authNum"),
            trans_num=_str(d, "transNum"),
            channel=_str(d, "channel"),
            capture=_str(d, "capture"),
            ret_msg=ret_msg,
        )

    @property
    def outcome(self) -> Outcome:
        return outcome_of("SUCCESS", self.status)

    @property
    def is_refund(self) -> bool:
        return self.pay_type == "refund"

    @property
    def last4(self) -> str:
        digits = "".join(c for c in self.card_num if c.isdigit())
        return digits[-4:] if len(digits) >= 4 else ""


@dataclass(frozen=True, slots=True)
class Card:
    """What is bound to a cardId. A CVV, if IOTPay sends one, is dropped on receipt."""

    card_id: str
    card_num: str = ""
    expiry_date: str = ""
    holder: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Card:
        return cls(
            card_id=_str(d, "cardId"),
            card_num=mask_card_number(_str(d, "cardNum")),
            expiry_date=_str(d, "expiryDate"),
            holder=_str(d, "holder"),
        )

    @property
    def brand(self) -> str:
        # Only the digits the number starts with: "••••4242" says nothing of the brand.
        m = _LEADING_DIGITS.match(self.card_num.strip())
        return card_brand(m.group(0)) if m else ""


_LEADING_DIGITS = re.compile(r"[0-9]+")


def card_brand(prefix: str) -> str:
    """``V`` Visa, ``M`` Mastercard, ``A`` Amex, ``""`` unknown, from the leading digits."""
    m = _LEADING_DIGITS.match(prefix)
    prefix = m.group(0) if m else ""
    if prefix.startswith("4"):
        return "V"
    if prefix[:2] in {"51", "52", "53", "54", "55"} or (
        len(prefix) >= 4 and 2221 <= int(prefix[:4]) <= 2720
    ):
        return "M"
    if prefix[:2] in {"34", "37"}:
        return "A"
    return ""


@dataclass(frozen=True, slots=True)
class Redirect:
    """retData of cc_purchase / cc_addcard: the hosted page and its secureId."""

    redirect_url: str
    secure_id: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Redirect:
        return cls(redirect_url=_str(d, "redirectUrl"), secure_id=_str(d, "secureId"))

"""Receipts of charges, refunds, voids and purchases: the content and a printable layout.

Qt-free: :func:`receipt_html` and :func:`receipt_text` take the GUI's ``tr`` (translate a
source text of the ``Receipt`` context), ``money`` (format cents in a currency) and
``when`` (format an aware time) so a receipt is in the desk's language and locale while
its layout lives here. Every text is escaped; the card number is masked whatever the
caller passed.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from iotpay_desk.api import Order, card_brand, mask_card_number
from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP
from iotpay_desk.journal import Action, ActionKind, ActionState

from .rules import TORONTO

__all__ = [
    "RECEIPT_CONTEXT",
    "Receipt",
    "ReceiptKind",
    "ReceiptStatus",
    "brand_name",
    "receipt_for",
    "receipt_for_order",
    "receipt_html",
    "receipt_rows",
    "receipt_text",
]

#: The translation context of every receipt text.
RECEIPT_CONTEXT = "Receipt"

Translate = Callable[[str], str]
Money = Callable[[int, str], str]
When = Callable[[datetime], str]

_PAY_SUCC_TIME = "%Y-%m-%d %H:%M:%S"


class ReceiptKind(Enum):
    CHARGE = "charge"
    REFUND = "refund"
    VOID = "void"
    PURCHASE = "purchase"

    @property
    def title(self) -> str:
        """The receipt's heading (a source text of the ``Receipt`` context)."""
        return _TITLES[self]


_TITLES = {
    ReceiptKind.CHARGE: QT_TRANSLATE_NOOP("Receipt", "Sale"),
    ReceiptKind.REFUND: QT_TRANSLATE_NOOP("Receipt", "Refund"),
    ReceiptKind.VOID: QT_TRANSLATE_NOOP("Receipt", "Void"),
    ReceiptKind.PURCHASE: QT_TRANSLATE_NOOP("Receipt", "Online purchase"),
}


class ReceiptStatus(Enum):
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"
    NOT_COMPLETED = "not_completed"

    @property
    def word(self) -> str:
        """The status in words (a source text of the ``Receipt`` context)."""
        return _STATUS_WORDS[self]


_STATUS_WORDS = {
    ReceiptStatus.APPROVED: QT_TRANSLATE_NOOP("Receipt", "APPROVED"),
    ReceiptStatus.DECLINED: QT_TRANSLATE_NOOP("Receipt", "DECLINED"),
    ReceiptStatus.PENDING: QT_TRANSLATE_NOOP("Receipt", "PENDING"),
    ReceiptStatus.NOT_COMPLETED: QT_TRANSLATE_NOOP("Receipt", "NOT COMPLETED"),
}

_LABELS = {
    "mch_id": QT_TRANSLATE_NOOP("Receipt", "Merchant ID"),
    "amount": QT_TRANSLATE_NOOP("Receipt", "Amount"),
    "card": QT_TRANSLATE_NOOP("Receipt", "Card"),
    "auth": QT_TRANSLATE_NOOP("Receipt", "Authorization"),
    "trans": QT_TRANSLATE_NOOP("Receipt", "Transaction"),
    "pay_order_id": QT_TRANSLATE_NOOP("Receipt", "IOTPay order"),
    "original": QT_TRANSLATE_NOOP("Receipt", "Original payment"),
    "mch_order_no": QT_TRANSLATE_NOOP("Receipt", "Order number"),
    "operator": QT_TRANSLATE_NOOP("Receipt", "Operator"),
    "time": QT_TRANSLATE_NOOP("Receipt", "Date"),
    "status": QT_TRANSLATE_NOOP("Receipt", "Status"),
}
LINE_SUBJECT = QT_TRANSLATE_NOOP("Receipt", "Subject")
LINE_REASON = QT_TRANSLATE_NOOP("Receipt", "Reason")
LINE_NOTE = QT_TRANSLATE_NOOP("Receipt", "Note")
LINE_IOTPAY_SAYS = QT_TRANSLATE_NOOP("Receipt", "IOTPay says")

_BRANDS = {"V": "Visa", "M": "Mastercard", "A": "American Express", "D": "Interac"}


def brand_name(code: str) -> str:
    """``V`` → Visa, ``M`` → Mastercard, ``A`` → American Express, ``D`` → Interac."""
    return _BRANDS.get(code.strip().upper(), "")


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a receipt shows. ``card_num`` is masked; ``lines`` are extra (label, text)
    rows whose label is a source text of the ``Receipt`` context (subject, reason, note,
    IOTPay's message)."""

    kind: ReceiptKind
    merchant_name: str
    mch_id: str
    amount_cents: int
    currency: str
    card_num: str
    brand: str
    auth_num: str
    trans_num: str
    pay_order_id: str
    original_pay_order_id: str
    mch_order_no: str
    operator: str
    time: datetime
    status: ReceiptStatus
    lines: tuple[tuple[str, str], ...] = ()

    @property
    def status_word(self) -> str:
        return self.status.word


_KINDS = {
    ActionKind.CHARGE_TOKEN: ReceiptKind.CHARGE,
    ActionKind.CHARGE_WALLET: ReceiptKind.CHARGE,
    ActionKind.REFUND: ReceiptKind.REFUND,
    ActionKind.VOID: ReceiptKind.VOID,
    ActionKind.PURCHASE_LINK: ReceiptKind.PURCHASE,
}
_STATES = {
    ActionState.SUCCEEDED: ReceiptStatus.APPROVED,
    ActionState.DECLINED: ReceiptStatus.DECLINED,
    ActionState.INTENT: ReceiptStatus.PENDING,
    ActionState.CHECKING: ReceiptStatus.PENDING,
    ActionState.FAILED: ReceiptStatus.NOT_COMPLETED,
    ActionState.NOT_RECEIVED: ReceiptStatus.NOT_COMPLETED,
}


def _paid_at(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _PAY_SUCC_TIME).replace(tzinfo=TORONTO)
    except ValueError:
        return None


def _first(*values: str | None) -> str:
    for v in values:
        if v:
            return v
    return ""


def receipt_for(action: Action, *, merchant_name: str, order: Order | None = None) -> Receipt:
    """The receipt of a journaled charge, refund, void or purchase link.

    ``order`` is IOTPay's order for it when known (fresh from ``cc_query``), or, for a
    refund or void, the original payment (then only its card is used).
    """
    own: Order | None = None
    original: Order | None = None
    if order is not None:
        if order.mch_order_no == action.mch_no or (
            action.pay_order_id and order.pay_order_id == action.pay_order_id
        ):
            own = order
        elif action.target_pay_order_id and order.pay_order_id == action.target_pay_order_id:
            original = order
    card_num = mask_card_number(
        _first(action.card_num, own.card_num if own else "", original.card_num if original else "")
    )
    brand = _first(
        action.card_type,
        own.card_type if own else "",
        original.card_type if original else "",
        card_brand(card_num),
    )
    amount = own.amount if own is not None and own.amount > 0 else (action.amount_cents or 0)
    paid = _paid_at(_first(own.pay_succ_time if own else "", action.pay_succ_time))
    when = paid or (action.updated_at if action.state.is_final else action.created_at)
    lines: list[tuple[str, str]] = []
    if action.subject:
        lines.append((LINE_SUBJECT, action.subject))
    if action.reason:
        lines.append((LINE_REASON, action.reason))
    if action.note:
        lines.append((LINE_NOTE, action.note))
    if action.state in (ActionState.DECLINED, ActionState.FAILED) and action.ret_msg:
        lines.append((LINE_IOTPAY_SAYS, action.ret_msg))
    return Receipt(
        kind=_KINDS[action.kind],
        merchant_name=merchant_name,
        mch_id=action.mch_id,
        amount_cents=amount,
        currency=_first(own.currency if own else "", action.currency, "CAD"),
        card_num=card_num,
        brand=brand,
        auth_num=_first(action.auth_num, own.auth_num if own else ""),
        trans_num=_first(action.trans_num, own.trans_num if own else ""),
        pay_order_id=_first(action.pay_order_id, own.pay_order_id if own else ""),
        original_pay_order_id=_first(
            action.target_pay_order_id, own.original_order_id if own else ""
        ),
        mch_order_no=action.mch_no,
        operator=action.operator,
        time=when,
        status=_STATES[action.state],
        lines=tuple(lines),
    )


def receipt_for_order(order: Order, *, merchant_name: str, operator: str = "") -> Receipt:
    """The receipt of an order IOTPay knows and the journal does not (made elsewhere),
    for a reprint from the Orders screen."""
    kind = ReceiptKind.REFUND if order.is_refund else ReceiptKind.CHARGE
    status = {
        2: ReceiptStatus.APPROVED,
        3: ReceiptStatus.APPROVED,
        9: ReceiptStatus.DECLINED,
    }.get(int(order.status), ReceiptStatus.PENDING)
    card_num = mask_card_number(order.card_num)
    lines: tuple[tuple[str, str], ...] = ()
    if status is ReceiptStatus.DECLINED and order.ret_msg:
        lines = ((LINE_IOTPAY_SAYS, order.ret_msg),)
    return Receipt(
        kind=kind,
        merchant_name=merchant_name,
        mch_id=order.mch_id,
        amount_cents=order.amount,
        currency=order.currency or "CAD",
        card_num=card_num,
        brand=_first(order.card_type, card_brand(card_num)),
        auth_num=order.auth_num,
        trans_num=order.trans_num,
        pay_order_id=order.pay_order_id,
        original_pay_order_id=order.original_order_id,
        mch_order_no=order.mch_order_no,
        operator=operator,
        time=_paid_at(order.pay_succ_time) or datetime.now(TORONTO),
        status=status,
        lines=lines,
    )


def _card_text(receipt: Receipt) -> str:
    masked = mask_card_number(receipt.card_num)
    name = brand_name(receipt.brand)
    return f"{name} {masked}".strip()


def receipt_rows(
    receipt: Receipt, tr: Translate, money: Money, when: When
) -> list[tuple[str, str]]:
    """The receipt's (label, value) rows, translated and formatted, not escaped."""
    rows: list[tuple[str, str]] = [
        (tr(_LABELS["status"]), tr(receipt.status.word)),
        (tr(_LABELS["amount"]), money(receipt.amount_cents, receipt.currency)),
    ]
    card = _card_text(receipt)
    if card:
        rows.append((tr(_LABELS["card"]), card))
    if receipt.auth_num:
        rows.append((tr(_LABELS["auth"]), receipt.auth_num))
    if receipt.trans_num:
        rows.append((tr(_LABELS["trans"]), receipt.trans_num))
    if receipt.pay_order_id:
        rows.append((tr(_LABELS["pay_order_id"]), receipt.pay_order_id))
    if receipt.original_pay_order_id:
        rows.append((tr(_LABELS["original"]), receipt.original_pay_order_id))
    if receipt.mch_order_no:
        rows.append((tr(_LABELS["mch_order_no"]), receipt.mch_order_no))
    if receipt.operator:
        rows.append((tr(_LABELS["operator"]), receipt.operator))
    rows.append((tr(_LABELS["time"]), when(receipt.time)))
    rows.extend((tr(label), mask_card_number(text)) for label, text in receipt.lines)
    return rows


def receipt_html(receipt: Receipt, tr: Translate, money: Money, when: When) -> str:
    """The receipt as simple, printable HTML for a QTextDocument (every text escaped)."""
    e = html.escape
    body = [
        f"<h2 align='center'>{e(receipt.merchant_name)}</h2>",
        f"<p align='center'>{e(tr(_LABELS['mch_id']))} {e(receipt.mch_id)}</p>",
        f"<h3 align='center'>{e(tr(receipt.kind.title))}</h3>",
        "<table width='100%' cellspacing='0' cellpadding='3'>",
    ]
    for label, value in receipt_rows(receipt, tr, money, when):
        body.append(f"<tr><td width='40%'>{e(label)}</td><td><b>{e(value)}</b></td></tr>")
    body.append("</table>")
    return "<html><head><meta charset='utf-8'></head><body>" + "\n".join(body) + "</body></html>"


def receipt_text(receipt: Receipt, tr: Translate, money: Money, when: When) -> str:
    """The receipt as plain text (one ``label: value`` per line)."""
    head = [
        receipt.merchant_name,
        f"{tr(_LABELS['mch_id'])} {receipt.mch_id}",
        tr(receipt.kind.title),
        "",
    ]
    rows = [f"{label}: {value}" for label, value in receipt_rows(receipt, tr, money, when)]
    return "\n".join(head + rows) + "\n"

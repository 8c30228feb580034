"""Receipts of charges, refunds, voids and purchases: the content and a printable layout.

Qt-free: :func:`receipt_html` (Letter / A4 pages), :func:`receipt_roll` (an 80 mm
receipt printer: 42 monospaced columns) and :func:`receipt_text` take the GUI's ``tr``
(translate a source text of the ``Receipt`` context), ``money`` (format cents in a
currency) and ``when`` (format an aware time on its own wall clock) so a receipt is in
the desk's language and locale while its layout lives here. Every text is escaped; the
card number is masked whatever the caller passed.

A receipt carries the merchant's trade name, address and GST/HST number
(:class:`Merchant`, from the profile), the currency code with every amount, and its times
in the merchant's time zone, which it states once. The sale receipt of a payment that was
voided or refunded says so (:func:`receipt_for_detail`: IOTPay's refundable amount and the
journal's refunds and voids together), with each refund's references.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace as _replace
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from iotpay_desk.api import Order, OrderStatus, card_brand, mask_card_number
from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP
from iotpay_desk.journal import Action, ActionKind, ActionState

from .rules import TORONTO

if TYPE_CHECKING:
    from iotpay_desk.core.profiles import Profile

    from .money import OrderDetail

__all__ = [
    "RECEIPT_CONTEXT",
    "ROLL_COLUMNS",
    "Merchant",
    "Paper",
    "Receipt",
    "ReceiptKind",
    "ReceiptStatus",
    "Reversal",
    "brand_name",
    "paper_for_locale",
    "receipt_for",
    "receipt_for_detail",
    "receipt_for_order",
    "receipt_html",
    "receipt_roll",
    "receipt_rows",
    "receipt_text",
]

#: The translation context of every receipt text.
RECEIPT_CONTEXT = "Receipt"

#: Characters on one line of an 80 mm receipt printer (72 mm printable, monospaced).
ROLL_COLUMNS = 42

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


class Paper(Enum):
    """What a receipt is laid out on."""

    LETTER = "letter"
    A4 = "a4"
    ROLL_80MM = "roll80"

    @property
    def label(self) -> str:
        """The paper in words (a source text of the ``Receipt`` context)."""
        return _PAPER_LABELS[self]


_PAPER_LABELS = {
    Paper.LETTER: QT_TRANSLATE_NOOP("Receipt", "Letter page (8.5 × 11 in)"),
    Paper.A4: QT_TRANSLATE_NOOP("Receipt", "A4 page (210 × 297 mm)"),
    Paper.ROLL_80MM: QT_TRANSLATE_NOOP("Receipt", "Receipt printer (80 mm roll)"),
}

# Locales whose offices use Letter paper; A4 everywhere else.
_LETTER_LOCALES = frozenset({"en_CA", "en_US", "fr_CA"})


def paper_for_locale(name: str) -> Paper:
    """Letter for ``en_CA``, ``en_US`` and ``fr_CA``; A4 otherwise (``fr_FR``, ``en_GB`` …)."""
    return Paper.LETTER if name.replace("-", "_") in _LETTER_LOCALES else Paper.A4


_LABELS = {
    "mch_id": QT_TRANSLATE_NOOP("Receipt", "Merchant ID"),
    "tax_number": QT_TRANSLATE_NOOP("Receipt", "GST/HST"),
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
    "refunded": QT_TRANSLATE_NOOP("Receipt", "Refunded"),
    "voided": QT_TRANSLATE_NOOP("Receipt", "Voided"),
    "reference": QT_TRANSLATE_NOOP("Receipt", "Reference"),
    "elsewhere": QT_TRANSLATE_NOOP("Receipt", "Returned outside this desk"),
    "left": QT_TRANSLATE_NOOP("Receipt", "Left on the payment"),
}
LINE_SUBJECT = QT_TRANSLATE_NOOP("Receipt", "Subject")
LINE_REASON = QT_TRANSLATE_NOOP("Receipt", "Reason")
LINE_NOTE = QT_TRANSLATE_NOOP("Receipt", "Note")
LINE_IOTPAY_SAYS = QT_TRANSLATE_NOOP("Receipt", "IOTPay says")
# The notice at the top of a sale receipt whose payment was reversed.
NOTICE_VOIDED = QT_TRANSLATE_NOOP("Receipt", "VOIDED on %1: this payment was cancelled in full.")
NOTICE_REFUNDED = QT_TRANSLATE_NOOP("Receipt", "REFUNDED %1 of %2.")
NOTICE_RETURNED = QT_TRANSLATE_NOOP("Receipt", "REFUNDED OR VOIDED: %1 of %2 returned.")
# Said once, at the foot of every receipt.
FOOT_TIMES = QT_TRANSLATE_NOOP("Receipt", "Times are in the %1 time zone.")

_BRANDS = {"V": "Visa", "M": "Mastercard", "A": "American Express", "D": "Interac"}


def brand_name(code: str) -> str:
    """``V`` → Visa, ``M`` → Mastercard, ``A`` → American Express, ``D`` → Interac."""
    return _BRANDS.get(code.strip().upper(), "")


@dataclass(frozen=True, slots=True)
class Merchant:
    """Who a receipt is from: the profile's trade name (its name when none was given),
    address lines, GST/HST number and time zone."""

    name: str
    address: tuple[str, ...] = ()
    tax_number: str = ""
    timezone: str = TORONTO.key

    @classmethod
    def of_profile(cls, profile: Profile) -> Merchant:
        lines = tuple(line.strip() for line in profile.address.split("\n") if line.strip())
        return cls(
            name=profile.trade_name.strip() or profile.name,
            address=lines[:3],
            tax_number=profile.tax_number.strip().upper(),
            timezone=profile.timezone or TORONTO.key,
        )


@dataclass(frozen=True, slots=True)
class Reversal:
    """A refund or void of the receipt's payment that IOTPay confirmed (from the journal):
    ``pay_order_id`` is IOTPay's reference (``RP…``), ``mch_no`` the desk's own number."""

    kind: ActionKind
    amount_cents: int
    time: datetime
    pay_order_id: str
    mch_no: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a receipt shows. ``card_num`` is masked; ``lines`` are extra (label, text)
    rows whose label is a source text of the ``Receipt`` context (subject, reason, note,
    IOTPay's message).

    For a sale: ``reversals`` are the refunds and voids the journal holds; ``returned_cents``
    is what went back to the card in all, as IOTPay counts it (its refundable amount) when
    that is more than the journal knows of.
    """

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
    address: tuple[str, ...] = ()
    tax_number: str = ""
    timezone: str = TORONTO.key
    reversals: tuple[Reversal, ...] = ()
    returned_cents: int = 0

    @property
    def status_word(self) -> str:
        return self.status.word

    @property
    def voided(self) -> Reversal | None:
        """The void of this payment, if it was voided."""
        return next((r for r in self.reversals if r.kind is ActionKind.VOID), None)

    def with_merchant(self, merchant: Merchant) -> Receipt:
        """The same receipt from ``merchant`` (name, address, GST/HST number, time zone)."""
        return _replace(
            self,
            merchant_name=merchant.name or self.merchant_name,
            address=merchant.address,
            tax_number=merchant.tax_number,
            timezone=merchant.timezone,
        )


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


def _merchant_of(merchant: Merchant | None, merchant_name: str) -> Merchant:
    return merchant if merchant is not None else Merchant(merchant_name)


def receipt_for(
    action: Action,
    *,
    merchant_name: str = "",
    order: Order | None = None,
    merchant: Merchant | None = None,
) -> Receipt:
    """The receipt of a journaled charge, refund, void or purchase link.

    ``order`` is IOTPay's order for it when known (fresh from ``cc_query``), or, for a
    refund or void, the original payment (then only its card is used). ``merchant``
    (the profile's receipt fields) wins over ``merchant_name``.
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
    receipt = Receipt(
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
    return receipt.with_merchant(_merchant_of(merchant, merchant_name))


def receipt_for_order(
    order: Order,
    *,
    merchant_name: str = "",
    operator: str = "",
    merchant: Merchant | None = None,
) -> Receipt:
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
    receipt = Receipt(
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
    return receipt.with_merchant(_merchant_of(merchant, merchant_name))


def receipt_for_detail(
    detail: OrderDetail,
    *,
    merchant_name: str = "",
    operator: str = "",
    merchant: Merchant | None = None,
) -> Receipt:
    """The receipt of the order on the Orders screen (a reprint), with what came back of
    it: the refunds and voids IOTPay confirmed to the journal (each with its references),
    and what IOTPay's refundable amount says went back in all."""
    order = detail.order
    receipt = receipt_for_order(
        order, merchant_name=merchant_name, operator=operator, merchant=merchant
    )
    if order.is_refund or order.status not in (OrderStatus.SUCCESS, OrderStatus.NOTIFIED):
        return receipt
    reversals: list[Reversal] = []
    for result in detail.returns:
        action = result.action
        if not result.succeeded or action.kind not in (ActionKind.REFUND, ActionKind.VOID):
            continue
        own = result.order
        amount = own.amount if own is not None and own.amount > 0 else action.amount_cents or 0
        paid = _paid_at(_first(own.pay_succ_time if own else "", action.pay_succ_time))
        reversals.append(
            Reversal(
                kind=action.kind,
                amount_cents=amount,
                time=paid or action.updated_at,
                pay_order_id=_first(action.pay_order_id, own.pay_order_id if own else ""),
                mch_no=action.mch_no,
            )
        )
    reversals.sort(key=lambda r: r.time)
    in_journal = sum(r.amount_cents for r in reversals)
    # IOTPay's own count: what is no longer refundable went back to the card.
    at_iotpay = max(0, order.amount - max(0, order.refundable))
    returned = min(order.amount, max(in_journal, at_iotpay))
    return _replace(receipt, reversals=tuple(reversals), returned_cents=returned)


def _card_text(receipt: Receipt) -> str:
    masked = mask_card_number(receipt.card_num)
    name = brand_name(receipt.brand)
    return f"{name} {masked}".strip()


def _zone(receipt: Receipt) -> ZoneInfo:
    try:
        return ZoneInfo(receipt.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return TORONTO


def _amount(receipt: Receipt, cents: int, money: Money) -> str:
    """An amount with its currency code (CAD) whatever the locale's format shows."""
    text = money(cents, receipt.currency)
    return text if receipt.currency in text else f"{text} {receipt.currency}"


def _at(receipt: Receipt, moment: datetime, when: When) -> str:
    """``moment`` on the merchant's wall clock (the zone is stated once, at the foot)."""
    return when(moment.astimezone(_zone(receipt)))


def receipt_header(receipt: Receipt, tr: Translate) -> list[str]:
    """The merchant's lines: trade name, address, GST/HST number, merchant ID."""
    lines = [receipt.merchant_name, *receipt.address]
    if receipt.tax_number:
        lines.append(f"{tr(_LABELS['tax_number'])} {receipt.tax_number}")
    lines.append(f"{tr(_LABELS['mch_id'])} {receipt.mch_id}")
    return [line for line in lines if line]


def receipt_notice(receipt: Receipt, tr: Translate, money: Money, when: When) -> str:
    """What happened to a sale since (voided, refunded): ``""`` when nothing did."""
    if receipt.kind not in (ReceiptKind.CHARGE, ReceiptKind.PURCHASE):
        return ""
    void = receipt.voided
    if void is not None:
        return tr(NOTICE_VOIDED).replace("%1", _at(receipt, void.time, when))
    if receipt.returned_cents <= 0:
        return ""
    total = _amount(receipt, receipt.amount_cents, money)
    returned = _amount(receipt, receipt.returned_cents, money)
    known = sum(r.amount_cents for r in receipt.reversals)
    if known == 0 and receipt.returned_cents >= receipt.amount_cents:
        # IOTPay says nothing is left, and the journal does not say how: either one.
        return tr(NOTICE_RETURNED).replace("%1", returned).replace("%2", total)
    return tr(NOTICE_REFUNDED).replace("%1", returned).replace("%2", total)


def receipt_foot(receipt: Receipt, tr: Translate) -> str:
    return tr(FOOT_TIMES).replace("%1", _zone(receipt).key)


def receipt_rows(
    receipt: Receipt, tr: Translate, money: Money, when: When
) -> list[tuple[str, str]]:
    """The receipt's (label, value) rows, translated and formatted, not escaped."""
    rows: list[tuple[str, str]] = [
        (tr(_LABELS["status"]), tr(receipt.status.word)),
        (tr(_LABELS["amount"]), _amount(receipt, receipt.amount_cents, money)),
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
    rows.append((tr(_LABELS["time"]), _at(receipt, receipt.time, when)))
    rows.extend((tr(label), mask_card_number(text)) for label, text in receipt.lines)
    for r in receipt.reversals:
        label = _LABELS["voided"] if r.kind is ActionKind.VOID else _LABELS["refunded"]
        rows.append(
            (tr(label), f"{_amount(receipt, r.amount_cents, money)}, {_at(receipt, r.time, when)}")
        )
        refs = " / ".join(ref for ref in (r.pay_order_id, r.mch_no) if ref)
        if refs:
            rows.append((tr(_LABELS["reference"]), refs))
    known = sum(r.amount_cents for r in receipt.reversals)
    if receipt.returned_cents > known:
        rows.append(
            (tr(_LABELS["elsewhere"]), _amount(receipt, receipt.returned_cents - known, money))
        )
    if 0 < receipt.returned_cents < receipt.amount_cents and receipt.voided is None:
        left = receipt.amount_cents - receipt.returned_cents
        rows.append((tr(_LABELS["left"]), _amount(receipt, left, money)))
    return rows


def receipt_html(receipt: Receipt, tr: Translate, money: Money, when: When) -> str:
    """The receipt as simple, printable HTML for a QTextDocument (every text escaped)."""
    e = html.escape
    header = receipt_header(receipt, tr)
    body = [f"<h2 align='center'>{e(header[0])}</h2>"]
    body.extend(f"<p align='center' style='margin:0'>{e(line)}</p>" for line in header[1:])
    body.append(f"<h3 align='center'>{e(tr(receipt.kind.title))}</h3>")
    notice = receipt_notice(receipt, tr, money, when)
    if notice:
        body.append(
            "<table width='100%' border='1' cellspacing='0' cellpadding='6'><tr>"
            f"<td align='center'><b>{e(notice)}</b></td></tr></table><p></p>"
        )
    body.append("<table width='100%' cellspacing='0' cellpadding='3'>")
    for label, value in receipt_rows(receipt, tr, money, when):
        body.append(f"<tr><td width='40%'>{e(label)}</td><td><b>{e(value)}</b></td></tr>")
    body.append("</table>")
    body.append(f"<p><small>{e(receipt_foot(receipt, tr))}</small></p>")
    return "<html><head><meta charset='utf-8'></head><body>" + "\n".join(body) + "</body></html>"


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters (words kept whole when they fit)."""
    out: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > width:
            if line:
                out.append(line)
                line = ""
            out.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line = f"{line} {word}"
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    return out or [""]


def receipt_roll(
    receipt: Receipt, tr: Translate, money: Money, when: When, width: int = ROLL_COLUMNS
) -> list[str]:
    """The receipt for an 80 mm receipt printer: lines of at most ``width`` monospaced
    characters (labels on the left, values on the right; a long value on its own line)."""
    rule = "-" * width
    out: list[str] = []
    for line in receipt_header(receipt, tr):
        out.extend(part.center(width).rstrip() for part in _wrap(line, width))
    out.append(rule)
    out.append(tr(receipt.kind.title).upper().center(width).rstrip())
    out.append(rule)
    notice = receipt_notice(receipt, tr, money, when)
    if notice:
        out.extend(
            f"** {part}" if i == 0 else f"   {part}"
            for i, part in enumerate(_wrap(notice, width - 3))
        )
        out.append(rule)
    for label, value in receipt_rows(receipt, tr, money, when):
        if len(label) + 1 + len(value) <= width:
            out.append(label + " " * (width - len(label) - len(value)) + value)
        else:
            out.extend(_wrap(label, width))
            out.extend(part.rjust(width) for part in _wrap(value, width))
    out.append(rule)
    out.extend(_wrap(receipt_foot(receipt, tr), width))
    return out


def receipt_text(receipt: Receipt, tr: Translate, money: Money, when: When) -> str:
    """The receipt as plain text (one ``label: value`` per line)."""
    head = [*receipt_header(receipt, tr), tr(receipt.kind.title), ""]
    notice = receipt_notice(receipt, tr, money, when)
    if notice:
        head += [notice, ""]
    rows = [f"{label}: {value}" for label, value in receipt_rows(receipt, tr, money, when)]
    return "\n".join([*head, *rows, "", receipt_foot(receipt, tr)]) + "\n"

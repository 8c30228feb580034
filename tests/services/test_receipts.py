"""Receipts of real charges, refunds, voids and purchases made on the sandbox."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from iotpay_desk.api import IotPayClient, Order
from iotpay_desk.journal import ActionKind
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import SandboxServer
from iotpay_desk.services import (
    CardService,
    MoneyService,
    Receipt,
    ReceiptKind,
    ReceiptStatus,
    receipt_for,
    receipt_html,
    receipt_text,
)
from iotpay_desk.services.receipts import (
    ROLL_COLUMNS,
    Merchant,
    Paper,
    paper_for_locale,
    receipt_for_detail,
    receipt_for_order,
    receipt_roll,
)

from .conftest import FUTURE_EXPIRY, pay, submit_page

MERCHANT = "Demo Café"
FULL_NUMBERS = ("4242424242424242", "5555555555554444", "4000000000000002")


def tr(text: str) -> str:
    return f"«{text}»"  # a visible "translation": every label must pass through it


def money(cents: int, currency: str) -> str:
    return f"{currency} {cents // 100}.{cents % 100:02d}"


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.tags


# A bare run of 13 to 19 digits; ids glue their digits to letters, payOrderIds carry 26.
_CARD_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{13,19}(?![0-9A-Za-z])")


def no_full_card_number(*texts: str) -> None:
    for text in texts:
        for number in FULL_NUMBERS:
            assert number not in text
        assert _CARD_LIKE.search(text) is None


async def _card(direct_cards: CardService, number: str) -> str:
    card = await direct_cards.direct_add_card("Ada", number, FUTURE_EXPIRY, "123", "Ada Buyer")
    return card.card_id


@pytest.mark.asyncio
async def test_charge_receipt(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer
) -> None:
    card_id = await _card(direct_cards, "4242424242424242")
    draft = await service.new_draft(ActionKind.CHARGE_TOKEN)
    result = await service.charge_card(draft.id, card_id, 1250, subject="Order <12>", note="A & B")
    assert result.order is not None
    receipt = receipt_for(result.action, merchant_name=MERCHANT, order=result.order)
    assert receipt.kind is ReceiptKind.CHARGE
    assert receipt.status is ReceiptStatus.APPROVED
    assert (receipt.merchant_name, receipt.mch_id) == (MERCHANT, service.mch_id)
    assert (receipt.amount_cents, receipt.currency) == (1250, "CAD")
    assert (receipt.card_num, receipt.brand) == ("424242******4242", "V")
    assert receipt.auth_num == result.order.auth_num != ""
    assert receipt.trans_num == result.order.trans_num != ""
    assert receipt.pay_order_id == result.order.pay_order_id
    assert receipt.original_pay_order_id == ""
    assert receipt.mch_order_no == draft.id
    assert receipt.operator == "jack"
    assert receipt.time.tzinfo is not None
    paid = datetime.strptime(result.order.pay_succ_time, "%Y-%m-%d %H:%M:%S")
    assert receipt.time.replace(tzinfo=None) == paid  # IOTPay's time, Toronto
    assert receipt.lines == (("Subject", "Order <12>"), ("Note", "A & B"))

    html = receipt_html(receipt, tr, money, when)
    text, tags = visible_text(html)
    assert "script" not in tags
    assert "Order <12>" in text  # shown, escaped in the markup
    assert "Order <12>" not in html
    assert "A &amp; B" in html
    for expected in (
        MERCHANT,
        "«Sale»",
        "«APPROVED»",
        "CAD 12.50",
        "Visa 424242******4242",
        receipt.auth_num,
        receipt.trans_num,
        receipt.pay_order_id,
        draft.id,
        "jack",
        when(receipt.time),
        "«Authorization»",
        "«Subject»",
    ):
        assert expected in text, expected
    plain = receipt_text(receipt, tr, money, when)
    assert f"«Authorization»: {receipt.auth_num}" in plain
    assert "«Card»: Visa 424242******4242" in plain
    no_full_card_number(html, plain, repr(receipt))


@pytest.mark.asyncio
async def test_refund_and_void_receipts_name_the_original_payment(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer
) -> None:
    card_id = await _card(direct_cards, "5555555555554444")
    first = await service.charge_card(
        (await service.new_draft(ActionKind.CHARGE_TOKEN)).id, card_id, 4000
    )
    second = await service.charge_card(
        (await service.new_draft(ActionKind.CHARGE_TOKEN)).id, card_id, 900
    )
    assert first.order is not None
    assert second.order is not None
    void_draft = await service.new_draft(ActionKind.VOID, second.order.pay_order_id)
    void = await service.void(second.order.pay_order_id, reason="typo", draft_id=void_draft.id)
    sandbox.settle()
    refund_draft = await service.new_draft(ActionKind.REFUND, first.order.pay_order_id)
    refund = await service.refund(
        first.order.pay_order_id, 1500, reason="returned item", draft_id=refund_draft.id
    )
    assert refund.succeeded
    assert void.succeeded

    r = receipt_for(refund.action, merchant_name=MERCHANT, order=refund.order)
    assert r.kind is ReceiptKind.REFUND
    assert r.amount_cents == 1500
    assert r.original_pay_order_id == first.order.pay_order_id
    assert r.pay_order_id.startswith("RP")
    assert r.mch_order_no == refund_draft.id
    assert ("Reason", "returned item") in r.lines
    assert r.card_num == "555555******4444"
    assert r.brand == "M"
    # With no card on the refund itself, the original payment given as the order fills it.
    bare = dataclasses.replace(refund.action, card_num="", card_type="")
    from_payment = receipt_for(bare, merchant_name=MERCHANT, order=first.order)
    assert (from_payment.card_num, from_payment.brand) == ("555555******4444", "M")
    assert from_payment.pay_order_id == r.pay_order_id  # not the payment's id
    assert from_payment.amount_cents == 1500
    text, _ = visible_text(receipt_html(r, tr, money, when))
    assert "«Refund»" in text
    assert "«Original payment»" in text
    assert first.order.pay_order_id in text
    assert "Mastercard 555555******4444" in text

    v = receipt_for(void.action, merchant_name=MERCHANT, order=second.order)
    assert v.kind is ReceiptKind.VOID
    assert v.amount_cents == 900
    assert v.original_pay_order_id == second.order.pay_order_id
    assert v.card_num == "555555******4444"
    assert "«Void»" in receipt_text(v, tr, money, when)
    no_full_card_number(receipt_text(v, tr, money, when), receipt_html(r, tr, money, when))


@pytest.mark.asyncio
async def test_declined_charge_and_purchase_receipts(
    service: MoneyService, direct_cards: CardService, sandbox: SandboxServer
) -> None:
    card_id = await _card(direct_cards, "4000000000000002")
    declined = await service.charge_card(
        (await service.new_draft(ActionKind.CHARGE_TOKEN)).id, card_id, 100
    )
    d = receipt_for(declined.action, merchant_name=MERCHANT, order=None)
    assert d.status is ReceiptStatus.DECLINED
    assert ("IOTPay says", "card declined") in d.lines
    assert "«DECLINED»" in receipt_text(d, tr, money, when)

    session = await service.start_purchase(3100, subject="Table 9")
    pending = receipt_for(session.action, merchant_name=MERCHANT)
    assert pending.status is ReceiptStatus.PENDING
    await submit_page(sandbox.url, "cc_pfpurchase", session.redirect_url)
    paid = await service.follow(session.mch_order_no, interval=0.01)
    p = receipt_for(paid.action, merchant_name=MERCHANT, order=paid.order)
    assert p.kind is ReceiptKind.PURCHASE
    assert p.status is ReceiptStatus.APPROVED
    assert (p.amount_cents, p.card_num, p.mch_order_no) == (
        3100,
        "424242******4242",
        session.mch_order_no,
    )
    assert "«Online purchase»" in receipt_text(p, tr, money, when)


def test_hostile_text_is_escaped_and_card_numbers_masked() -> None:
    receipt = Receipt(
        kind=ReceiptKind.CHARGE,
        merchant_name="<img src=x onerror=alert(1)> & Co",
        mch_id="10000701",
        amount_cents=5,
        currency="CAD",
        card_num="4242424242424242",  # a caller's mistake: still masked on the receipt
        brand="V",
        auth_num="<b>",
        trans_num="",
        pay_order_id="PC20240101215009579871439079",
        original_pay_order_id="",
        mch_order_no="T1",
        operator="jack",
        time=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
        status=ReceiptStatus.APPROVED,
        lines=(("Note", "card 4242 4242 4242 4242 by phone"),),
    )
    html = receipt_html(receipt, tr, money, when)
    _, tags = visible_text(html)
    assert "img" not in tags
    assert "&lt;img" in html
    assert "<b>&lt;b&gt;</b>" in html
    assert "«Transaction»" not in html  # empty fields are left out
    plain = receipt_text(receipt, tr, money, when)
    for out in (html, plain):
        assert "4242424242424242" not in out
        assert "4242 4242 4242 4242" not in out
        assert "424242******4242" in out


def test_receipt_of_an_order_made_elsewhere() -> None:
    order = Order(
        pay_order_id="RP20240102101010123456789012",
        mch_id="10000701",
        mch_order_no="R-ext-1",
        original_order_id="PC20240101215009579871439079",
        amount=700,
        pay_type="refund",
        status=2,
        card_num="424242******4242",
        card_type="V",
        auth_num="A1",
        trans_num="T1",
        pay_succ_time="2024-01-02 10:10:10",
    )
    r = receipt_for_order(order, merchant_name=MERCHANT)
    assert r.kind is ReceiptKind.REFUND
    assert r.status is ReceiptStatus.APPROVED
    assert r.original_pay_order_id == order.original_order_id
    assert r.time.utcoffset() is not None


# --------------------------------------------------------------------------- reversals

SHOP = Merchant(
    "Demo Café Ltd.",
    ("123 Queen St W", "Toronto ON M5H 2M9"),
    "123456789RT0001",
    "America/Toronto",
)


def plain_when(moment: datetime) -> str:
    """The wall clock of the moment as given (the GUI's local_time does the same)."""
    return moment.strftime("%Y-%m-%d %H:%M")


@pytest.mark.asyncio
async def test_reprinted_sale_of_a_voided_payment_says_voided(
    service: MoneyService, client: IotPayClient
) -> None:
    payment = await pay(client, 4200)
    draft = await service.new_draft(ActionKind.VOID, payment.pay_order_id)
    void = await service.void(payment.pay_order_id, reason="wrong card", draft_id=draft.id)
    assert void.succeeded
    assert void.order is not None
    detail = await service.order_detail(payment.pay_order_id)
    assert detail.order.refundable == 0  # IOTPay's own answer

    r = receipt_for_detail(detail, merchant=SHOP, operator="jack")
    assert r.kind is ReceiptKind.CHARGE
    assert r.voided is not None
    assert r.returned_cents == 4200
    text = receipt_text(r, tr, money, plain_when)
    assert "«VOIDED on " in text  # translated
    voided_at = void.action.updated_at.astimezone(ZoneInfo("America/Toronto"))
    notice = receipt_text(r, lambda s: s, money, plain_when)
    assert f"VOIDED on {plain_when(voided_at)}" in notice
    # The void's references: IOTPay's RP… and the desk's own void number.
    assert void.order.pay_order_id in notice
    assert draft.id in notice
    assert "Left on the payment" not in notice
    # Before the fix a reprint said only "Sale / APPROVED".
    roll = receipt_roll(r, lambda s: s, money, plain_when)
    assert any("VOIDED on" in line for line in roll)


@pytest.mark.asyncio
async def test_reprinted_sale_of_a_refunded_payment_says_how_much_with_references(
    make_service: Any, client: IotPayClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    service: MoneyService = make_service()
    payment = await pay(client, 4200)
    sandbox.settle()
    refs = []
    for cents in (1000, 500):
        draft = await service.new_draft(ActionKind.REFUND, payment.pay_order_id)
        result = await service.refund(payment.pay_order_id, cents, "returned", draft_id=draft.id)
        assert result.succeeded
        assert result.order is not None
        refs.append((draft.id, result.order.pay_order_id))
    # A third refund made on another computer (another journal): only IOTPay knows it.
    other_journal = open_sqlite_ledger(tmp_path / "other.sqlite3")
    try:
        other = make_service(journal=other_journal)
        draft = await other.new_draft(ActionKind.REFUND, payment.pay_order_id)
        assert (await other.refund(payment.pay_order_id, 200, "", draft_id=draft.id)).succeeded
    finally:
        other_journal.close()

    detail = await service.order_detail(payment.pay_order_id)
    r = receipt_for_detail(detail, merchant=SHOP)
    assert r.voided is None
    assert [x.amount_cents for x in r.reversals] == [1000, 500]
    assert r.returned_cents == 1700
    text = receipt_text(r, lambda s: s, money, plain_when)
    assert "REFUNDED CAD 17.00 of CAD 42.00." in text
    for mch_no, rp in refs:
        assert rp in text
        assert mch_no in text
    assert "Returned outside this desk: CAD 2.00" in text
    assert "Left on the payment: CAD 25.00" in text


@pytest.mark.asyncio
async def test_a_payment_nothing_happened_to_has_no_notice(
    service: MoneyService, client: IotPayClient
) -> None:
    payment = await pay(client, 1234)
    r = receipt_for_detail(await service.order_detail(payment.pay_order_id), merchant=SHOP)
    assert r.reversals == ()
    assert r.returned_cents == 0
    text = receipt_text(r, lambda s: s, money, plain_when)
    assert "VOIDED" not in text
    assert "REFUNDED" not in text
    assert "Left on the payment" not in text


def test_merchant_header_currency_and_one_time_zone() -> None:
    order = Order(
        pay_order_id="PC20240101215009579871439079",
        mch_id="10000701",
        amount=1250,
        status=2,
        card_num="424242******4242",
        card_type="V",
        pay_succ_time="2024-01-01 21:50:09",  # IOTPay's Eastern time
    )
    west = dataclasses.replace(SHOP, timezone="America/Vancouver")
    for paper_text in (
        receipt_text(receipt_for_order(order, merchant=west), lambda s: s, money, plain_when),
        "\n".join(
            receipt_roll(receipt_for_order(order, merchant=west), lambda s: s, money, plain_when)
        ),
        visible_text(
            receipt_html(receipt_for_order(order, merchant=west), lambda s: s, money, plain_when)
        )[0],
    ):
        assert "Demo Café Ltd." in paper_text
        assert "123 Queen St W" in paper_text
        assert "Toronto ON M5H 2M9" in paper_text
        assert "GST/HST 123456789RT0001" in paper_text
        assert "CAD 12.50" in paper_text
        assert "2024-01-01 18:50" in paper_text  # on the merchant's clock, not IOTPay's
        assert paper_text.count("America/Vancouver") == 1  # stated once
    # A money format without the code still shows CAD.
    bare = receipt_text(
        receipt_for_order(order, merchant=SHOP), lambda s: s, lambda c, _cur: "$12.50", plain_when
    )
    assert "$12.50 CAD" in bare


def test_roll_lines_fit_42_columns_and_papers_follow_the_locale() -> None:
    order = Order(
        pay_order_id="PC20240101215009579871439079",
        mch_id="10000701",
        mch_order_no="o" + "x" * 29,
        amount=123456789,
        status=2,
        card_num="424242******4242",
        card_type="V",
        pay_succ_time="2024-01-01 21:50:09",
    )
    long_shop = dataclasses.replace(
        SHOP,
        name="Le Très Long Nom Commercial de la Boulangerie du Coin Inc.",
        address=("1234, boulevard Saint-Laurent, bureau 5678", "Montréal QC H2X 2T1"),
    )
    r = receipt_for_order(order, merchant=long_shop, operator="operator12")
    lines = receipt_roll(r, tr, money, plain_when)
    assert all(len(line) <= ROLL_COLUMNS for line in lines), [x for x in lines if len(x) > 42]
    joined = " ".join(" ".join(lines).split())
    assert "Montréal QC H2X 2T1" in joined
    assert "PC20240101215009579871439079" in joined
    assert paper_for_locale("en_CA") is Paper.LETTER
    assert paper_for_locale("en_US") is Paper.LETTER
    assert paper_for_locale("fr_CA") is Paper.LETTER
    assert paper_for_locale("fr_FR") is Paper.A4
    assert paper_for_locale("en_GB") is Paper.A4


def test_merchant_of_a_profile() -> None:
    from iotpay_desk.core.profiles import Environment, Profile

    p = Profile.new("Front desk", Environment.TEST, "10000701", operators=["jack"])
    assert Merchant.of_profile(p).name == "Front desk"  # no trade name: the profile's name
    p = p.with_changes(
        trade_name="Demo Café Ltd.",
        address="123 Queen St W\n\nToronto ON M5H 2M9",
        tax_number="123456789rt0001",
        timezone="America/Halifax",
    )
    m = Merchant.of_profile(p)
    assert m == Merchant(
        "Demo Café Ltd.",
        ("123 Queen St W", "Toronto ON M5H 2M9"),
        "123456789RT0001",
        "America/Halifax",
    )

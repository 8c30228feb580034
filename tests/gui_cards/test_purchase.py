"""Simple purchases: IOTPay's page keyed in the desk, or a link and QR code for the
customer's phone; then following the order as IOTPay's SDKs do."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from iotpay_desk.gui.asyncjob import gone
from iotpay_desk.gui.purchase_dialog import PurchaseDialog
from iotpay_desk.gui.qr import qr_matrix
from iotpay_desk.gui.webpage import HostedPageDialog, PageState
from iotpay_desk.journal import ActionState
from iotpay_desk.sandbox import SandboxServer

from .conftest import QLoop, until
from .desk import TEST_CARDS, desk_services
from .pagedriver import PageDriver, future_mmyy


def pay_on_phone(url: str, number: str = TEST_CARDS["visa"]) -> dict[str, Any]:
    """What the customer's phone does with the link: IOTPay's page posts the card."""
    parts = urlsplit(url)
    secure_id = parse_qs(parts.query)["key"][0]
    body = {
        "secureId": secure_id,
        "cardNum": number,
        "cvv": "123",
        "expiryDate": future_mmyy(),
        "holder": "Phone Payer",
    }
    resp = httpx.post(f"{parts.scheme}://{parts.netloc}/v3/cc_pfpurchase", json=body, timeout=10)
    resp.raise_for_status()
    envelope: dict[str, Any] = resp.json()
    return envelope


def test_key_in_on_iotpay_s_page_then_confirmed(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = PurchaseDialog(s.money, merchant_name="Demo Café", follow_interval=0.05)
            dialog.open()
            dialog.amount.setText("18.75")
            dialog.subject.setText("Table 4")
            dialog.key_in_button.click()
            await until(lambda: dialog.hosted_dialog is not None, what="IOTPay's page")
            hosted = dialog.hosted_dialog
            assert hosted is not None
            await until(lambda: hosted.state is PageState.READY)
            assert hosted.view is not None
            page = PageDriver(hosted.view)
            await page.wait_loaded()
            assert await page.text("amount") == "$18.75 CAD"
            await page.fill(TEST_CARDS["mastercard"], future_mmyy(), "123", "Ada Lovelace")
            await page.click("submit")
            await until(lambda: dialog.outcome is not None, what="confirmed", within=15)
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.SUCCEEDED
            assert dialog.status.text().startswith("Paid $18.75. IOTPay's reference: PC")
            assert dialog.receipt_button.isVisible()
            dialog.receipt_button.click()
            assert dialog.receipt_dialog is not None
            assert "555555******4444" in dialog.receipt_dialog.preview.toPlainText()  # type: ignore[attr-defined]
            dialog.receipt_dialog.close()
            dialog.close()

    qloop.run(scenario())


def test_link_and_qr_for_the_customer_s_phone(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = PurchaseDialog(s.money, follow_interval=0.1)
            dialog.open()
            dialog.amount.setText("7.00")
            dialog.phone_button.click()
            await until(dialog.link_box.isVisible, what="the link")
            url = dialog.link.text()
            assert url.startswith(f"{sandbox.url}/cc/purchase?key=")
            # The QR code carries exactly this link.
            pixmap = dialog.qr.pixmap()
            assert not pixmap.isNull()
            image = pixmap.toImage()
            side = len(qr_matrix(url)) + 8
            assert image.width() % side == 0
            dialog.copy_button.click()
            clipboard = QApplication.clipboard()
            assert clipboard is not None
            assert clipboard.text() == url
            await until(dialog.progress.isVisible, what="following")
            await asyncio.sleep(0.3)
            assert dialog.outcome is None
            assert dialog.progress.value() >= 1
            envelope = await asyncio.to_thread(pay_on_phone, url)
            assert envelope["retCode"] == "SUCCESS"
            await until(lambda: dialog.outcome is not None, what="paid", within=10)
            assert dialog.outcome is not None
            assert dialog.outcome.succeeded
            assert not dialog.link_box.isVisible()
            assert not dialog.progress.isVisible()
            dialog.close()

    qloop.run(scenario())


def test_following_gives_up_then_keeps_checking_on_request(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = PurchaseDialog(s.money, follow_attempts=3, follow_interval=0.05)
            dialog.open()
            dialog.amount.setText("3.30")
            dialog.phone_button.click()
            await until(dialog.keep_checking.isVisible, what="outcome unknown", within=10)
            assert dialog.status.text().startswith("Outcome unknown")
            assert dialog.outcome is None
            assert dialog.session is not None
            assert dialog.session.mch_order_no in dialog.status.text()
            await asyncio.to_thread(pay_on_phone, dialog.link.text())
            dialog.keep_checking.click()
            await until(lambda: dialog.outcome is not None, what="paid", within=10)
            assert dialog.outcome is not None
            assert dialog.outcome.succeeded
            assert not dialog.keep_checking.isVisible()
            dialog.close()

    qloop.run(scenario())


def test_pending_card_on_the_page_is_resolved_by_following(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = PurchaseDialog(s.money, follow_interval=0.05)
            dialog.open()
            dialog.amount.setText("25.00")
            dialog.key_in_button.click()
            await until(lambda: dialog.hosted_dialog is not None)
            hosted = dialog.hosted_dialog
            assert hosted is not None
            await until(lambda: hosted.state is PageState.READY)
            assert hosted.view is not None
            page = PageDriver(hosted.view)
            await page.wait_loaded()
            await page.fill(TEST_CARDS["pending"], future_mmyy(), "123", "Ada Lovelace")
            await page.click("submit")
            await until(lambda: dialog.outcome is not None, what="resolved", within=15)
            assert dialog.outcome is not None
            assert dialog.outcome.succeeded
            dialog.close()

    qloop.run(scenario())


def test_declined_on_the_phone_then_another_card(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = PurchaseDialog(s.money, follow_interval=0.05)
            dialog.open()
            dialog.amount.setText("4.00")
            dialog.phone_button.click()
            await until(dialog.link_box.isVisible)
            envelope = await asyncio.to_thread(
                pay_on_phone, dialog.link.text(), TEST_CARDS["decline"]
            )
            assert envelope["retCode"] == "SUCCESS"
            await until(lambda: "declined" in dialog.status.text(), within=10)
            assert dialog.status.text() == (
                "The card was declined: “card declined”. Nothing was charged yet. The customer "
                "can open the link again (scan the code again) and try another card; the desk "
                "keeps checking."
            )
            assert not dialog.again_button.isVisible()  # the page is on the customer's phone
            # Not final: the customer tries another card on the same page.
            assert dialog.outcome is None
            assert not dialog.receipt_button.isVisible()
            await asyncio.to_thread(pay_on_phone, dialog.link.text())
            await until(lambda: dialog.outcome is not None, within=10)
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.SUCCEEDED
            dialog.close()

    qloop.run(scenario())


def purchases(sandbox: SandboxServer) -> list[dict[str, Any]]:
    return [o for o in sandbox.orders() if o.get("endpoint") == "cc_purchase"]


async def open_key_in(dialog: PurchaseDialog) -> tuple[HostedPageDialog, PageDriver]:
    await until(lambda: dialog.hosted_dialog is not None, what="IOTPay's page")
    hosted = dialog.hosted_dialog
    assert hosted is not None
    await until(lambda: hosted.state is PageState.READY, what="the page loaded")
    assert hosted.view is not None
    page = PageDriver(hosted.view)
    await page.wait_loaded()
    return hosted, page


async def type_card_without_clicking(page: PageDriver, number: str) -> None:
    """The page opens with the caret in the card number: the cashier just types."""
    await page.wait_js(
        "document.activeElement && document.activeElement.id",
        lambda v: v == "card-number",
        what="the card number focused",
    )
    digits = number.replace(" ", "")
    shown = " ".join(digits[i : i + 4] for i in range(0, 16, 4))
    for attempt in range(3):
        if attempt:
            # On a loaded machine Chromium has dropped keys typed while the page was still
            # settling ("5555 5555 4444"): as a cashier would, clear the field and type again.
            await page.focus("card-number")
            QTest.keyClick(page.proxy, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            QTest.keyClick(page.proxy, Qt.Key.Key_Backspace)
            await page.wait_value("card-number", "")
        QTest.keyClicks(page.proxy, number)
        try:
            await page.wait_value("card-number", shown, within=4.0)
            break
        except AssertionError:
            if attempt == 2:
                raise
    await page.type("card-expiry", future_mmyy())
    await page.type("card-cvv", "123")
    await page.type("card-holder", "Ada Lovelace")
    await page.wait_value("card-holder", "Ada Lovelace")
    await page.click("submit")


def test_declined_on_the_keyed_in_page_the_same_page_takes_another_card(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A decline keeps IOTPay's page on screen, says so on it, and the second card pays
    the same order: one payment at IOTPay."""

    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = PurchaseDialog(s.money, follow_interval=0.05)
            dialog.open()
            dialog.amount.setText("31.40")
            dialog.key_in_button.click()
            hosted, page = await open_key_in(dialog)
            assert not hosted.notice.isVisible()
            await type_card_without_clicking(page, TEST_CARDS["decline"])
            # IOTPay confirmed the decline: the same page again, in the same window.
            await until(hosted.notice.isVisible, what="the decline on the page", within=15)
            assert hosted.notice.text() == (
                "The card was declined: “card declined”. Nothing was charged. Type another "
                "card, or Cancel to stop."
            )
            assert dialog.hosted_dialog is hosted
            assert hosted.isVisible()
            assert dialog.status.text() == (
                "The card was declined: “card declined”. Nothing was charged. IOTPay's page "
                "is open again for another card."
            )
            await until(lambda: hosted.state is PageState.READY, what="the page again")
            page = PageDriver(hosted.view)  # type: ignore[arg-type]
            await page.wait_loaded()
            assert await page.value("card-number") == ""
            assert dialog.outcome is None
            await type_card_without_clicking(page, TEST_CARDS["mastercard"])
            await until(lambda: dialog.outcome is not None, what="confirmed", within=15)
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.SUCCEEDED
            assert dialog.status.text().startswith("Paid $31.40. IOTPay's reference: PC")
            # The page closed, and its dialog was destroyed (not kept by this one).
            await until(lambda: gone(hosted), what="the page's dialog destroyed")
            assert not dialog.again_button.isVisible()
            orders = purchases(sandbox)
            assert len(orders) == 1
            assert orders[0]["status"] in (2, 3)
            assert orders[0]["cardNum"] == "555555******4444"
            dialog.close()

    qloop.run(scenario())


def test_declined_then_page_closed_try_another_card_opens_it_again(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Closed after a decline, the page is not said to be open: the dialog says what to
    do and its button opens the same page again, which then takes the payment."""

    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = PurchaseDialog(s.money, follow_interval=0.05)
            dialog.open()
            dialog.amount.setText("12.00")
            dialog.key_in_button.click()
            hosted, page = await open_key_in(dialog)
            await type_card_without_clicking(page, TEST_CARDS["decline"])
            await until(hosted.notice.isVisible, what="the decline on the page", within=15)
            hosted.cancel_button.click()
            await until(dialog.again_button.isVisible, what="Try another card", within=10)
            assert dialog.status.text() == (
                "The card was declined: “card declined”. Nothing was charged. To try another "
                "card, press Try another card: IOTPay's page opens again for this payment."
            )
            assert "same page" not in dialog.status.text()
            assert dialog.outcome is None
            dialog.again_button.click()
            hosted, page = await open_key_in(dialog)
            assert not dialog.again_button.isVisible()
            await type_card_without_clicking(page, TEST_CARDS["visa"])
            await until(lambda: dialog.outcome is not None, what="confirmed", within=15)
            assert dialog.outcome is not None
            assert dialog.outcome.succeeded
            assert not dialog.again_button.isVisible()
            orders = purchases(sandbox)
            assert len(orders) == 1
            assert orders[0]["status"] in (2, 3)
            dialog.close()

    qloop.run(scenario())


def test_a_bad_amount_is_named_and_nothing_is_started(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = PurchaseDialog(s.money)
            dialog.open()
            dialog.amount.setText("12.345")
            dialog.phone_button.click()
            await until(dialog.status.isVisible)
            assert dialog.status.text().startswith("Amount:")
            assert dialog.session is None
            assert sandbox.orders() == []
            dialog.close()

    qloop.run(scenario())

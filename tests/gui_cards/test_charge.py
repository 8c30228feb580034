"""Charging a card on file from its dialog, against the real sandbox and a real journal."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtPdf import QPdfDocument

from iotpay_desk.gui.charge_dialog import ChargeDialog
from iotpay_desk.gui.receipt import ReceiptDialog
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.sandbox import FaultSpec, SandboxServer
from iotpay_desk.services import VaultCard

from .conftest import QLoop, until
from .desk import TEST_CARDS, Services, desk_services
from .pagedriver import future_mmyy


async def bind(s: Services, number: str, label: str = "Ada L.") -> VaultCard:
    return await s.cards.direct_add_card(label, number, future_mmyy(), "123", "Ada Lovelace")


async def open_charge(s: Services, card: VaultCard, amount: str) -> ChargeDialog:
    dialog = ChargeDialog(
        s.money, await s.cards.list_cards(), card.card_id, merchant_name="Demo Café"
    )
    dialog.open()
    dialog.start()
    await until(dialog.submit.isEnabled, what="the draft")
    dialog.amount.setText(amount)
    return dialog


def charges_at(sandbox: SandboxServer, card_id: str) -> list[dict[str, object]]:
    """The card-on-file charges the sandbox holds (each test has a sandbox of its own)."""
    del card_id
    return [o for o in sandbox.orders() if o.get("endpoint") == "cc_purchasewithtoken"]


def test_charge_shows_what_happens_then_the_result_and_its_receipt(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    pdf = tmp_path / "receipt.pdf"

    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card = await bind(s, TEST_CARDS["visa"])
            dialog = await open_charge(s, card, "12.50")
            dialog.subject.setText("Invoice 77")
            assert dialog.confirmation.text().startswith(
                f"Charge $12.50 to Visa ••••4242 of Ada L. (card ID {card.card_id}) now."
            )
            dialog.submit.click()
            await until(lambda: dialog.outcome is not None, what="the outcome", within=15)
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.SUCCEEDED
            assert dialog.message.text().startswith("Charged $12.50. IOTPay's reference: PC")
            assert not dialog.submit.isVisible()
            assert dialog.receipt_button.isVisible()
            dialog.receipt_button.click()
            receipt = dialog.receipt_dialog
            assert isinstance(receipt, ReceiptDialog)
            text = receipt.preview.toPlainText()
            assert "Demo Café" in text
            assert "424242******4242" in text
            assert dialog.outcome.order is not None
            assert dialog.outcome.order.pay_order_id in text
            assert "cashier1" in text
            await receipt.save_pdf(str(pdf))
            receipt.close()
            dialog.close()

    qloop.run(scenario())
    assert pdf.read_bytes().startswith(b"%PDF")
    assert b"4242424242424242" not in pdf.read_bytes()
    doc = QPdfDocument()
    doc.load(str(pdf))
    text = "\n".join(doc.getAllText(i).text() for i in range(doc.pageCount()))
    doc.close()
    assert "424242******4242" in text
    assert "4242424242424242" not in text.replace(" ", "")


def test_declined_card(qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card = await bind(s, TEST_CARDS["decline"])
            dialog = await open_charge(s, card, "5.00")
            dialog.submit.click()
            await until(lambda: dialog.outcome is not None, within=15)
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.DECLINED
            assert (
                dialog.message.text()
                == "The card was declined: “card declined”. Nothing was charged."
            )
            assert not dialog.receipt_button.isVisible()
            dialog.close()

    qloop.run(scenario())


def test_pending_card_is_followed_until_it_is_paid(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card = await bind(s, TEST_CARDS["pending"])
            dialog = await open_charge(s, card, "25.00")
            dialog.follow_interval = 0.05
            dialog.submit.click()
            await until(lambda: "not confirmed" in dialog.message.text(), what="checking")
            await until(
                lambda: dialog.outcome is not None and not dialog.outcome.checking,
                what="resolved by following",
                within=15,
            )
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.SUCCEEDED
            assert dialog.message.text().startswith("Charged $25.00.")
            assert dialog.receipt_button.isVisible()
            dialog.close()

    qloop.run(scenario())


def test_lost_answer_and_double_clicks_charge_exactly_once(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card = await bind(s, TEST_CARDS["visa"])
            dialog = await open_charge(s, card, "40.00")
            sandbox.set_faults(
                [FaultSpec(kind="drop_after_commit", endpoint="cc_purchasewithtoken", count=1)]
            )
            # A double-click and a held Enter: the first click disables the button, and
            # the draft fixes the order number, so at most one charge can leave.
            dialog.submit.click()
            dialog.submit.click()
            dialog.send()
            dialog.send()
            await until(
                lambda: dialog.outcome is not None and not dialog.outcome.checking,
                what="resolved",
                within=20,
            )
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.SUCCEEDED
            await asyncio.sleep(0.2)
            assert len(charges_at(sandbox, card.card_id)) == 1
            actions = [
                a
                for a in await s.money.actions_page()
                if a.kind is ActionKind.CHARGE_TOKEN and a.card_id == card.card_id
            ]
            assert len(actions) == 1
            assert actions[0].state is ActionState.SUCCEEDED
            dialog.close()

    qloop.run(scenario())


def test_same_card_same_amount_again_is_warned_first(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card = await bind(s, TEST_CARDS["visa"])
            first = await open_charge(s, card, "9.99")
            first.submit.click()
            await until(lambda: first.outcome is not None, within=15)
            first.close()
            second = await open_charge(s, card, "9.99")
            second.submit.click()
            await until(second.warning.isVisible, what="the warning")
            assert "already charged $9.99" in second.warning.text()
            assert second.submit.text() == "C&harge again"
            assert second.outcome is None
            assert len(charges_at(sandbox, card.card_id)) == 1
            # Another amount: no warning, the button is plain again.
            second.amount.setText("10.99")
            assert not second.warning.isVisible()
            second.amount.setText("9.99")
            second.submit.click()
            await until(second.warning.isVisible)
            second.submit.click()  # the cashier confirms: charged again
            await until(lambda: second.outcome is not None, within=15)
            assert second.outcome is not None
            assert second.outcome.succeeded
            assert len(charges_at(sandbox, card.card_id)) == 2
            second.close()

    qloop.run(scenario())


def test_customer_ip_is_checked_beside_the_field(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3", direct=True) as s:
            card = await bind(s, TEST_CARDS["visa"])
            dialog = await open_charge(s, card, "3.00")
            dialog.client_ip.setText("300.1.2.3")
            dialog.submit.click()
            await until(dialog.ip_message.isVisible)
            assert dialog.ip_message.text() == (
                "Customer IP address: must be an IPv4 or IPv6 address."
            )
            assert dialog.outcome is None
            assert charges_at(sandbox, card.card_id) == []
            dialog.client_ip.setText("2001:db8::7")
            dialog.submit.click()
            await until(lambda: dialog.outcome is not None, within=15)
            assert not dialog.ip_message.isVisible()
            assert dialog.outcome is not None
            assert dialog.outcome.succeeded
            dialog.close()

    qloop.run(scenario())


class Clock:
    """The money service's clock, moved by the test (what the journal dates charges by)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_repeat_warning_covers_the_profile_window_and_names_the_earlier_charge(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """14 minutes after the same charge the cashier is warned, with the earlier charge's
    order number, amount and time in the merchant's zone (Vancouver here, not the
    computer's); after the window, or for another amount, the charge goes straight on."""
    start = datetime(2026, 3, 14, 18, 0, 5, tzinfo=UTC)  # 11:00 a.m. in Vancouver (PDT)
    clock = Clock(start)

    async def scenario() -> None:
        async with desk_services(
            sandbox.url,
            tmp_path / "j.sqlite3",
            direct=True,
            clock=clock,
            tz=ZoneInfo("America/Vancouver"),
            repeat_charge_within=24 * 3600.0,  # the profile's default: 24 hours
        ) as s:
            card = await bind(s, TEST_CARDS["visa"])
            first = await open_charge(s, card, "9.99")
            first.submit.click()
            await until(lambda: first.outcome is not None, within=15)
            assert first.outcome is not None
            assert first.outcome.succeeded
            earlier_no = first.outcome.action.mch_no
            first.close()

            clock.now = start + timedelta(minutes=14)
            second = await open_charge(s, card, "9.99")
            second.submit.click()
            await until(second.warning.isVisible, what="the repeat-charge warning")
            assert second.warning.text() == (
                f"This card was already charged $9.99 on 2026-03-14 11:00\u202fa.m. PDT "
                f"(order {earlier_no}). Charge it again only if the customer owes it twice."
            )
            assert second.submit.text() == "C&harge again"
            assert second.outcome is None
            assert len(charges_at(sandbox, card.card_id)) == 1
            # Another amount is another charge: sent at once, no warning.
            second.amount.setText("9.98")
            assert not second.warning.isVisible()
            second.submit.click()
            await until(lambda: second.outcome is not None, within=15)
            assert second.outcome is not None
            assert second.outcome.succeeded
            assert len(charges_at(sandbox, card.card_id)) == 2
            second.close()

            # The same card and amount again once the window has passed: no warning.
            clock.now = start + timedelta(hours=24, minutes=1)
            third = await open_charge(s, card, "9.99")
            third.submit.click()
            await until(lambda: third.outcome is not None, within=15)
            assert not third.warning.isVisible()
            assert third.outcome is not None
            assert third.outcome.succeeded
            assert len(charges_at(sandbox, card.card_id)) == 3
            third.close()

    qloop.run(scenario())


def test_a_shorter_profile_window_is_honoured(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    start = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)
    clock = Clock(start)

    async def scenario() -> None:
        async with desk_services(
            sandbox.url,
            tmp_path / "j.sqlite3",
            direct=True,
            clock=clock,
            repeat_charge_within=3600.0,
        ) as s:
            card = await bind(s, TEST_CARDS["visa"])
            first = await open_charge(s, card, "5.00")
            first.submit.click()
            await until(lambda: first.outcome is not None, within=15)
            first.close()
            clock.now = start + timedelta(minutes=61)
            again = await open_charge(s, card, "5.00")
            again.submit.click()
            await until(lambda: again.outcome is not None, within=15)
            assert not again.warning.isVisible()
            assert len(charges_at(sandbox, card.card_id)) == 2
            again.close()

    qloop.run(scenario())

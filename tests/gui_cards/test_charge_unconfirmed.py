"""A card charge IOTPay commits late, from its dialog: the dialog never says the card was
not charged while IOTPay may still commit it, and "send again" reuses the order number,
so the late first send and the second charge the card once at the sandbox."""

from __future__ import annotations

from pathlib import Path

import httpx

from iotpay_desk.api import IotPayClient
from iotpay_desk.gui.charge_dialog import ChargeDialog
from iotpay_desk.journal import ActionState
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services import CardService, MoneyService
from iotpay_desk.services.money import NOT_RECEIVED_AFTER_S
from tests.plugins.lateproxy import LateProxy

from .conftest import QLoop, until
from .desk import TEST_CARDS
from .pagedriver import future_mmyy


def test_a_charge_delivered_late_is_sent_again_with_its_number_and_charges_once(
    qloop: QLoop, sandbox: SandboxServer, late_proxy: LateProxy, tmp_path: Path
) -> None:
    async def scenario() -> None:
        http = httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=1.0), trust_env=False)
        client = IotPayClient(
            late_proxy.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http, backoff=0.02
        )
        journal = open_sqlite_ledger(tmp_path / "j.sqlite3")
        cards = CardService(client, journal, operator="cashier1", direct_add_enabled=True)
        money = MoneyService(
            client,
            journal,
            operator="cashier1",
            check_delays=(0.0, 0.1),
            not_received_after=NOT_RECEIVED_AFTER_S,
        )
        try:
            card = await cards.direct_add_card(
                "Ada L.", TEST_CARDS["visa"], future_mmyy(), "123", "Ada Lovelace"
            )
            dialog = ChargeDialog(money, await cards.list_cards(), card.card_id)
            dialog.follow_attempts = 2
            dialog.follow_interval = 0.05
            dialog.open()
            dialog.start()
            await until(dialog.submit.isEnabled, what="the draft")
            dialog.amount.setText("23.45")
            late_proxy.hold("cc_purchasewithtoken")
            dialog.submit.click()
            await until(dialog.resend.isVisible, what="send again offered", within=20)
            text = dialog.message.text()
            assert "no record of this charge yet" in text
            assert "not charged" not in text.replace("not known whether the card was charged", "")
            assert dialog.outcome is not None
            assert dialog.outcome.action.mch_no in text
            dialog.resend.click()
            await until(
                lambda: dialog.outcome is not None and dialog.outcome.succeeded,
                what="charged once",
                within=20,
            )
            assert dialog.message.text().startswith("Charged $23.45.")
            late_proxy.release()  # the first send lands now: its number is used
            charges = [o for o in sandbox.orders() if o.get("endpoint") == "cc_purchasewithtoken"]
            assert [(o["amount"], o["status"]) for o in charges] == [(2345, 2)]
            (action,) = [a for a in await money.actions_page() if a.card_id == card.card_id]
            assert action.state is ActionState.SUCCEEDED
            dialog.close()
        finally:
            await money.wait_idle()
            await cards.wait_idle()
            await http.aclose()
            journal.close()

    qloop.run(scenario())

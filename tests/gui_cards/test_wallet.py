"""Wallet payments: paste or load the token, checked, charged through the journal."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from iotpay_desk.gui.wallet_dialog import WalletDialog
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.sandbox import SandboxServer

from .conftest import QLoop, until
from .desk import Services, desk_services


def token(behaviour: str = "approve") -> str:
    payload = {"version": "EC_v1", "data": f"test-{behaviour}", "signature": "c2ln"}
    return base64.b64encode(json.dumps(payload).encode()).decode()


async def open_wallet(s: Services) -> WalletDialog:
    dialog = WalletDialog(s.money, merchant_name="Demo Café")
    dialog.open()
    dialog.start()
    await until(dialog.submit.isEnabled, what="the draft")
    return dialog


def test_pasted_token_is_charged_and_forgotten(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    pasted = token()
    journal = tmp_path / "j.sqlite3"

    async def scenario() -> None:
        async with desk_services(sandbox.url, journal) as s:
            dialog = await open_wallet(s)
            dialog.wallet.setCurrentIndex(dialog.wallet.findData("GooglePay"))
            # Pasted with line breaks, as wallets' tools print it.
            dialog.token.setPlainText(
                "\n".join(pasted[i : i + 40] for i in range(0, len(pasted), 40))
            )
            dialog.amount.setText("21.00")
            dialog.submit.click()
            await until(lambda: dialog.outcome is not None, within=15)
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.SUCCEEDED
            assert dialog.outcome.action.kind is ActionKind.CHARGE_WALLET
            assert dialog.message.text().startswith("Charged $21.00.")
            assert dialog.token.toPlainText() == ""
            dialog.receipt_button.click()
            assert dialog.receipt_dialog is not None
            dialog.receipt_dialog.close()
            dialog.close()

    qloop.run(scenario())
    orders = [o for o in sandbox.orders() if o.get("endpoint") == "cc_purchasewithwallet"]
    assert len(orders) == 1
    assert orders[0]["channel"] == "CC_CG"
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("j.sqlite3"))
    assert pasted[:40].encode() not in data


def test_declined_token(qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = await open_wallet(s)
            dialog.token.setPlainText(token("decline"))
            dialog.amount.setText("8.00")
            dialog.submit.click()
            await until(lambda: dialog.outcome is not None, within=15)
            assert dialog.outcome is not None
            assert dialog.outcome.state is ActionState.DECLINED
            assert "declined" in dialog.message.text()
            assert not dialog.receipt_button.isVisible()
            dialog.close()

    qloop.run(scenario())


def test_invalid_token_is_named_beside_it_and_nothing_is_sent(
    qloop: QLoop, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = await open_wallet(s)
            dialog.amount.setText("8.00")
            for bad, rule in (("", "is required"), ("not base64!", "must be valid base64")):
                dialog.token.setPlainText(bad)
                dialog.submit.click()
                await until(dialog.token_message.isVisible)
                assert dialog.token_message.text() == f"Wallet data: {rule}."
                assert dialog.outcome is None
            assert sandbox.orders() == []
            dialog.close()

    qloop.run(scenario())


def test_token_loaded_from_a_file(qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "token.b64"
    path.write_text(token() + "\n")
    big = tmp_path / "big.b64"
    big.write_bytes(b"A" * (70 * 1024))

    async def scenario() -> None:
        async with desk_services(sandbox.url, tmp_path / "j.sqlite3") as s:
            dialog = await open_wallet(s)
            dialog.load_button.click()
            files = dialog.file_dialog
            assert isinstance(files, QFileDialog)
            assert files.isVisible()
            files.selectFile(str(path))
            files.accept()
            await until(lambda: dialog.token.toPlainText() != "", what="the token loaded")
            assert dialog.token.toPlainText() == token()
            assert not dialog.token_message.isVisible()
            await dialog.load_file(str(big))
            assert dialog.token_message.isVisible()
            assert (
                dialog.token_message.text()
                == "Wallet data: is too large. Correct it and try again."
            )
            dialog.close()

    qloop.run(scenario())

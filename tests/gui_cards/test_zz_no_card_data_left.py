"""At the end of the run: after a whole day's card work through the screens — a card added
on IOTPay's page, one typed in directly, charges, a receipt — no test card number and no
CVV is anywhere in the journal, the logs, the settings, the profiles or any other file the
desk wrote.

Named to run last in this directory; the flow runs in its own hermetic HOME.
"""

from __future__ import annotations

import re
from pathlib import Path

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.logging_setup import setup_logging, teardown_logging
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import ProfileStore
from iotpay_desk.core.settings import LOG_LEVEL, Settings
from iotpay_desk.gui.charge_dialog import ChargeDialog
from iotpay_desk.gui.direct_add_dialog import DirectAddDialog
from iotpay_desk.gui.receipt import ReceiptDialog
from iotpay_desk.gui.vault import VaultPage
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer

from .conftest import QLoop, until
from .desk import TEST_CARDS, desk_services
from .pagedriver import future_mmyy
from .test_vault import fill_hosted_page

CVV = "7391"
NUMBERS = (TEST_CARDS["visa"], TEST_CARDS["mastercard"])


def leaks(data: bytes) -> list[str]:
    found = []
    for number in NUMBERS:
        grouped = " ".join(number[i : i + 4] for i in range(0, 16, 4))
        for form in (number, grouped, "-".join(grouped.split())):
            if form.encode() in data or form.encode("utf-16-le") in data:
                found.append(form)
    # The CVV as a number of its own (timestamps and ids have long digit runs).
    if re.search(rb"(?<![0-9])" + CVV.encode() + rb"(?![0-9])", data):
        found.append("cvv")
    return found


def test_no_card_number_or_cvv_in_any_file(
    qloop: QLoop, sandbox: SandboxServer, hermetic_home: Path, tmp_path: Path
) -> None:
    paths = AppPaths.default()
    settings = Settings(paths.config_dir)
    settings.set(LOG_LEVEL, "DEBUG")
    setup_logging(paths.log_dir, "DEBUG", stderr=False)
    store = ProfileStore(paths.config_dir, CredentialStore(), paths.data_dir)
    profile = store.ensure_sandbox_profile(sandbox.url, DEMO_MERCHANT.mch_id, key=DEMO_MERCHANT.key)
    profile = store.update(profile.enable_direct_add("cashier1"))
    journal_path = paths.journal_path(profile.id)
    pdf = tmp_path / "receipt.pdf"

    async def scenario() -> None:
        async with desk_services(sandbox.url, journal_path, direct=True) as s:
            page = VaultPage()
            page.set_services(s.cards, s.money)
            page.show()
            # A card on IOTPay's page.
            page.new_label.setText("Hosted customer")
            page.add_button.click()
            await fill_hosted_page(page, TEST_CARDS["visa"], cvv=CVV)
            await until(lambda: page.count.text() == "1 card(s)", within=15)
            hosted = page.selected_card()
            assert hosted is not None
            # A card typed in directly.
            page.new_label.setText("Direct customer")
            page.direct_button.click()
            direct = page.dialog
            assert isinstance(direct, DirectAddDialog)
            direct.number.setText(TEST_CARDS["mastercard"])
            direct.expiry.setText(future_mmyy())
            direct.cvv.setText(CVV)
            direct.holder.setText("Dee Rect")
            direct.submit.click()
            await until(lambda: direct.card is not None, within=15)
            direct.close()
            # Charge both, print a receipt of one.
            for card_id in (hosted.card_id, direct.card.card_id if direct.card else ""):
                dialog = ChargeDialog(s.money, page.model.all_cards, card_id, merchant_name="Demo")
                dialog.open()
                dialog.start()
                await until(dialog.submit.isEnabled)
                dialog.amount.setText("12.34")
                dialog.submit.click()
                await until(lambda d=dialog: d.outcome is not None, within=15)  # type: ignore[misc]
                assert dialog.outcome is not None
                assert dialog.outcome.succeeded
                dialog.receipt_button.click()
                receipt = dialog.receipt_dialog
                assert isinstance(receipt, ReceiptDialog)
                await receipt.save_pdf(str(pdf))
                receipt.close()
                dialog.close()
            page.close()

    try:
        qloop.run(scenario(), timeout=90)
    finally:
        teardown_logging()

    checked = {"data": paths.data_dir, "log": paths.log_dir, "config": paths.config_dir}
    for name, where in checked.items():
        assert any(p.is_file() for p in where.rglob("*")), f"nothing was written in the {name} dir"
    assert journal_path.exists()
    assert any(p.suffix == ".log" or ".log" in p.name for p in paths.log_dir.rglob("*"))
    files = [p for p in hermetic_home.rglob("*") if p.is_file()] + [pdf]
    found = {str(p): leaks(p.read_bytes()) for p in files}
    assert {k: v for k, v in found.items() if v} == {}
    assert len(files) >= 5, files

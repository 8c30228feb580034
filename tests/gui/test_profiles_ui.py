"""Profiles: the list, remove (with and without a keychain), the PCI DSS confirmation, the
first-run wizard, and switching between two sandbox merchants without mixing their data."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from iotpay_desk.api import IotPayClient
from iotpay_desk.app import Desk
from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import Environment, Profile, ProfileStore
from iotpay_desk.core.settings import Settings
from iotpay_desk.gui.mainwindow import MainWindow
from iotpay_desk.gui.profile_wizard import WizardPageId
from iotpay_desk.gui.profiles_page import PciDialog, ProfilesPage
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import merchant_file
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, Merchant, SandboxServer
from tests.gui.conftest import QLoop, until
from tests.plugins.memkeyring import MemoryKeyring
from tests.services.conftest import pay

OTHER = Merchant(mch_id="10000888", key="OTHER_MERCHANT_KEY_not_secret_2", name="Other Shop")


# Amounts and times read as a Canadian English desk shows them.
pytestmark = pytest.mark.usefixtures("canadian_english")


def store_with(home: Path, *profiles: Profile, backend: object = None) -> ProfileStore:
    creds = CredentialStore(backend=backend or MemoryKeyring())  # type: ignore[arg-type]
    store = ProfileStore(home / "config", creds, home / "data")
    store.load()
    for p in profiles:
        store.add(p)
    return store


def page_for(qtbot: QtBot, store: ProfileStore) -> ProfilesPage:
    page = ProfilesPage(store, store.credentials)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def message_box(page: ProfilesPage, name: str) -> QMessageBox | None:
    shown = [b for b in page.findChildren(QMessageBox, name) if b.isVisible()]
    return shown[0] if shown else None


def click_button(box: QMessageBox, text: str) -> None:
    for b in box.buttons():
        if b.text().replace("&", "") == text:
            b.click()
            return
    raise AssertionError(f"no button {text!r} in {[b.text() for b in box.buttons()]}")


def test_list_shows_environment_and_active(qtbot: QtBot, hermetic_home: Path) -> None:
    a = Profile.new("Counter", Environment.PRODUCTION, "100", operators=["jack"])
    b = Profile.new(
        "Lab", Environment.CUSTOM, "200", operators=["jill"], custom_url="http://127.0.0.1:9"
    )
    page = page_for(qtbot, store_with(hermetic_home, a, b))
    t = page.table
    assert t.rowCount() == 2
    texts = [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(2)]
    assert texts[0] == [
        "Counter (active)",
        "Production (ccapi.iotpaycloud.com)",
        "100",
        "Off",
        "This computer",
    ]
    assert texts[1] == ["Lab", "Custom URL — http://127.0.0.1:9", "200", "Off", "This computer"]
    assert page.selected_id() == a.id
    assert not page.switch_button.isEnabled()  # already active
    page.select(b.id)
    assert page.switch_button.isEnabled()
    with qtbot.waitSignal(page.switch_requested) as sig:
        page.switch_button.click()
    assert sig.args == [b.id]


def test_direct_card_entry_needs_the_pci_confirmation(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    p = Profile.new("Counter", Environment.TEST, "100", operators=["jack"])
    store = store_with(hermetic_home, p)
    page = page_for(qtbot, store)

    async def scenario() -> None:
        page.direct_button.click()
        dialog = page.pci_dialog
        assert isinstance(dialog, PciDialog)
        await until(dialog.isVisible)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert dialog.who_edit.text() == "jack"
        assert not ok.isEnabled()  # not before the box is ticked
        qtbot.keyClick(ok, Qt.Key.Key_Return)
        dialog.accept()
        assert dialog.isVisible()
        dialog.who_edit.clear()
        dialog.confirm.click()
        assert not ok.isEnabled()  # nor without a name
        qtbot.keyClicks(dialog.who_edit, "Ada Owner")
        assert ok.isEnabled()
        dialog.reject()  # cancelled: nothing changes
        await until(lambda: not dialog.isVisible())
        assert store.get(p.id).direct_add_enabled is False

        page.direct_button.click()
        dialog = page.pci_dialog
        assert dialog is not None
        await until(dialog.isVisible)
        dialog.who_edit.setFocus()
        dialog.who_edit.selectAll()
        qtbot.keyClicks(dialog.who_edit, "Ada Owner")
        dialog.confirm.setFocus()
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Space)
        with qtbot.waitSignal(page.switch_requested) as sig:  # the active one: reconnect
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
            await until(lambda: sig.signal_triggered, what="saved")
        assert sig.args == [p.id]

    qloop.run(scenario())
    saved = ProfileStore(hermetic_home / "config")
    on = saved.get(p.id)
    assert on.direct_add_enabled is True
    assert on.pci_ack is not None
    assert on.pci_ack.who == "Ada Owner"
    assert datetime.now(UTC) - on.pci_ack.when < timedelta(minutes=1)
    assert page.table.item(0, 3).text() == "On"
    assert page.direct_button.text().replace("&", "") == "Turn off direct card entry"

    async def turn_off() -> None:
        page.direct_button.click()
        await until(lambda: page.table.item(0, 3).text() == "Off")

    qloop.run(turn_off())
    off = ProfileStore(hermetic_home / "config").get(p.id)
    assert off.direct_add_enabled is False
    assert off.pci_ack is not None  # the past confirmation stays on record


def test_remove_deletes_the_key_after_confirmation(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    a = Profile.new("Counter", Environment.TEST, "100", operators=["jack"])
    b = Profile.new("Back office", Environment.TEST, "200", operators=["jill"])
    store = store_with(hermetic_home, a, b)
    MemoryKeyring.store[("iotpay-desk", a.id)] = "key-a"
    MemoryKeyring.store[("iotpay-desk", f"{a.id}/ledger-password")] = "ledger-pw-a"
    MemoryKeyring.store[("iotpay-desk", b.id)] = "key-b"
    MemoryKeyring.store[("iotpay-desk", f"{b.id}/ledger-password")] = "ledger-pw-b"
    page = page_for(qtbot, store)

    async def scenario() -> None:
        page.select(a.id)
        page.remove_button.click()
        box = message_box(page, "confirm-remove")
        assert box is not None
        assert "Counter" in box.text()
        assert "ledger password" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        await until(lambda: message_box(page, "confirm-remove") is None)
        assert len(store.profiles()) == 2
        page.remove_button.click()
        box = message_box(page, "confirm-remove")
        assert box is not None
        with qtbot.waitSignal(page.switch_requested) as sig:  # the active one went
            click_button(box, "Remove")
            await until(lambda: sig.signal_triggered)
        assert sig.args == [""]

    qloop.run(scenario())
    assert [p.id for p in store.profiles()] == [b.id]
    assert ("iotpay-desk", a.id) not in MemoryKeyring.store
    assert ("iotpay-desk", f"{a.id}/ledger-password") not in MemoryKeyring.store
    assert MemoryKeyring.store[("iotpay-desk", b.id)] == "key-b"
    assert MemoryKeyring.store[("iotpay-desk", f"{b.id}/ledger-password")] == "ledger-pw-b"
    assert page.table.rowCount() == 1


def test_remove_without_a_keychain_offers_to_leave_the_key(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    a = Profile.new("Counter", Environment.TEST, "100", operators=["jack"])
    store = store_with(hermetic_home, a, backend=fail.Keyring())
    page = page_for(qtbot, store)

    async def scenario() -> None:
        page.remove_button.click()
        box = message_box(page, "confirm-remove")
        assert box is not None
        click_button(box, "Remove")
        await until(lambda: message_box(page, "confirm-remove-keep-key") is not None)
        second = message_box(page, "confirm-remove-keep-key")
        assert second is not None
        assert "No system keychain was found" in second.text()
        assert len(store.profiles()) == 1  # nothing removed yet
        assert "No system keychain was found" in page.message.text()
        click_button(second, "Remove, leave the key")
        await until(lambda: page.table.rowCount() == 0)

    qloop.run(scenario())
    assert ProfileStore(hermetic_home / "config").profiles() == []


# --------------------------------------------------------------------------- the desk


def desk_args(**kw: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "sandbox": False,
        "smoke": False,
        "pseudo": False,
        "language": None,
        "time_scale": 60.0,
    }
    values.update(kw)
    return argparse.Namespace(**values)


class DeskRun:
    """The desk's start-up controller with its window, on real files and a real sandbox."""

    def __init__(self, qtbot: QtBot, qloop: QLoop, root: Path, **args: object) -> None:
        self.qloop = qloop
        self.paths = AppPaths.under(root)
        self.settings = Settings(self.paths.config_dir)
        self.desk = Desk(
            desk_args(**args),
            self.paths,
            self.settings,
            credentials=CredentialStore(backend=MemoryKeyring()),
        )
        self.window = MainWindow(settings=self.settings, credentials=self.desk.credentials)
        qtbot.addWidget(self.window)
        self.window.show()

    def store(self) -> ProfileStore:
        store = ProfileStore(self.paths.config_dir, self.desk.credentials, self.paths.data_dir)
        store.load()
        return store

    def close(self) -> None:
        self.qloop.run(self.desk.close())


def add_sandbox_profile(store: ProfileStore, name: str, url: str, m: Merchant) -> Profile:
    p = Profile.new(name, Environment.CUSTOM, m.mch_id, operators=["jack"], custom_url=url)
    store.add(p)
    store.credentials.set_key(p.id, m.key)
    return p


def ledger_of(run: DeskRun, profile: Profile) -> Path:
    """The merchant ledger file a local profile works on."""
    return merchant_file(run.paths.data_dir, profile.environment.value, profile.mch_id)


def journal_text(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return "\n".join(
            str(row) for t in ("actions", "lookups") for row in con.execute(f"SELECT * FROM {t}")
        )
    finally:
        con.close()


def test_switching_profiles_never_mixes_their_data(
    qtbot: QtBot,
    qloop: QLoop,
    tmp_path: Path,
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    sandbox = sandbox_factory(merchants=[DEMO_MERCHANT, OTHER])
    run = DeskRun(qtbot, qloop, tmp_path / "desk")
    store = run.store()
    a = add_sandbox_profile(store, "Demo Café", sandbox.url, DEMO_MERCHANT)
    b = add_sandbox_profile(store, "Other Shop", sandbox.url, OTHER)
    assert store.active_id == a.id
    window = run.window
    orders = window.orders

    async def scenario() -> None:
        http = httpx.AsyncClient(timeout=5.0, trust_env=False)
        client_a = IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http)
        try:
            order = await pay(client_a, 4321)
        finally:
            await http.aclose()
        await run.desk.start(window)
        assert window.profile is not None
        assert window.profile.id == a.id
        money_a = run.desk.money
        assert money_a is not None
        # A: look the payment up as a cashier, and void it (Activity gets a row).
        await until(orders.query.isEnabled)
        orders.query.setFocus()
        qtbot.keyClicks(orders.query, order.mch_order_no)
        qtbot.keyClick(orders.query, Qt.Key.Key_Return)
        await until(lambda: orders.detail is not None, what="order detail")
        await until(lambda: orders.recent.count() == 1, what="recent look-up")
        draft = await money_a.new_draft(ActionKind.VOID, order.pay_order_id)
        await money_a.void(order.pay_order_id, draft_id=draft.id)
        window.activity.reload()
        await until(lambda: window.activity.table.rowCount() == 1, what="activity row")

        # Switch to B from the Profiles window.
        run.desk.open_profiles()
        dialog = run.desk.profiles_dialog
        assert dialog is not None
        dialog.page.select(b.id)
        dialog.page.switch_button.click()
        await until(lambda: run.desk.money is not None and run.desk.money is not money_a)
        assert window.profile is not None
        assert window.profile.id == b.id
        assert "Other Shop" in window.windowTitle()
        # Nothing of A is shown in B.
        assert orders.detail is None
        assert orders.query.text() == ""
        assert orders.recent.count() == 0
        await until(lambda: not window.busy.busy)
        assert window.activity.table.rowCount() == 0
        assert "(active)" in dialog.page.table.item(1, 0).text()
        # A's payment is not B's: the sandbox does not find it for B's merchant.
        orders.query.setFocus()
        qtbot.keyClicks(orders.query, order.mch_order_no)
        qtbot.keyClick(orders.query, Qt.Key.Key_Return)
        await until(lambda: orders.message.isVisible(), what="not found")
        assert orders.detail is None

        # And back to A: its look-up and void are there again, from its own journal.
        await run.desk.switch_profile(a.id)
        await until(lambda: orders.recent.count() == 1, what="A's recent look-up")
        await until(lambda: window.activity.table.rowCount() == 1, what="A's activity")
        assert isinstance(run.desk.journal, LedgerJournal)
        assert run.desk.journal.path == ledger_of(run, a)

    try:
        qloop.run(scenario(), timeout=60)
    finally:
        run.close()
    # Two merchants: two ledgers, each named by its environment and merchant.
    ja, jb = ledger_of(run, a), ledger_of(run, b)
    assert ja != jb
    assert ja.exists()
    assert jb.exists()
    assert ja.name == f"{a.environment.value}-{DEMO_MERCHANT.mch_id}.sqlite3"
    assert jb.name == f"{b.environment.value}-{OTHER.mch_id}.sqlite3"
    text_a, text_b = journal_text(ja), journal_text(jb)
    assert DEMO_MERCHANT.mch_id in text_a or "4321" in text_a
    assert "void" in text_a.lower()
    assert "void" not in text_b.lower()
    assert run.store().active_id == a.id


def test_first_run_opens_the_wizard_and_offers_the_sandbox(
    qtbot: QtBot, qloop: QLoop, tmp_path: Path
) -> None:
    run = DeskRun(qtbot, qloop, tmp_path / "desk", time_scale=60.0)

    async def scenario() -> None:
        await run.desk.start(run.window)
        wizard = run.desk.wizard
        assert wizard is not None
        await until(wizard.isVisible)
        sandbox = wizard.button(QWizard.WizardButton.CustomButton1)
        assert sandbox.isVisible()
        sandbox.click()
        await until(lambda: run.desk.money is not None, within=15, what="sandbox connected")
        assert run.window.profile is not None
        assert run.window.profile.environment is Environment.SANDBOX

    try:
        qloop.run(scenario(), timeout=40)
    finally:
        run.close()
    (profile,) = run.store().profiles()
    assert profile.is_sandbox


def test_first_run_wizard_profile_is_connected(
    qtbot: QtBot,
    qloop: QLoop,
    tmp_path: Path,
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    sandbox = sandbox_factory()
    run = DeskRun(qtbot, qloop, tmp_path / "desk")

    async def scenario() -> None:
        await run.desk.start(run.window)
        w = run.desk.wizard
        assert w is not None
        await until(w.isVisible)
        qtbot.keyClicks(w.name_edit, "Corner Shop")
        w.next()
        w.env_buttons[Environment.CUSTOM].click()
        qtbot.keyClicks(w.url_edit, sandbox.url)
        w.next()
        qtbot.keyClicks(w.mch_edit, DEMO_MERCHANT.mch_id)
        qtbot.keyClicks(w.key_edit, DEMO_MERCHANT.key)
        w.next()
        qtbot.keyClicks(w.operators_edit, "jack")
        w.next()
        w.next()
        w.next()  # the receipt fields are all optional
        w.next()  # the ledger stays on this computer
        w.button(QWizard.WizardButton.FinishButton).click()
        await until(lambda: run.desk.money is not None, within=10, what="connected")
        assert run.window.profile is not None
        assert run.window.profile.name == "Corner Shop"
        assert run.window.orders.query.isEnabled()

    try:
        qloop.run(scenario(), timeout=30)
    finally:
        run.close()
    (profile,) = run.store().profiles()
    assert MemoryKeyring.store[("iotpay-desk", profile.id)] == DEMO_MERCHANT.key
    assert DEMO_MERCHANT.key not in run.paths.profiles_file.read_text("utf-8")


def test_switching_waits_for_a_void_in_flight_and_never_cancels_it(
    qtbot: QtBot,
    qloop: QLoop,
    tmp_path: Path,
    sandbox_factory: Callable[..., SandboxServer],
) -> None:
    sandbox = sandbox_factory(merchants=[DEMO_MERCHANT, OTHER])
    run = DeskRun(qtbot, qloop, tmp_path / "desk")
    store = run.store()
    a = add_sandbox_profile(store, "Demo Café", sandbox.url, DEMO_MERCHANT)
    b = add_sandbox_profile(store, "Other Shop", sandbox.url, OTHER)
    window = run.window
    latency = 0.8

    async def scenario() -> None:
        http = httpx.AsyncClient(timeout=5.0, trust_env=False)
        try:
            order = await pay(
                IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http)
            )
        finally:
            await http.aclose()
        await run.desk.start(window)
        money_a = run.desk.money
        assert money_a is not None
        sandbox.set_faults(
            [FaultSpec("latency", endpoint="cc_void", latency_ms=int(latency * 1000))]
        )
        draft = await money_a.new_draft(ActionKind.VOID, order.pay_order_id)
        void = asyncio.ensure_future(money_a.void(order.pay_order_id, draft_id=draft.id))
        await until(lambda: money_a.busy, what="void in flight")
        started = time.monotonic()
        await run.desk.switch_profile(b.id)
        waited = time.monotonic() - started
        assert void.done()
        assert not void.cancelled()
        assert void.result().state is ActionState.SUCCEEDED
        assert waited > latency / 2  # the switch waited for the answer
        assert window.profile is not None
        assert window.profile.id == b.id
        await until(lambda: not window.busy.busy)
        assert window.activity.table.rowCount() == 0  # A's void does not show in B

    try:
        qloop.run(scenario(), timeout=30)
    finally:
        run.close()
    assert "succeeded" in journal_text(ledger_of(run, a))
    assert "void" not in journal_text(ledger_of(run, b)).lower()


def test_receipts_button_edits_the_receipt_fields_with_their_rules(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    p = Profile.new("Counter", Environment.TEST, "100", operators=["jack"])
    store = store_with(hermetic_home, p)
    page = page_for(qtbot, store)
    page.select(p.id)
    assert page.receipts_button.isEnabled()

    async def scenario() -> None:
        page.receipts_button.click()
        wizard = page.wizard
        assert wizard is not None
        await until(wizard.isVisible)
        assert wizard.currentId() == WizardPageId.RECEIPTS
        wizard.trade_name_edit.setFocus()
        qtbot.keyClicks(wizard.trade_name_edit, "Counter Bakery Inc.")
        wizard.address_edit.setFocus()
        qtbot.keyClicks(wizard.address_edit, "1 Main St")
        qtbot.keyClick(wizard.address_edit, Qt.Key.Key_Return)
        qtbot.keyClicks(wizard.address_edit, "Halifax NS B3H 1A1")
        wizard.tax_edit.setFocus()
        qtbot.keyClicks(wizard.tax_edit, "RT0001")
        problem = wizard.pages[WizardPageId.RECEIPTS].problem_labels["tax_number"]
        assert problem.isVisible()
        assert problem.text() == (
            "GST/HST number: must be 9 digits, RT and 4 digits, such as 123456789RT0001"
        )
        assert wizard.tax_edit.text() == "RT0001"  # kept
        assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
        wizard.tax_edit.home(False)
        qtbot.keyClicks(wizard.tax_edit, "987654321")
        assert not problem.isVisible()
        wizard.next()
        assert wizard.currentId() == WizardPageId.SUMMARY
        with qtbot.waitSignal(page.profiles_changed) as sig:
            wizard.button(QWizard.WizardButton.FinishButton).click()
            await until(lambda: sig.signal_triggered, what="saved")

    qloop.run(scenario())
    saved = ProfileStore(hermetic_home / "config").get(p.id)
    assert saved.trade_name == "Counter Bakery Inc."
    assert saved.address == "1 Main St\nHalifax NS B3H 1A1"
    assert saved.tax_number == "987654321RT0001"
    assert list(saved.operators) == ["jack"]  # the rest kept

    async def edit_again() -> None:
        await until(lambda: page.wizard is None, what="the wizard gone")
        page.edit_button.click()
        wizard = page.wizard
        assert wizard is not None
        await until(wizard.isVisible)
        assert wizard.currentId() == WizardPageId.WHO
        assert wizard.trade_name_edit.text() == "Counter Bakery Inc."
        assert wizard.address_edit.toPlainText() == "1 Main St\nHalifax NS B3H 1A1"
        assert wizard.tax_edit.text() == "987654321RT0001"
        wizard.reject()

    qloop.run(edit_again())


def test_ledger_button_moves_a_profile_to_a_shared_server_and_back(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    from iotpay_desk.core.profiles import LedgerLocation

    password = "Shared-ledger-" + "pw-77a1"
    p = Profile.new("Counter", Environment.TEST, "100", operators=["jack"])
    other = Profile.new("Lab", Environment.TEST, "200", operators=["jill"])
    store = store_with(hermetic_home, p, other)
    MemoryKeyring.store[("iotpay-desk", p.id)] = "key-p"
    page = page_for(qtbot, store)
    page.select(p.id)
    assert page.ledger_button.isEnabled()

    def type_into(widget: object, text: str) -> None:
        widget.setFocus()  # type: ignore[attr-defined]
        widget.selectAll()  # type: ignore[attr-defined]
        qtbot.keyClicks(widget, text)  # type: ignore[arg-type]

    async def scenario() -> None:
        page.ledger_button.click()
        wizard = page.wizard
        assert wizard is not None
        await until(wizard.isVisible)
        assert wizard.currentId() == WizardPageId.LEDGER
        assert wizard.ledger_local.isChecked()
        wizard.ledger_shared.setFocus()
        qtbot.keyClick(wizard.ledger_shared, Qt.Key.Key_Space)
        type_into(wizard.ledger_host_edit, "ledger.example.ca")
        type_into(wizard.ledger_database_edit, "iotpay")
        type_into(wizard.ledger_user_edit, "counter")
        type_into(wizard.ledger_password_edit, password)
        qtbot.keyClick(wizard.ledger_password_edit, Qt.Key.Key_Return)
        assert wizard.currentId() == WizardPageId.SUMMARY
        with qtbot.waitSignal(page.profiles_changed) as sig:
            wizard.button(QWizard.WizardButton.FinishButton).click()
            await until(lambda: sig.signal_triggered, what="saved")

    qloop.run(scenario())
    saved = ProfileStore(hermetic_home / "config").get(p.id)
    assert saved.ledger == LedgerLocation.postgresql(
        "ledger.example.ca", "iotpay", "counter", tls="verify-full"
    )
    assert saved.operators == ("jack",)  # the rest kept
    assert MemoryKeyring.store[("iotpay-desk", f"{p.id}/ledger-password")] == password
    assert MemoryKeyring.store[("iotpay-desk", p.id)] == "key-p"
    assert password not in (hermetic_home / "config" / "profiles.json").read_text()
    t = page.table
    row = next(
        r for r in range(t.rowCount()) if t.item(r, 0).data(Qt.ItemDataRole.UserRole) == p.id
    )
    assert t.item(row, 4).text() == "PostgreSQL: counter@ledger.example.ca:5432/iotpay"

    async def back_to_this_computer() -> None:
        await until(lambda: page.wizard is None, what="the wizard gone")
        page.select(p.id)
        page.ledger_button.click()
        wizard = page.wizard
        assert wizard is not None
        await until(wizard.isVisible)
        assert wizard.ledger_host_edit.text() == "ledger.example.ca"
        assert wizard.ledger_password_edit.text() == ""  # never shown again
        wizard.ledger_local.setFocus()
        qtbot.keyClick(wizard.ledger_local, Qt.Key.Key_Space)
        wizard.next()
        with qtbot.waitSignal(page.profiles_changed) as sig:
            wizard.button(QWizard.WizardButton.FinishButton).click()
            await until(lambda: sig.signal_triggered, what="saved")

    qloop.run(back_to_this_computer())
    assert ProfileStore(hermetic_home / "config").get(p.id).ledger.is_local
    assert ("iotpay-desk", f"{p.id}/ledger-password") not in MemoryKeyring.store
    assert t.item(row, 4).text() == "This computer"

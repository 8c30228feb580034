"""The profile wizard, driven by keyboard as a person would, on real files and a keychain."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from pathlib import Path
from typing import ClassVar

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QWidget, QWizard
from pytestqt.qtbot import QtBot

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.profiles import Environment, LedgerLocation, Profile, ProfileStore
from iotpay_desk.gui.profile_wizard import ProfileWizard, WizardPageId
from iotpay_desk.ledger.migrate import head
from tests.gui.conftest import QLoop, until
from tests.plugins.memkeyring import MemoryKeyring
from tests.plugins.postgres import PostgresServer

KEY = "k3y-Of-the-Merchant-9f2c"


# Amounts and times read as a Canadian English desk shows them.
pytestmark = pytest.mark.usefixtures("canadian_english")


class LockableKeyring(KeyringBackend):
    """A keychain that is locked until the test unlocks it (a real locked Secret Service
    cannot exist on a headless test machine)."""

    priority = 1  # type: ignore[assignment]
    locked: ClassVar[bool] = True

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise keyring.errors.KeyringLocked("collection is locked")
        return MemoryKeyring.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.locked:
            raise keyring.errors.KeyringLocked("collection is locked")
        MemoryKeyring.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        MemoryKeyring.store.pop((service, username), None)


def make(
    qtbot: QtBot,
    home: Path,
    *,
    backend: KeyringBackend | None = None,
    profile: Profile | None = None,
    offer_sandbox: bool = False,
) -> tuple[ProfileWizard, ProfileStore]:
    creds = CredentialStore(backend=backend or MemoryKeyring())
    store = ProfileStore(home / ".config" / "iotpay-desk", creds)
    store.load()
    if profile is not None:
        store.add(profile)
    wizard = ProfileWizard(store, creds, profile=profile, offer_sandbox=offer_sandbox)
    qtbot.addWidget(wizard)
    wizard.open()
    qtbot.waitExposed(wizard)
    return wizard, store


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def enter(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def next_enabled(w: ProfileWizard) -> bool:
    return w.button(QWizard.WizardButton.NextButton).isEnabled()


def fill_valid(qtbot: QtBot, w: ProfileWizard, *, name: str = "Front counter") -> None:
    """Type a valid profile page by page (Enter = Next), up to the summary."""
    type_into(qtbot, w.name_edit, name)
    enter(qtbot, w.name_edit)
    assert w.currentId() == WizardPageId.WHERE
    w.env_buttons[Environment.TEST].setFocus()
    qtbot.keyClick(w.env_buttons[Environment.TEST], Qt.Key.Key_Space)
    w.next()
    assert w.currentId() == WizardPageId.MERCHANT
    type_into(qtbot, w.mch_edit, "10000701")
    type_into(qtbot, w.key_edit, KEY)
    enter(qtbot, w.key_edit)
    assert w.currentId() == WizardPageId.OPERATORS
    w.operators_edit.setFocus()
    qtbot.keyClicks(w.operators_edit, "jack")
    qtbot.keyClick(w.operators_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(w.operators_edit, "jill")
    w.next()
    assert w.currentId() == WizardPageId.LIMITS
    enter(qtbot, w.threshold_edit)
    assert w.currentId() == WizardPageId.RECEIPTS
    enter(qtbot, w.tax_edit)
    assert w.currentId() == WizardPageId.LEDGER
    assert w.ledger_local.isChecked()  # the ledger is on this computer unless chosen
    enter(qtbot, w.ledger_local)
    assert w.currentId() == WizardPageId.SUMMARY


def visible_problem(w: ProfileWizard, page: int, name: str) -> str:
    label = w.pages[page].problem_labels[name]
    return label.text() if label.isVisible() else ""


def files_under(root: Path) -> list[Path]:
    return [f for f in root.rglob("*") if f.is_file()]


def test_bad_input_names_the_field_and_the_rule(qtbot: QtBot, hermetic_home: Path) -> None:
    w, _ = make(qtbot, hermetic_home)
    assert w.currentId() == WizardPageId.WHO
    # Nothing typed yet: no red text; Next says what is missing instead of moving on.
    assert visible_problem(w, WizardPageId.WHO, "name") == ""
    assert next_enabled(w)
    enter(qtbot, w.name_edit)
    assert w.currentId() == WizardPageId.WHO
    assert visible_problem(w, WizardPageId.WHO, "name") == "Profile name: must not be blank"
    assert not next_enabled(w)
    type_into(qtbot, w.name_edit, "Front counter")
    assert visible_problem(w, WizardPageId.WHO, "name") == ""
    assert next_enabled(w)
    enter(qtbot, w.name_edit)

    # Where: a custom URL over plain http to a public host is refused, loopback is not.
    custom = w.env_buttons[Environment.CUSTOM]
    custom.setFocus()
    qtbot.keyClick(custom, Qt.Key.Key_Space)
    assert custom.isChecked()
    assert visible_problem(w, WizardPageId.WHERE, "custom_url") == ""
    w.next()
    assert w.currentId() == WizardPageId.WHERE
    assert "Server URL: must not be blank" in visible_problem(w, WizardPageId.WHERE, "custom_url")
    type_into(qtbot, w.url_edit, "http://iotpay.example.com")
    assert visible_problem(w, WizardPageId.WHERE, "custom_url") == (
        "Server URL: must use https unless it is a loopback address (127.0.0.1 or localhost)"
    )
    assert not next_enabled(w)
    enter(qtbot, w.url_edit)
    assert w.currentId() == WizardPageId.WHERE  # Enter does not get past a bad field
    type_into(qtbot, w.url_edit, "not a url")
    assert visible_problem(w, WizardPageId.WHERE, "custom_url").startswith("Server URL: ")
    type_into(qtbot, w.url_edit, "http://127.0.0.1:8765")
    assert next_enabled(w)
    enter(qtbot, w.url_edit)

    # Merchant: mchId over 30 characters, key blank.
    assert w.currentId() == WizardPageId.MERCHANT
    type_into(qtbot, w.mch_edit, "1" * 31)
    assert visible_problem(w, WizardPageId.MERCHANT, "mch_id") == (
        "Merchant ID (mchId): must be at most 30 characters"
    )
    assert visible_problem(w, WizardPageId.MERCHANT, "merchant_key") == ""  # not typed in yet
    assert not next_enabled(w)
    type_into(qtbot, w.mch_edit, "10000701")
    assert next_enabled(w)
    enter(qtbot, w.mch_edit)
    assert w.currentId() == WizardPageId.MERCHANT
    assert visible_problem(w, WizardPageId.MERCHANT, "merchant_key") == (
        "Merchant key: must not be blank"
    )
    type_into(qtbot, w.key_edit, KEY)
    assert next_enabled(w)
    enter(qtbot, w.key_edit)

    # Operators: a login name over 12 characters, a duplicate.
    assert w.currentId() == WizardPageId.OPERATORS
    assert visible_problem(w, WizardPageId.OPERATORS, "operators") == ""
    w.next()
    assert visible_problem(w, WizardPageId.OPERATORS, "operators") == (
        "Operator login names: must list at least one login name"
    )
    w.operators_edit.setFocus()
    qtbot.keyClicks(w.operators_edit, "jack")
    qtbot.keyClick(w.operators_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(w.operators_edit, "thirteenchars")
    assert visible_problem(w, WizardPageId.OPERATORS, "operators") == (
        "Operator login name 2: must be at most 12 characters"
    )
    assert not next_enabled(w)
    qtbot.keyClick(w.operators_edit, Qt.Key.Key_Backspace)
    assert next_enabled(w)
    qtbot.keyClick(w.operators_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(w.operators_edit, "jack")
    assert visible_problem(w, WizardPageId.OPERATORS, "operators") == (
        "Operator login name 3: is listed twice"
    )
    qtbot.keyClick(w.operators_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(w.operators_edit, "y")
    assert next_enabled(w)
    w.next()

    # Limits: the threshold is a money field in the locale.
    assert w.currentId() == WizardPageId.LIMITS
    assert w.cutoff_edit.time() == QTime(21, 0)
    assert w.zone_combo.currentText() == "America/Toronto"
    assert w.threshold_edit.text() == "$500.00"
    type_into(qtbot, w.threshold_edit, "12.345")
    assert visible_problem(w, WizardPageId.LIMITS, "retype_threshold_cents") == (
        "Retype refund amounts above: must have at most two decimals"
    )
    type_into(qtbot, w.threshold_edit, "lots")
    assert "Retype refund amounts above: must be an amount" in visible_problem(
        w, WizardPageId.LIMITS, "retype_threshold_cents"
    )
    zone = w.zone_combo.lineEdit()
    assert zone is not None
    type_into(qtbot, zone, "Mars/Olympus")
    assert visible_problem(w, WizardPageId.LIMITS, "timezone") == (
        "Time zone: must be a known time zone such as America/Toronto"
    )
    assert not next_enabled(w)


def test_back_and_forth_keeps_everything_typed(qtbot: QtBot, hermetic_home: Path) -> None:
    w, _ = make(qtbot, hermetic_home)
    fill_valid(qtbot, w)
    type_into(qtbot, w.threshold_edit, "x")  # not even valid: still kept
    for _ in range(7):
        w.back()
    assert w.currentId() == WizardPageId.WHO
    assert w.name_edit.text() == "Front counter"
    for _ in range(3):
        w.next()
    assert w.currentId() == WizardPageId.OPERATORS
    assert w.operators_edit.toPlainText() == "jack\njill"
    w.back()
    assert w.mch_edit.text() == "10000701"
    assert w.key_edit.text() == KEY
    assert w.env_buttons[Environment.TEST].isChecked()
    w.next()
    w.next()
    assert w.threshold_edit.text() == "x"


def test_production_carries_an_unmistakable_warning(qtbot: QtBot, hermetic_home: Path) -> None:
    w, _ = make(qtbot, hermetic_home)
    type_into(qtbot, w.name_edit, "Live")
    enter(qtbot, w.name_edit)
    assert not w.production_warning.isVisible()
    prod = w.env_buttons[Environment.PRODUCTION]
    prod.setFocus()
    qtbot.keyClick(prod, Qt.Key.Key_Space)
    assert w.production_warning.isVisible()
    assert "real money" in w.production_warning.text()
    assert not w.url_edit.isEnabled()


def test_finishing_stores_the_key_in_the_keychain_only(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    w, store = make(qtbot, hermetic_home)
    fill_valid(qtbot, w)
    assert w.summary_values["operators"].text() == "jack (default), jill"
    assert w.summary_values["retype_threshold_cents"].text() == "$500.00"
    assert KEY not in " ".join(v.text() for v in w.summary_values.values())

    async def scenario() -> None:
        with qtbot.waitSignal(w.saved) as sig:
            enter(qtbot, w.button(QWizard.WizardButton.FinishButton))
            await until(lambda: sig.signal_triggered, what="saved")
        await until(lambda: not w.isVisible())

    qloop.run(scenario())
    (profile,) = store.profiles()
    assert profile.name == "Front counter"
    assert profile.environment is Environment.TEST
    assert profile.operators == ("jack", "jill")
    assert profile.cutoff == "21:00"
    assert profile.direct_add_enabled is False
    assert store.active_id == profile.id
    assert MemoryKeyring.store[("iotpay-desk", profile.id)] == KEY
    assert w.key_edit.text() == ""
    saved = json.loads(store.path.read_text("utf-8"))
    assert saved["profiles"][0]["mch_id"] == "10000701"
    for f in files_under(hermetic_home):
        assert KEY.encode() not in f.read_bytes(), f


def test_no_keychain_says_so_and_saves_nothing(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    w, store = make(qtbot, hermetic_home, backend=fail.Keyring())
    fill_valid(qtbot, w)

    async def scenario() -> None:
        w.button(QWizard.WizardButton.FinishButton).click()
        await until(lambda: w.failure.isVisible(), what="the keychain message")
        await until(lambda: w.button(QWizard.WizardButton.FinishButton).isEnabled())

    qloop.run(scenario())
    text = w.failure_text.text()
    assert "No system keychain was found" in text
    assert "Nothing was saved" in text
    assert w.isVisible()
    assert w.currentId() == WizardPageId.SUMMARY
    assert w.key_edit.text() == KEY  # nothing typed is lost
    assert not store.path.exists()
    store.load()
    assert store.profiles() == []
    for f in files_under(hermetic_home):
        assert KEY.encode() not in f.read_bytes(), f


def test_locked_keychain_retry_after_unlocking(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    LockableKeyring.locked = True
    w, store = make(qtbot, hermetic_home, backend=LockableKeyring())
    fill_valid(qtbot, w)

    async def scenario() -> None:
        w.button(QWizard.WizardButton.FinishButton).click()
        await until(lambda: w.failure.isVisible(), what="the keychain message")
        assert "locked" in w.failure_text.text()
        await until(lambda: w.retry_button.isEnabled())
        assert store.profiles() == []
        LockableKeyring.locked = False
        with qtbot.waitSignal(w.saved) as sig:
            w.retry_button.click()
            await until(lambda: sig.signal_triggered, what="saved")

    try:
        qloop.run(scenario())
    finally:
        LockableKeyring.locked = True
    (profile,) = store.profiles()
    assert MemoryKeyring.store[("iotpay-desk", profile.id)] == KEY


def test_a_name_already_used_is_refused(qtbot: QtBot, hermetic_home: Path) -> None:
    other = Profile.new("Front counter", Environment.TEST, "1", operators=["a"])
    creds = CredentialStore(backend=MemoryKeyring())
    store = ProfileStore(hermetic_home / ".config" / "iotpay-desk", creds)
    store.add(other)
    w = ProfileWizard(store, creds)
    qtbot.addWidget(w)
    w.open()
    type_into(qtbot, w.name_edit, "front COUNTER")
    assert visible_problem(w, WizardPageId.WHO, "name") == (
        "Profile name: is already used by another profile"
    )
    assert not next_enabled(w)


def test_edit_keeps_the_stored_key_when_left_blank(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    original = Profile.new(
        "Counter", Environment.TEST, "10000701", operators=["jack"], retype_threshold_cents=2500
    )
    MemoryKeyring.store[("iotpay-desk", original.id)] = KEY
    w, store = make(qtbot, hermetic_home, profile=original)
    assert w.name_edit.text() == "Counter"
    assert w.threshold_edit.text() == "$25.00"
    assert "Leave blank" in w.key_edit.placeholderText()
    type_into(qtbot, w.name_edit, "Counter 2")
    for _ in range(7):
        w.next()
    assert w.currentId() == WizardPageId.SUMMARY

    async def scenario() -> None:
        with qtbot.waitSignal(w.saved) as sig:
            w.button(QWizard.WizardButton.FinishButton).click()
            await until(lambda: sig.signal_triggered)

    qloop.run(scenario())
    (edited,) = store.profiles()
    assert edited.id == original.id
    assert edited.name == "Counter 2"
    assert edited.retype_threshold_cents == 2500
    assert MemoryKeyring.store[("iotpay-desk", original.id)] == KEY


def test_try_the_sandbox_instead(qtbot: QtBot, hermetic_home: Path) -> None:
    w, store = make(qtbot, hermetic_home, offer_sandbox=True)
    button = w.button(QWizard.WizardButton.CustomButton1)
    assert button.isVisible()
    with qtbot.waitSignal(w.sandbox_requested):
        button.click()
    assert not w.isVisible()
    assert not store.path.exists()


def test_show_hide_key(qtbot: QtBot, hermetic_home: Path) -> None:
    w, _ = make(qtbot, hermetic_home)
    type_into(qtbot, w.name_edit, "x")
    w.next()
    w.next()
    assert w.currentId() == WizardPageId.MERCHANT
    assert w.key_edit.echoMode() is w.key_edit.EchoMode.Password
    w.show_key.click()
    assert w.key_edit.echoMode() is w.key_edit.EchoMode.Normal
    w.show_key.click()
    assert w.key_edit.echoMode() is w.key_edit.EchoMode.Password
    w.show_key.click()
    type_into(qtbot, w.mch_edit, "10000701")
    type_into(qtbot, w.key_edit, KEY)
    w.next()  # leaving the page hides the key again
    assert w.currentId() == WizardPageId.OPERATORS
    assert w.key_edit.echoMode() is w.key_edit.EchoMode.Password


def test_a_new_wizard_shows_no_problem_before_anything_is_typed(
    qtbot: QtBot, hermetic_home: Path
) -> None:
    w, _ = make(qtbot, hermetic_home, offer_sandbox=True)
    for page in w.pages:
        for name, label in page.problem_labels.items():
            assert not label.isVisibleTo(w), name
            assert label.text() == "", name
    assert not w.keychain_notice.isVisible()  # the keychain works: nothing to say
    # Editing a field and emptying it again shows its rule at once.
    type_into(qtbot, w.name_edit, "x")
    qtbot.keyClick(w.name_edit, Qt.Key.Key_Backspace)
    assert visible_problem(w, WizardPageId.WHO, "name") == "Profile name: must not be blank"


def test_no_keychain_is_said_on_the_first_page_with_what_to_do(
    qtbot: QtBot, hermetic_home: Path
) -> None:
    creds = CredentialStore(backend=fail.Keyring())
    creds.status()  # the desk checks the keychain at start, before the first-run wizard
    store = ProfileStore(hermetic_home / ".config" / "iotpay-desk", creds)
    store.load()
    w = ProfileWizard(store, creds, offer_sandbox=True)
    qtbot.addWidget(w)
    w.open()
    qtbot.waitExposed(w)
    assert w.currentId() == WizardPageId.WHO
    notice = w.keychain_notice
    assert notice.isVisible()
    text = notice.text()
    assert "cannot be saved yet" in text
    assert "Install and start a Secret Service provider" in text  # what to do
    assert "Try the sandbox" in text  # and what works meanwhile
    assert visible_problem(w, WizardPageId.WHO, "name") == ""


def test_receipt_fields_and_hours_round_trip_with_their_rules_beside_them(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    w, store = make(qtbot, hermetic_home)
    fill_valid(qtbot, w)
    w.back()
    assert w.currentId() == WizardPageId.LEDGER
    w.back()
    assert w.currentId() == WizardPageId.RECEIPTS
    w.back()
    assert w.currentId() == WizardPageId.LIMITS
    # Defaults: a day each.
    assert w.unconfirmed_spin.value() == 24
    assert w.repeat_spin.value() == 24
    type_into(qtbot, w.unconfirmed_spin, "12")
    assert w.unconfirmed_spin.value() == 12  # kept as typed
    assert visible_problem(w, WizardPageId.LIMITS, "unconfirmed_hours") == (
        "Keep checking unconfirmed actions for: must be at least 24 hours "
        "(IOTPay may confirm an action late)"
    )
    assert not next_enabled(w)
    type_into(qtbot, w.unconfirmed_spin, "48")
    type_into(qtbot, w.repeat_spin, "36")
    assert visible_problem(w, WizardPageId.LIMITS, "unconfirmed_hours") == ""
    w.next()
    assert w.currentId() == WizardPageId.RECEIPTS
    type_into(qtbot, w.trade_name_edit, "Demo Cafe Ltd.")  # keyClicks: ASCII only
    w.address_edit.setFocus()
    for i, line in enumerate(("123 Queen St W", "Suite 400", "Toronto ON M5H 2M9", "Canada")):
        if i:
            qtbot.keyClick(w.address_edit, Qt.Key.Key_Return)
        qtbot.keyClicks(w.address_edit, line)
    assert visible_problem(w, WizardPageId.RECEIPTS, "address") == (
        "Address on receipts: must be at most 3 lines"
    )
    assert not next_enabled(w)
    for _ in range(len("\nCanada")):
        qtbot.keyClick(w.address_edit, Qt.Key.Key_Backspace)
    assert visible_problem(w, WizardPageId.RECEIPTS, "address") == ""
    type_into(qtbot, w.tax_edit, "12345678 RT1")
    assert visible_problem(w, WizardPageId.RECEIPTS, "tax_number") == (
        "GST/HST number: must be 9 digits, RT and 4 digits, such as 123456789RT0001"
    )
    assert w.tax_edit.text() == "12345678 RT1"  # what was typed stays
    assert not next_enabled(w)
    type_into(qtbot, w.tax_edit, "123456789RT0001")
    assert visible_problem(w, WizardPageId.RECEIPTS, "tax_number") == ""
    enter(qtbot, w.tax_edit)
    assert w.currentId() == WizardPageId.LEDGER
    w.next()
    assert w.currentId() == WizardPageId.SUMMARY
    assert w.summary_values["trade_name"].text() == (
        "Demo Cafe Ltd. · 123 Queen St W, Suite 400, Toronto ON M5H 2M9 · 123456789RT0001"
    )

    async def scenario() -> None:
        with qtbot.waitSignal(w.saved) as sig:
            enter(qtbot, w.button(QWizard.WizardButton.FinishButton))
            await until(lambda: sig.signal_triggered, what="saved")

    qloop.run(scenario())
    (saved,) = store.profiles()
    assert saved.trade_name == "Demo Cafe Ltd."
    assert saved.address == "123 Queen St W\nSuite 400\nToronto ON M5H 2M9"
    assert saved.tax_number == "123456789RT0001"
    assert saved.unconfirmed_hours == 48
    assert saved.repeat_charge_hours == 36
    # On disk, and back into the wizard that edits it.
    again = ProfileStore(hermetic_home / ".config" / "iotpay-desk", store.credentials)
    again.load()
    (loaded,) = again.profiles()
    e = ProfileWizard(again, store.credentials, profile=loaded)
    qtbot.addWidget(e)
    assert e.trade_name_edit.text() == "Demo Cafe Ltd."
    assert e.address_edit.toPlainText() == "123 Queen St W\nSuite 400\nToronto ON M5H 2M9"
    assert e.tax_edit.text() == "123456789RT0001"
    assert e.unconfirmed_spin.value() == 48
    assert e.repeat_spin.value() == 36


def test_a_cancelled_keychain_prompt_says_so_and_offers_retry(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    """KWallet's prompt cancelled at Finish: "the keychain prompt was cancelled; retry",
    not "make sure its service is running" nor "the keychain did not store the key"."""
    from keyring.backends import kwallet

    class CancelledWallet(kwallet.DBusKeyring):
        def connected(self, service: str) -> bool:
            return False  # what keyring sees when the user pressed Cancel on the prompt

    w, store = make(qtbot, hermetic_home, backend=CancelledWallet())
    fill_valid(qtbot, w)

    async def scenario() -> None:
        w.button(QWizard.WizardButton.FinishButton).click()
        await until(lambda: w.failure.isVisible(), what="the keychain message")
        await until(lambda: w.retry_button.isEnabled())

    qloop.run(scenario())
    text = w.failure_text.text()
    assert text.startswith("The keychain prompt was cancelled")
    assert "Retry" in text
    assert "running" not in text
    assert w.retry_button.isVisible()
    assert store.profiles() == []


# -- the ledger page ---------------------------------------------------------------------------

LEDGER_PW = "Ledger-Pa55-" + "c0ffee42"


def choose_shared(qtbot: QtBot, w: ProfileWizard) -> None:
    w.ledger_shared.setFocus()
    qtbot.keyClick(w.ledger_shared, Qt.Key.Key_Space)
    assert w.ledger_shared.isChecked()


def fill_server(
    qtbot: QtBot,
    w: ProfileWizard,
    *,
    host: str,
    port: int,
    database: str,
    user: str,
    password: str,
) -> None:
    type_into(qtbot, w.ledger_host_edit, host)
    type_into(qtbot, w.ledger_port_spin, str(port))
    type_into(qtbot, w.ledger_database_edit, database)
    type_into(qtbot, w.ledger_user_edit, user)
    type_into(qtbot, w.ledger_password_edit, password)


def test_ledger_page_names_each_fields_rule_and_suggests_tls(
    qtbot: QtBot, hermetic_home: Path
) -> None:
    w, _ = make(qtbot, hermetic_home)
    fill_valid(qtbot, w)
    w.back()
    assert w.currentId() == WizardPageId.LEDGER
    assert w.ledger_local.isChecked()
    assert not w.ledger_host_edit.isEnabled()  # nothing to set for this computer
    assert not w.ledger_test_button.isEnabled()
    choose_shared(qtbot, w)
    assert w.ledger_host_edit.isEnabled()
    assert w.ledger_port_spin.value() == 5432
    # Next on blank fields says what is missing, beside each field, and stays.
    enter(qtbot, w.ledger_shared)
    assert w.currentId() == WizardPageId.LEDGER
    assert visible_problem(w, WizardPageId.LEDGER, "ledger_host") == (
        "Ledger server host: must not be blank"
    )
    assert visible_problem(w, WizardPageId.LEDGER, "ledger_database") == (
        "Ledger database: must not be blank"
    )
    assert visible_problem(w, WizardPageId.LEDGER, "ledger_user") == (
        "Ledger user: must not be blank"
    )
    assert not next_enabled(w)
    type_into(qtbot, w.ledger_host_edit, "db example")
    assert visible_problem(w, WizardPageId.LEDGER, "ledger_host") == (
        "Ledger server host: must not contain spaces"
    )
    type_into(qtbot, w.ledger_host_edit, "db.example.ca:5432")
    assert visible_problem(w, WizardPageId.LEDGER, "ledger_host") == (
        "Ledger server host: must be letters, digits, “.”, “_” or “-”"
    )
    type_into(qtbot, w.ledger_database_edit, "x" * 64)
    assert visible_problem(w, WizardPageId.LEDGER, "ledger_database") == (
        "Ledger database: must be at most 63 characters"
    )
    assert w.ledger_database_edit.text() == "x" * 64  # kept as typed
    # TLS follows the host until the user picks a mode.
    type_into(qtbot, w.ledger_host_edit, "localhost")
    assert w.ledger_tls_combo.currentData() == "prefer"
    type_into(qtbot, w.ledger_host_edit, "db.example.ca")
    assert w.ledger_tls_combo.currentData() == "verify-full"
    assert visible_problem(w, WizardPageId.LEDGER, "ledger_host") == ""
    w.ledger_tls_combo.setFocus()
    qtbot.keyClick(w.ledger_tls_combo, Qt.Key.Key_Down)
    assert w.ledger_tls_combo.currentData() == "require"
    type_into(qtbot, w.ledger_host_edit, "127.0.0.1")
    assert w.ledger_tls_combo.currentData() == "require"  # chosen: kept
    type_into(qtbot, w.ledger_database_edit, "iotpay_ledger")
    type_into(qtbot, w.ledger_user_edit, "desk")
    w.ledger_password_edit.setText("tab\there")  # pasted: a key press cannot type it
    assert visible_problem(w, WizardPageId.LEDGER, "ledger_password") == (
        "Ledger password: must not contain control characters"
    )
    type_into(qtbot, w.ledger_password_edit, LEDGER_PW)
    assert not w.problems_for(w.pages[WizardPageId.LEDGER].fields)
    assert next_enabled(w)
    # Back on this computer: the server's fields are kept on the page, not checked.
    w.ledger_local.setFocus()
    qtbot.keyClick(w.ledger_local, Qt.Key.Key_Space)
    assert w.ledger_host_edit.text() == "127.0.0.1"
    assert w.ledger_location().is_local


def test_a_shared_ledger_is_saved_with_its_password_in_the_keychain_only(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    w, store = make(qtbot, hermetic_home)
    fill_valid(qtbot, w)
    w.back()
    choose_shared(qtbot, w)
    fill_server(
        qtbot,
        w,
        host="db.example.ca",
        port=6432,
        database="ledger",
        user="desk",
        password=LEDGER_PW,
    )
    w.show_ledger_password.setChecked(True)
    enter(qtbot, w.ledger_user_edit)
    assert w.currentId() == WizardPageId.SUMMARY
    assert not w.show_ledger_password.isChecked()  # hidden again once the page is left
    assert w.summary_values["ledger"].text() == (
        "PostgreSQL desk@db.example.ca:6432/ledger, TLS verify-full; password entered; "
        "it will be stored in the system keychain"
    )

    async def scenario() -> None:
        with qtbot.waitSignal(w.saved) as sig:
            w.button(QWizard.WizardButton.FinishButton).click()
            await until(lambda: sig.signal_triggered, what="saved")

    qloop.run(scenario())
    (profile,) = store.profiles()
    assert profile.ledger == LedgerLocation.postgresql(
        "db.example.ca", "ledger", "desk", port=6432, tls="verify-full"
    )
    assert MemoryKeyring.store[("iotpay-desk", f"{profile.id}/ledger-password")] == LEDGER_PW
    assert MemoryKeyring.store[("iotpay-desk", profile.id)] == KEY
    assert w.ledger_password_edit.text() == ""
    saved = json.loads(store.path.read_text("utf-8"))
    assert saved["profiles"][0]["ledger"] == {
        "kind": "postgresql",
        "host": "db.example.ca",
        "port": 6432,
        "database": "ledger",
        "user": "desk",
        "tls": "verify-full",
    }
    for f in files_under(hermetic_home):
        assert LEDGER_PW.encode() not in f.read_bytes(), f
    assert LEDGER_PW not in caplog.text
    assert LEDGER_PW not in repr(profile)


class RefusingLedgerPasswordKeyring(MemoryKeyring):
    """A keychain that takes the merchant key but refuses to store the ledger password."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if username.endswith("/ledger-password"):
            raise keyring.errors.PasswordSetError("refused")
        super().set_password(service, username, password)


def test_keychain_refusing_the_ledger_password_saves_nothing(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    w, store = make(qtbot, hermetic_home, backend=RefusingLedgerPasswordKeyring())
    fill_valid(qtbot, w)
    w.back()
    choose_shared(qtbot, w)
    fill_server(
        qtbot,
        w,
        host="db.example.ca",
        port=5432,
        database="ledger",
        user="desk",
        password=LEDGER_PW,
    )
    w.next()

    async def scenario() -> None:
        w.button(QWizard.WizardButton.FinishButton).click()
        await until(lambda: w.failure.isVisible(), what="the keychain message")
        await until(lambda: w.button(QWizard.WizardButton.FinishButton).isEnabled())

    qloop.run(scenario())
    text = w.failure_text.text()
    assert "did not store the ledger password" in text
    assert "Nothing was saved" in text
    assert w.ledger_password_edit.text() == LEDGER_PW  # nothing typed is lost
    assert not store.path.exists()
    assert MemoryKeyring.store == {}  # the merchant key stored first was taken back


def test_editing_back_to_this_computer_forgets_the_ledger_password(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    original = Profile.new(
        "Counter",
        Environment.TEST,
        "10000701",
        operators=["jack"],
        ledger=LedgerLocation.postgresql("db.example.ca", "ledger", "desk", tls="require"),
    )
    MemoryKeyring.store[("iotpay-desk", original.id)] = KEY
    MemoryKeyring.store[("iotpay-desk", f"{original.id}/ledger-password")] = LEDGER_PW
    w, store = make(qtbot, hermetic_home, profile=original)
    w.setStartId(WizardPageId.LEDGER)
    w.restart()
    assert w.currentId() == WizardPageId.LEDGER
    assert w.ledger_shared.isChecked()
    assert w.ledger_host_edit.text() == "db.example.ca"
    assert w.ledger_tls_combo.currentData() == "require"
    assert "Leave blank to keep" in w.ledger_password_edit.placeholderText()
    assert w.ledger_password_edit.text() == ""  # never read back onto the screen
    w.ledger_local.setFocus()
    qtbot.keyClick(w.ledger_local, Qt.Key.Key_Space)
    w.next()
    assert w.currentId() == WizardPageId.SUMMARY  # opened at the ledger: then the summary
    assert w.summary_values["ledger"].text() == "on this computer"

    async def scenario() -> None:
        with qtbot.waitSignal(w.saved) as sig:
            w.button(QWizard.WizardButton.FinishButton).click()
            await until(lambda: sig.signal_triggered, what="saved")

    qloop.run(scenario())
    assert store.get(original.id).ledger.is_local
    assert ("iotpay-desk", f"{original.id}/ledger-password") not in MemoryKeyring.store
    assert MemoryKeyring.store[("iotpay-desk", original.id)] == KEY


# -- Test connection, against the session's real PostgreSQL server --------------------------


@pytest.fixture(scope="module")
def ledger_server(postgres_server: PostgresServer) -> PostgresServer:
    """The session's server, where roles in ``ledger_pw`` must give their password."""
    hba = postgres_server.data / "pg_hba.conf"
    rule = "host all +ledger_pw 127.0.0.1/32 scram-sha-256\n"
    if rule not in hba.read_text():
        hba.write_text(rule + hba.read_text())
    with postgres_server.admin() as conn:
        conn.execute(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_pw')"
            " THEN CREATE ROLE ledger_pw NOLOGIN; END IF; END$$"
        )
        conn.execute("SELECT pg_reload_conf()")
    return postgres_server


@pytest.fixture
def ledger_db(ledger_server: PostgresServer, pg_url: str) -> tuple[str, str]:
    """An empty database and a role with a password that may create the ledger in it."""
    import psycopg

    db = pg_url.rsplit("/", 1)[1]
    role = f"w_{db}"
    with ledger_server.admin() as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{LEDGER_PW}' IN ROLE ledger_pw")
        conn.execute(f'GRANT ALL ON DATABASE "{db}" TO {role}')
    with psycopg.connect(
        host="127.0.0.1", port=ledger_server.port, user="postgres", dbname=db, autocommit=True
    ) as conn:
        conn.execute(f"GRANT CREATE, USAGE ON SCHEMA public TO {role}")
    return db, role


def test_test_connection_says_what_failed_or_what_it_found(
    qtbot: QtBot,
    qloop: QLoop,
    hermetic_home: Path,
    ledger_server: PostgresServer,
    ledger_db: tuple[str, str],
    unused_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    db, role = ledger_db
    port = ledger_server.port
    w, store = make(qtbot, hermetic_home)
    fill_valid(qtbot, w)
    w.back()
    choose_shared(qtbot, w)
    fill_server(qtbot, w, host="127.0.0.1", port=port, database=db, user=role, password="wrong")
    assert w.ledger_tls_combo.currentData() == "prefer"  # this computer: no certificate
    result = w.ledger_result

    async def test_with(**fields: object) -> str:
        for name, value in fields.items():
            edit = getattr(w, f"ledger_{name}_edit", None) or w.ledger_port_spin
            type_into(qtbot, edit, str(value))
        assert not result.isVisible()  # an edit clears the last result
        w.ledger_test_button.setFocus()
        qtbot.keyClick(w.ledger_test_button, Qt.Key.Key_Space)
        await until(
            lambda: result.property("ok") is not None and w.ledger_test_button.isEnabled(),
            within=15,
            what="the test's outcome",
        )
        return result.text()

    async def scenario() -> None:
        said = await test_with()
        assert said == (
            f"The server refused user “{role}”: the password is wrong or there is no such "
            "user (PostgreSQL does not say which). Check both."
        )
        assert result.property("ok") is False
        said = await test_with(password=LEDGER_PW, database="no_such_db")
        assert said == (
            "There is no database “no_such_db” on 127.0.0.1. Check its name, or ask the "
            "server's administrator to create it."
        )
        said = await test_with(database=db, port=unused_port)
        assert said == (
            f"127.0.0.1 refused the connection on port {unused_port}: no PostgreSQL server is "
            "listening there. Check the port, and that the server runs and accepts "
            "connections from this computer."
        )
        said = await test_with(host="no-such-host.invalid", port=port)
        assert said == (
            "The host “no-such-host.invalid” was not found. Check its name, or type its IP "
            "address instead."
        )
        # A malformed host is not even tried: the field says what is wrong.
        said = await test_with(host="127.0.0.1/ledger")
        assert said == "Correct the fields marked in red first; nothing was tried."
        assert visible_problem(w, WizardPageId.LEDGER, "ledger_host") == (
            "Ledger server host: must be letters, digits, “.”, “_” or “-”"
        )
        said = await test_with(host="127.0.0.1")
        major = ledger_server.version.split(".")[0]
        assert said.startswith(f"Connected: PostgreSQL {major}."), said
        assert said.endswith(f", ledger at revision {int(head())}")
        assert result.property("ok") is True

    qloop.run(scenario(), timeout=90)
    # Testing wrote nothing of the desk's own: no profile, no key, no password.
    assert not store.path.exists()
    assert MemoryKeyring.store == {}
    assert LEDGER_PW not in caplog.text


def test_test_connection_never_freezes_the_window(
    qtbot: QtBot, qloop: QLoop, hermetic_home: Path
) -> None:
    """A port that accepts and then says nothing: the window keeps answering for the whole
    wait, the button stays off, and the wait ends with what happened."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # connections are accepted by the system, never answered
    port = silent.getsockname()[1]
    w, _ = make(qtbot, hermetic_home)
    fill_valid(qtbot, w)
    w.back()
    choose_shared(qtbot, w)
    fill_server(qtbot, w, host="127.0.0.1", port=port, database="db", user="u", password="pw")
    gaps: list[float] = []

    async def scenario() -> None:
        qtbot.mouseClick(w.ledger_test_button, Qt.MouseButton.LeftButton)
        await until(lambda: not w.ledger_test_button.isEnabled(), what="the button off")
        assert "Connecting to u@127.0.0.1" in w.ledger_result.text()
        last = time.monotonic()
        while w.ledger_result.property("ok") is None:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    try:
        qloop.run(scenario(), timeout=30)
    finally:
        silent.close()
    assert sum(gaps) > 3  # it waited (the connection's time limit is 5 s) …
    assert max(gaps) < 0.5  # … and the event loop turned all along
    assert w.ledger_result.text() == (
        f"127.0.0.1 did not answer on port {port} in time. Check the host and the port, and "
        "that no firewall blocks them."
    )
    assert w.ledger_test_button.isEnabled()


def test_every_cause_of_a_failed_connection_reads_in_plain_words() -> None:
    from iotpay_desk.gui.errors import Kind, describe
    from iotpay_desk.ledger.connect import ConnectCode, LedgerConnectError, ServerTooOld
    from iotpay_desk.ledger.errors import LedgerTooNew, NotALedger

    where = {"host": "db.example.ca", "port": 6543, "database": "ledger", "user": "desk"}
    texts = {}
    for code in ConnectCode:
        if code is ConnectCode.SERVER_TOO_OLD:
            exc: Exception = ServerTooOld("old", version=120005, **where)  # type: ignore[arg-type]
        else:
            exc = LedgerConnectError(f"english for {code.value}", code=code, **where)  # type: ignore[arg-type]
        message = describe(exc)
        assert message.kind is Kind.USER, code
        assert "%" not in message.text, (code, message.text)
        texts[code] = message.text
    assert len(set(texts.values())) == len(ConnectCode)  # one text per cause
    assert texts[ConnectCode.SERVER_TOO_OLD] == (
        "db.example.ca runs PostgreSQL 12.5, too old for the ledger: it needs PostgreSQL 13 "
        "or newer."
    )
    assert "“desk”" in texts[ConnectCode.READ_ONLY]
    assert "“ledger”" in texts[ConnectCode.READ_ONLY]
    assert "port 6543" in texts[ConnectCode.TIMEOUT]
    assert "~/.postgresql/root.crt" in texts[ConnectCode.TLS_UNAVAILABLE]
    too_new = describe(LedgerTooNew("revision 0099"))
    assert too_new.kind is Kind.USER
    assert "newer version of the desk" in too_new.text
    named = describe(LedgerTooNew("revision 0099", needs="4.2.0"))
    assert named.kind is Kind.USER
    assert named.text.startswith("This ledger was brought up to date by IOTPay Desk 4.2.0, ")
    assert "Install version 4.2.0 or newer to use it; nothing was changed." in named.text
    foreign = describe(NotALedger(["orders", "customers"]))
    assert foreign.kind is Kind.USER
    assert "(orders, customers)" in foreign.text

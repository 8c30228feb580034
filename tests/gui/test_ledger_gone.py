"""The whole desk on a shared ledger whose server goes away (real PostgreSQL behind a TCP
relay that is cut and restored, real sandbox): look-ups still show IOTPay's answer, the
banner says which ledger cannot be reached since when, Refund/Void and the vault's money
buttons are off, and everything comes back by itself when the server does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from iotpay_desk.api import IotPayClient
from iotpay_desk.core.profiles import Environment, LedgerLocation, Profile
from iotpay_desk.gui.mainwindow import Page
from iotpay_desk.gui.vault import VaultPage
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from tests.gui.conftest import QLoop, message_boxes, until
from tests.gui.test_profiles_ui import DeskRun
from tests.plugins.tcpproxy import TcpProxy
from tests.plugins.tcpproxy import tcp_proxy as tcp_proxy
from tests.services.conftest import pay

pytestmark = pytest.mark.usefixtures("canadian_english")


def shared_desk(
    qtbot: QtBot, qloop: QLoop, root: Path, sandbox: SandboxServer, proxy: TcpProxy, db: str
) -> DeskRun:
    run = DeskRun(qtbot, qloop, root)
    store = run.store()
    profile = Profile.new(
        "Demo Café",
        Environment.CUSTOM,
        DEMO_MERCHANT.mch_id,
        operators=["jack"],
        custom_url=sandbox.url,
        ledger=LedgerLocation.postgresql(
            "127.0.0.1", db, "postgres", port=proxy.port, tls="disable"
        ),
    )
    store.add(profile)
    store.credentials.set_key(profile.id, DEMO_MERCHANT.key)
    store.credentials.set_ledger_password(profile.id, "trust-auth-ignores-it")
    return run


async def a_settled_payment(sandbox: SandboxServer, amount: int) -> str:
    async with httpx.AsyncClient(timeout=5.0, trust_env=False) as http:
        client = IotPayClient(sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http)
        order = await pay(client, amount)
    sandbox.settle()
    return order.pay_order_id


def look_up(qtbot: QtBot, run: DeskRun, text: str) -> None:
    orders = run.window.orders
    orders.query.setFocus()
    orders.query.selectAll()
    qtbot.keyClicks(orders.query, text)
    qtbot.keyClick(orders.query, Qt.Key.Key_Return)


def test_server_gone_at_start_look_ups_work_money_is_off_until_it_is_back(
    qtbot: QtBot,
    qloop: QLoop,
    tmp_path: Path,
    sandbox: SandboxServer,
    pg_url: str,
    tcp_proxy: Callable[[str, int], TcpProxy],
) -> None:
    url = make_url(pg_url)
    proxy = tcp_proxy(str(url.host), int(url.port or 5432))
    database = str(url.database)
    run = shared_desk(qtbot, qloop, tmp_path / "desk", sandbox, proxy, database)
    window = run.window
    orders = window.orders
    banner = window.ledger_banner
    vault = window.pages[Page.VAULT]
    assert isinstance(vault, VaultPage)

    async def scenario() -> None:
        pay_order_id = await a_settled_payment(sandbox, 5000)
        proxy.cut()
        await run.desk.start(window)
        await until(banner.isVisible, what="the ledger banner")
        text = banner.text.text()
        assert f"the shared ledger at 127.0.0.1/{database} cannot be reached." in text
        assert text.startswith("Since ")
        assert "Refunds, voids and charges are off" in text
        assert "Look-ups still work." in text
        assert run.desk.session is not None  # the desk works without its ledger
        assert run.desk.journal is None
        assert not list(run.paths.data_dir.rglob("*.sqlite3"))  # never a local file instead

        # A look-up shows IOTPay's answer; Refund and Void stay off, saying why.
        await until(orders.query.isEnabled)
        look_up(qtbot, run, pay_order_id)
        await until(lambda: orders.detail is not None, what="order detail")
        assert orders.detail is not None
        assert orders.detail.order.amount == 5000
        assert orders.values["amount"].text() == "$50.00"
        assert "what is left to refund is not known" in orders.advice.text()
        assert orders.values["refundable"].text() == "Not known (the ledger cannot be read)"
        assert not orders.refund_button.isEnabled()
        assert not orders.void_button.isEnabled()
        assert "ledger cannot be reached" in orders.refund_button.toolTip()
        assert not vault.purchase_button.isEnabled()
        assert not vault.wallet_button.isEnabled()
        assert "ledger cannot be reached" in vault.purchase_button.toolTip()

        # Try again while it is still away: the banner stays, nothing else happens.
        qtbot.mouseClick(banner.retry_button, Qt.MouseButton.LeftButton)
        await until(lambda: run.desk.session.watch.delay > 2.0, what="a try")  # type: ignore[union-attr]
        assert banner.isVisible()

        # The server is back: Try again opens the same ledger; money comes back on.
        proxy.restore()
        qtbot.mouseClick(banner.retry_button, Qt.MouseButton.LeftButton)
        await until(lambda: not banner.isVisible(), within=10, what="banner hidden")
        await until(orders.refund_button.isEnabled, within=10, what="Refund on again")
        assert orders.detail is not None
        assert not orders.detail.ledger_missing
        assert orders.refund_button.toolTip() == ""
        assert vault.purchase_button.isEnabled()
        assert [b.text() for b in message_boxes(window)] == []

    try:
        qloop.run(scenario())
    finally:
        run.close()


def test_server_gone_mid_session_shows_the_banner_and_hides_it_when_back(
    qtbot: QtBot,
    qloop: QLoop,
    tmp_path: Path,
    sandbox: SandboxServer,
    pg_url: str,
    tcp_proxy: Callable[[str, int], TcpProxy],
) -> None:
    url = make_url(pg_url)
    proxy = tcp_proxy(str(url.host), int(url.port or 5432))
    run = shared_desk(qtbot, qloop, tmp_path / "desk", sandbox, proxy, str(url.database))
    window = run.window
    orders = window.orders
    banner = window.ledger_banner

    async def scenario() -> None:
        pay_order_id = await a_settled_payment(sandbox, 3000)
        await run.desk.start(window)
        await until(orders.query.isEnabled)
        assert not banner.isVisible()
        look_up(qtbot, run, pay_order_id)
        await until(orders.refund_button.isEnabled, what="Refund on")
        books = window.transactions

        proxy.cut()
        look_up(qtbot, run, pay_order_id)  # the cashier looks again: IOTPay answers
        await until(banner.isVisible, what="the ledger banner")
        await until(
            lambda: orders.detail is not None and orders.detail.ledger_missing,
            what="IOTPay's answer without the ledger's part",
        )
        assert orders.values["amount"].text() == "$30.00"
        assert not orders.refund_button.isEnabled()
        assert "shared ledger at 127.0.0.1/" in banner.text.text()
        books.reload()  # the books say they cannot be read (no message box)
        await until(lambda: books.problem.isVisibleTo(books), what="the books' problem")
        assert books.problem.text().startswith("The books could not be read:")

        proxy.restore()  # tried again by itself (2 s, then doubling)
        await until(lambda: not banner.isVisible(), within=15, what="banner hidden")
        await until(orders.refund_button.isEnabled, within=10, what="Refund on again")
        # Back: the books are read again by themselves.
        await until(
            lambda: not books.problem.isVisibleTo(books) and bool(books.model.rows),
            within=10,
            what="the books again",
        )
        assert books.model.rows[0].pay_order_id == pay_order_id
        assert [b.text() for b in message_boxes(window)] == []

    try:
        qloop.run(scenario())
    finally:
        run.close()


def test_messages_say_what_was_sent_and_what_waits_for_the_ledger() -> None:
    from iotpay_desk.gui.errors import Kind, describe
    from iotpay_desk.journal.errors import AnswerNotRecorded, LedgerUnavailable
    from iotpay_desk.ledger.place import LedgerMismatch

    gone = LedgerUnavailable("ledger.example.ca/iotpay", "connection refused", shared=True)
    refused = describe(gone)
    assert refused.kind is Kind.USER
    assert refused.text.startswith("The shared ledger at ledger.example.ca/iotpay cannot be")
    assert "Nothing was sent" in refused.text
    assert "connection refused" not in refused.text  # the cause is for the log

    local = describe(LedgerUnavailable("/data/ledgers/sandbox-1.sqlite3"))
    assert "The ledger file /data/ledgers/sandbox-1.sqlite3 cannot be reached." in local.text

    sent = describe(AnswerNotRecorded("refund", "R2503151402001ABCD", gone))
    assert sent.kind is Kind.PENDING
    assert sent.text.startswith("Refund R2503151402001ABCD was sent to IOTPay")
    assert "Do not send it again" in sent.text
    assert "Nothing was sent" not in sent.text

    mixed = describe(LedgerMismatch("production", "sandbox"))
    assert mixed.kind is Kind.USER
    assert "(production)" in mixed.text
    assert "(sandbox)" in mixed.text


def test_a_refund_sent_just_before_the_server_went_away_is_told_and_resolved_later(
    qtbot: QtBot,
    qloop: QLoop,
    tmp_path: Path,
    sandbox: SandboxServer,
    pg_url: str,
    tcp_proxy: Callable[[str, int], TcpProxy],
) -> None:
    from iotpay_desk.journal import ActionState, DeskIdentity
    from iotpay_desk.ledger import LedgerJournal
    from iotpay_desk.ledger.connect import open_ledger
    from iotpay_desk.sandbox import FaultSpec
    from tests.services.conftest import returns_at_sandbox

    url = make_url(pg_url)
    proxy = tcp_proxy(str(url.host), int(url.port or 5432))
    run = shared_desk(qtbot, qloop, tmp_path / "desk", sandbox, proxy, str(url.database))
    window = run.window
    orders = window.orders
    banner = window.ledger_banner
    auditor = LedgerJournal(open_ledger(pg_url), desk=DeskIdentity.here("auditor"))

    async def scenario() -> None:
        pay_order_id = await a_settled_payment(sandbox, 4000)
        await run.desk.start(window)
        await until(orders.query.isEnabled)
        look_up(qtbot, run, pay_order_id)
        await until(orders.refund_button.isEnabled, what="Refund on")
        qtbot.mouseClick(orders.refund_button, Qt.MouseButton.LeftButton)
        dialog = orders.dialog
        assert dialog is not None
        await until(dialog.submit.isEnabled, what="draft ready")
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "15.00")
        sandbox.set_faults([FaultSpec("latency", "cc_refund", count=1, latency_ms=1500)])
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        # Its intent is in the ledger: the call is on its way to IOTPay. The server goes.
        await until(
            lambda: auditor.actions_for_target(DEMO_MERCHANT.mch_id, pay_order_id),
            what="the intent",
        )
        proxy.cut()
        await until(dialog.message.isVisible, within=10, what="what became of it")
        text = dialog.message.text()
        assert "was sent to IOTPay" in text
        assert "Do not send it again" in text
        [action] = auditor.actions_for_target(DEMO_MERCHANT.mch_id, pay_order_id)
        assert action.is_open  # nothing lost: the intent waits in the ledger
        assert banner.isVisible()

        # Sent again from the form while the ledger is away: refused, nothing sent.
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        await until(lambda: "Nothing was sent" in dialog.message.text(), what="refused")

        proxy.restore()
        await until(lambda: not banner.isVisible(), within=15, what="banner hidden")
        await until(
            lambda: auditor.get_action(action.id).state is ActionState.SUCCEEDED,
            within=15,
            what="resolved with cc_query",
        )
        returns = await returns_at_sandbox(sandbox.url, pay_order_id)
        assert [o["amount"] for o in returns] == [1500]  # sent once
        await until(lambda: orders.values["refundable"].text() == "$25.00", within=10)

    try:
        qloop.run(scenario())
    finally:
        run.close()
        auditor.close()

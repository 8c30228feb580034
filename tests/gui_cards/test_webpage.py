"""The hosted-page dialog in a real QtWebEngine, against the real sandbox over loopback."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from iotpay_desk.api import AddCardRequest, IotPayClient, IotPayRejected, QueryCardRequest
from iotpay_desk.gui.webpage import HostedPageDialog, PageState, shared_profile
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer

from .conftest import QLoop, until
from .pagedriver import PageDriver, future_mmyy

ROOT = Path(__file__).resolve().parents[2]


class ReturnCounter:
    """A loopback HTTP server standing where the return URL points: counts every hit."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"fetched")

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_port}/desk-return"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def return_counter() -> Iterator[ReturnCounter]:
    rc = ReturnCounter()
    yield rc
    rc.close()


async def add_card_page(url: str, card_id: str, return_url: str) -> str:
    async with IotPayClient(url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key) as client:
        redirect = await client.add_card(
            AddCardRequest(card_id=card_id, login_name="cashier1", return_url=return_url)
        )
    return redirect.redirect_url


async def bound_card_num(url: str, card_id: str) -> str | None:
    async with IotPayClient(url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key) as client:
        try:
            card = await client.query_card(QueryCardRequest(card_id=card_id))
        except IotPayRejected as exc:
            if not exc.is_not_found:
                raise
            return None
    return card.card_num


def open_dialog(url: str, prefix: str, **kw: object) -> tuple[HostedPageDialog, list[str]]:
    dialog = HostedPageDialog(url, prefix, **kw)  # type: ignore[arg-type]
    seen: list[str] = []
    dialog.ready.connect(lambda: seen.append("ready"))
    dialog.returned.connect(lambda u: seen.append(f"returned {u}"))
    dialog.cancelled.connect(lambda: seen.append("cancelled"))
    dialog.failed.connect(lambda t: seen.append("failed"))
    dialog.open()
    return dialog, seen


def test_the_card_is_typed_on_the_page_and_the_return_is_caught_not_fetched(
    qloop: QLoop, sandbox: SandboxServer, return_counter: ReturnCounter
) -> None:
    card_id = f"C{uuid.uuid4().hex[:12]}"
    return_url = f"{return_counter.base}?session=abc"

    async def scenario() -> None:
        url = await add_card_page(sandbox.url, card_id, return_url)
        dialog, seen = open_dialog(url, return_counter.base)
        assert dialog.isVisible()
        waiter = asyncio.ensure_future(dialog.wait())
        await until(lambda: dialog.state is PageState.READY, what="page ready")
        assert dialog.view is not None
        page = PageDriver(dialog.view)
        await page.wait_loaded()
        assert await page.text("submit") == "Save card"
        await page.fill("4242424242424242", future_mmyy(), "123", "Ada Lovelace")
        await page.click("submit")
        back = await asyncio.wait_for(waiter, 10)
        assert back is not None
        assert back.startswith(return_url + "&")
        assert dict(parse_qsl(urlsplit(back).query)) == {"session": "abc", "retCode": "SUCCESS"}
        assert seen == ["ready", f"returned {back}"]
        assert dialog.state is PageState.RETURNED
        await until(lambda: not dialog.isVisible(), what="the dialog closes")
        assert dialog.view is None, "the page is dropped once done"
        await asyncio.sleep(0.3)
        assert return_counter.hits == [], "the return URL must never be fetched"
        assert await bound_card_num(sandbox.url, card_id) == "424242******4242"
        # Closing again later changes nothing.
        dialog.reject()
        assert seen == ["ready", f"returned {back}"]

    qloop.run(scenario())


def test_cancel_mid_entry_binds_nothing(
    qloop: QLoop, sandbox: SandboxServer, return_counter: ReturnCounter
) -> None:
    card_id = f"C{uuid.uuid4().hex[:12]}"

    async def scenario() -> None:
        url = await add_card_page(sandbox.url, card_id, return_counter.base)
        dialog, seen = open_dialog(url, return_counter.base)
        waiter = asyncio.ensure_future(dialog.wait())
        await until(lambda: dialog.state is PageState.READY)
        assert dialog.view is not None
        page = PageDriver(dialog.view)
        await page.wait_loaded()
        await page.type("card-number", "4242424242424242")
        await page.wait_value("card-number", "4242 4242 4242 4242")
        QTest.keyClick(dialog.cancel_button, Qt.Key.Key_Space)
        assert await asyncio.wait_for(waiter, 5) is None
        assert seen == ["ready", "cancelled"]
        assert not dialog.isVisible()
        assert dialog.view is None
        assert await bound_card_num(sandbox.url, card_id) is None
        assert return_counter.hits == []

    qloop.run(scenario())


def test_the_card_number_field_has_the_focus_when_the_page_loads(
    qloop: QLoop, sandbox: SandboxServer, return_counter: ReturnCounter
) -> None:
    """The cashier types the card number straight away, without clicking the page."""

    async def scenario() -> None:
        url = await add_card_page(sandbox.url, f"C{uuid.uuid4().hex[:12]}", return_counter.base)
        dialog, _seen = open_dialog(url, return_counter.base)
        await until(lambda: dialog.state is PageState.READY)
        assert dialog.view is not None
        page = PageDriver(dialog.view)
        await page.wait_loaded()
        await page.wait_js(
            "document.activeElement && document.activeElement.id",
            lambda v: v == "card-number",
            what="the focused field",
        )
        assert dialog.view.hasFocus() or dialog.view.focusProxy().hasFocus()  # type: ignore[union-attr]
        QTest.keyClicks(page.proxy, "4242424242424242")  # no click anywhere first
        await page.wait_value("card-number", "4242 4242 4242 4242")
        dialog.reject()

    qloop.run(scenario())


def test_escape_cancels_and_enter_does_not_close(
    qloop: QLoop, sandbox: SandboxServer, return_counter: ReturnCounter
) -> None:
    async def scenario() -> None:
        url = await add_card_page(sandbox.url, f"C{uuid.uuid4().hex[:12]}", return_counter.base)
        dialog, seen = open_dialog(url, return_counter.base)
        await until(lambda: dialog.state is PageState.READY)
        QTest.keyClick(dialog, Qt.Key.Key_Return)
        await asyncio.sleep(0.05)
        assert dialog.isVisible()
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        await until(lambda: not dialog.isVisible())
        assert seen == ["ready", "cancelled"]
        assert await dialog.wait() is None

    qloop.run(scenario())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_stopped_server_says_so_and_retry_loads_the_page(
    qloop: QLoop, tmp_path: Path, return_counter: ReturnCounter
) -> None:
    port = free_port()
    db = tmp_path / "sandbox.sqlite3"
    first = SandboxServer([DEMO_MERCHANT], port=port, data_path=db)
    first.start_in_thread()
    second: SandboxServer | None = None
    card_id = f"C{uuid.uuid4().hex[:12]}"

    async def scenario() -> None:
        nonlocal second
        url = await add_card_page(first.url, card_id, return_counter.base)
        await asyncio.to_thread(first.stop_in_thread)
        dialog, seen = open_dialog(url, return_counter.base)
        await until(lambda: dialog.state is PageState.FAILED, what="the failure")
        assert dialog.stack.currentWidget() is dialog.error_panel
        assert "could not be loaded" in dialog.error_text.text()
        assert dialog.retry_button.isVisible()
        assert seen == ["failed"]
        # IOTPay is back (the same server, restarted with its data): Retry opens the page.
        second = SandboxServer([DEMO_MERCHANT], port=port, data_path=db)
        await asyncio.to_thread(second.start_in_thread)
        dialog.retry_button.click()
        await until(lambda: dialog.state is PageState.READY, what="the page after retry")
        assert dialog.view is not None
        assert dialog.stack.currentWidget() is dialog.view
        page = PageDriver(dialog.view)
        await page.wait_loaded()
        assert await page.text("submit") == "Save card"
        assert seen == ["failed", "ready"]
        dialog.reject()

    try:
        qloop.run(scenario())
    finally:
        if second is not None:
            second.stop_in_thread()


def test_an_unknown_page_key_shows_iotpay_s_answer_with_retry(
    qloop: QLoop, sandbox: SandboxServer, return_counter: ReturnCounter
) -> None:
    async def scenario() -> None:
        dialog, seen = open_dialog(f"{sandbox.url}/cc/addcard?key={'0' * 64}", return_counter.base)
        assert dialog.state is PageState.LOADING
        await until(lambda: dialog.state is PageState.FAILED, what="the failure")
        assert "error 404" in dialog.error_text.text()
        assert dialog.retry_button.isEnabled()
        assert seen == ["failed"]
        dialog.reject()

    qloop.run(scenario())


class Silent:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/cc/addcard?key={'1' * 64}"

    def close(self) -> None:
        self.sock.close()


def test_a_page_that_never_answers_times_out_with_retry(
    qloop: QLoop, return_counter: ReturnCounter
) -> None:
    silent = Silent()

    async def scenario() -> None:
        dialog, seen = open_dialog(silent.url, return_counter.base, load_timeout_ms=700)
        await until(lambda: dialog.state is PageState.FAILED, what="the time-out")
        assert "did not load within 1 s" in dialog.error_text.text()
        assert seen == ["failed"]
        dialog.retry_button.click()
        assert dialog.state is PageState.LOADING
        await until(lambda: dialog.state is PageState.FAILED, what="the second time-out")
        assert seen == ["failed", "failed"]
        dialog.reject()
        assert seen[-1] == "cancelled"

    try:
        qloop.run(scenario())
    finally:
        silent.close()


def test_script_errors_are_logged_without_card_numbers(
    qloop: QLoop, return_counter: ReturnCounter, caplog: pytest.LogCaptureFixture
) -> None:
    html = "<html><body><script>console.error('bad card 4242424242424242');</script></body></html>"
    url = "data:text/html," + quote(html)

    async def scenario() -> None:
        dialog, _ = open_dialog(url, return_counter.base)
        await until(lambda: dialog.state is PageState.READY)
        await until(lambda: "script error" in caplog.text, what="the console error in the log")
        dialog.reject()

    with caplog.at_level(logging.DEBUG, logger="iotpay_desk.gui.webpage"):
        qloop.run(scenario())
    assert "4242424242424242" not in caplog.text
    assert "424242******4242" in caplog.text


def test_the_profile_keeps_nothing_on_disk(qapp: object) -> None:
    from PySide6.QtWebEngineCore import QWebEngineProfile

    profile = shared_profile()
    assert profile is shared_profile()
    assert profile.isOffTheRecord()
    assert profile.httpCacheType() is QWebEngineProfile.HttpCacheType.MemoryHttpCache
    assert (
        profile.persistentCookiesPolicy()
        is QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
    )


def test_start_up_does_not_load_qtwebengine() -> None:
    """The main window with its Card vault page, and a hosted-page dialog not yet opened,
    leave QtWebEngine unloaded: it costs ~130 MB and starts only when a page is shown."""
    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from iotpay_desk.gui.mainwindow import MainWindow, Page\n"
        "from iotpay_desk.gui.webpage import HostedPageDialog\n"
        "w = MainWindow()\n"
        "w.show_page(Page.VAULT)\n"
        "w.show()\n"
        "app.processEvents()\n"
        "d = HostedPageDialog('http://127.0.0.1:9/cc/addcard?key=x', 'https://desk.invalid/r')\n"
        "print(sorted(m for m in sys.modules if 'WebEngine' in m))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"

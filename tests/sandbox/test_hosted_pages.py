"""The sandbox's hosted card pages: their HTML, and their behaviour in a real browser engine.

Pages are rendered by ``iotpay_desk.sandbox.hosted`` and driven in QtWebEngine
(offscreen) as a person would: mouse clicks on the fields, key presses on the view's
focus proxy, Tab to leave a field, a click on the submit button.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import PySide6.QtWebEngineWidgets  # noqa: F401  (before the QApplication exists)
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import (
    QWebEngineLoadingInfo,
    QWebEnginePage,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from iotpay_desk.api import (
    AddCardRequest,
    Card,
    IotPayClient,
    Order,
    OrderStatus,
    Outcome,
    PurchaseRequest,
    QueryCardRequest,
    QueryRequest,
    Redirect,
)
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, Merchant, SandboxServer
from iotpay_desk.sandbox.hosted import (
    ENDPOINTS,
    TEST_CARDS,
    format_amount,
    render_card_page,
    render_error_page,
)

SECURE_ID = "5f" * 32

# QtWebEngine's first start offscreen, with --disable-gpu, tries OpenGL and warns that
# it fell back to software rendering; harmless, and outside anything these tests own.
_QT_WEBENGINE_NOISE = pytest.mark.qt_log_ignore(
    r"QRhiGles2: Failed to create",
    r"Failed to create RHI for backend",
    r"GPUInfo not initialized",
)


def webengine_test(fn: Callable[..., None]) -> Callable[..., None]:
    """Mark a test that drives a real QtWebEngine page."""
    return pytest.mark.webengine(_QT_WEBENGINE_NOISE(fn))  # type: ignore[no-any-return]


NASTY_MERCHANT = "Tom & Jerry's <b>\"Cheese\"</b> <script>alert('x')</script> Shop"

# --------------------------------------------------------------------------- HTML parsing


class Doc(HTMLParser):
    """Elements with their attributes, and the text of every element that has an id."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, str] = {}
        self.title = ""
        self._open: list[tuple[str, str | None]] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.elements.append((tag, a))
        if tag not in self.VOID:
            self._open.append((tag, a.get("id")))
            if a.get("id"):
                self.text.setdefault(a["id"], "")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(tag in ("script", "style") for tag, _ in self._open):
            return
        for tag, ident in self._open:
            if tag == "title":
                self.title += data
            if ident:
                self.text[ident] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def by_id(self, ident: str) -> dict[str, str]:
        found = [a for _, a in self.elements if a.get("id") == ident]
        assert len(found) == 1, f"expected one element #{ident}, found {len(found)}"
        return found[0]

    def words(self, ident: str) -> str:
        return " ".join(self.text[ident].split())


def purchase_page(**overrides: Any) -> str:
    args: dict[str, Any] = {
        "secure_id": SECURE_ID,
        "merchant_name": "Maple Bakery",
        "amount_cents": 1234,
        "currency": "CAD",
        "expires_in_s": 3600,
    }
    args.update(overrides)
    return render_card_page("purchase", **args)


def addcard_page(**overrides: Any) -> str:
    args: dict[str, Any] = {
        "secure_id": SECURE_ID,
        "merchant_name": "Maple Bakery",
        "amount_cents": None,
        "currency": "CAD",
        "expires_in_s": 3600,
    }
    args.update(overrides)
    return render_card_page("addcard", **args)


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0.00 CAD"),
        (5, "$0.05 CAD"),
        (1234, "$12.34 CAD"),
        (100000, "$1,000.00 CAD"),
        (123456789, "$1,234,567.89 CAD"),
    ],
)
def test_amounts_are_formatted_from_cents(cents: int, text: str) -> None:
    assert format_amount(cents, "CAD") == text


def test_amounts_refuse_negatives_and_non_integers() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_amount(-1, "CAD")
    with pytest.raises(TypeError):
        format_amount(12.34, "CAD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_amount(True, "CAD")


def test_purchase_page_is_a_complete_accessible_document() -> None:
    page = purchase_page()
    assert page.startswith("<!DOCTYPE html>")
    doc = Doc(page)
    assert doc.find("html", lang="en")
    assert doc.find("meta", charset="utf-8")
    assert doc.find("meta", name="viewport")
    assert " ".join(doc.title.split()) == "Pay Maple Bakery \u2014 $12.34 CAD"
    assert doc.words("merchant") == "Maple Bakery"
    assert doc.words("amount") == "$12.34 CAD"
    assert doc.words("submit") == "Pay $12.34 CAD"

    inputs = doc.find("input")
    assert [i["id"] for i in inputs] == ["card-number", "card-expiry", "card-cvv", "card-holder"]
    labels = {a["for"]: doc.text.get(a["for"], "") for a in doc.find("label")}
    assert set(labels) == {i["id"] for i in inputs}, "every input has a <label for>"
    autocomplete = {i["id"]: i.get("autocomplete") for i in inputs}
    assert autocomplete == {
        "card-number": "cc-number",
        "card-expiry": "cc-exp",
        "card-cvv": "cc-csc",
        "card-holder": "cc-name",
    }
    for ident in ("card-number", "card-expiry", "card-cvv"):
        assert doc.by_id(ident)["inputmode"] == "numeric"
    for i in inputs:
        # No name attribute: a native submission could never put card data in a URL.
        assert "name" not in i
        # The field's message sits next to it and is announced.
        err = doc.by_id(i["aria-describedby"])
        assert err["aria-live"] == "polite"
    assert doc.by_id("form-alert")["role"] == "alert"
    assert doc.by_id("countdown")["role"] == "timer"
    assert doc.words("countdown") == "1:00:00"

    form = doc.by_id("card-form")
    assert form["data-endpoint"] == "/v3/cc_pfpurchase"
    assert form["data-secure-id"] == SECURE_ID
    assert form["data-expires-in"] == "3600"


def test_page_is_self_contained_and_locked_down() -> None:
    doc = Doc(purchase_page())
    for tag, attrs in doc.elements:
        assert "src" not in attrs, f"<{tag} src> would fetch something"
        if "href" in attrs:
            assert attrs["href"].startswith("data:"), f"<{tag} href={attrs['href']}>"
    (csp,) = doc.find("meta", http_equiv="Content-Security-Policy")
    policy = dict(
        [*part.split(" ", 1), ""][:2] for part in csp["content"].split("; ") if part.strip()
    )
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert policy["form-action"] == "'none'"
    nonce = policy["script-src"].removeprefix("'nonce-").removesuffix("'")
    assert len(nonce) >= 16
    assert [a.get("nonce") for a in doc.find("script")] == [nonce]
    assert [a.get("nonce") for a in doc.find("style")] == [nonce]
    assert doc.find("meta", name="referrer", content="no-referrer")
    # Each rendering gets its own nonce.
    assert Doc(purchase_page()).find("script")[0]["nonce"] != nonce


def test_page_lists_the_test_cards_in_small_print() -> None:
    doc = Doc(purchase_page())
    small_print = doc.words("testcards-title")
    assert small_print == "Sandbox test cards"
    page = purchase_page()
    for number, what in TEST_CARDS:
        assert f"<code>{number}</code> {what}" in page
    numbers = {n.replace(" ", "") for n, _ in TEST_CARDS}
    assert numbers == {
        "4242424242424242",
        "5555555555554444",
        "4000000000000002",
        "4000000000000077",
    }
    assert "past expiry date" in page
    assert "card expired" in page


def test_addcard_page_has_no_amount_and_posts_to_pfaddcard() -> None:
    doc = Doc(addcard_page(amount_cents=999))
    assert "amount" not in doc.text
    assert "$" not in doc.words("submit")
    assert doc.words("submit") == "Save card"
    assert doc.by_id("card-form")["data-endpoint"] == ENDPOINTS["addcard"] == "/v3/cc_pfaddcard"
    assert "Save a card" in doc.title


def test_dynamic_values_are_escaped() -> None:
    secure_id = "\"><img src=x onerror=alert(1)>'"
    page = purchase_page(merchant_name=NASTY_MERCHANT, secure_id=secure_id, currency="C<D")
    assert "<script>alert" not in page
    assert "<b>" not in page
    assert "<img" not in page
    doc = Doc(page)
    assert not doc.find("img")
    assert not doc.find("b")
    assert len(doc.find("script")) == 1
    assert doc.words("merchant") == " ".join(NASTY_MERCHANT.split())
    assert NASTY_MERCHANT in doc.title
    assert doc.by_id("card-form")["data-secure-id"] == secure_id
    assert doc.words("amount") == "$12.34 C<D"


def test_card_page_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="kind"):
        render_card_page(
            "refund",  # type: ignore[arg-type]
            secure_id=SECURE_ID,
            merchant_name="M",
            amount_cents=1,
            currency="CAD",
            expires_in_s=60,
        )
    with pytest.raises(ValueError, match="amount_cents"):
        purchase_page(amount_cents=None)


def test_error_page_is_escaped_and_plain() -> None:
    page = render_error_page("Unknown <key>", 'The key "x" & co. is not known.')
    doc = Doc(page)
    assert page.startswith("<!DOCTYPE html>")
    assert doc.find("html", lang="en")
    assert doc.title == "Unknown <key>"
    assert doc.words("error-title") == "Unknown <key>"
    assert doc.words("error-message") == 'The key "x" & co. is not known.'
    assert not doc.find("form")
    assert not doc.find("input")
    assert "<key>" not in page
    # Shown for used pages too: it must not claim that nothing was charged.
    assert "charged" not in doc.words("error-hint")


# --------------------------------------------------------------------------- the browser


class RequestLog(QWebEngineUrlRequestInterceptor):
    """Records every request the page makes; blocks any to ``blocked_host``."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str]] = []
        self.blocked_host: str | None = None

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl().toString()
        self.requests.append((bytes(info.requestMethod().data()).decode(), url))
        if self.blocked_host and urlsplit(url).hostname == self.blocked_host:
            info.block(True)

    def posts(self, path: str) -> list[str]:
        return [u for m, u in self.requests if m == "POST" and urlsplit(u).path == path]


class RecordingPage(QWebEnginePage):
    """Keeps console messages; records and refuses navigation to the merchant's return URL."""

    def __init__(self, parent: QWebEngineView) -> None:
        super().__init__(parent)
        self.console: list[tuple[QWebEnginePage.JavaScriptConsoleMessageLevel, str, str]] = []
        self.return_url: str | None = None
        self.returned: list[str] = []

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        self.console.append((level, message, f"{source}:{line}"))

    def is_return(self, url: str) -> bool:
        if self.return_url is None:
            return False
        want, got = urlsplit(self.return_url), urlsplit(url)
        return (got.scheme, got.netloc, got.path) == (want.scheme, want.netloc, want.path)

    def acceptNavigationRequest(
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        text = bytes(url.toEncoded().data()).decode() if isinstance(url, QUrl) else str(url)
        if self.is_return(text):
            self.returned.append(text)
            return False  # the desk reads the URL; it is never fetched
        return super().acceptNavigationRequest(url, nav_type, is_main_frame)

    def errors(self) -> list[tuple[str, str]]:
        level = QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel
        return [(m, where) for lv, m, where in self.console if lv == level]


class Browser:
    """A QWebEngineView driven as a person would, plus a way to read the page's state."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.view = QWebEngineView()
        self.page = RecordingPage(self.view)
        self.log = RequestLog()
        self.page.setUrlRequestInterceptor(self.log)
        self.view.setPage(self.page)
        self.view.resize(800, 900)
        self.view.show()

    def close(self) -> None:
        self.view.close()
        self.page.setUrlRequestInterceptor(None)  # type: ignore[arg-type]
        self.view.setPage(None)  # type: ignore[arg-type]
        self.page.deleteLater()
        self.view.deleteLater()
        self.log.deleteLater()
        # processEvents() alone leaves deferred deletes queued outside an event loop.
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()

    # ---- loading

    def load_html(self, source: str, base: str) -> None:
        with self.qtbot.waitSignal(self.page.loadFinished, timeout=15_000) as blocker:
            self.page.setHtml(source, QUrl(base))
        assert blocker.args == [True]
        self.wait_js("document.readyState", lambda v: v == "complete")

    def load(self, url: str, status: int = 200) -> None:
        """Load ``url`` and check its HTTP status (an error status still shows its page)."""
        done: list[QWebEngineLoadingInfo] = []
        finished = (
            QWebEngineLoadingInfo.LoadStatus.LoadSucceededStatus,
            QWebEngineLoadingInfo.LoadStatus.LoadFailedStatus,
        )

        def seen(info: QWebEngineLoadingInfo) -> None:
            if info.status() in finished:
                done.append(info)

        self.page.loadingChanged.connect(seen)
        try:
            self.page.load(QUrl(url))
            self.qtbot.waitUntil(lambda: bool(done), timeout=15_000)
        finally:
            self.page.loadingChanged.disconnect(seen)
        info = done[-1]
        if status == 200:
            assert info.status() == QWebEngineLoadingInfo.LoadStatus.LoadSucceededStatus, (
                f"{url} did not load: {info.errorString()}"
            )
        else:
            assert info.errorDomain() == QWebEngineLoadingInfo.ErrorDomain.HttpStatusCodeDomain
            assert info.errorCode() == status, f"{url}: HTTP {info.errorCode()}, not {status}"
        self.wait_js("document.readyState", lambda v: v == "complete")

    # ---- reading

    def js(self, expression: str) -> Any:
        """Evaluate a JavaScript expression in the page and return its value.

        The value travels as JSON: PySide6 turns JavaScript arrays and objects into "".
        """
        box: list[Any] = []
        self.page.runJavaScript(f"JSON.stringify(({expression}))", 0, box.append)
        self.qtbot.waitUntil(lambda: bool(box), timeout=5_000)
        return json.loads(box[0]) if isinstance(box[0], str) and box[0] else None

    def wait_js(
        self, script: str, ok: Callable[[Any], bool], timeout: float = 5.0, what: str = ""
    ) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(script)
            if ok(value):
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{what or script}: still {value!r} after {timeout} s")
            self.qtbot.wait(20)

    def value(self, ident: str) -> str:
        return str(self.js(f"document.getElementById({json.dumps(ident)}).value"))

    def text(self, ident: str) -> str:
        return str(self.js(f"document.getElementById({json.dumps(ident)}).textContent")).strip()

    def prop(self, ident: str, prop: str) -> Any:
        return self.js(f"document.getElementById({json.dumps(ident)}).{prop}")

    def wait_value(self, ident: str, expected: str) -> None:
        self.wait_js(
            f"document.getElementById({json.dumps(ident)}).value",
            lambda v: v == expected,
            what=f"#{ident}.value != {expected!r}",
        )

    def wait_text(self, ident: str, expected: str) -> None:
        self.wait_js(
            f"document.getElementById({json.dumps(ident)}).textContent.trim()",
            lambda v: v == expected,
            what=f"#{ident} text != {expected!r}",
        )

    # ---- acting

    def center(self, ident: str) -> QPoint:
        r = self.js(
            f"""(function () {{
                var el = document.getElementById({json.dumps(ident)});
                el.scrollIntoView({{block: "center"}});
                var r = el.getBoundingClientRect();
                return [r.left + r.width / 2, r.top + r.height / 2];
            }})()"""
        )
        zoom = self.page.zoomFactor()
        return QPoint(round(r[0] * zoom), round(r[1] * zoom))

    @property
    def proxy(self) -> QWidget:
        """The widget that receives the view's input events."""
        target = self.view.focusProxy()
        assert target is not None
        return target

    def click(self, ident: str) -> None:
        target = self.proxy
        pos = self.center(ident)
        QTest.mouseMove(target, pos)
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)

    def focus(self, ident: str) -> None:
        """Click into a field and wait until it has the focus."""
        self.click(ident)
        self.wait_js(
            "document.activeElement && document.activeElement.id",
            lambda v: v == ident,
            what=f"focus on #{ident}",
        )

    def keys(self, text: str) -> None:
        """Type into whatever has the focus."""
        QTest.keyClicks(self.proxy, text)

    def type(self, ident: str, text: str) -> None:
        self.focus(ident)
        self.keys(text)

    def key(self, key: Qt.Key) -> None:
        QTest.keyClick(self.proxy, key)

    def fill(self, number: str, expiry: str, cvv: str, holder: str) -> None:
        """Type the four fields as a person would and wait until the page shows them."""
        self.type("card-number", number)
        digits = number.replace(" ", "")
        self.wait_value(
            "card-number", " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
        )
        self.type("card-expiry", expiry)
        self.wait_value("card-expiry", f"{expiry[:2]}/{expiry[2:]}")
        self.type("card-cvv", cvv)
        self.wait_value("card-cvv", cvv)
        self.type("card-holder", holder)
        self.wait_value("card-holder", holder)

    def grab(self, path: str) -> None:
        self.qtbot.wait(300)
        assert self.view.grab().save(path)


@pytest.fixture
def open_browser(qtbot: QtBot) -> Iterator[Callable[[], Browser]]:
    """Open as many browser views as a test needs; each fails the test on console errors."""
    made: list[Browser] = []

    def make() -> Browser:
        made.append(Browser(qtbot))
        return made[-1]

    try:
        yield make
        for b in made:
            assert b.page.errors() == [], "JavaScript console errors"
    finally:
        for b in made:
            b.close()


@pytest.fixture
def browser(open_browser: Callable[[], Browser]) -> Browser:
    return open_browser()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def future_mmyy(years: int = 3) -> str:
    t = time.localtime()
    return f"{t.tm_mon:02d}{(t.tm_year + years) % 100:02d}"


def past_mmyy() -> str:
    t = time.localtime()
    year, month = (t.tm_year, t.tm_mon - 1) if t.tm_mon > 1 else (t.tm_year - 1, 12)
    return f"{month:02d}{year % 100:02d}"


def field_error(b: Browser, ident: str) -> str:
    return b.text(f"{ident}-error")


# --------------------------------------------------------------------------- page behaviour


@webengine_test
def test_card_number_is_grouped_in_fours_as_typed(browser: Browser) -> None:
    browser.load_html(purchase_page(), f"http://127.0.0.1:{closed_port()}/")
    browser.type("card-number", "4242424242424242")
    browser.wait_value("card-number", "4242 4242 4242 4242")
    assert browser.text("card-brand") == "Visa"
    # Letters and extra digits are ignored; at most 19 digits.
    browser.type("card-number", "ab12345")
    browser.wait_value("card-number", "4242 4242 4242 4242 123")
    for _ in range(7):
        browser.key(Qt.Key.Key_Backspace)
    browser.wait_value("card-number", "4242 4242 4242")
    browser.key(Qt.Key.Key_Backspace)
    browser.wait_value("card-number", "4242 4242 424")
    # Another brand, typed with spaces of its own.
    browser.js("document.getElementById('card-number').select()")
    browser.keys("5555 5555 5555 4444")
    browser.wait_value("card-number", "5555 5555 5555 4444")
    assert browser.text("card-brand") == "Mastercard"
    # Pasted with dashes and blanks (no length limit cuts it before it is cleaned).
    browser.js("document.getElementById('card-number').select()")
    clipboard = QApplication.clipboard()
    assert clipboard is not None
    clipboard.setText("  4000 - 0000 - 0000 - 0077  ")
    QTest.keyClick(browser.proxy, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    browser.wait_value("card-number", "4000 0000 0000 0077")
    browser.focus("card-expiry")
    clipboard.setText("12 / 31")
    QTest.keyClick(browser.proxy, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    browser.wait_value("card-expiry", "12/31")


@webengine_test
def test_expiry_is_typed_as_mm_slash_yy(browser: Browser) -> None:
    browser.load_html(purchase_page(), f"http://127.0.0.1:{closed_port()}/")
    browser.type("card-expiry", "12")
    browser.wait_value("card-expiry", "12/")
    browser.keys("30")
    browser.wait_value("card-expiry", "12/30")
    browser.keys("9")  # a fifth digit is ignored
    browser.wait_value("card-expiry", "12/30")
    # Backspace walks back over the slash instead of being stuck on it.
    for expected in ("12/3", "12/", "12", "1"):
        browser.key(Qt.Key.Key_Backspace)
        browser.wait_value("card-expiry", expected)
    browser.key(Qt.Key.Key_Backspace)
    browser.wait_value("card-expiry", "")
    # A single month digit above 1 is a month of its own.
    browser.keys("428")
    browser.wait_value("card-expiry", "04/28")
    # Only digits reach the CVV field.
    browser.type("card-cvv", "1a2b3")
    browser.wait_value("card-cvv", "123")


@webengine_test
def test_fields_are_checked_with_messages_next_to_them(browser: Browser) -> None:
    browser.load_html(purchase_page(), f"http://127.0.0.1:{closed_port()}/")
    browser.type("card-number", "4242424242424241")  # fails Luhn
    browser.key(Qt.Key.Key_Tab)
    browser.wait_text("card-number-error", "This card number is not valid. Check it and try again.")
    assert browser.prop("card-number", "getAttribute('aria-invalid')") == "true"
    # Correcting the number clears its message as the person types.
    browser.focus("card-number")
    browser.key(Qt.Key.Key_Backspace)
    browser.keys("2")
    browser.wait_text("card-number-error", "")
    assert browser.prop("card-number", "getAttribute('aria-invalid')") is None

    browser.type("card-expiry", past_mmyy())
    browser.key(Qt.Key.Key_Tab)
    browser.wait_text("card-expiry-error", "This card has expired.")
    browser.focus("card-expiry")
    for _ in range(5):
        browser.key(Qt.Key.Key_Backspace)
    browser.keys("1399")
    browser.wait_text("card-expiry-error", "Enter the expiry date as MM/YY.")

    browser.type("card-cvv", "12")
    browser.key(Qt.Key.Key_Tab)
    browser.wait_text("card-cvv-error", "The security code has 3 or 4 digits.")
    assert browser.log.posts(ENDPOINTS["purchase"]) == []


@webengine_test
def test_submit_with_errors_sends_nothing_and_focuses_the_first_bad_field(
    browser: Browser,
) -> None:
    browser.load_html(purchase_page(), f"http://127.0.0.1:{closed_port()}/")
    browser.type("card-number", "4242424242424242")
    browser.type("card-expiry", past_mmyy())
    browser.click("submit")
    browser.wait_text("card-expiry-error", "This card has expired.")
    browser.wait_js("document.activeElement.id", lambda v: v == "card-expiry")
    assert field_error(browser, "card-cvv") == "Enter the security code."
    assert field_error(browser, "card-holder") == "Enter the name on the card."
    assert field_error(browser, "card-number") == ""
    browser.qtbot.wait(200)
    assert browser.log.posts(ENDPOINTS["purchase"]) == []
    assert browser.prop("form-alert", "hidden") is True
    assert browser.prop("submit", "disabled") is False


@webengine_test
def test_no_answer_keeps_the_typing_except_the_cvv(browser: Browser) -> None:
    port = closed_port()
    browser.load_html(purchase_page(), f"http://127.0.0.1:{port}/")
    browser.fill("4242424242424242", future_mmyy(), "123", "Ada Lovelace")
    browser.click("submit")
    browser.wait_text("form-alert", "No answer from the payment server. Please try again.")
    assert browser.prop("form-alert", "hidden") is False
    assert browser.value("card-cvv") == ""
    assert browser.value("card-number") == "4242 4242 4242 4242"
    assert browser.value("card-holder") == "Ada Lovelace"
    assert browser.prop("submit", "disabled") is False
    assert browser.log.posts(ENDPOINTS["purchase"]) == [f"http://127.0.0.1:{port}/v3/cc_pfpurchase"]
    # Chromium reports the refused connection on the console; nothing else may appear.
    errors = browser.page.errors()
    assert all("ERR_CONNECTION_REFUSED" in m for m, _ in errors), errors
    browser.page.console.clear()


@webengine_test
def test_page_locks_itself_when_the_session_expires(browser: Browser) -> None:
    browser.load_html(purchase_page(expires_in_s=2), f"http://127.0.0.1:{closed_port()}/")
    assert browser.text("countdown") in ("0:02", "0:01")
    browser.type("card-number", "4242424242424242")
    browser.wait_text(
        "form-alert", "This page has expired. Go back to the merchant to start again."
    )
    assert browser.text("expiry-notice") == "This page has expired."
    assert browser.prop("submit", "disabled") is True
    for ident in ("card-number", "card-expiry", "card-cvv", "card-holder"):
        assert browser.prop(ident, "disabled") is True
    assert browser.value("card-number") == ""


# --------------------------------------------------------------------------- against the sandbox

RETURN_HOST = "shop.example.invalid"
RETURN_URL = f"https://{RETURN_HOST}/desk/return?till=3&lang=en"


class Desk:
    """The merchant's side: IOTPay's signed client talking to the real sandbox."""

    def __init__(self, sandbox: SandboxServer, merchant: Merchant = DEMO_MERCHANT) -> None:
        self.url = sandbox.url
        self.merchant = merchant
        self.notify_url = f"http://127.0.0.1:{closed_port()}/notify"

    def _call(self, method: str, req: Any) -> Any:
        async def go() -> Any:
            async with IotPayClient(self.url, self.merchant.mch_id, self.merchant.key) as client:
                return await getattr(client, method)(req)

        return asyncio.run(go())

    def purchase(self, amount: int = 1234, return_url: str = RETURN_URL) -> tuple[str, str]:
        """Start a hosted purchase; returns (mchOrderNo, the hosted page URL)."""
        order_no = f"HP{uuid.uuid4().hex[:20]}"
        redirect: Redirect = self._call(
            "purchase",
            PurchaseRequest(
                mch_order_no=order_no,
                mch_user_id="customer-7",
                amount=amount,
                login_name="cashier1",
                notify_url=self.notify_url,
                return_url=return_url,
                subject="Hosted page test",
            ),
        )
        assert redirect.redirect_url.startswith(f"{self.url}/cc/purchase?key=")
        return order_no, redirect.redirect_url

    def add_card(self, card_id: str, return_url: str) -> str:
        redirect: Redirect = self._call(
            "add_card",
            AddCardRequest(card_id=card_id, login_name="cashier1", return_url=return_url),
        )
        assert redirect.redirect_url.startswith(f"{self.url}/cc/addcard?key=")
        return redirect.redirect_url

    def query(self, order_no: str) -> Order:
        order: Order = self._call("query", QueryRequest(mch_order_no=order_no))
        return order

    def query_card(self, card_id: str) -> Card:
        card: Card = self._call("query_card", QueryCardRequest(card_id=card_id))
        return card


@pytest.fixture
def desk(sandbox: SandboxServer) -> Desk:
    return Desk(sandbox)


def open_hosted(browser: Browser, url: str, return_url: str = RETURN_URL) -> None:
    browser.page.return_url = return_url
    browser.log.blocked_host = urlsplit(return_url).hostname
    browser.load(url)


def wait_return(browser: Browser) -> dict[str, str]:
    """Wait for the page to send the person back to the merchant; the URL's query."""
    browser.qtbot.waitUntil(lambda: bool(browser.page.returned), timeout=10_000)
    assert len(browser.page.returned) == 1
    fetched = [u for _, u in browser.log.requests if urlsplit(u).hostname == RETURN_HOST]
    assert fetched == [], "the return URL must never be fetched"
    return dict(parse_qsl(urlsplit(browser.page.returned[0]).query, keep_blank_values=True))


def assert_stays(browser: Browser, ms: int = 300) -> None:
    browser.qtbot.wait(ms)
    assert browser.page.returned == []


@webengine_test
def test_hosted_purchase_approved(browser: Browser, desk: Desk) -> None:
    order_no, url = desk.purchase(amount=1234)
    open_hosted(browser, url)
    assert browser.text("merchant") == "Demo Café"
    assert browser.text("amount") == "$12.34 CAD"
    assert browser.text("submit") == "Pay $12.34 CAD"
    assert desk.query(order_no).status == OrderStatus.PENDING

    expiry = future_mmyy()
    browser.fill("4242424242424242", expiry, "123", "Ada Lovelace")
    browser.click("submit")
    back = wait_return(browser)

    # The merchant's own query is kept, IOTPay's parameters are appended.
    assert back == {
        "till": "3",
        "lang": "en",
        "retCode": "SUCCESS",
        "status": "2",
        "mchOrderNo": order_no,
    }
    assert browser.page.returned[0].startswith(RETURN_URL + "&")
    assert len(browser.log.posts("/v3/cc_pfpurchase")) == 1
    order = desk.query(order_no)
    assert order.outcome is Outcome.SUCCEEDED
    assert order.amount == 1234
    assert order.card_num == "424242******4242"
    assert order.card_type == "V"
    assert order.expiry_date == expiry


@webengine_test
def test_hosted_add_card_binds_the_card(browser: Browser, desk: Desk) -> None:
    card_id = f"card-{uuid.uuid4().hex[:12]}"
    return_url = f"https://{RETURN_HOST}/cards/done"
    url = desk.add_card(card_id, return_url)
    open_hosted(browser, url, return_url)
    assert browser.text("merchant") == "Demo Café"
    assert browser.text("submit") == "Save card"
    assert browser.js("document.getElementById('amount')") is None

    expiry = future_mmyy(years=4)
    browser.fill("5555555555554444", expiry, "987", "Grace Hopper")
    assert browser.text("card-brand") == "Mastercard"
    browser.click("submit")
    assert wait_return(browser) == {"retCode": "SUCCESS"}
    assert browser.page.returned[0] == return_url + "?retCode=SUCCESS"
    assert len(browser.log.posts("/v3/cc_pfaddcard")) == 1

    card = desk.query_card(card_id)
    assert card.card_num == "555555******4444"
    assert card.expiry_date == expiry
    assert card.holder == "Grace Hopper"
    assert card.brand == "M"


@webengine_test
def test_hosted_purchase_declined(browser: Browser, desk: Desk) -> None:
    order_no, url = desk.purchase(amount=500)
    open_hosted(browser, url)
    browser.fill("4000000000000002", future_mmyy(), "123", "Ada Lovelace")
    browser.click("submit")
    back = wait_return(browser)
    assert back["retCode"] == "FAIL"
    assert back["status"] == "9"
    assert back["retMsg"] == "card declined"
    assert back["mchOrderNo"] == order_no
    assert (back["till"], back["lang"]) == ("3", "en")
    order = desk.query(order_no)
    assert order.status == OrderStatus.FAILED
    assert order.outcome is Outcome.FAILED


@webengine_test
def test_hosted_purchase_pending_then_succeeds(browser: Browser, desk: Desk) -> None:
    order_no, url = desk.purchase(amount=2500)
    open_hosted(browser, url)
    browser.fill("4000000000000077", future_mmyy(), "123", "Ada Lovelace")
    browser.click("submit")
    back = wait_return(browser)
    assert (back["retCode"], back["status"], back["mchOrderNo"]) == ("SUCCESS", "0", order_no)
    # 5 sandbox seconds at the fixture's time scale of 60: well under a real second.
    deadline = time.monotonic() + 5
    while (order := desk.query(order_no)).status == OrderStatus.PENDING:
        assert time.monotonic() < deadline, "the pending card never resolved"
        time.sleep(0.05)
    assert order.outcome is Outcome.SUCCEEDED


@webengine_test
def test_expired_card_is_refused_on_the_page(browser: Browser, desk: Desk) -> None:
    order_no, url = desk.purchase()
    open_hosted(browser, url)
    browser.fill("4242424242424242", past_mmyy(), "123", "Ada Lovelace")
    browser.click("submit")
    browser.wait_text("card-expiry-error", "This card has expired.")
    assert_stays(browser)
    assert browser.log.posts("/v3/cc_pfpurchase") == []
    assert desk.query(order_no).status == OrderStatus.PENDING


@webengine_test
def test_server_refusal_is_shown_and_keeps_the_typing_except_the_cvv(
    browser: Browser, sandbox: SandboxServer, desk: Desk
) -> None:
    # Sandbox time 40 days ahead: a card that expires this month passes the page's own
    # check (the browser's clock) and is refused by the server's ("card expired").
    sandbox.advance(40 * 24 * 3600)
    order_no, url = desk.purchase()
    open_hosted(browser, url)
    this_month = future_mmyy(years=0)
    browser.fill("4242424242424242", this_month, "123", "Ada Lovelace")
    browser.click("submit")
    browser.wait_text("form-alert", "expiryDate: card expired")
    assert browser.text("card-expiry-error") == "Card expired."
    assert browser.value("card-cvv") == ""
    assert browser.value("card-number") == "4242 4242 4242 4242"
    assert browser.value("card-expiry") == f"{this_month[:2]}/{this_month[2:]}"
    assert browser.value("card-holder") == "Ada Lovelace"
    assert browser.prop("submit", "disabled") is False
    assert_stays(browser)
    assert desk.query(order_no).status == OrderStatus.PENDING

    # The person corrects the expiry, types the CVV again and pays on the same page.
    browser.focus("card-expiry")
    for _ in range(5):
        browser.key(Qt.Key.Key_Backspace)
    browser.keys(future_mmyy())
    browser.type("card-cvv", "321")
    browser.wait_value("card-cvv", "321")
    browser.click("submit")
    assert wait_return(browser)["retCode"] == "SUCCESS"
    assert desk.query(order_no).outcome is Outcome.SUCCEEDED


@webengine_test
def test_submit_is_disabled_while_posting(
    browser: Browser, sandbox: SandboxServer, desk: Desk
) -> None:
    order_no, url = desk.purchase()
    open_hosted(browser, url)
    browser.fill("4242424242424242", future_mmyy(), "123", "Ada Lovelace")
    sandbox.set_faults([FaultSpec(kind="latency", endpoint="cc_pfpurchase", latency_ms=1500)])
    browser.click("submit")
    browser.wait_js("document.getElementById('submit').disabled", lambda v: v is True)
    assert browser.text("submit") == "Processing payment\u2026"
    assert browser.prop("card-form", "getAttribute('aria-busy')") == "true"
    # A second click, and Enter in a field, while the first is on its way.
    browser.click("submit")
    browser.focus("card-holder")
    browser.key(Qt.Key.Key_Return)
    back = wait_return(browser)
    assert back["retCode"] == "SUCCESS"
    assert len(browser.log.posts("/v3/cc_pfpurchase")) == 1
    assert desk.query(order_no).outcome is Outcome.SUCCEEDED


@webengine_test
def test_second_tab_cannot_pay_again(open_browser: Callable[[], Browser], desk: Desk) -> None:
    order_no, url = desk.purchase(amount=1999)
    first, second = open_browser(), open_browser()
    open_hosted(first, url)
    open_hosted(second, url)
    first.fill("4242424242424242", future_mmyy(), "123", "Ada Lovelace")
    first.click("submit")
    assert wait_return(first)["status"] == "2"

    second.fill("5555555555554444", future_mmyy(), "456", "Ada Lovelace")
    second.click("submit")
    second.wait_text("form-alert", "secureId: this page was already used; start again")
    # The page is dead: locked, the card number and CVV gone.
    assert second.prop("submit", "disabled") is True
    assert second.prop("card-number", "disabled") is True
    assert second.value("card-number") == ""
    assert second.value("card-cvv") == ""
    assert_stays(second)
    order = desk.query(order_no)
    assert order.outcome is Outcome.SUCCEEDED
    assert order.card_num == "424242******4242"


@webengine_test
def test_page_whose_secure_id_expired_meanwhile_is_locked(
    browser: Browser, sandbox: SandboxServer, desk: Desk
) -> None:
    order_no, url = desk.purchase()
    open_hosted(browser, url)
    browser.fill("4242424242424242", future_mmyy(), "123", "Ada Lovelace")
    sandbox.advance(3601)  # a secureId lives an hour
    browser.click("submit")
    browser.wait_text("form-alert", "secureId: unknown or expired payment page; start again")
    assert browser.prop("submit", "disabled") is True
    assert_stays(browser)
    assert desk.query(order_no).status == OrderStatus.PENDING

    # Opening the link again gives the error page.
    browser.load(url, status=410)
    assert browser.js("document.querySelector('form')") is None
    assert "expired" in str(browser.js("document.body.innerText")).lower()


@webengine_test
@pytest.mark.parametrize(
    "path",
    [
        "/cc/purchase?key=" + "0" * 64,
        "/cc/addcard?key=" + "0" * 64,
        "/cc/purchase?key=not-a-key",
        "/cc/purchase",
    ],
)
def test_unknown_key_shows_an_error_page(
    browser: Browser, sandbox: SandboxServer, path: str
) -> None:
    browser.load(sandbox.url + path, status=404)
    assert browser.js("document.querySelector('form')") is None
    assert browser.js("document.querySelectorAll('input').length") == 0
    assert browser.js("document.documentElement.lang") == "en"
    assert browser.js("document.querySelector('h1').textContent.trim()")


@webengine_test
def test_key_of_the_other_kind_is_unknown(browser: Browser, desk: Desk) -> None:
    _, url = desk.purchase()
    browser.load(url.replace("/cc/purchase?", "/cc/addcard?"), status=404)
    assert browser.js("document.querySelector('form')") is None


@webengine_test
def test_merchant_name_is_shown_as_text(
    browser: Browser, sandbox_factory: Callable[..., SandboxServer]
) -> None:
    merchant = Merchant(
        mch_id="20000002",
        key="SANDBOX_TEST_KEY_not_secret_0002",
        name=NASTY_MERCHANT + " of the Greater Toronto Area and Surrounding Municipalities",
    )
    sandbox = sandbox_factory(merchants=[merchant])
    _, url = Desk(sandbox, merchant).purchase(amount=123456)
    open_hosted(browser, url)
    assert browser.text("merchant") == merchant.name
    assert browser.js("document.scripts.length") == 1
    assert browser.js("document.querySelectorAll('b, img').length") == 0
    assert browser.text("amount") == "$1,234.56 CAD"
    # Narrow window: nothing overflows sideways.
    browser.view.resize(380, 800)
    browser.wait_js("window.innerWidth", lambda w: w <= 380)
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")

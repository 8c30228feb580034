"""IOTPay's hosted card pages (add card, simple purchase) in an embedded web view.

QtWebEngine is heavy (about 130 MB in the desk's process and more in its helper
processes), so nothing here imports it at module level: the first
:class:`HostedPageDialog` loads it, and the desk starts without it.

Every hosted page shares one off-the-record profile: no disk cache, no persistent
cookies, no local storage on disk, so nothing a cashier types on a card page outlives
the run.

Memory: a card page's web page is deleted with its dialog, and its renderer process ends
with it. Once the last page has closed, one fresh page (never shown anything but
``about:blank``) is started for the next one, so that the next card page finds its
renderer process running and opens warm; a page is used for one card page only. After
:func:`set_idle_release`'s time with no page open (the desk's setting, 5 minutes by
default; 0 keeps them until the desk quits) that page and the profile are let go, and
with them every helper process Chromium can end. With the sandbox off (as root:
``QTWEBENGINE_DISABLE_SANDBOX``) that is all of them, since the desk then starts
QtWebEngine with ``--no-zygote``; with the sandbox on, Chromium's two zygote processes
(which start each sandboxed renderer) live as long as the desk.

The page's navigation to the desk's return URL (``RETURN_URL_BASE``, on the
``.invalid`` domain that never resolves) is caught before it happens, blocked (never
fetched) and handed to the desk as a hint; the desk then confirms with IOTPay.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import enum
import logging
import os
import sys
import time
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, final
from urllib.parse import urlsplit

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.api.redact import redact

if TYPE_CHECKING:
    from PySide6.QtWebEngineCore import QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView

__all__ = [
    "CARD_NUMBER_FOCUS_JS",
    "DEFAULT_IDLE_RELEASE_MS",
    "DEFAULT_LOAD_TIMEOUT_MS",
    "HostedPageDialog",
    "PageState",
    "release_card_pages",
    "set_idle_release",
    "shared_profile",
]

log = logging.getLogger(__name__)

#: A hosted page that has not finished loading after this long is reported with a retry.
DEFAULT_LOAD_TIMEOUT_MS = 20_000

#: How long the card pages' engine stays ready after the last page closed (the setting's
#: default); 0 keeps it until the desk quits.
DEFAULT_IDLE_RELEASE_MS = 5 * 60_000

#: The URL of the page kept ready for the next card page (nothing is fetched).
BLANK_URL = "about:blank"

#: Run on each loaded card page: the caret goes to the card number (IOTPay's field, or
#: the page's card-number input by its autocomplete hint), so the cashier types at once.
CARD_NUMBER_FOCUS_JS = """(function () {
  var el = document.getElementById("card-number")
    || document.querySelector('input[autocomplete="cc-number"]');
  if (el && !el.disabled && document.activeElement !== el) { el.focus(); }
  return !!el && document.activeElement === el;
})()"""

_engine: _CardPageEngine | None = None
_page_class: type[Any] | None = None
_release_after_ms = DEFAULT_IDLE_RELEASE_MS
#: Keep a blank page (and its renderer) ready between card pages. Off: in the full test
#: run a card page opened on a reused blank page lost the card number field's keyboard
#: focus; every card page gets a page of its own (about 150–220 ms to open, warm).
KEEP_A_PAGE_READY = False


def shared_profile() -> QWebEngineProfile:
    """The off-the-record profile of the card pages (made, and QtWebEngine loaded, on
    first use). Lives until the pages are let go after their idle time."""
    return _card_page_engine().profile()


def set_idle_release(ms: int) -> None:
    """Let the card pages' engine go ``ms`` after the last card page closed (0: keep it
    until the desk quits). Takes effect at once, an idle time under way included."""
    global _release_after_ms
    _release_after_ms = max(0, int(ms))
    if _engine is not None:
        _engine.set_release_after(_release_after_ms)


def release_card_pages() -> None:
    """Let the page kept ready and the profile go now, if no card page is open."""
    if _engine is not None:
        _engine.release()


def _card_page_engine() -> _CardPageEngine:
    global _engine
    if _engine is None:
        _engine = _CardPageEngine(QCoreApplication.instance(), _release_after_ms)
        # Also when the application is torn down without quitting first (a test run).
        atexit.register(_engine_at_exit)
    return _engine


def _engine_at_exit() -> None:
    if _engine is not None and shiboken6.isValid(_engine):
        _engine._quitting()


def _sandbox_disabled(environ: Mapping[str, str]) -> bool:
    """QtWebEngine runs without Chromium's sandbox (as Qt reads its environment)."""
    flags = environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    return bool(environ.get("QTWEBENGINE_DISABLE_SANDBOX")) or "--no-sandbox" in flags


def engine_switches(environ: MutableMapping[str, str]) -> bool:
    """Before QtWebEngine starts: without the sandbox, no zygote processes either (True
    when added). A zygote only serves to start sandboxed renderers fast; Chromium keeps
    it, and the one it forks renderers from, until the desk quits, where without it
    every helper process ends with the last page using it."""
    flags = environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    if not _sandbox_disabled(environ) or "--no-zygote" in flags:
        return False
    environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join([*flags, "--no-zygote"])
    return True


def _new_profile(parent: QObject | None) -> QWebEngineProfile:
    from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineSettings

    profile = QWebEngineProfile(parent)  # no storage name: off the record
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    profile.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
    )
    profile.setSpellCheckEnabled(False)
    s = profile.settings()
    attr = QWebEngineSettings.WebAttribute
    s.setAttribute(attr.JavascriptCanOpenWindows, False)
    s.setAttribute(attr.JavascriptCanAccessClipboard, False)
    s.setAttribute(attr.LocalContentCanAccessRemoteUrls, False)
    s.setAttribute(attr.LocalContentCanAccessFileUrls, False)
    s.setAttribute(attr.PluginsEnabled, False)
    s.setAttribute(attr.PdfViewerEnabled, False)
    s.setAttribute(attr.ScreenCaptureEnabled, False)
    s.setAttribute(attr.AutoLoadIconsForPage, False)
    return profile


@final
class _CardPageEngine(QObject):
    """What the card pages share, on the GUI thread: the profile, the page kept ready for
    the next card page, and the idle time after which both are let go.

    A page given out by :meth:`take_page` belongs to its card page (its view) and is
    deleted with it; the engine only counts it until it is destroyed.
    """

    def __init__(self, parent: QObject | None, release_after_ms: int) -> None:
        super().__init__(parent)
        self.setObjectName("card-page-engine")
        # The page kept ready is a child of this one, made before the profile: when the
        # engine goes with the application, its children go in that order, the page
        # first (Chromium wants no page left when its profile goes).
        self._pages = QObject(self)
        self._profile: QWebEngineProfile | None = None
        self._ready: Any = None  # the page kept ready (a HostedPage on about:blank)
        self._in_use = 0  # pages given out, not yet destroyed
        self._alive = 0  # every page of the profile not yet destroyed
        self._drop_profile = False  # let go once the last page is destroyed
        self._release_after_ms = release_after_ms
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setTimerType(Qt.TimerType.CoarseTimer)
        self._idle.timeout.connect(self.release)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._quitting)

    def profile(self) -> QWebEngineProfile:
        if self._profile is None:
            if engine_switches(os.environ):
                log.debug("web engine: without the sandbox, started without zygotes")
            self._profile = _new_profile(self)
        self._drop_profile = False
        return self._profile

    def _new_page(self, parent: QObject | None) -> Any:
        page = _hosted_page_class()(self.profile(), parent)
        self._alive += 1
        page.destroyed.connect(self._page_destroyed)
        return page

    def take_page(self, return_prefix: str, parent: QObject) -> Any:
        """A page for one card page, its renderer already running when one was kept
        ready; ``parent`` (its view) owns it from now on."""
        self._idle.stop()
        page, self._ready = self._ready, None
        if page is None:
            page = self._new_page(parent)
        else:
            page.setParent(parent)
        page.watch(return_prefix)
        self._in_use += 1
        page.destroyed.connect(self._page_in_use_destroyed)
        return page

    def _page_destroyed(self) -> None:
        self._alive -= 1
        if self._alive == 0 and self._drop_profile:
            self._let_profile_go()

    def _page_in_use_destroyed(self) -> None:
        self._in_use -= 1
        if self._in_use > 0:
            return
        # The last card page closed: one page ready for the next, until the idle time.
        if self._release_after_ms > 0:
            self._idle.start(self._release_after_ms)
        QTimer.singleShot(0, self, self._after_last_page)

    def _after_last_page(self) -> None:
        if self._in_use:
            return
        # What the closed page held in this process is free now: give the heap's free
        # pages back (without it each page left ~0.3 MiB more in the desk).
        _trim_heap()
        if not KEEP_A_PAGE_READY or self._ready is not None:
            return
        if self._release_after_ms > 0 and not self._idle.isActive():
            return  # let go meanwhile
        page = self._new_page(self._pages)
        page.renderProcessTerminated.connect(lambda *_: self._ready_renderer_ended(page))
        page.setUrl(QUrl(BLANK_URL))
        self._ready = page

    def _ready_renderer_ended(self, page: Any) -> None:
        """Chromium ended the ready page's renderer (it may retire an idle one, on
        memory pressure, say): another page is made ready in its place, once."""
        if page is not self._ready:
            return
        log.info("web engine: the page kept ready lost its renderer; another is made")
        self._ready = None
        page.deleteLater()
        QTimer.singleShot(0, self, self._after_last_page)

    def set_release_after(self, ms: int) -> None:
        self._release_after_ms = ms
        if ms == 0:
            self._idle.stop()
        elif self._in_use == 0 and (self._ready is not None or self._profile is not None):
            self._idle.start(ms)

    def release(self) -> None:
        """The page kept ready goes now, and the profile once no page of it is left
        (its renderer processes end with them). Nothing while a card page is open."""
        if self._in_use:
            return
        self._idle.stop()
        page, self._ready = self._ready, None
        if page is not None:
            page.deleteLater()
        if self._profile is None:
            return
        self._drop_profile = True
        if self._alive == 0:
            self._let_profile_go()
        log.info("card pages idle: their web engine memory is let go")

    def _quitting(self) -> None:
        """The page kept ready goes before QtWebEngine's profiles do, as the application
        quits (Chromium wants no page left then)."""
        page, self._ready = self._ready, None
        if page is not None and shiboken6.isValid(page):
            shiboken6.delete(page)

    def _let_profile_go(self) -> None:
        profile, self._profile = self._profile, None
        self._drop_profile = False
        if profile is not None:
            # What it held (caches, the network context) freed, the heap's free pages
            # go back to the system.
            profile.destroyed.connect(_trim_heap)
            profile.deleteLater()


def _trim_heap(*_args: object) -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``; on
    other systems nothing)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    t0 = time.perf_counter()
    trim(0)
    log.debug("heap trimmed in %.1f ms", (time.perf_counter() - t0) * 1000)


def _shown_url(url: str) -> str:
    """A URL for a log line: scheme, host and path only (the query carries the page key);
    for anything but http(s), the scheme alone."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"{parts.scheme}:…"
    return redact(f"{parts.scheme}://{parts.netloc}{parts.path}")


def _hosted_page_class() -> type[Any]:
    """The QWebEnginePage subclass, defined on first use (it needs QtWebEngine)."""
    global _page_class
    if _page_class is not None:
        return _page_class
    from PySide6.QtWebEngineCore import (
        QWebEnginePage,
        QWebEngineUrlRequestInfo,
        QWebEngineUrlRequestInterceptor,
    )

    class ReturnBlocker(QWebEngineUrlRequestInterceptor):
        """Second line of defence: no request to the return URL ever leaves the view."""

        def __init__(self, prefix: str, parent: QObject) -> None:
            super().__init__(parent)
            self.prefix = prefix

        def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
            url = bytes(info.requestUrl().toEncoded().data()).decode("ascii", "replace")
            if url.startswith(self.prefix):
                info.block(True)

    class HostedPage(QWebEnginePage):
        """Catches navigation to the return URL: blocks it and emits ``returned(url)``
        (GUI thread, once per page). JavaScript console errors go to the log, redacted.
        Made without a return URL (the page kept ready), it loads only about:blank."""

        returned = Signal(str)

        def __init__(self, profile: QWebEngineProfile, parent: QObject | None) -> None:
            super().__init__(profile, parent)
            self.prefix: str | None = None  # until :meth:`watch`: about:blank only
            self.caught: str | None = None
            self._blocker: ReturnBlocker | None = None

        def watch(self, prefix: str) -> None:
            """From now on, navigation to a URL starting with ``prefix`` is caught."""
            self.prefix = prefix
            self._blocker = ReturnBlocker(prefix, self)
            self.setUrlRequestInterceptor(self._blocker)

        def acceptNavigationRequest(
            self,
            url: QUrl | str,
            nav_type: QWebEnginePage.NavigationType,
            is_main_frame: bool,
        ) -> bool:
            text = (
                bytes(url.toEncoded().data()).decode("ascii", "replace")
                if isinstance(url, QUrl)
                else str(url)
            )
            if self.prefix is None:
                return text == BLANK_URL  # the page kept ready loads nothing else
            if text.startswith(self.prefix):
                if self.caught is None:
                    self.caught = text
                    log.info("hosted page returned to the desk (%s)", _shown_url(text))
                    # Emitted once this call has returned: the dialog may drop the page
                    # on it, which Chromium does not allow in the middle of a navigation.
                    QTimer.singleShot(0, self, lambda: self.returned.emit(text))
                return False  # read by the desk, never fetched
            return bool(super().acceptNavigationRequest(url, nav_type, is_main_frame))

        def javaScriptConsoleMessage(
            self,
            level: QWebEnginePage.JavaScriptConsoleMessageLevel,
            message: str,
            line: int,
            source: str,
        ) -> None:
            where = f"{_shown_url(source)}:{line}"
            if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
                log.warning("hosted page script error at %s: %s", where, redact(message))
            else:
                log.debug("hosted page console at %s: %s", where, redact(message))

    _page_class = HostedPage
    return HostedPage


class PageState(enum.Enum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"
    RETURNED = "returned"
    CANCELLED = "cancelled"


@final
class HostedPageDialog(QDialog):
    """One hosted page of IOTPay in a window-modal dialog. Open it with ``open()``.

    ``return_prefix`` is the start of the return URL given to IOTPay; navigation to any
    URL starting with it ends the dialog. Signals (GUI thread):

    - ``ready()`` — the page finished loading (each time, Retry included);
    - ``returned(str url)`` — the page sent the cashier back: the full return URL with
      IOTPay's unsigned hints; the dialog then closes (accepted), or, made with
      ``hold_on_return=True``, says "checking" and waits for :meth:`show_again` (the
      same page again, for another card after a decline) or :meth:`finish`;
    - ``cancelled()`` — closed before the page returned (Cancel, Esc, the window's close
      button); nothing came back;
    - ``failed(str)`` — the page could not be loaded (the text shown beside Retry).

    ``await dialog.wait()`` gives the return URL, or None when it was cancelled.
    """

    ready = Signal()
    returned = Signal(str)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(
        self,
        url: str,
        return_prefix: str,
        *,
        title: str = "",
        intro: str = "",
        load_timeout_ms: int = DEFAULT_LOAD_TIMEOUT_MS,
        hold_on_return: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if not return_prefix:
            raise ValueError("return_prefix must not be empty")
        self.setObjectName("hosted-page-dialog")
        self.setWindowTitle(title or self.tr("IOTPay secure page"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.url = url
        self.return_prefix = return_prefix
        self.state = PageState.LOADING
        self.return_url: str | None = None
        self.hold_on_return = hold_on_return
        self._future: asyncio.Future[str | None] | None = None
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.setInterval(load_timeout_ms)
        self._timeout.timeout.connect(self._timed_out)

        host = urlsplit(url).netloc or url
        self.intro = QLabel(self)
        self.intro.setObjectName("hosted-intro")
        self.intro.setWordWrap(True)
        self.intro.setText(
            intro
            or self.tr("The card details are typed on IOTPay's page; the desk never sees them.")
        )
        # What happened on the page before it was shown again (a declined card).
        self.notice = QLabel(self)
        self.notice.setObjectName("hosted-notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("QLabel#hosted-notice { font-weight: bold; }")
        self.notice.setVisible(False)
        self.origin = QLabel(self.tr("Page of %1").replace("%1", host), self)
        self.origin.setObjectName("hosted-origin")
        self.origin.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.progress = QProgressBar(self)
        self.progress.setObjectName("hosted-progress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(self.fontMetrics().height() // 2)

        # The view is made in _make_view (QtWebEngine loads there).
        self.view: QWebEngineView | None = None
        self.page: Any = None
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("hosted-stack")
        self.error_panel = QWidget(self)
        self.error_panel.setObjectName("hosted-error")
        self.error_text = QLabel(self.error_panel)
        self.error_text.setObjectName("hosted-error-text")
        self.error_text.setWordWrap(True)
        self.error_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("&Retry"), self.error_panel)
        self.retry_button.setObjectName("hosted-retry")
        self.retry_button.clicked.connect(self.retry)
        err = QVBoxLayout(self.error_panel)
        err.addStretch(1)
        err.addWidget(self.error_text)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.retry_button)
        row.addStretch(1)
        err.addLayout(row)
        err.addStretch(2)
        self.stack.addWidget(self.error_panel)
        self.held_panel = QLabel(self.tr("Checking the page's answer with IOTPay…"), self)
        self.held_panel.setObjectName("hosted-held")
        self.held_panel.setWordWrap(True)
        self.held_panel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.held_panel)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("hosted-cancel")
        self.cancel_button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.notice)
        layout.addWidget(self.origin)
        layout.addWidget(self.progress)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.buttons)
        fm = self.fontMetrics()
        self.resize(fm.averageCharWidth() * 90, fm.height() * 44)

    # ------------------------------------------------------------------ lifecycle

    def open(self) -> None:
        """Show the dialog (window-modal, without a nested event loop) and load the page."""
        if self.view is None:
            self._make_view()
            self._load()
        super().open()

    def _make_view(self) -> None:
        from PySide6.QtWebEngineWidgets import QWebEngineView

        view = QWebEngineView(self.stack)
        view.setObjectName("hosted-view")
        page = _card_page_engine().take_page(self.return_prefix, view)
        view.setPage(page)
        page.returned.connect(self._on_returned)
        page.loadStarted.connect(self._on_load_started)
        page.loadProgress.connect(self.progress.setValue)
        page.loadingChanged.connect(self._on_loading_changed)
        page.renderProcessTerminated.connect(self._on_render_gone)
        self.view, self.page = view, page
        self.stack.addWidget(view)

    def _load(self) -> None:
        assert self.view is not None
        self.state = PageState.LOADING
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.stack.setCurrentWidget(self.view)
        self._timeout.start()
        log.info("loading hosted page %s", _shown_url(self.url))
        self.view.setUrl(QUrl(self.url))

    def retry(self) -> None:
        """Load the page again (after a failure or a time-out)."""
        if self.state in (PageState.RETURNED, PageState.CANCELLED) or self.view is None:
            return
        self._load()

    async def wait(self) -> str | None:
        """The return URL once the page returned, or None if the dialog was cancelled."""
        if self.state is PageState.RETURNED:
            return self.return_url
        if self.state is PageState.CANCELLED:
            return None
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
        return await asyncio.shield(self._future)

    def _settle(self, value: str | None) -> None:
        fut = self._future
        if fut is not None and not fut.done():
            fut.set_result(value)

    # ------------------------------------------------------------------ page events

    def _on_load_started(self) -> None:
        if self.state is PageState.READY:
            # The page moved on by itself (a form post, a bank's page): watch it again.
            self.state = PageState.LOADING
            self.progress.setVisible(True)
            self._timeout.start()

    def _on_loading_changed(self, info: Any) -> None:
        from PySide6.QtWebEngineCore import QWebEngineLoadingInfo

        if self.state in (PageState.RETURNED, PageState.CANCELLED):
            return
        if self.page is not None and self.page.caught is not None:
            return  # the blocked return URL: the dialog ends on ``returned``
        status = info.status()
        done = QWebEngineLoadingInfo.LoadStatus
        if status == done.LoadSucceededStatus:
            self._timeout.stop()
            self.progress.setVisible(False)
            self.state = PageState.READY
            self.ready.emit()
            self._focus_card_number()
        elif status == done.LoadFailedStatus and self.state is PageState.LOADING:
            if info.errorDomain() == QWebEngineLoadingInfo.ErrorDomain.HttpStatusCodeDomain:
                title = self.page.title() if self.page is not None else ""
                text = self.tr("IOTPay could not show the page (error %1: %2).").replace(
                    "%1", str(info.errorCode())
                )
                text = text.replace("%2", title or self.tr("no reason given"))
            else:
                text = self.tr(
                    "The page could not be loaded. Check the internet connection, then retry."
                )
            self._fail(text)

    def _focus_card_number(self) -> None:
        """Keyboard focus to the page, and on the page to its card-number field."""
        if self.view is None or self.page is None:
            return
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.page.runJavaScript(CARD_NUMBER_FOCUS_JS)

    def _timed_out(self) -> None:
        if self.state is not PageState.LOADING:
            return
        seconds = max(1, round(self._timeout.interval() / 1000))
        if self.view is not None:
            self.view.stop()
        self._fail(
            self.tr("The page did not load within %1 s. Check the connection, then retry.").replace(
                "%1", str(seconds)
            )
        )

    def _on_render_gone(self, status: Any, code: int) -> None:
        if self.state in (PageState.RETURNED, PageState.CANCELLED):
            return
        log.warning("hosted page renderer ended (%s, code %d)", status, code)
        self._fail(self.tr("The page stopped working. Retry to open it again."))

    def _fail(self, text: str) -> None:
        self.state = PageState.FAILED
        self._timeout.stop()
        self.progress.setVisible(False)
        self.error_text.setText(text)
        self.stack.setCurrentWidget(self.error_panel)
        self.retry_button.setFocus(Qt.FocusReason.OtherFocusReason)
        log.info("hosted page %s: not loaded", _shown_url(self.url))
        self.failed.emit(text)

    def _on_returned(self, url: str) -> None:
        if self.state in (PageState.RETURNED, PageState.CANCELLED):
            return
        self.state = PageState.RETURNED
        self.return_url = url
        self._timeout.stop()
        self.returned.emit(url)
        self._settle(url)
        if not self.hold_on_return:
            self.accept()
            return
        self.progress.setRange(0, 0)  # busy until the caller decides
        self.progress.setVisible(True)
        self.stack.setCurrentWidget(self.held_panel)

    def show_again(self, notice: str) -> bool:
        """After a held return: load the same page again with ``notice`` above it (a card
        was declined and IOTPay lets the page be retried until it expires). False when
        the dialog is already closed. :meth:`wait` then waits for this new round."""
        if self.state is not PageState.RETURNED or self.view is None or self.page is None:
            return False
        self.return_url = None
        self._future = None
        self.page.caught = None
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.progress.setRange(0, 100)
        self._load()
        return True

    def finish(self) -> None:
        """After a held return: close the dialog (accepted)."""
        if self.state is PageState.RETURNED and self.isVisible():
            self.accept()

    # ------------------------------------------------------------------ closing

    def done(self, result: int) -> None:
        if self.state not in (PageState.RETURNED, PageState.CANCELLED):
            self.state = PageState.CANCELLED
            self._timeout.stop()
            log.info("hosted page %s: closed before it returned", _shown_url(self.url))
            self.cancelled.emit()
            self._settle(None)
        self._release_view()
        super().done(result)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter belongs to the page's form; only Esc (reject) is the dialog's.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _release_view(self) -> None:
        """Drop the page and whatever was typed on it (the card fields go with it)."""
        view, page = self.view, self.page
        if view is None:
            return
        self.view = None
        self.page = None
        try:
            page.returned.disconnect(self._on_returned)
            page.loadingChanged.disconnect(self._on_loading_changed)
        except (RuntimeError, TypeError):
            pass
        view.stop()
        view.hide()
        page.setUrlRequestInterceptor(None)
        page.deleteLater()
        view.deleteLater()

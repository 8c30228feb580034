"""Start the desk: QApplication, the qasync loop, translators, the main window.

``iotpay-desk`` opens the desk on the active profile. ``iotpay-desk --sandbox`` first starts
the local IOTPay sandbox in a thread of its own (on a free loopback port, with the demo
merchant), creates or reuses the "Sandbox" profile with its key in the keychain, and opens
the desk on it. ``--smoke`` starts, shows the window, prints ``iotpay-desk ready`` and exits
0. ``--pseudo`` (or ``IOTPAY_DESK_PSEUDO=1``) shows every text lengthened, to find clipped
layouts.

Start-up never loads QtWebEngine: the card pages create their web view when first needed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from iotpay_desk.api import (
    CannotConnect,
    IotPayError,
    IotPayRejected,
    OutcomeUnknown,
    QueryRequest,
)
from iotpay_desk.core.atomic import CorruptFileError
from iotpay_desk.core.credentials import CredentialStore, KeychainError, KeychainStatus
from iotpay_desk.core.logging_setup import set_log_level
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import Profile, ProfileNotFound, ProfileStore, ProfileStoreError
from iotpay_desk.core.settings import (
    CONFIRM_ABOVE_THRESHOLD,
    DESK_NAME,
    LOG_LEVEL,
    THEME,
    Settings,
)
from iotpay_desk.gui.diagnostics import ErrorReporter
from iotpay_desk.gui.errors import UserMessage, describe, show_message
from iotpay_desk.gui.gcollect import GuiThreadCollector
from iotpay_desk.gui.mainwindow import MainWindow, Page
from iotpay_desk.gui.statusbar import ConnectionState
from iotpay_desk.gui.theme import apply_theme
from iotpay_desk.journal import DeskIdentity, JournalError, Ledger, VaultCard
from iotpay_desk.start import READY, SHOWN, Started, parse_args

if TYPE_CHECKING:
    # Imported when first needed, after the window's first frame (see :func:`_run`): the
    # ledger (SQLAlchemy, Alembic, psycopg), the HTTP client (httpx), qasync.
    import httpx

    from iotpay_desk.api import IotPayClient
    from iotpay_desk.gui.profile_wizard import ProfileWizard
    from iotpay_desk.gui.profiles_page import ProfilesDialog
    from iotpay_desk.ledger import LedgerJournal
    from iotpay_desk.sandbox import SandboxServer
    from iotpay_desk.services import CardService, MoneyService
    from iotpay_desk.services.ledgerwatch import LedgerState
    from iotpay_desk.services.session import DeskSession

__all__ = ["READY", "SHOWN", "main", "parse_args", "run_started"]

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- connection


async def probe_connection(client: IotPayClient) -> ConnectionState:
    """Ask IOTPay about an order that cannot exist: any answer means it is reachable."""
    probe = QueryRequest(mch_order_no=f"desk-check-{secrets.token_hex(6)}")
    try:
        await client.query(probe)
    except IotPayRejected:
        return ConnectionState.CONNECTED
    except (CannotConnect, OutcomeUnknown) as exc:
        log.info("connection check: %s", type(exc).__name__)
        return ConnectionState.UNREACHABLE
    return ConnectionState.CONNECTED


# --------------------------------------------------------------------------- the desk


@dataclass
class Desk:
    """Everything one run of the desk owns, created in :meth:`start` and released in
    :meth:`close`: the profile store, the keychain, the shared HTTP client, the sandbox."""

    args: argparse.Namespace
    paths: AppPaths
    settings: Settings
    credentials: CredentialStore = field(default_factory=CredentialStore)
    profiles: ProfileStore | None = None
    http: list[httpx.AsyncClient] | None = None
    client: IotPayClient | None = None
    sandbox: SandboxServer | None = None
    window: MainWindow | None = None
    session: DeskSession | None = None
    demo_key: str | None = None
    wizard: ProfileWizard | None = None
    profiles_dialog: ProfilesDialog | None = None
    # Bumped when a profile's services are let go: their late callbacks are then ignored.
    generation: int = 0
    switching: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: set[asyncio.Future[Any]] = field(default_factory=set)

    @property
    def money(self) -> MoneyService | None:
        """The active profile's money service (None: no profile at work)."""
        return self.session.money if self.session is not None else None

    @property
    def cards(self) -> CardService | None:
        return self.session.cards if self.session is not None else None

    @property
    def journal(self) -> Ledger | None:
        """The active profile's ledger (None while it could not be opened)."""
        return self.session.slot.ledger if self.session is not None else None

    async def start(self, window: MainWindow) -> None:
        """Everything slow, after the window is on screen: keychain, sandbox, profile."""
        self.window = window
        window.keychain_available.connect(self._keychain_back)
        window.ledger_banner.retry_requested.connect(self._retry_ledger)
        window.profiles_requested.connect(self.open_profiles)
        status = await asyncio.to_thread(self.credentials.status)
        window.set_keychain_status(status)
        self.profiles = ProfileStore(self.paths.config_dir, self.credentials, self.paths.data_dir)
        try:
            await asyncio.to_thread(self.profiles.load)
        except (CorruptFileError, ProfileStoreError) as exc:
            self._tell(describe(exc))
        profile: Profile | None
        if self.args.sandbox:
            profile = await self._start_sandbox()
        else:
            profile = self.profiles.active()
        window.set_profile(profile)
        if profile is not None:
            await self._connect(profile)
        elif not self.args.sandbox:
            if self.profiles.profiles():
                self.open_profiles()  # profiles exist, none is active: pick one
            else:
                self.open_wizard(first_run=True)

    # -- profiles: first run, the Profiles window, switching --------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        task.add_done_callback(_log_failure)

    def open_wizard(self, *, first_run: bool = False) -> None:
        """The profile wizard (first run: with "Try the sandbox instead")."""
        window, store = self.window, self.profiles
        if window is None or store is None:
            return
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            return
        from iotpay_desk.gui.profile_wizard import ProfileWizard

        wizard = ProfileWizard(store, self.credentials, offer_sandbox=first_run, parent=window)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        wizard.saved.connect(lambda p: self._spawn(self.switch_profile(p.id)))
        wizard.sandbox_requested.connect(lambda: self._spawn(self.open_sandbox()))
        wizard.destroyed.connect(lambda *_: setattr(self, "wizard", None))
        self.wizard = wizard
        wizard.open()

    def open_profiles(self) -> None:
        """File ▸ Profiles…: list, add, edit, remove, switch."""
        window, store = self.window, self.profiles
        if window is None or store is None:
            return
        if self.profiles_dialog is not None and self.profiles_dialog.isVisible():
            self.profiles_dialog.raise_()
            self.profiles_dialog.activateWindow()
            return
        from iotpay_desk.gui.profiles_page import ProfilesDialog

        dialog = ProfilesDialog(store, self.credentials, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.page.switch_requested.connect(lambda pid: self._spawn(self.switch_profile(pid)))
        dialog.destroyed.connect(lambda *_: setattr(self, "profiles_dialog", None))
        self.profiles_dialog = dialog
        dialog.open()

    async def open_sandbox(self) -> None:
        """First run, "Try the sandbox instead": as ``--sandbox`` would have started."""
        async with self.switching:
            await self._disconnect()
            profile = await self._start_sandbox()
            if self.window is not None:
                self.window.set_profile(profile)
            if profile is not None:
                await self._connect(profile)

    async def switch_profile(self, profile_id: str) -> None:
        """Work on another profile (or again on the active one, after it was edited).

        The old profile's services are let go first: the window's pages forget its data,
        refunds, voids and charges in flight are waited for (never cancelled), its journal
        and client are closed. Then the new profile is made active and connected with its
        own key and its own journal. ``""`` leaves the desk with no profile.
        """
        store, window = self.profiles, self.window
        if store is None or window is None:
            return
        async with self.switching:
            profile: Profile | None = None
            if profile_id:
                try:
                    profile = store.get(profile_id)
                except ProfileNotFound as exc:
                    self._tell(describe(exc))
                    return
            await self._disconnect()
            if profile is not None and store.active_id != profile.id:
                try:
                    await asyncio.to_thread(store.set_active, profile.id)
                except ProfileStoreError as exc:
                    self._tell(describe(exc))
            window.set_profile(profile)
            if self.profiles_dialog is not None:
                self.profiles_dialog.page.reload()
            if profile is not None:
                await self._connect(profile)
            log.info("switched to profile %s", profile.id if profile else "-")

    async def _disconnect(self) -> None:
        """Let go of the current profile's services; see :meth:`switch_profile`."""
        self.generation += 1
        window = self.window
        if window is not None:
            window.forget_profile_data()
            # The old profile's changes no longer reach the pages.
            window.set_event_hub(None)
            window.set_connection_check(None)
            for dialog in window.findChildren(QDialog):
                # The old profile's refund, charge … windows: closed, their work (if any
                # is in flight) finishes below.
                if dialog.isVisible() and dialog not in (self.profiles_dialog, self.wizard):
                    dialog.reject()
        if self.session is not None:
            # Its background checks stop; refunds, voids, charges and card checks in
            # flight finish (never cancelled); its leases go to other desks; the ledger
            # closes.
            session, self.session = self.session, None
            await session.close()
        if self.client is not None:
            await self.client.aclose()  # the shared HTTP client stays open
            self.client = None

    async def _start_sandbox(self) -> Profile | None:
        # Imported here: Starlette and uvicorn are only needed with --sandbox.
        from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer

        db = self.paths.data_dir / "sandbox" / "sandbox.sqlite3"
        db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        server = SandboxServer([DEMO_MERCHANT], data_path=db, time_scale=self.args.time_scale)
        url: str = await asyncio.to_thread(server.start_in_thread)
        self.sandbox = server
        log.info("sandbox listening on %s", url)
        assert self.profiles is not None
        store = self.profiles
        try:
            return await asyncio.to_thread(
                store.ensure_sandbox_profile, url, DEMO_MERCHANT.mch_id, key=DEMO_MERCHANT.key
            )
        except KeychainError as exc:
            # The profile was saved; only its key is missing. The banner says why. The
            # demo merchant's key is published (README, docs/sandbox.md) and is no secret,
            # so the sandbox session keeps it in memory and the desk stays usable.
            if self.window is not None:
                self.window.set_keychain_status(exc.status)
            self.demo_key = DEMO_MERCHANT.key
            return store.active()

    async def _connect(self, profile: Profile) -> None:
        window = self.window
        assert window is not None
        if profile.base_url is None:
            return
        key: str | None
        failure: KeychainStatus | None = None
        try:
            key = await asyncio.to_thread(self.credentials.get_key, profile.id)
        except KeychainError as exc:
            failure = exc.status
            key = None
        demo = key is None and profile.is_sandbox and self.demo_key is not None
        if demo:
            log.info("no keychain: the sandbox session uses the published demo key")
            key = self.demo_key
        if failure is not None:
            # The banner says what is true: on the sandbox the demo key in memory works and
            # only saving keys is impossible; on any other profile nothing can be sent.
            window.set_keychain_status(failure, demo_key=demo)
        elif window.banner.status is not None:
            window.set_keychain_status(window.banner.status, demo_key=False)
        if key is None:
            log.warning("profile %s has no merchant key in the keychain", profile.id)
            return
        # httpx and its certificates are loaded in a worker thread: the window keeps
        # answering meanwhile (first connection only; later ones reuse them).
        await asyncio.to_thread(importlib.import_module, "iotpay_desk.api.client")
        from iotpay_desk.api import IotPayClient, default_http_pools

        self.http = self.http or await asyncio.to_thread(default_http_pools)
        self.client = IotPayClient(profile.base_url, profile.mch_id, key, http=self.http)
        client = self.client
        window.set_connection_check(lambda: probe_connection(client))
        await window.check_connection()
        await self._start_money(profile, client)

    async def _start_money(self, profile: Profile, client: IotPayClient) -> None:
        window = self.window
        assert window is not None
        operator = profile.login_name
        if operator is None:
            log.warning(
                "profile %s has no operator login; look-ups and refunds are off", profile.id
            )
            return
        generation = self.generation
        # The ledger's modules (SQLAlchemy, Alembic, psycopg) are imported in a worker
        # thread, as the ledger itself is opened in one.
        for module in ("iotpay_desk.ledger.engine", "iotpay_desk.ledger.feed"):
            await asyncio.to_thread(importlib.import_module, module)
        from iotpay_desk.ledger.engine import ping_ledger, unreachable_as_unavailable
        from iotpay_desk.ledger.feed import LedgerFeed
        from iotpay_desk.services.session import DeskSession, SessionSettings

        def found(cards: list[VaultCard]) -> None:
            if self.generation == generation:
                window.cards_found(cards)

        settings = SessionSettings(
            operator=operator,
            cutoff=time.fromisoformat(profile.cutoff),
            tz=ZoneInfo(profile.timezone),
            notify_url=profile.notify_url,
            not_received_after=profile.unconfirmed_hours * 3600.0,
            repeat_charge_within=profile.repeat_charge_hours * 3600.0,
            direct_add_enabled=profile.direct_add_enabled,
        )

        def open_ledger() -> LedgerJournal:
            # At each try (a worker thread): the keychain may have been unlocked meanwhile.
            return self._ledger_opener(profile)()

        def ledger_changed(state: LedgerState) -> None:
            if self.generation == generation:
                window.set_ledger_state(state)

        location = profile.ledger
        where = f"{location.host}/{location.database}" if location.is_shared else ""
        # Never a fall-back to another ledger: when it cannot be opened (or goes away),
        # look-ups work, money stays off, the banner says why, the desk tries again.
        session = await DeskSession.open(
            client,
            unreachable_as_unavailable(open_ledger, where=where),
            settings,
            feed=LedgerFeed,
            wait_for_ledger=True,
            probe=ping_ledger,
            on_ledger=ledger_changed,
        )
        if not session.ledger_state.available:
            log.error(
                "the ledger of profile %s did not open: %s", profile.id, session.ledger_state.error
            )
        if self.generation != generation:  # switched away meanwhile
            await session.close()
            return
        self.session = session
        window.set_ledger_state(session.ledger_state)
        window.set_event_hub(session.hub)
        confirm = self.settings.get(CONFIRM_ABOVE_THRESHOLD)
        window.set_money_service(
            session.money,
            cards=session.cards,
            retype_above=profile.retype_threshold_cents if confirm else None,
        )
        # Actions and card pages left unresolved by an earlier run (or another desk) are
        # checked in the background, and unresolved actions again when due.
        session.start(on_cards_found=found)

    def _ledger_opener(self, profile: Profile) -> Callable[[], LedgerJournal]:
        """What opens the profile's ledger (blocking: the keychain may be asked)."""
        from iotpay_desk.ledger.place import profile_ledger_opener

        return profile_ledger_opener(
            profile,
            paths=self.paths,
            credentials=self.credentials,
            desk=DeskIdentity.here(self.settings.get(DESK_NAME)),
            profiles=self.profiles.profiles() if self.profiles is not None else (),
        )

    def _retry_ledger(self) -> None:
        """The ledger banner's Try again: open the ledger, or ask it, now."""
        if self.session is not None:
            self._spawn(self.session.retry_ledger())

    def _keychain_back(self) -> None:
        """The user unlocked the keychain and pressed Retry: connect the profile now."""
        window = self.window
        profile = window.profile if window is not None else None
        if profile is not None and self.client is None:
            task = asyncio.ensure_future(self._connect(profile))
            task.add_done_callback(_log_failure)

    def _tell(self, message: UserMessage) -> None:
        show_message(self.window, message)

    async def close(self) -> None:
        await self._disconnect()
        for http in self.http or ():
            await http.aclose()
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop_in_thread)
            self.sandbox = None


async def run_desk(
    desk: Desk, window: MainWindow, *, smoke: bool, settle: Callable[[], None] | None = None
) -> int:
    """Show the window, start the desk, wait until the window is closed, clean up.
    ``settle`` runs once the desk has started (see :func:`settle_at_start`)."""
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.show()
    try:
        try:
            await desk.start(window)
        except IotPayError as exc:
            show_message(window, describe(exc))
        except (JournalError, OSError) as exc:
            log.error("start-up failed", exc_info=exc)
            show_message(window, describe(exc))
        except KeychainError as exc:
            window.set_keychain_status(KeychainStatus(exc.state, exc.message, exc.detail))
        if settle is not None:
            settle()
        profile = window.profile
        log.info(
            "desk ready: profile=%s environment=%s connection=%s keychain=%s title=%r banner=%r",
            profile.name if profile else "-",
            profile.environment.value if profile else "-",
            window.connection.state.value,
            window.banner.status.state.value if window.banner.status else "-",
            window.windowTitle(),
            window.banner.text.text() if window.banner.isVisibleTo(window) else "",
        )
        if smoke:
            print(READY, flush=True)
            window.close()
        await closed.wait()
    finally:
        await _cancel_other_tasks()
        await desk.close()
    return 0


async def _cancel_other_tasks(grace: float = 2.0) -> None:
    """Work still running when the window closes gets ``grace`` seconds to finish (a refund
    whose answer is on its way is better recorded now than resolved at the next start),
    then it is cancelled and given time to clean up."""
    me = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
    if not others:
        return
    _done, pending = await asyncio.wait(others, timeout=grace)
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.wait(pending, timeout=5)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background work failed", exc_info=task.exception())


def _install_signal_handlers(loop: asyncio.AbstractEventLoop, stop: Callable[[], Any]) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop)


def apply_setting(app: QApplication, settings: Settings, key: str) -> None:
    """Apply a setting the user just changed, where it can be applied at once (the theme,
    the log detail); the language and the pseudo-translation say they need a restart."""
    if key == THEME.key:
        apply_theme(app, settings.get(THEME))
    elif key == LOG_LEVEL.key:
        set_log_level(settings.get(LOG_LEVEL))
        log.info("log detail is now %s", settings.get(LOG_LEVEL))


def main(argv: list[str]) -> int:
    """The desk: its first frame (:mod:`iotpay_desk.start`), then :func:`run_started`."""
    from iotpay_desk.start import main as start_main

    return start_main(argv)


def settle_at_start(collector: GuiThreadCollector) -> None:
    """Once the desk has started (after the window's first frame): what the first request
    would import in the middle of work imported now, then the heap collected and frozen
    (full collections skip it from now on; see :mod:`.gui.gcollect`)."""
    from iotpay_desk.api.client import load_lazy_modules

    missing = load_lazy_modules()
    if missing:
        log.debug("not preloaded (not in this version of a library): %s", missing)
    collector.settle()


def tune_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The desk's event loop runs blocking work (the ledger, the keychain) in worker
    threads below the GUI thread's priority (``services.threads.background_executor``):
    the window is served first when the cores are busy (``bench/bench_lookups.py``)."""
    from iotpay_desk.services.threads import background_executor

    loop.set_default_executor(background_executor())


def run_started(started: Started) -> int:
    """After the first frame (:func:`iotpay_desk.start.main`): the pages, the event loop,
    then the desk's start (keychain, profile, connection, ledger) until the window closes."""
    app, window, args, settings = started.app, started.window, started.args, started.settings
    window.build_pages()
    from iotpay_desk.gui.settings_page import SettingsPage

    settings_page = window.pages[Page.SETTINGS]
    if isinstance(settings_page, SettingsPage):
        settings_page.setting_changed.connect(lambda key: apply_setting(app, settings, key))
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    tune_loop(loop)
    desk = Desk(args, started.paths, settings, credentials=started.credentials)
    reporter = ErrorReporter(lambda: window)
    reporter.install(loop)
    # A signal (logout, shutdown) does not wait for an answer to the quit question: work in
    # flight stays pending in the journal and is checked at the next start.
    _install_signal_handlers(loop, window.close_without_asking)
    collector = started.collector
    try:
        with loop:
            code: int = loop.run_until_complete(
                run_desk(desk, window, smoke=args.smoke, settle=lambda: settle_at_start(collector))
            )
    finally:
        reporter.uninstall()
    if window.restart_wanted:
        relaunch()
    return code


def relaunch_command(argv: list[str] | None = None) -> list[str]:
    """The command line that started this desk, to start it again after a language change
    (without ``--language``, which would override the new setting)."""
    if argv is None:
        argv = [sys.executable, *sys.argv[1:]] if getattr(sys, "frozen", False) else []
        argv = argv or list(sys.orig_argv)
    out: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if i > 0 and arg == "--language":
            skip = True
            continue
        if i > 0 and arg.startswith("--language="):
            continue
        out.append(arg)
    return out


def relaunch() -> None:
    """Start the desk again, detached from this process (which then exits)."""
    cmd = relaunch_command()
    log.info("restarting the desk")
    try:
        subprocess.Popen(  # noqa: S603 - the very command line this desk was started with
            cmd,
            stdin=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=os.name == "posix",
            creationflags=getattr(subprocess, "DETACHED_PROCESS", 0),
        )
    except OSError as exc:
        log.error("the desk could not start again: %s", exc)

"""The desk's first frame: the window on screen before anything it does not need.

``iotpay-desk`` starts here (:func:`main`). What the first frame needs is imported and
built: the settings (language, theme), the log, the QApplication with its translators
and theme, and the main window without its pages. The window is shown and painted; only
then is the rest imported and built (:func:`iotpay_desk.app.run_started`): the pages, the
event loop (asyncio, qasync), and, once the loop runs, the keychain, the profile, the HTTP
client and the ledger (SQLAlchemy, Alembic, psycopg). ``bench/bench_desk.py`` compares
the first frame with a bare PySide6 window's.

Nothing here imports asyncio, the services, the ledger or the HTTP client (a test checks).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.logging_setup import setup_logging, teardown_logging
from iotpay_desk.core.paths import APP_NAME, AppPaths
from iotpay_desk.core.settings import LANGUAGE, LOG_LEVEL, PSEUDO_TRANSLATION, THEME, Settings
from iotpay_desk.gui.about import desk_icon
from iotpay_desk.gui.diagnostics import install_qt_message_handler
from iotpay_desk.gui.gcollect import GuiThreadCollector
from iotpay_desk.gui.i18n import install_translators, pseudo_enabled
from iotpay_desk.gui.mainwindow import MainWindow
from iotpay_desk.gui.theme import apply_theme

__all__ = ["READY", "SHOWN", "Started", "main", "parse_args"]

READY = "iotpay-desk ready"
#: ``--smoke``: the window's first frame is painted and the event loop waits for input.
SHOWN = "iotpay-desk shown"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="iotpay-desk", description="IOTPay back-office desk")
    p.add_argument(
        "--sandbox",
        action="store_true",
        help="start the local IOTPay sandbox in-process and open the desk on it",
    )
    p.add_argument(
        "-V",
        "--version",
        action="store_true",
        help="print the version, the build, Qt and Python, where the data and logs are; exit",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="start, show the main window, print 'iotpay-desk ready' and exit 0",
    )
    p.add_argument(
        "--pseudo",
        action="store_true",
        help="show every text lengthened by about a third (layout check)",
    )
    p.add_argument(
        "--language",
        metavar="CODE",
        help="show the desk in this language (en, fr) instead of the setting",
    )
    p.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="with --sandbox: run sandbox time X times faster",
    )
    return p.parse_args(argv)


@dataclass(frozen=True)
class Started:
    """What the first frame made, handed to :func:`iotpay_desk.app.run_started`."""

    args: argparse.Namespace
    paths: AppPaths
    settings: Settings
    app: QApplication
    window: MainWindow
    credentials: CredentialStore
    collector: GuiThreadCollector


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    paths = AppPaths.default()
    settings = Settings(paths.config_dir)
    setup_logging(paths.log_dir, settings.get(LOG_LEVEL))
    try:
        return _run(args, paths, settings)
    finally:
        teardown_logging()


def _run(args: argparse.Namespace, paths: AppPaths, settings: Settings) -> int:
    # QtWebEngine, loaded later for the card pages, needs this before the QApplication exists.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("IOTPay Desk")
    install_qt_message_handler()
    translators = install_translators(
        args.language or settings.get(LANGUAGE),
        pseudo=pseudo_enabled(args.pseudo or settings.get(PSEUDO_TRANSLATION)),
    )
    app.setApplicationDisplayName(app.translate("MainWindow", "IOTPay Desk"))
    app.setWindowIcon(desk_icon())
    app.setDesktopFileName(APP_NAME)  # the installed iotpay-desk.desktop (its icon, on Wayland)
    apply_theme(app, settings.get(THEME))
    app.setQuitOnLastWindowClosed(False)  # the loop ends when the main window closes
    collector = GuiThreadCollector(app)  # Qt objects are only ever collected here
    collector.start()
    credentials = CredentialStore()  # nothing asked of the keychain yet
    window = MainWindow(
        settings=settings,
        credentials=credentials,
        developer_settings=pseudo_enabled(args.pseudo),
        paths=paths,
        defer_pages=True,
    )
    window.show()
    if args.smoke:
        QTimer.singleShot(0, lambda: print(SHOWN, flush=True))
    app.processEvents()  # the first frame
    from iotpay_desk import app as desk_app

    try:
        return desk_app.run_started(
            Started(args, paths, settings, app, window, credentials, collector)
        )
    finally:
        translators.remove()
        collector.stop()

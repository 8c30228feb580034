"""Render every screen and dialog of the desk offscreen to PNG files.

    uv run python scripts/screenshots.py                 # the README pictures → docs/screenshots/
    uv run python scripts/screenshots.py --all --out /tmp/shots
    uv run python scripts/screenshots.py --all --only main-orders --langs pseudo

``--all`` renders each screen in every combination of theme (light, dark: Fusion with a
light or dark palette), language (en, fr, pseudo) and scale (100 %, 125 %, 150 %). Each scale runs
in a subprocess of its own because ``QT_SCALE_FACTOR`` is read when Qt starts. Files are
named ``<screen>-<theme>-<lang>-<scale>.png``; the README set drops the suffixes it does
not vary (``main-window-light.png``).

To add a screen, add one line to :data:`SCREENS` (or decorate a factory with ``@screen``):
a name and a function that takes the :class:`Shots` context and returns the widget to
capture (a window or a dialog; it is shown, laid out and grabbed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

THEMES = ("light", "dark")
LANGS = ("en", "fr", "pseudo")
SCALES = (100, 125, 150)
README = [("main-orders", "main-window")]


@dataclass
class Shots:
    """What factories get: sample data and a place to keep objects alive."""

    workdir: Path
    keep: list[object] = field(default_factory=list)

    def profile(self, environment: str = "sandbox", name: str = "Sandbox"):
        from iotpay_desk.core.profiles import Environment, Profile

        env = Environment(environment)
        url = "http://127.0.0.1:8765" if env in (Environment.SANDBOX, Environment.CUSTOM) else None
        return Profile.new(name, env, "10000701", operators=["cashier1"], custom_url=url)

    def settings(self):
        from iotpay_desk.core.settings import Settings

        return Settings(self.workdir / "config")

    def main_window(self, page: str = "orders", environment: str = "sandbox", **kw: object):
        from iotpay_desk.gui.mainwindow import MainWindow, Page
        from iotpay_desk.gui.statusbar import ConnectionState

        names = {"sandbox": "Sandbox", "production": "Demo Café", "test": "Demo Café (test)"}
        win = MainWindow(
            profile=self.profile(environment, names.get(environment, "Custom")),
            settings=self.settings(),
        )
        win.show_page(Page[page.upper()])
        win.set_connection_state(ConnectionState(kw.get("connection", "connected")))
        return win

    # -- sample data (nothing is sent anywhere) ---------------------------------------------

    def service(self):
        """A money service pointing at a closed port; screens never call it."""
        from iotpay_desk.api import IotPayClient
        from iotpay_desk.journal import Journal
        from iotpay_desk.services import MoneyService

        journal = Journal(self.workdir / "journal.sqlite3")
        self.keep.append(journal)
        client = IotPayClient("http://127.0.0.1:9", "10000701", "screenshot-key-0001")
        return MoneyService(client, journal, operator="cashier1")

    def detail(self, *, settled: bool = False, refunded: int = 0):
        from datetime import UTC, datetime

        from iotpay_desk.api import Order
        from iotpay_desk.journal import Action, ActionKind, ActionState
        from iotpay_desk.services import Advice, OrderDetail, StatusWord
        from iotpay_desk.services.rules import TORONTO

        order = Order(
            pay_order_id="PC20250314101502123456789012",
            mch_id="10000701",
            mch_order_no="A-2025-0314-17",
            amount=8450,
            refundable=8450 - refunded,
            status=2,
            pay_succ_time="2025-03-14 10:15:02",
            card_num="424242******4242",
            card_type="V",
        )
        returns = ()
        if refunded:
            at = datetime(2025, 3, 15, 14, 2, tzinfo=UTC)
            action = Action(
                id=1,
                kind=ActionKind.REFUND,
                mch_id="10000701",
                mch_no="R2503151402001",
                amount_cents=refunded,
                currency="CAD",
                operator="cashier1",
                state=ActionState.SUCCEEDED,
                created_at=at,
                updated_at=at,
                target_pay_order_id=order.pay_order_id,
            )
            from iotpay_desk.services import ActionResult

            returns = (ActionResult(action=action),)
        return OrderDetail(
            order=order,
            status=StatusWord.PAID,
            refundable_cents=order.refundable,
            advice=Advice.REFUND if settled else Advice.VOID,
            settles_at=datetime(2025, 3, 14, 21, 0, tzinfo=TORONTO),
            returns=returns,
        )

    def actions(self) -> list[object]:
        from datetime import UTC, datetime, timedelta

        from iotpay_desk.journal import Action, ActionKind, ActionState

        base = datetime(2025, 3, 15, 14, 2, tzinfo=UTC)
        rows = [
            (ActionKind.REFUND, 2000, ActionState.SUCCEEDED, "", "item returned"),
            (ActionKind.VOID, 8450, ActionState.SUCCEEDED, "", "wrong amount keyed"),
            (ActionKind.REFUND, 1299, ActionState.CHECKING, "", "damaged"),
            (ActionKind.VOID, 3000, ActionState.FAILED, "the payment is already settled", ""),
        ]
        out: list[object] = []
        for i, (kind, cents, state, msg, reason) in enumerate(rows, start=1):
            at = base + timedelta(minutes=17 * i)
            out.append(
                Action(
                    id=i,
                    kind=kind,
                    mch_id="10000701",
                    mch_no=f"{kind.id_prefix}25031514{i:02d}0001",
                    amount_cents=cents,
                    currency="CAD",
                    operator="cashier1",
                    state=state,
                    created_at=at,
                    updated_at=at,
                    target_pay_order_id=f"PC2025031410150212345678{9000 + i}",
                    ret_msg=msg,
                    reason=reason,
                )
            )
        return out


Factory = Callable[[Shots], object]
SCREENS: list[tuple[str, Factory]] = []


def screen(name: str) -> Callable[[Factory], Factory]:
    def register(fn: Factory) -> Factory:
        SCREENS.append((name, fn))
        return fn

    return register


# --------------------------------------------------------------------------- the screens


def _keychain_window(s: Shots) -> object:
    from iotpay_desk.core.credentials import MSG_LOCKED, KeychainState, KeychainStatus

    win = s.main_window()
    win.set_keychain_status(KeychainStatus(KeychainState.LOCKED, MSG_LOCKED))
    return win


def _busy_window(s: Shots) -> object:
    win = s.main_window(connection="checking")
    win.busy.begin(win.tr("Checking the connection to IOTPay…"))
    return win


def _message(kind: str) -> Factory:
    def make(s: Shots) -> object:
        from iotpay_desk.api import CannotConnect
        from iotpay_desk.gui.errors import describe, show_message

        win = s.main_window()
        s.keep.append(win)
        win.show()
        exc: BaseException
        if kind == "user":
            exc = CannotConnect("cc_query", "ConnectError")
        else:
            try:
                raise RuntimeError("example of an unexpected error")
            except RuntimeError as e:
                exc = e
        return show_message(win, describe(exc))

    return make


def _orders_window(s: Shots, settled: bool = True) -> object:
    win = s.main_window("orders")
    win.orders.set_service(s.service())
    win.orders.query.setText("A-2025-0314-17")
    win.orders.show_detail(s.detail(settled=settled, refunded=2000 if settled else 0))
    return win


def _activity_window(s: Shots) -> object:
    win = s.main_window("activity")
    for action in s.actions():
        win.action_changed(action)  # type: ignore[arg-type]
    win.activity.select(3)
    return win


def _form(kind: str, *, outcome: str = "") -> Factory:
    def make(s: Shots) -> object:
        from iotpay_desk.gui.refund_dialog import RefundDialog
        from iotpay_desk.journal import ActionKind

        win = _orders_window(s, settled=kind == "refund")
        s.keep.append(win)
        win.show()
        dialog = RefundDialog(
            s.service(),
            s.detail(settled=kind == "refund", refunded=2000 if kind == "refund" else 0),
            ActionKind(kind),
            retype_above=5000,
            parent=win,
        )
        dialog.reason.setText("item returned")
        dialog.submit.setEnabled(True)
        if outcome == "checking":
            from iotpay_desk.services import ActionResult

            action = s.actions()[2]
            dialog._show_result(ActionResult(action=action))  # type: ignore[arg-type]
        return dialog

    return make


SCREENS += [
    ("main-orders", _orders_window),
    ("main-orders-empty", lambda s: s.main_window("orders")),
    ("main-orders-unsettled", lambda s: _orders_window(s, settled=False)),
    ("refund-form", _form("refund")),
    ("void-form", _form("void")),
    ("refund-form-checking", _form("refund", outcome="checking")),
    ("main-activity-rows", _activity_window),
    ("main-vault", lambda s: s.main_window("vault")),
    ("main-activity", lambda s: s.main_window("activity")),
    ("main-settings", lambda s: s.main_window("settings")),
    ("main-production", lambda s: s.main_window(environment="production")),
    ("main-test", lambda s: s.main_window(environment="test", connection="unreachable")),
    ("main-keychain", _keychain_window),
    ("main-busy", _busy_window),
    ("message-user-error", _message("user")),
    ("message-internal-error", _message("internal")),
]


# --------------------------------------------------------------------------- rendering


def _settle(app: object, rounds: int = 5) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
        time.sleep(0.01)


def worker(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication, QLocale, Qt, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication, QWidget

    from iotpay_desk.gui.i18n import install_translators
    from iotpay_desk.gui.theme import apply_theme

    def qt_message(_mode: object, _ctx: object, message: str) -> None:
        # WORKAROUND: the offscreen plugin warns on every top-level show (QTBUG-74252).
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(qt_message)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
    app = QApplication([sys.argv[0]])
    app.setApplicationName("iotpay-desk")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = dict(README) if args.readme else None
    written = 0
    with tempfile.TemporaryDirectory(prefix="iotpay-shots-") as tmp:
        for theme in args.themes:
            apply_theme(app, theme)
            for lang in args.langs:
                pseudo = lang == "pseudo"
                tr = install_translators("en" if pseudo else lang, pseudo=pseudo)
                # Money and dates as a Canadian merchant sees them.
                QLocale.setDefault(QLocale("fr_CA" if lang == "fr" else "en_CA"))
                for name, factory in SCREENS:
                    if args.only and name not in args.only:
                        continue
                    if names is not None and name not in names:
                        continue
                    shots = Shots(Path(tmp) / f"{theme}-{lang}-{name}")
                    widget = factory(shots)
                    assert isinstance(widget, QWidget), name
                    widget.show()
                    _settle(app)
                    if names is not None:
                        file = out / f"{names[name]}-{theme}.png"
                    else:
                        file = out / f"{name}-{theme}-{lang}-{args.scale}.png"
                    if not widget.grab().save(str(file), "PNG"):
                        print(f"could not write {file}", file=sys.stderr)
                        return 1
                    written += 1
                    for w in [widget, *shots.keep]:
                        if isinstance(w, QWidget):
                            w.close()
                            w.deleteLater()
                        elif hasattr(w, "close"):
                            w.close()  # the sample journal
                    _settle(app, 2)
                tr.remove()
    print(f"{written} screenshot(s) at {args.scale}% in {out}")
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    p.add_argument("--all", action="store_true", help="every screen, theme, language, scale")
    p.add_argument("--only", nargs="*", help="only these screens")
    p.add_argument("--themes", nargs="*", choices=THEMES)
    p.add_argument("--langs", nargs="*", choices=LANGS)
    p.add_argument("--scales", nargs="*", type=int)
    p.add_argument("--list", action="store_true", help="list the screens and exit")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--scale", type=int, default=100, help=argparse.SUPPRESS)
    p.add_argument("--readme", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.list:
        for name, _ in SCREENS:
            print(name)
        return 0
    if args.worker:
        return worker(args)
    readme = not args.all
    themes = args.themes or list(THEMES)
    langs = args.langs or (list(LANGS) if args.all else ["en"])
    scales = args.scales or (list(SCALES) if args.all else [100])
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("IOTPAY_DESK_PSEUDO", None)
    code = 0
    with tempfile.TemporaryDirectory(prefix="iotpay-shots-home-") as home:
        # Nothing of the user's own desk (profiles, settings, keychain) is read.
        for var, sub in (
            ("HOME", ""),
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_DATA_HOME", ".local/share"),
            ("XDG_STATE_HOME", ".local/state"),
            ("XDG_CACHE_HOME", ".cache"),
        ):
            env[var] = str(Path(home) / sub)
        for scale in scales:
            env["QT_SCALE_FACTOR"] = str(scale / 100)
            cmd = [sys.executable, __file__, "--worker", "--scale", str(scale), "--out", args.out]
            cmd += ["--themes", *themes, "--langs", *langs]
            if args.only:
                cmd += ["--only", *args.only]
            if readme:
                cmd.append("--readme")
            code |= subprocess.run(cmd, env=env, check=False).returncode  # noqa: S603
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

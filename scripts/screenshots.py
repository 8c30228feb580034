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
README = [
    ("main-orders", "main-window"),
    ("main-orders-in-flight", "orders-in-flight"),
    ("refund-form-checking", "refund-unconfirmed"),
    ("charge-form-warning", "charge-repeat-warning"),
]


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
        from iotpay_desk.journal import DeskIdentity
        from iotpay_desk.ledger.place import open_sqlite_ledger
        from iotpay_desk.services import MoneyService

        journal = open_sqlite_ledger(
            self.workdir / "ledger.sqlite3", desk=DeskIdentity.here("Front counter")
        )
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
        # The refund being checked was sent from the back office, which checks it still
        # (its lease runs to 2100: another desk shows "Being checked by Back office").
        lease_until = datetime(2100, 1, 1, tzinfo=UTC)
        for i, (kind, cents, state, msg, reason) in enumerate(rows, start=1):
            at = base + timedelta(minutes=17 * i)
            back = state is ActionState.CHECKING
            out.append(
                Action(
                    id=i,
                    kind=kind,
                    mch_id="10000701",
                    mch_no=f"{kind.id_prefix}25031514{i:02d}0001",
                    amount_cents=cents,
                    currency="CAD",
                    operator="manager2" if back else "cashier1",
                    state=state,
                    created_at=at,
                    updated_at=at,
                    target_pay_order_id=f"PC2025031410150212345678{9000 + i}",
                    ret_msg=msg,
                    reason=reason,
                    desk="Back office" if back else "Front counter",
                    lease_owner="0" * 32 if back else None,
                    lease_desk="Back office" if back else None,
                    lease_until=lease_until if back else None,
                )
            )
        # A card charge and a purchase link: the payment is their own.
        for i, (kind, cents, user) in enumerate(
            [(ActionKind.CHARGE_TOKEN, 4599, "c-ada-4"), (ActionKind.PURCHASE_LINK, 1850, "")],
            start=len(rows) + 1,
        ):
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
                    state=ActionState.SUCCEEDED,
                    created_at=at,
                    updated_at=at,
                    pay_order_id=f"PC2025031514{i:02d}0012345678{9000 + i}",
                    card_num="555555******4444" if user else "424242******4242",
                    card_id=user or None,
                    mch_user_id=user or "walk-in",
                    desk="Front counter",
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


def _with_banner(make: Factory, *, demo_key: bool = False) -> Factory:
    """A screen of the main window with the keychain banner over it (its Retry button
    shares the window's Alt+letters with every page)."""

    def banner(s: Shots) -> object:
        from iotpay_desk.core.credentials import (
            MSG_LOCKED,
            MSG_NO_KEYCHAIN,
            KeychainState,
            KeychainStatus,
        )

        win = make(s)
        if demo_key:
            status = KeychainStatus(KeychainState.UNAVAILABLE, MSG_NO_KEYCHAIN)
        else:
            status = KeychainStatus(KeychainState.LOCKED, MSG_LOCKED)
        win.set_keychain_status(status, demo_key=demo_key)  # type: ignore[attr-defined]
        return win

    return banner


def _keychain_window(s: Shots) -> object:
    return _with_banner(lambda s: _orders_window(s))(s)


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
    from datetime import UTC, datetime, timedelta

    from iotpay_desk.journal import Lookup

    win.orders.show_detail(s.detail(settled=settled, refunded=2000 if settled else 0))
    now = datetime(2025, 3, 15, 14, 2, tzinfo=UTC)
    win.orders.show_recent(
        [
            Lookup(3, now, "A-2025-0314-17", "PC20250314101502123456789012", "A-2025-0314-17"),
            Lookup(2, now - timedelta(minutes=7), "B-889", "PC20250314094411987654321098", "B-889"),
            Lookup(1, now - timedelta(hours=2), "C-1002", "PC20250314081230555566667777", "C-1002"),
        ]
    )
    return win


def _orders_in_flight(s: Shots) -> object:
    """A refund of the payment is being checked with IOTPay: Refund and Void are off."""
    import dataclasses

    from iotpay_desk.services import ActionResult

    win = _orders_window(s)
    detail = s.detail(settled=True, refunded=2000)
    checking = dataclasses.replace(
        s.actions()[2],  # type: ignore[type-var]
        target_pay_order_id=detail.order.pay_order_id,
    )
    returns = (*detail.returns, ActionResult(action=checking))  # type: ignore[arg-type]
    win.orders.show_detail(dataclasses.replace(detail, returns=returns))
    return win


def _orders_stale(s: Shots) -> object:
    """Another order typed in the field, not looked up yet: the payment shown is greyed."""
    win = _orders_window(s)
    win.orders.query.setText("B-889")
    return win


def _activity_window(s: Shots) -> object:
    win = s.main_window("activity")
    for action in s.actions():
        win.action_changed(action)  # type: ignore[arg-type]
    win.activity.select(3)
    return win


def _transactions_window(s: Shots, *, problem: bool = False) -> object:
    from datetime import UTC, datetime, timedelta

    from iotpay_desk.journal.books import BookEntry

    win = s.main_window("transactions")
    page = win.transactions
    page._service = s.service()  # the count line speaks of an open profile
    t0 = datetime(2025, 3, 14, 15, 2, tzinfo=UTC)
    rows = []
    samples = [
        ("payment", "A-2025-0314-17", 8450, 0, 3, "V", "4242", "table 4", "", ""),
        ("refund", "", 1250, 0, 2, "", "", "", "Damaged", "box crushed"),
        ("payment", "A-2025-0314-16", 1999, 1250, 3, "M", "4444", "Ada Lovelace", "", ""),
        ("void", "", 3200, 0, 2, "", "", "", "Wrong amount", ""),
        ("payment", "web-88213", 3200, 0, 2, "V", "1881", "cust-204", "", ""),
        ("payment", "A-2025-0314-15", 560, 0, 9, "V", "0002", "", "", ""),
        ("payment", "A-2025-0314-14", 12500, 0, 3, "A", "0005", "Café Olé", "", ""),
    ]
    for i, (kind, number, amount, refunded, status, brand, last4, who, reason, note) in enumerate(
        samples
    ):
        at = t0 - timedelta(minutes=17 * i)
        pay_id = f"{'PC' if kind == 'payment' else 'RP'}2025031410150{i}123456789012"
        rows.append(
            BookEntry(
                id=100 - i,
                mch_id="10000701",
                pay_order_id=pay_id,
                mch_order_no=number,
                kind=kind,
                original_order_id="" if kind == "payment" else "PC20250314101502123456789012",
                amount_cents=amount,
                refunded_cents=refunded,
                currency="CAD",
                status=status,
                card_brand=brand,
                card_last4=last4,
                card_id="",
                customer=who,
                subject="",
                operator="cashier1" if i % 2 else "manager",
                desk="Front counter" if i % 3 else "Back office",
                reason=reason,
                note=note,
                at=at,
                paid_at="",
                first_seen_at=at,
                updated_at=at,
                confirmed_at=at,
                source="desk",
            )
        )
    page.model.show(rows, more=True)
    if problem:
        page.amount_from.setText("20")
        page.amount_to.setText("10")
        page.apply()
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
        dialog.reason.setText(dialog.reason.itemText(0))  # a reason from the list
        dialog.submit.setEnabled(True)
        if outcome == "checking":
            from iotpay_desk.services import ActionResult

            action = s.actions()[2]
            dialog._show_result(ActionResult(action=action))  # type: ignore[arg-type]
        elif outcome == "done":  # IOTPay confirmed it: its receipt is offered
            from iotpay_desk.services import ActionResult

            action = s.actions()[0]
            dialog._show_result(ActionResult(action=action))  # type: ignore[arg-type]
        return dialog

    return make


def _orders_ledger_gone(s: Shots) -> object:
    """The shared ledger's server cannot be reached: the banner says since when; a look-up
    shows IOTPay's answer without the ledger's part; Refund and Void are off."""
    import dataclasses
    from datetime import UTC, datetime

    from iotpay_desk.journal.errors import LedgerUnavailable
    from iotpay_desk.services.ledgerwatch import LedgerState

    win = _orders_window(s)
    detail = s.detail(settled=True)
    win.orders.show_detail(dataclasses.replace(detail, ledger_missing=True))
    gone = LedgerUnavailable("ledger.demo-cafe.ca/iotpay_ledger", "connection refused", shared=True)
    since = datetime(2025, 3, 15, 18, 5, tzinfo=UTC)
    win.set_ledger_state(LedgerState(False, since=since, error=gone, retrying=True))
    return win


def _eod_sample(s: Shots) -> tuple[object, ...]:
    """A business day's figures, what needs attention, its close and 90 days of nets."""
    from datetime import UTC, date, datetime, time, timedelta

    from iotpay_desk.journal.days import (
        AttentionItem,
        DailyNet,
        DayChange,
        DayClose,
        DayFigures,
        DayLine,
        day_bounds,
    )
    from iotpay_desk.services.rules import TORONTO

    day = date(2025, 3, 14)
    since, until = day_bounds(day, time(21, 0), TORONTO)
    figures = DayFigures(
        day=day,
        since=since,
        until=until,
        currency="CAD",
        total=DayLine("", 41, 318_450, 3, 12_850, 2, 11_650),
        by_brand=(
            DayLine("V", 24, 201_200, 2, 8_600, 1, 3_200),
            DayLine("M", 12, 84_300, 1, 4_250, 1, 8_450),
            DayLine("A", 4, 31_950),
            DayLine("", 1, 1_000),
        ),
        by_operator=(
            DayLine("cashier1", 30, 240_100, 2, 8_600, 2, 11_650),
            DayLine("manager", 8, 70_350, 1, 4_250),
            DayLine("", 3, 8_000),
        ),
        by_desk=(
            DayLine("Front counter", 33, 250_450, 3, 12_850, 2, 11_650),
            DayLine("Back office", 8, 68_000),
        ),
        failed_count=2,
    )
    at = since + timedelta(hours=14)
    attention = [
        AttentionItem(
            "outcome_unknown", "PC20250314101502123456789012", "A-2025-0314-17", 8450, 7, at
        ),
        AttentionItem(
            "refund_unconfirmed",
            "RP20250314113011987654321098",
            "R2503141130001",
            1250,
            8,
            at + timedelta(hours=1),
        ),
        AttentionItem(
            "status_differs",
            "PC20250314094411987654321098",
            "B-889",
            1999,
            None,
            at + timedelta(hours=2),
            "status 2→9; refunded 0→1250",
        ),
        AttentionItem(
            "no_notification",
            "PC20250314081230555566667777",
            "web-88213",
            3200,
            None,
            at + timedelta(hours=3),
        ),
    ]
    close = DayClose(
        id=1,
        mch_id="10000701",
        day=day,
        closed_at=until + timedelta(minutes=12),
        operator="manager",
        desk="Back office",
        cutoff="21:00",
        timezone="America/Toronto",
        figures=figures,
        digest="9f2c" * 16,
    )
    changes = [
        DayChange("RP20250315090102123456789012", "added", "refund", None, (2, 2000, 0)),
        DayChange("PC20250314094411987654321098", "changed", "payment", (2, 1999, 0), (9, 1999, 0)),
    ]
    nets = []
    for i in range(90):
        d = day - timedelta(days=89 - i)
        cents = 0 if d.weekday() == 6 else 120_000 + (i * 37_331) % 190_000 - 40_000
        nets.append(DailyNet(d, cents, max(cents, 0), 20 + i % 17))
    del UTC, datetime
    return figures, attention, close, changes, nets


def _eod_window(s: Shots, *, closed: bool = False, tab: str = "day") -> object:
    from datetime import UTC, datetime

    win = s.main_window("end_of_day")
    page = win.end_of_day
    figures, attention, close, changes, nets = _eod_sample(s)
    page._service = s.service()  # the page speaks of an open profile; nothing is read
    page.day = figures.day  # type: ignore[attr-defined]
    page.date_edit.blockSignals(True)
    from PySide6.QtCore import QDate

    page.date_edit.setDate(QDate(2025, 3, 14))
    page.date_edit.blockSignals(False)
    page._show_bounds()
    page.show_figures(figures)
    page.show_attention(attention)
    page.show_close(close if closed else None, changes if closed else [])
    page.period.blockSignals(True)
    page.period.setCurrentIndex(1)
    page.period.blockSignals(False)
    page.show_nets(nets)
    page._update_buttons()
    page.tabs.setCurrentIndex({"day": 0, "attention": 1, "charts": 2}[tab])
    page._loaded_at = datetime.now(UTC)  # shown as given: not read again from the ledger
    page.loading = False
    page._update_buttons()
    return win


def _eod_question(s: Shots) -> object:
    win = _eod_window(s)
    s.keep.append(win)
    win.show()  # type: ignore[attr-defined]
    return win.end_of_day.close_question()  # type: ignore[attr-defined]


def _export_dialog(s: Shots) -> object:
    from iotpay_desk.gui.export_dialog import ExportDialog

    win = _transactions_window(s)
    s.keep.append(win)
    page = win.transactions  # type: ignore[attr-defined]

    def never(*_args: object, **_kw: object) -> object:
        raise AssertionError("a screen never exports")

    return ExportDialog(page.export_fields(), page.visible_fields(), never, parent=win)


def _import_dialog(s: Shots) -> object:
    from iotpay_desk.gui.import_dialog import ImportDialog

    win = _transactions_window(s)
    s.keep.append(win)
    return ImportDialog(s.service(), parent=win)


SCREENS += [
    ("export-dialog", _export_dialog),
    ("import-dialog", _import_dialog),
    ("end-of-day-close-question", _eod_question),
    ("main-end-of-day", _eod_window),
    ("main-end-of-day-closed", lambda s: _eod_window(s, closed=True)),
    ("main-end-of-day-attention", lambda s: _eod_window(s, tab="attention")),
    ("main-end-of-day-charts", lambda s: _eod_window(s, tab="charts")),
]


SCREENS += [
    ("main-orders-ledger-gone", _orders_ledger_gone),
    ("main-orders", _orders_window),
    ("main-orders-empty", lambda s: s.main_window("orders")),
    ("main-orders-unsettled", lambda s: _orders_window(s, settled=False)),
    ("main-orders-in-flight", _orders_in_flight),
    ("main-orders-stale", _orders_stale),
    ("refund-form", _form("refund")),
    ("void-form", _form("void")),
    ("refund-form-checking", _form("refund", outcome="checking")),
    ("refund-form-done", _form("refund", outcome="done")),
    ("main-activity-rows", _activity_window),
    ("main-transactions", _transactions_window),
    ("main-transactions-problem", lambda s: _transactions_window(s, problem=True)),
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


# --------------------------------------------------------------------------- cards


def _vault_cards() -> list[object]:
    from datetime import UTC, date, datetime

    from iotpay_desk.services import VaultCard

    today = date.today()
    this_month = f"{today.month:02d}{today.year % 100:02d}"
    last_year = f"{today.month:02d}{(today.year - 1) % 100:02d}"
    rows = [
        ("C250301153000AB12CD34", "Jane Doe — account 1042", "424242******4242", "V", "1228"),
        ("C250302091500EF56GH78", "Maple Bakery (catering)", "555555******4444", "M", this_month),
        ("C250215120000IJ90KL12", "Émile Tremblay", "424242******4242", "V", last_year),
        ("C250110080000MN34OP56", "Sam Okafor", "555555******4444", "M", "0930"),
    ]
    return [
        VaultCard(
            card_id=cid,
            customer_label=label,
            card_num=num,
            brand=brand,
            expiry_date=exp,
            holder=label.split(" —")[0],
            added_by="cashier1",
            added_at=datetime(2025, 3, 1 + i, 15, 30, tzinfo=UTC),
        )
        for i, (cid, label, num, brand, exp) in enumerate(rows)
    ]


def _vault_window(s: Shots) -> object:
    win = s.main_window("vault")
    page = win.pages[win.current_page()]
    page.offline.setVisible(False)  # type: ignore[attr-defined]
    for w in (page.add_box, page.search, page.table):  # type: ignore[attr-defined]
        w.setEnabled(True)
    from iotpay_desk.gui.words import zone_note
    from iotpay_desk.services.rules import TORONTO

    page.model.tz = TORONTO  # type: ignore[attr-defined]
    page.zone.setText(zone_note(TORONTO))  # type: ignore[attr-defined]
    page.zone.setVisible(True)  # type: ignore[attr-defined]
    page.model.set_cards(_vault_cards())  # type: ignore[attr-defined]
    page._update_count()  # type: ignore[attr-defined]
    page.select_card("C250302091500EF56GH78")  # type: ignore[attr-defined]
    page.add_message.setText(  # type: ignore[attr-defined]
        page.tr("Card added: %1 for %2 (card ID %3).")
        .replace("%1", "Mastercard ••••4444")
        .replace("%2", "Maple Bakery (catering)")
        .replace("%3", "C250302091500EF56GH78")
    )
    page.add_message.setVisible(True)  # type: ignore[attr-defined]
    return win


def _charge_action(kind: str = "charge_token", state: str = "succeeded") -> object:
    from datetime import UTC, datetime

    from iotpay_desk.journal import Action, ActionKind, ActionState

    at = datetime(2025, 3, 15, 14, 2, tzinfo=UTC)
    return Action(
        id=7,
        kind=ActionKind(kind),
        mch_id="10000701",
        mch_no="T2503151402AB12CD34",
        amount_cents=4250,
        currency="CAD",
        operator="cashier1",
        state=ActionState(state),
        created_at=at,
        updated_at=at,
        pay_order_id="PC20250315140212345678901234",
        status=2,
        card_num="555555******4444",
        card_type="M",
        auth_num="362165",
        trans_num="881234",
        pay_succ_time="2025-03-15 10:02:12",
        card_id="C250302091500EF56GH78",
        subject="Catering, March 14",
    )


def _charge(outcome: str = "") -> Factory:
    def make(s: Shots) -> object:
        from datetime import UTC, datetime

        from iotpay_desk.gui.charge_dialog import ChargeDialog
        from iotpay_desk.services import ActionResult

        cards = _vault_cards()
        dialog = ChargeDialog(s.service(), cards, "C250302091500EF56GH78")  # type: ignore[arg-type]
        dialog.amount.setText("42.50")
        dialog.subject.setText("Catering, March 14")
        dialog.submit.setEnabled(True)
        if outcome == "warning":
            dialog.client_ip.setText("192.0.2.300")
            dialog._check_ip()
            dialog.show_repeat_warning(
                4250, datetime(2025, 3, 15, 14, 2, tzinfo=UTC), "T2503151402AB12CD34"
            )
        elif outcome:
            dialog.show_result(ActionResult(action=_charge_action(state=outcome)))  # type: ignore[arg-type]
        return dialog

    return make


def _purchase(s: Shots) -> object:
    from iotpay_desk.gui.purchase_dialog import PurchaseDialog

    dialog = PurchaseDialog(s.service())
    dialog.amount.setText("18.75")
    dialog.subject.setText("Table 4")
    url = "https://ccapi.iotpaycloud.com/cc/purchase?key=" + "5f3a" * 16
    dialog.link.setText(url)
    dialog.link.setCursorPosition(0)
    dialog.set_qr(url)
    dialog.link_box.setVisible(True)
    dialog.key_in_button.setEnabled(False)
    dialog.phone_button.setEnabled(False)
    dialog.progress.setVisible(True)
    dialog.progress.setValue(7)
    dialog._say(dialog.tr("Waiting for the customer to pay…"))
    return dialog


def _purchase_unknown(s: Shots) -> object:
    from iotpay_desk.gui.purchase_dialog import PurchaseDialog

    dialog = PurchaseDialog(s.service())
    dialog.amount.setText("18.75")
    dialog.amount.setEnabled(False)
    dialog.key_in_button.setEnabled(False)
    dialog.phone_button.setEnabled(False)
    dialog._say(
        dialog.tr(
            "Outcome unknown: IOTPay has not confirmed this payment yet. It may still be paid. "
            "Keep checking, or look the order up later (order %1)."
        ).replace("%1", "P250315140212QRST")
    )
    dialog.keep_checking.setVisible(True)
    return dialog


def _wallet(s: Shots) -> object:
    from iotpay_desk.gui.wallet_dialog import WalletDialog

    dialog = WalletDialog(s.service())
    dialog.token.setPlainText("eyJ2ZXJzaW9uIjoiRUNfdjEiLCJkYXRhIjoi" * 3 + "not base64!")
    dialog.amount.setText("21.00")
    dialog._token_problem("must be valid base64")
    dialog.submit.setEnabled(True)
    return dialog


def _direct(s: Shots) -> object:
    from iotpay_desk.api import IotPayClient
    from iotpay_desk.gui.direct_add_dialog import DirectAddDialog
    from iotpay_desk.journal import Journal
    from iotpay_desk.services import CardService

    journal = Journal(s.workdir / "cards.sqlite3")
    s.keep.append(journal)
    client = IotPayClient("http://127.0.0.1:9", "10000701", "screenshot-key-0001")
    cards = CardService(client, journal, operator="cashier1", direct_add_enabled=True)
    dialog = DirectAddDialog(cards)
    dialog.label.setText("Sam Okafor")
    dialog.holder.setText("SAM OKAFOR")
    dialog.expiry.setText("0930")
    dialog._say(
        dialog.tr("Card number: fails the card number check (Luhn). Correct it and try again.")
    )
    return dialog


def _receipt(paper: str = "") -> Factory:
    """A sale receipt from a profile with the receipt fields; on the roll, a refunded one."""

    def make(s: Shots) -> object:
        import dataclasses
        from datetime import UTC, datetime

        from iotpay_desk.gui.receipt import ReceiptDialog
        from iotpay_desk.journal import ActionKind
        from iotpay_desk.services.receipts import Merchant, Paper, Reversal, receipt_for

        shop = Merchant(
            "Demo Café Ltd.", ("123 Queen St W", "Toronto ON M5H 2M9"), "123456789RT0001"
        )
        receipt = receipt_for(_charge_action(), merchant=shop)  # type: ignore[arg-type]
        if paper:
            refund = Reversal(
                ActionKind.REFUND,
                1250,
                datetime(2025, 3, 17, 15, 30, tzinfo=UTC),
                "RP20250317153012345678901234",
                "R2503171530CD34EF56",
            )
            receipt = dataclasses.replace(receipt, reversals=(refund,), returned_cents=1250)
        return ReceiptDialog(
            receipt,
            title="Receipt",
            file_stem="receipt",
            paper=Paper(paper) if paper else Paper.LETTER,
        )

    return make


def _hosted_error(s: Shots) -> object:
    from PySide6.QtCore import QCoreApplication

    from iotpay_desk.gui.webpage import HostedPageDialog

    dialog = HostedPageDialog(
        "https://ccapi.iotpaycloud.com/cc/addcard?key=" + "5f" * 32,
        "https://desk.invalid/return",
        title=QCoreApplication.translate("VaultPage", "Add a card for %1").replace(
            "%1", "Jane Doe"
        ),
    )
    dialog._fail(
        dialog.tr("The page did not load within %1 s. Check the connection, then retry.").replace(
            "%1", "20"
        )
    )
    return dialog


def _vault_pages_window(s: Shots) -> object:
    """The vault after a card page was closed unchecked, and cards found at the start."""
    win = _vault_window(s)
    page = win.pages[win.current_page()]  # type: ignore[attr-defined]
    page.tell_not_checked()
    cards = _vault_cards()
    page.tell_found(cards[:2])
    return win


SCREENS += [
    ("main-vault-cards", _vault_window),
    ("main-vault-closed-pages", _vault_pages_window),
    ("charge-form", _charge()),
    ("charge-form-warning", _charge("warning")),
    ("charge-form-done", _charge("succeeded")),
    ("charge-form-declined", _charge("declined")),
    ("purchase-link", _purchase),
    ("purchase-unknown", _purchase_unknown),
    ("wallet-form", _wallet),
    ("direct-add-form", _direct),
    ("receipt", _receipt()),
    ("receipt-roll-refunded", _receipt("roll80")),
    ("hosted-page-error", _hosted_error),
]


# --------------------------------------------------------------------------- profiles


def _profile_store(s: Shots, *profiles: object) -> object:
    from iotpay_desk.core.credentials import CredentialStore
    from iotpay_desk.core.profiles import ProfileStore

    store = ProfileStore(s.workdir / "config", CredentialStore(), s.workdir / "data")
    store.load()
    for p in profiles:
        store.add(p)  # type: ignore[arg-type]
    return store


def _wizard(
    page: int, *, production: bool = False, problems: bool = False, receipt_problems: bool = False
) -> Factory:
    def make(s: Shots) -> object:
        from iotpay_desk.core.credentials import CredentialStore
        from iotpay_desk.core.profiles import Environment
        from iotpay_desk.gui.profile_wizard import ProfileWizard

        store = _profile_store(s)
        w = ProfileWizard(store, CredentialStore(), offer_sandbox=True)  # type: ignore[arg-type]
        w.name_edit.setText("Demo Café — front counter")
        env = Environment.PRODUCTION if production else Environment.CUSTOM
        w.env_buttons[env].setChecked(True)
        if not production:
            w.url_edit.setText(
                "http://iotpay.example.com" if problems else "https://iotpay.example.com"
            )
        w.mch_edit.setText("1000070199999999999999999999999" if problems else "10000701")
        if not problems:
            w.key_edit.setText("screenshot-key-0001")
        w.operators_edit.setPlainText(
            "cashier1\nmanager-on-duty" if problems else "cashier1\nmanager"
        )
        w.trade_name_edit.setText("Demo Café Ltd.")
        w.address_edit.setPlainText(
            "123 Queen St W\nSuite 400\nToronto ON M5H 2M9\nCanada"
            if receipt_problems
            else "123 Queen St W\nToronto ON M5H 2M9"
        )
        w.tax_edit.setText("12345678 RT1" if receipt_problems else "123456789RT0001")
        w.restart()  # as showing it would: the first page becomes current
        for _ in range(page):
            w.next()
        return w

    return make


def _wizard_failure(s: Shots) -> object:
    from iotpay_desk.core.credentials import MSG_LOCKED
    from iotpay_desk.gui.errors import Kind, UserMessage, keychain_text

    w = _wizard(7)(s)
    w._say_failure(UserMessage(Kind.USER, keychain_text(MSG_LOCKED)))  # type: ignore[attr-defined]
    return w


def _wizard_ledger(outcome: str) -> Factory:
    """The Ledger page with a shared server typed in; ``outcome``: "" (not tested yet),
    "ok" or "failed" (Test connection's answer)."""

    def make(s: Shots) -> object:
        from iotpay_desk.gui.errors import ledger_error_text
        from iotpay_desk.gui.profile_wizard import WizardPageId
        from iotpay_desk.ledger.connect import AuthFailed

        w = _wizard(WizardPageId.LEDGER)(s)
        w.ledger_shared.setChecked(True)  # type: ignore[attr-defined]
        w.ledger_host_edit.setText("ledger.demo-cafe.ca")  # type: ignore[attr-defined]
        w.ledger_database_edit.setText("iotpay_ledger")  # type: ignore[attr-defined]
        w.ledger_user_edit.setText("front_counter")  # type: ignore[attr-defined]
        w.ledger_password_edit.setText("screenshot-password")  # type: ignore[attr-defined]
        if outcome == "ok":
            text = w.tr("Connected: PostgreSQL %1, ledger at revision %2")
            w._say_ledger(text.replace("%1", "16.4").replace("%2", "2"), True)  # type: ignore[attr-defined]
        elif outcome == "failed":
            exc = AuthFailed("refused", host="ledger.demo-cafe.ca", user="front_counter")
            w._say_ledger(ledger_error_text(exc), False)  # type: ignore[attr-defined]
        return w

    return make


def _profiles_dialog(s: Shots) -> object:
    from iotpay_desk.core.credentials import CredentialStore
    from iotpay_desk.core.profiles import Environment, LedgerLocation, Profile
    from iotpay_desk.gui.profiles_page import ProfilesDialog

    live = Profile.new(
        "Demo Café",
        Environment.PRODUCTION,
        "10000701",
        operators=["cashier1"],
        ledger=LedgerLocation.postgresql("ledger.demo-cafe.ca", "iotpay_ledger", "front_counter"),
    )
    test = Profile.new("Demo Café (test)", Environment.TEST, "10000701", operators=["cashier1"])
    lab = Profile.new(
        "Lab", Environment.CUSTOM, "10000702", operators=["dev"], custom_url="http://127.0.0.1:8765"
    ).enable_direct_add("Ada Owner")
    store = _profile_store(s, live, test, lab)
    dialog = ProfilesDialog(store, CredentialStore())  # type: ignore[arg-type]
    dialog.page.select(test.id)
    return dialog


def _pci_dialog(s: Shots) -> object:
    from iotpay_desk.gui.profiles_page import PciDialog

    dialog = PciDialog(s.profile("test", "Demo Café (test)"), "cashier1")
    dialog.confirm.setChecked(True)
    return dialog


SCREENS += [
    ("wizard-who", _wizard(0)),
    ("wizard-where", _wizard(1)),
    ("wizard-where-production", _wizard(1, production=True)),
    ("wizard-where-problem", _wizard(1, problems=True)),
    ("wizard-merchant", _wizard(2)),
    ("wizard-merchant-problems", _wizard(2, problems=True)),
    ("wizard-operators", _wizard(3)),
    ("wizard-operators-problem", _wizard(3, problems=True)),
    ("wizard-limits", _wizard(4)),
    ("wizard-receipts", _wizard(5)),
    ("wizard-receipts-problem", _wizard(5, receipt_problems=True)),
    ("wizard-ledger", _wizard_ledger("")),
    ("wizard-ledger-connected", _wizard_ledger("ok")),
    ("wizard-ledger-failed", _wizard_ledger("failed")),
    ("wizard-summary", _wizard(7, production=True)),
    ("wizard-keychain-locked", _wizard_failure),
    ("profiles", _profiles_dialog),
    ("pci-confirm", _pci_dialog),
]


# --------------------------------------------------------------------------- window, help


def _settings_restart(s: Shots) -> object:
    """Settings after the language was changed: the restart offered."""
    win = s.main_window("settings")
    page = win.pages[win.current_page()]
    page.restart_notice.setVisible(True)  # type: ignore[attr-defined]
    return win


def _no_profile(s: Shots) -> object:
    win = s.main_window()
    win.set_profile(None)
    win.set_connection_state(win.connection.state.UNKNOWN)
    return win


def _help(which: str) -> Factory:
    def make(s: Shots) -> object:
        win = s.main_window()
        s.keep.append(win)
        win.show()
        if which == "guide":
            win.show_user_guide()
            return win.help_dialog
        win.show_test_cards()
        return win.cards_dialog

    return make


def _about(s: Shots) -> object:
    win = s.main_window()
    s.keep.append(win)
    win.show()
    win._about()
    return win.about_dialog


def _quit_question(s: Shots) -> object:
    win = _orders_window(s)
    s.keep.append(win)
    win.show()  # type: ignore[attr-defined]
    actions = s.actions()
    return win.quit_question([actions[0], actions[2]])  # type: ignore[attr-defined]


def _wizard_no_keychain(s: Shots) -> object:
    from iotpay_desk.core.credentials import (
        MSG_NO_KEYCHAIN,
        CredentialStore,
        KeychainState,
        KeychainStatus,
    )
    from iotpay_desk.gui.profile_wizard import ProfileWizard

    # The first run as it opens: nothing typed yet, so no field shows a problem.
    w = ProfileWizard(_profile_store(s), CredentialStore(), offer_sandbox=True)  # type: ignore[arg-type]
    w.set_keychain_status(KeychainStatus(KeychainState.UNAVAILABLE, MSG_NO_KEYCHAIN))
    w.restart()
    return w


SCREENS += [
    ("main-keychain-vault", _with_banner(_vault_window)),
    ("main-keychain-activity", _with_banner(_activity_window)),
    ("main-keychain-settings", _with_banner(lambda s: s.main_window("settings"))),
    ("main-sandbox-no-keychain", _with_banner(_orders_window, demo_key=True)),
    ("main-settings-restart", _settings_restart),
    ("main-no-profile", _no_profile),
    ("help-user-guide", _help("guide")),
    ("help-test-cards", _help("cards")),
    ("help-about", _about),
    ("quit-question", _quit_question),
    ("wizard-who-no-keychain", _wizard_no_keychain),
]


# --------------------------------------------------------------------------- rendering


def _settle(app: object, rounds: int = 5) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
        time.sleep(0.01)


def _letter_clashes(texts: list[str], where: str = "") -> list[str]:
    """The pairs of ``texts`` that share an Alt+letter."""
    seen: dict[str, str] = {}
    found: list[str] = []
    for raw in texts:
        text = raw.replace("&&", "")
        at = text.find("&")
        if at < 0 or at + 1 >= len(text):
            continue
        letter = text[at + 1].casefold()
        if letter in seen and seen[letter] != text:
            found.append(f"{where}Alt+{letter}: {seen[letter]!r} and {text!r}")
        seen.setdefault(letter, text)
    return found


def _menu_clashes(menu: object, path: str) -> list[str]:
    """Clashes among the items of one menu (Alt+letter there picks an item), and of its
    submenus, each on its own."""
    from PySide6.QtWidgets import QMenu

    assert isinstance(menu, QMenu)
    items = [a for a in menu.actions() if a.isVisible() and not a.isSeparator()]
    found = _letter_clashes([a.text() for a in items], f"menu {path}: ")
    for a in items:
        sub = a.menu()
        if sub is not None:
            found += _menu_clashes(sub, f"{path} ▸ {a.text().replace('&', '')}")
    return found


def mnemonic_conflicts(window: object) -> list[str]:
    """Pairs of visible labels, buttons, boxes and menu bar titles of ``window`` that share
    an Alt+letter (Qt then only cycles focus between them: the keyboard user cannot pick
    one), and pairs of items within each of its menus. Banners are part of the window, so
    their buttons are checked against every page they show over."""
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenuBar, QWidget

    assert isinstance(window, QWidget)
    texts: list[str] = []
    menus: list[tuple[object, str]] = []
    for bar in window.findChildren(QMenuBar):
        if not bar.isVisibleTo(window):
            continue
        for action in bar.actions():
            if action.isVisible() and not action.isSeparator():
                texts.append(action.text())
                if action.menu() is not None:
                    menus.append((action.menu(), action.text().replace("&", "")))
    widgets = [
        *window.findChildren(QAbstractButton),
        *window.findChildren(QLabel),
        *window.findChildren(QGroupBox),
    ]
    for w in widgets:
        if w.isVisibleTo(window):
            texts.append(w.title() if isinstance(w, QGroupBox) else w.text())
    found = _letter_clashes(texts)
    for menu, path in menus:
        found += _menu_clashes(menu, path)
    return found


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
    written = clashes = 0
    with tempfile.TemporaryDirectory(prefix="iotpay-shots-") as tmp:
        for theme in args.themes:
            apply_theme(app, theme)
            for lang in args.langs:
                pseudo = lang == "pseudo"
                tr = install_translators(
                    "en" if pseudo else lang,
                    pseudo=pseudo,
                    directory=Path(args.translations) if args.translations else None,
                )
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
                    if args.check_mnemonics:
                        for clash in mnemonic_conflicts(widget.window()):
                            print(f"{name} ({lang}): {clash}")
                            clashes += 1
                    elif names is not None:
                        file = out / f"{names[name]}-{theme}.png"
                    else:
                        file = out / f"{name}-{theme}-{lang}-{args.scale}.png"
                    if not args.check_mnemonics:
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
    if args.check_mnemonics:
        print(f"{clashes} mnemonic clash(es) at {args.scale}%")
        return 1 if clashes else 0
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
    p.add_argument(
        "--check-mnemonics",
        action="store_true",
        help="write no pictures; report Alt+letters shared on a screen, exit 1 if any",
    )
    p.add_argument(
        "--translations",
        metavar="DIR",
        help="load the .qm catalogues from DIR (a catalogue being reviewed) instead",
    )
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
    readme = not args.all and not args.check_mnemonics
    themes = args.themes or (["light"] if args.check_mnemonics else list(THEMES))
    langs = args.langs or (["en", "fr"] if args.check_mnemonics else None)
    langs = langs or (list(LANGS) if args.all else ["en"])
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
            if args.check_mnemonics:
                cmd.append("--check-mnemonics")
            if args.translations:
                cmd += ["--translations", str(Path(args.translations).resolve())]
            if readme:
                cmd.append("--readme")
            code |= subprocess.run(cmd, env=env, check=False).returncode  # noqa: S603
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

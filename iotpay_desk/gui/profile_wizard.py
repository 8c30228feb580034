"""The merchant profile wizard: first run, "Add profile…" and "Edit profile…".

Pages: who (profile name), where (environment), merchant (mchId and merchant key),
operators (login names, default operator), limits (cut-off, time zone, retype threshold),
receipts, ledger (on this computer, or a shared PostgreSQL server with its "Test
connection"), summary. Every field's problem is shown beside it, naming the field and the rule
(:meth:`~iotpay_desk.core.profiles.ProfileStore.check`), once the field was edited or
Next/Finish was pressed; Next does not leave a page with a problem, and nothing typed is
lost going back and forth. When the keychain cannot be used, the first page says so.

Finishing stores the merchant key (and the shared ledger's password) in the keychain first
(in a worker thread) and then the profile; when the keychain refuses, the summary page says
so plainly with a Retry and nothing is saved. The key and the password live only in their
password fields until then: they are never registered as wizard fields, written to
settings, logged, or put in an exception.

"Test connection" opens the shared ledger as the desk will (:func:`check_ledger`, in a
worker thread: it signs in, checks the server and brings an empty database to the ledger's
schema) and says what failed in plain words (``gui.errors``' table of ``ConnectCode``), or
the server's version and the ledger's revision.

Open it with ``open()`` (never ``exec()`` inside a coroutine).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, final

from PySide6.QtCore import QCoreApplication, QLocale, QSize, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from iotpay_desk.api.redact import register_secret
from iotpay_desk.core.credentials import CredentialStore, KeychainError, KeychainStatus
from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP
from iotpay_desk.core.profiles import (
    ADDRESS_MAX,
    DEFAULT_CUTOFF,
    DEFAULT_LEDGER_PORT,
    DEFAULT_RETYPE_THRESHOLD_CENTS,
    DEFAULT_TIMEZONE,
    FIELD_LABELS,
    MAX_REPEAT_CHARGE_HOURS,
    MAX_UNCONFIRMED_HOURS,
    MIN_UNCONFIRMED_HOURS,
    TRADE_NAME_MAX,
    TRANSLATION_CONTEXT,
    Environment,
    LedgerLocation,
    Problem,
    Profile,
    ProfileStore,
    suggested_tls,
)
from iotpay_desk.services import InvalidInput

from .amounts import format_cents, parse_amount
from .asyncjob import async_slot, gone, run_busy
from .errors import UserMessage, keychain_text, rule_text

__all__ = ["LedgerCheck", "ProfileWizard", "WizardPageId", "check_ledger", "problem_text"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

KEY_FIELD = "merchant_key"
KEY_LABEL = QT_TRANSLATE_NOOP("profile", "Merchant key")
LEDGER_PASSWORD_FIELD = "ledger_password"  # noqa: S105 (a field's name)
LEDGER_PASSWORD_LABEL = QT_TRANSLATE_NOOP("profile", "Ledger password")
LEDGER_FIELDS = (
    "ledger",
    "ledger_host",
    "ledger_port",
    "ledger_database",
    "ledger_user",
    LEDGER_PASSWORD_FIELD,
    "ledger_tls",
)


def _sealed(fn: Callable[..., _T], *args: Any) -> Callable[[], _T]:
    """``fn(*args)`` as a function whose repr shows none of its arguments.

    Work handed to a thread through qasync is written to its debug log with its arguments
    (``functools.partial(..., 'the key')``); a merchant key or a ledger password goes to a
    thread only sealed in this.
    """

    def call() -> _T:
        return fn(*args)

    return call


@dataclass(frozen=True)
class LedgerCheck:
    """What "Test connection" found: the server's PostgreSQL version ("16.4") and the
    ledger's revision ("0002")."""

    server_version: str
    revision: str


def check_ledger(location: LedgerLocation, password: str | None) -> LedgerCheck:
    """Open the shared ledger at ``location`` as the desk will (signing in, checking the
    server, bringing an empty database to the ledger's schema), read what it is, and close
    it. Blocking: call it in a worker thread. Raises ``LedgerConnectError`` (with its
    ``ConnectCode``), ``LedgerTooNew`` or ``NotALedger``."""
    # Imported here: SQLAlchemy and psycopg load only when a ledger is tested.
    from sqlalchemy import text

    from iotpay_desk.ledger import current_revision, open_ledger, postgres_url

    url = postgres_url(
        location.host,
        location.database,
        location.user,
        port=location.port,
        sslmode=location.tls,
    )
    engine = open_ledger(url, password=password or None)
    try:
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar_one())
        revision = current_revision(engine) or ""
    finally:
        engine.dispose()
    return LedgerCheck(version.split(" ", 1)[0], revision)


# The rule texts of core.profiles that the protocol's rule table does not know.
_PROFILE_RULES: dict[str, str] = {
    "must be a loopback address (127.0.0.1 or localhost) for the sandbox": QT_TRANSLATE_NOOP(
        "ProfileRule", "must be a loopback address (127.0.0.1 or localhost) for the sandbox"
    ),
    "must use https unless it is a loopback address": QT_TRANSLATE_NOOP(
        "ProfileRule", "must use https unless it is a loopback address (127.0.0.1 or localhost)"
    ),
    "must not have a query or fragment": QT_TRANSLATE_NOOP(
        "ProfileRule", "must not have a query (?…) or a fragment (#…)"
    ),
    "must not contain spaces": QT_TRANSLATE_NOOP("ProfileRule", "must not contain spaces"),
    "must list at least one login name": QT_TRANSLATE_NOOP(
        "ProfileRule", "must list at least one login name"
    ),
    "is listed twice": QT_TRANSLATE_NOOP("ProfileRule", "is listed twice"),
    "must be one of the operator login names": QT_TRANSLATE_NOOP(
        "ProfileRule", "must be one of the operator login names"
    ),
    "must be a time HH:MM (00:00 to 23:59)": QT_TRANSLATE_NOOP(
        "ProfileRule", "must be a time HH:MM (00:00 to 23:59)"
    ),
    "must be a known time zone such as America/Toronto": QT_TRANSLATE_NOOP(
        "ProfileRule", "must be a known time zone such as America/Toronto"
    ),
    "must not be negative": QT_TRANSLATE_NOOP("ProfileRule", "must not be negative"),
    "is already used by another profile": QT_TRANSLATE_NOOP(
        "ProfileRule", "is already used by another profile"
    ),
    "is only used with a custom URL or the sandbox": QT_TRANSLATE_NOOP(
        "ProfileRule", "is only used with a custom URL or the sandbox"
    ),
    f"must be at least {MIN_UNCONFIRMED_HOURS} hours": QT_TRANSLATE_NOOP(
        "ProfileRule", "must be at least 24 hours (IOTPay may confirm an action late)"
    ),
    "must be a GST/HST number such as 123456789RT0001": QT_TRANSLATE_NOOP(
        "ProfileRule", "must be 9 digits, RT and 4 digits, such as 123456789RT0001"
    ),
    "must be at most 3 lines": QT_TRANSLATE_NOOP("ProfileRule", "must be at most 3 lines"),
    f"at most {ADDRESS_MAX} characters": QT_TRANSLATE_NOOP(
        "ProfileRule", "must be at most 200 characters"
    ),
}

# Time zones offered for the cut-off (the field also takes any other IANA name).
CANADIAN_ZONES = (
    "America/Toronto",
    "America/Vancouver",
    "America/Edmonton",
    "America/Regina",
    "America/Winnipeg",
    "America/Halifax",
    "America/St_Johns",
)


def problem_text(problem: Problem) -> str:
    """ "<field label>: <rule>", both translated."""
    label = problem.label
    if problem.field.startswith("operators["):
        number = problem.field[len("operators[") : -1]
        with contextlib.suppress(ValueError):
            label = QCoreApplication.translate(TRANSLATION_CONTEXT, "Operator login name %1")
            label = label.replace("%1", str(int(number) + 1))
    else:
        label = QCoreApplication.translate(TRANSLATION_CONTEXT, problem.label)
    source = _PROFILE_RULES.get(problem.rule)
    rule = QCoreApplication.translate("ProfileRule", source) if source else rule_text(problem.rule)
    return (
        QCoreApplication.translate("ProfileWizard", "%1: %2")
        .replace("%1", label)
        .replace("%2", rule)
    )


# Keeps the "Operator login name %1" label in the catalogue (core.profiles builds it in English).
QT_TRANSLATE_NOOP("profile", "Operator login name %1")


ALL_FIELDS = (
    "name",
    "environment",
    "custom_url",
    "mch_id",
    KEY_FIELD,
    "operators",
    "default_operator",
    "cutoff",
    "timezone",
    "retype_threshold_cents",
    "unconfirmed_hours",
    "repeat_charge_hours",
    "trade_name",
    "address",
    "tax_number",
    *LEDGER_FIELDS,
)


class WizardPageId:
    WHO = 0
    WHERE = 1
    MERCHANT = 2
    OPERATORS = 3
    LIMITS = 4
    RECEIPTS = 5
    LEDGER = 6
    SUMMARY = 7


def _error_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(f"problem-{name}")
    label.setWordWrap(True)
    label.setStyleSheet("QLabel { color: #b3001b; }")
    label.setVisible(False)
    return label


@final
class _Page(QWizardPage):
    """One page: its fields' problem labels, complete when none of them has a problem."""

    def __init__(self, wizard: ProfileWizard, fields: tuple[str, ...]) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.fields = fields
        self.problem_labels: dict[str, QLabel] = {}
        self.body: QVBoxLayout  # set by ProfileWizard._add

    def problem_label(self, name: str) -> QLabel:
        label = _error_label(self, name)
        self.problem_labels[name] = label
        return label

    def isComplete(self) -> bool:
        # Next and Finish are greyed out only beside a problem on screen; a page not typed
        # in yet keeps them pressable, and pressing them shows what is missing
        # (validatePage) instead of a greyed-out button with no reason given.
        shown = tuple(f for f in self.fields if self._wizard.revealed(f))
        return not self._wizard.problems_for(shown)

    def validatePage(self) -> bool:
        if self._wizard.saved_profile is not None:
            return True  # saved (its key field already cleared): Finish closes
        self._wizard.reveal(self.fields)
        return not self._wizard.problems_for(self.fields)

    def show_problems(self, problems: dict[str, list[str]]) -> None:
        for name, label in self.problem_labels.items():
            # A field's problem shows once it was edited or Next/Finish was pressed: a form
            # that opens covered in red "must not be blank" has not been typed in yet.
            texts = problems.get(name, []) if self._wizard.revealed(name) else []
            label.setText("\n".join(texts))
            label.setVisible(bool(texts))


@final
class ProfileWizard(QWizard):
    """Create a profile (``profile=None``) or edit one (its key is optional: blank keeps it).

    Signals (GUI thread): ``saved(object)`` with the stored :class:`Profile` once it and its
    key were stored; ``sandbox_requested()`` when the user picks "Try the sandbox instead"
    (offered with ``offer_sandbox=True``; the wizard then closes without saving anything).
    """

    saved = Signal(object)
    sandbox_requested = Signal()

    def __init__(
        self,
        store: ProfileStore,
        credentials: CredentialStore,
        *,
        profile: Profile | None = None,
        offer_sandbox: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("profile-wizard")
        self._store = store
        self._credentials = credentials
        self._editing = profile
        self._base = profile or Profile.new("", Environment.TEST)
        self._result: Profile | None = None
        self._saving = False
        # The TLS mode follows the host (verify-full, or prefer on localhost) until chosen.
        self._tls_chosen = False
        # Each edit of the ledger's fields makes a running "Test connection" out of date.
        self._ledger_edits = 0
        # Field → its value as loaded; a field whose value changed shows its problems.
        self._pristine: dict[str, object] = {}
        self._revealed: set[str] = set()
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        if profile is None:
            self.setWindowTitle(self.tr("New merchant profile"))
        else:
            self.setWindowTitle(self.tr("Edit profile %1").replace("%1", profile.name))
        if offer_sandbox:
            self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
            self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Try the &sandbox"))
            sandbox_button = self.button(QWizard.WizardButton.CustomButton1)
            sandbox_button.setObjectName("try-sandbox")
            sandbox_button.setToolTip(
                self.tr(
                    "Start the desk on a local sandbox with a demo merchant; no profile needed."
                )
            )
            self.customButtonClicked.connect(self._on_custom_button)
        self.pages: list[_Page] = []
        self._build_who()
        self._build_where()
        self._build_merchant()
        self._build_operators()
        self._build_limits()
        self._build_receipts()
        self._build_ledger()
        self._build_summary()
        self._load(self._base)
        self._pristine = self._field_values()
        self.currentIdChanged.connect(self._on_page_changed)
        self.revalidate()
        self.set_keychain_status(credentials.last_status)
        fm = self.fontMetrics()
        self.resize(self.sizeHint().expandedTo(QSize(fm.averageCharWidth() * 80, fm.height() * 32)))

    # ------------------------------------------------------------------ pages

    def _add(self, page: _Page, title: str, intro: str) -> _Page:
        """A page with its title and, in its body, the explanation (wrapped; the wizard's
        subtitle area would clip longer translations)."""
        page.setTitle(title)
        self.setPage(len(self.pages), page)
        self.pages.append(page)
        body = QVBoxLayout(page)
        text = QLabel(intro, page)
        text.setObjectName("page-intro")
        text.setWordWrap(True)
        body.addWidget(text)
        page.body = body
        return page

    @staticmethod
    def _form(page: _Page) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        page.body.addLayout(form)
        page.body.addStretch(1)
        return form

    def _build_who(self) -> None:
        page = self._add(
            _Page(self, ("name",)),
            self.tr("Who you are"),
            self.tr("A name for this merchant profile, as the desk's status bar will show it."),
        )
        form = self._form(page)
        self.name_edit = QLineEdit(page)
        self.name_edit.setObjectName("profile-name")
        self.name_edit.setPlaceholderText(self.tr("e.g. Demo Café — front counter"))
        label = QLabel(self.tr("Profile n&ame:"), page)
        label.setBuddy(self.name_edit)
        form.addRow(label, self.name_edit)
        form.addRow("", page.problem_label("name"))
        self.name_edit.textChanged.connect(self.revalidate)
        # Said on the first page, not only at Finish: without a usable keychain the
        # merchant key cannot be saved, so neither can the profile.
        self.keychain_notice = QLabel(page)
        self.keychain_notice.setObjectName("keychain-notice")
        self.keychain_notice.setWordWrap(True)
        self.keychain_notice.setStyleSheet(
            "QLabel#keychain-notice { background: #fff1c2; border: 1px solid #c99a00;"
            " color: #2b2100; padding: 0.4em 0.6em; }"
        )
        self.keychain_notice.setVisible(False)
        page.body.insertWidget(1, self.keychain_notice)

    def _build_where(self) -> None:
        page = self._add(
            _Page(self, ("environment", "custom_url")),
            self.tr("Where"),
            self.tr("Which IOTPay server this profile talks to."),
        )
        layout = page.body
        self.env_group = QButtonGroup(page)
        self.env_buttons: dict[Environment, QRadioButton] = {}
        texts = {
            Environment.PRODUCTION: self.tr("&Production (ccapi.iotpaycloud.com)"),
            Environment.TEST: self.tr("IOTPay &test host (ccdev.iotpaycloud.com)"),
            Environment.CUSTOM: self.tr("C&ustom URL"),
            Environment.SANDBOX: self.tr("&Local sandbox"),
        }
        for env, text in texts.items():
            button = QRadioButton(text, page)
            button.setObjectName(f"environment-{env.value}")
            self.env_group.addButton(button)
            self.env_buttons[env] = button
            layout.addWidget(button)
            if env is Environment.PRODUCTION:
                self.production_warning = QLabel(
                    self.tr(
                        "PRODUCTION: refunds, voids and charges made with this profile move "
                        "real money on real cards."
                    ),
                    page,
                )
                self.production_warning.setObjectName("production-warning")
                self.production_warning.setWordWrap(True)
                self.production_warning.setStyleSheet(
                    "QLabel#production-warning { background: #b3001b; color: #ffffff;"
                    " font-weight: bold; padding: 0.3em 0.6em; }"
                )
                self.production_warning.setVisible(False)
                layout.addWidget(self.production_warning)
        # The sandbox is chosen by "Try the sandbox" / --sandbox, not typed in here.
        self.env_buttons[Environment.SANDBOX].setVisible(False)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.url_edit = QLineEdit(page)
        self.url_edit.setObjectName("custom-url")
        self.url_edit.setPlaceholderText("https://iotpay.example.com")
        self.url_label = QLabel(self.tr("Server U&RL:"), page)
        self.url_label.setBuddy(self.url_edit)
        form.addRow(self.url_label, self.url_edit)
        hint = QLabel(self.tr("https only; http is accepted for 127.0.0.1 and localhost."), page)
        hint.setWordWrap(True)
        hint.setEnabled(False)
        form.addRow("", hint)
        self.url_hint = hint
        form.addRow("", page.problem_label("custom_url"))
        form.addRow("", page.problem_label("environment"))
        layout.addLayout(form)
        layout.addStretch(1)
        self.env_group.buttonToggled.connect(lambda *_: self._environment_changed())
        self.url_edit.textChanged.connect(self.revalidate)

    def _build_merchant(self) -> None:
        page = self._add(
            _Page(self, ("mch_id", KEY_FIELD)),
            self.tr("Merchant"),
            self.tr(
                "The merchant ID and key IOTPay gave you. The key is kept only in the system "
                "keychain."
            ),
        )
        form = self._form(page)
        self.mch_edit = QLineEdit(page)
        self.mch_edit.setObjectName("mch-id")
        label = QLabel(self.tr("&Merchant ID (mchId):"), page)
        label.setBuddy(self.mch_edit)
        form.addRow(label, self.mch_edit)
        form.addRow("", page.problem_label("mch_id"))
        self.key_edit = QLineEdit(page)
        self.key_edit.setObjectName("merchant-key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhSensitiveData
        )
        self.show_key = QCheckBox(self.tr("S&how"), page)
        self.show_key.setObjectName("show-key")
        self.show_key.toggled.connect(self._toggle_key)
        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.show_key)
        key_label = QLabel(self.tr("Merchant &key:"), page)
        key_label.setBuddy(self.key_edit)
        form.addRow(key_label, row)
        if self._editing is not None:
            self.key_edit.setPlaceholderText(self.tr("Leave blank to keep the stored key"))
        form.addRow("", page.problem_label(KEY_FIELD))
        self.mch_edit.textChanged.connect(self.revalidate)
        self.key_edit.textChanged.connect(self.revalidate)

    def _build_operators(self) -> None:
        page = self._add(
            _Page(self, ("operators", "default_operator")),
            self.tr("Operators"),
            self.tr(
                "The IOTPay login names (loginName) of the people who refund and charge here, "
                "one per line, at most 12 characters each."
            ),
        )
        form = self._form(page)
        self.operators_edit = QPlainTextEdit(page)
        self.operators_edit.setObjectName("operators")
        self.operators_edit.setTabChangesFocus(True)
        self.operators_edit.setMaximumHeight(self.fontMetrics().height() * 7)
        label = QLabel(self.tr("Operator &login names:"), page)
        label.setBuddy(self.operators_edit)
        form.addRow(label, self.operators_edit)
        form.addRow("", page.problem_label("operators"))
        self.default_combo = QComboBox(page)
        self.default_combo.setObjectName("default-operator")
        default_label = QLabel(self.tr("&Default operator:"), page)
        default_label.setBuddy(self.default_combo)
        form.addRow(default_label, self.default_combo)
        form.addRow("", page.problem_label("default_operator"))
        self.operators_edit.textChanged.connect(self._operators_changed)
        self.default_combo.currentIndexChanged.connect(lambda _i: self.revalidate())

    def _build_limits(self) -> None:
        page = self._add(
            _Page(
                self,
                (
                    "cutoff",
                    "timezone",
                    "retype_threshold_cents",
                    "unconfirmed_hours",
                    "repeat_charge_hours",
                ),
            ),
            self.tr("Cut-off and limits"),
            self.tr(
                "When IOTPay closes the day's batch (a payment can be voided until then), and "
                "above which amount a refund must be typed twice."
            ),
        )
        form = self._form(page)
        self.cutoff_edit = QTimeEdit(page)
        self.cutoff_edit.setObjectName("cutoff")
        self.cutoff_edit.setDisplayFormat("HH:mm")
        label = QLabel(self.tr("Daily batch &cut-off:"), page)
        label.setBuddy(self.cutoff_edit)
        form.addRow(label, self.cutoff_edit)
        form.addRow("", page.problem_label("cutoff"))
        self.zone_combo = QComboBox(page)
        self.zone_combo.setObjectName("timezone")
        self.zone_combo.setEditable(True)
        self.zone_combo.addItems(list(CANADIAN_ZONES))
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        zone_label = QLabel(self.tr("&Time zone:"), page)
        zone_label.setBuddy(self.zone_combo)
        form.addRow(zone_label, self.zone_combo)
        form.addRow("", page.problem_label("timezone"))
        self.threshold_edit = QLineEdit(page)
        self.threshold_edit.setObjectName("retype-threshold")
        threshold_label = QLabel(self.tr("&Retype refund amounts above:"), page)
        threshold_label.setBuddy(self.threshold_edit)
        form.addRow(threshold_label, self.threshold_edit)
        form.addRow("", page.problem_label("retype_threshold_cents"))
        self.unconfirmed_spin = self._hours_box(page, "unconfirmed-hours", MAX_UNCONFIRMED_HOURS)
        unconfirmed_label = QLabel(self.tr("Keep checking &unconfirmed actions for:"), page)
        unconfirmed_label.setBuddy(self.unconfirmed_spin)
        form.addRow(unconfirmed_label, self.unconfirmed_spin)
        form.addRow("", page.problem_label("unconfirmed_hours"))
        self.repeat_spin = self._hours_box(page, "repeat-charge-hours", MAX_REPEAT_CHARGE_HOURS)
        repeat_label = QLabel(self.tr("&Warn of a repeat charge within:"), page)
        repeat_label.setBuddy(self.repeat_spin)
        form.addRow(repeat_label, self.repeat_spin)
        form.addRow("", page.problem_label("repeat_charge_hours"))
        self.cutoff_edit.timeChanged.connect(lambda _t: self.revalidate())
        self.zone_combo.currentTextChanged.connect(lambda _t: self.revalidate())
        self.threshold_edit.textChanged.connect(self.revalidate)

    def _hours_box(self, page: _Page, name: str, most: int) -> QSpinBox:
        """A number of hours; below the rule's minimum is kept and shown as a problem."""
        box = QSpinBox(page)
        box.setObjectName(name)
        box.setRange(0, most)
        box.setSuffix(self.tr(" hours"))
        box.valueChanged.connect(lambda _v: self.revalidate())
        return box

    def _build_receipts(self) -> None:
        page = self._add(
            _Page(self, ("trade_name", "address", "tax_number")),
            self.tr("Receipts"),
            self.tr(
                "What receipts say about the merchant: the trade name (the profile name when "
                "left blank), the address in up to three lines and the GST/HST registration "
                "number."
            ),
        )
        form = self._form(page)
        self.trade_name_edit = QLineEdit(page)
        self.trade_name_edit.setObjectName("trade-name")
        self.trade_name_edit.setMaxLength(TRADE_NAME_MAX)
        self.trade_name_edit.setPlaceholderText(self.tr("e.g. Demo Café Ltd."))
        trade_label = QLabel(self.tr("&Trade name on receipts:"), page)
        trade_label.setBuddy(self.trade_name_edit)
        form.addRow(trade_label, self.trade_name_edit)
        form.addRow("", page.problem_label("trade_name"))
        self.address_edit = QPlainTextEdit(page)
        self.address_edit.setObjectName("address")
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setPlaceholderText(self.tr("123 Queen St W\nToronto ON M5H 2M9"))
        self.address_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        address_label = QLabel(self.tr("&Address on receipts:"), page)
        address_label.setBuddy(self.address_edit)
        form.addRow(address_label, self.address_edit)
        form.addRow("", page.problem_label("address"))
        self.tax_edit = QLineEdit(page)
        self.tax_edit.setObjectName("tax-number")
        self.tax_edit.setPlaceholderText(self.tr("e.g. 123456789RT0001"))
        tax_label = QLabel(self.tr("&GST/HST number:"), page)
        tax_label.setBuddy(self.tax_edit)
        form.addRow(tax_label, self.tax_edit)
        form.addRow("", page.problem_label("tax_number"))
        self.trade_name_edit.textChanged.connect(self.revalidate)
        self.address_edit.textChanged.connect(self.revalidate)
        self.tax_edit.textChanged.connect(self.revalidate)

    def _build_ledger(self) -> None:
        page = self._add(
            _Page(self, LEDGER_FIELDS),
            self.tr("Ledger"),
            self.tr(
                "Where the desk keeps the merchant's ledger of refunds, voids and charges. "
                "Desks that share a PostgreSQL server see each other's actions."
            ),
        )
        layout = page.body
        self.ledger_group = QButtonGroup(page)
        self.ledger_local = QRadioButton(self.tr("&On this computer (one desk)"), page)
        self.ledger_local.setObjectName("ledger-local")
        self.ledger_shared = QRadioButton(
            self.tr("Shared Post&greSQL server (several desks)"), page
        )
        self.ledger_shared.setObjectName("ledger-postgresql")
        for button in (self.ledger_local, self.ledger_shared):
            self.ledger_group.addButton(button)
            layout.addWidget(button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.ledger_widgets: list[QWidget] = []
        # Wrapped texts take the field column's whole width (fewer lines, nothing clipped).
        wide = (QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        def label_for(text: str, editor: QWidget) -> QLabel:
            label = QLabel(text, page)
            label.setBuddy(editor)
            self.ledger_widgets.append(label)
            return label

        def row(
            text: str, editor: QWidget | QHBoxLayout, *fields: str, buddy: QWidget | None = None
        ) -> None:
            form.addRow(label_for(text, buddy or editor), editor)  # type: ignore[arg-type]
            for field in fields:
                form.addRow("", page.problem_label(field))
            if isinstance(editor, QWidget):
                self.ledger_widgets.append(editor)

        # Host and port on one line, as they are written (host:port).
        self.ledger_host_edit = QLineEdit(page)
        self.ledger_host_edit.setObjectName("ledger-host")
        self.ledger_host_edit.setPlaceholderText(self.tr("e.g. ledger.example.ca or 192.168.1.20"))
        self.ledger_port_spin = QSpinBox(page)
        self.ledger_port_spin.setObjectName("ledger-port")
        self.ledger_port_spin.setRange(1, 65535)
        self.ledger_port_spin.setGroupSeparatorShown(False)
        host_row = QHBoxLayout()
        host_row.addWidget(self.ledger_host_edit, 1)
        host_row.addWidget(label_for(self.tr("Po&rt:"), self.ledger_port_spin))
        host_row.addWidget(self.ledger_port_spin)
        self.ledger_widgets += [self.ledger_host_edit, self.ledger_port_spin]
        row(self.tr("&Host:"), host_row, "ledger_host", "ledger_port", buddy=self.ledger_host_edit)
        self.ledger_database_edit = QLineEdit(page)
        self.ledger_database_edit.setObjectName("ledger-database")
        self.ledger_database_edit.setPlaceholderText(self.tr("e.g. iotpay_ledger"))
        row(self.tr("&Database:"), self.ledger_database_edit, "ledger_database")
        self.ledger_user_edit = QLineEdit(page)
        self.ledger_user_edit.setObjectName("ledger-user")
        row(self.tr("&User:"), self.ledger_user_edit, "ledger_user")
        self.ledger_password_edit = QLineEdit(page)
        self.ledger_password_edit.setObjectName("ledger-password")
        self.ledger_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.ledger_password_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhSensitiveData
        )
        if self._editing is not None and self._editing.ledger.is_shared:
            self.ledger_password_edit.setPlaceholderText(
                self.tr("Leave blank to keep the stored password")
            )
        self.show_ledger_password = QCheckBox(self.tr("Sho&w"), page)
        self.show_ledger_password.setObjectName("show-ledger-password")
        self.show_ledger_password.toggled.connect(
            lambda shown: self.ledger_password_edit.setEchoMode(
                QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
            )
        )
        password_row = QHBoxLayout()
        password_row.addWidget(self.ledger_password_edit, 1)
        password_row.addWidget(self.show_ledger_password)
        self.ledger_widgets += [self.ledger_password_edit, self.show_ledger_password]
        row(
            self.tr("P&assword:"),
            password_row,
            LEDGER_PASSWORD_FIELD,
            buddy=self.ledger_password_edit,
        )
        self.ledger_tls_combo = QComboBox(page)
        self.ledger_tls_combo.setObjectName("ledger-tls")
        for mode, text in (
            ("verify-full", self.tr("Encrypted, certificate checked (verify-full)")),
            ("require", self.tr("Encrypted, not checked (require)")),
            ("prefer", self.tr("Encrypted if offered (prefer)")),
            ("disable", self.tr("Not encrypted (disable)")),
        ):
            self.ledger_tls_combo.addItem(text, mode)
        self.ledger_tls_combo.setToolTip(
            self.tr(
                "The password and the payment records cross the network: keep “verify-full” "
                "unless the server is on this computer. It needs the server's CA certificate "
                "in ~/.postgresql/root.crt on this computer."
            )
        )
        row(self.tr("TLS &mode:"), self.ledger_tls_combo, "ledger_tls")
        self.ledger_test_button = QPushButton(self.tr("T&est connection"), page)
        self.ledger_test_button.setObjectName("ledger-test")
        self.ledger_test_button.setToolTip(
            self.tr(
                "Signs in to the server as this user and prepares the ledger's tables in an "
                "empty database, as the desk will when it starts."
            )
        )
        self.ledger_test_button.clicked.connect(self.test_ledger)
        self.ledger_result = QLabel(page)
        self.ledger_result.setObjectName("ledger-test-result")
        self.ledger_result.setWordWrap(True)
        self.ledger_result.setSizePolicy(*wide)
        self.ledger_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ledger_result.setVisible(False)
        test_row = QHBoxLayout()
        test_row.addWidget(self.ledger_test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.ledger_result, 1)
        form.addRow("", test_row)
        self.ledger_widgets.append(self.ledger_test_button)
        layout.addLayout(form)
        layout.addWidget(page.problem_label("ledger"))
        layout.addStretch(1)
        self.ledger_group.buttonToggled.connect(lambda *_: self._ledger_kind_changed())
        self.ledger_host_edit.textChanged.connect(self._ledger_host_changed)
        self.ledger_tls_combo.activated.connect(self._ledger_tls_chosen)
        self.ledger_tls_combo.currentIndexChanged.connect(lambda _i: self._ledger_edited())
        for edit in (
            self.ledger_database_edit,
            self.ledger_user_edit,
            self.ledger_password_edit,
        ):
            edit.textChanged.connect(self._ledger_edited)
        self.ledger_port_spin.valueChanged.connect(lambda _v: self._ledger_edited())

    def _build_summary(self) -> None:
        page = self._add(
            _Page(self, ALL_FIELDS),
            self.tr("Summary"),
            self.tr("Check the profile, then press Finish to save it."),
        )
        layout = page.body
        self.summary_warning = QLabel(
            self.tr("PRODUCTION: this profile moves real money."),
            page,
        )
        self.summary_warning.setObjectName("summary-production")
        self.summary_warning.setWordWrap(True)
        self.summary_warning.setStyleSheet(
            "QLabel#summary-production { background: #b3001b; color: #ffffff;"
            " font-weight: bold; padding: 0.3em 0.6em; }"
        )
        layout.addWidget(self.summary_warning)
        self.summary_form = QFormLayout()
        self.summary_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.summary_values: dict[str, QLabel] = {}
        rows = {
            "name": self.tr("Profile name:"),
            "environment": self.tr("Environment:"),
            "mch_id": self.tr("Merchant ID (mchId):"),
            KEY_FIELD: self.tr("Merchant key:"),
            "operators": self.tr("Operators:"),
            "cutoff": self.tr("Daily batch cut-off:"),
            "retype_threshold_cents": self.tr("Retype refund amounts above:"),
            "trade_name": self.tr("Receipts:"),
            "ledger": self.tr("Ledger:"),
        }
        for name, text in rows.items():
            value = QLabel(page)
            value.setObjectName(f"summary-{name}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.summary_values[name] = value
            self.summary_form.addRow(QLabel(text, page), value)
        layout.addLayout(self.summary_form)
        # Shown when saving failed (a locked or missing keychain …): what happened, what to do.
        self.failure = QFrame(page)
        self.failure.setObjectName("save-failure")
        self.failure.setFrameShape(QFrame.Shape.StyledPanel)
        self.failure.setStyleSheet(
            "QFrame#save-failure { background: #fff1c2; border: 1px solid #c99a00; }"
            " QFrame#save-failure QLabel { color: #2b2100; }"
        )
        self.failure_text = QLabel(self.failure)
        self.failure_text.setObjectName("save-failure-text")
        self.failure_text.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("&Retry"), self.failure)
        self.retry_button.setObjectName("save-retry")
        self.retry_button.clicked.connect(self._retry)
        box = QHBoxLayout(self.failure)
        box.addWidget(self.failure_text, 1)
        box.addWidget(self.retry_button)
        self.failure.setVisible(False)
        layout.addWidget(self.failure)
        layout.addStretch(1)

    # ------------------------------------------------------------------ values

    def _load(self, p: Profile) -> None:
        self.name_edit.setText(p.name)
        env = p.environment
        self.env_buttons[env].setChecked(True)
        if env is Environment.SANDBOX:
            self.env_buttons[env].setVisible(True)
        self.url_edit.setText(p.custom_url or "")
        self.mch_edit.setText(p.mch_id)
        self.operators_edit.setPlainText("\n".join(p.operators))
        self._refill_default(p.default_operator)
        hh, _, mm = (p.cutoff or DEFAULT_CUTOFF).partition(":")
        t = QTime(int(hh), int(mm)) if hh.isdigit() and mm.isdigit() else QTime(21, 0)
        self.cutoff_edit.setTime(t)
        self.zone_combo.setCurrentText(p.timezone or DEFAULT_TIMEZONE)
        self.threshold_edit.setText(
            format_cents(p.retype_threshold_cents or DEFAULT_RETYPE_THRESHOLD_CENTS)
        )
        self.unconfirmed_spin.setValue(p.unconfirmed_hours)
        self.repeat_spin.setValue(p.repeat_charge_hours)
        self.trade_name_edit.setText(p.trade_name)
        self.address_edit.setPlainText(p.address)
        self.tax_edit.setText(p.tax_number)
        self._load_ledger(p.ledger)
        self._environment_changed()

    def _load_ledger(self, location: LedgerLocation) -> None:
        shared = location.is_shared
        (self.ledger_shared if shared else self.ledger_local).setChecked(True)
        self.ledger_host_edit.setText(location.host if shared else "")
        self.ledger_port_spin.setValue(location.port if shared else DEFAULT_LEDGER_PORT)
        self.ledger_database_edit.setText(location.database if shared else "")
        self.ledger_user_edit.setText(location.user if shared else "")
        self._set_tls(location.tls if shared else suggested_tls(""))
        self._tls_chosen = shared
        self._ledger_kind_changed()

    def _set_tls(self, mode: str) -> None:
        index = self.ledger_tls_combo.findData(mode)
        if index >= 0:
            self.ledger_tls_combo.setCurrentIndex(index)

    def ledger_location(self) -> LedgerLocation:
        """Where the ledger lives, as the Ledger page says (for a local ledger, what was
        typed for a server is kept on the page, not in the profile)."""
        if not self.ledger_shared.isChecked():
            return LedgerLocation.local()
        tls = self.ledger_tls_combo.currentData()
        return LedgerLocation.postgresql(
            self.ledger_host_edit.text().strip(),
            self.ledger_database_edit.text().strip(),
            self.ledger_user_edit.text().strip(),
            port=self.ledger_port_spin.value(),
            tls=tls if isinstance(tls, str) else None,
        )

    def environment(self) -> Environment:
        for env, button in self.env_buttons.items():
            if button.isChecked():
                return env
        return Environment.TEST

    def operator_names(self) -> list[str]:
        """The login names as typed, one per line (blank lines left out)."""
        return [line for line in self.operators_edit.toPlainText().split("\n") if line.strip()]

    def draft(self) -> tuple[Profile, list[Problem]]:
        """The profile the fields describe, and every problem with it (store rules included)."""
        extra: list[Problem] = []
        env = self.environment()
        threshold = self._base.retype_threshold_cents
        try:
            threshold = parse_amount(self.threshold_edit.text(), QLocale())
        except InvalidInput as exc:
            extra.append(
                Problem(
                    "retype_threshold_cents",
                    FIELD_LABELS["retype_threshold_cents"],
                    exc.rule,
                )
            )
        default = self.default_combo.currentData()
        profile = self._base.with_changes(
            name=self.name_edit.text().strip(),
            environment=env,
            custom_url=(self.url_edit.text().strip() or None) if env.fixed_url is None else None,
            mch_id=self.mch_edit.text().strip(),
            operators=self.operator_names(),
            default_operator=default if isinstance(default, str) and default else None,
            cutoff=self.cutoff_edit.time().toString("HH:mm"),
            timezone=self.zone_combo.currentText().strip(),
            retype_threshold_cents=threshold,
            unconfirmed_hours=self.unconfirmed_spin.value(),
            repeat_charge_hours=self.repeat_spin.value(),
            trade_name=self.trade_name_edit.text().strip(),
            address="\n".join(
                line.strip() for line in self.address_edit.toPlainText().strip().split("\n")
            ),
            tax_number=self.tax_edit.text().strip(),
            ledger=self.ledger_location(),
        )
        problems = [
            p
            for p in self._store.check(profile)
            if not (p.field == "retype_threshold_cents" and extra)
        ]
        key_rule = self._key_rule(self.key_edit.text())
        if key_rule:
            extra.append(Problem(KEY_FIELD, KEY_LABEL, key_rule))
        password = self.ledger_password_edit.text()
        if profile.ledger.is_shared and any(ord(c) < 32 or ord(c) == 127 for c in password):
            extra.append(
                Problem(
                    LEDGER_PASSWORD_FIELD,
                    LEDGER_PASSWORD_LABEL,
                    "must not contain control characters",
                )
            )
        return profile, problems + extra

    def _key_rule(self, key: str) -> str | None:
        if not key:
            return None if self._editing is not None else "must not be blank"
        if not key.strip():
            return "must not be blank"
        if any(ord(c) < 32 or ord(c) == 127 for c in key):
            return "must not contain control characters"
        if key != key.strip():
            return "must not start or end with a space"
        return None

    def problems(self) -> dict[str, list[str]]:
        """Problem texts by the field they are shown beside."""
        out: dict[str, list[str]] = {}
        for p in self.draft()[1]:
            where = "operators" if p.field.startswith("operators[") else p.field
            out.setdefault(where, []).append(problem_text(p))
        return out

    def problems_for(self, fields: tuple[str, ...]) -> list[str]:
        found = self.problems()
        return [t for f in fields for t in found.get(f, [])]

    # ------------------------------------------------------------------ reactions

    def _field_values(self) -> dict[str, object]:
        """What each field holds now (to tell which fields the user has edited)."""
        return {
            "name": self.name_edit.text(),
            "environment": self.environment(),
            "custom_url": self.url_edit.text(),
            "mch_id": self.mch_edit.text(),
            KEY_FIELD: self.key_edit.text(),
            "operators": self.operators_edit.toPlainText(),
            "default_operator": self.default_combo.currentData(),
            "cutoff": self.cutoff_edit.time().toString("HH:mm"),
            "timezone": self.zone_combo.currentText(),
            "retype_threshold_cents": self.threshold_edit.text(),
            "ledger": self.ledger_shared.isChecked(),
            "ledger_host": self.ledger_host_edit.text(),
            "ledger_port": self.ledger_port_spin.value(),
            "ledger_database": self.ledger_database_edit.text(),
            "ledger_user": self.ledger_user_edit.text(),
            LEDGER_PASSWORD_FIELD: self.ledger_password_edit.text(),
            "ledger_tls": self.ledger_tls_combo.currentData(),
        }

    def revealed(self, field: str) -> bool:
        """Whether ``field``'s problems are shown: once edited, or once Next/Finish was
        pressed on its page (fields this list does not know are always shown)."""
        return field in self._revealed or field not in self._pristine

    def reveal(self, fields: tuple[str, ...]) -> None:
        self._revealed.update(fields)
        self.revalidate()

    def set_keychain_status(self, status: KeychainStatus | None) -> None:
        """On the first page: whether the keychain can keep the merchant key, and what to do
        when it cannot (``None``: not checked yet, nothing said)."""
        if status is None or status.usable:
            self.keychain_notice.setVisible(False)
            return
        parts = [
            self.tr(
                "The merchant key is kept only in the system keychain, and the keychain cannot "
                "be used now, so this profile cannot be saved yet."
            ),
            keychain_text(status.message),
        ]
        if self.testOption(QWizard.WizardOption.HaveCustomButton1):
            parts.append(self.tr("Meanwhile, “Try the sandbox” works without a keychain."))
        self.keychain_notice.setText(" ".join(p for p in parts if p))
        self.keychain_notice.setVisible(True)

    def revalidate(self) -> None:
        if self._pristine:
            now = self._field_values()
            self._revealed.update(f for f, v in now.items() if v != self._pristine.get(f, v))
        problems = self.problems()
        for page in self.pages:
            page.show_problems(problems)
            page.completeChanged.emit()

    def _environment_changed(self) -> None:
        env = self.environment()
        custom = env.fixed_url is None
        for w in (self.url_edit, self.url_label, self.url_hint):
            w.setEnabled(custom)
        self.url_hint.setEnabled(False)  # the quieter colour, like the Settings hints
        self.url_hint.setVisible(custom)
        self.production_warning.setVisible(env is Environment.PRODUCTION)
        self.revalidate()

    def _ledger_kind_changed(self) -> None:
        shared = self.ledger_shared.isChecked()
        for w in self.ledger_widgets:
            w.setEnabled(shared)
        self._ledger_edited()

    def _ledger_host_changed(self, host: str) -> None:
        if not self._tls_chosen:
            self._set_tls(suggested_tls(host.strip()))
        self._ledger_edited()

    def _ledger_tls_chosen(self, _index: int) -> None:
        self._tls_chosen = True

    def _ledger_edited(self) -> None:
        """A ledger field changed: a test result on screen no longer says anything."""
        self._ledger_edits += 1
        self.ledger_result.setProperty("ok", None)
        self.ledger_result.clear()
        self.ledger_result.setVisible(False)
        self.revalidate()

    def _say_ledger(self, text: str, ok: bool | None) -> None:
        """The test's outcome beside its button: green when connected, red when not."""
        colour = {True: "#1b6e20", False: "#b3001b", None: ""}[ok]
        self.ledger_result.setStyleSheet(f"QLabel {{ color: {colour}; }}" if colour else "")
        self.ledger_result.setProperty("ok", ok)
        self.ledger_result.setText(text)
        self.ledger_result.setVisible(bool(text))

    @async_slot()
    async def test_ledger(self) -> None:
        """Open the shared ledger the fields describe, off the GUI thread, and say how it
        went (the password typed, else the one stored for this profile)."""
        location = self.ledger_location()
        if not location.is_shared:
            return
        self.reveal(LEDGER_FIELDS)
        if self.problems_for(LEDGER_FIELDS):
            self._say_ledger(
                self.tr("Correct the fields marked in red first; nothing was tried."), False
            )
            return
        password = self.ledger_password_edit.text()
        edits = self._ledger_edits
        self._say_ledger(self.tr("Connecting to %1…").replace("%1", location.display()), None)
        result = await run_busy(
            [self.ledger_test_button],
            self._check_ledger(location, password),
            progress_text=self.tr("Testing the connection to the ledger…"),
            on_error=lambda m: self._said_ledger_failure(m, edits),
            parent=self,
        )
        if gone(self) or result.value is None or edits != self._ledger_edits:
            return
        check = result.value
        revision = check.revision.lstrip("0") or check.revision
        self._say_ledger(
            self.tr("Connected: PostgreSQL %1, ledger at revision %2")
            .replace("%1", check.server_version)
            .replace("%2", revision),
            True,
        )

    async def _check_ledger(self, location: LedgerLocation, password: str) -> LedgerCheck:
        if not password and self._editing is not None:
            stored = await asyncio.to_thread(
                self._credentials.get_ledger_password, self._editing.id
            )
            password = stored or ""
        return await asyncio.to_thread(_sealed(check_ledger, location, password))

    def _said_ledger_failure(self, message: UserMessage, edits: int) -> None:
        if not gone(self) and edits == self._ledger_edits:
            self._say_ledger(message.text, False)

    def _refill_default(self, wanted: str | None) -> None:
        combo = self.default_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("(the first one)"), "")
        for name in self.operator_names():
            if combo.findData(name) < 0:
                combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(wanted or "")))
        combo.blockSignals(False)

    def _operators_changed(self) -> None:
        current = self.default_combo.currentData()
        self._refill_default(current if isinstance(current, str) else None)
        self.revalidate()

    def _toggle_key(self, shown: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )

    def _on_page_changed(self, page_id: int) -> None:
        if page_id == WizardPageId.SUMMARY:
            self._fill_summary()
        # Leaving the merchant page hides the key again; the ledger page, its password.
        if page_id != WizardPageId.MERCHANT and self.show_key.isChecked():
            self.show_key.setChecked(False)
        if page_id != WizardPageId.LEDGER and self.show_ledger_password.isChecked():
            self.show_ledger_password.setChecked(False)

    def _fill_summary(self) -> None:
        profile, _ = self.draft()
        env = profile.environment
        env_text = QCoreApplication.translate(TRANSLATION_CONTEXT, env.label)
        if env.fixed_url is None and profile.custom_url:
            env_text += f" — {profile.custom_url}"
        if self.key_edit.text():
            key_text = self.tr("entered; it will be stored in the system keychain")
        else:
            key_text = self.tr("unchanged (kept in the system keychain)")
        ops = list(profile.operators)
        if profile.login_name:
            ops = [
                self.tr("%1 (default)").replace("%1", op) if op == profile.login_name else op
                for op in ops
            ]
        values = {
            "name": profile.name,
            "environment": env_text,
            "mch_id": profile.mch_id,
            KEY_FIELD: key_text,
            "operators": ", ".join(ops),
            "cutoff": f"{profile.cutoff} ({profile.timezone})",
            "retype_threshold_cents": format_cents(profile.retype_threshold_cents),
            "trade_name": " · ".join(
                part
                for part in (
                    profile.trade_name or profile.name,
                    ", ".join(profile.address.split("\n")),
                    profile.tax_number,
                )
                if part
            ),
            "ledger": self._ledger_summary(profile.ledger),
        }
        for name, text in values.items():
            self.summary_values[name].setText(text)
        self.summary_warning.setVisible(env is Environment.PRODUCTION)

    def _ledger_summary(self, location: LedgerLocation) -> str:
        if not location.is_shared:
            return self.tr("on this computer")
        if self.ledger_password_edit.text():
            password = self.tr("password entered; it will be stored in the system keychain")
        elif self._editing is not None and self._editing.ledger.is_shared:
            password = self.tr("password unchanged (kept in the system keychain)")
        else:
            password = self.tr("no password")
        return (
            self.tr("PostgreSQL %1, TLS %2; %3")
            .replace("%1", location.display())
            .replace("%2", location.tls)
            .replace("%3", password)
        )

    def nextId(self) -> int:
        """Opened at one page ("Receipts…", "Ledger…" in the Profiles window), Next goes from
        it to the summary; from the first page, through every page."""
        current = self.currentId()
        if current == self.startId() and current not in (WizardPageId.WHO, WizardPageId.SUMMARY):
            return WizardPageId.SUMMARY
        return int(super().nextId())

    def _on_custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.sandbox_requested.emit()
            self.reject()

    # ------------------------------------------------------------------ saving

    @property
    def saved_profile(self) -> Profile | None:
        return self._result

    @property
    def saving(self) -> bool:
        return self._saving

    def accept(self) -> None:
        """Finish: store the key and the profile (off the GUI thread); close once stored."""
        if self._result is not None:
            super().accept()
            return
        if not self._saving:
            self.save()

    def _retry(self) -> None:
        self.save()

    @async_slot()
    async def save(self) -> None:
        profile, problems = self.draft()
        if problems or self._saving:
            self.reveal(ALL_FIELDS)
            return
        key = self.key_edit.text()
        ledger_password = self.ledger_password_edit.text() if profile.ledger.is_shared else ""
        self._saving = True
        self.failure.setVisible(False)
        controls = [
            self.button(QWizard.WizardButton.FinishButton),
            self.button(QWizard.WizardButton.BackButton),
            self.button(QWizard.WizardButton.CancelButton),
            self.retry_button,
        ]
        try:
            result = await run_busy(
                controls,
                self._write(profile, key, ledger_password),
                progress_text=self.tr("Saving the profile…"),
                on_error=self._say_failure,
                parent=self,
            )
        finally:
            self._saving = False
        if gone(self) or result.value is None:
            return
        self._result = result.value
        self.key_edit.clear()
        self.ledger_password_edit.clear()
        self.saved.emit(result.value)
        super().accept()

    async def _write(self, profile: Profile, key: str, ledger_password: str) -> Profile:
        """Key and ledger password first, then the profile; if anything fails, what was
        stored in the keychain is undone."""
        store, creds, pid = self._store, self._credentials, profile.id
        editing = self._editing is not None
        undo: list[Callable[[], object]] = []
        try:
            if key:
                previous = await asyncio.to_thread(creds.get_key, pid) if editing else None
                register_secret(key)
                await asyncio.to_thread(_sealed(creds.set_key, pid, key))
                undo.append(
                    _sealed(creds.set_key, pid, previous)
                    if previous is not None
                    else _sealed(creds.delete_key, pid)
                )
            if ledger_password:
                previous_pw = (
                    await asyncio.to_thread(creds.get_ledger_password, pid) if editing else None
                )
                register_secret(ledger_password)
                await asyncio.to_thread(_sealed(creds.set_ledger_password, pid, ledger_password))
                undo.append(
                    _sealed(creds.set_ledger_password, pid, previous_pw)
                    if previous_pw is not None
                    else _sealed(creds.delete_ledger_password, pid)
                )
            if self._editing is None:
                saved = await asyncio.to_thread(store.add, profile)
            else:
                saved = await asyncio.to_thread(store.update, profile)
        except BaseException:
            for step in reversed(undo):
                with contextlib.suppress(KeychainError, ValueError):
                    await asyncio.to_thread(step)
            raise
        if self._editing is not None and self._editing.ledger.is_shared and saved.ledger.is_local:
            # Back on this computer: the server's password is of no use any more.
            try:
                await asyncio.to_thread(creds.delete_ledger_password, pid)
            except KeychainError as exc:
                log.warning("the old ledger password stays in the keychain (%s)", exc.detail)
        return saved

    def _say_failure(self, message: UserMessage) -> None:
        if gone(self):
            return
        self.failure_text.setText(
            message.text + " " + self.tr("Nothing was saved; what you typed is still here.")
        )
        self.failure.setVisible(True)

"""From core errors to what the user reads.

Three kinds of failure (plus one state that is not a failure):

* ``Kind.USER`` — something the user can act on: shown plainly, saying what to do next.
* ``Kind.CANCELLED`` — the user (or closing the window) stopped it: nothing is shown.
* ``Kind.PENDING`` — IOTPay may have acted but did not answer (``OutcomeUnknown``): not an
  error, a state: "Checking with IOTPay…" until the outcome is confirmed. Never repeat it.
* ``Kind.INTERNAL`` — a bug: logged with its traceback, shown as a short message with the
  (redacted) traceback behind a Details button.

Texts are built at call time so they follow the installed translators.
"""

from __future__ import annotations

import contextlib
import enum
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from iotpay_desk.api import CannotConnect, InvalidRequest, IotPayRejected, OutcomeUnknown
from iotpay_desk.api.redact import redact
from iotpay_desk.api.rules import BrokenRule, RuleCode, RuleParam
from iotpay_desk.core.about import desk_version
from iotpay_desk.core.atomic import CorruptFileError
from iotpay_desk.core.credentials import TRANSLATION_CONTEXT as KEYCHAIN_CONTEXT
from iotpay_desk.core.credentials import KeychainError
from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP
from iotpay_desk.core.profiles import TRANSLATION_CONTEXT as PROFILE_CONTEXT
from iotpay_desk.core.profiles import ProfileInvalid, ProfileNotFound, ProfileStoreError
from iotpay_desk.core.settings import SettingValueError
from iotpay_desk.journal import Action, ActionKind, JournalTooNew
from iotpay_desk.journal.errors import AnswerNotRecorded, LedgerUnavailable

__all__ = [
    "Kind",
    "UserMessage",
    "describe",
    "field_label",
    "keychain_text",
    "ledger_error_text",
    "rule_text",
    "show_message",
]


translate = QCoreApplication.translate


class Kind(enum.Enum):
    USER = "user"
    PENDING = "pending"
    CANCELLED = "cancelled"
    INTERNAL = "internal"


@dataclass(frozen=True)
class UserMessage:
    """What to show. ``field`` names the API field at fault (``InvalidRequest`` only)."""

    kind: Kind
    text: str
    details: str = ""
    field: str | None = None


# --------------------------------------------------------------------------- fields and rules

_FIELD_LABELS: dict[str, str] = {
    "mchId": QT_TRANSLATE_NOOP("Field", "Merchant ID"),
    "mchOrderNo": QT_TRANSLATE_NOOP("Field", "Order number"),
    "mchUserId": QT_TRANSLATE_NOOP("Field", "Customer ID"),
    "cardId": QT_TRANSLATE_NOOP("Field", "Card ID"),
    "mchRefundNo": QT_TRANSLATE_NOOP("Field", "Refund number"),
    "payOrderId": QT_TRANSLATE_NOOP("Field", "IOTPay order ID"),
    "loginName": QT_TRANSLATE_NOOP("Field", "Operator login"),
    "subject": QT_TRANSLATE_NOOP("Field", "Subject"),
    "body": QT_TRANSLATE_NOOP("Field", "Description"),
    "notifyUrl": QT_TRANSLATE_NOOP("Field", "Notification address"),
    "returnUrl": QT_TRANSLATE_NOOP("Field", "Return address"),
    "clientIp": QT_TRANSLATE_NOOP("Field", "Customer IP address"),
    "currency": QT_TRANSLATE_NOOP("Field", "Currency"),
    "amount": QT_TRANSLATE_NOOP("Field", "Amount"),
    "refundAmount": QT_TRANSLATE_NOOP("Field", "Refund amount"),
    "channel": QT_TRANSLATE_NOOP("Field", "Channel"),
    "cardNum": QT_TRANSLATE_NOOP("Field", "Card number"),
    "expiryDate": QT_TRANSLATE_NOOP("Field", "Expiry date"),
    "holder": QT_TRANSLATE_NOOP("Field", "Cardholder name"),
    "cvv": QT_TRANSLATE_NOOP("Field", "Security code (CVV)"),
    "walletType": QT_TRANSLATE_NOOP("Field", "Wallet type"),
    "walletData": QT_TRANSLATE_NOOP("Field", "Wallet data"),
    # iotpay_desk.services.InvalidInput fields
    "query": QT_TRANSLATE_NOOP("Field", "Order number or IOTPay order ID"),
    "reason": QT_TRANSLATE_NOOP("Field", "Reason"),
    "note": QT_TRANSLATE_NOOP("Field", "Note"),
    "operator": QT_TRANSLATE_NOOP("Field", "Operator"),
    "customerLabel": QT_TRANSLATE_NOOP("Field", "Customer"),
    "action": QT_TRANSLATE_NOOP("Field", "Action"),
}


@dataclass(frozen=True)
class _RuleText:
    """How a rule code reads: its source text (``%1``, ``%2`` … stand for ``params`` in
    that order) and its translation context."""

    source: str
    params: tuple[str, ...] = ()
    context: str = "Rule"


# THE table of rule texts: every RuleCode (iotpay_desk.api.rules) once. The parameters
# come typed with the rule (cents, counts, lengths); nothing is read back from English.
_RULE_TEXTS: dict[RuleCode, _RuleText] = {
    RuleCode.REQUIRED: _RuleText(QT_TRANSLATE_NOOP("Rule", "is required")),
    RuleCode.TEXT: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be text")),
    RuleCode.NOT_BLANK: _RuleText(QT_TRANSLATE_NOOP("Rule", "must not be blank")),
    RuleCode.MAX_CHARS: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must be at most %1 characters"), ("max",)
    ),
    RuleCode.NO_CONTROL_CHARS: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must not contain control characters")
    ),
    RuleCode.NO_EDGE_SPACES: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must not start or end with a space")
    ),
    RuleCode.NO_SPACES: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "must not contain spaces"), context="ProfileRule"
    ),
    RuleCode.ONE_OF: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be one of: %1"), ("choices",)),
    RuleCode.WHOLE_NUMBER: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be a whole number")),
    RuleCode.AT_LEAST: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be at least %1"), ("min",)),
    RuleCode.AT_MOST: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be at most %1"), ("max",)),
    RuleCode.ON_OR_OFF: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be on or off")),
    RuleCode.WHOLE_CENTS: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be a whole number of cents")),
    RuleCode.MORE_THAN_ZERO_CENTS: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must be more than 0 cents")
    ),
    RuleCode.MORE_THAN_ZERO: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be more than 0")),
    RuleCode.NOT_NEGATIVE: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "must not be negative"), context="ProfileRule"
    ),
    RuleCode.TOO_LARGE: _RuleText(QT_TRANSLATE_NOOP("Rule", "is too large")),
    RuleCode.AMOUNT_SHAPE: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be an amount such as 12.50")),
    RuleCode.TWO_DECIMALS: _RuleText(QT_TRANSLATE_NOOP("Rule", "must have at most two decimals")),
    RuleCode.OVER_REFUNDABLE: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "is more than what is left to refund (%1)"), ("left",)
    ),
    RuleCode.BASE64_TEXT: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be base64 text")),
    RuleCode.BASE64_VALID: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be valid base64")),
    RuleCode.MMYY: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must be MMYY (month 01-12, two-digit year)")
    ),
    RuleCode.DIGITS_ONLY: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be digits only")),
    RuleCode.CARD_LENGTH: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be 12 to 19 digits")),
    RuleCode.LUHN: _RuleText(QT_TRANSLATE_NOOP("Rule", "fails the card number check (Luhn)")),
    RuleCode.CVV: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be 3 or 4 digits")),
    RuleCode.URL: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be an http(s) address")),
    RuleCode.IP_ADDRESS: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be an IPv4 or IPv6 address")),
    RuleCode.WALLET_PAIR: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "is required together with the wallet type and wallet data")
    ),
    RuleCode.ORDER_ID_NEEDED: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "is required (or give the IOTPay order ID)")
    ),
    RuleCode.ORDER_ID_ONLY_ONE: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must be left empty when the order number is given")
    ),
    RuleCode.NOTHING_TO_VOID: _RuleText(QT_TRANSLATE_NOOP("Rule", "has nothing left to void")),
    RuleCode.NOT_A_PAYMENT: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "is a refund or a void, not a payment")
    ),
    RuleCode.PAYMENT_PENDING: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "is a payment still waiting for IOTPay's answer")
    ),
    RuleCode.PAYMENT_FAILED: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "is a payment that did not succeed")
    ),
    RuleCode.REFUSED_BY_IOTPAY: _RuleText(QT_TRANSLATE_NOOP("Rule", "was refused by IOTPay")),
    RuleCode.NOT_RESENDABLE: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "cannot be sent again (%1)"), ("kind",)
    ),
    RuleCode.IN_VAULT: _RuleText(QT_TRANSLATE_NOOP("Rule", "is already in the card vault")),
    RuleCode.LOOKS_LIKE_CARD: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must not look like a card number")
    ),
    RuleCode.CARD_ID_CHARS: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must be letters, digits, “.”, “_” or “-”")
    ),
    RuleCode.CARD_EXPIRED: _RuleText(QT_TRANSLATE_NOOP("Rule", "is a card that has expired")),
    RuleCode.PROFILE_ID: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must be 32 lowercase hexadecimal characters")
    ),
    RuleCode.ENVIRONMENT: _RuleText(
        QT_TRANSLATE_NOOP(
            "Rule", "must be production, IOTPay's test host, a custom URL or the sandbox"
        )
    ),
    RuleCode.URL_NOT_USED: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "is only used with a custom URL or the sandbox"),
        context="ProfileRule",
    ),
    RuleCode.URL_NO_QUERY: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "must not have a query (?…) or a fragment (#…)"),
        context="ProfileRule",
    ),
    RuleCode.URL_LOOPBACK: _RuleText(
        QT_TRANSLATE_NOOP(
            "ProfileRule", "must be a loopback address (127.0.0.1 or localhost) for the sandbox"
        ),
        context="ProfileRule",
    ),
    RuleCode.URL_HTTPS: _RuleText(
        QT_TRANSLATE_NOOP(
            "ProfileRule",
            "must use https unless it is a loopback address (127.0.0.1 or localhost)",
        ),
        context="ProfileRule",
    ),
    RuleCode.OPERATORS_LIST: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be a list of login names")),
    RuleCode.OPERATORS_NONE: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "must list at least one login name"),
        context="ProfileRule",
    ),
    RuleCode.LISTED_TWICE: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "is listed twice"), context="ProfileRule"
    ),
    RuleCode.DEFAULT_OPERATOR: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "must be one of the operator login names"),
        context="ProfileRule",
    ),
    RuleCode.CUTOFF_TIME: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "must be a time HH:MM (00:00 to 23:59)"),
        context="ProfileRule",
    ),
    RuleCode.TIME_ZONE: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "must be a known time zone such as America/Toronto"),
        context="ProfileRule",
    ),
    RuleCode.PCI_FIRST: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "needs the PCI DSS responsibility confirmed first")
    ),
    RuleCode.PCI_WHO: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "the name of the person who confirmed it %1"), ("rule",)
    ),
    RuleCode.PCI_WHEN: _RuleText(QT_TRANSLATE_NOOP("Rule", "must record when it was confirmed")),
    RuleCode.WHOLE_HOURS: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be a whole number of hours")),
    RuleCode.HOURS_AT_LEAST: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must be at least %1 hours"), ("min",)
    ),
    RuleCode.HOURS_AT_MOST: _RuleText(
        QT_TRANSLATE_NOOP("Rule", "must be at most %1 hours"), ("max",)
    ),
    RuleCode.MAX_LINES: _RuleText(QT_TRANSLATE_NOOP("Rule", "must be at most %1 lines"), ("max",)),
    RuleCode.TAX_NUMBER: _RuleText(
        QT_TRANSLATE_NOOP(
            "ProfileRule", "must be 9 digits, RT and 4 digits, such as 123456789RT0001"
        ),
        context="ProfileRule",
    ),
    RuleCode.NAME_USED: _RuleText(
        QT_TRANSLATE_NOOP("ProfileRule", "is already used by another profile"),
        context="ProfileRule",
    ),
    RuleCode.AS_GIVEN: _RuleText("%1", ("text",)),
}


def _rule_param(name: str, value: RuleParam) -> str:
    """One parameter of a rule as the user reads it, in the locale's format."""
    from .amounts import format_cents
    from .words import action_word

    if name == "left" and isinstance(value, int):
        return format_cents(value)
    if name == "kind" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return action_word(ActionKind(value))
        return value
    if name == "rule" and isinstance(value, str):
        return rule_text(value)
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, int):
        return QLocale().toString(value)
    return value


# core.credentials keeps its messages as English source strings in this context.
_KEYCHAIN_TEXTS = (
    QT_TRANSLATE_NOOP(
        "keychain",
        "No system keychain was found. Install and start a Secret Service provider such as "
        "GNOME Keyring or KWallet, then restart.",
    ),
    QT_TRANSLATE_NOOP(
        "keychain",
        "The only keychain available keeps keys in a plain file, which this desk does not use. "
        "Install and start a Secret Service provider such as GNOME Keyring or KWallet, then "
        "restart.",
    ),
    QT_TRANSLATE_NOOP(
        "keychain",
        "The system keychain could not be reached. Make sure its service (such as GNOME Keyring "
        "or KWallet) is running, then restart.",
    ),
    QT_TRANSLATE_NOOP("keychain", "Your system keychain is locked — unlock it and retry."),
    QT_TRANSLATE_NOOP(
        "keychain",
        "The system keychain did not store the merchant key. Retry; if it keeps failing, open "
        "your keychain application and check it.",
    ),
)


# --------------------------------------------------------------------------- the shared ledger

# THE table of why a shared ledger could not be opened: one text per
# iotpay_desk.ledger.connect.ConnectCode, by its value (the ledger package, with SQLAlchemy
# and psycopg, is imported only once a ledger is opened). %1 host, %2 port, %3 database,
# %4 user.
_CONNECT_TEXTS: dict[str, str] = {
    "bad-url": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "The ledger server's settings are not complete: check its host, port, database and user.",
    ),
    "not-postgresql-url": QT_TRANSLATE_NOOP(
        "LedgerConnect", "The ledger address is not a PostgreSQL (postgresql://) address."
    ),
    "host-not-found": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "The host “%1” was not found. Check its name, or type its IP address instead.",
    ),
    "unreachable": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "%1 cannot be reached from this computer. Check the network (cable, Wi-Fi, VPN) and "
        "the host name.",
    ),
    "refused": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "%1 refused the connection on port %2: no PostgreSQL server is listening there. "
        "Check the port, and that the server runs and accepts connections from this "
        "computer.",
    ),
    "timeout": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "%1 did not answer on port %2 in time. Check the host and the port, and that no "
        "firewall blocks them.",
    ),
    "not-postgresql": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "Something answers on %1 port %2, but it is not a PostgreSQL server. Check the port "
        "(PostgreSQL usually uses 5432).",
    ),
    "tls-unavailable": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "The encrypted connection (TLS) to %1 failed: the server offers no TLS, or its "
        "certificate could not be checked. For “verify-full”, this computer needs the "
        "server's CA certificate in ~/.postgresql/root.crt.",
    ),
    "auth-failed": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "The server refused user “%4”: the password is wrong or there is no such user "
        "(PostgreSQL does not say which). Check both.",
    ),
    "no-database": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "There is no database “%3” on %1. Check its name, or ask the server's administrator "
        "to create it.",
    ),
    "server-too-old": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "%1 runs PostgreSQL %5, too old for the ledger: it needs PostgreSQL 13 or newer.",
    ),
    "read-only": QT_TRANSLATE_NOOP(
        "LedgerConnect",
        "User “%4” may not write the ledger in database “%3” (a read-only user, or a standby "
        "server). The ledger needs a user that may create and change its tables.",
    ),
    "failed": QT_TRANSLATE_NOOP(
        "LedgerConnect", "Could not open the ledger on %1 (%6). Check the server's settings."
    ),
}


def ledger_error_text(exc: BaseException) -> str | None:
    """Why the shared ledger could not be opened, translated; ``None`` when ``exc`` is not
    a ledger error."""
    if not type(exc).__module__.startswith("iotpay_desk.ledger."):
        return None
    from iotpay_desk.ledger.connect import LedgerConnectError, ServerTooOld
    from iotpay_desk.ledger.errors import LedgerTooNew, NotALedger
    from iotpay_desk.ledger.place import LedgerMismatch

    if isinstance(exc, LedgerMismatch):
        return (
            translate(
                "LedgerConnect",
                "This ledger holds the payments of another IOTPay environment (%1) than this "
                "profile's (%2), so the desk does not use it: test and real payments are never "
                "mixed. Choose the ledger of this environment in the profile; nothing was written.",
            )
            .replace("%1", exc.ledger_environment)
            .replace("%2", exc.profile_environment)
        )
    if isinstance(exc, LedgerTooNew):
        if exc.needs:
            return (
                translate(
                    "LedgerConnect",
                    "This ledger was brought up to date by IOTPay Desk %1, newer than this desk "
                    "(%2). Install version %1 or newer to use it; nothing was changed.",
                )
                .replace("%1", exc.needs)
                .replace("%2", desk_version())
            )
        return translate(
            "LedgerConnect",
            "The ledger was written by a newer version of the desk. Update this desk to use "
            "it; nothing was changed.",
        )
    if isinstance(exc, NotALedger):
        return translate(
            "LedgerConnect",
            "This database holds other tables and no ledger (%1). Choose an empty database "
            "for the ledger; nothing was written to it.",
        ).replace("%1", ", ".join(exc.tables[:5]) + (", …" if len(exc.tables) > 5 else ""))
    if not isinstance(exc, LedgerConnectError):
        return None
    version = ""
    if isinstance(exc, ServerTooOld):
        version = f"{exc.version // 10000}.{exc.version % 10000}"
    text = translate("LedgerConnect", _CONNECT_TEXTS[exc.code.value])
    for i, value in enumerate(
        (exc.host, exc.port, exc.database, exc.user, version, redact(str(exc))), start=1
    ):
        text = text.replace(f"%{i}", "" if value is None else str(value))
    return text


def ledger_unavailable_text(exc: LedgerUnavailable) -> str:
    """That the shared ledger at host/database (or this computer's file) cannot be reached."""
    if exc.shared:
        text = translate("Errors", "The shared ledger at %1 cannot be reached.")
    elif exc.where:
        text = translate("Errors", "The ledger file %1 cannot be reached.")
    else:
        text = translate("Errors", "The ledger cannot be reached.")
    return text.replace("%1", exc.where)


def answer_not_recorded_text(exc: LedgerUnavailable) -> str:
    """What the cashier is told when a money action meets the ledger gone: refused before
    anything was sent, or (:class:`AnswerNotRecorded`) sent and waiting to be recorded."""
    from .words import action_word

    if isinstance(exc, AnswerNotRecorded):
        try:
            word = action_word(ActionKind(exc.kind))
        except ValueError:
            word = exc.kind
        return (
            translate(
                "Errors",
                "%1 %2 was sent to IOTPay, but the ledger could not be reached to record "
                "IOTPay's answer. Do not send it again: it stays “checking” and is confirmed "
                "with IOTPay and recorded when the ledger is back. Nothing is lost.",
            )
            .replace("%1", word)
            .replace("%2", exc.mch_no)
        )
    return (
        ledger_unavailable_text(exc)
        + " "
        + translate(
            "Errors",
            "Nothing was sent: refunds, voids and charges wait until it is back. Look-ups "
            "still work.",
        )
    )


def field_label(api_name: str) -> str:
    """The translated label of an API field (the API name itself when unknown)."""
    source = _FIELD_LABELS.get(api_name)
    return translate("Field", source) if source else api_name


# Rules about the state of a payment or a card, not about what was typed: nothing to
# correct in the form.
_STATE_RULES = frozenset(
    {
        RuleCode.NOTHING_TO_VOID,
        RuleCode.NOT_A_PAYMENT,
        RuleCode.PAYMENT_PENDING,
        RuleCode.PAYMENT_FAILED,
        RuleCode.NOT_RESENDABLE,
        RuleCode.IN_VAULT,
        RuleCode.CARD_EXPIRED,
    }
)


def rule_text(rule: BrokenRule | RuleCode | str) -> str:
    """A rule of the core, translated by its code with its parameters formatted (a text
    from elsewhere, such as IOTPay's words, is shown as it is)."""
    broken = BrokenRule.of(rule)
    entry = _RULE_TEXTS[broken.code]
    text = (
        entry.source if broken.code is RuleCode.AS_GIVEN else translate(entry.context, entry.source)
    )
    for i, name in enumerate(entry.params, start=1):
        value = broken.params.get(name, "")
        text = text.replace(f"%{i}", _rule_param(name, value))
    return text


def keychain_text(message: str) -> str:
    """A message of ``iotpay_desk.core.credentials``, translated."""
    return translate(KEYCHAIN_CONTEXT, message) if message else message


# --------------------------------------------------------------------------- describe


def _who(action: Action) -> str:
    """ " Started at Front counter by jack." (the desk and operator of ``action``)."""
    if action.desk:
        text = translate("Errors", "Started at %1 by %2.")
        return " " + text.replace("%1", action.desk).replace("%2", action.operator)
    return " " + translate("Errors", "Started by %1.").replace("%1", action.operator)


def _nothing_sent() -> str:
    return " " + translate("Errors", "Nothing was sent.")


def describe(exc: BaseException) -> UserMessage:
    """The message for ``exc``; never contains a key, a sign or a card number."""

    # The services' errors are imported when there is one to describe: not at start-up.
    import asyncio

    from iotpay_desk.services import (
        ActionInProgress,
        CannotReachIotPay,
        CardNotAdded,
        CardNotBound,
        DirectAddDisabled,
        InvalidInput,
        NotInJournal,
        OrderNotFound,
        PaymentChanged,
        RefusedByIotPay,
        UnknownCard,
        UnknownDraft,
    )

    if isinstance(exc, asyncio.CancelledError):
        return UserMessage(Kind.CANCELLED, "")
    if isinstance(exc, OutcomeUnknown):
        return UserMessage(
            Kind.PENDING,
            translate(
                "Errors",
                "Checking with IOTPay… IOTPay did not answer in time, so the request may have "
                "gone through. Do not repeat it: the desk confirms the outcome with IOTPay.",
            ),
        )
    if isinstance(exc, InvalidRequest):
        text = translate("Errors", "%1: %2. Correct it and try again.")
        text = text.replace("%1", field_label(exc.field)).replace("%2", rule_text(exc.rule))
        return UserMessage(Kind.USER, text, field=exc.field)
    if isinstance(exc, IotPayRejected):
        if exc.is_not_found:
            text = translate(
                "Errors",
                "IOTPay has no such order or card (“%1”). Check the number and try again.",
            )
        else:
            text = translate(
                "Errors",
                "IOTPay refused the request: “%1”. Check the details and try again; if it keeps "
                "happening, contact IOTPay support.",
            )
        reason = exc.ret_msg or translate("Errors", "no reason given")
        return UserMessage(Kind.USER, text.replace("%1", redact(reason)))
    if isinstance(exc, InvalidInput):
        if BrokenRule.of(exc.rule).code in _STATE_RULES:
            # Not a typing mistake: the payment or card is in a state that forbids it.
            text = translate("Errors", "%1: %2. Nothing was sent.")
        else:
            text = translate("Errors", "%1: %2. Correct it and try again.")
        text = text.replace("%1", field_label(exc.field)).replace("%2", rule_text(exc.rule))
        return UserMessage(Kind.USER, text, field=exc.field)
    if isinstance(exc, RefusedByIotPay):
        text = translate(
            "Errors",
            "IOTPay refused the request: “%1”. Check the details and try again; if it keeps "
            "happening, contact IOTPay support.",
        )
        reason = exc.ret_msg or translate("Errors", "no reason given")
        return UserMessage(Kind.USER, text.replace("%1", redact(reason)))
    if isinstance(exc, OrderNotFound):
        text = translate(
            "Errors",
            "IOTPay has no order “%1”. Check the order number or IOTPay order ID and try again.",
        )
        return UserMessage(Kind.USER, text.replace("%1", redact(exc.query)), field="query")
    if isinstance(exc, ActionInProgress):
        if exc.action.kind is ActionKind.VOID:
            text = translate(
                "Errors",
                "A void of this payment is still being checked with IOTPay. Wait for its "
                "outcome in Activity before starting another refund or void.",
            )
        else:
            text = translate(
                "Errors",
                "A refund of this payment is still being checked with IOTPay. Wait for its "
                "outcome in Activity before starting another refund or void.",
            )
        return UserMessage(Kind.USER, text + _who(exc.action) + _nothing_sent())
    if isinstance(exc, PaymentChanged):
        return UserMessage(
            Kind.USER,
            translate(
                "Errors",
                "This payment was refunded or voided after this form was opened. Nothing was "
                "sent. Look the payment up again to see what is left.",
            )
            + _who(exc.action),
        )
    if isinstance(exc, UnknownDraft):
        return UserMessage(
            Kind.USER,
            translate(
                "Errors", "This form is out of date. Nothing was sent. Close it and start again."
            ),
        )
    if isinstance(exc, CorruptFileError):
        kept = exc.kept_as.name if exc.kept_as else "—"
        text = translate(
            "Errors",
            "%1 could not be read, so the desk starts without it. The file was kept as %2 so "
            "nothing is lost; merchant keys stay in the system keychain.",
        )
        return UserMessage(Kind.USER, text.replace("%1", exc.path.name).replace("%2", kept))
    if isinstance(exc, ProfileInvalid):
        problems = "; ".join(
            f"{translate(PROFILE_CONTEXT, p.label)}: {rule_text(p.rule)}" for p in exc.problems
        )
        text = translate("Errors", "The profile cannot be saved: %1.")
        return UserMessage(Kind.USER, text.replace("%1", problems))
    if isinstance(exc, ProfileNotFound):
        return UserMessage(
            Kind.USER,
            translate("Errors", "That merchant profile no longer exists. Choose another one."),
        )
    if isinstance(exc, ProfileStoreError) and "newer version" in str(exc):
        return UserMessage(
            Kind.USER,
            translate(
                "Errors",
                "The merchant profiles were saved by a newer version of the desk. Update the "
                "desk to use them; they were not changed.",
            ),
        )
    if isinstance(exc, LedgerUnavailable):
        # Sent and waiting to be recorded is a state, not an error; refused is the user's.
        kind = Kind.PENDING if isinstance(exc, AnswerNotRecorded) else Kind.USER
        return UserMessage(kind, answer_not_recorded_text(exc))
    if isinstance(exc, JournalTooNew):
        return UserMessage(
            Kind.USER,
            translate(
                "Errors",
                "This profile's journal was written by a newer version of the desk. Update the "
                "desk to use it; the journal was not changed.",
            ),
        )
    if isinstance(exc, CardNotAdded):
        text = translate(
            "Errors", "IOTPay did not add the card: “%1”. Nothing was saved; start again."
        )
        reason = exc.ret_msg or translate("Errors", "no reason given")
        return UserMessage(Kind.USER, text.replace("%1", redact(reason)))
    if isinstance(exc, CardNotBound):
        text = translate(
            "Errors",
            "IOTPay has no card bound to card ID %1. Add the card again, or remove it from "
            "the vault.",
        )
        return UserMessage(Kind.USER, text.replace("%1", exc.card_id), field="cardId")
    if isinstance(exc, UnknownCard):
        text = translate(
            "Errors", "Card ID %1 is not in the card vault. Refresh the list and try again."
        )
        return UserMessage(Kind.USER, text.replace("%1", exc.card_id), field="cardId")
    if isinstance(exc, DirectAddDisabled):
        return UserMessage(
            Kind.USER,
            translate(
                "Errors",
                "Direct card entry is off for this profile. Add the card on IOTPay's page instead.",
            ),
        )
    if isinstance(exc, NotInJournal):
        text = translate(
            "Errors", "This desk has no record of order %1. Look it up on the Orders page."
        )
        return UserMessage(Kind.USER, text.replace("%1", exc.mch_no))
    if isinstance(exc, SettingValueError):
        label = translate(exc.setting.context, exc.setting.label)
        text = translate("Errors", "%1: %2. Correct it and try again.")
        return UserMessage(Kind.USER, text.replace("%1", label).replace("%2", rule_text(exc.rule)))
    if isinstance(exc, CannotConnect | CannotReachIotPay):
        return UserMessage(
            Kind.USER,
            translate(
                "Errors",
                "Could not reach IOTPay. Check the internet connection and try again.",
            ),
        )
    if isinstance(exc, KeychainError):
        return UserMessage(Kind.USER, keychain_text(exc.message))
    ledger_text = ledger_error_text(exc)
    if ledger_text is not None:
        return UserMessage(Kind.USER, ledger_text)
    return UserMessage(
        Kind.INTERNAL,
        translate(
            "Errors",
            "Something unexpected went wrong. It has been written to the log. Try again; if it "
            "happens again, send the log file to your support contact.",
        ),
        details=redact("".join(traceback.format_exception(exc)).rstrip()),
    )


# --------------------------------------------------------------------------- show


def show_message(parent: QWidget | None, message: UserMessage) -> QMessageBox | None:
    """Show ``message`` in a window-modal box that does not block (``open()``, not
    ``exec()``). Returns the box (deleted when closed), or None for a cancellation."""
    if message.kind is Kind.CANCELLED:
        return None
    icon = {
        Kind.USER: QMessageBox.Icon.Warning,
        Kind.PENDING: QMessageBox.Icon.Information,
        Kind.INTERNAL: QMessageBox.Icon.Critical,
    }[message.kind]
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(translate("Errors", "IOTPay Desk"))
    box.setText(message.text)
    if message.details:
        box.setDetailedText(message.details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setObjectName(f"message-{message.kind.value}")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box

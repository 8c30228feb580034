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

import asyncio
import enum
import re
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from iotpay_desk.api import CannotConnect, InvalidRequest, IotPayRejected, OutcomeUnknown
from iotpay_desk.api.redact import redact
from iotpay_desk.core.atomic import CorruptFileError
from iotpay_desk.core.credentials import TRANSLATION_CONTEXT as KEYCHAIN_CONTEXT
from iotpay_desk.core.credentials import KeychainError
from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP
from iotpay_desk.core.profiles import TRANSLATION_CONTEXT as PROFILE_CONTEXT
from iotpay_desk.core.profiles import ProfileInvalid, ProfileNotFound, ProfileStoreError
from iotpay_desk.core.settings import SettingValueError
from iotpay_desk.journal import ActionKind, JournalTooNew
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

from .amounts import format_cents

__all__ = [
    "Kind",
    "UserMessage",
    "describe",
    "field_label",
    "keychain_text",
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
}

# The rule texts of iotpay_desk.api.rules / models, word for word.
_RULES: dict[str, str] = {
    "is required": QT_TRANSLATE_NOOP("Rule", "is required"),
    "must be text": QT_TRANSLATE_NOOP("Rule", "must be text"),
    "must not be blank": QT_TRANSLATE_NOOP("Rule", "must not be blank"),
    "must not contain control characters": QT_TRANSLATE_NOOP(
        "Rule", "must not contain control characters"
    ),
    "must be a whole number of cents": QT_TRANSLATE_NOOP("Rule", "must be a whole number of cents"),
    "must be more than 0 cents": QT_TRANSLATE_NOOP("Rule", "must be more than 0 cents"),
    "is too large": QT_TRANSLATE_NOOP("Rule", "is too large"),
    "must be base64 text": QT_TRANSLATE_NOOP("Rule", "must be base64 text"),
    "must be valid base64": QT_TRANSLATE_NOOP("Rule", "must be valid base64"),
    "must be MMYY (month 01-12, two-digit year)": QT_TRANSLATE_NOOP(
        "Rule", "must be MMYY (month 01-12, two-digit year)"
    ),
    "must be digits only": QT_TRANSLATE_NOOP("Rule", "must be digits only"),
    "must be 12 to 19 digits": QT_TRANSLATE_NOOP("Rule", "must be 12 to 19 digits"),
    "fails the card number check (Luhn)": QT_TRANSLATE_NOOP(
        "Rule", "fails the card number check (Luhn)"
    ),
    "must be 3 or 4 digits": QT_TRANSLATE_NOOP("Rule", "must be 3 or 4 digits"),
    "must be an http(s) URL": QT_TRANSLATE_NOOP("Rule", "must be an http(s) address"),
    "must be an IPv4 or IPv6 address": QT_TRANSLATE_NOOP("Rule", "must be an IPv4 or IPv6 address"),
    "must not start or end with a space": QT_TRANSLATE_NOOP(
        "Rule", "must not start or end with a space"
    ),
    "is required with walletType and walletData": QT_TRANSLATE_NOOP(
        "Rule", "is required together with the wallet type and wallet data"
    ),
    "one of mchOrderNo or payOrderId is required": QT_TRANSLATE_NOOP(
        "Rule", "is required (or give the IOTPay order ID)"
    ),
    "give only one of mchOrderNo or payOrderId": QT_TRANSLATE_NOOP(
        "Rule", "must be left empty when the order number is given"
    ),
    # iotpay_desk.services
    "must be more than 0": QT_TRANSLATE_NOOP("Rule", "must be more than 0"),
    "must be an amount such as 12.50": QT_TRANSLATE_NOOP("Rule", "must be an amount such as 12.50"),
    "nothing is left to void on this payment": QT_TRANSLATE_NOOP(
        "Rule", "has nothing left to void"
    ),
    "is a refund or void, not a payment": QT_TRANSLATE_NOOP(
        "Rule", "is a refund or a void, not a payment"
    ),
    "the payment did not succeed": QT_TRANSLATE_NOOP("Rule", "is a payment that did not succeed"),
    "refused by IOTPay": QT_TRANSLATE_NOOP("Rule", "was refused by IOTPay"),
    # card vault and charges
    "is already in the card vault": QT_TRANSLATE_NOOP("Rule", "is already in the card vault"),
    "must not look like a card number": QT_TRANSLATE_NOOP(
        "Rule", "must not look like a card number"
    ),
    "must be letters, digits, '.', '_' or '-'": QT_TRANSLATE_NOOP(
        "Rule", "must be letters, digits, “.”, “_” or “-”"
    ),
    "the card has expired": QT_TRANSLATE_NOOP("Rule", "is a card that has expired"),
    "card expired": QT_TRANSLATE_NOOP("Rule", "is a card that has expired"),
    "at most two decimals": QT_TRANSLATE_NOOP("Rule", "must have at most two decimals"),
}
_AT_MOST = re.compile(r"at most (\d+) characters")
_OVER_REFUNDABLE = re.compile(r"more than the refundable amount \((\d+) cents left\)")
_ONE_OF = re.compile(r"must be ([A-Za-z0-9_]+(?: or [A-Za-z0-9_]+)*)")

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


def field_label(api_name: str) -> str:
    """The translated label of an API field (the API name itself when unknown)."""
    source = _FIELD_LABELS.get(api_name)
    return translate("Field", source) if source else api_name


def rule_text(rule: str) -> str:
    """A rule text of the protocol core, translated (unknown ones pass through)."""
    source = _RULES.get(rule)
    if source:
        return translate("Rule", source)
    m = _AT_MOST.fullmatch(rule)
    if m:
        return translate("Rule", "must be at most %1 characters").replace("%1", m.group(1))
    m = _OVER_REFUNDABLE.fullmatch(rule)
    if m:
        left = format_cents(int(m.group(1)))
        return translate("Rule", "is more than what is left to refund (%1)").replace("%1", left)
    m = _ONE_OF.fullmatch(rule)
    if m:
        allowed = ", ".join(m.group(1).split(" or "))
        return translate("Rule", "must be one of: %1").replace("%1", allowed)
    return rule


def keychain_text(message: str) -> str:
    """A message of ``iotpay_desk.core.credentials``, translated."""
    return translate(KEYCHAIN_CONTEXT, message) if message else message


# --------------------------------------------------------------------------- describe


def describe(exc: BaseException) -> UserMessage:
    """The message for ``exc``; never contains a key, a sign or a card number."""
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
        return UserMessage(Kind.USER, text)
    if isinstance(exc, PaymentChanged):
        return UserMessage(
            Kind.USER,
            translate(
                "Errors",
                "This payment was refunded or voided after this form was opened. Nothing was "
                "sent. Look the payment up again to see what is left.",
            ),
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

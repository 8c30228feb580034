"""The desk's vocabulary for core values: statuses, actions, outcomes, card brands, times."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime

from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.services import StatusWord

__all__ = ["action_word", "card_brand", "local_time", "state_word", "status_text"]

translate = QCoreApplication.translate


def status_text(word: StatusWord) -> str:
    return {
        StatusWord.PAID: translate("Words", "Paid"),
        StatusWord.PAID_NOTIFIED: translate("Words", "Paid"),
        StatusWord.PENDING: translate("Words", "Pending"),
        StatusWord.FAILED: translate("Words", "Failed"),
        StatusWord.UNKNOWN: translate("Words", "Unknown"),
    }[word]


def action_word(kind: ActionKind) -> str:
    return {
        ActionKind.REFUND: translate("Words", "Refund"),
        ActionKind.VOID: translate("Words", "Void"),
        ActionKind.CHARGE_TOKEN: translate("Words", "Charge of a card on file"),
        ActionKind.CHARGE_WALLET: translate("Words", "Wallet charge"),
        ActionKind.PURCHASE_LINK: translate("Words", "Payment page"),
    }[kind]


def state_word(state: ActionState) -> str:
    """One or two words for a table cell; the details say the rest."""
    return {
        ActionState.INTENT: translate("Words", "Sending…"),
        ActionState.CHECKING: translate("Words", "Checking…"),
        ActionState.SUCCEEDED: translate("Words", "Done"),
        ActionState.FAILED: translate("Words", "Refused"),
        ActionState.DECLINED: translate("Words", "Declined"),
        ActionState.NOT_RECEIVED: translate("Words", "Not received"),
    }[state]


def card_brand(card_type: str) -> str:
    return {
        "V": translate("Words", "Visa"),
        "M": translate("Words", "Mastercard"),
        "D": translate("Words", "Interac"),
    }.get(card_type.upper(), card_type)


def local_time(moment: datetime, locale: QLocale | None = None) -> str:
    """``moment`` on its own wall clock (the profile's time zone), in the locale's short form."""
    loc = locale or QLocale()
    qdt = QDateTime(
        QDate(moment.year, moment.month, moment.day),
        QTime(moment.hour, moment.minute, moment.second),
    )
    return loc.toString(qdt, QLocale.FormatType.ShortFormat)

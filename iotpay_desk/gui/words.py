"""The desk's vocabulary for core values: statuses, actions, outcomes, card brands, times."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime

from iotpay_desk.journal import Action, ActionKind, ActionState
from iotpay_desk.services import MoneyService, StatusWord
from iotpay_desk.services.rules import PaymentStatus

from .amounts import format_cents

__all__ = [
    "action_word",
    "card_brand",
    "checked_until",
    "local_time",
    "outcome_text",
    "payment_status_text",
    "state_word",
    "status_text",
    "zone_note",
    "zoned_time",
]

translate = QCoreApplication.translate


def status_text(word: StatusWord) -> str:
    return {
        StatusWord.PAID: translate("Words", "Paid"),
        StatusWord.PAID_NOTIFIED: translate("Words", "Paid"),
        StatusWord.PENDING: translate("Words", "Pending"),
        StatusWord.FAILED: translate("Words", "Failed"),
        StatusWord.UNKNOWN: translate("Words", "Unknown"),
        StatusWord.VOIDED: translate("Words", "Voided"),
        StatusWord.REFUNDED: translate("Words", "Refunded"),
        StatusWord.PARTLY_REFUNDED: translate("Words", "Partly refunded"),
        StatusWord.RETURNED: translate("Words", "Refunded or voided in full"),
    }[word]


def payment_status_text(status: PaymentStatus) -> str:
    """A payment's status after its refunds and voids ("Partly refunded ($12.50)")."""
    if status.word is StatusWord.PARTLY_REFUNDED:
        return translate("Words", "Partly refunded (%1)").replace(
            "%1", format_cents(status.returned_cents)
        )
    return status_text(status.word)


def action_word(kind: ActionKind) -> str:
    return {
        ActionKind.REFUND: translate("Words", "Refund"),
        ActionKind.VOID: translate("Words", "Void"),
        ActionKind.CHARGE_TOKEN: translate("Words", "Card charge"),
        ActionKind.CHARGE_WALLET: translate("Words", "Wallet charge"),
        ActionKind.PURCHASE_LINK: translate("Words", "Purchase link"),
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


def outcome_text(action: Action, service: MoneyService | None) -> str:
    """An action's state in words; an unresolved one another running desk is checking
    (its lease on it not expired) says which desk: "Being checked by Front counter"."""
    if service is not None and action.checked_elsewhere(service.desk.instance, datetime.now(UTC)):
        desk = action.lease_desk or translate("Words", "another desk")
        return translate("Words", "Being checked by %1").replace("%1", desk)
    return state_word(action.state)


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


def zoned_time(moment: datetime, locale: QLocale | None = None) -> str:
    """``moment`` on its own wall clock with its zone's abbreviation: "2026-12-05 9:01
    a.m. EST" (``moment`` is already in the merchant's zone)."""
    return f"{local_time(moment, locale)} {moment.tzname() or ''}".strip()


def checked_until(service: MoneyService, action: Action) -> str:
    """When the desk stops checking an unconfirmed action, on the merchant's clock."""
    return zoned_time(service.unconfirmed_until(action).astimezone(service.tz))


# The generic names of North America's zones (the desk's merchants are Canadian); any
# other zone is named by its IANA id alone.
_ZONE_NAMES: dict[str, tuple[str, ...]] = {
    "Pacific Time": ("America/Vancouver", "America/Los_Angeles"),
    "Mountain Time": (
        "America/Edmonton",
        "America/Yellowknife",
        "America/Cambridge_Bay",
        "America/Inuvik",
        "America/Dawson_Creek",
        "America/Fort_Nelson",
        "America/Creston",
        "America/Whitehorse",
        "America/Dawson",
        "America/Denver",
        "America/Phoenix",
    ),
    "Central Time": (
        "America/Winnipeg",
        "America/Regina",
        "America/Swift_Current",
        "America/Rankin_Inlet",
        "America/Resolute",
        "America/Chicago",
    ),
    "Eastern Time": (
        "America/Toronto",
        "America/Montreal",
        "America/Nipigon",
        "America/Thunder_Bay",
        "America/Iqaluit",
        "America/New_York",
        "America/Detroit",
    ),
    "Atlantic Time": (
        "America/Halifax",
        "America/Moncton",
        "America/Glace_Bay",
        "America/Goose_Bay",
    ),
    "Newfoundland Time": ("America/St_Johns",),
}


def _zone_name(key: str) -> str:
    return {
        "Pacific Time": translate("Words", "Pacific Time"),
        "Mountain Time": translate("Words", "Mountain Time"),
        "Central Time": translate("Words", "Central Time"),
        "Eastern Time": translate("Words", "Eastern Time"),
        "Atlantic Time": translate("Words", "Atlantic Time"),
        "Newfoundland Time": translate("Words", "Newfoundland Time"),
    }[key]


def zone_note(tz: tzinfo) -> str:
    """The line each page states its times with: "Times in Eastern Time
    (America/Toronto)" (the merchant's zone, the profile's ``timezone``)."""
    key = str(getattr(tz, "key", "") or tz)
    for name, zones in _ZONE_NAMES.items():
        if key in zones:
            return (
                translate("Words", "Times in %1 (%2)")
                .replace("%1", _zone_name(name))
                .replace("%2", key)
            )
    return translate("Words", "Times in %1").replace("%1", key)

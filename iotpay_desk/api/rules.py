"""Field rules of the V3 API (reference section 3), checked before anything is sent, and
the typed rule every layer raises.

Each check returns ``None`` when the value is fine or a :class:`BrokenRule`: a
:class:`RuleCode` with its parameters (``RuleCode.MAX_CHARS, max=12``). A BrokenRule is
also its plain English text (``"at most 12 characters"``, a ``str``), for logs and for
the sandbox's answers; the desk's screens translate it by its code and parameters in one
table (``gui/errors.py``), never by reading the English back. Messages never repeat the
value: it may be card data.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit


class RuleCode(StrEnum):
    """What a value breaks. Parameters named in ``{}`` in :data:`ENGLISH`."""

    # Any field
    REQUIRED = "required"
    TEXT = "text"
    NOT_BLANK = "not_blank"
    MAX_CHARS = "max_chars"  # max
    NO_CONTROL_CHARS = "no_control_chars"
    NO_EDGE_SPACES = "no_edge_spaces"
    NO_SPACES = "no_spaces"
    ONE_OF = "one_of"  # choices (a tuple)
    WHOLE_NUMBER = "whole_number"
    AT_LEAST = "at_least"  # min
    AT_MOST = "at_most"  # max
    ON_OR_OFF = "on_or_off"
    # Amounts
    WHOLE_CENTS = "whole_cents"
    MORE_THAN_ZERO_CENTS = "more_than_zero_cents"
    MORE_THAN_ZERO = "more_than_zero"
    NOT_NEGATIVE = "not_negative"
    TOO_LARGE = "too_large"
    AMOUNT_SHAPE = "amount_shape"
    TWO_DECIMALS = "two_decimals"
    OVER_REFUNDABLE = "over_refundable"  # left (cents)
    # Formats
    BASE64_TEXT = "base64_text"
    BASE64_VALID = "base64_valid"
    MMYY = "mmyy"
    DIGITS_ONLY = "digits_only"
    CARD_LENGTH = "card_length"
    LUHN = "luhn"
    CVV = "cvv"
    URL = "url"
    IP_ADDRESS = "ip_address"
    # Requests
    WALLET_PAIR = "wallet_pair"
    ORDER_ID_NEEDED = "order_id_needed"
    ORDER_ID_ONLY_ONE = "order_id_only_one"
    # Payments
    NOTHING_TO_VOID = "nothing_to_void"
    NOT_A_PAYMENT = "not_a_payment"
    PAYMENT_PENDING = "payment_pending"
    PAYMENT_FAILED = "payment_failed"
    REFUSED_BY_IOTPAY = "refused_by_iotpay"
    NOT_RESENDABLE = "not_resendable"  # kind (an ActionKind value)
    # Cards
    IN_VAULT = "in_vault"
    LOOKS_LIKE_CARD = "looks_like_card"
    CARD_ID_CHARS = "card_id_chars"
    CARD_EXPIRED = "card_expired"
    # Profiles
    PROFILE_ID = "profile_id"
    ENVIRONMENT = "environment"
    URL_NOT_USED = "url_not_used"
    URL_NO_QUERY = "url_no_query"
    URL_LOOPBACK = "url_loopback"
    URL_HTTPS = "url_https"
    OPERATORS_LIST = "operators_list"
    OPERATORS_NONE = "operators_none"
    LISTED_TWICE = "listed_twice"
    DEFAULT_OPERATOR = "default_operator"
    CUTOFF_TIME = "cutoff_time"
    TIME_ZONE = "time_zone"
    PCI_FIRST = "pci_first"
    PCI_WHO = "pci_who"  # rule (the BrokenRule of the name)
    PCI_WHEN = "pci_when"
    WHOLE_HOURS = "whole_hours"
    HOURS_AT_LEAST = "hours_at_least"  # min
    HOURS_AT_MOST = "hours_at_most"  # max
    MAX_LINES = "max_lines"  # max
    TAX_NUMBER = "tax_number"
    NAME_USED = "name_used"
    #: Words from elsewhere (IOTPay's ``retMsg``, a text already translated): ``text``,
    #: shown as it is.
    AS_GIVEN = "as_given"


#: The English of every code: what ``str()`` of a BrokenRule says (logs, the sandbox's
#: FAIL answers). These are the texts the desk always used.
ENGLISH: Mapping[RuleCode, str] = MappingProxyType(
    {
        RuleCode.REQUIRED: "is required",
        RuleCode.TEXT: "must be text",
        RuleCode.NOT_BLANK: "must not be blank",
        RuleCode.MAX_CHARS: "at most {max} characters",
        RuleCode.NO_CONTROL_CHARS: "must not contain control characters",
        RuleCode.NO_EDGE_SPACES: "must not start or end with a space",
        RuleCode.NO_SPACES: "must not contain spaces",
        RuleCode.ONE_OF: "must be {choices}",
        RuleCode.WHOLE_NUMBER: "must be a whole number",
        RuleCode.AT_LEAST: "must be at least {min}",
        RuleCode.AT_MOST: "must be at most {max}",
        RuleCode.ON_OR_OFF: "must be on or off",
        RuleCode.WHOLE_CENTS: "must be a whole number of cents",
        RuleCode.MORE_THAN_ZERO_CENTS: "must be more than 0 cents",
        RuleCode.MORE_THAN_ZERO: "must be more than 0",
        RuleCode.NOT_NEGATIVE: "must not be negative",
        RuleCode.TOO_LARGE: "is too large",
        RuleCode.AMOUNT_SHAPE: "must be an amount such as 12.50",
        RuleCode.TWO_DECIMALS: "at most two decimals",
        RuleCode.OVER_REFUNDABLE: "more than the refundable amount ({left} cents left)",
        RuleCode.BASE64_TEXT: "must be base64 text",
        RuleCode.BASE64_VALID: "must be valid base64",
        RuleCode.MMYY: "must be MMYY (month 01-12, two-digit year)",
        RuleCode.DIGITS_ONLY: "must be digits only",
        RuleCode.CARD_LENGTH: "must be 12 to 19 digits",
        RuleCode.LUHN: "fails the card number check (Luhn)",
        RuleCode.CVV: "must be 3 or 4 digits",
        RuleCode.URL: "must be an http(s) URL",
        RuleCode.IP_ADDRESS: "must be an IPv4 or IPv6 address",
        RuleCode.WALLET_PAIR: "is required with walletType and walletData",
        RuleCode.ORDER_ID_NEEDED: "one of mchOrderNo or payOrderId is required",
        RuleCode.ORDER_ID_ONLY_ONE: "give only one of mchOrderNo or payOrderId",
        RuleCode.NOTHING_TO_VOID: "nothing is left to void on this payment",
        RuleCode.NOT_A_PAYMENT: "is a refund or void, not a payment",
        RuleCode.PAYMENT_PENDING: "the payment is still pending",
        RuleCode.PAYMENT_FAILED: "the payment did not succeed",
        RuleCode.REFUSED_BY_IOTPAY: "refused by IOTPay",
        RuleCode.NOT_RESENDABLE: "a {kind} cannot be sent again",
        RuleCode.IN_VAULT: "is already in the card vault",
        RuleCode.LOOKS_LIKE_CARD: "must not look like a card number",
        RuleCode.CARD_ID_CHARS: "must be letters, digits, '.', '_' or '-'",
        RuleCode.CARD_EXPIRED: "the card has expired",
        RuleCode.PROFILE_ID: "must be 32 lowercase hex characters",
        RuleCode.ENVIRONMENT: "must be production, test host, custom URL or sandbox",
        RuleCode.URL_NOT_USED: "is only used with a custom URL or the sandbox",
        RuleCode.URL_NO_QUERY: "must not have a query or fragment",
        RuleCode.URL_LOOPBACK: (
            "must be a loopback address (127.0.0.1 or localhost) for the sandbox"
        ),
        RuleCode.URL_HTTPS: "must use https unless it is a loopback address",
        RuleCode.OPERATORS_LIST: "must be a list of login names",
        RuleCode.OPERATORS_NONE: "must list at least one login name",
        RuleCode.LISTED_TWICE: "is listed twice",
        RuleCode.DEFAULT_OPERATOR: "must be one of the operator login names",
        RuleCode.CUTOFF_TIME: "must be a time HH:MM (00:00 to 23:59)",
        RuleCode.TIME_ZONE: "must be a known time zone such as America/Toronto",
        RuleCode.PCI_FIRST: "needs the PCI DSS responsibility confirmed first",
        RuleCode.PCI_WHO: "name of the person who confirmed {rule}",
        RuleCode.PCI_WHEN: "must record when it was confirmed",
        RuleCode.WHOLE_HOURS: "must be a whole number of hours",
        RuleCode.HOURS_AT_LEAST: "must be at least {min} hours",
        RuleCode.HOURS_AT_MOST: "must be at most {max} hours",
        RuleCode.MAX_LINES: "must be at most {max} lines",
        RuleCode.TAX_NUMBER: "must be a GST/HST number such as 123456789RT0001",
        RuleCode.NAME_USED: "is already used by another profile",
        RuleCode.AS_GIVEN: "{text}",
    }
)

RuleParam = int | str | tuple[str, ...]


class BrokenRule(str):
    """A rule a value breaks: ``code`` and ``params`` (read-only). The string itself is the
    English text (so logs, f-strings and the sandbox's answers read as before); screens
    translate by ``code`` and ``params`` only.

    ``BrokenRule(RuleCode.MAX_CHARS, max=12)`` → ``"at most 12 characters"``.
    """

    code: RuleCode
    params: Mapping[str, RuleParam]

    def __new__(cls, code: RuleCode, **params: RuleParam) -> BrokenRule:
        shown = {k: " or ".join(v) if isinstance(v, tuple) else v for k, v in params.items()}
        self = super().__new__(cls, ENGLISH[code].format_map(shown))
        object.__setattr__(self, "code", RuleCode(code))
        object.__setattr__(self, "params", MappingProxyType(dict(params)))
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a BrokenRule does not change")

    def __eq__(self, other: object) -> bool:
        """Two BrokenRules are equal by code and parameters; a text, by its English."""
        if isinstance(other, BrokenRule):
            return self.code is other.code and dict(self.params) == dict(other.params)
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__  # equal code and parameters: equal English, equal hash

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"BrokenRule({self.code.name}{params})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, dict(self.params)))

    @classmethod
    def of(cls, rule: BrokenRule | RuleCode | str) -> BrokenRule:
        """``rule`` as a BrokenRule: a code without parameters, or a text from elsewhere.

        A text that is word for word the English of a code without parameters (IOTPay's
        sandbox answers ``"cardId: is required"``) gets that code; any other text is
        :attr:`RuleCode.AS_GIVEN` and shown as it is. Nothing is parsed out of a text.
        """
        if isinstance(rule, BrokenRule):
            return rule
        if isinstance(rule, RuleCode):
            return cls(rule)
        code = _PLAIN_CODES.get(rule)
        return cls(code) if code is not None else cls(RuleCode.AS_GIVEN, text=rule)


def _rebuild(code: RuleCode, params: dict[str, RuleParam]) -> BrokenRule:
    return BrokenRule(code, **params)


_PLAIN_CODES: Mapping[str, RuleCode] = {
    text: code for code, text in ENGLISH.items() if "{" not in text
}

#: A field check: ``None`` when the value is fine, else the rule it breaks.
Rule = Callable[[Any], BrokenRule | None]

CURRENCIES = ("CAD",)
CHANNELS = ("PF_CC", "UPI_EX")
WALLET_TYPES = ("ApplePay", "GooglePay")
MAX_CENTS = 99_999_999_99  # far above any card limit; keeps amounts within 64-bit and sane

_DIGITS = re.compile(r"[0-9]+")
_MMYY = re.compile(r"(0[1-9]|1[0-2])[0-9]{2}")


def luhn_ok(digits: str) -> bool:
    """Luhn check of a string of ASCII digits (``False`` for an empty or non-digit string)."""
    if not _DIGITS.fullmatch(digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ----------------------------------------------------------------- card numbers in ids

#: A card number is 13 to 19 digits (ISO/IEC 7812); thirteen digits in a row is where
#: one may start.
CARD_RUN_DIGITS = 13
# Digit groups split by a space or a dash ("4242 4242 4242 4242", "4242-4242-…") count as
# one run: the separator after a digit is dropped. Spelled as plain replacements, applied
# in this order, so that the journal's SQL (replace() calls, journal/schema.py) computes
# exactly the same thing.
_SEPARATOR_AFTER_DIGIT = tuple((d + sep, d) for sep in (" ", "-") for d in "0123456789")
_CARD_RUN = re.compile(rf"(?<![0-9A-Za-z])[0-9]{{{CARD_RUN_DIGITS}}}")


_NO_ASCII_DIGITS = str.maketrans("", "", "0123456789")


def ascii_digits(value: str) -> int:
    """How many ASCII digits ``value`` holds (a quick test before a search for runs)."""
    return len(value) - len(value.translate(_NO_ASCII_DIGITS))


def join_digit_groups(value: str) -> str:
    """``value`` with each space or dash that follows a digit removed."""
    if " " not in value and "-" not in value:
        return value  # nothing to remove (ids, amounts): twenty searches spared
    for old, new in _SEPARATOR_AFTER_DIGIT:
        value = value.replace(old, new)
    return value


def has_card_run(value: str) -> bool:
    """True when ``value`` holds a card-like digit run: 13 or more ASCII digits in a row
    (groups split by a space or a dash count as one run) that does not follow a letter.

    IOTPay's ids are a two-letter prefix and 26 digits (``PC20240101215009579871439079``,
    reference section 4; the sandbox makes them the same way) and the desk's own are a
    letter, 12 digits and base32 that may start with digits (``R240101215009K3QZ…``):
    their digit runs follow a letter, so they are ids, not card numbers. A run that
    stands on its own, however long, is refused: no id IOTPay or the desk makes looks
    like that, and a card number hidden in a longer run cannot be told apart from one.
    The journal's database refuses the same (schema v6), computed the same way.
    """
    if len(value) < CARD_RUN_DIGITS or ascii_digits(value) < CARD_RUN_DIGITS:
        return False  # too few digits for a run (the usual case: no search needed)
    return bool(_CARD_RUN.search(join_digit_groups(value)))


def text(max_len: int) -> Rule:
    def rule(v: Any) -> BrokenRule | None:
        if not isinstance(v, str):
            return BrokenRule(RuleCode.TEXT)
        if not v.strip():
            return BrokenRule(RuleCode.NOT_BLANK)
        if len(v) > max_len:
            return BrokenRule(RuleCode.MAX_CHARS, max=max_len)
        if any(ord(c) < 32 or ord(c) == 127 for c in v):
            return BrokenRule(RuleCode.NO_CONTROL_CHARS)
        return None

    return rule


def cents(v: Any) -> BrokenRule | None:
    if isinstance(v, bool) or not isinstance(v, int):
        return BrokenRule(RuleCode.WHOLE_CENTS)
    if v <= 0:
        return BrokenRule(RuleCode.MORE_THAN_ZERO_CENTS)
    if v > MAX_CENTS:
        return BrokenRule(RuleCode.TOO_LARGE)
    return None


def one_of(*allowed: str) -> Rule:
    def rule(v: Any) -> BrokenRule | None:
        if v not in allowed:
            return BrokenRule(RuleCode.ONE_OF, choices=allowed)
        return None

    return rule


def base64_text(max_len: int | None = None) -> Rule:
    def rule(v: Any) -> BrokenRule | None:
        if not isinstance(v, str) or not v.strip():
            return BrokenRule(RuleCode.BASE64_TEXT)
        if max_len is not None and len(v) > max_len:
            return BrokenRule(RuleCode.MAX_CHARS, max=max_len)
        try:
            base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            return BrokenRule(RuleCode.BASE64_VALID)
        return None

    return rule


def mmyy(v: Any) -> BrokenRule | None:
    if not isinstance(v, str) or not _MMYY.fullmatch(v):
        return BrokenRule(RuleCode.MMYY)
    return None


def card_number(v: Any) -> BrokenRule | None:
    if not isinstance(v, str) or not _DIGITS.fullmatch(v):
        return BrokenRule(RuleCode.DIGITS_ONLY)
    if not 12 <= len(v) <= 19:
        return BrokenRule(RuleCode.CARD_LENGTH)
    if not luhn_ok(v):
        return BrokenRule(RuleCode.LUHN)
    return None


def cvv(v: Any) -> BrokenRule | None:
    if not isinstance(v, str) or not _DIGITS.fullmatch(v) or not 3 <= len(v) <= 4:
        return BrokenRule(RuleCode.CVV)
    return None


def url(max_len: int = 200) -> Rule:
    def rule(v: Any) -> BrokenRule | None:
        base = text(max_len)(v)
        if base:
            return base
        if any(c.isspace() for c in v):
            return BrokenRule(RuleCode.NO_SPACES)
        try:
            parts = urlsplit(v)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            return BrokenRule(RuleCode.URL)
        if parts.scheme not in ("http", "https") or not host:
            return BrokenRule(RuleCode.URL)
        return None

    return rule


def ip_address(v: Any) -> BrokenRule | None:
    base = text(50)(v)
    if base:
        return base
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return BrokenRule(RuleCode.IP_ADDRESS)
    return None


def id30(v: Any) -> BrokenRule | None:
    """An id the merchant assigns: String(30), printable, no spaces at the ends."""
    base = text(30)(v)
    if base:
        return base
    if v != v.strip():
        return BrokenRule(RuleCode.NO_EDGE_SPACES)
    return None

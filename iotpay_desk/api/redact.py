"""A logging filter that keeps secrets and card data out of every log line.

Whatever a caller logs — a message, its arguments, an exception's text, ``extra``
fields — the record leaves with card numbers masked, CVVs, signs and keys replaced.
Install it on the handlers (``install_redaction``) so third-party loggers are covered
too.

What counts as a card number: 12 to 19 digits, written together or in groups split by
single spaces or dashes, not glued to letters or other digits, passing the Luhn check
and starting like a payment card does (2221-2720 style Mastercard, 3, 4, 5, 6, 81).
So ids (``PC20240101215009579871439079`` is a 26-digit run), amounts, epoch
timestamps in seconds or milliseconds and ``yyyyMMddHHmmss`` stamps are left alone.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from .models import mask_card_number
from .rules import ascii_digits, luhn_ok

__all__ = [
    "RedactingFilter",
    "forget_secret",
    "install_redaction",
    "mask_cards",
    "redact",
    "register_secret",
]

REDACTED = "[redacted]"
SIGN_REDACTED = "[sign]"

# Runs of digit groups separated by one space or dash; candidates are cut on group edges.
_DIGIT_RUN = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
_GLUE = re.compile(r"[0-9A-Za-z]")

_CARD_FIELD_NAMES = r"card_?num(?:ber)?|pan"
_HIDDEN_FIELD_NAMES = (
    r"cvv2?|cvc2?|cvn|security_?code|sign|signature|wallet_?data"
    r"|[a-z_]*?(?:key|secret|password|passwd|token)"
)
_QUOTED = r"""
    (?P<value_q>
        "(?:\\.|[^"\\])*"
      | '(?:\\.|[^'\\])*'
      | \\"(?:(?!\\").)*\\"
      | \\'(?:(?!\\').)*\\'
    )
"""
_FIELD = re.compile(
    rf"""(?ix)
    (?<![a-z0-9_])
    (?P<name>\\?["']?(?P<field>{_CARD_FIELD_NAMES}|{_HIDDEN_FIELD_NAMES})\\?["']?\s*[:=]\s*)
    (?:
        {_QUOTED}
      | (?P<value>[^\s"'&,;}}\])]+)
    )
    """
)
_CARD_FIELD = re.compile(rf"(?i)(?:{_CARD_FIELD_NAMES})")
_MD5_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32}(?![0-9A-Za-z])")

_lock = threading.Lock()
_known_secrets: set[str] = set()
# The secrets longest first, as redact() replaces them; a new tuple on every change.
_secrets_in_order: tuple[str, ...] = ()


def register_secret(value: str) -> None:
    """Redact ``value`` wherever it appears (merchant keys, once read)."""
    if value and len(value) >= 6:
        with _lock:
            _known_secrets.add(value)
            _order_secrets()


def forget_secret(value: str) -> None:
    with _lock:
        _known_secrets.discard(value)
        _order_secrets()


def _order_secrets() -> None:
    global _secrets_in_order
    _secrets_in_order = tuple(sorted(_known_secrets, key=len, reverse=True))


def _card_prefix(digits: str) -> bool:
    first = digits[:1]
    if first in ("3", "4", "5", "6"):
        return True
    if first == "2":
        return len(digits) < 2 or "22" <= digits[:2] <= "27"
    return digits[:2] in ("8", "81")


def looks_like_card(digits: str) -> bool:
    """True for 12-19 ASCII digits that pass Luhn and start like a payment card."""
    return 12 <= len(digits) <= 19 and _card_prefix(digits) and luhn_ok(digits)


def mask_cards(text: str) -> str:
    """``text`` with every full card number in it masked (nothing else touched)."""
    if len(text) < 12 or ascii_digits(text) < 12:
        return text  # no card number has fewer than 12 digits (looks_like_card)
    out: list[str] = []
    last = 0
    for run in _DIGIT_RUN.finditer(text):
        groups = list(_GROUP.finditer(run.group(0)))
        glued_left = run.start() > 0 and bool(_GLUE.match(text, run.start() - 1))
        glued_right = run.end() < len(text) and bool(_GLUE.match(text, run.end()))
        i = 0
        while i < len(groups):
            if not _card_prefix(groups[i].group(0)[:2]):
                i += 1
                continue
            found = None
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j].group(0)
                if len(digits) > 19:
                    break
                if (i == 0 and glued_left) or (j == len(groups) - 1 and glued_right):
                    continue
                if looks_like_card(digits):
                    found = (j, digits)  # the longest card starting at group i wins
            if found is None:
                i += 1
                continue
            j, digits = found
            start = run.start() + groups[i].start()
            out.append(text[last:start])
            out.append(mask_card_number(digits))
            last = run.start() + groups[j].end()
            i = j + 1
    out.append(text[last:])
    return "".join(out)


def _field_sub(m: re.Match[str]) -> str:
    name = m.group("name")
    quoted = m.group("value_q")
    if quoted is not None:
        q = quoted[:2] if quoted.startswith("\\") else quoted[0]
        inner = quoted[len(q) : -len(q)]
    else:
        q = ""
        inner = m.group("value")
    if _CARD_FIELD.fullmatch(m.group("field")):
        masked = mask_card_number(inner)
        # A masked number keeps at most 10 digits; anything else is dropped whole.
        safe = masked if sum(c.isdecimal() for c in masked) <= 10 else REDACTED
        return f"{name}{q}{safe}{q}"
    return f"{name}{q}{REDACTED}{q}"


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """Return ``text`` with keys, signs, CVVs and full card numbers removed."""
    text = _FIELD.sub(_field_sub, text)
    for s in [*extra, *_secrets_in_order]:
        if s:
            text = text.replace(s, REDACTED)
    if len(text) >= 32:  # a sign's 32 hex digits
        text = _MD5_HEX.sub(SIGN_REDACTED, text)
    return mask_cards(text)


_STANDARD_ATTRS = frozenset(
    logging.LogRecord("x", logging.INFO, __file__, 0, "", None, None).__dict__
) | {"message", "asctime", "taskName"}


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (args, exception text and ``extra`` fields) redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.exc_info:
            record.exc_info = None  # the redacted exc_text stands in for it
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, name, redact(value))
        return True


def install_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Put one :class:`RedactingFilter` on every handler of ``logger`` (root by default)."""
    target = logger or logging.getLogger()
    filt = RedactingFilter()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(filt)
    return filt

"""A logging filter that keeps secrets and card data out of every log line.

Whatever a caller logs — a message, its arguments, an exception's text — the record
leaves with card numbers masked, CVVs, signs and keys replaced. Install it on the
handlers (``install_redaction``) so third-party loggers are covered too.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from .rules import luhn_ok

__all__ = ["RedactingFilter", "install_redaction", "redact"]

_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){11,18}\d(?!\d)")
_SECRET_FIELDS = re.compile(
    r"""(?ix)
    (["']?(?:cvv|cvc|cvv2|cardNum|card_num|sign|key|merchantKey|secret|password|walletData)
    ["']?\s*[:=]\s*["']?)
    ([^"'&,\s}]+)
    """
)
_MD5_HEX = re.compile(r"(?<![0-9A-Fa-f])[0-9A-F]{32}(?![0-9A-Fa-f])")

_lock = threading.Lock()
_known_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Redact ``value`` wherever it appears (merchant keys, once read)."""
    if value and len(value) >= 6:
        with _lock:
            _known_secrets.add(value)


def forget_secret(value: str) -> None:
    with _lock:
        _known_secrets.discard(value)


def _mask_card(m: re.Match[str]) -> str:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    if 12 <= len(digits) <= 19 and luhn_ok(digits):
        return f"{digits[:6]}******{digits[-4:]}" if len(digits) >= 13 else "[card]"
    return raw


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """Return ``text`` with keys, signs, CVVs and full card numbers removed."""
    with _lock:
        secrets = list(_known_secrets)
    for s in [*secrets, *extra]:
        if s:
            text = text.replace(s, "[redacted]")
    text = _SECRET_FIELDS.sub(lambda m: m.group(1) + "[redacted]", text)
    text = _MD5_HEX.sub("[sign]", text)
    return _CARD.sub(_mask_card, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (args and exception text included) redacted."""

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
        return True


def install_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Put one :class:`RedactingFilter` on every handler of ``logger`` (root by default)."""
    target = logger or logging.getLogger()
    filt = RedactingFilter()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(filt)
    return filt

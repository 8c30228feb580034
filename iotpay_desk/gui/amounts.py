"""Money at the widget edge: integer cents to the locale's text and back (never a float)."""

from __future__ import annotations

import re

from PySide6.QtCore import QLocale

from iotpay_desk.services import InvalidInput, parse_cents

__all__ = ["format_cents", "parse_amount"]


def format_cents(cents: int, locale: QLocale | None = None) -> str:
    """``1250`` → ``$12.50`` (English) or ``12,50 $`` (French): the locale's currency
    layout, built from the integer cents."""
    loc = locale or QLocale()
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    number = f"{loc.toString(dollars)}{loc.decimalPoint()}{rest:02d}"
    template = loc.toCurrencyString(0.0, "$", 2)  # e.g. "$0.00" / "0,00 $"
    zero = f"0{loc.decimalPoint()}00"
    if zero in template:
        return sign + template.replace(zero, number, 1)
    return f"{sign}${number}"


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_amount(text: str, locale: QLocale | None = None) -> int:
    """What a cashier types → cents: ``12.50``, ``12,50`` (French), ``$1,234.5``,
    ``1 234,50 $``. Raises :class:`~iotpay_desk.services.InvalidInput` on ``amount``."""
    loc = locale or QLocale()
    raw = _SPACES.sub("", text).replace("$", "")
    point, group = loc.decimalPoint(), loc.groupSeparator()
    if group and not _SPACES.fullmatch(group) and group != point:
        raw = raw.replace(group, "")
    if point != ".":
        if "." in raw and point in raw:
            raise InvalidInput("amount", "must be an amount such as 12.50")
        raw = raw.replace(point, ".")
    if raw.count(".") > 1 or "," in raw:
        raise InvalidInput("amount", "must be an amount such as 12.50")
    return parse_cents(raw)

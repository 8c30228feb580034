"""Money at the widget edge: integer cents to the locale's text and back (never a float),
and the amount in words that every money form shows before it sends anything.

What a cashier types is read by one rule, the same in every locale, so that no text is
ever read as a different amount than the one meant:

* ``.`` is always the decimal point; the locale's own decimal point (``,`` in French) is
  one too;
* ``,`` is the decimal point wherever it cannot be a thousands separator — one or two
  digits after it (``10,50`` is ten dollars fifty, in English as in French);
* thousands may be grouped by three with spaces, or with ``,`` where the locale groups
  with it or a ``.`` follows (``1,050`` in English, ``1,050.00`` and ``1 050`` anywhere);
* anything else (``1,050`` in French, ``1.050``, ``10 50``, ``1,234,56``) is refused
  with a message naming the rule, never guessed.
"""

from __future__ import annotations

import re
from typing import final

from PySide6.QtCore import QCoreApplication, QLocale, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from iotpay_desk.api.rules import MAX_CENTS
from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP
from iotpay_desk.services import InvalidInput

__all__ = [
    "AmountEcho",
    "amount_in_words",
    "dollars_in_words",
    "format_cents",
    "number_in_words",
    "parse_amount",
    "understood",
    "words_language",
]

CONTEXT = "Amounts"
translate = QCoreApplication.translate

#: The rule texts of the services, kept word for word (``gui.errors`` translates them).
RULE_SHAPE = "must be an amount such as 12.50"
RULE_DECIMALS = "at most two decimals"
RULE_POSITIVE = "must be more than 0"
RULE_TOO_LARGE = "is too large"
#: The rule an ambiguous separator breaks (translated here: ``%1`` is a grouped example).
RULE_AMBIGUOUS = QT_TRANSLATE_NOOP(
    "Amounts",
    "is ambiguous — cents follow a “.” or a “,” (one or two digits: 10.50 or 10,50) and "
    "thousands are grouped by three (%1)",
)
#: Which language the amount is spelled out in: the catalogue's (French says "fr").
LANGUAGE_MARKER = QT_TRANSLATE_NOOP("Amounts", "en")


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


# --------------------------------------------------------------------------- parsing

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_ALLOWED = re.compile(r"[0-9., ]+")
_CENTS = re.compile(r"[0-9]{1,2}")
_DIGITS = re.compile(r"[0-9]+")


def _ambiguous(loc: QLocale) -> InvalidInput:
    grouped = "1,050" if loc.groupSeparator() == "," else "1 050"
    return InvalidInput("amount", translate(CONTEXT, RULE_AMBIGUOUS).replace("%1", grouped))


def _whole_dollars(text: str, loc: QLocale, *, point_follows: bool = False) -> str:
    """The dollars part without its grouping: digits, or digits grouped by three with one
    kind of separator (spaces, or ``,`` where the locale groups with it or a ``.`` follows,
    so that the ``,`` cannot be the decimal point)."""
    if _DIGITS.fullmatch(text) or text == "":
        return text
    seps = {c for c in text if not c.isdigit()}
    allowed = {" ", ","} if loc.groupSeparator() == "," or point_follows else {" "}
    if len(seps) != 1 or not seps <= allowed:
        raise _ambiguous(loc)
    sep = seps.pop()
    if not re.fullmatch(rf"[0-9]{{1,3}}(?:{re.escape(sep)}[0-9]{{3}})+", text):
        raise _ambiguous(loc)
    return text.replace(sep, "")


def parse_amount(text: str, locale: QLocale | None = None) -> int:
    """What a cashier types → cents, by the rule in this module's docstring: ``12.50``,
    ``12,5``, ``$1,234.50`` (English), ``1 234,50 $``. Raises
    :class:`~iotpay_desk.services.InvalidInput` on ``amount`` naming the rule broken."""
    loc = locale or QLocale()
    raw = _SPACES.sub(" ", text).strip()
    if raw.startswith("$"):
        raw = raw[1:].strip()
    elif raw.endswith("$"):
        raw = raw[:-1].strip()
    if raw.startswith(("-", loc.negativeSign())) and raw[1:].strip():
        raise InvalidInput("amount", RULE_POSITIVE)
    if not raw or not _ALLOWED.fullmatch(raw) or not any(c.isdigit() for c in raw):
        raise InvalidInput("amount", RULE_SHAPE)
    point = loc.decimalPoint()
    if raw.count(".") > 1:
        raise _ambiguous(loc)
    if "." in raw:
        whole, frac = raw.rsplit(".", 1)
        if not _DIGITS.fullmatch(frac) and frac != "":
            raise _ambiguous(loc)
        dollars = _whole_dollars(whole.strip(), loc, point_follows=True)
    elif "," in raw:
        whole, _, last = raw.rpartition(",")
        if raw.count(",") == 1 and _CENTS.fullmatch(last):
            frac = last  # "," with one or two digits after it: it can only be cents
        elif point == "," and raw.count(",") == 1 and _DIGITS.fullmatch(last):
            raise _ambiguous(loc)  # "1,050" in French: thousands or three decimals?
        else:
            whole, frac = raw, ""  # "," can only group thousands here, if anything
        dollars = _whole_dollars(whole.strip(), loc)
    else:
        frac = ""
        dollars = _whole_dollars(raw, loc)
    if len(frac) > 2:
        raise InvalidInput("amount", RULE_DECIMALS)
    if not dollars and not frac:
        raise InvalidInput("amount", RULE_SHAPE)
    if len(dollars) > 15:
        raise InvalidInput("amount", RULE_TOO_LARGE)
    cents = int(dollars or "0") * 100 + int((frac + "00")[:2])
    if cents <= 0:
        raise InvalidInput("amount", RULE_POSITIVE)
    if cents > MAX_CENTS:
        raise InvalidInput("amount", RULE_TOO_LARGE)
    return cents


# --------------------------------------------------------------------------- words

_EN_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_SCALES = ((10**9, "billion"), (10**6, "million"), (10**3, "thousand"))

_FR_SMALL = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
_FR_TENS = [
    "_",
    "_",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
    "_",
    "quatre-vingt",
    "_",
]
#: Numbers the words are written for: up to a billion less one, in dollars.
WORDS_LIMIT = 10**12


def _en_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = [f"{_EN_SMALL[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        parts.append(_EN_TENS[tens] + (f"-{_EN_SMALL[unit]}" if unit else ""))
    elif rest or not parts:
        parts.append(_EN_SMALL[rest])
    return " ".join(parts)


def _en_words(n: int) -> str:
    if n == 0:
        return "zero"
    parts = []
    for value, name in _EN_SCALES:
        q, n = divmod(n, value)
        if q:
            parts.append(f"{_en_below_1000(q)} {name}")
    if n:
        parts.append(_en_below_1000(n))
    return " ".join(parts)


def _fr_below_100(n: int, final: bool) -> str:
    """0–99 (0 only alone). ``final``: nothing follows but a noun (dollars, millions), so
    ``quatre-vingts`` takes its s (not before ``mille``)."""
    if n < 20:
        return _FR_SMALL[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix…, quatre-vingt-dix…
        tens, unit = tens - 1, unit + 10
    base = _FR_TENS[tens]
    if unit == 0:
        return base + ("s" if tens == 8 and final else "")
    if unit in (1, 11) and tens != 8:
        return f"{base} et {_FR_SMALL[unit]}"  # vingt et un, soixante et onze
    return f"{base}-{_FR_SMALL[unit]}"


def _fr_below_1000(n: int, final: bool) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        head = "cent" if hundreds == 1 else f"{_FR_SMALL[hundreds]} cent"
        if hundreds > 1 and rest == 0 and final:
            head += "s"  # deux cents, but deux cent un, deux cent mille
        parts.append(head)
    if rest or not parts:
        parts.append(_fr_below_100(rest, final))
    return " ".join(parts)


def _fr_words(n: int) -> str:
    if n == 0:
        return "zéro"
    parts = []
    for value, name in ((10**9, "milliard"), (10**6, "million")):
        q, n = divmod(n, value)
        if q:  # nouns: un million, deux cents millions
            parts.append(f"{_fr_below_1000(q, True)} {name}{'s' if q > 1 else ''}")
    q, n = divmod(n, 1000)
    if q:  # mille is invariable and never "un mille"
        parts.append("mille" if q == 1 else f"{_fr_below_1000(q, False)} mille")
    if n:
        parts.append(_fr_below_1000(n, True))
    return " ".join(parts)


def number_in_words(n: int, language: str = "en") -> str:
    """``1050`` → ``one thousand fifty`` / ``mille cinquante`` (Canadian French: vingt et
    un, quatre-vingts, deux cents, mille invariable, millions)."""
    if not 0 <= n < WORDS_LIMIT:
        raise ValueError(f"{n} is outside 0…{WORDS_LIMIT - 1}")
    return _fr_words(n) if language == "fr" else _en_words(n)


def dollars_in_words(cents: int, language: str = "en") -> str:
    """``105000`` → ``one thousand fifty dollars and no cents`` /
    ``mille cinquante dollars et zéro cent``."""
    sign, cents = ("minus " if language != "fr" else "moins ") if cents < 0 else "", abs(cents)
    dollars, rest = divmod(cents, 100)
    if language == "fr":
        d = _fr_words(dollars)
        unit = "dollar" if dollars <= 1 else "dollars"
        if dollars and dollars % 10**6 == 0:
            unit = "de dollars"  # un million de dollars
        c = _fr_words(rest)
        return f"{sign}{d} {unit} et {c} {'cent' if rest <= 1 else 'cents'}"
    d = _en_words(dollars)
    c = "no cents" if rest == 0 else f"{_en_words(rest)} {'cent' if rest == 1 else 'cents'}"
    return f"{sign}{d} {'dollar' if dollars == 1 else 'dollars'} and {c}"


def words_language() -> str:
    """The language amounts are spelled out in: the one the desk is shown in."""
    return "fr" if translate(CONTEXT, LANGUAGE_MARKER).startswith("fr") else "en"


def amount_in_words(cents: int, language: str | None = None) -> str:
    """The amount spelled out in the desk's language (or ``language``)."""
    return dollars_in_words(cents, language or words_language())


def understood(cents: int, locale: QLocale | None = None, language: str | None = None) -> str:
    """``$1,050.00 — one thousand fifty dollars and no cents``: what a form read."""
    return (
        translate("Amounts", "%1 — %2")
        .replace("%1", format_cents(cents, locale))
        .replace("%2", amount_in_words(cents, language))
    )


@final
class AmountEcho(QLabel):
    """The line under an amount field that says, as it is typed, the amount the form
    understood in figures and words, or the rule the text breaks. Put it in the form
    right under the field; ``cents`` is the amount understood (None when there is none)."""

    def __init__(self, field: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{field.objectName() or 'amount'}-understood")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._field = field
        self.cents: int | None = None
        field.textChanged.connect(self.refresh)
        self.refresh()

    # WORKAROUND: QFormLayout sizes a row from its widget's sizeHint, and a word-wrapped
    # QLabel hints a narrow, tall box (three lines for one), which left gaps around the
    # line; hint the height the text needs at the width the label really has.
    def sizeHint(self) -> QSize:
        width = self.width() if self.isVisible() and self.width() > 0 else 0
        width = width or self.fontMetrics().averageCharWidth() * 48
        return QSize(width, max(self.heightForWidth(width), self.fontMetrics().height()))

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * 20), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()

    def refresh(self, *_args: object) -> None:
        text = self._field.text()
        self.cents = None
        if not text.strip():
            self.clear()
            self.setVisible(False)
            return
        try:
            self.cents = parse_amount(text)
        except InvalidInput as exc:
            from .errors import field_label, rule_text

            self.setText(
                translate("Amounts", "%1: %2.")
                .replace("%1", field_label("amount"))
                .replace("%2", rule_text(exc.rule))
            )
        else:
            self.setText(
                translate("Amounts", "Understood: %1.").replace("%1", understood(self.cents))
            )
        self.setAccessibleName(self.text())
        self.setVisible(True)
        self.updateGeometry()

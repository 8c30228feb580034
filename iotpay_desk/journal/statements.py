"""A bank statement read from its file: CSV as Canadian banks export it, or OFX/QFX.

Plain Python: no Qt, no database. :func:`read_statement` reads a file into a
:class:`StatementPlan` (the lines it understood, the lines it could not with their line
number and reason, the format and date order it found); nothing is stored here.

CSV files vary by bank: a date column, a description (one or several columns), and either
one signed amount column or separate withdrawal/deposit (debit/credit) columns; headers in
English or French, or none at all (the shape ``date, description, debit, credit[, balance]``
some banks use); comma, semicolon or tab separated; UTF-8 with or without BOM, or
Windows-1252. Dates ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD``, ``MM/DD/YYYY`` or
``DD/MM/YYYY``: when the day and month could be either way, the whole file's dates decide
(a value over 12 can only be a day); a file that never shows is refused with
:class:`DateOrderUnknown` and read again with the order the person chooses.

OFX/QFX 1.x (SGML) and 2.x (XML) files go through ``ofxtools``: the bank's FITID is each
line's reference and ACCTID its account. A CSV line's reference is a hash of its account,
date, amount, description and its occurrence number among identical lines of the file, so
the same statement read twice gives the same references.

Errors name the file and the rule; their texts are English source strings marked for
translation in the ``Statement`` context, with ``%1``, ``%2`` … for their values.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP

from .scrub import scrub

__all__ = [
    "DATE_ORDERS",
    "MAX_STATEMENT_BYTES",
    "BadLine",
    "DateOrderUnknown",
    "StatementError",
    "StatementLine",
    "StatementPlan",
    "parse_amount",
    "read_statement",
    "read_statement_bytes",
]

MAX_STATEMENT_BYTES = 8 * 1024 * 1024
"""A statement larger than this is refused before it is read (a year of a busy account's
lines is well under a megabyte)."""

DATE_ORDERS = ("dmy", "mdy")
"""The orders a ``NN/NN/YYYY`` date may be read in: day first, or month first."""

DESCRIPTION_MAX = 500


# Reasons (a file refused, or one of its lines).
TOO_LARGE = QT_TRANSLATE_NOOP(
    "Statement", "The file is larger than %1 MB; a bank statement is much smaller."
)
EMPTY = QT_TRANSLATE_NOOP("Statement", "The file is empty.")
NOT_TEXT = QT_TRANSLATE_NOOP(
    "Statement", "This is not a text file (CSV) nor an OFX or QFX statement."
)
BAD_ENCODING = QT_TRANSLATE_NOOP(
    "Statement",
    "The file is neither UTF-8 nor Windows-1252 text: line %1 has a byte that cannot be read "
    "(byte %2 of the file).",
)
NO_HEADER = QT_TRANSLATE_NOOP(
    "Statement",
    "No date column was found: the file needs a header row with a date, a description and "
    "an amount (or withdrawal and deposit) column.",
)
NO_AMOUNT = QT_TRANSLATE_NOOP(
    "Statement",
    "No amount column was found: the header needs an amount column, or withdrawal and "
    "deposit (debit and credit) columns.",
)
NO_LINES = QT_TRANSLATE_NOOP("Statement", "The file has no transaction lines.")
MIXED_ORDER = QT_TRANSLATE_NOOP(
    "Statement",
    "The dates are written both day first (line %1) and month first (line %2): the file "
    "cannot be read.",
)
DATE_ORDER_UNKNOWN = QT_TRANSLATE_NOOP(
    "Statement",
    "Every date in the file could be read day first or month first (for example “%1”): "
    "choose how the bank writes dates.",
)
NOT_OFX = QT_TRANSLATE_NOOP("Statement", "The file is not a valid OFX or QFX statement: %1")
NO_STATEMENT = QT_TRANSLATE_NOOP("Statement", "The OFX file holds no bank or card statement.")
CANNOT_READ = QT_TRANSLATE_NOOP("Statement", "The file cannot be read: %1")

BAD_DATE = QT_TRANSLATE_NOOP("Statement", "“%1” is not a date")
BAD_AMOUNT = QT_TRANSLATE_NOOP("Statement", "“%1” is not an amount")
TOO_FEW_CELLS = QT_TRANSLATE_NOOP("Statement", "the line has %1 cells; the header has %2")
BOTH_SIDES = QT_TRANSLATE_NOOP(
    "Statement", "both the withdrawal and the deposit columns have an amount"
)
NO_SIDE = QT_TRANSLATE_NOOP("Statement", "no amount")
DEPOSIT_ON_DEBIT = QT_TRANSLATE_NOOP("Statement", "“%1” in the withdrawal column is negative")


class StatementError(ValueError):
    """A statement file that cannot be read at all: ``file_name`` and the ``reason`` (an
    English source text of the ``Statement`` context with ``%1``… for ``args``)."""

    def __init__(self, file_name: str, reason: str, *args: object) -> None:
        self.file_name = file_name
        self.reason = reason
        self.args_ = tuple(str(a) for a in args)
        super().__init__(f"{file_name}: {fill(reason, self.args_)}")


class DateOrderUnknown(StatementError):
    """Every date of the file reads both day first and month first: read it again with
    ``date_order`` "dmy" or "mdy". ``example``: one of the file's dates."""

    def __init__(self, file_name: str, example: str) -> None:
        self.example = example
        super().__init__(file_name, DATE_ORDER_UNKNOWN, example)


def fill(text: str, args: Sequence[str]) -> str:
    """``text`` with ``%1``, ``%2`` … replaced by ``args`` (as Qt's ``arg`` would)."""
    return re.sub(r"%(\d)", lambda m: _nth(args, int(m.group(1))), text)


def _nth(args: Sequence[str], n: int) -> str:
    return args[n - 1] if 0 < n <= len(args) else f"%{n}"


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line of the file that was left out: its number (1 = the file's first line) and
    the reason (a ``Statement`` source text, with ``args`` for its ``%1``…)."""

    line: int
    reason: str
    args: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return fill(self.reason, self.args)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A transaction of the statement: ``amount_cents`` is signed (a deposit is > 0);
    ``ref`` the bank's id (OFX FITID) or one made from the line (CSV)."""

    line: int
    posted_on: date
    amount_cents: int
    description: str
    ref: str
    account: str = ""

    @property
    def is_deposit(self) -> bool:
        return self.amount_cents > 0


@dataclass(frozen=True, slots=True)
class StatementPlan:
    """What a statement file holds, before anything is stored."""

    path: str
    file_name: str
    source: str  # "csv" or "ofx"
    lines: tuple[StatementLine, ...]
    bad_lines: tuple[BadLine, ...] = ()
    date_order: str = ""  # "ymd", "dmy", "mdy", or "" when the order made no difference
    encoding: str = ""
    columns: tuple[str, ...] = field(default=())

    @property
    def deposits(self) -> tuple[StatementLine, ...]:
        """The lines that put money in the account (the only ones matched to days)."""
        return tuple(x for x in self.lines if x.is_deposit)

    @property
    def withdrawals(self) -> int:
        return sum(1 for x in self.lines if not x.is_deposit)

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted({x.account for x in self.lines}))


# ---------------------------------------------------------------------------- amounts

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_CURRENCY = re.compile(r"(?i)(CAD|CA\$|C\$|US\$|USD|\$)")
_NUMBER = re.compile(r"^\d[\d.,]*$")


def parse_amount(text: str, decimal: str = "") -> int | None:
    """Cents of an amount as banks write them (``1,234.56``, ``1 234,56``, ``$1,234.56``,
    ``1 234,56 $``, ``(12.00)``, ``-12.00``, ``12.00-``, ``+5``), or None if it is not one
    (more than two decimals, letters, a formula). ``decimal``: the file's decimal mark
    ("." or ","), when its other amounts show it; else each amount decides."""
    s = text.strip()
    if not s or len(s) > 40:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    s = _CURRENCY.sub("", s).strip()
    s = s.replace("\u2212", "-")
    if s.startswith(("-", "+")):
        negative ^= s[0] == "-"
        s = s[1:].strip()
        s = _CURRENCY.sub("", s).strip()
    elif s.endswith(("-", "+")):
        negative ^= s[-1] == "-"
        s = s[:-1].strip()
    s = _SPACES.sub("", s)
    if not _NUMBER.match(s):
        return None
    decimal_sep = _decimal_separator(s, decimal)
    if decimal_sep is None and ("." in s and "," in s):
        return None
    if decimal_sep is None:
        whole, frac = s, ""
    else:
        whole, _, frac = s.rpartition(decimal_sep)
    if not whole:
        return None
    if decimal and decimal in whole:
        return None
    if not _groups_ok(whole):
        return None
    digits = whole.replace(",", "").replace(".", "")
    if len(frac) > 2 or not digits.isdigit() or (frac and not frac.isdigit()):
        return None
    try:
        cents = int(Decimal(f"{digits}.{frac or '0'}") * 100)
    except InvalidOperation:
        return None
    return -cents if negative else cents


def _decimal_separator(s: str, decimal: str = "") -> str | None:
    if decimal:
        return decimal if decimal in s else None
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    sep = "." if last_dot >= 0 else "," if last_comma >= 0 else ""
    if not sep:
        return None
    if s.count(sep) > 1:
        return None  # 1,234,567: thousands separators only
    after = len(s) - s.rfind(sep) - 1
    # Money has two decimals at most: "1,234" is a thousand and more, "12,5" twelve and a half.
    return None if after == 3 else sep


def _groups_ok(whole: str) -> bool:
    """Thousands groups, if any, are of three digits (1,234,567 or 1.234.567)."""
    parts = re.split(r"[.,]", whole)
    if len(parts) == 1:
        return True
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


_DECIMAL_EVIDENCE = re.compile(r"\d([.,])\d{1,2}\s*(\$|CAD|-|\))?\s*$")


def _file_decimal(cells: Iterable[str]) -> str:
    """The decimal mark the file's amounts show ("." or ","), "" if none shows it."""
    marks: Counter[str] = Counter()
    for cell in cells:
        m = _DECIMAL_EVIDENCE.search(cell.strip())
        if m:
            marks[m.group(1)] += 1
    if not marks:
        return ""
    (mark, _), *rest = marks.most_common()
    return mark if not rest or rest[0][1] < marks[mark] else ""


# ---------------------------------------------------------------------------- dates

_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_YMD_PACKED = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_XXY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?$")


@dataclass(frozen=True, slots=True)
class _RawDate:
    text: str
    kind: str  # "ymd" or "xxy"
    parts: tuple[int, int, int]


@functools.lru_cache(maxsize=4096)
def _raw_date(text: str) -> _RawDate | None:
    s = _TIME_TAIL.sub("", text.strip())
    m = _YMD.match(s) or _YMD_PACKED.match(s)
    if m:
        return _RawDate(text.strip(), "ymd", (int(m[1]), int(m[2]), int(m[3])))
    m = _XXY.match(s)
    if m:
        return _RawDate(text.strip(), "xxy", (int(m[1]), int(m[2]), int(m[3])))
    return None


def _to_date(raw: _RawDate, order: str) -> date | None:
    a, b, c = raw.parts
    try:
        if raw.kind == "ymd":
            return date(a, b, c)
        if order == "mdy":
            return date(c, a, b)
        return date(c, b, a)
    except ValueError:
        return None


# ---------------------------------------------------------------------------- files


def read_statement(
    path: str | Path, *, date_order: str | None = None, account: str = ""
) -> StatementPlan:
    """Read a CSV, OFX or QFX statement (see the module doc). ``date_order`` ("dmy" or
    "mdy") settles dates the file leaves open; ``account`` names the account of a CSV
    without an account column. Raises :class:`StatementError` (:class:`DateOrderUnknown`)."""
    p = Path(path)
    name = p.name
    try:
        size = p.stat().st_size
        if size > MAX_STATEMENT_BYTES:
            raise StatementError(name, TOO_LARGE, MAX_STATEMENT_BYTES // (1024 * 1024))
        with p.open("rb") as fh:
            data = fh.read(MAX_STATEMENT_BYTES + 1)
    except OSError as exc:
        raise StatementError(name, CANNOT_READ, exc.strerror or type(exc).__name__) from None
    return read_statement_bytes(data, name, date_order=date_order, account=account, path=str(p))


def read_statement_bytes(
    data: bytes,
    file_name: str,
    *,
    date_order: str | None = None,
    account: str = "",
    path: str = "",
) -> StatementPlan:
    """:func:`read_statement` of a file's bytes."""
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order: one of {DATE_ORDERS}")
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(file_name, TOO_LARGE, MAX_STATEMENT_BYTES // (1024 * 1024))
    if not data.strip():
        raise StatementError(file_name, EMPTY)
    if _looks_ofx(data):
        return _read_ofx(data, file_name, path)
    if b"\x00" in data[:65536] or b"\x00" in data:
        raise StatementError(file_name, NOT_TEXT)
    text, encoding = _decode(data, file_name)
    return _read_csv(text, file_name, path, encoding, date_order, account)


def _looks_ofx(data: bytes) -> bool:
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip().upper()
    if head.startswith(b"<OFX>"):
        return True
    return head.startswith((b"OFXHEADER", b"<?XML")) and b"OFX" in head


def _decode(data: bytes, file_name: str) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise StatementError(file_name, BAD_ENCODING, line, exc.start + 1) from None
    # Windows-1252 decodes nearly any bytes: text full of control characters is not text.
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    if controls > max(8, len(text) // 200):
        raise StatementError(file_name, NOT_TEXT)
    return text, "windows-1252"


# ---------------------------------------------------------------------------- CSV

_HEADER_SCAN = 30  # rows looked at for the header (some banks put account details first)


def _norm(cell: str) -> str:
    s = unicodedata.normalize("NFKD", cell.strip().lower())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", s.replace("_", " ")).strip(" :")


_DATE_WORDS = ("date",)
_POSTED_WORDS = ("post", "comptab", "inscri", "valeur", "value")
_DEBIT_WORDS = (
    "debit",
    "withdrawal",
    "withdrawn",
    "retrait",
    "money out",
    "paid out",
    "sortie",
    "payment",
)
_CREDIT_WORDS = ("credit", "deposit", "depot", "money in", "paid in", "entree", "encaissement")
_AMOUNT_WORDS = ("amount", "montant", "cad$", "cad", "somme", "value", "valeur")
_DESC_WORDS = (
    "description",
    "libelle",
    "name",
    "nom",
    "memo",
    "payee",
    "beneficiaire",
    "details",
    "detail",
    "narrative",
    "transaction",
    "operation",
)
_ACCOUNT_WORDS = ("account number", "numero de compte", "no de compte", "n de compte", "compte")
_SKIP_WORDS = ("balance", "solde", "category", "categorie", "cheque", "currency", "devise")


@dataclass
class _Columns:
    date: int
    description: list[int]
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    account: int | None = None
    names: tuple[str, ...] = ()
    header_line: int = 0  # 0: no header row

    @property
    def needed(self) -> int:
        used = [self.date, *self.description, self.amount, self.debit, self.credit]
        return 1 + max(i for i in used if i is not None)


def _classify(header: Sequence[str]) -> _Columns | None:
    names = [_norm(h) for h in header]
    dates = [i for i, n in enumerate(names) if any(w in n for w in _DATE_WORDS)]
    if not dates:
        return None
    posted = [i for i in dates if any(w in names[i] for w in _POSTED_WORDS)]
    date_col = (posted or dates)[0]
    cols = _Columns(date=date_col, description=[], names=tuple(h.strip() for h in header))
    for i, n in enumerate(names):
        if i in dates or not n:
            continue
        if any(w in n for w in _SKIP_WORDS):
            continue
        if cols.account is None and any(w == n or n.startswith(w) for w in _ACCOUNT_WORDS):
            cols.account = i
        elif cols.debit is None and any(w in n for w in _DEBIT_WORDS):
            cols.debit = i
        elif cols.credit is None and any(w in n for w in _CREDIT_WORDS):
            cols.credit = i
        elif cols.amount is None and any(w in n for w in _AMOUNT_WORDS):
            cols.amount = i
        elif any(w in n for w in _DESC_WORDS):
            cols.description.append(i)
    if cols.amount is not None and (cols.debit is None or cols.credit is None):
        cols.debit = cols.credit = None
    return cols


def _headerless(row: Sequence[str]) -> _Columns | None:
    """``date, description, amount`` or ``date, description, debit, credit[, balance]``
    with no header row (the first cell a date, the others amounts or empty)."""
    cells = [c.strip() for c in row]
    if len(cells) < 3 or _raw_date(cells[0]) is None:
        return None

    def money(c: str) -> bool:
        return c == "" or parse_amount(c) is not None

    if len(cells) >= 4 and money(cells[2]) and money(cells[3]) and (cells[2] or cells[3]):
        return _Columns(date=0, description=[1], debit=2, credit=3)
    if len(cells) == 3 and cells[2] and money(cells[2]):
        return _Columns(date=0, description=[1], amount=2)
    return None


def _sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text.splitlines()[:40])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _read_csv(
    text: str,
    file_name: str,
    path: str,
    encoding: str,
    date_order: str | None,
    account: str,
) -> StatementPlan:
    dialect = _sniff_dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise StatementError(file_name, CANNOT_READ, f"line {reader.line_num}: {exc}") from None
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise StatementError(file_name, EMPTY)
    cols: _Columns | None = None
    start = 0
    for k, (n, row) in enumerate(rows[:_HEADER_SCAN]):
        found = _classify(row)
        if found is not None and _raw_date(row[found.date]) is None:
            found.header_line = n
            cols, start = found, k + 1
            break
        guessed = _headerless(row)
        if guessed is not None:
            cols, start = guessed, k
            break
    if cols is None:
        raise StatementError(file_name, NO_HEADER)
    if cols.amount is None and (cols.debit is None or cols.credit is None):
        raise StatementError(file_name, NO_AMOUNT)
    body = rows[start:]
    if not body:
        raise StatementError(file_name, NO_LINES)

    # The date order, from the whole file.
    raws: list[tuple[int, _RawDate | None]] = []
    for n, row in body:
        cell = row[cols.date] if cols.date < len(row) else ""
        raws.append((n, _raw_date(cell)))
    order = _date_order(file_name, [(n, r) for n, r in raws if r is not None], date_order)
    money_cols = [i for i in (cols.amount, cols.debit, cols.credit) if i is not None]
    decimal = _file_decimal(row[i] for _, row in body for i in money_cols if i < len(row))

    lines: list[StatementLine] = []
    bad: list[BadLine] = []
    seen: Counter[tuple[str, str, int, str]] = Counter()
    needed = cols.needed
    for (n, row), (_, raw) in zip(body, raws, strict=True):
        if len(row) < needed:
            bad.append(BadLine(n, TOO_FEW_CELLS, (str(len(row)), str(needed))))
            continue
        day = _to_date(raw, order) if raw is not None else None
        if day is None:
            bad.append(BadLine(n, BAD_DATE, (_shown(row[cols.date]),)))
            continue
        cents, problem = _row_amount(row, cols, decimal)
        if problem is not None:
            bad.append(problem if problem.line else BadLine(n, problem.reason, problem.args))
            continue
        assert cents is not None
        if cents == 0:
            continue
        desc = " ".join(row[i].strip() for i in cols.description if row[i].strip())
        desc = _clean(desc)
        acct = row[cols.account].strip() if cols.account is not None else account.strip()
        acct = _clean(acct, 100)
        key = (acct, day.isoformat(), cents, desc)
        seen[key] += 1
        ref = _csv_ref(*key, seen[key])
        lines.append(StatementLine(n, day, cents, desc, ref, acct))
    if not lines and not bad:
        raise StatementError(file_name, NO_LINES)
    return StatementPlan(
        path=path,
        file_name=file_name,
        source="csv",
        lines=tuple(lines),
        bad_lines=tuple(bad),
        date_order=order,
        encoding=encoding,
        columns=cols.names,
    )


def _clean(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """``text`` on one line, without card numbers (a card number has 12 digits or more)."""
    text = " ".join(text.split())
    if sum(map(str.isdigit, text)) >= 12:
        text = scrub(text)
    return text[:limit]


def _shown(cell: str) -> str:
    cell = cell.strip()
    return scrub(cell[:40] + ("…" if len(cell) > 40 else ""))


def _row_amount(
    row: Sequence[str], cols: _Columns, decimal: str
) -> tuple[int | None, BadLine | None]:
    if cols.amount is not None:
        cell = row[cols.amount]
        cents = parse_amount(cell, decimal)
        if cents is None:
            return None, BadLine(0, BAD_AMOUNT if cell.strip() else NO_SIDE, (_shown(cell),))
        return cents, None
    assert cols.debit is not None
    assert cols.credit is not None
    out_cell, in_cell = row[cols.debit].strip(), row[cols.credit].strip()
    out = parse_amount(out_cell, decimal) if out_cell else 0
    got = parse_amount(in_cell, decimal) if in_cell else 0
    if out is None:
        return None, BadLine(0, BAD_AMOUNT, (_shown(out_cell),))
    if got is None:
        return None, BadLine(0, BAD_AMOUNT, (_shown(in_cell),))
    if out and got:
        return None, BadLine(0, BOTH_SIDES)
    if not out_cell and not in_cell:
        return None, BadLine(0, NO_SIDE)
    # A withdrawal column holds what left the account: written positive, or negative.
    return (got if got else -abs(out)), None


def _date_order(file_name: str, raws: Iterable[tuple[int, _RawDate]], chosen: str | None) -> str:
    xxy = [(n, r) for n, r in raws if r.kind == "xxy"]
    if not xxy:
        return "ymd"
    day_first = next((n for n, r in xxy if r.parts[0] > 12), None)
    month_first = next((n for n, r in xxy if r.parts[1] > 12), None)
    if day_first is not None and month_first is not None:
        raise StatementError(file_name, MIXED_ORDER, day_first, month_first)
    if day_first is not None:
        return "dmy"
    if month_first is not None:
        return "mdy"
    if chosen is not None:
        return chosen
    if all(r.parts[0] == r.parts[1] for _, r in xxy):
        return "dmy"  # 01/01, 02/02 …: the same either way
    raise DateOrderUnknown(file_name, next(r.text for _, r in xxy if r.parts[0] != r.parts[1]))


def _csv_ref(account: str, day: str, cents: int, description: str, occurrence: int) -> str:
    raw = "\x1f".join((account, day, str(cents), description, str(occurrence)))
    return "csv:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


# ---------------------------------------------------------------------------- OFX


def _read_ofx(data: bytes, file_name: str, path: str) -> StatementPlan:
    """Read with ofxtools: its parser (OFX 1.x SGML or 2.x XML) and its typed models. A
    file the models refuse (banks' exports often leave out an element the standard
    requires, such as the server's time) is read from the parsed tree instead, as long as
    it holds a statement. A bad line's number is the transaction's number in the file."""
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # banks' private tags (<INTU.BID> …)
            tree.parse(io.BytesIO(data.lstrip(codecs.BOM_UTF8).lstrip()))
    except Exception as exc:  # ofxtools raises many kinds for a malformed file
        raise StatementError(file_name, NOT_OFX, _first_line(exc)) from None
    root = tree.getroot()
    if root is None:
        raise StatementError(file_name, NOT_OFX, "no <OFX> element")
    aggregates = [el for el in root.iter() if el.tag in ("STMTRS", "CCSTMTRS")]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ofx = tree.convert()
    except Exception as exc:
        if not aggregates:
            raise StatementError(file_name, NOT_OFX, _first_line(exc)) from None
        return _ofx_plan(file_name, path, _tree_lines(aggregates))
    statements = list(getattr(ofx, "statements", None) or [])
    if not statements:
        raise StatementError(file_name, NO_STATEMENT)
    # The date each line was posted as the bank wrote it (ofxtools turns it into UTC,
    # which may fall on another day than the bank's).
    posted: dict[str, str] = {}
    for el in root.iter("STMTTRN"):
        fitid = (el.findtext("FITID") or "").strip()
        when = (el.findtext("DTPOSTED") or "").strip()
        if fitid and len(when) >= 8:
            posted.setdefault(fitid, when[:8])
    found: list[tuple[int, str, str, date | None, str, str, str]] = []
    n = 0
    for stmt in statements:
        acct = str(getattr(stmt.account, "acctid", "") or "")
        for trn in stmt.transactions or []:
            n += 1
            fitid = str(getattr(trn, "fitid", "") or "").strip()
            day = _ofx_day(posted.get(fitid, "")) or trn.dtposted.date()
            amount = getattr(trn, "trnamt", None)
            name, memo = (str(getattr(trn, k, "") or "").strip() for k in ("name", "memo"))
            found.append((n, acct, fitid, day, "" if amount is None else str(amount), name, memo))
    return _ofx_plan(file_name, path, found)


def _tree_lines(
    aggregates: Sequence[Any],
) -> list[tuple[int, str, str, date | None, str, str, str]]:
    found: list[tuple[int, str, str, date | None, str, str, str]] = []
    n = 0
    for agg in aggregates:
        acct = (agg.findtext(".//ACCTID") or "").strip()
        for trn in agg.iter("STMTTRN"):
            n += 1
            found.append(
                (
                    n,
                    acct,
                    (trn.findtext("FITID") or "").strip(),
                    _ofx_day((trn.findtext("DTPOSTED") or "").strip()),
                    (trn.findtext("TRNAMT") or "").strip(),
                    (trn.findtext("NAME") or "").strip(),
                    (trn.findtext("MEMO") or "").strip(),
                )
            )
    return found


def _ofx_day(when: str) -> date | None:
    try:
        return date(int(when[:4]), int(when[4:6]), int(when[6:8]))
    except ValueError:
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return scrub(text.splitlines()[0][:200]) if text else type(exc).__name__


def _ofx_plan(
    file_name: str,
    path: str,
    found: Sequence[tuple[int, str, str, date | None, str, str, str]],
) -> StatementPlan:
    lines: list[StatementLine] = []
    bad: list[BadLine] = []
    for n, account, fitid, day, amount, name, memo in found:
        if day is None:
            bad.append(BadLine(n, BAD_DATE, ("DTPOSTED",)))
            continue
        cents = parse_amount(amount, "." if "." in amount else "")
        if cents is None:
            bad.append(BadLine(n, BAD_AMOUNT, (_shown(amount),)))
            continue
        if cents == 0:
            continue
        acct = _clean(account, 100)
        desc = _clean(" ".join(w for w in (name, memo) if w))
        ref = "ofx:" + fitid if fitid else _csv_ref(acct, day.isoformat(), cents, desc, n)
        lines.append(StatementLine(n, day, cents, desc, ref[:200], acct))
    return StatementPlan(
        path=path,
        file_name=file_name,
        source="ofx",
        lines=tuple(lines),
        bad_lines=tuple(bad),
        date_order="ymd",
        encoding="ofx",
    )

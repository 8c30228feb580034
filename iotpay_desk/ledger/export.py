"""The books to a file: what a filter shows, as CSV or XLSX, streamed.

Rows are read a page at a time (keyset, newest first, each page its own short read)
and written as they come: a million rows never sit in memory, and a long export never
holds a read transaction open (on SQLite that would keep the WAL from being folded
back). The file is written beside its final name (``<name>.part``) and renamed when
complete: a cancelled or failed export leaves no half file under the name asked for.

- **CSV** for Excel and for other programs: UTF-8 with a byte-order mark (Excel reads
  the accents right), the separator and decimal point asked for (the locale's: ``;`` and
  ``,`` in French Canada), times in the merchant's zone.
- **XLSX**: amounts as numbers in a money format, times as dates, one row per order;
  written in xlsxwriter's constant-memory mode.
- **No formulas from data.** A text cell that a spreadsheet would read as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading
  apostrophe in CSV; in XLSX every text is written as a string, never a formula.

Plain Python: nothing here imports Qt.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, tuple_

from .books import ORDERS, TORONTO, Books, BooksFilter, common_text, where_of

__all__ = [
    "DEFAULT_FIELDS",
    "FIELDS",
    "ExportCancelled",
    "ExportOptions",
    "export_csv",
    "export_xlsx",
]

# Field key → the column it comes from, and how it is written.
FIELDS: dict[str, tuple[str, str]] = {
    "at": ("at", "time"),
    "kind": ("kind", "label"),
    "mch_order_no": ("mch_order_no", "text"),
    "pay_order_id": ("pay_order_id", "text"),
    "original_order_id": ("original_order_id", "text"),
    "amount": ("amount_cents", "cents"),
    "refunded": ("refunded_cents", "cents"),
    "currency": ("currency", "text"),
    "status": ("status", "label"),
    "card_brand": ("card_brand", "text"),
    "card_last4": ("card_last4", "text"),
    "card_id": ("card_id", "text"),
    "customer": ("customer", "text"),
    "subject": ("subject", "text"),
    "operator": ("operator", "text"),
    "desk": ("desk", "text"),
    "reason": ("reason", "text"),
    "note": ("note", "text"),
    "source": ("source", "text"),
}
DEFAULT_FIELDS: tuple[str, ...] = tuple(k for k in FIELDS if k not in ("source", "card_id"))

# Column titles and values in words when the caller gives none (the desk passes its own,
# translated).
_TITLES = {
    "at": "Date and time",
    "kind": "Kind",
    "mch_order_no": "Order number",
    "pay_order_id": "IOTPay order ID",
    "original_order_id": "Payment returned",
    "amount": "Amount",
    "refunded": "Refunded",
    "currency": "Currency",
    "status": "Status",
    "card_brand": "Card",
    "card_last4": "Last four",
    "card_id": "Card on file",
    "customer": "Customer",
    "subject": "Subject",
    "operator": "Operator",
    "desk": "Desk",
    "reason": "Reason",
    "note": "Note",
    "source": "Source",
}
_LABELS = {
    "kind:payment": "Payment",
    "kind:refund": "Refund",
    "kind:void": "Void",
    "status:0": "Pending",
    "status:1": "Unknown",
    "status:2": "Paid",
    "status:3": "Paid, notified",
    "status:9": "Failed",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = frozenset(_FORMULA_START)


class ExportCancelled(Exception):
    """The export was cancelled: no file was left under the name asked for."""


@dataclass(frozen=True)
class ExportOptions:
    """What goes in the file and how. ``titles`` and ``labels`` (``kind:refund``,
    ``status:2``) replace the English ones; ``tz`` is the merchant's zone."""

    fields: Sequence[str] = DEFAULT_FIELDS
    titles: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    separator: str = ","
    decimal_point: str = "."
    tz: tzinfo = TORONTO

    def check(self) -> None:
        unknown = [f for f in self.fields if f not in FIELDS]
        if unknown or not self.fields:
            raise ValueError(f"fields: from {', '.join(FIELDS)} (at least one)")
        if len(self.separator) != 1 or self.separator in '"\r\n' or self.separator.isalnum():
            raise ValueError("separator: one character, not a letter, digit or quote")
        if self.decimal_point not in (".", ","):
            raise ValueError("decimal_point: '.' or ','")
        if self.decimal_point == self.separator:
            raise ValueError("decimal_point: not the separator")


Progress = Callable[[int], None]


def _pages(
    books: Books, mch_id: str, flt: BooksFilter, columns: Sequence[str], batch: int
) -> Iterator[list[Sequence[Any]]]:
    """The rows ``flt`` shows, newest first, as tuples of ``columns`` (after the time
    and id the pages are read by), a page of ``batch`` at a time, each in its own short
    read."""
    flt.check()
    dialect = books.engine.dialect.name
    wanted = [ORDERS.c.at, ORDERS.c.id, *(ORDERS.c[c] for c in columns)]
    after: tuple[str, int] | None = None
    while True:
        with books.engine.connect() as conn:
            page = _page(conn, flt, mch_id, dialect, wanted, after, batch)
        if page:
            yield page
        if len(page) < batch:
            return
        after = (page[-1][0], page[-1][1])


def _page(
    conn: Connection,
    flt: BooksFilter,
    mch_id: str,
    dialect: str,
    wanted: list[Any],
    after: tuple[str, int] | None,
    batch: int,
) -> list[Sequence[Any]]:
    common = dialect == "sqlite" and common_text(conn, flt.text.strip())
    where = where_of(flt, mch_id, dialect, common=common)
    if after is not None:
        where.append(tuple_(ORDERS.c.at, ORDERS.c.id) < tuple_(*after))
    query = (
        select(*wanted).where(*where).order_by(ORDERS.c.at.desc(), ORDERS.c.id.desc()).limit(batch)
    )
    return list(conn.execute(query).all())


class _Times:
    """Ledger times (UTC text) as the merchant's wall-clock time, quickly: the zone's
    offset is looked up once per UTC hour (offsets change on whole hours), and in a zone
    whose offset is whole hours the text is that hour's local prefix and the minutes
    and seconds as they are."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._offsets: dict[str, timedelta] = {}
        self._prefixes: dict[str, str] = {}

    def local(self, at: str) -> datetime:
        hour = at[:13]
        offset = self._offsets.get(hour)
        utc = datetime.fromisoformat(at)
        if offset is None:
            offset = self._offsets[hour] = utc.astimezone(self.tz).utcoffset() or timedelta()
        return (utc + offset).replace(tzinfo=None)

    def text(self, at: str) -> str:
        """``2025-03-01T17:00:05.123456Z`` → ``2025-03-01 12:00:05`` (Toronto)."""
        hour = at[:13]
        prefix = self._prefixes.get(hour)
        if prefix is None:
            local = self.local(at)
            offset = self._offsets[hour]
            if offset.total_seconds() % 3600:
                return local.isoformat(" ", "seconds")  # a half-hour zone: in full
            prefix = self._prefixes[hour] = local.isoformat(" ", "hours")
        return prefix + at[13:19]


def _labels_of(name: str, labels: Mapping[str, str]) -> dict[Any, str]:
    """The words for one field's values (``status:2`` → {2: …}), made safe."""
    out: dict[Any, str] = {}
    for key, word in labels.items():
        field_name, _, value = key.partition(":")
        if field_name == name:
            out[int(value) if value.isdigit() else value] = _safe(word)
    return out


def _safe(text: str) -> str:
    """A text cell a spreadsheet will not read as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write_atomically(path: Path, write: Callable[[Path], int]) -> int:
    part = path.with_name(path.name + ".part")
    try:
        count = write(part)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return count


def export_csv(
    books: Books,
    mch_id: str,
    flt: BooksFilter,
    path: Path,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch: int = 5_000,
) -> int:
    """Write the orders ``flt`` shows to ``path`` as CSV; returns the rows written.
    ``progress(rows)`` after each page; ``cancelled()`` true stops it
    (:class:`ExportCancelled`, no file left)."""
    options = options or ExportOptions()
    options.check()
    fields = list(options.fields)
    columns = [FIELDS[f][0] for f in fields]
    kinds = [FIELDS[f][1] for f in fields]
    titles = {**_TITLES, **options.titles}
    labels = {**_LABELS, **options.labels}
    times = _Times(options.tz)
    point = options.decimal_point

    def text(col: Sequence[str]) -> list[str]:
        return [("'" + v) if v[:1] in _FORMULA else v for v in col]

    def cents(col: Sequence[int]) -> list[str]:
        return [f"{v // 100}{point}{v % 100:02d}" for v in col]

    def when(col: Sequence[str]) -> list[str]:
        return [times.text(v) for v in col]

    def words(name: str) -> Callable[[Sequence[Any]], list[str]]:
        known = _labels_of(name, labels)
        return lambda col: [known.get(v) or _safe(str(v)) for v in col]

    # Each column formatted as a whole (a comprehension per column per page, not a
    # call per cell): what makes a million rows take seconds, not minutes.
    shape: dict[str, Callable[[Sequence[Any]], list[str]]] = {
        "text": text,
        "cents": cents,
        "time": when,
    }
    formats = [shape[k] if k in shape else words(f) for k, f in zip(kinds, fields, strict=True)]

    def write(part: Path) -> int:
        count = 0
        with part.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=options.separator, lineterminator="\r\n")
            writer.writerow([_safe(titles[f]) for f in fields])
            for page in _pages(books, mch_id, flt, columns, batch):
                cols = list(zip(*page, strict=True))[2:]
                cells = [f(c) for f, c in zip(formats, cols, strict=True)]
                writer.writerows(zip(*cells, strict=True))
                count += len(page)
                _step(count, progress, cancelled)
        if not count:
            _step(count, progress, None)
        return count

    return _write_atomically(path, write)


def export_xlsx(
    books: Books,
    mch_id: str,
    flt: BooksFilter,
    path: Path,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch: int = 5_000,
) -> int:
    """Write the orders ``flt`` shows to ``path`` as an XLSX workbook (one sheet);
    returns the rows written. Same progress and cancelling as :func:`export_csv`."""
    import xlsxwriter  # only when exporting: not at the desk's start

    options = options or ExportOptions()
    options.check()
    fields = list(options.fields)
    columns = [FIELDS[f][0] for f in fields]
    kinds = [FIELDS[f][1] for f in fields]
    titles = {**_TITLES, **options.titles}
    labels = {**_LABELS, **options.labels}
    times = _Times(options.tz)

    def write(part: Path) -> int:
        book = xlsxwriter.Workbook(
            str(part), {"constant_memory": True, "strings_to_formulas": False}
        )
        try:
            sheet = book.add_worksheet()
            bold = book.add_format({"bold": True})
            money = book.add_format({"num_format": "#,##0.00"})
            when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
            for col, name in enumerate(fields):
                sheet.write_string(0, col, titles[name], bold)
                sheet.set_column(col, col, 22 if kinds[col] == "time" else 16)
            count = 0
            for row in (r for page in _pages(books, mch_id, flt, columns, batch) for r in page):
                count += 1
                for col, value in enumerate(row[2:]):
                    kind = kinds[col]
                    if kind == "cents":
                        sheet.write_number(count, col, value / 100, money)
                    elif kind == "time":
                        sheet.write_datetime(count, col, times.local(value), when)
                    elif kind == "label":
                        sheet.write_string(
                            count, col, labels.get(f"{fields[col]}:{value}", str(value))
                        )
                    elif value:
                        sheet.write_string(count, col, value)
                if count % batch == 0:
                    _step(count, progress, cancelled)
        finally:
            book.close()
        _step(count, progress, None)
        return count

    return _write_atomically(path, write)


def _step(count: int, progress: Progress | None, cancelled: Callable[[], bool] | None) -> None:
    if progress is not None:
        progress(count)
    if cancelled is not None and cancelled():
        raise ExportCancelled

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
import queue
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, literal

from .books import ORDERS, TORONTO, Books, BooksFilter

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
    bom: bool = True  # CSV: UTF-8 with a byte-order mark (Excel reads the accents right)

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
    books: Books,
    mch_id: str,
    flt: BooksFilter,
    columns: Sequence[str | ColumnElement[Any]],
    batch: int,
    readers: int = 1,
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows ``flt`` shows, newest first, as tuples of ``(at, id, *columns)``, a page
    of ``batch`` at a time (:meth:`.Books.raw_pages`)."""
    return books.raw_pages(mch_id, flt, columns, batch=batch, readers=readers)


_DONE = object()
READERS = 1  # pages read at once by the CSV export (more: see Books.raw_pages)


def _read_ahead(pages: Iterator[list[tuple[Any, ...]]], depth: int = 2) -> Iterator[Any]:
    """``pages`` read in a thread of their own, at most ``depth`` pages ahead of the
    writer: the database reads the next page (in C, without Python's lock) while this
    one is formatted and written. Memory stays at ``depth`` pages; closing the iterator
    (the export cancelled or failed) stops the reading."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        ahead.put(page, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            item: Any = _DONE
        except BaseException as exc:  # handed to the writer, raised there
            item = exc
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    reader = threading.Thread(target=read, name="export-read", daemon=True)
    reader.start()
    try:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


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

    def column(self, col: Sequence[str]) -> list[str]:
        """:meth:`text` of each, the hour's prefix looked up inline (a page of a million
        row export in milliseconds); in a half-hour zone, each in full."""
        prefixes = self._prefixes
        try:
            return [prefixes[at[:13]] + at[13:19] for at in col]
        except KeyError:
            pass
        for hour, at in {at[:13]: at for at in col}.items():
            if hour not in prefixes:
                self.text(at)  # the hour's prefix, when its offset is whole hours
        try:
            return [prefixes[at[:13]] + at[13:19] for at in col]
        except KeyError:
            text = self.text
            return [text(at) for at in col]


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
    batch: int = 10_000,
) -> int:
    """Write the orders ``flt`` shows to ``path`` as CSV; returns the rows written.
    ``progress(rows)`` after each page; ``cancelled()`` true stops it
    (:class:`ExportCancelled`, no file left).

    What :mod:`csv` would write (minimal quoting, ``\\r\\n`` line ends), a page at a time:
    each column formatted as a whole (values seen before from a table, each column's
    need for quotes or defusing checked once over the page), the page's lines joined in
    one go and written in one piece, while the next page is being read."""
    options = options or ExportOptions()
    options.check()
    fields = list(options.fields)
    titles = {**_TITLES, **options.titles}
    sep = options.separator
    cells = _CsvCells(options, books.engine.dialect.name)
    pieces = cells.pieces

    def write(part: Path) -> int:
        count = 0
        encoding = "utf-8-sig" if options.bom else "utf-8"
        with part.open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
            writer.writerow([_safe(titles[f]) for f in fields])
            pages = _read_ahead(_pages(books, mch_id, flt, pieces, batch, READERS))
            try:
                for page in pages:
                    out.write(cells.lines(books, page))
                    count += len(page)
                    _step(count, progress, cancelled)
            finally:
                pages.close()  # type: ignore[attr-defined]
        if not count:
            _step(count, progress, None)
        return count

    return _write_atomically(path, write)


_UNIT = "\x1f"  # joins the cells of a run, in the database (never in a cell as written)
_WORD = "\x1e"  # around a word's number in a run, in the database (its cell put in here)


class _CsvCells:
    """An order's CSV line, quickly: the database joins each run of fields between two
    times into one text (texts as they are, amounts written out, words by their number),
    so a row reaches Python as its time, its id and a string or two, not a score of
    values. A page's column of runs is checked at once (a few searches over its joined
    text, in C) for anything that needs defusing or quotes, which is rare; only the
    rows that do are read again field by field. Times come from the hour's prefix (the
    zone's rules are Python's).

    Cells as :mod:`csv` writes them with minimal quoting: in quotes (quotes doubled)
    when a cell holds the separator, a quote or a line end; a text a spreadsheet would
    read as a formula gets a leading apostrophe first."""

    def __init__(self, options: ExportOptions, dialect: str) -> None:
        self.options = options
        self.dialect = dialect
        self.sep = options.separator
        self.fields = list(options.fields)
        self.labels = {**_LABELS, **options.labels}
        self.times = _Times(options.tz)
        self.quoted = re.compile("[" + re.escape(self.sep) + '"\r\n]')
        # In a run's column of a page, its rows joined by NULs: what needs a closer look
        # (a quote, a line end or the separator anywhere, a formula start at the start
        # of a cell, the joiners' count wrong). Single characters first: C's memchr.
        self.anywhere = (self.sep, '"', "\r", "\n")
        self.starts = tuple((c, ("\0" + c, _UNIT + c)) for c in _FORMULA_START if c != "\r")
        # The pieces after the keyset's time and id: None for that time (a field), else
        # a run of fields; each run's fields, and the words put in by number.
        self.runs: list[list[str] | None] = []
        self.words: list[tuple[str, str]] = []  # (the number as the database writes it, cell)
        self.pieces: list[ColumnElement[Any]] = []
        self._plan()

    def one(self, text: str) -> str:
        """One text cell: defused, then in quotes if it must be."""
        text = _safe(text)
        if self.quoted.search(text):
            return '"' + text.replace('"', '""') + '"'
        return text

    def _plan(self) -> None:
        run: list[str] = []

        def close_run() -> None:
            if run:
                cells = [self._sql_cell(n) for n in run]
                joined: ColumnElement[Any] = cells[0]
                for cell in cells[1:]:
                    joined = joined + literal(_UNIT, String) + cell
                self.pieces.append(joined)
                self.runs.append(list(run))
                run.clear()

        for name in self.fields:
            if FIELDS[name][1] == "time":  # the order's time: the keyset's own
                close_run()
                self.runs.append(None)
            else:
                run.append(name)
        close_run()

    def _sql_cell(self, name: str) -> ColumnElement[Any]:
        """A field of a run, as the database gives it: a text as it is (checked here),
        an amount written out, a value's word (or its number, when the word's cell needs
        quotes: put in here)."""
        column, kind = FIELDS[name]
        value = ORDERS.c[column]
        if kind == "cents":
            cents = value % 100
            return (
                cast(value // 100, String)
                + literal(self.options.decimal_point, String)
                + case((cents < 10, literal("0", String)), else_=literal("", String))
                + cast(cents, String)
            )
        if kind == "label":
            whens = []
            for v, w in _labels_of(name, self.labels).items():
                cell = self.one(w)
                if cell != w:  # quotes or an apostrophe: put in by number
                    number = f"{_WORD}{len(self.words)}{_WORD}"
                    self.words.append((number, cell))
                    cell = number
                whens.append((value == v, literal(cell, String)))
            other = cast(value, String)
            return case(*whens, else_=other) if whens else other
        return value

    def _cell(self, name: str, value: Any) -> str:
        """One field's cell, made here (the rows that need a closer look)."""
        kind = FIELDS[name][1]
        if kind == "cents":
            return self.one(f"{value // 100}{self.options.decimal_point}{value % 100:02d}")
        if kind == "label":
            return self.one(_labels_of(name, self.labels).get(value) or str(value))
        return self.one(value)

    def clean(self, joined: str, rows: int, joiners: int) -> bool:
        """Nothing in ``joined`` (``rows`` runs, each after a NUL) needs a change."""
        if joined.count(_UNIT) != joiners * rows:
            return False
        if self.words and joined.count(_WORD) != 2 * self._numbered(joined, rows):
            return False
        if any(c in joined for c in self.anywhere):
            return False
        return not any(c in joined and (a in joined or b in joined) for c, (a, b) in self.starts)

    def _numbered(self, joined: str, rows: int) -> int:
        """How many words by number ``joined`` should hold: one per row per such field
        whose value had a word (counted: a value with none has none)."""
        return sum(joined.count(number) for number, _ in self.words)

    def lines(self, books: Books, page: list[tuple[Any, ...]]) -> str:
        """A page's lines, each ended."""
        sep = self.sep
        raw = list(zip(*page, strict=True))
        runs = [n for n in self.runs if n is not None]
        clean = [
            self.clean("\0" + "\0".join(raw[2 + i]), len(page), len(names) - 1)
            for i, names in enumerate(runs)
        ]
        cols: list[Sequence[Any]] = []
        piece = 0
        for names in self.runs:
            if names is None:
                cols.append(self.times.column(raw[0]))
                continue
            col: Sequence[Any] = raw[2 + piece]
            if not all(clean):  # rare: each run made here, row by row
                if clean[piece]:
                    col = [self._finish(v) for v in col]
                else:
                    col = self._careful(books, page, 2 + piece, names)
            cols.append(col)
            piece += 1
        if len(cols) == 1:
            lines: Sequence[str] = ['""' if v == "" else v for v in cols[0]]
        else:
            lines = list(map(sep.join, zip(*cols, strict=True)))
        text = "\r\n".join(lines) + "\r\n"
        if not all(clean):
            return text
        for number, cell in self.words:
            text = text.replace(number, cell)
        return text.replace(_UNIT, sep)

    def _finish(self, run: str) -> str:
        for number, cell in self.words:
            run = run.replace(number, cell)
        return run.replace(_UNIT, self.sep)

    def _careful(
        self, books: Books, page: list[tuple[Any, ...]], piece: int, names: list[str]
    ) -> list[str]:
        """A run's cells for a page that needs a closer look: each row's run checked,
        and the rows that need it read again field by field and made cells one by one."""
        out: list[str] = []
        again: dict[int, int] = {}  # order id → its place in ``out``
        for n, row in enumerate(page):
            run = row[piece]
            if self.clean("\0" + run, 1, len(names) - 1):
                out.append(self._finish(run))
            else:
                again[row[1]] = n
                out.append("")
        if again:
            columns = [FIELDS[n][0] for n in names]
            for row in books.rows_by_id(list(again), columns):
                cells = (self._cell(n, v) for n, v in zip(names, row[1:], strict=True))
                out[again[row[0]]] = self.sep.join(cells)
        return out


_DIRTY = "\0dirty"


def export_xlsx(
    books: Books,
    mch_id: str,
    flt: BooksFilter,
    path: Path,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch: int = 10_000,
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
        _step(count, progress, cancelled)  # a last word before the name is taken
        return count

    return _write_atomically(path, write)


def _step(count: int, progress: Progress | None, cancelled: Callable[[], bool] | None) -> None:
    if progress is not None:
        progress(count)
    if cancelled is not None and cancelled():
        raise ExportCancelled

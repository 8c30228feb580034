"""Exporting the books (iotpay_desk/ledger/export.py): what the filter shows, newest
first, to CSV (BOM, separator, decimal point, the merchant's time) and XLSX (numbers,
dates, strings never formulas); formula-looking cells defused; cancelled or failed
exports leave no file; on both backends."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from iotpay_desk.api.models import Order, OrderStatus
from iotpay_desk.journal.models import format_time
from iotpay_desk.ledger.books import Books, BooksFilter
from iotpay_desk.ledger.export import (
    ExportCancelled,
    ExportOptions,
    _Times,
    export_csv,
    export_xlsx,
)

MCH = "10000701"
T0 = datetime(2025, 3, 1, 17, 0, 5, tzinfo=UTC)  # 12:00:05 in Toronto (EST)


@pytest.fixture
def books(backend: Engine) -> Books:
    books = Books(backend)
    for i in range(12):
        books.record(
            Order(
                pay_order_id=f"PC2025030112{i:016d}",
                mch_id=MCH,
                mch_order_no=f"web-{i}",
                amount=1005 + i,
                refundable=1005 + i,
                status=OrderStatus.SUCCESS,
                card_num="424242******4242",
                card_type="V",
            ),
            source="desk",
            confirmed=True,
            operator="jack",
            desk="front",
            subject='=HYPERLINK("http://evil")' if i == 3 else f"Café n°{i}",
            now=T0 + timedelta(hours=i),
        )
    books.record(
        Order(pay_order_id="PC20250301129999999999999999", mch_id="10000702", amount=1),
        source="lookup",
        confirmed=True,
        now=T0,
    )
    return books


def _read_csv(path: Path, sep: str = ",") -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=sep))


def test_csv_is_what_the_filter_shows_newest_first(books: Books, tmp_path: Path) -> None:
    path = tmp_path / "books.csv"
    seen: list[int] = []
    count = export_csv(
        books,
        MCH,
        BooksFilter(),
        path,
        ExportOptions(fields=("at", "kind", "mch_order_no", "amount", "status", "subject")),
        progress=seen.append,
        batch=5,
    )
    rows = _read_csv(path)
    assert count == 12
    assert seen == [5, 10, 12]
    assert rows[0] == ["Date and time", "Kind", "Order number", "Amount", "Status", "Subject"]
    assert rows[1] == ["2025-03-01 23:00:05", "Payment", "web-11", "10.16", "Paid", "Café n°11"]
    assert rows[-1] == ["2025-03-01 12:00:05", "Payment", "web-0", "10.05", "Paid", "Café n°0"]
    assert [r[2] for r in rows[1:]] == [f"web-{i}" for i in range(11, -1, -1)]
    # A cell a spreadsheet would run as a formula is written as text.
    assert rows[-4][5] == '\'=HYPERLINK("http://evil")'
    assert not (tmp_path / "books.csv.part").exists()


def test_csv_in_the_french_way_and_filtered(books: Books, tmp_path: Path) -> None:
    path = tmp_path / "livres.csv"
    options = ExportOptions(
        fields=("mch_order_no", "amount", "kind"),
        titles={"mch_order_no": "N° de commande", "amount": "Montant"},
        labels={"kind:payment": "Paiement"},
        separator=";",
        decimal_point=",",
    )
    flt = BooksFilter(amount_min=1010, amount_max=1012)
    assert export_csv(books, MCH, flt, path, options) == 3
    assert _read_csv(path, ";") == [
        ["N° de commande", "Montant", "Kind"],
        ["web-7", "10,12", "Paiement"],
        ["web-6", "10,11", "Paiement"],
        ["web-5", "10,10", "Paiement"],
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ExportOptions(fields=("amount", "secret")), "fields"),
        (ExportOptions(fields=()), "fields"),
        (ExportOptions(separator="ab"), "separator"),
        (ExportOptions(separator='"'), "separator"),
        (ExportOptions(decimal_point=";"), "decimal_point"),
        (ExportOptions(separator=",", decimal_point=","), "decimal_point"),
    ],
)
def test_bad_options_name_the_option_and_write_nothing(
    books: Books, tmp_path: Path, options: ExportOptions, message: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValueError, match=message):
        export_csv(books, MCH, BooksFilter(), out / "x.csv", options)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("export", [export_csv, export_xlsx])
def test_a_cancelled_export_leaves_no_file_and_keeps_an_older_one(
    books: Books, tmp_path: Path, export: Any
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = out / "books.out"
    path.write_text("last week's export")
    with pytest.raises(ExportCancelled):
        export(books, MCH, BooksFilter(), path, cancelled=lambda: True, batch=4)
    assert path.read_text() == "last week's export"
    assert sorted(p.name for p in out.iterdir()) == ["books.out"]


def test_xlsx_has_numbers_dates_and_strings_never_formulas(books: Books, tmp_path: Path) -> None:
    path = tmp_path / "books.xlsx"
    options = ExportOptions(fields=("at", "amount", "subject", "status"))
    assert export_xlsx(books, MCH, BooksFilter(last4="4242"), path, options) == 12
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            book.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in (book.namelist())
            else sheet
        )
    assert "<f>" not in sheet  # no formula anywhere
    assert "HYPERLINK" in strings  # the subject, as a string
    assert "<v>10.16</v>" in sheet  # an amount as a number
    # 2025-03-01 23:00:05 as an Excel serial date.
    serial = (datetime(2025, 3, 1, 23, 0, 5) - datetime(1899, 12, 30)).total_seconds() / 86400
    assert f"<v>{serial:.10g}"[:12] in sheet


def test_a_large_export_streams_page_by_page(backend: Engine, tmp_path: Path) -> None:
    books = Books(backend)
    order = Order(pay_order_id="", mch_id=MCH, amount=100, status=OrderStatus.SUCCESS)
    for i in range(250):
        books.record(
            replace(order, pay_order_id=f"PC{i:026d}", mch_order_no=f"n{i}"),
            source="import",
            confirmed=True,
            now=T0 + timedelta(seconds=i),
        )
    path = tmp_path / "all.csv"
    assert export_csv(books, MCH, BooksFilter(), path, batch=16) == 250
    numbers = [r[2] for r in _read_csv(path)[1:]]
    assert numbers == [f"n{i}" for i in range(249, -1, -1)]


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    st.sampled_from(["America/Toronto", "America/St_Johns", "America/Vancouver", "UTC"]),
)
def test_times_are_the_merchants_wall_clock_across_every_change(when: datetime, zone: str) -> None:
    """The per-hour shortcut gives what zoneinfo gives, on both sides of each change
    of clock and in a half-hour zone (Newfoundland)."""
    times = _Times(ZoneInfo(zone))
    at = format_time(when.replace(tzinfo=UTC))
    expected = when.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    assert times.text(at) == expected.isoformat(" ", "seconds")
    assert times.text(at) == expected.isoformat(" ", "seconds")  # from the cache
    assert times.local(at) == expected


# -- the fast CSV is what the csv module would write ---------------------------------------


def _expected_csv(books: Books, options: ExportOptions, flt: BooksFilter) -> str:
    """The file as csv.writer writes it, cell by cell, from the books' own entries."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=options.separator, lineterminator="\r\n")
    titles = {
        "at": "Date and time", "kind": "Kind", "amount": "Amount", "status": "Status",
        "customer": "Customer", "subject": "Subject", "reason": "Reason", "note": "Note",
        "mch_order_no": "Order number",
    }  # fmt: skip
    writer.writerow([titles[f] for f in options.fields])
    words = {"payment": "Payment", 2: "Paid", 3: "Paid, notified"}
    for e in books.iterate(MCH, flt):
        row: list[str] = []
        for name in options.fields:
            if name == "at":
                local = e.at.astimezone(options.tz).replace(tzinfo=None)
                row.append(local.isoformat(" ", "seconds"))
            elif name == "amount":
                cents = e.amount_cents
                row.append(f"{cents // 100}{options.decimal_point}{cents % 100:02d}")
            elif name in ("kind", "status"):
                row.append(words[getattr(e, name)])
            else:
                value = getattr(e, name)
                row.append(
                    "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value
                )
        writer.writerow(row)
    return out.getvalue()


@pytest.mark.parametrize(("separator", "point"), [(",", "."), (";", ","), ("\t", "."), ("|", ".")])
def test_the_csv_is_what_the_csv_module_writes_whatever_the_texts(
    backend: Engine, tmp_path: Path, separator: str, point: str
) -> None:
    """Texts holding separators, quotes, line ends, formula starts, the joiner the
    database uses, accents, on pages that need a closer look and pages that do not."""
    import random

    rng = random.Random(separator)
    books = Books(backend)
    samples = [
        "", "plain", "a,b", "a;b", 'say "hi"', "two\r\nlines", "=1+1", "+1", "-5", "@x",
        "\ttab", "\rcr", "x\x1fy", "\x1f", "Café n°1", "a|b", " lead", "trail ",
    ]  # fmt: skip
    for i in range(120):
        texts = [rng.choice(samples) if i % 3 else "ok" for _ in range(4)]
        books.record(
            Order(
                pay_order_id=f"PC{i:026d}",
                mch_id=MCH,
                mch_order_no=f"n{i}",
                amount=rng.randint(0, 999_999),
                refundable=0,
                status=OrderStatus.SUCCESS if i % 2 else OrderStatus.NOTIFIED,
            ),
            source="import",
            confirmed=True,
            customer=texts[0],
            subject=texts[1],
            reason=texts[2],
            note=texts[3],
            now=T0 + timedelta(minutes=17 * i),
        )
    fields = ("subject", "at", "mch_order_no", "customer", "amount", "status", "reason", "note")
    for chosen in (fields, ("note",), ("at",), ("kind", "subject", "reason")):
        options = ExportOptions(fields=chosen, separator=separator, decimal_point=point)
        path = tmp_path / "out.csv"
        # Small pages: some all plain, some with a cell that needs quotes or defusing.
        assert export_csv(books, MCH, BooksFilter(), path, options, batch=7) == 120
        assert path.read_bytes().decode("utf-8-sig") == _expected_csv(books, options, BooksFilter())
    # Without the byte-order mark, the same text.
    options = ExportOptions(fields=fields, separator=separator, decimal_point=point, bom=False)
    export_csv(books, MCH, BooksFilter(amount_min=1, amount_max=500_000), path, options)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode() == _expected_csv(
        books, options, BooksFilter(amount_min=1, amount_max=500_000)
    )

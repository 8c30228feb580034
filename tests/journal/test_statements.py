"""Bank statements read from their files: several Canadian banks' CSV shapes, OFX 1.x and
2.x, and the files that must be refused with a message naming the file and the rule."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iotpay_desk.journal import statements as s
from iotpay_desk.journal.statements import (
    DateOrderUnknown,
    StatementError,
    parse_amount,
    read_statement,
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- CSV shapes


def test_rbc_shape_signed_amount_month_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rbc.csv",
        "Account Type,Account Number,Transaction Date,Cheque Number,Description 1,"
        "Description 2,CAD$,USD$\n"
        'Chequing,01234-5678901,11/2/2026,,"IOTPAY SETTLEMENT","BATCH 1101",1234.56,\n'
        "Chequing,01234-5678901,11/3/2026,,HYDRO ONE,,-80.25,\n"
        "Chequing,01234-5678901,11/17/2026,,IOTPAY SETTLEMENT,BATCH 1116,45.00,\n",
    )
    plan = read_statement(path)
    assert plan.source == "csv"
    assert plan.date_order == "mdy"  # 11/17 can only be month first
    assert [(x.line, x.posted_on, x.amount_cents) for x in plan.lines] == [
        (2, date(2026, 11, 2), 123456),
        (3, date(2026, 11, 3), -8025),
        (4, date(2026, 11, 17), 4500),
    ]
    assert plan.lines[0].description == "IOTPAY SETTLEMENT BATCH 1101"
    assert plan.lines[0].account == "01234-5678901"
    assert [x.amount_cents for x in plan.deposits] == [123456, 4500]
    assert plan.withdrawals == 1
    assert plan.bad_lines == ()


def test_td_shape_without_header_debit_credit_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "td.csv",
        "11/30/2026,DEPOSIT IOTPAY,,250.00,1250.00\n"
        "12/01/2026,MONTHLY FEE,4.95,,1245.05\n"
        '12/01/2026,DEPOSIT IOTPAY,,"1,020.10",2265.15\n',
    )
    plan = read_statement(path, account="TD chequing")
    assert [(x.posted_on, x.amount_cents, x.description) for x in plan.lines] == [
        (date(2026, 11, 30), 25000, "DEPOSIT IOTPAY"),
        (date(2026, 12, 1), -495, "MONTHLY FEE"),
        (date(2026, 12, 1), 102010, "DEPOSIT IOTPAY"),
    ]
    assert {x.account for x in plan.lines} == {"TD chequing"}
    assert plan.date_order == "mdy"


def test_french_bank_semicolons_comma_decimals_windows_1252(tmp_path: Path) -> None:
    text = (
        "Date;Description;Catégorie;Débit;Crédit;Solde\n"
        "28/11/2026;Dépôt IOTPAY lot 1127;Revenus;;1 234,56;5 000,00\n"
        "29/11/2026;Loyer;Logement;800,00;;4 200,00\n"
        "30/11/2026;Dépôt IOTPAY lot 1129;Revenus;;12,00 $;4 212,00\n"
    )
    path = write(tmp_path, "releve.csv", text, encoding="cp1252")
    plan = read_statement(path)
    assert plan.encoding == "windows-1252"
    assert plan.date_order == "dmy"
    assert [(x.posted_on, x.amount_cents) for x in plan.lines] == [
        (date(2026, 11, 28), 123456),
        (date(2026, 11, 29), -80000),
        (date(2026, 11, 30), 1200),
    ]
    assert plan.lines[0].description == "Dépôt IOTPAY lot 1127"


def test_bmo_shape_with_preamble_and_packed_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bmo.csv",
        "Following data is valid as of 20261205093000 (Year/Month/Day/Hour/Minute/Second)\n"
        "\n"
        "\n"
        "First Bank Card,Transaction Type,Date Posted, Transaction Amount,Description\n"
        "'500766**********',CREDIT,20261201,310.00,[DN]IOTPAY SETTLEMENT\n"
        "'500766**********',DEBIT,20261202,-15.00,[SC]SERVICE CHARGE\n",
    )
    plan = read_statement(path)
    assert plan.date_order == "ymd"
    assert [(x.line, x.posted_on, x.amount_cents) for x in plan.lines] == [
        (5, date(2026, 12, 1), 31000),
        (6, date(2026, 12, 2), -1500),
    ]
    assert "IOTPAY SETTLEMENT" in plan.lines[0].description


def test_utf8_bom_and_iso_dates_and_parenthesised_debits(tmp_path: Path) -> None:
    path = tmp_path / "scotia.csv"
    path.write_bytes(
        b"\xef\xbb\xbfDate,Description,Amount\n"
        b'2026/12/01,IOTPAY DEPOSIT,"$1,500.00"\n'
        b"2026/12/02,BANK FEE,(12.00)\n"
    )
    plan = read_statement(path)
    assert plan.columns == ("Date", "Description", "Amount")
    assert [x.amount_cents for x in plan.lines] == [150000, -1200]


def test_day_month_order_left_open_is_asked_then_chosen(tmp_path: Path) -> None:
    text = (
        "Date,Transaction,Name,Memo,Amount\n"
        "01/02/2026,CREDIT,IOTPAY,,10.00\n"
        "03/04/2026,CREDIT,IOTPAY,,20.00\n"
    )
    path = write(tmp_path, "tangerine.csv", text)
    with pytest.raises(DateOrderUnknown) as caught:
        read_statement(path)
    assert caught.value.file_name == "tangerine.csv"
    assert caught.value.example == "01/02/2026"
    assert "tangerine.csv" in str(caught.value)
    assert "day first or month first" in str(caught.value)
    by_day = read_statement(path, date_order="dmy")
    by_month = read_statement(path, date_order="mdy")
    assert [x.posted_on for x in by_day.lines] == [date(2026, 2, 1), date(2026, 4, 3)]
    assert [x.posted_on for x in by_month.lines] == [date(2026, 1, 2), date(2026, 3, 4)]


def test_dates_written_both_ways_refuse_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, "mixed.csv", "Date,Description,Amount\n13/01/2026,A,1.00\n01/13/2026,B,2.00\n"
    )
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert "line 2" in str(caught.value)
    assert "line 3" in str(caught.value)


def test_bad_lines_are_listed_and_the_good_ones_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.csv",
        "Date,Description,Withdrawals,Deposits\n"
        "2026-12-01,IOTPAY,,100.00\n"
        "2026-13-45,IOTPAY,,5.00\n"
        "2026-12-02,IOTPAY,,12.345\n"
        "2026-12-03,ODD,1.00,2.00\n"
        "2026-12-04,SHORT\n"
        "2026-12-05,IOTPAY,,=1+2\n"
        "Total,,,105.00\n"
        "2026-12-06,IOTPAY,,7.00\n",
    )
    plan = read_statement(path)
    assert [(x.line, x.amount_cents) for x in plan.lines] == [(2, 10000), (9, 700)]
    assert [(b.line, b.text) for b in plan.bad_lines] == [
        (3, "“2026-13-45” is not a date"),
        (4, "“12.345” is not an amount"),
        (5, "both the withdrawal and the deposit columns have an amount"),
        (6, "the line has 2 cells; the header has 4"),
        (7, "“=1+2” is not an amount"),
        (8, "“Total” is not a date"),
    ]


def test_formula_cells_are_kept_as_plain_text(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil.example/x","Click")'
    quoted = formula.replace('"', '""')
    path = write(tmp_path, "f.csv", f'Date,Description,Amount\n2026-12-01,"{quoted}",10.00\n')
    plan = read_statement(path)
    assert plan.lines[0].description == formula


def test_refs_are_stable_and_tell_identical_lines_apart(tmp_path: Path) -> None:
    text = (
        "Date,Description,Amount\n"
        "2026-12-01,IOTPAY,10.00\n"
        "2026-12-01,IOTPAY,10.00\n"
        "2026-12-02,IOTPAY,10.00\n"
    )
    first = read_statement(write(tmp_path, "a.csv", text))
    again = read_statement(write(tmp_path, "b.csv", text))
    refs = [x.ref for x in first.lines]
    assert len(set(refs)) == 3
    assert refs == [x.ref for x in again.lines]
    other_account = read_statement(write(tmp_path, "c.csv", text), account="savings")
    assert not set(refs) & {x.ref for x in other_account.lines}


def test_card_numbers_in_descriptions_are_masked(tmp_path: Path) -> None:
    path = write(
        tmp_path, "card.csv", "Date,Description,Amount\n2026-12-01,REFUND 4242424242424242,1.00\n"
    )
    desc = read_statement(path).lines[0].description
    assert "4242424242424242" not in desc
    assert desc.endswith("4242")


# --------------------------------------------------------------------------- bad files


def _refused(path: Path, **kw: str) -> StatementError:
    with pytest.raises(StatementError) as caught:
        read_statement(path, **kw)
    assert caught.value.file_name == path.name
    assert path.name in str(caught.value)
    return caught.value


def test_missing_amount_column_is_named(tmp_path: Path) -> None:
    err = _refused(write(tmp_path, "noamount.csv", "Date,Description,Balance\n2026-12-01,X,5.00\n"))
    assert err.reason == s.NO_AMOUNT
    assert "amount column" in str(err)


def test_missing_date_column_is_named(tmp_path: Path) -> None:
    err = _refused(write(tmp_path, "nodate.csv", "When,Description,Amount\nyesterday,X,5.00\n"))
    assert err.reason == s.NO_HEADER
    assert "date column" in str(err)


def test_wrong_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    # Neither UTF-8 nor Windows-1252 (0x81 is not a Windows-1252 character).
    path.write_bytes(b"Date,Description,Amount\n2026-12-01,caf\x81\x8d,1.00\n")
    err = _refused(path)
    assert err.reason == s.BAD_ENCODING
    assert "UTF-8" in str(err)
    assert "line 2" in str(err)
    assert "byte 39" in str(err)


def test_utf16_file_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("Date,Description,Amount\n2026-12-01,X,1.00\n".encode("utf-16"))
    assert _refused(path).reason == s.NOT_TEXT


def test_twenty_megabytes_of_garbage_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        for _ in range(20):
            fh.write(os.urandom(1024 * 1024))
    started = time.perf_counter()
    err = _refused(path)
    assert time.perf_counter() - started < 0.2
    assert err.reason == s.TOO_LARGE
    assert "8 MB" in str(err)


def test_garbage_under_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "noise.ofx"
    path.write_bytes(os.urandom(2 * 1024 * 1024))
    started = time.perf_counter()
    err = _refused(path)
    assert time.perf_counter() - started < 2.0
    assert err.reason in (s.NOT_TEXT, s.BAD_ENCODING)


def test_text_garbage_has_no_header(tmp_path: Path) -> None:
    path = write(tmp_path, "words.csv", "lorem ipsum dolor\n" * 50_000)
    assert _refused(path).reason == s.NO_HEADER


def test_empty_file(tmp_path: Path) -> None:
    assert _refused(write(tmp_path, "empty.csv", "\n\n")).reason == s.EMPTY


def test_header_without_lines(tmp_path: Path) -> None:
    assert _refused(write(tmp_path, "h.csv", "Date,Description,Amount\n")).reason == s.NO_LINES


# --------------------------------------------------------------------------- OFX

OFX_V1 = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>
<DTSERVER>20261205120000[-5:EST]<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>CAD
<BANKACCTFROM><BANKID>000312345<ACCTID>1234567<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261130
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261103220000[-5:EST]<TRNAMT>1234.56
<FITID>90000001<NAME>IOTPAY SETTLEMENT<MEMO>BATCH 1102</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261104<TRNAMT>-80.00<FITID>90000002<NAME>HYDRO</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>5000.00<DTASOF>20261130</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""

OFX_V2 = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<DTSERVER>20261205120000</DTSERVER><LANGUAGE>FRA</LANGUAGE></SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>7</TRNUID>
<STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<STMTRS><CURDEF>CAD</CURDEF>
<BANKACCTFROM><BANKID>815</BANKID><ACCTID>555-0001</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261201</DTSTART><DTEND>20261205</DTEND>
<STMTTRN><TRNTYPE>DEP</TRNTYPE><DTPOSTED>20261202</DTPOSTED><TRNAMT>310.00</TRNAMT>
<FITID>A-1</FITID><NAME>Dépôt IOTPAY</NAME></STMTTRN>
<STMTTRN><TRNTYPE>DEP</TRNTYPE><DTPOSTED>20261203</DTPOSTED><TRNAMT>99.99</TRNAMT>
<FITID>A-2</FITID><NAME>=HYPERLINK("x")</NAME></STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>1000.00</BALAMT><DTASOF>20261205</DTASOF></LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def test_ofx_1_sgml(tmp_path: Path) -> None:
    plan = read_statement(write(tmp_path, "stmt.qfx", OFX_V1))
    assert plan.source == "ofx"
    assert [(x.posted_on, x.amount_cents, x.ref, x.account) for x in plan.lines] == [
        # Posted at 22:00 in Toronto: the bank's day, not UTC's.
        (date(2026, 11, 3), 123456, "ofx:90000001", "1234567"),
        (date(2026, 11, 4), -8000, "ofx:90000002", "1234567"),
    ]
    assert plan.lines[0].description == "IOTPAY SETTLEMENT BATCH 1102"
    assert len(plan.deposits) == 1


def test_ofx_2_xml(tmp_path: Path) -> None:
    plan = read_statement(write(tmp_path, "stmt.ofx", OFX_V2))
    assert [(x.posted_on, x.amount_cents, x.ref, x.account) for x in plan.lines] == [
        (date(2026, 12, 2), 31000, "ofx:A-1", "555-0001"),
        (date(2026, 12, 3), 9999, "ofx:A-2", "555-0001"),
    ]
    assert plan.lines[1].description == '=HYPERLINK("x")'


def test_qfx_with_private_tags(tmp_path: Path) -> None:
    text = OFX_V1.replace(
        "<LANGUAGE>ENG</SONRS>", "<LANGUAGE>ENG<INTU.BID>00012<INTU.USERID>ada</SONRS>"
    )
    plan = read_statement(write(tmp_path, "rbc.qfx", text))
    assert [x.ref for x in plan.lines] == ["ofx:90000001", "ofx:90000002"]


def test_ofx_missing_what_the_standard_requires_is_still_read(tmp_path: Path) -> None:
    # No server time, no balance, a comma as the decimal mark, one amount unreadable.
    text = (
        OFX_V1.replace("<DTSERVER>20261205120000[-5:EST]", "")
        .replace("<LEDGERBAL><BALAMT>5000.00<DTASOF>20261130</LEDGERBAL>", "")
        .replace("<TRNAMT>1234.56", "<TRNAMT>1234,56")
        .replace("<TRNAMT>-80.00", "<TRNAMT>eighty")
    )
    plan = read_statement(write(tmp_path, "sloppy.ofx", text))
    assert [(x.posted_on, x.amount_cents, x.ref, x.account) for x in plan.lines] == [
        (date(2026, 11, 3), 123456, "ofx:90000001", "1234567")
    ]
    assert [(b.line, b.text) for b in plan.bad_lines] == [(2, "“eighty” is not an amount")]


def test_ofx_without_statement(tmp_path: Path) -> None:
    start, end = OFX_V1.index("<BANKMSGSRSV1>"), OFX_V1.index("</OFX>")
    err = _refused(write(tmp_path, "signon.ofx", OFX_V1[:start] + OFX_V1[end:]))
    assert err.reason == s.NO_STATEMENT


def test_not_ofx(tmp_path: Path) -> None:
    err = _refused(write(tmp_path, "broken.ofx", "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><garbage"))
    assert err.reason == s.NOT_OFX
    assert "not a valid OFX" in str(err)


# --------------------------------------------------------------------------- amounts


def _styles(cents: int) -> list[str]:
    whole, frac = divmod(abs(cents), 100)
    en = f"{whole:,}.{frac:02d}"
    fr = f"{whole:,}".replace(",", "\u00a0") + f",{frac:02d}"
    neg = cents < 0
    out = [
        ("-" if neg else "") + en,
        ("-$" if neg else "$") + en,
        (f"({en})" if neg else en),
        ("-" if neg else "") + fr + " $",
        (en + "-") if neg else ("+" + en),
        ("-" if neg else "") + f"{whole}.{frac:02d}",
    ]
    return out


@given(st.integers(min_value=-(10**11), max_value=10**11))
def test_amount_round_trips(cents: int) -> None:
    for text in _styles(cents):
        assert parse_amount(text) == cents, text


@given(st.text(max_size=12))
def test_anything_is_an_amount_or_none(text: str) -> None:
    got = parse_amount(text)
    assert got is None or isinstance(got, int)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1,234.56", 123456),
        ("1 234,56", 123456),
        ("$1,234.56", 123456),
        ("(12.00)", -1200),
        ("-12.00", -1200),
        ("1,234", 123400),
        ("12,5", 1250),
        ("CAD 5", 500),
        ("1.234.567,89", 123456789),
        ("12.345", 1234500),  # thousands, as 12.345 is written where "," is the decimal mark
        ("1,23,4", None),
        ("=SUM(A1)", None),
        ("", None),
        ("abc", None),
    ],
)
def test_amounts(text: str, cents: int | None) -> None:
    assert parse_amount(text) == cents


def test_the_files_decimal_mark_decides() -> None:
    assert parse_amount("12.345", ".") is None
    assert parse_amount("1.234,50", ",") == 123450
    assert parse_amount("1,234", ",") is None
    assert parse_amount("1.234,50", ".") is None

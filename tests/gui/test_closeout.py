"""The close-out report: HTML from a day's figures, laid out as a PDF with its charts and
page numbers, in the desk's language and locale; read back from the PDF itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

from iotpay_desk.gui.amounts import format_cents
from iotpay_desk.gui.charts import brand_chart_image, net_chart_image
from iotpay_desk.gui.closeout import (
    BRAND_CHART,
    NET_CHART,
    brand_name,
    closeout_file_name,
    closeout_html,
    day_words,
    translate_closeout,
    write_closeout_pdf,
)
from iotpay_desk.gui.i18n import install_translators
from iotpay_desk.gui.words import local_time
from iotpay_desk.journal.days import (
    AttentionItem,
    DailyNet,
    DayChange,
    DayClose,
    DayFigures,
    DayLine,
    day_bounds,
)
from iotpay_desk.services.receipts import Merchant, Paper
from iotpay_desk.services.rules import TORONTO

DAY = date(2026, 12, 4)
MERCHANT = Merchant("Café <Olé> & Fils", ("12 King St W", "Toronto ON M5H 1A1"), "123456789RT0001")


def _figures(rows: int = 1) -> DayFigures:
    since, until = day_bounds(DAY, time(21, 0), TORONTO)
    operators = tuple(DayLine(f"op{i:03d}", 1, 1_000) for i in range(rows))
    return DayFigures(
        day=DAY,
        since=since,
        until=until,
        currency="CAD",
        total=DayLine("", 12, 150_000, 2, 20_000, 1, 6_544),
        by_brand=(
            DayLine("V", 8, 100_000, 1, 10_000, 1, 6_544),
            DayLine("M", 4, 50_000, 1, 10_000),
        ),
        by_operator=operators,
        by_desk=(DayLine("", 15, 150_000, 2, 20_000, 1, 6_544),),
        failed_count=3,
    )


def _close(figures: DayFigures) -> DayClose:
    return DayClose(
        id=7,
        mch_id="10000701",
        day=DAY,
        closed_at=figures.until + timedelta(minutes=5),
        operator="jack",
        desk="Front counter",
        cutoff="21:00",
        timezone="America/Toronto",
        figures=figures,
        digest="c0ffee" + "0" * 58,
    )


ATTENTION = [
    AttentionItem(
        "status_differs",
        "PC20261204101502123456789012",
        "A-17",
        2_500,
        None,
        datetime(2026, 12, 4, 15, tzinfo=UTC),
        "ledger: paid; IOTPay: failed",
    )
]
CHANGES = [DayChange("RP20261205090102123456789012", "added", "refund", None, (2, 1_000, 0))]


def _when(moment: datetime) -> str:
    return local_time(moment.astimezone(TORONTO))


def _html(figures: DayFigures, **kw: object) -> str:
    return closeout_html(
        figures,
        ATTENTION,
        _close(figures),
        CHANGES,
        MERCHANT,
        translate_closeout,
        format_cents,
        _when,
        day_text=day_words,
        zone="America/Toronto",
        made_at=datetime(2026, 12, 5, 3, tzinfo=UTC),
        **kw,  # type: ignore[arg-type]
    )


def _pdf(path: Path) -> QPdfDocument:
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    return doc


def _text(doc: QPdfDocument) -> str:
    return "\n".join(doc.getAllText(i).text() for i in range(doc.pageCount()))


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale("en_CA"))
    yield
    QLocale.setDefault(before)


def test_the_report_says_the_day_its_figures_and_what_changed(english: None) -> None:
    html = _html(_figures())
    assert "Café &lt;Olé&gt; &amp; Fils" in html  # every text escaped
    assert "<Olé>" not in html
    assert "Close-out of Friday, December 4, 2026" in html
    assert "Closed by jack at 2026-12-04 9:05" in html
    assert "$1,234.56" in html  # the net
    assert "Visa" in html
    assert "Mastercard" in html
    assert "No desk recorded" in html
    assert "The ledger and IOTPay disagree — ledger: paid; IOTPay: failed" in html
    assert "Changed after it was closed" in html
    assert "RP20261205090102123456789012" in html
    assert "Refund: Added to the day after it was closed" in html
    assert "GST/HST: 123456789RT0001" in html


def test_the_pdf_is_written_with_its_charts_and_page_numbers(english: None, tmp_path: Path) -> None:
    figures = _figures(rows=40)  # long enough for a second page
    nets = [DailyNet(DAY - timedelta(days=29 - i), 10_000 * (i % 4) - 5_000) for i in range(30)]
    images = {
        BRAND_CHART: brand_chart_image(figures.by_brand, brand_name=brand_name),
        NET_CHART: net_chart_image(nets, title="Daily net, the last 30 days"),
    }
    html = _html(figures, charts=[BRAND_CHART, NET_CHART])
    target = write_closeout_pdf(
        tmp_path / closeout_file_name(DAY).removesuffix(".pdf"),
        html,
        "Close-out of 2026-12-04",
        images=images,
        paper=Paper.LETTER,
        footer="Page %1 of %2",
    )
    assert target.name == "close-out-2026-12-04.pdf"
    assert target.read_bytes().startswith(b"%PDF")
    doc = _pdf(target)
    pages = doc.pageCount()
    assert pages >= 2
    text = _text(doc)
    assert "Friday, December 4, 2026" in text
    assert "$1,234.56" in text
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    assert "Daily net, the last 30 days" not in text  # drawn in the image, not as text
    # A table running over a page break has its headings again at the top of the next.
    assert doc.getAllText(1).text().split()[0] == "Name"
    # Letter pages; a page drawn has text and the charts' colours on white.
    size = doc.pagePointSize(0)
    assert (round(size.width()), round(size.height())) == (612, 792)
    found_chart = False
    for i in range(pages):
        image = doc.render(i, QSize(850, 1100))
        image.save(str(tmp_path / f"page-{i}.png"))
        blue = sum(
            1
            for x in range(0, 850, 5)
            for y in range(0, 1100, 5)
            if (c := image.pixelColor(x, y)).blue() > 150 and c.red() < 100
        )
        found_chart = found_chart or blue > 50
    assert found_chart
    doc.close()


def test_a4_and_french(qapp: QApplication, tmp_path: Path) -> None:
    translator = install_translators("fr")
    before = QLocale()
    QLocale.setDefault(QLocale("fr_CA"))
    try:
        html = _html(_figures())
        target = write_closeout_pdf(
            tmp_path / "rapport.pdf", html, "Clôture", paper=Paper.A4, footer="Page %1 de %2"
        )
    finally:
        QLocale.setDefault(before)
        translator.remove()
    text = _text(_pdf(target))
    assert "vendredi 4 décembre 2026" in text  # the day in French
    assert "1 234,56 $" in text.replace("\u00a0", " ").replace("\u202f", " ")
    assert "Page 1 de 1" in text
    size = _pdf(target).pagePointSize(0)
    assert (round(size.width()), round(size.height())) == (595, 842)


def test_the_ledgers_notes_on_what_needs_attention_read_as_words(qapp: QApplication) -> None:
    from iotpay_desk.gui.closeout import detail_text

    def money(cents: int) -> str:
        return f"${cents / 100:.2f}"

    assert (
        detail_text("status_differs", "status 2→9; refunded 0→1500", money)
        == "status: Paid → Failed; refunded: $0.00 → $15.00"
    )
    assert detail_text("outcome_unknown", "charge_token", money) == "Charge to a card on file"
    assert detail_text("refund_unconfirmed", "void", money) == "Void"
    assert detail_text("not_confirmed", "payment status 3", money) == "Payment, Paid, notified"
    # IOTPay's own words and anything not in the ledger's forms stay as they are.
    assert detail_text("not_found", "refused: no such order", money) == "refused: no such order"
    assert detail_text("status_differs", "status 2→9; mood sad", money) == "status 2→9; mood sad"
    assert detail_text("status_differs", "", money) == ""


def test_the_ledgers_notes_in_french(qapp: QApplication) -> None:
    from iotpay_desk.gui.closeout import detail_text

    translator = install_translators("fr")
    try:
        text = detail_text("status_differs", "status 2→9; amount 100→200", lambda c: str(c))
    finally:
        translator.remove()
    assert text == "état : Payée → Échouée ; montant : 100 → 200"

"""The close-out report of a business day: HTML built from the day's figures, laid out as
a PDF on Letter or A4 pages with a chart and page numbers, in the desk's language.

:func:`closeout_html` writes the report from the journal's dataclasses (figures, what
needs attention, the close, the changes since) with the translate, money and time
functions it is given, as the receipts do; :func:`closeout_pdf_bytes` lays it out (any
thread: no widget is used) and :func:`write_closeout_pdf` writes it atomically, so a
half-written file never carries the report's name. The chart images are drawn on the GUI
thread beforehand (:mod:`.charts`) and handed over as ``QImage`` resources.

The words of the End of day page and of the report (card brands, what needs attention,
what changed) are here too, in the ``CloseOut`` translation context.
"""

from __future__ import annotations

import html as _html
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QDate,
    QIODevice,
    QLocale,
    QMarginsF,
    QPointF,
    QRectF,
    QSizeF,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from iotpay_desk.core.atomic import atomic_write_bytes
from iotpay_desk.core.i18n import QT_TRANSLATE_NOOP
from iotpay_desk.journal.days import (
    ATTENTION_KINDS,
    AttentionItem,
    DayChange,
    DayClose,
    DayFigures,
    DayLine,
)
from iotpay_desk.services.receipts import Merchant, Paper

__all__ = [
    "BRAND_CHART",
    "CONTEXT",
    "NET_CHART",
    "attention_text",
    "brand_name",
    "change_text",
    "closeout_file_name",
    "closeout_html",
    "closeout_pdf_bytes",
    "day_words",
    "group_name",
    "kind_text",
    "order_state_text",
    "translate_closeout",
    "write_closeout_pdf",
]

CONTEXT = "CloseOut"
#: The resource names of the report's chart images (``<img src=...>``).
BRAND_CHART = "closeout-chart://brands.png"
NET_CHART = "closeout-chart://nets.png"
PAGE_MARGIN_MM = 15.0

Translate = Callable[[str], str]
Money = Callable[[int], str]
When = Callable[[datetime], str]
DayText = Callable[[date], str]

_N = QT_TRANSLATE_NOOP


def translate_closeout(text: str) -> str:
    """``text`` of the ``CloseOut`` context in the desk's language."""
    return QCoreApplication.translate(CONTEXT, text)


# -- words ------------------------------------------------------------------------------------

_BRANDS = {
    "V": _N("CloseOut", "Visa"),
    "M": _N("CloseOut", "Mastercard"),
    "A": _N("CloseOut", "American Express"),
    "D": _N("CloseOut", "Interac"),
    "J": _N("CloseOut", "JCB"),
    "U": _N("CloseOut", "UnionPay"),
    "C": _N("CloseOut", "Diners Club"),
    "DI": _N("CloseOut", "Discover"),
}
_NO_BRAND = _N("CloseOut", "Other or unknown card")
_NO_OPERATOR = _N("CloseOut", "No operator recorded")
_NO_DESK = _N("CloseOut", "No desk recorded")

_ATTENTION = {
    "outcome_unknown": _N("CloseOut", "Outcome still unknown"),
    "refund_unconfirmed": _N("CloseOut", "Refund or void not yet confirmed"),
    "status_differs": _N("CloseOut", "The ledger and IOTPay disagree"),
    "not_found": _N("CloseOut", "IOTPay has no such order"),
    "not_confirmed": _N("CloseOut", "Only notified, not confirmed with IOTPay"),
    "no_notification": _N("CloseOut", "No notification received"),
}
assert set(_ATTENTION) == set(ATTENTION_KINDS)

_CHANGES = {
    "added": _N("CloseOut", "Added to the day after it was closed"),
    "removed": _N("CloseOut", "No longer in the day"),
    "changed": _N("CloseOut", "Changed"),
}
_KINDS = {
    "payment": _N("CloseOut", "Payment"),
    "refund": _N("CloseOut", "Refund"),
    "void": _N("CloseOut", "Void"),
}
_STATUSES = {
    0: _N("CloseOut", "Pending"),
    1: _N("CloseOut", "Unknown"),
    2: _N("CloseOut", "Paid"),
    3: _N("CloseOut", "Paid, notified"),
    9: _N("CloseOut", "Failed"),
}


def brand_name(code: str, tr: Translate = translate_closeout) -> str:
    """IOTPay's cardType in words: ``V`` → Visa, ``M`` → Mastercard, ``A`` → American
    Express…; "" → "Other or unknown card"; an unknown code as it is."""
    key = code.strip().upper()
    if not key:
        return tr(_NO_BRAND)
    return tr(_BRANDS[key]) if key in _BRANDS else code


def group_name(group: str, key: str, tr: Translate = translate_closeout) -> str:
    """The name of a line of a breakdown (``group``: brand, operator or desk)."""
    if group == "brand":
        return brand_name(key, tr)
    if key:
        return key
    return tr(_NO_OPERATOR if group == "operator" else _NO_DESK)


def attention_text(kind: str, tr: Translate = translate_closeout) -> str:
    """What needs attention, in words (one of :data:`ATTENTION_KINDS`)."""
    return tr(_ATTENTION[kind]) if kind in _ATTENTION else kind


def change_text(what: str, tr: Translate = translate_closeout) -> str:
    return tr(_CHANGES[what]) if what in _CHANGES else what


def kind_text(kind: str, tr: Translate = translate_closeout) -> str:
    return tr(_KINDS[kind]) if kind in _KINDS else kind


def order_state_text(
    state: tuple[int, int, int] | None, money: Money, tr: Translate = translate_closeout
) -> str:
    """An order as a closed day held it (status, amount, refunded): "Paid, $12.00"."""
    if state is None:
        return tr(_N("CloseOut", "Not in the day"))
    status, amount, refunded = state
    words = tr(_STATUSES[status]) if status in _STATUSES else str(status)
    text = tr(_N("CloseOut", "%1, %2")).replace("%1", words).replace("%2", money(amount))
    if refunded:
        text = tr(_N("CloseOut", "%1, refunded %2")).replace("%1", text)
        text = text.replace("%2", money(refunded))
    return text


def day_words(day: date, locale: QLocale | None = None) -> str:
    """A business day in the locale's long form: "Friday, December 4, 2026"."""
    loc = locale or QLocale()
    return loc.toString(QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat)


def closeout_file_name(day: date) -> str:
    """``close-out-2026-12-04.pdf``."""
    return f"close-out-{day.isoformat()}.pdf"


# -- the report -------------------------------------------------------------------------------

_TABLE = "<table width='100%' border='1' cellspacing='0' cellpadding='4' style='{}'>"
#: The columns of a breakdown (name, orders, sales, refunds, voids, net), in percent: the
#: same in every breakdown, so their figures line up.
_LINE_WIDTHS = (28, 9, 18, 15, 15, 15)
_STYLE = "border-collapse: collapse; border-color: #888888; margin-bottom: 6px"


def _lines_table(
    title: str, group: str, rows: Sequence[DayLine], tr: Translate, money: Money
) -> list[str]:
    e = _html.escape
    out = [f"<h3>{e(title)}</h3>"]
    if not rows:
        out.append(f"<p>{e(tr(_N('CloseOut', 'No orders.')))}</p>")
        return out
    heads = [
        tr(_N("CloseOut", "Name")),
        tr(_N("CloseOut", "Orders")),
        tr(_N("CloseOut", "Sales")),
        tr(_N("CloseOut", "Refunds")),
        tr(_N("CloseOut", "Voids")),
        tr(_N("CloseOut", "Net")),
    ]
    out.append(_TABLE.format(_STYLE))
    out.append(
        "<thead><tr bgcolor='#eeeeee'>"
        + "".join(
            f"<th align='{'left' if i == 0 else 'right'}' width='{w}%'>{e(h)}</th>"
            for i, (h, w) in enumerate(zip(heads, _LINE_WIDTHS, strict=True))
        )
        + "</tr></thead>"
    )
    for row in rows:
        cells = [
            group_name(group, row.key, tr),
            str(row.count),
            _amount_count(row.sales_cents, row.sales_count, money),
            _amount_count(row.refunds_cents, row.refunds_count, money),
            _amount_count(row.voids_cents, row.voids_count, money),
            money(row.net_cents),
        ]
        out.append(
            "<tr>"
            + "".join(
                f"<td align='{'left' if i == 0 else 'right'}'>{'<b>' if i == 5 else ''}"
                f"{e(c)}{'</b>' if i == 5 else ''}</td>"
                for i, c in enumerate(cells)
            )
            + "</tr>"
        )
    out.append("</table>")
    return out


def _amount_count(cents: int, count: int, money: Money) -> str:
    return f"{money(cents)} ({count})" if count else "—"


def closeout_html(
    figures: DayFigures,
    attention: Sequence[AttentionItem],
    close: DayClose | None,
    changes: Sequence[DayChange],
    merchant: Merchant | None,
    tr: Translate,
    money: Money,
    when: When,
    *,
    day_text: DayText | None = None,
    zone: str = "",
    charts: Sequence[str] = (),
    made_at: datetime | None = None,
) -> str:
    """The close-out report of ``figures``' business day as printable HTML (every text
    escaped): the merchant, the day and its bounds, who closed it (or that it is not
    closed), the totals, the breakdowns by card brand, operator and desk, the charts
    (``charts``: resource names of images, titled, given to :func:`closeout_pdf_bytes`),
    what needs attention and what changed after the close.

    ``tr`` translates a source text of the ``CloseOut`` context, ``money`` writes cents,
    ``when`` writes an aware time on the merchant's clock, ``day_text`` a business day
    (ISO date by default); ``zone`` names the merchant's time zone."""
    e = _html.escape
    day_of = day_text or (lambda d: d.isoformat())
    day = figures.day
    body: list[str] = []
    if merchant is not None:
        body.append(f"<h2 style='margin-bottom:0'>{e(merchant.name)}</h2>")
        for line in merchant.address:
            body.append(f"<p style='margin:0'>{e(line)}</p>")
        if merchant.tax_number:
            body.append(
                "<p style='margin:0'>"
                + e(tr(_N("CloseOut", "GST/HST: %1")).replace("%1", merchant.tax_number))
                + "</p>"
            )
    body.append(
        "<h1>" + e(tr(_N("CloseOut", "Close-out of %1")).replace("%1", day_of(day))) + "</h1>"
    )
    bounds = (
        tr(_N("CloseOut", "Business day from %1 to %2"))
        .replace("%1", when(figures.since))
        .replace("%2", when(figures.until))
    )
    if zone:
        bounds = tr(_N("CloseOut", "%1 (%2)")).replace("%1", bounds).replace("%2", zone)
    body.append(f"<p>{e(bounds)}</p>")
    if close is not None:
        closed = (
            tr(_N("CloseOut", "Closed by %1 at %2 on desk %3"))
            .replace("%1", close.operator or tr(_NO_OPERATOR))
            .replace("%2", when(close.closed_at))
            .replace("%3", close.desk or tr(_NO_DESK))
        )
        body.append(f"<p><b>{e(closed)}</b></p>")
    else:
        note = tr(_N("CloseOut", "Not closed: the figures as they were at %1."))
        note = note.replace("%1", when(made_at) if made_at is not None else "—")
        body.append(f"<p><b>{e(note)}</b></p>")
    if changes:
        body.append(
            "<p style='color:#b3001b'><b>"
            + e(
                tr(
                    _N(
                        "CloseOut",
                        "Changed after it was closed: %1 order(s) are not as they were when "
                        "the day was closed (listed at the end).",
                    )
                ).replace("%1", str(len(changes)))
            )
            + "</b></p>"
        )

    # Totals.
    t = figures.total
    body.append(f"<h3>{e(tr(_N('CloseOut', 'Totals')))}</h3>")
    body.append(_TABLE.format(_STYLE))
    body.append(
        "<thead><tr bgcolor='#eeeeee'>"
        f"<th align='left'>{e(tr(_N('CloseOut', 'What')))}</th>"
        f"<th align='right'>{e(tr(_N('CloseOut', 'Count')))}</th>"
        f"<th align='right'>{e(tr(_N('CloseOut', 'Amount')))}</th></tr></thead>"
    )
    for label, count, cents, bold in (
        (tr(_N("CloseOut", "Sales")), t.sales_count, t.sales_cents, False),
        (tr(_N("CloseOut", "Refunds")), t.refunds_count, t.refunds_cents, False),
        (tr(_N("CloseOut", "Voids")), t.voids_count, t.voids_cents, False),
        (tr(_N("CloseOut", "Net")), t.count, t.net_cents, True),
    ):
        b, nb = ("<b>", "</b>") if bold else ("", "")
        body.append(
            f"<tr><td>{b}{e(label)}{nb}</td><td align='right'>{b}{count}{nb}</td>"
            f"<td align='right'>{b}{e(money(cents))}{nb}</td></tr>"
        )
    body.append("</table>")
    body.append(
        "<p>"
        + e(
            tr(_N("CloseOut", "Failed payments (not counted): %1")).replace(
                "%1", str(figures.failed_count)
            )
        )
        + " — "
        + e(tr(_N("CloseOut", "Currency: %1")).replace("%1", figures.currency))
        + "</p>"
    )
    body += _lines_table(tr(_N("CloseOut", "By card brand")), "brand", figures.by_brand, tr, money)
    body += _lines_table(
        tr(_N("CloseOut", "By operator")), "operator", figures.by_operator, tr, money
    )
    body += _lines_table(tr(_N("CloseOut", "By desk")), "desk", figures.by_desk, tr, money)

    for name in charts:  # each titled inside its image: a title never ends a page alone
        body.append(f"<p align='center'><img src='{e(name)}' width='640'></p>")

    # What needs attention.
    body.append(
        "<h3>"
        + e(tr(_N("CloseOut", "Needs attention: %1")).replace("%1", str(len(attention))))
        + "</h3>"
    )
    if not attention:
        body.append(f"<p>{e(tr(_N('CloseOut', 'Nothing needs attention.')))}</p>")
    else:
        body.append(_TABLE.format(_STYLE))
        heads = (
            (tr(_N("CloseOut", "What")), "left", 30),
            (tr(_N("CloseOut", "Order")), "left", 40),
            (tr(_N("CloseOut", "Amount")), "right", 13),
            (tr(_N("CloseOut", "Time")), "left", 17),
        )
        body.append(
            "<thead><tr bgcolor='#eeeeee'>"
            + "".join(f"<th align='{a}' width='{w}%'>{e(h)}</th>" for h, a, w in heads)
            + "</tr></thead>"
        )
        for item in attention:
            what = attention_text(item.kind, tr)
            if item.detail:
                what = f"{what} — {item.detail}"
            parts = [e(item.mch_order_no)] if item.mch_order_no else []
            if item.pay_order_id:
                parts.append(f"<small>{e(item.pay_order_id)}</small>")
            order = "<br>".join(parts) or "—"
            body.append(
                f"<tr><td>{e(what)}</td><td>{order}</td>"
                f"<td align='right'>{e(money(item.amount_cents))}</td>"
                f"<td>{e(when(item.at) if item.at is not None else '—')}</td></tr>"
            )
        body.append("</table>")

    # Changes after the close.
    if changes:
        body.append(f"<h3>{e(tr(_N('CloseOut', 'Changed after it was closed')))}</h3>")
        body.append(_TABLE.format(_STYLE))
        titles = (
            tr(_N("CloseOut", "What")),
            tr(_N("CloseOut", "IOTPay order ID")),
            tr(_N("CloseOut", "When closed")),
            tr(_N("CloseOut", "Now")),
        )
        body.append(
            "<thead><tr bgcolor='#eeeeee'>"
            + "".join(f"<th align='left'>{e(h)}</th>" for h in titles)
            + "</tr></thead>"
        )
        for change in changes:
            what = f"{kind_text(change.kind, tr)}: {change_text(change.what, tr)}"
            body.append(
                f"<tr><td>{e(what)}</td><td>{e(change.pay_order_id)}</td>"
                f"<td>{e(order_state_text(change.before, money, tr))}</td>"
                f"<td>{e(order_state_text(change.after, money, tr))}</td></tr>"
            )
        body.append("</table>")

    if close is not None:
        body.append(
            "<p><small>"
            + e(tr(_N("CloseOut", "Fingerprint of the orders as closed: %1"))).replace(
                "%1", e(close.digest)
            )
            + "</small></p>"
        )
    if made_at is not None:
        body.append(
            "<p><small>"
            + e(tr(_N("CloseOut", "Made by IOTPay Desk at %1")).replace("%1", when(made_at)))
            + "</small></p>"
        )
    return "<html><head><meta charset='utf-8'></head><body>" + "\n".join(body) + "</body></html>"


# -- the PDF ----------------------------------------------------------------------------------

_PAGE_SIZES = {Paper.LETTER: QPageSize.PageSizeId.Letter, Paper.A4: QPageSize.PageSizeId.A4}


def closeout_pdf_bytes(
    html: str,
    title: str,
    *,
    images: Mapping[str, QImage] | None = None,
    paper: Paper = Paper.LETTER,
    footer: str = "%1 / %2",
) -> bytes:
    """``html`` on Letter or A4 pages as a PDF, ``images`` as its resources, each page
    numbered at its foot with ``footer`` ("Page %1 of %2": %1 the page, %2 how many).
    Safe in a worker thread (no widget is used)."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setTitle(title)
    writer.setCreator("IOTPay Desk")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(_PAGE_SIZES.get(paper, QPageSize.PageSizeId.Letter)),
            QPageLayout.Orientation.Portrait,
            QMarginsF(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    font = QFont(doc.defaultFont())
    font.setPointSizeF(9.5)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    for name, image in (images or {}).items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.setHtml(html)
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    foot_font = QFont(font)
    foot_font.setPointSizeF(8.0)
    foot_metrics = QFontMetricsF(foot_font, writer)
    foot_height = foot_metrics.lineSpacing() * 2
    body = QSizeF(page.width(), page.height() - foot_height)
    doc.setPageSize(body)
    pages = max(1, doc.pageCount())
    painter = QPainter(writer)
    try:
        for index in range(pages):
            if index:
                writer.newPage()
            painter.save()
            painter.translate(0, -index * body.height())
            clip = QRectF(QPointF(0, index * body.height()), body)
            painter.setClipRect(clip)
            doc.drawContents(painter, clip)
            painter.restore()
            painter.setFont(foot_font)
            text = footer.replace("%1", str(index + 1)).replace("%2", str(pages))
            painter.drawText(
                QRectF(0, page.height() - foot_metrics.lineSpacing(), page.width(), foot_height),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                text,
            )
    finally:
        painter.end()
    del writer  # finishes the document
    buf.close()
    return bytes(buf.data().data())


def write_closeout_pdf(
    path: Path,
    html: str,
    title: str,
    *,
    images: Mapping[str, QImage] | None = None,
    paper: Paper = Paper.LETTER,
    footer: str = "%1 / %2",
) -> Path:
    """Write the report to ``path`` (".pdf" added when missing), atomically; any thread."""
    target = path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")
    data = closeout_pdf_bytes(html, title, images=images, paper=paper, footer=footer)
    atomic_write_bytes(target, data, mode=0o600)
    return target

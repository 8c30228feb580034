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
import re
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


def translate_closeout(text: str) -> str:
    """``text`` of the ``CloseOut`` context in the desk's language."""
    return QCoreApplication.translate(CONTEXT, text)


# -- words ------------------------------------------------------------------------------------

_BRANDS = {
    "V": QT_TRANSLATE_NOOP("CloseOut", "Visa"),
    "M": QT_TRANSLATE_NOOP("CloseOut", "Mastercard"),
    "A": QT_TRANSLATE_NOOP("CloseOut", "American Express"),
    "D": QT_TRANSLATE_NOOP("CloseOut", "Interac"),
    "J": QT_TRANSLATE_NOOP("CloseOut", "JCB"),
    "U": QT_TRANSLATE_NOOP("CloseOut", "UnionPay"),
    "C": QT_TRANSLATE_NOOP("CloseOut", "Diners Club"),
    "DI": QT_TRANSLATE_NOOP("CloseOut", "Discover"),
}
_NO_BRAND = QT_TRANSLATE_NOOP("CloseOut", "Other or unknown card")
_NO_OPERATOR = QT_TRANSLATE_NOOP("CloseOut", "No operator recorded")
_NO_DESK = QT_TRANSLATE_NOOP("CloseOut", "No desk recorded")

_ATTENTION = {
    "outcome_unknown": QT_TRANSLATE_NOOP("CloseOut", "Outcome still unknown"),
    "refund_unconfirmed": QT_TRANSLATE_NOOP("CloseOut", "Refund or void not yet confirmed"),
    "status_differs": QT_TRANSLATE_NOOP("CloseOut", "The ledger and IOTPay disagree"),
    "not_found": QT_TRANSLATE_NOOP("CloseOut", "IOTPay has no such order"),
    "not_confirmed": QT_TRANSLATE_NOOP("CloseOut", "Only notified, not confirmed with IOTPay"),
    "no_notification": QT_TRANSLATE_NOOP("CloseOut", "No notification received"),
}
assert set(_ATTENTION) == set(ATTENTION_KINDS)

_CHANGES = {
    "added": QT_TRANSLATE_NOOP("CloseOut", "Added to the day after it was closed"),
    "removed": QT_TRANSLATE_NOOP("CloseOut", "No longer in the day"),
    "changed": QT_TRANSLATE_NOOP("CloseOut", "Changed"),
}
_KINDS = {
    "payment": QT_TRANSLATE_NOOP("CloseOut", "Payment"),
    "refund": QT_TRANSLATE_NOOP("CloseOut", "Refund"),
    "void": QT_TRANSLATE_NOOP("CloseOut", "Void"),
}
_STATUSES = {
    0: QT_TRANSLATE_NOOP("CloseOut", "Pending"),
    1: QT_TRANSLATE_NOOP("CloseOut", "Unknown"),
    2: QT_TRANSLATE_NOOP("CloseOut", "Paid"),
    3: QT_TRANSLATE_NOOP("CloseOut", "Paid, notified"),
    9: QT_TRANSLATE_NOOP("CloseOut", "Failed"),
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
        return tr(QT_TRANSLATE_NOOP("CloseOut", "Not in the day"))
    status, amount, refunded = state
    words = status_text(status, tr)
    text = (
        tr(QT_TRANSLATE_NOOP("CloseOut", "%1, %2"))
        .replace("%1", words)
        .replace("%2", money(amount))
    )
    if refunded:
        text = tr(QT_TRANSLATE_NOOP("CloseOut", "%1, refunded %2")).replace("%1", text)
        text = text.replace("%2", money(refunded))
    return text


_ACTION_KINDS = {
    "refund": QT_TRANSLATE_NOOP("CloseOut", "Refund"),
    "void": QT_TRANSLATE_NOOP("CloseOut", "Void"),
    "charge_token": QT_TRANSLATE_NOOP("CloseOut", "Charge to a card on file"),
    "charge_wallet": QT_TRANSLATE_NOOP("CloseOut", "Wallet charge"),
    "purchase_link": QT_TRANSLATE_NOOP("CloseOut", "Purchase link"),
}
_FIELDS = {
    "status": QT_TRANSLATE_NOOP("CloseOut", "status"),
    "amount": QT_TRANSLATE_NOOP("CloseOut", "amount"),
    "refunded": QT_TRANSLATE_NOOP("CloseOut", "refunded"),
}
_DIFFERENCE = re.compile(r"^(status|amount|refunded) (-?\d+)→(-?\d+)$")
_NOTIFIED = re.compile(r"^(payment|refund|void) status (\d+)$")


def status_text(status: int, tr: Translate = translate_closeout) -> str:
    return tr(_STATUSES[status]) if status in _STATUSES else str(status)


def detail_text(kind: str, detail: str, money: Money, tr: Translate = translate_closeout) -> str:
    """The ledger's note on an item that needs attention, in words: what differs
    (``status 2→9; refunded 0→1500`` → "status: Paid → Failed; refunded: $0.00 →
    $15.00"), the action whose outcome is unknown, the notified order's kind and status.
    IOTPay's own words (a refusal) stay as they are."""
    if not detail:
        return ""
    if kind in ("outcome_unknown", "refund_unconfirmed") and detail in _ACTION_KINDS:
        return tr(_ACTION_KINDS[detail])
    notified = _NOTIFIED.match(detail)
    if kind == "not_confirmed" and notified:
        return (
            tr(QT_TRANSLATE_NOOP("CloseOut", "%1, %2"))
            .replace("%1", kind_text(notified[1], tr))
            .replace("%2", status_text(int(notified[2]), tr))
        )
    parts = detail.split("; ")
    found = [_DIFFERENCE.match(part) for part in parts]
    if kind != "status_differs" or not all(found):
        return detail
    words = []
    for m in found:
        assert m is not None
        field, old, new = m[1], int(m[2]), int(m[3])
        show: Callable[[int], str] = (lambda v: status_text(v, tr)) if field == "status" else money
        words.append(
            tr(QT_TRANSLATE_NOOP("CloseOut", "%1: %2 → %3"))
            .replace("%1", tr(_FIELDS[field]))
            .replace("%2", show(old))
            .replace("%3", show(new))
        )
    text = words[0]
    for more in words[1:]:
        text = tr(QT_TRANSLATE_NOOP("CloseOut", "%1; %2")).replace("%2", more).replace("%1", text)
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
_LINE_WIDTHS = (17, 14, 17, 19, 16, 17)
_NOWRAP = "style='white-space: nowrap'"  # a heading's words are never broken
_STYLE = "border-collapse: collapse; border-color: #888888; margin-bottom: 6px"


def _lines_table(
    title: str, group: str, rows: Sequence[DayLine], tr: Translate, money: Money
) -> list[str]:
    e = _html.escape
    out = [f"<h3>{e(title)}</h3>"]
    if not rows:
        none = tr(QT_TRANSLATE_NOOP("CloseOut", "No orders."))
        out.append(f"<p>{e(none)}</p>")
        return out
    heads = [
        tr(QT_TRANSLATE_NOOP("CloseOut", "Name")),
        tr(QT_TRANSLATE_NOOP("CloseOut", "Orders")),
        tr(QT_TRANSLATE_NOOP("CloseOut", "Sales")),
        tr(QT_TRANSLATE_NOOP("CloseOut", "Refunds")),
        tr(QT_TRANSLATE_NOOP("CloseOut", "Voids")),
        tr(QT_TRANSLATE_NOOP("CloseOut", "Net")),
    ]
    out.append(_TABLE.format(_STYLE))
    out.append(
        "<thead><tr bgcolor='#eeeeee'>"
        + "".join(
            f"<th align='{'left' if i == 0 else 'right'}' width='{w}%' {_NOWRAP}>{e(h)}</th>"
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
                + e(
                    tr(QT_TRANSLATE_NOOP("CloseOut", "GST/HST: %1")).replace(
                        "%1", merchant.tax_number
                    )
                )
                + "</p>"
            )
    body.append(
        "<h1>"
        + e(tr(QT_TRANSLATE_NOOP("CloseOut", "Close-out of %1")).replace("%1", day_of(day)))
        + "</h1>"
    )
    bounds = (
        tr(QT_TRANSLATE_NOOP("CloseOut", "Business day from %1 to %2"))
        .replace("%1", when(figures.since))
        .replace("%2", when(figures.until))
    )
    if zone:
        bounds = (
            tr(QT_TRANSLATE_NOOP("CloseOut", "%1 (%2)")).replace("%1", bounds).replace("%2", zone)
        )
    body.append(f"<p>{e(bounds)}</p>")
    if close is not None:
        closed = (
            tr(QT_TRANSLATE_NOOP("CloseOut", "Closed by %1 at %2 on desk %3"))
            .replace("%1", close.operator or tr(_NO_OPERATOR))
            .replace("%2", when(close.closed_at))
            .replace("%3", close.desk or tr(_NO_DESK))
        )
        body.append(f"<p><b>{e(closed)}</b></p>")
    else:
        note = tr(QT_TRANSLATE_NOOP("CloseOut", "Not closed: the figures as they were at %1."))
        note = note.replace("%1", when(made_at) if made_at is not None else "—")
        body.append(f"<p><b>{e(note)}</b></p>")
    if changes:
        body.append(
            "<p style='color:#b3001b'><b>"
            + e(
                tr(
                    QT_TRANSLATE_NOOP(
                        "CloseOut",
                        "Changed after it was closed. Orders not as they were when the day "
                        "was closed: %1 (listed at the end).",
                    )
                ).replace("%1", str(len(changes)))
            )
            + "</b></p>"
        )

    # Totals.
    t = figures.total
    totals = tr(QT_TRANSLATE_NOOP("CloseOut", "Totals"))
    total_heads = (
        tr(QT_TRANSLATE_NOOP("CloseOut", "What")),
        tr(QT_TRANSLATE_NOOP("CloseOut", "Count")),
        tr(QT_TRANSLATE_NOOP("CloseOut", "Amount")),
    )
    body.append(f"<h3>{e(totals)}</h3>")
    body.append(_TABLE.format(_STYLE))
    body.append(
        "<thead><tr bgcolor='#eeeeee'>"
        f"<th align='left'>{e(total_heads[0])}</th>"
        f"<th align='right' {_NOWRAP}>{e(total_heads[1])}</th>"
        f"<th align='right' {_NOWRAP}>{e(total_heads[2])}</th></tr></thead>"
    )
    for label, count, cents, bold in (
        (tr(QT_TRANSLATE_NOOP("CloseOut", "Sales")), t.sales_count, t.sales_cents, False),
        (tr(QT_TRANSLATE_NOOP("CloseOut", "Refunds")), t.refunds_count, t.refunds_cents, False),
        (tr(QT_TRANSLATE_NOOP("CloseOut", "Voids")), t.voids_count, t.voids_cents, False),
        (tr(QT_TRANSLATE_NOOP("CloseOut", "Net")), t.count, t.net_cents, True),
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
            tr(QT_TRANSLATE_NOOP("CloseOut", "Failed payments (not counted): %1")).replace(
                "%1", str(figures.failed_count)
            )
        )
        + " — "
        + e(tr(QT_TRANSLATE_NOOP("CloseOut", "Currency: %1")).replace("%1", figures.currency))
        + "</p>"
    )
    body += _lines_table(
        tr(QT_TRANSLATE_NOOP("CloseOut", "By card brand")), "brand", figures.by_brand, tr, money
    )
    body += _lines_table(
        tr(QT_TRANSLATE_NOOP("CloseOut", "By operator")), "operator", figures.by_operator, tr, money
    )
    body += _lines_table(
        tr(QT_TRANSLATE_NOOP("CloseOut", "By desk")), "desk", figures.by_desk, tr, money
    )

    for name in charts:  # each titled inside its image: a title never ends a page alone
        body.append(f"<p align='center'><img src='{e(name)}' width='640'></p>")

    # What needs attention.
    body.append(
        "<h3>"
        + e(
            tr(QT_TRANSLATE_NOOP("CloseOut", "Needs attention: %1")).replace(
                "%1", str(len(attention))
            )
        )
        + "</h3>"
    )
    if not attention:
        calm = tr(QT_TRANSLATE_NOOP("CloseOut", "Nothing needs attention."))
        body.append(f"<p>{e(calm)}</p>")
    else:
        body.append(_TABLE.format(_STYLE))
        heads = (
            (tr(QT_TRANSLATE_NOOP("CloseOut", "What")), "left", 30),
            (tr(QT_TRANSLATE_NOOP("CloseOut", "Order")), "left", 36),
            (tr(QT_TRANSLATE_NOOP("CloseOut", "Amount")), "right", 13),
            (tr(QT_TRANSLATE_NOOP("CloseOut", "Time")), "left", 21),
        )
        body.append(
            "<thead><tr bgcolor='#eeeeee'>"
            + "".join(f"<th align='{a}' width='{w}%'>{e(h)}</th>" for h, a, w in heads)
            + "</tr></thead>"
        )
        for item in attention:
            what = attention_text(item.kind, tr)
            if item.detail:
                what = f"{what} — {detail_text(item.kind, item.detail, money, tr)}"
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
        body.append(
            "<h3>" + e(tr(QT_TRANSLATE_NOOP("CloseOut", "Changed after it was closed"))) + "</h3>"
        )
        body.append(_TABLE.format(_STYLE))
        titles = (
            tr(QT_TRANSLATE_NOOP("CloseOut", "What")),
            tr(QT_TRANSLATE_NOOP("CloseOut", "IOTPay order ID")),
            tr(QT_TRANSLATE_NOOP("CloseOut", "When closed")),
            tr(QT_TRANSLATE_NOOP("CloseOut", "Now")),
        )
        body.append(
            "<thead><tr bgcolor='#eeeeee'>"
            + "".join(f"<th align='left'>{e(h)}</th>" for h in titles)
            + "</tr></thead>"
        )
        for change in changes:
            what = (
                tr(QT_TRANSLATE_NOOP("CloseOut", "%1: %2"))
                .replace("%1", kind_text(change.kind, tr))
                .replace("%2", change_text(change.what, tr))
            )
            body.append(
                f"<tr><td>{e(what)}</td><td>{e(change.pay_order_id)}</td>"
                f"<td>{e(order_state_text(change.before, money, tr))}</td>"
                f"<td>{e(order_state_text(change.after, money, tr))}</td></tr>"
            )
        body.append("</table>")

    if close is not None:
        body.append(
            "<p><small>"
            + e(
                tr(QT_TRANSLATE_NOOP("CloseOut", "Fingerprint of the orders as closed: %1"))
            ).replace("%1", e(close.digest))
            + "</small></p>"
        )
    if made_at is not None:
        body.append(
            "<p><small>"
            + e(
                tr(QT_TRANSLATE_NOOP("CloseOut", "Made by IOTPay Desk at %1")).replace(
                    "%1", when(made_at)
                )
            )
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

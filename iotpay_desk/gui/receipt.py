"""Receipts: preview, print (Qt's print dialog) and save as PDF, on Letter or A4 pages or
on an 80 mm receipt printer's roll.

:func:`show_receipt` opens the receipt of a charge, refund or void (the Orders page, the
refund form and the charge forms call it). The text comes from the Qt-free
:mod:`iotpay_desk.services.receipts` (:func:`~iotpay_desk.services.receipts.receipt_html`
for pages, :func:`~iotpay_desk.services.receipts.receipt_roll` for the roll), given this
module's translate, money and time functions, so the receipt is in the desk's language and
locale while its layout stays in the core. The merchant's trade name, address, GST/HST
number and time zone come from the profile of the window the receipt is opened from
(:func:`merchant_for`), unless the caller passes them.

The paper is Letter for en_CA, en_US and fr_CA and A4 elsewhere (:func:`default_paper`),
or the last one chosen in the dialog. The roll is 80 mm wide with 72 mm printed: 42
monospaced columns, as long as the receipt needs.

The PDF is drawn into memory in a worker thread (``QPdfWriter`` on a buffer) and written
atomically, so a half-written file never carries the receipt's name.
"""

from __future__ import annotations

import asyncio
import html as _html
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, final

from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QIODevice,
    QLocale,
    QMarginsF,
    QPointF,
    QSizeF,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.core.atomic import atomic_write_bytes
from iotpay_desk.core.profiles import Profile
from iotpay_desk.services.receipts import (
    ROLL_COLUMNS,
    Merchant,
    Paper,
    Receipt,
    paper_for_locale,
    receipt_html,
    receipt_roll,
)

from .amounts import format_cents
from .asyncjob import BusyIndicator, async_slot, run_busy
from .words import local_time

if TYPE_CHECKING:
    # QtPrintSupport is loaded when a receipt is first printed, not at start-up.
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

__all__ = [
    "ReceiptDialog",
    "default_paper",
    "merchant_for",
    "pdf_bytes",
    "receipt_document_html",
    "receipt_roll_lines",
    "roll_pdf_bytes",
    "show_receipt",
]

log = logging.getLogger(__name__)

#: The translation context of the receipt's words (marked in the core with
#: ``QT_TRANSLATE_NOOP("Receipt", ...)``).
RECEIPT_CONTEXT = "Receipt"

ROLL_WIDTH_MM = 80.0
ROLL_PRINTED_MM = 72.0
ROLL_SIDE_MM = (ROLL_WIDTH_MM - ROLL_PRINTED_MM) / 2
ROLL_END_MM = 5.0
PAGE_MARGIN_MM = 15.0
_PAGE_SIZES = {
    Paper.LETTER: QPageSize.PageSizeId.Letter,
    Paper.A4: QPageSize.PageSizeId.A4,
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(RECEIPT_CONTEXT, text)


def _money(cents: int, currency: str) -> str:
    # The core adds the currency code (CAD) to every amount.
    return format_cents(cents)


def _when(moment: datetime) -> str:
    return local_time(moment)


def receipt_document_html(receipt: Receipt) -> str:
    """The receipt as HTML for a QTextDocument (Letter / A4), in the desk's language."""
    return receipt_html(receipt, _tr, _money, _when)


def receipt_roll_lines(receipt: Receipt) -> list[str]:
    """The receipt as the roll's monospaced lines, in the desk's language."""
    return receipt_roll(receipt, _tr, _money, _when)


def default_paper(locale: QLocale | None = None) -> Paper:
    """Letter for en_CA, en_US and fr_CA; A4 for every other locale."""
    return paper_for_locale((locale or QLocale()).name())


def merchant_for(widget: QWidget | None) -> Merchant | None:
    """The receipt fields of the profile of ``widget``'s window (the main window holds the
    active profile; dialogs are its children). None when there is no profile."""
    w = widget
    while w is not None:
        profile = getattr(w, "profile", None)
        if isinstance(profile, Profile):
            return Merchant.of_profile(profile)
        w = w.parentWidget()
    return None


def _page_layout(paper: Paper) -> QPageLayout:
    return QPageLayout(
        QPageSize(_PAGE_SIZES.get(paper, QPageSize.PageSizeId.Letter)),
        QPageLayout.Orientation.Portrait,
        QMarginsF(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def pdf_bytes(html: str, title: str, paper: Paper = Paper.LETTER) -> bytes:
    """``html`` laid out on Letter or A4 pages as a PDF document. Safe in a worker thread
    (it uses no widget)."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setTitle(title)
    writer.setCreator("IOTPay Desk")
    writer.setResolution(300)
    writer.setPageLayout(_page_layout(paper))
    doc = QTextDocument()
    doc.setHtml(html)
    doc.print_(writer)
    del writer  # finishes the document
    buf.close()
    return bytes(buf.data().data())


def _roll_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    return font


def paint_roll(device: QPagedPaintDevice, lines: Sequence[str]) -> None:
    """Draw ``lines`` on an 80 mm roll: the page is 80 mm wide (72 mm printed, the font
    sized so that 42 columns fill it) and as long as the lines need."""
    dpi = device.logicalDpiY() or 300
    font = _roll_font()
    font.setPointSizeF(10.0)
    wide = QFontMetricsF(font, device).horizontalAdvance("M" * ROLL_COLUMNS)
    printed = ROLL_PRINTED_MM / 25.4 * device.logicalDpiX()
    font.setPointSizeF(10.0 * printed / wide * 0.99)
    fm = QFontMetricsF(font, device)
    length_mm = len(lines) * fm.lineSpacing() / dpi * 25.4 + 2 * ROLL_END_MM
    device.setPageLayout(
        QPageLayout(
            QPageSize(
                QSizeF(ROLL_WIDTH_MM, max(length_mm, 40.0)),
                QPageSize.Unit.Millimeter,
                "80 mm roll",
                QPageSize.SizeMatchPolicy.ExactMatch,
            ),
            QPageLayout.Orientation.Portrait,
            QMarginsF(ROLL_SIDE_MM, ROLL_END_MM, ROLL_SIDE_MM, ROLL_END_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter(device)
    try:
        painter.setFont(font)
        y = fm.ascent()
        for line in lines:
            painter.drawText(QPointF(0.0, y), line)
            y += fm.lineSpacing()
    finally:
        painter.end()


def roll_pdf_bytes(lines: Sequence[str], title: str) -> bytes:
    """The roll's lines as a one-page PDF 80 mm wide. Safe in a worker thread."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setTitle(title)
    writer.setCreator("IOTPay Desk")
    writer.setResolution(300)
    paint_roll(writer, lines)
    del writer
    buf.close()
    return bytes(buf.data().data())


def _roll_preview_html(lines: Sequence[str]) -> str:
    body = _html.escape("\n".join(lines))
    return (
        "<html><head><meta charset='utf-8'></head><body>"
        f"<pre style='font-family: monospace'>{body}</pre></body></html>"
    )


def _safe_stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "receipt"


@final
class ReceiptDialog(QDialog):
    """A receipt's preview with its paper (Letter, A4, 80 mm roll), Print… and Save as
    PDF…. Opened with ``open()``.

    ``content`` is a :class:`Receipt` (every paper) or ready HTML (pages only).

    Signals (GUI thread): ``printed()`` after the print job was handed to the printer;
    ``saved(str path)`` after the PDF was written.
    """

    printed = Signal()
    saved = Signal(str)

    # The paper chosen last in this run of the desk (a receipt printer stays chosen).
    last_paper: ClassVar[Paper | None] = None

    def __init__(
        self,
        content: Receipt | str,
        *,
        title: str,
        file_stem: str,
        paper: Paper | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("receipt-dialog")
        self.setWindowTitle(title)
        self.receipt = content if isinstance(content, Receipt) else None
        self.page_html = content if isinstance(content, str) else receipt_document_html(content)
        self.roll_lines = receipt_roll_lines(self.receipt) if self.receipt is not None else []
        self.title = title
        self.file_stem = _safe_stem(file_stem)
        self.print_dialog: QPrintDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.printer: QPrinter | None = None

        self.paper_combo = QComboBox(self)
        self.paper_combo.setObjectName("receipt-paper")
        for p in Paper:
            if p is Paper.ROLL_80MM and self.receipt is None:
                continue
            self.paper_combo.addItem(_tr(p.label), p.value)
        paper_label = QLabel(self.tr("Pap&er:"), self)
        paper_label.setBuddy(self.paper_combo)
        paper_row = QHBoxLayout()
        paper_row.addWidget(paper_label)
        paper_row.addWidget(self.paper_combo)
        paper_row.addStretch(1)

        self.preview = QTextBrowser(self)
        self.preview.setObjectName("receipt-preview")
        self.preview.setOpenLinks(False)
        fm = self.fontMetrics()
        self.preview.setMinimumSize(fm.averageCharWidth() * 75, fm.height() * 28)

        self.message = QLabel(self)
        self.message.setObjectName("receipt-message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.busy = BusyIndicator(self)

        self.buttons = QDialogButtonBox(self)
        self.print_button = QPushButton(self.tr("&Print…"), self)
        self.print_button.setObjectName("receipt-print")
        self.pdf_button = QPushButton(self.tr("Save as P&DF…"), self)
        self.pdf_button.setObjectName("receipt-pdf")
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.pdf_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("receipt-close")
        self.buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.ask_print)
        self.pdf_button.clicked.connect(self.ask_pdf)

        layout = QVBoxLayout(self)
        layout.addLayout(paper_row)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.print_button.setDefault(True)

        self.set_paper(paper or ReceiptDialog.last_paper or default_paper())
        self.paper_combo.currentIndexChanged.connect(self._paper_chosen)

    # ------------------------------------------------------------------ paper

    @property
    def paper(self) -> Paper:
        value = self.paper_combo.currentData()
        return Paper(value) if isinstance(value, str) else Paper.LETTER

    def set_paper(self, paper: Paper) -> None:
        index = self.paper_combo.findData(paper.value)
        self.paper_combo.setCurrentIndex(max(0, index))
        self._show_preview()

    def _paper_chosen(self, _index: int) -> None:
        ReceiptDialog.last_paper = self.paper
        self._show_preview()

    def _show_preview(self) -> None:
        if self.paper is Paper.ROLL_80MM:
            self.preview.setHtml(_roll_preview_html(self.roll_lines))
        else:
            self.preview.setHtml(self.page_html)

    # ------------------------------------------------------------------ print

    def ask_print(self) -> None:
        """Qt's print dialog (window-modal, ``open()``); printing starts once accepted.
        The printer and its settings are kept for the next print from this dialog."""
        if self.printer is None:
            from PySide6.QtPrintSupport import QPrinter

            self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            self.printer.setDocName(self.title)
        if self.paper in _PAGE_SIZES:
            self.printer.setPageLayout(_page_layout(self.paper))
        from PySide6.QtPrintSupport import QPrintDialog

        dialog = QPrintDialog(self.printer, self)
        dialog.setObjectName("receipt-print-dialog")
        dialog.setWindowTitle(self.tr("Print the receipt"))
        dialog.accepted.connect(self._print_accepted)
        self.print_dialog = dialog
        # QPrintDialog.open() wants a receiver and a slot signature; the plain QDialog
        # open() shows it window-modal without a nested event loop all the same.
        QDialog.open(dialog)

    def _print_accepted(self) -> None:
        if self.printer is not None:
            self.print_to(self.printer)

    def print_to(self, printer: QPrinter) -> bool:
        """Lay the receipt out on ``printer``'s pages, or its roll (the GUI thread: a
        QPrinter belongs to it). Says whether the printer took it."""
        if not printer.isValid():
            self._say(self.tr("No printer is available. Save the receipt as PDF instead."))
            return False
        if self.paper is Paper.ROLL_80MM:
            paint_roll(printer, self.roll_lines)
        else:
            doc = QTextDocument()
            doc.setHtml(self.page_html)
            doc.print_(printer)
        from PySide6.QtPrintSupport import QPrinter

        if printer.printerState() is QPrinter.PrinterState.Error:
            log.warning("printing the receipt failed (%s)", printer.outputFormat().name)
            self._say(
                self.tr("The receipt could not be printed. Check the printer, or save as PDF.")
            )
            return False
        log.info("receipt printed (%s, %s)", printer.outputFormat().name, self.paper.value)
        self._say(self.tr("The receipt was sent to the printer."))
        self.printed.emit()
        return True

    # ------------------------------------------------------------------ PDF

    def default_pdf_path(self) -> Path:
        docs = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        ) or str(Path.home())
        return Path(docs) / f"{self.file_stem}.pdf"

    def ask_pdf(self) -> None:
        """A save dialog (``open()``); the PDF is written once a file is chosen."""
        dialog = QFileDialog(
            self,
            self.tr("Save the receipt as PDF"),
            str(self.default_pdf_path()),
            self.tr("PDF documents (*.pdf)"),
        )
        dialog.setObjectName("receipt-save-dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("pdf")
        dialog.fileSelected.connect(self.save_pdf)
        self.file_dialog = dialog
        dialog.open()

    @async_slot(str)
    async def save_pdf(self, path: str) -> None:
        """Write the receipt as a PDF on the chosen paper to ``path`` (drawn in a worker
        thread)."""
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        result = await run_busy(
            [self.pdf_button, self.print_button, self.paper_combo],
            asyncio.to_thread(self._write_pdf, target, self.paper),
            progress_text=self.tr("Saving the receipt…"),
            parent=self,
        )
        if result.ok:
            self._say(self.tr("Saved as %1.").replace("%1", str(target)))
            self.saved.emit(str(target))

    def pdf_data(self, paper: Paper) -> bytes:
        """The receipt as a PDF on ``paper`` (any thread)."""
        if paper is Paper.ROLL_80MM:
            return roll_pdf_bytes(self.roll_lines, self.title)
        return pdf_bytes(self.page_html, self.title, paper)

    def _write_pdf(self, target: Path, paper: Paper) -> None:
        atomic_write_bytes(target, self.pdf_data(paper), mode=0o600)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


def show_receipt(
    parent: QWidget | None, receipt: Receipt, *, merchant: Merchant | None = None
) -> ReceiptDialog:
    """Open the receipt of a charge, refund or void (window-modal, without blocking), from
    ``merchant`` or else the profile of ``parent``'s window."""
    merchant = merchant or merchant_for(parent)
    if merchant is not None:
        receipt = receipt.with_merchant(merchant)
    translate = QCoreApplication.translate
    ident = receipt.pay_order_id or receipt.mch_order_no
    dialog = ReceiptDialog(
        receipt,
        title=translate("ReceiptDialog", "Receipt %1").replace("%1", ident),
        file_stem=f"receipt-{ident}",
        parent=parent,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog

"""Receipts: preview, print (Qt's print dialog) and save as PDF.

:func:`show_receipt` opens the receipt of a charge, refund or void (the Orders page calls
it to reprint one). The text comes from :func:`iotpay_desk.services.receipts.receipt_html`,
given this module's translate, money and time functions, so the receipt is in the desk's
language and locale while its layout stays in the Qt-free core.

The PDF is drawn into memory in a worker thread (``QPdfWriter`` on a buffer) and written
atomically, so a half-written file never carries the receipt's name.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, final

from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.core.atomic import atomic_write_bytes

from .amounts import format_cents
from .asyncjob import BusyIndicator, async_slot, run_busy
from .words import local_time

if TYPE_CHECKING:
    from iotpay_desk.services.receipts import Receipt

__all__ = ["ReceiptDialog", "pdf_bytes", "receipt_document_html", "show_receipt"]

log = logging.getLogger(__name__)

#: The translation context of the receipt's words (marked in the core with
#: ``QT_TRANSLATE_NOOP("Receipt", ...)``).
RECEIPT_CONTEXT = "Receipt"


def _tr(text: str) -> str:
    return QCoreApplication.translate(RECEIPT_CONTEXT, text)


def _money(cents: int, currency: str) -> str:
    text = format_cents(cents)
    return f"{text} {currency}" if currency and currency != "CAD" else text


def _when(moment: datetime) -> str:
    return local_time(moment)


def receipt_document_html(receipt: Receipt) -> str:
    """The receipt as HTML for a QTextDocument, in the desk's language and locale."""
    from iotpay_desk.services.receipts import receipt_html

    html: str = receipt_html(receipt, _tr, _money, _when)
    return html


def pdf_bytes(html: str, title: str) -> bytes:
    """``html`` laid out on Letter pages as a PDF document. Safe in a worker thread (it
    uses no widget)."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setTitle(title)
    writer.setCreator("IOTPay Desk")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.Letter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    doc = QTextDocument()
    doc.setHtml(html)
    doc.print_(writer)
    del writer  # finishes the document
    buf.close()
    return bytes(buf.data().data())


def _safe_stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "receipt"


@final
class ReceiptDialog(QDialog):
    """A receipt's preview with Print… and Save as PDF…. Opened with ``open()``.

    Signals (GUI thread): ``printed()`` after the print job was handed to the printer;
    ``saved(str path)`` after the PDF was written.
    """

    printed = Signal()
    saved = Signal(str)

    def __init__(
        self,
        html: str,
        *,
        title: str,
        file_stem: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("receipt-dialog")
        self.setWindowTitle(title)
        self.html = html
        self.title = title
        self.file_stem = _safe_stem(file_stem)
        self.print_dialog: QPrintDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.printer: QPrinter | None = None

        self.preview = QTextBrowser(self)
        self.preview.setObjectName("receipt-preview")
        self.preview.setOpenLinks(False)
        self.preview.setHtml(html)
        fm = self.fontMetrics()
        self.preview.setMinimumSize(fm.averageCharWidth() * 60, fm.height() * 24)

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
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.print_button.setDefault(True)

    # ------------------------------------------------------------------ print

    def ask_print(self) -> None:
        """Qt's print dialog (window-modal, ``open()``); printing starts once accepted.
        The printer and its settings are kept for the next print from this dialog."""
        if self.printer is None:
            self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            self.printer.setDocName(self.title)
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
        """Lay the receipt out on ``printer``'s pages (the GUI thread: a QPrinter belongs
        to it). Says whether the printer took it."""
        if not printer.isValid():
            self._say(self.tr("No printer is available. Save the receipt as PDF instead."))
            return False
        doc = QTextDocument()
        doc.setHtml(self.html)
        doc.print_(printer)
        if printer.printerState() is QPrinter.PrinterState.Error:
            log.warning("printing the receipt failed (%s)", printer.outputFormat().name)
            self._say(
                self.tr("The receipt could not be printed. Check the printer, or save as PDF.")
            )
            return False
        log.info("receipt printed (%s)", printer.outputFormat().name)
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
        """Write the receipt as a PDF to ``path`` (drawn in a worker thread)."""
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        result = await run_busy(
            [self.pdf_button, self.print_button],
            asyncio.to_thread(self._write_pdf, target),
            progress_text=self.tr("Saving the receipt…"),
            parent=self,
        )
        if result.ok:
            self._say(self.tr("Saved as %1.").replace("%1", str(target)))
            self.saved.emit(str(target))

    def _write_pdf(self, target: Path) -> None:
        data = pdf_bytes(self.html, self.title)
        atomic_write_bytes(target, data, mode=0o600)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


def show_receipt(parent: QWidget | None, receipt: Receipt) -> ReceiptDialog:
    """Open the receipt of a charge, refund or void (window-modal, without blocking)."""
    translate = QCoreApplication.translate
    ident = receipt.pay_order_id or receipt.mch_order_no
    dialog = ReceiptDialog(
        receipt_document_html(receipt),
        title=translate("ReceiptDialog", "Receipt %1").replace("%1", ident),
        file_stem=f"receipt-{ident}",
        parent=parent,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog

"""The receipt dialog: preview, Save as PDF through the file dialog, Print through Qt's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog

from iotpay_desk.gui.receipt import ReceiptDialog, pdf_bytes

from .conftest import QLoop, until

HTML = (
    "<h2>Demo Caf&eacute;</h2><p>Charge of $12.50</p>"
    "<p>Card: Visa 424242******4242</p><p>Auth 123456 &middot; PC20240101215009579871439079</p>"
)


def pdf_text(path: Path) -> str:
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    text = "\n".join(doc.getAllText(i).text() for i in range(doc.pageCount()))
    doc.close()
    return text


def test_pdf_bytes_is_a_pdf_with_the_text(qapp: QApplication, tmp_path: Path) -> None:
    data = pdf_bytes(HTML, "Receipt PC1")
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    out = tmp_path / "r.pdf"
    out.write_bytes(data)
    text = pdf_text(out)
    assert "Demo Café" in text
    assert "424242******4242" in text


def test_save_as_pdf_through_the_file_dialog(qloop: QLoop, tmp_path: Path) -> None:
    target = tmp_path / "out" / "receipt-PC1"
    target.parent.mkdir()

    async def scenario() -> None:
        dialog = ReceiptDialog(HTML, title="Receipt PC1", file_stem="receipt PC1/..")
        dialog.open()
        saved: list[str] = []
        dialog.saved.connect(saved.append)
        assert "Demo Café" in dialog.preview.toPlainText()
        assert dialog.default_pdf_path().name == "receipt-PC1.pdf"
        dialog.pdf_button.click()
        files = dialog.file_dialog
        assert isinstance(files, QFileDialog)
        assert files.isVisible()
        assert files.acceptMode() is QFileDialog.AcceptMode.AcceptSave
        files.selectFile(str(target))
        files.accept()
        await until(lambda: bool(saved), what="the PDF written")
        assert saved == [str(target.with_name("receipt-PC1.pdf"))]
        assert dialog.message.isVisible()
        assert saved[0] in dialog.message.text()
        assert dialog.pdf_button.isEnabled()
        dialog.close()

    qloop.run(scenario())
    written = target.with_name("receipt-PC1.pdf")
    assert written.read_bytes().startswith(b"%PDF-")
    assert "424242******4242" in pdf_text(written)
    # Nothing else was left next to it (no temporary file).
    assert sorted(p.name for p in target.parent.iterdir()) == ["receipt-PC1.pdf"]


def test_print_goes_through_qt_s_print_dialog(qloop: QLoop, tmp_path: Path) -> None:
    out = tmp_path / "printed.pdf"

    async def scenario() -> None:
        dialog = ReceiptDialog(HTML, title="Receipt PC1", file_stem="receipt-PC1")
        dialog.open()
        printed: list[bool] = []
        dialog.printed.connect(lambda: printed.append(True))
        # The machine has no printer: print to a PDF file, as a user could choose there.
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        dialog.printer = printer
        dialog.print_button.click()
        box = dialog.print_dialog
        assert isinstance(box, QPrintDialog)
        await until(box.isVisible, what="the print dialog")
        assert box.windowModality() is Qt.WindowModality.WindowModal
        box.accept()
        await until(lambda: bool(printed), what="printed")
        assert "printer" in dialog.message.text()
        dialog.close()

    qloop.run(scenario())
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Demo Café" in pdf_text(out)

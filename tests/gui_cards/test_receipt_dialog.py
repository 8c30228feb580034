"""The receipt dialog: preview, Save as PDF through the file dialog, Print through Qt's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QLocale, QSize, QSizeF, Qt
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from iotpay_desk.api import IotPayClient, Order
from iotpay_desk.core.profiles import Environment, Profile
from iotpay_desk.gui.mainwindow import MainWindow
from iotpay_desk.gui.receipt import ReceiptDialog, pdf_bytes
from iotpay_desk.gui.refund_dialog import RefundDialog
from iotpay_desk.journal import ActionKind
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
from iotpay_desk.services import MoneyService
from iotpay_desk.services.receipts import Paper
from tests.services.conftest import pay

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


# --------------------------------------------------------------------------- on the desk


class Desk:
    """A main window on the sandbox, its profile carrying the receipt fields, wired to a
    money service as the app wires it."""

    def __init__(self, qloop: QLoop, sandbox: SandboxServer, tmp: Path) -> None:
        self.qloop = qloop
        self.sandbox = sandbox
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0), trust_env=False)
        self.client = IotPayClient(
            sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=self.http, backoff=0.02
        )
        self.journal = open_sqlite_ledger(tmp / "journal.sqlite3")
        profile = Profile.new(
            "Sandbox",
            Environment.SANDBOX,
            DEMO_MERCHANT.mch_id,
            operators=["jack"],
            custom_url=sandbox.url,
        ).with_changes(
            trade_name="Demo Café Ltd.",
            address="123 Queen St W\nToronto ON M5H 2M9",
            tax_number="123456789RT0001",
            timezone="America/Vancouver",
        )
        self.window = MainWindow(profile=profile)
        self.service = MoneyService(
            self.client,
            self.journal,
            operator="jack",
            check_delays=(0.0, 0.05, 0.1, 0.2),
            not_received_after=0.0,
            clock=sandbox.clock.local_now,
            on_change=self.window.action_changed,
        )
        self.window.show()
        self.orders = self.window.orders
        qloop.call(lambda: self.window.set_money_service(self.service))

    def pay(self, amount: int) -> Order:
        return self.qloop.run(pay(self.client, amount))

    def close(self) -> None:
        self.window.set_money_service(None)
        self.window.close()
        self.qloop.run(self.http.aclose())
        self.journal.close()


@pytest.fixture
def desk(qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Desk]:
    ReceiptDialog.last_paper = None
    d = Desk(qloop, sandbox, tmp_path)
    yield d
    d.close()
    ReceiptDialog.last_paper = None


async def look_up(desk: Desk, text: str) -> None:
    page = desk.orders
    before = page.detail
    page.query.setText(text)
    page.lookup_button.click()
    await until(
        lambda: page.detail is not before and page.lookup_button.isEnabled(),
        what="look-up finished",
    )


async def send_form(desk: Desk, kind: ActionKind, amount: str = "") -> RefundDialog:
    page = desk.orders
    (page.refund_button if kind is ActionKind.REFUND else page.void_button).click()
    dialog = page.dialog
    assert dialog is not None
    await until(dialog.submit.isEnabled, what="draft ready")
    if amount:
        dialog.amount.setText(amount)
    dialog.submit.click()
    await until(lambda: dialog.outcome is not None, what="outcome")
    return dialog


def receipts_open(window: QWidget) -> list[ReceiptDialog]:
    return [d for d in window.findChildren(ReceiptDialog) if d.isVisible()]


def preview_text(dialog: ReceiptDialog) -> str:
    return " ".join(dialog.preview.toPlainText().split())


def test_voided_order_reprint_says_voided_and_the_void_receipt_opens_from_its_form(
    desk: Desk,
) -> None:
    payment = desk.pay(4200)
    page = desk.orders

    async def scenario() -> tuple[str, str]:
        await look_up(desk, payment.pay_order_id)
        form = await send_form(desk, ActionKind.VOID)
        assert form.outcome is not None
        assert form.outcome.succeeded
        # The void's own receipt, from the form that made it.
        assert form.receipt_button.isVisible()
        form.receipt_button.click()
        void_receipt = form.receipt_dialog
        assert isinstance(void_receipt, ReceiptDialog)
        void_text = preview_text(void_receipt)
        void_receipt.close()
        form.close()
        await until(lambda: page.returns.rowCount() == 1, what="the void listed")
        # The sale, reprinted from the Orders page.
        page.receipt_button.click()
        shown = receipts_open(desk.window)
        assert len(shown) == 1
        sale_text = preview_text(shown[0])
        shown[0].close()
        return void_text, sale_text

    void_text, sale_text = desk.qloop.run(scenario())
    for text in (void_text, sale_text):
        assert "Demo Café Ltd." in text
        assert "123 Queen St W Toronto ON M5H 2M9" in text
        assert "GST/HST 123456789RT0001" in text
        assert "$42.00 CAD" in text
        assert text.count("America/Vancouver") == 1
    assert "Void" in void_text
    assert f"Original payment {payment.pay_order_id}" in void_text
    assert "Sale" in sale_text
    assert "VOIDED on " in sale_text
    assert "this payment was cancelled in full" in sale_text
    assert "Reference RP" in sale_text


def _pdf(path: Path) -> tuple[QSizeF, str, QImage]:
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    assert doc.pageCount() == 1
    size = doc.pagePointSize(0)
    text = doc.getAllText(0).text()
    image = doc.render(0, QSize(round(size.width() * 2), round(size.height() * 2)))
    doc.close()
    return size, text, image


def _inked_rows(image: QImage) -> int:
    """Rows of the image with some dark pixel (what was printed, roughly)."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = 0
    for y in range(0, gray.height(), 2):
        if any(gray.pixelColor(x, y).value() < 128 for x in range(0, gray.width(), 2)):
            rows += 1
    return rows


def test_refund_receipt_from_the_form_saved_on_letter_a4_and_the_80mm_roll(
    desk: Desk, tmp_path: Path
) -> None:
    payment = desk.pay(4200)
    desk.sandbox.settle()
    page = desk.orders
    out = tmp_path / "pdf"
    out.mkdir()

    async def scenario() -> tuple[ReceiptDialog, str]:
        await look_up(desk, payment.pay_order_id)
        form = await send_form(desk, ActionKind.REFUND, "10.00")
        assert form.outcome is not None
        assert form.outcome.succeeded
        form.receipt_button.click()
        receipt = form.receipt_dialog
        assert isinstance(receipt, ReceiptDialog)
        assert receipt.paper is Paper.LETTER  # en_CA
        for paper in Paper:
            receipt.paper_combo.setCurrentIndex(receipt.paper_combo.findData(paper.value))
            assert receipt.paper is paper
            saved: list[str] = []
            receipt.saved.connect(saved.append)
            await receipt.save_pdf(str(out / paper.value))
            assert saved == [str(out / f"{paper.value}.pdf")]
            receipt.saved.disconnect()
        roll_preview = receipt.preview.toPlainText()
        receipt.close()
        form.close()
        await until(lambda: page.returns.rowCount() == 1, what="the refund listed")
        page.receipt_button.click()
        (sale,) = receipts_open(desk.window)
        assert sale.paper is Paper.ROLL_80MM  # the paper chosen last stays chosen
        await sale.save_pdf(str(out / "sale-roll"))
        sale.close()
        return receipt, roll_preview

    _, roll_preview = desk.qloop.run(scenario())
    assert all(len(line) <= 42 for line in roll_preview.splitlines())
    expected = {
        Paper.LETTER: (612, 792),
        Paper.A4: (595, 842),
    }
    for paper in Paper:
        size, text, image = _pdf(out / f"{paper.value}.pdf")
        image.save(str(out / f"{paper.value}.png"))
        words = " ".join(text.split())
        if paper in expected:
            assert (round(size.width()), round(size.height())) == expected[paper]
        else:
            assert round(size.width() / 72 * 25.4) == 80  # 80 mm wide
            assert 60 < size.height() / 72 * 25.4 < 400  # as long as the receipt needs
        assert "refund" in words.lower()  # "REFUND" on the roll
        assert "Demo Café Ltd." in words
        assert "GST/HST 123456789RT0001" in words
        assert "$10.00 CAD" in words
        assert payment.pay_order_id in words
        assert "America/Vancouver" in words
        assert "4242424242424242" not in text.replace(" ", "")
        assert _inked_rows(image) > 20
    size, text, image = _pdf(out / "sale-roll.pdf")
    words = " ".join(text.split())
    assert "REFUNDED $10.00 CAD of $42.00 CAD." in words
    assert "Left on the payment $32.00 CAD" in words
    assert round(size.width() / 72 * 25.4) == 80


def test_paper_follows_the_locale_until_one_is_chosen(qloop: QLoop) -> None:
    ReceiptDialog.last_paper = None
    try:
        QLocale.setDefault(QLocale("fr_FR"))
        assert ReceiptDialog(HTML, title="R", file_stem="r").paper is Paper.A4
        QLocale.setDefault(QLocale("fr_CA"))
        assert ReceiptDialog(HTML, title="R", file_stem="r").paper is Paper.LETTER
        QLocale.setDefault(QLocale("en_US"))
        dialog = ReceiptDialog(HTML, title="R", file_stem="r")
        assert dialog.paper is Paper.LETTER
        # Ready HTML has no roll layout: pages only.
        assert dialog.paper_combo.findData(Paper.ROLL_80MM.value) < 0
        dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData(Paper.A4.value))
        assert ReceiptDialog(HTML, title="R", file_stem="r").paper is Paper.A4
    finally:
        ReceiptDialog.last_paper = None

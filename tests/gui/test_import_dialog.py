"""The Import orders dialog and the job progress dialog, driven as a person would, on a
money service over the real sandbox and a real ledger file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from iotpay_desk.api import IotPayClient
from iotpay_desk.gui.import_dialog import ImportDialog, JobProgressDialog
from iotpay_desk.journal.days import business_day_of
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services import MoneyService
from tests.gui.conftest import QLoop, until
from tests.services.conftest import pay

pytestmark = pytest.mark.usefixtures("canadian_english")


class Money:
    def __init__(self, qloop: QLoop, sandbox: SandboxServer, tmp: Path) -> None:
        self.qloop = qloop
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0), trust_env=False)
        self.client = IotPayClient(
            sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=self.http, backoff=0.02
        )
        self.journal: LedgerJournal = open_sqlite_ledger(tmp / "journal.sqlite3")
        self.service = MoneyService(
            self.client, self.journal, operator="jack", clock=sandbox.clock.local_now
        )

    def close(self) -> None:
        self.qloop.run(self.http.aclose())
        self.journal.close()


@pytest.fixture
def money(qloop: QLoop, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Money]:
    m = Money(qloop, sandbox, tmp_path)
    yield m
    m.close()


def test_an_import_from_file_to_summary(
    qtbot: QtBot, qloop: QLoop, money: Money, tmp_path: Path
) -> None:
    orders = [qloop.run(pay(money.client, 1500 + i)) for i in range(3)]
    path = tmp_path / "portal.csv"
    path.write_text(
        "Date,Order ID,Amount\n"
        f"2025-03-01,{orders[0].pay_order_id},15.00\n"
        f"2025-03-01,{orders[1].mch_order_no},15.01\n"
        "2025-03-01,,0\n"
        f"2025-03-01,{orders[0].pay_order_id},15.00\n"
        "2025-03-01,NOT-AN-ORDER,1\n"
        f"2025-03-01,{orders[2].pay_order_id},15.02\n",
        encoding="utf-8",
    )
    dialog = ImportDialog(money.service)
    qtbot.addWidget(dialog)
    dialog.show()
    qloop.run(dialog.load_file(path))
    # The bad lines are shown before anything is written.
    assert dialog.bad_table.isVisible()
    assert dialog.bad_table.rowCount() == 2
    assert [dialog.bad_table.item(r, 0).text() for r in range(2)] == ["4", "5"]
    assert dialog.bad_table.item(0, 2).text() == "empty"
    assert dialog.bad_table.item(1, 2).text() == "the same as line 2"
    assert "4 orders to import" in dialog.message.text()
    assert money.journal.jobs.open_jobs(DEMO_MERCHANT.mch_id, "import") == []
    assert dialog.start_button.isEnabled()

    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qloop.run(until(lambda: dialog.summary is not None, within=40, what="the summary"), timeout=45)
    assert dialog.summary is not None
    assert dialog.summary.state == "done"
    text = dialog.summary_label.text()
    assert "Booked: 3" in text
    assert "Not found at IOTPay: 1" in text
    assert "Left out (bad lines): 2" in text
    assert dialog.progress.bar.value() == dialog.progress.bar.maximum() == 6
    qloop.run(until(lambda: dialog.problem_table.isVisible(), what="the not-found list"))
    assert dialog.problem_table.rowCount() == 1
    assert dialog.problem_table.item(0, 1).text() == "NOT-AN-ORDER"
    assert len(money.journal.books.page(DEMO_MERCHANT.mch_id)) == 3
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_bad_file_is_named_with_its_rule_and_nothing_starts(
    qtbot: QtBot, qloop: QLoop, money: Money, tmp_path: Path
) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes("Order ID\nPC1\n".encode("utf-16"))
    dialog = ImportDialog(money.service)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.path_edit, str(path))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    qloop.run(until(lambda: dialog.message.isVisible(), what="the file's problem"))
    assert dialog.message.text().startswith("unicode.csv: ")
    assert "UTF-16" in dialog.message.text()
    assert not dialog.start_button.isEnabled()
    assert dialog.path_edit.text() == str(path)  # what was typed is kept


def test_a_stopped_import_is_offered_again_and_resumed(
    qtbot: QtBot, qloop: QLoop, money: Money, sandbox: SandboxServer, tmp_path: Path
) -> None:
    orders = [qloop.run(pay(money.client, 1500 + i)) for i in range(30)]
    path = tmp_path / "many.csv"
    path.write_text("".join(f"{o.pay_order_id}\n" for o in orders))
    sandbox.set_faults([FaultSpec("latency", "cc_query", latency_ms=200)])
    dialog = ImportDialog(money.service)
    qtbot.addWidget(dialog)
    dialog.show()
    qloop.run(dialog.load_file(path))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qloop.run(
        until(
            lambda: dialog.progress.last is not None and dialog.progress.last.done >= 1,
            within=40,
            what="some progress",
        ),
        timeout=45,
    )
    assert "Done: " in dialog.progress.status.text()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qloop.run(until(lambda: dialog.task is None, within=30, what="the stop"), timeout=35)
    assert "Stopped" in dialog.summary_label.text()
    dialog.close()
    sandbox.clear_faults()

    again = ImportDialog(money.service)
    qtbot.addWidget(again)
    again.show()
    qloop.run(until(lambda: again.resume_box.isVisible(), what="the offer to resume"))
    assert "many.csv" in again.resume_text.text()
    qtbot.mouseClick(again.resume_button, Qt.MouseButton.LeftButton)
    qloop.run(until(lambda: again.summary is not None, within=40, what="the summary"), timeout=45)
    assert again.summary is not None
    assert again.summary.counts == {"booked": 30}
    assert money.journal.jobs.open_jobs(DEMO_MERCHANT.mch_id, "import") == []


def test_the_progress_dialog_runs_a_reconciliation(
    qtbot: QtBot, qloop: QLoop, money: Money, sandbox: SandboxServer
) -> None:
    orders = [qloop.run(pay(money.client, 2500 + i)) for i in range(3)]
    for o in orders:
        qloop.run(money.service.lookup(o.pay_order_id))
    service = money.service
    day = business_day_of(sandbox.clock.local_now(), service.cutoff, service.tz)
    dialog = JobProgressDialog(
        "Reconcile with IOTPay",
        lambda on_progress: service.reconciler.reconcile_day(day, on_progress=on_progress),
    )
    qtbot.addWidget(dialog)
    finished: list[object] = []
    dialog.job_finished.connect(finished.append)
    dialog.open()

    async def run() -> None:
        task = dialog.start()
        await asyncio.wait({task})

    qloop.run(run())
    assert finished
    assert dialog.summary is not None
    assert dialog.summary.counts == {"same": 3}
    assert dialog.close_button.isEnabled()
    assert not dialog.cancel.isEnabled()
    assert "Same as IOTPay: 3" in dialog.progress.counts.text()
    assert dialog.message.text() == "Finished."

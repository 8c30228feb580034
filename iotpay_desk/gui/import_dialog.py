"""Import orders from a CSV file into the books, and the progress of any long job.

- :class:`JobProgressWidget`: a progress bar with "done of total", the rate and the time
  left, and the counts so far (a :class:`~iotpay_desk.services.bulk.JobProgress`).
- :class:`JobProgressDialog`: runs one job coroutine (an import, a reconciliation) on the
  qasync loop with that widget, a Cancel button that stops it (the job stays resumable)
  and its summary at the end. The End of day page's "Reconcile with IOTPay" uses it.
- :class:`ImportDialog`: choose a file, see its bad lines before anything is written,
  Start, follow the progress, Cancel, read the summary and the orders IOTPay did not
  find or could not be asked about; offers to resume an unfinished import when opened.

No dialog here blocks: files are read and jobs run as tasks on the qasync loop
(:mod:`.asyncjob`), and the file chooser is opened with ``open()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.journal.jobs import JobItem, JobSummary
from iotpay_desk.services import MoneyService
from iotpay_desk.services.bulk import JobProgress, progress_of
from iotpay_desk.services.importing import (
    MAX_FILE_BYTES,
    MAX_LINES,
    BadLine,
    ImportFileProblem,
    ImportPlan,
)

from .asyncjob import async_slot, gone
from .errors import describe, rule_text, show_message
from .pagekit import keep_fitted

__all__ = ["ImportDialog", "JobProgressDialog", "JobProgressWidget"]

log = logging.getLogger(__name__)

JobStarter = Callable[[Callable[[JobProgress], None]], Awaitable[JobSummary]]
"""Starts a job: called with the progress callback, returns its summary at the end."""


def _n(value: int) -> str:
    return QLocale().toString(int(value))


def _duration(widget: QWidget, seconds: float) -> str:
    s = max(0, round(seconds))
    if s < 60:
        return widget.tr("%1 s").replace("%1", str(s))
    if s < 3600:
        return widget.tr("%1 min %2 s").replace("%1", str(s // 60)).replace("%2", f"{s % 60:02d}")
    return (
        widget.tr("%1 h %2 min")
        .replace("%1", str(s // 3600))
        .replace("%2", f"{s % 3600 // 60:02d}")
    )


class JobProgressWidget(QWidget):
    """A job's progress: a bar, "Done: 1,234 of 10,000", the rate, the time left and the
    counts so far. Emits no signals; GUI thread only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("job-progress")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("job-progress-bar")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.status = QLabel(self)
        self.status.setObjectName("job-progress-text")
        self.status.setWordWrap(True)
        self.counts = QLabel(self)
        self.counts.setObjectName("job-progress-counts")
        self.counts.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.counts)
        self.last: JobProgress | None = None

    def show_progress(self, p: JobProgress) -> None:
        self.last = p
        self.bar.setRange(0, max(1, p.total))
        self.bar.setValue(min(p.done, p.total))
        text = self.tr("Done: %1 of %2").replace("%1", _n(p.done)).replace("%2", _n(p.total))
        if p.rate > 0:
            text += "  ·  " + self.tr("%1 per second").replace("%1", _n(round(p.rate)))
        if p.seconds_left is not None and p.done < p.total:
            text += "  ·  " + self.tr("about %1 left").replace(
                "%1", _duration(self, p.seconds_left)
            )
        self.status.setText(text)
        self.counts.setText(counts_text(self, p.counts))


def counts_text(widget: QWidget, counts: Any) -> str:
    """The counts of a job's items in words ("Booked: 12 · Not found: 1 …")."""
    names = [
        ("booked", widget.tr("Booked: %1")),
        ("same", widget.tr("Same as IOTPay: %1")),
        ("differs", widget.tr("Differ from IOTPay: %1")),
        ("not_found", widget.tr("Not found at IOTPay: %1")),
        ("bad", widget.tr("Left out (bad lines): %1")),
        ("failed", widget.tr("Could not reach IOTPay: %1")),
    ]
    parts = [text.replace("%1", _n(counts.get(key, 0))) for key, text in names if counts.get(key)]
    return "  ·  ".join(parts)


class JobProgressDialog(QDialog):
    """Runs one job with its progress shown; Cancel stops it (resumable), Close closes.

    ``JobProgressDialog(title, start, parent)``: ``start(on_progress)`` returns the
    coroutine that runs the job (e.g. ``lambda p: money.reconciler.reconcile_day(day,
    on_progress=p)``). Call :meth:`start` once the dialog is shown (``open()``).

    Signals (GUI thread): ``job_finished(object)`` with the :class:`JobSummary` when the
    job ran to its end (done, or with items that could not reach IOTPay);
    ``job_stopped()`` when it was cancelled or failed.
    """

    job_finished = Signal(object)
    job_stopped = Signal()

    def __init__(self, title: str, start: JobStarter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_fitted(self)
        self.setObjectName("job-progress-dialog")
        self.setWindowTitle(title)
        self._start = start
        self.task: asyncio.Task[None] | None = None
        self.summary: JobSummary | None = None
        self.progress = JobProgressWidget(self)
        self.message = QLabel(self)
        self.message.setObjectName("job-message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel.setObjectName("job-cancel")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("job-close")
        self.close_button.setEnabled(False)
        self.cancel.clicked.connect(self.stop)
        self.close_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def start(self) -> asyncio.Task[None]:
        """Start the job on the running loop (once)."""
        if self.task is None:
            self.task = asyncio.get_event_loop().create_task(self._run())
        return self.task

    async def _run(self) -> None:
        def on_progress(p: JobProgress) -> None:
            if not gone(self.progress):
                self.progress.show_progress(p)

        try:
            summary = await self._start(on_progress)
        except asyncio.CancelledError:
            if not gone(self):
                self._ended(self.tr("Stopped. What was checked is kept; run it again to go on."))
                self.job_stopped.emit()
            raise
        except Exception as exc:
            log.warning("job failed: %s", type(exc).__name__)
            if not gone(self):
                self._ended(describe(exc).text)
                self.job_stopped.emit()
            return
        if gone(self):
            return
        self.summary = summary
        self.progress.show_progress(progress_of(summary))
        if summary.state == "done":
            self._ended(self.tr("Finished."))
        else:
            self._ended(
                self.tr(
                    "Finished, but IOTPay could not be reached for %1 orders: run it again "
                    "later to check them."
                ).replace("%1", _n(summary.count("failed")))
            )
        self.job_finished.emit(summary)

    def _ended(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        self.cancel.setEnabled(False)
        self.close_button.setEnabled(True)
        self.close_button.setDefault(True)
        self.close_button.setFocus()

    def stop(self) -> None:
        """Cancel the job (it stays resumable); the dialog stays open with what it did."""
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def reject(self) -> None:  # Escape, the window's close button
        self.stop()
        super().reject()


# --------------------------------------------------------------------------- import


def file_problem_text(widget: QWidget, exc: ImportFileProblem) -> str:
    """Why a file cannot be imported, naming the file and the rule."""
    rules = {
        "missing": widget.tr("the file cannot be opened (it was moved, or is not readable)."),
        "too_large": widget.tr(
            "the file is too large to be a list of orders (at most %1 MB and %2 lines)."
        )
        .replace("%1", _n(MAX_FILE_BYTES // (1024 * 1024)))
        .replace("%2", _n(MAX_LINES)),
        "empty": widget.tr("the file is empty."),
        "utf16": widget.tr(
            'the file is saved as UTF-16 ("Unicode text"): save it as CSV UTF-8 and try again.'
        ),
        "binary": widget.tr(
            "the file is not a CSV text file (a spreadsheet or another kind of file?): "
            "save it as CSV and try again."
        ),
        "encoding": widget.tr(
            "the file's text cannot be read: save it as CSV UTF-8 and try again."
        ),
        "no_column": widget.tr(
            "no column is named like an order number or an IOTPay order ID (for example "
            '"Order ID", "payOrderId", "mchOrderNo", "Order number", "N° de '
            'commande"); a file of one column needs no header.'
        ),
        "formula": widget.tr(
            "line %1 holds a spreadsheet formula where an order should be: nothing was "
            "imported. Remove formulas and try again."
        ).replace("%1", _n(exc.line)),
        "no_orders": widget.tr("the file has no order in it."),
    }
    rule = rules.get(exc.rule, exc.rule)
    return widget.tr("%1: %2").replace("%1", exc.path.name).replace("%2", rule)


def bad_line_text(widget: QWidget, bad: BadLine) -> str:
    if bad.reason == "empty":
        return widget.tr("empty")
    if bad.reason == "duplicate":
        return widget.tr("the same as line %1").replace("%1", _n(bad.duplicate_of))
    if bad.reason == "card_number":
        return widget.tr("looks like a card number (not kept)")
    if bad.rule is not None:
        return widget.tr("not an order number or IOTPay order ID: %1").replace(
            "%1", rule_text(bad.rule)
        )
    return bad.reason


def _table(parent: QWidget, name: str, headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    # Wrapped reasons take the height they need at the width the columns end up with.
    header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
    table.setVisible(False)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]], limit: int = 1000) -> None:
    shown = [(r[0], _clip(r[1]), *r[2:]) for r in rows[:limit]]
    table.setRowCount(len(shown))
    for r, row in enumerate(shown):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c == 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeRowsToContents()
    table.setVisible(bool(shown))


def _clip(text: str, most: int = 30) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


class ImportDialog(QDialog):
    """Import orders from a CSV file into the books (module docstring).

    ``ImportDialog(money, parent)``; :meth:`choose_file` opens the file chooser,
    :meth:`load_file` reads a path (what the chooser calls; tests call it). When shown it
    looks for an unfinished import of this merchant and offers to resume it.

    Signals (GUI thread): ``imported(object)`` with the :class:`JobSummary` when an
    import ran to its end (the books changed).
    """

    imported = Signal(object)

    def __init__(self, money: MoneyService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_fitted(self)
        self.setObjectName("import-dialog")
        self.setWindowTitle(self.tr("Import orders"))
        self._money = money
        self.plan: ImportPlan | None = None
        self.job_id: int | None = None
        self.unfinished: JobSummary | None = None
        self.summary: JobSummary | None = None
        self.task: asyncio.Task[None] | None = None
        self._checked_unfinished = False

        intro = QLabel(
            self.tr(
                "A CSV file of order numbers or IOTPay order IDs (for example exported from "
                "IOTPay's merchant portal): each order is looked up at IOTPay and put in the "
                "books. An order already in the books is updated, never added twice."
            ),
            self,
        )
        intro.setWordWrap(True)

        # An unfinished import of this merchant, offered when the dialog opens.
        self.resume_box = QWidget(self)
        self.resume_box.setObjectName("import-resume")
        self.resume_text = QLabel(self.resume_box)
        self.resume_text.setWordWrap(True)
        self.resume_button = QPushButton(self.tr("&Resume it"), self.resume_box)
        self.resume_button.setObjectName("import-resume-button")
        self.discard_button = QPushButton(self.tr("&Give it up"), self.resume_box)
        self.discard_button.setObjectName("import-discard-button")
        resume_row = QHBoxLayout(self.resume_box)
        resume_row.setContentsMargins(0, 0, 0, 0)
        resume_row.addWidget(self.resume_text, 1)
        resume_row.addWidget(self.resume_button)
        resume_row.addWidget(self.discard_button)
        self.resume_box.setVisible(False)

        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("import-path")
        self.path_edit.setPlaceholderText(self.tr("the file's path"))
        self.choose_button = QPushButton(self.tr("C&hoose a file…"), self)
        self.choose_button.setObjectName("import-choose")
        file_label = QLabel(self.tr("&File:"), self)
        file_label.setBuddy(self.path_edit)
        file_row = QHBoxLayout()
        file_row.addWidget(file_label)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)

        self.message = QLabel(self)
        self.message.setObjectName("import-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)
        self.bad_table = _table(
            self,
            "import-bad-lines",
            [self.tr("Line"), self.tr("Text"), self.tr("Why it is left out")],
        )
        self.progress = JobProgressWidget(self)
        self.progress.setVisible(False)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("import-summary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setVisible(False)
        self.problem_table = _table(
            self,
            "import-problems",
            [self.tr("Line"), self.tr("Order"), self.tr("What happened")],
        )

        self.buttons = QDialogButtonBox(self)
        self.start_button = QPushButton(self.tr("&Start"), self)
        self.start_button.setObjectName("import-start")
        self.start_button.setEnabled(False)
        self.buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("import-cancel")
        self.cancel_button.setText(self.tr("S&top"))
        self.cancel_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("import-close")

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.resume_box)
        layout.addLayout(file_row)
        layout.addWidget(self.message)
        layout.addWidget(self.bad_table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problem_table, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 100)

        self.choose_button.clicked.connect(self.choose_file)
        self.path_edit.returnPressed.connect(self._path_entered)
        self.start_button.clicked.connect(self._start_clicked)
        self.cancel_button.clicked.connect(self.stop)
        self.close_button.clicked.connect(self.reject)
        self.resume_button.clicked.connect(self._resume_clicked)
        self.discard_button.clicked.connect(self._discard_clicked)
        self.setTabOrder(self.path_edit, self.choose_button)
        self.setTabOrder(self.choose_button, self.start_button)

    # ------------------------------------------------------------------ opening

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._checked_unfinished:
            self._checked_unfinished = True
            self._look_for_unfinished()

    @async_slot()
    async def _look_for_unfinished(self) -> None:
        await self.check_unfinished()

    async def check_unfinished(self) -> JobSummary | None:
        """Offer the newest unfinished import of this merchant, if there is one."""
        try:
            found = await self._money.imports.unfinished()
        except Exception as exc:
            log.warning("unfinished imports: %s", type(exc).__name__)
            return None
        if gone(self) or not found or self.task is not None:
            return None
        job = found[0]
        self.unfinished = job
        self.resume_text.setText(
            self.tr("An import of “%1” stopped before its end: %2 of %3 orders done.")
            .replace("%1", job.title)
            .replace("%2", _n(job.total - job.open))
            .replace("%3", _n(job.total))
        )
        self.resume_box.setVisible(True)
        return job

    # ------------------------------------------------------------------ the file

    def choose_file(self) -> None:
        """The file chooser (not blocking: ``open()``); a chosen file is loaded."""
        chooser = QFileDialog(self, self.tr("Choose a list of orders"))
        chooser.setObjectName("import-file-chooser")
        chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
        chooser.setNameFilters([self.tr("CSV files (*.csv *.txt)"), self.tr("All files (*)")])
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(self._file_chosen)
        chooser.open()

    def _file_chosen(self, path: str) -> None:
        self.path_edit.setText(path)
        self._path_entered()

    @async_slot()
    async def _path_entered(self) -> None:
        text = self.path_edit.text().strip()
        if text:
            await self.load_file(Path(text))

    async def load_file(self, path: Path | str) -> ImportPlan | None:
        """Read and check ``path``; show its bad lines (or why it cannot be used)."""
        path = Path(path)
        if self.path_edit.text().strip() != str(path):
            self.path_edit.setText(str(path))
        self.plan = None
        self.start_button.setEnabled(False)
        self.bad_table.setVisible(False)
        try:
            plan = await self._money.imports.read_file(path)
        except ImportFileProblem as exc:
            if not gone(self):
                self._say(file_problem_text(self, exc), problem=True)
            return None
        if gone(self):
            return None
        self.plan = plan
        _fill(
            self.bad_table,
            [(_n(b.line_no), b.text, bad_line_text(self, b)) for b in plan.bad],
        )
        text = (
            self.tr("%1: %2 orders to import.")
            .replace("%1", plan.title)
            .replace("%2", _n(len(plan.refs)))
        )
        if plan.bad:
            text += " " + self.tr("%1 lines are left out (below).").replace("%1", _n(len(plan.bad)))
        self._say(text, problem=not plan.refs)
        self.start_button.setEnabled(bool(plan.refs) and self.task is None)
        if plan.refs:
            self.start_button.setDefault(True)
        return plan

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("problem", problem)
        font = self.message.font()
        font.setBold(problem)
        self.message.setFont(font)
        self.message.setVisible(True)

    # ------------------------------------------------------------------ running

    def _start_clicked(self) -> None:
        if self.plan is not None and self.task is None:
            self.task = asyncio.get_event_loop().create_task(self._start_and_run(self.plan))

    def _resume_clicked(self) -> None:
        if self.unfinished is not None and self.task is None:
            self.task = asyncio.get_event_loop().create_task(self._run(self.unfinished.id))

    @async_slot()
    async def _discard_clicked(self) -> None:
        job = self.unfinished
        if job is None:
            return
        try:
            await self._money.imports.discard(job.id)
        except Exception as exc:
            show_message(self, describe(exc))
            return
        if not gone(self):
            self.unfinished = None
            self.resume_box.setVisible(False)

    def start(self) -> asyncio.Task[None] | None:
        """Start importing the file loaded (what Start does)."""
        self._start_clicked()
        return self.task

    def resume(self) -> asyncio.Task[None] | None:
        """Resume the unfinished import offered (what Resume does)."""
        self._resume_clicked()
        return self.task

    async def _start_and_run(self, plan: ImportPlan) -> None:
        self._running(True)
        try:
            job_id = await self._money.imports.start(plan)
        except Exception as exc:
            self._running(False)
            if not gone(self):
                show_message(self, describe(exc))
            return
        await self._run(job_id)

    async def _run(self, job_id: int) -> None:
        self.job_id = job_id
        self._running(True)
        self.resume_box.setVisible(False)
        self.progress.setVisible(True)
        self.progress.counts.setVisible(True)
        self.summary_label.setVisible(False)
        self.problem_table.setVisible(False)

        def on_progress(p: JobProgress) -> None:
            if not gone(self.progress):
                self.progress.show_progress(p)

        try:
            summary = await self._money.imports.run(job_id, on_progress=on_progress)
        except asyncio.CancelledError:
            if not gone(self):
                self._running(False)
                self._show_result(
                    self.tr(
                        "Stopped. The orders done so far are in the books; open Import "
                        "orders again to resume."
                    )
                )
            raise
        except Exception as exc:
            if not gone(self):
                self._running(False)
                self._show_result(describe(exc).text)
            return
        if gone(self):
            return
        self.summary = summary
        self.progress.show_progress(progress_of(summary))
        self.progress.counts.setVisible(False)  # the summary below says it all
        self._running(False)
        text = self.tr(
            "Finished. Booked: %1 · Not found at IOTPay: %2 · Left out (bad lines): %3 · "
            "Could not reach IOTPay: %4"
        )
        for i, key in enumerate(("booked", "not_found", "bad", "failed"), start=1):
            text = text.replace(f"%{i}", _n(summary.count(key)))
        if summary.count("failed"):
            text += "\n" + self.tr(
                "The orders IOTPay could not be asked about are kept: open Import orders "
                "again later to resume."
            )
        self._show_result(text)
        try:
            problems = await self._money.imports.items(job_id, ("not_found", "failed"), 1000)
        except Exception as exc:
            log.warning("import problems: %s", type(exc).__name__)
            problems = []
        if not gone(self):
            _fill(self.problem_table, [self._problem_row(i) for i in problems])
            self.imported.emit(summary)

    def _problem_row(self, item: JobItem) -> tuple[str, str, str]:
        if item.state == "not_found":
            why = self.tr("IOTPay has no such order")
        else:
            why = self.tr("IOTPay could not be reached (tried again on resume)")
        return (_n(item.line_no), item.ref, why)

    def _show_result(self, text: str) -> None:
        self.summary_label.setText(text)
        self.summary_label.setVisible(True)

    def _running(self, running: bool) -> None:
        if gone(self):
            return
        self.start_button.setEnabled(not running and self.plan is not None and self.job_id is None)
        self.cancel_button.setEnabled(running)
        self.choose_button.setEnabled(not running)
        self.path_edit.setEnabled(not running)
        self.resume_button.setEnabled(not running)
        self.discard_button.setEnabled(not running)
        if running:
            self.cancel_button.setFocus()
        else:
            self.task = None
            self.close_button.setDefault(True)

    def stop(self) -> None:
        """Stop the import (asks nothing): what is done is kept, the rest resumes later.
        The answers already received are written first (a moment on a busy disk)."""
        if self.task is not None and not self.task.done():
            self.cancel_button.setEnabled(False)
            self._show_result(self.tr("Stopping…"))
            self.task.cancel()

    def reject(self) -> None:  # Close, Escape, the window's close button
        self.stop()
        super().reject()

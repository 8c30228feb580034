"""Export… on the Transactions page: what the filter shows, every row of it (not only the
rows read into the table), to a CSV or XLSX file.

The bookkeeper picks the format, the fields and their order (the table's visible columns
by default), the CSV separator (the locale's: ``;`` where the decimal point is a comma)
and whether the CSV starts with the byte-order mark Excel needs for accents, and the
file. The writing runs in a worker thread; a progress bar shows the rows written, the
rate and the time left (the total is counted meanwhile; until then the bar just moves).
Cancel stops it: no half file is left under the name, an older file of that name stays
as it was. A file that cannot be written (disk full, no permission) is named in the
message, and nothing chosen is lost.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, final

from PySide6.QtCore import QLocale, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ExportDialog", "ExportRequest", "locale_separator"]


@dataclass(frozen=True)
class ExportRequest:
    """What the dialog asks for: the file, its format and its fields in order."""

    path: Path
    xlsx: bool
    fields: tuple[str, ...]
    separator: str
    decimal_point: str
    bom: bool


#: Writes ``request``: the rows written, or None when ``cancelled()`` stopped it; calls
#: ``progress(rows)`` from its worker thread.
Writer = Callable[[ExportRequest, Callable[[int], None], Callable[[], bool]], Awaitable[int | None]]
Counter = Callable[[], Awaitable[int]]


def locale_separator(locale: QLocale | None = None) -> tuple[str, str]:
    """The CSV separator and decimal point of ``locale`` (the default one): ``;`` and
    ``,`` where the decimal point is a comma (French), else ``,`` and ``.``."""
    point = (locale or QLocale()).decimalPoint()
    return (";", ",") if point == "," else (",", ".")


@final
class ExportDialog(QDialog):
    """The export's choices, then its progress. ``fields``: every field's key and title
    in the order offered; ``chosen``: the keys checked at first, in their order (the
    table's visible columns). Signal ``finished_export(int)``: the rows written."""

    finished_export = Signal(int)

    def __init__(
        self,
        fields: Sequence[tuple[str, str]],
        chosen: Sequence[str],
        write: Writer,
        count: Counter | None = None,
        *,
        today: date | None = None,
        folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export-dialog")
        self.setWindowTitle(self.tr("Export transactions"))
        self._write = write
        self._count = count
        self._titles: Mapping[str, str] = dict(fields)
        self._task: asyncio.Task[None] | None = None
        self._stop = threading.Event()
        self._written = 0  # set by the worker thread, read by the timer
        self._total: int | None = None
        self._started = 0.0
        self.result_rows: int | None = None

        intro = QLabel(
            self.tr(
                "Every order the filter shows is exported, not only the rows read into the "
                "table so far."
            ),
            self,
        )
        intro.setWordWrap(True)

        # -- the format ------------------------------------------------------------------
        self.format = QComboBox(self)
        self.format.setObjectName("export-format")
        self.format.addItem(self.tr("CSV (for Excel and other programs)"), "csv")
        self.format.addItem(self.tr("Excel workbook (XLSX)"), "xlsx")
        sep, _point = locale_separator()
        self.separator = QComboBox(self)
        self.separator.setObjectName("export-separator")
        named = {",": self.tr("comma"), ";": self.tr("semicolon")}
        self.separator.addItem(
            self.tr("The language's (%1)").replace("%1", named.get(sep, sep)), ""
        )
        self.separator.addItem(self.tr("Comma"), ",")
        self.separator.addItem(self.tr("Semicolon"), ";")
        self.separator.addItem(self.tr("Tab"), "\t")
        self.bom = QCheckBox(self.tr("UTF-8 with a byte-order mark (Excel reads accents right)"))
        self.bom.setObjectName("export-bom")
        self.bom.setChecked(True)

        # -- the fields ------------------------------------------------------------------
        self.fields = QListWidget(self)
        self.fields.setObjectName("export-fields")
        self.fields.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.fields.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.fields.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        order = [k for k in chosen if k in self._titles]
        order += [k for k, _ in fields if k not in order]
        for key in order:
            item = QListWidgetItem(self._titles[key], self.fields)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsDragEnabled
            )
            item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
        self.fields.setCurrentRow(0)
        self.up = QPushButton(self.tr("Move &up"), self)
        self.up.setObjectName("export-up")
        self.down = QPushButton(self.tr("Move do&wn"), self)
        self.down.setObjectName("export-down")
        self.up.clicked.connect(lambda: self.move_field(-1))
        self.down.clicked.connect(lambda: self.move_field(1))
        self.fields.installEventFilter(self)

        # -- the file --------------------------------------------------------------------
        folder = folder or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        self.path = QLineEdit(self)
        self.path.setObjectName("export-path")
        stamp = (today or date.today()).isoformat()
        self.path.setText(str(folder / f"transactions-{stamp}.csv"))
        self.choose = QPushButton(self.tr("&Choose…"), self)
        self.choose.setObjectName("export-choose")
        self.choose.clicked.connect(self._choose_file)
        self.format.currentIndexChanged.connect(self._format_changed)

        # -- progress --------------------------------------------------------------------
        self.progress = QProgressBar(self)
        self.progress.setObjectName("export-progress")
        self.progress.setVisible(False)
        self.status = QLabel(self)
        self.status.setObjectName("export-status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel(self)
        self.problem.setObjectName("export-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("QLabel#export-problem { color: #b3001b; }")
        self.problem.setVisible(False)
        self._tick = QTimer(self)
        self._tick.setInterval(200)
        self._tick.timeout.connect(self._show_progress)

        self.buttons = QDialogButtonBox(self)
        self.export = self.buttons.addButton(
            self.tr("&Export"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export.setObjectName("export-start")
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel.setObjectName("export-cancel")
        self.export.setDefault(True)
        self.export.clicked.connect(self.start)
        self.cancel.clicked.connect(self.reject)

        # -- layout ----------------------------------------------------------------------
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._label(self.tr("&Format:"), self.format), self.format)
        form.addRow(self._label(self.tr("&Separator:"), self.separator), self.separator)
        form.addRow("", self.bom)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose)
        form.addRow(self._label(self.tr("F&ile:"), self.path), file_row)

        fields_box = QGridLayout()
        fields_label = self._label(
            self.tr("Fie&lds (check to include; drag or move to reorder):"), self.fields
        )
        fields_label.setWordWrap(True)
        fields_box.addWidget(fields_label, 0, 0, 1, 2)
        fields_box.addWidget(self.fields, 1, 0, 3, 1)
        fields_box.addWidget(self.up, 1, 1)
        fields_box.addWidget(self.down, 2, 1)
        fields_box.setRowStretch(3, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(fields_box, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.format, self.separator)
        self.setTabOrder(self.separator, self.bom)
        self.setTabOrder(self.bom, self.path)
        self.setTabOrder(self.path, self.choose)
        self.setTabOrder(self.choose, self.fields)
        self.setTabOrder(self.fields, self.up)
        self.setTabOrder(self.up, self.down)
        self.resize(self.sizeHint().width() + 120, self.sizeHint().height() + 60)
        self._format_changed()

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    # -- choices -----------------------------------------------------------------------------

    @property
    def xlsx(self) -> bool:
        return bool(self.format.currentData() == "xlsx")

    def chosen_fields(self) -> list[str]:
        """The checked fields' keys, in the list's order."""
        out: list[str] = []
        for row in range(self.fields.count()):
            item = self.fields.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def move_field(self, delta: int) -> None:
        """The current field one place up (-1) or down (1)."""
        row = self.fields.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.fields.count():
            return
        item = self.fields.takeItem(row)
        self.fields.insertItem(target, item)
        self.fields.setCurrentRow(target)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        # Alt+Up / Alt+Down move the current field (the list's own arrows move the cursor).
        if (
            watched is self.fields
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.modifiers() & Qt.KeyboardModifier.AltModifier
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            self.move_field(-1 if event.key() == Qt.Key.Key_Up else 1)
            return True
        return bool(super().eventFilter(watched, event))

    def separator_and_point(self) -> tuple[str, str]:
        """The CSV separator chosen and the decimal point that goes with it (the
        language's, unless it is the separator: then a point)."""
        locale_sep, point = locale_separator()
        sep = str(self.separator.currentData() or locale_sep)
        return sep, (point if point != sep else ".")

    def _format_changed(self) -> None:
        csv = not self.xlsx
        self.separator.setEnabled(csv)
        self.bom.setEnabled(csv)
        text = self.path.text()
        old, new = (".xlsx", ".csv") if csv else (".csv", ".xlsx")
        if text.lower().endswith(old):
            self.path.setText(text[: -len(old)] + new)

    def _choose_file(self) -> None:
        kind = self.tr("Excel workbook (*.xlsx)") if self.xlsx else self.tr("CSV file (*.csv)")
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export to"), self.path.text(), kind)
        if name:
            self.path.setText(name)

    def request(self) -> ExportRequest | None:
        """The choices, or None with the problem shown (nothing chosen is lost)."""
        fields = tuple(self.chosen_fields())
        if not fields:
            self._show_problem(self.tr("Fields: check at least one."))
            return None
        text = self.path.text().strip()
        if not text:
            self._show_problem(self.tr("File: choose where the export goes."))
            return None
        path = Path(text).expanduser()
        if path.is_dir():
            self._show_problem(
                self.tr("File: %1 is a folder; add a file name.").replace("%1", str(path))
            )
            return None
        if not path.parent.is_dir():
            self._show_problem(
                self.tr("File: the folder %1 does not exist.").replace("%1", str(path.parent))
            )
            return None
        sep, point = self.separator_and_point()
        return ExportRequest(
            path=path,
            xlsx=self.xlsx,
            fields=fields,
            separator=sep,
            decimal_point=point,
            bom=self.bom.isChecked(),
        )

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(True)

    # -- running -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Export with the choices made (on the qasync loop; the writing in a thread)."""
        if self.running:
            return
        request = self.request()
        if request is None:
            return
        self.problem.setVisible(False)
        self._stop.clear()
        self._written = 0
        self._total = None
        self._started = time.monotonic()
        controls: tuple[QWidget, ...] = (
            self.format, self.separator, self.bom, self.path, self.choose, self.fields,
            self.up, self.down, self.export,
        )  # fmt: skip
        for widget in controls:
            widget.setEnabled(False)
        self.progress.setRange(0, 0)  # until the total is known
        self.progress.setVisible(True)
        self.status.setText(self.tr("Starting the export…"))
        self._tick.start()
        self._task = asyncio.ensure_future(self._run(request))

    def cancel_export(self) -> None:
        """Stop the export in flight (its partial file is removed)."""
        if self.running:
            self._stop.set()
            self.status.setText(self.tr("Cancelling…"))

    async def _run(self, request: ExportRequest) -> None:
        counting: asyncio.Task[int] | None = None
        if self._count is not None:
            counting = asyncio.ensure_future(self._count())
            counting.add_done_callback(self._counted)
        rows: int | None = None
        failure: str | None = None
        try:
            rows = await self._write(request, self._progressed, self._stop.is_set)
        except OSError as exc:
            failure = (
                self.tr("%1 could not be written: %2")
                .replace("%1", str(request.path))
                .replace("%2", exc.strerror or str(exc))
            )
        except Exception as exc:  # shown in the dialog, which stays open
            failure = self.tr("The export failed: %1").replace("%1", str(exc) or type(exc).__name__)
        finally:
            if counting is not None and not counting.done():
                counting.cancel()
            self._tick.stop()
        self._finished(request, rows, failure)

    def _counted(self, task: asyncio.Task[int]) -> None:
        if task.cancelled() or task.exception() is not None:
            return
        self._total = task.result()
        if self.running:
            self.progress.setRange(0, max(1, self._total))
            self._show_progress()

    def _progressed(self, rows: int) -> None:  # the worker thread
        self._written = rows

    def _show_progress(self) -> None:
        if self._stop.is_set():
            return
        rows = self._written
        elapsed = max(1e-6, time.monotonic() - self._started)
        rate = rows / elapsed
        words = [self.tr("Rows written: %1").replace("%1", QLocale().toString(rows))]
        if self._total is not None:
            self.progress.setValue(min(rows, self._total))
            words[0] = (
                self.tr("Rows written: %1 of %2")
                .replace("%1", QLocale().toString(rows))
                .replace("%2", QLocale().toString(self._total))
            )
        if rows:
            words.append(self.tr("%1 rows/s").replace("%1", QLocale().toString(round(rate))))
            if self._total is not None and rate > 0:
                left = max(0, self._total - rows) / rate
                words.append(self.tr("about %1 s left").replace("%1", str(round(left))))
        self.status.setText(" · ".join(words))

    def _finished(self, request: ExportRequest, rows: int | None, failure: str | None) -> None:
        self._task = None
        for widget in (self.format, self.path, self.choose, self.fields, self.up, self.down):
            widget.setEnabled(True)
        self.export.setEnabled(True)
        self._format_changed()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        if failure is not None:
            self.progress.setVisible(False)
            self.status.clear()
            self._show_problem(failure)
            return
        if rows is None:
            self.progress.setVisible(False)
            if request.path.exists():
                text = self.tr("Cancelled: no file was written; %1 is as it was.")
            else:
                text = self.tr("Cancelled: no file was written.")
            self.status.setText(text.replace("%1", request.path.name))
            return
        self.result_rows = rows
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        seconds = time.monotonic() - self._started
        self.status.setText(
            self.tr("Exported %1 orders to %2 in %3 s.")
            .replace("%1", QLocale().toString(rows))
            .replace("%2", str(request.path))
            .replace("%3", f"{seconds:.1f}")
        )
        self.cancel.setText(self.tr("Close"))
        self.finished_export.emit(rows)

    # -- closing -----------------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel (or Escape): stops the export in flight first; closes when idle."""
        if self.running:
            self.cancel_export()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            self.cancel_export()
            event.ignore()
            return
        super().closeEvent(event)

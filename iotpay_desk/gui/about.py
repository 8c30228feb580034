"""Help ▸ About: the version, the build (date and commit), the Qt and Python the desk runs
on, and where its data and logs are, with buttons that open those folders and one that
copies the whole for a support request (:mod:`iotpay_desk.core.about`)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import PySide6
from PySide6.QtCore import QDate, QLocale, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.core.about import About, about
from iotpay_desk.core.paths import AppPaths

from .i18n import resources_dir

__all__ = ["AboutDialog", "desk_about", "desk_icon"]


def desk_icon() -> QIcon:
    """The desk's icon (``resources/icons/iotpay-desk.svg``, the one the installers use);
    null where Qt has no SVG icon engine."""
    return QIcon(str(resources_dir() / "icons" / "iotpay-desk.svg"))


def desk_about(paths: AppPaths | None = None) -> About:
    """The facts About shows, with the Qt and PySide6 this desk has loaded."""
    return about(qVersion(), PySide6.__version__, paths)


class AboutDialog(QDialog):
    def __init__(self, facts: About, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about-dialog")
        self.setWindowTitle(self.tr("About IOTPay Desk"))
        self.facts = facts
        b = facts.build

        title = QLabel(self.tr("IOTPay Desk %1").replace("%1", b.version), self)
        title.setObjectName("about-title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        purpose = QLabel(
            self.tr("Look up, refund and void card payments made through IOTPay."), self
        )
        purpose.setWordWrap(True)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.version_label = self._value(b.version, "about-version")
        form.addRow(self.tr("Version:"), self.version_label)
        built = self._when(b.built_at) if b.built_at else self.tr("run from sources")
        self.build_label = self._value(built, "about-build")
        form.addRow(self.tr("Built:"), self.build_label)
        self.commit_label = self._value(b.commit or self.tr("unknown"), "about-commit")
        form.addRow(self.tr("Commit:"), self.commit_label)
        self.qt_label = self._value(
            self.tr("Qt %1 (PySide6 %2)").replace("%1", facts.qt).replace("%2", facts.pyside),
            "about-qt",
        )
        form.addRow(self.tr("Qt:"), self.qt_label)
        self.python_label = self._value(facts.python, "about-python")
        form.addRow(self.tr("Python:"), self.python_label)
        self.open_data = QPushButton(self.tr("Open &data folder"), self)
        self.open_data.setObjectName("about-open-data")
        self.data_label = self._path(facts.data_dir, "about-data")
        form.addRow(self.tr("Data:"), self._with_button(self.data_label, self.open_data))
        self.open_logs = QPushButton(self.tr("Open &logs folder"), self)
        self.open_logs.setObjectName("about-open-logs")
        self.log_label = self._path(facts.log_dir, "about-logs")
        form.addRow(self.tr("Logs:"), self._with_button(self.log_label, self.open_logs))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton(
            self.tr("&Copy details"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.setObjectName("about-copy")
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)
        self.open_data.clicked.connect(lambda: self.open_folder(facts.data_dir))
        self.open_logs.clicked.connect(lambda: self.open_folder(facts.log_dir))
        self.opened: list[Path] = []  # the folders asked to be opened (what tests check)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(purpose)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _value(self, text: str, name: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        label.setWordWrap(True)
        return label

    def _path(self, path: Path, name: str) -> QLineEdit:
        """A folder's whole path, read-only, selectable and scrolled to its start."""
        edit = QLineEdit(str(path), self)
        edit.setObjectName(name)
        edit.setReadOnly(True)
        edit.setCursorPosition(0)
        metrics = edit.fontMetrics()
        edit.setMinimumWidth(
            min(metrics.horizontalAdvance(str(path) + "  "), metrics.averageCharWidth() * 60)
        )
        return edit

    def _with_button(self, field: QLineEdit, button: QPushButton) -> QWidget:
        row = QWidget(self)
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(field, 1)
        box.addWidget(button)
        return row

    def _when(self, iso: str) -> str:
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        except ValueError:
            return iso
        day = QDate(moment.year, moment.month, moment.day)
        text = QLocale().toString(day, QLocale.FormatType.ShortFormat)
        return f"{text} {moment:%H:%M} UTC"

    def open_folder(self, path: Path) -> None:
        """Open ``path`` in the file manager (made first if the desk has not yet)."""
        with contextlib.suppress(OSError):  # the file manager then says what is wrong
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.opened.append(path)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def copy_details(self) -> None:
        """The facts, as ``iotpay-desk --version`` prints them, to the clipboard."""
        QGuiApplication.clipboard().setText("\n".join(self.facts.lines()))

"""The Settings page, built from the declared settings (``iotpay_desk.core.settings``).

A text setting is saved when its field is left (or Enter is pressed); a value it does not
take stays in the field, with the rule it breaks beside it in red."""

from __future__ import annotations

import asyncio
from typing import Any, final

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.core.settings import (
    ALL_SETTINGS,
    LANGUAGE,
    PSEUDO_TRANSLATION,
    Setting,
    Settings,
)

from .asyncjob import async_slot, gone, run_busy
from .pagekit import page_title

__all__ = ["SettingsPage", "with_mnemonic"]


def with_mnemonic(text: str, used: set[str]) -> str:
    """``text`` with ``&`` before its first letter not in ``used`` (which it extends)."""
    if "&" in text:
        return text
    for i, ch in enumerate(text):
        low = ch.lower()
        if ch.isalpha() and low not in used:
            used.add(low)
            return text[:i] + "&" + text[i:]
    return text


#: Settings the running desk cannot change under its windows: they apply at the next start.
RESTART_KEYS = (LANGUAGE.key, PSEUDO_TRANSLATION.key)


@final
class SettingsPage(QWidget):
    """One editor per declared setting; each change is saved at once (off the GUI thread).

    Developer settings (the pseudo-translation) are shown only with ``developer=True``
    (``--pseudo``), or while one is on (so it can be turned off). ``reserved``: Alt+letters
    the window uses elsewhere (its menu bar, its banner), left out of the labels here.

    Signals (GUI thread): ``setting_changed(str)`` with the key, after the value was saved;
    ``restart_requested()`` from "Restart now", offered after a change that needs one (the
    language).
    """

    setting_changed = Signal(str)
    restart_requested = Signal()

    def __init__(
        self,
        settings: Settings | None,
        parent: QWidget | None = None,
        *,
        developer: bool = False,
        reserved: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page-settings")
        self._settings = settings
        self.editors: dict[str, QWidget] = {}
        #: Beside each text field: the rule its value breaks (hidden while it breaks none).
        self.problems: dict[str, QLabel] = {}
        self._started_with: dict[str, object] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(self.tr("Settings"), self))
        if settings is None:
            note = QLabel(self.tr("Settings cannot be changed in this window."), self)
            note.setWordWrap(True)
            layout.addWidget(note)
            layout.addStretch(1)
            return
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        used: set[str] = set(reserved.casefold())
        # The restart notice's button takes its letter first: it shows beside the others.
        self.restart_button = QPushButton(with_mnemonic(self.tr("Restart now"), used), self)
        self.restart_button.setObjectName("restart-now")
        self.restart_button.clicked.connect(self.restart_requested)
        for setting in ALL_SETTINGS:
            value = settings.get(setting)
            if setting.developer and not developer and not value:
                continue
            self._started_with[setting.key] = value
            editor = self._editor(setting, value)
            editor.setObjectName(f"setting-{setting.key}")
            self.editors[setting.key] = editor
            label_text = with_mnemonic(
                QCoreApplication.translate(setting.context, setting.label), used
            )
            if isinstance(editor, QCheckBox):
                editor.setText(label_text)
                form.addRow(editor)
            else:
                label = QLabel(label_text, self)
                label.setBuddy(editor)
                form.addRow(label, editor)
            if isinstance(editor, QLineEdit):
                problem = QLabel(self)
                problem.setObjectName(f"problem-{setting.key}")
                problem.setWordWrap(True)
                problem.setStyleSheet("QLabel { color: #b3001b; }")
                problem.setVisible(False)
                self.problems[setting.key] = problem
                form.addRow("", problem)
            if setting.help:
                help_text = QCoreApplication.translate(setting.context, setting.help)
                editor.setToolTip(help_text)
                hint = QLabel(help_text, self)
                hint.setWordWrap(True)
                hint.setEnabled(False)  # the palette's quieter text colour
                form.addRow("", hint)
        layout.addLayout(form)
        # Said once a setting that needs a restart was changed, with the restart offered.
        self.restart_notice = QFrame(self)
        self.restart_notice.setObjectName("restart-notice")
        self.restart_notice.setFrameShape(QFrame.Shape.StyledPanel)
        self.restart_text = QLabel(
            self.tr("The desk shows this change after a restart."), self.restart_notice
        )
        self.restart_text.setWordWrap(True)
        row = QHBoxLayout(self.restart_notice)
        row.addWidget(self.restart_text, 1)
        self.restart_button.setParent(self.restart_notice)
        row.addWidget(self.restart_button)
        self.restart_notice.setVisible(False)
        layout.addWidget(self.restart_notice)
        layout.addStretch(1)

    @property
    def restart_needed(self) -> bool:
        """A setting that applies at the next start differs from the one the desk shows."""
        settings = self._settings
        if settings is None:
            return False
        return any(
            key in self._started_with and settings.value(key) != self._started_with[key]
            for key in RESTART_KEYS
        )

    def _editor(self, setting: Setting[Any], value: Any) -> QWidget:
        key = setting.key
        if setting.type is bool:
            box = QCheckBox(self)
            box.setChecked(bool(value))
            box.toggled.connect(lambda _on, k=key: self._save(k))
            return box
        if setting.type is int:
            spin = QSpinBox(self)
            spin.setRange(
                setting.minimum if setting.minimum is not None else -(2**31),
                setting.maximum if setting.maximum is not None else 2**31 - 1,
            )
            if setting.zero_label and spin.minimum() == 0:
                spin.setSpecialValueText(
                    QCoreApplication.translate(setting.context, setting.zero_label)
                )
            spin.setValue(int(value))
            spin.editingFinished.connect(lambda k=key: self._save(k))
            return spin
        if setting.choices:
            combo = QComboBox(self)
            for choice in setting.choices:
                label = (
                    choice.label
                    if choice.native
                    else QCoreApplication.translate(setting.context, choice.label)
                )
                combo.addItem(label, choice.value)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.currentIndexChanged.connect(lambda _i, k=key: self._save(k))
            return combo
        line = QLineEdit(str(value), self)
        line.editingFinished.connect(lambda k=key: self._save(k))
        return line

    def _say_problem(self, key: str, text: str) -> None:
        label = self.problems.get(key)
        if label is not None:
            label.setText(text)
            label.setVisible(bool(text))

    def value_of(self, key: str) -> Any:
        editor = self.editors[key]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        assert isinstance(editor, QLineEdit)
        # A name's spaces at either end are dropped, not refused.
        return editor.text().strip()

    @async_slot(str)
    async def _save(self, key: str) -> None:
        settings = self._settings
        assert settings is not None
        value = self.value_of(key)
        if settings.value(key) == value:
            self._say_problem(key, "")
            return
        result = await run_busy(
            self.editors[key],
            asyncio.to_thread(settings.set_value, key, value),
            progress_text=self.tr("Saving settings…"),
            on_error=(lambda m: self._say_problem(key, m.text)) if key in self.problems else None,
        )
        if gone(self):
            return
        if result.ok:
            self._say_problem(key, "")
            if key in RESTART_KEYS:
                self.restart_notice.setVisible(self.restart_needed)
                if self.restart_needed:
                    self.restart_button.setDefault(True)
            self.setting_changed.emit(key)

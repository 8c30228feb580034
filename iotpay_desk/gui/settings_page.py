"""The Settings page, built from the declared settings (``iotpay_desk.core.settings``)."""

from __future__ import annotations

import asyncio
from typing import Any, final

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.core.settings import ALL_SETTINGS, Setting, Settings

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


@final
class SettingsPage(QWidget):
    """One editor per declared setting; each change is saved at once (off the GUI thread).

    Signal ``setting_changed(str)`` (GUI thread) with the key, after the value was saved.
    """

    setting_changed = Signal(str)

    def __init__(self, settings: Settings | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-settings")
        self._settings = settings
        self.editors: dict[str, QWidget] = {}
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
        used: set[str] = set()
        for setting in ALL_SETTINGS:
            value = settings.get(setting)
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
            if setting.help:
                help_text = QCoreApplication.translate(setting.context, setting.help)
                editor.setToolTip(help_text)
                hint = QLabel(help_text, self)
                hint.setWordWrap(True)
                hint.setEnabled(False)  # the palette's quieter text colour
                form.addRow("", hint)
        layout.addLayout(form)
        layout.addStretch(1)

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
            spin.setValue(int(value))
            spin.editingFinished.connect(lambda k=key: self._save(k))
            return spin
        if setting.choices:
            combo = QComboBox(self)
            for choice in setting.choices:
                label = QCoreApplication.translate(setting.context, choice.label)
                combo.addItem(label, choice.value)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.currentIndexChanged.connect(lambda _i, k=key: self._save(k))
            return combo
        line = QLineEdit(str(value), self)
        line.editingFinished.connect(lambda k=key: self._save(k))
        return line

    def value_of(self, key: str) -> Any:
        editor = self.editors[key]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    @async_slot(str)
    async def _save(self, key: str) -> None:
        settings = self._settings
        assert settings is not None
        value = self.value_of(key)
        if settings.value(key) == value:
            return
        result = await run_busy(
            self.editors[key],
            asyncio.to_thread(settings.set_value, key, value),
            progress_text=self.tr("Saving settings…"),
        )
        if gone(self):
            return
        if result.ok:
            self.setting_changed.emit(key)

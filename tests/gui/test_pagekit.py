"""Dialogs stay tall enough for their fields when a wrapped message appears."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout
from pytestqt.qtbot import QtBot

from iotpay_desk.gui.pagekit import keep_fitted


def test_fields_keep_their_height_when_a_long_message_appears(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    keep_fitted(dialog)
    form = QFormLayout()
    fields = [QLineEdit(dialog) for _ in range(4)]
    for i, f in enumerate(fields):
        form.addRow(f"Field {i}:", f)
    message = QLabel(" ".join(["a rather long explanation"] * 30), dialog)
    message.setWordWrap(True)
    message.setVisible(False)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(message)
    dialog.setMinimumWidth(dialog.fontMetrics().averageCharWidth() * 40)
    dialog.show()
    qtbot.waitExposed(dialog)

    message.setVisible(True)

    def fitted() -> None:
        for f in fields:
            assert f.height() >= f.minimumSizeHint().height()
        assert message.height() >= message.heightForWidth(message.width())

    qtbot.waitUntil(fitted, timeout=3000)

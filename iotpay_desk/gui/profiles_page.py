"""Merchant profiles: the list, add and edit (the wizard), remove, switch, direct card entry.

:class:`ProfilesPage` is the widget; :class:`ProfilesDialog` shows it from the main
window's "Profiles…" menu entry. Switching itself is done by whoever owns the services
(the start-up controller): the page only asks through ``switch_requested``.

"Receipts…" opens the profile's wizard at its Receipts page (trade name, address and GST/HST
number printed on receipts), then its summary; "Ledger…" at its Ledger page (on this
computer, or a shared PostgreSQL server, with "Test connection"); "Edit…" goes through every
page. The list names each profile's ledger.

Direct card entry (cc_directaddcard) is off for every profile until someone confirms the
merchant's PCI DSS responsibility in :class:`PciDialog`; the confirmation (who, when) is kept
in the profile.
"""

from __future__ import annotations

import asyncio
import logging
from typing import final

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.profiles import (
    PCI_WHO_MAX,
    TRANSLATION_CONTEXT,
    Environment,
    Profile,
    ProfileStore,
)

from .asyncjob import BusyIndicator, async_slot, gone, run_busy
from .errors import keychain_text
from .pagekit import page_title
from .profile_wizard import ProfileWizard, WizardPageId

__all__ = ["PciDialog", "ProfilesDialog", "ProfilesPage"]

log = logging.getLogger(__name__)


@final
class PciDialog(QDialog):
    """Asks for an explicit confirmation of the merchant's PCI DSS responsibility.

    OK is enabled only once the box is ticked and a name is given. ``who()`` is the name
    typed. Open with ``open()``; ``accepted``/``rejected`` say the answer.
    """

    def __init__(self, profile: Profile, who: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pci-dialog")
        self.setWindowTitle(self.tr("Turn on direct card entry"))
        text = QLabel(
            self.tr(
                "Direct card entry lets staff type a card number into this desk, which sends it "
                "to IOTPay (cc_directaddcard). Card numbers then pass through this computer, "
                "so the merchant of the profile “%1” is responsible for meeting PCI DSS here "
                "(secure computer and network, trained staff, no card numbers written down). "
                "Adding cards on IOTPay's hosted page keeps card numbers off this computer.\n\n"
                "Turn it on only if the merchant takes that responsibility for card numbers "
                "typed into this desk."
            ).replace("%1", profile.name),
            self,
        )
        text.setWordWrap(True)
        text.setObjectName("pci-text")
        self.who_edit = QLineEdit(who, self)
        self.who_edit.setObjectName("pci-who")
        self.who_edit.setMaxLength(PCI_WHO_MAX)
        who_label = QLabel(self.tr("Confirmed &by:"), self)
        who_label.setBuddy(self.who_edit)
        self.confirm = QCheckBox(self.tr("I &confirm the merchant's PCI DSS responsibility"), self)
        self.confirm.setObjectName("pci-confirm")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(who_label, self.who_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Turn &on"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)
        self.confirm.toggled.connect(self._update)
        self.who_edit.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        # A top-level window does not size itself to a wrapped label's height-for-width;
        # the layout's minimum does (longer translations make it wider, never clipped).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)

    def who(self) -> str:
        return self.who_edit.text().strip()

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.confirm.isChecked() and bool(self.who()))

    def accept(self) -> None:
        if not (self.confirm.isChecked() and self.who()):
            return
        super().accept()


COLUMNS = 5


@final
class ProfilesPage(QWidget):
    """The merchant profiles: list, add, edit, remove, switch, direct card entry.

    Signals (GUI thread): ``switch_requested(str)`` with the id of the profile to work on
    now (also sent for the active profile after it was edited, so it is reconnected with
    its new settings; ``""`` when the active profile was removed); ``profiles_changed()``
    after any change was saved.
    """

    switch_requested = Signal(str)
    profiles_changed = Signal()

    def __init__(
        self,
        store: ProfileStore,
        credentials: CredentialStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page-profiles")
        self._store = store
        self._credentials = credentials
        self.wizard: ProfileWizard | None = None
        self.pci_dialog: PciDialog | None = None
        self.question: QMessageBox | None = None

        self.table = QTableWidget(0, COLUMNS, self)
        self.table.setObjectName("profiles")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Profile"),
                self.tr("Environment"),
                self.tr("Merchant ID"),
                self.tr("Direct card entry"),
                self.tr("Ledger"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemActivated.connect(lambda _item: self.switch_to_selected())

        self.add_button = QPushButton(self.tr("&Add…"), self)
        self.add_button.setObjectName("profile-add")
        self.edit_button = QPushButton(self.tr("&Edit…"), self)
        self.edit_button.setObjectName("profile-edit")
        self.remove_button = QPushButton(self.tr("&Remove…"), self)
        self.remove_button.setObjectName("profile-remove")
        self.switch_button = QPushButton(self.tr("S&witch to"), self)
        self.switch_button.setObjectName("profile-switch")
        self.direct_button = QPushButton(self.tr("&Direct card entry…"), self)
        self.direct_button.setObjectName("profile-direct")
        self.receipts_button = QPushButton(self.tr("Receip&ts…"), self)
        self.receipts_button.setObjectName("profile-receipts")
        self.receipts_button.setToolTip(
            self.tr("The trade name, address and GST/HST number printed on receipts")
        )
        self.receipts_button.clicked.connect(self.edit_receipts)
        self.ledger_button = QPushButton(self.tr("&Ledger…"), self)
        self.ledger_button.setObjectName("profile-ledger")
        self.ledger_button.setToolTip(
            self.tr("Where the profile's ledger lives: this computer or a shared server")
        )
        self.ledger_button.clicked.connect(self.edit_ledger)
        self.add_button.clicked.connect(self.add_profile)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.ask_remove)
        self.switch_button.clicked.connect(self.switch_to_selected)
        self.direct_button.clicked.connect(self.toggle_direct)

        self.message = QLabel(self)
        self.message.setObjectName("profiles-message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        buttons = QVBoxLayout()
        for b in (
            self.switch_button,
            self.add_button,
            self.edit_button,
            self.receipts_button,
            self.ledger_button,
            self.direct_button,
            self.remove_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(self.tr("Merchant profiles"), self))
        layout.addLayout(row, 1)
        layout.addWidget(self.message)
        self.reload()

    # ------------------------------------------------------------------ list

    def reload(self, select: str | None = None) -> None:
        """Show the store's profiles (the active one in bold), keeping the selection."""
        keep = select or self.selected_id() or self._store.active_id
        profiles = self._store.profiles()
        active = self._store.active_id
        self.table.setRowCount(len(profiles))
        for row, p in enumerate(profiles):
            name = p.name
            if p.id == active:
                name = self.tr("%1 (active)").replace("%1", p.name)
            env = QCoreApplication.translate(TRANSLATION_CONTEXT, p.environment.label)
            if p.environment in (Environment.CUSTOM, Environment.SANDBOX) and p.base_url:
                env = f"{env} — {p.base_url}"
            direct = self.tr("On") if p.direct_add_enabled else self.tr("Off")
            if p.ledger.is_shared:
                ledger = self.tr("PostgreSQL: %1").replace("%1", p.ledger.display())
            else:
                ledger = self.tr("This computer")
            for col, text in enumerate((name, env, p.mch_id, direct, ledger)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, p.id)
                item.setToolTip(text)
                if p.id == active:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.table.clearSelection()
        for row, p in enumerate(profiles):
            if p.id == keep:
                self.table.selectRow(row)
        self._selection_changed()

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        if not items:
            return None
        value = items[0].data(Qt.ItemDataRole.UserRole)
        return value if isinstance(value, str) else None

    def select(self, profile_id: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == profile_id:
                self.table.selectRow(row)
                return

    def selected(self) -> Profile | None:
        pid = self.selected_id()
        if pid is None:
            return None
        return next((p for p in self._store.profiles() if p.id == pid), None)

    def _selection_changed(self) -> None:
        p = self.selected()
        some = p is not None
        for b in (
            self.edit_button,
            self.receipts_button,
            self.ledger_button,
            self.remove_button,
            self.direct_button,
        ):
            b.setEnabled(some)
        self.switch_button.setEnabled(some and p is not None and p.id != self._store.active_id)
        if p is not None and p.direct_add_enabled:
            self.direct_button.setText(self.tr("Turn off &direct card entry"))
        else:
            self.direct_button.setText(self.tr("&Direct card entry…"))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------------ add, edit

    def add_profile(self) -> None:
        self._open_wizard(None)

    def edit_selected(self) -> None:
        p = self.selected()
        if p is not None:
            self._open_wizard(p)

    def edit_receipts(self) -> None:
        """The selected profile's wizard, opened at its Receipts page."""
        p = self.selected()
        if p is not None:
            self._open_wizard(p, start=WizardPageId.RECEIPTS)

    def edit_ledger(self) -> None:
        """The selected profile's wizard, opened at its Ledger page."""
        p = self.selected()
        if p is not None:
            self._open_wizard(p, start=WizardPageId.LEDGER)

    def _open_wizard(self, profile: Profile | None, start: int | None = None) -> None:
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            return
        wizard = ProfileWizard(self._store, self._credentials, profile=profile, parent=self)
        if start is not None:
            wizard.setStartId(start)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        wizard.saved.connect(self._saved)
        wizard.destroyed.connect(self._wizard_gone)
        self.wizard = wizard
        wizard.open()

    def _wizard_gone(self) -> None:
        self.wizard = None

    def _saved(self, profile: object) -> None:
        assert isinstance(profile, Profile)
        self._say("")
        self.reload(select=profile.id)
        self.profiles_changed.emit()
        if profile.id == self._store.active_id:
            self.switch_requested.emit(profile.id)  # reconnect with the new settings

    # ------------------------------------------------------------------ switch

    def switch_to_selected(self) -> None:
        p = self.selected()
        if p is None or p.id == self._store.active_id:
            return
        self.switch_requested.emit(p.id)

    # ------------------------------------------------------------------ remove

    def ask_remove(self) -> None:
        p = self.selected()
        if p is None:
            return
        box = QMessageBox(self)
        box.setObjectName("confirm-remove")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Remove profile"))
        box.setText(
            self.tr(
                "Remove the profile “%1” and its merchant key (and ledger password) from the "
                "keychain? Its journal (refunds, voids, charges, card vault) stays on this "
                "computer."
            ).replace("%1", p.name)
        )
        remove = box.addButton(self.tr("&Remove"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.finished.connect(
            lambda _r: self._remove(p.id, True) if box.clickedButton() is remove else None
        )
        self.question = box
        box.open()

    def _ask_leave_key(self, profile_id: str, why: str) -> None:
        p = next((x for x in self._store.profiles() if x.id == profile_id), None)
        if p is None:
            return
        box = QMessageBox(self)
        box.setObjectName("confirm-remove-keep-key")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Remove profile"))
        box.setText(
            why
            + "\n\n"
            + self.tr(
                "The merchant key of “%1” cannot be deleted now. Remove the profile anyway and "
                "leave its key in the keychain? You can delete it later with your keychain "
                "application."
            ).replace("%1", p.name)
        )
        leave = box.addButton(
            self.tr("Remove, &leave the key"), QMessageBox.ButtonRole.DestructiveRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.finished.connect(
            lambda _r: self._remove(profile_id, False) if box.clickedButton() is leave else None
        )
        self.question = box
        box.open()

    @async_slot(str, bool)
    async def _remove(self, profile_id: str, delete_key: bool) -> None:
        was_active = profile_id == self._store.active_id
        store = self._store
        await run_busy(
            [self.remove_button, self.table],
            asyncio.to_thread(store.remove, profile_id, delete_key=delete_key),
            progress_text=self.tr("Removing the profile…"),
            on_error=lambda m: self._say(m.text),
        )
        if gone(self):
            return
        if any(p.id == profile_id for p in store.profiles()):
            status = self._credentials.last_status
            if delete_key and status is not None and not status.usable:
                self._ask_leave_key(profile_id, keychain_text(status.message))
            return
        self._say("")
        self.reload()
        self.profiles_changed.emit()
        if was_active:
            self.switch_requested.emit("")

    # ------------------------------------------------------------------ direct card entry

    def toggle_direct(self) -> None:
        p = self.selected()
        if p is None:
            return
        if p.direct_add_enabled:
            self._save_profile(p.disable_direct_add())
            return
        dialog = PciDialog(p, p.pci_ack.who if p.pci_ack else (p.login_name or ""), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(lambda: self._save_profile(p.enable_direct_add(dialog.who())))
        self.pci_dialog = dialog
        dialog.open()

    @async_slot(object)
    async def _save_profile(self, profile: Profile) -> None:
        store = self._store
        result = await run_busy(
            [self.direct_button, self.table],
            asyncio.to_thread(store.update, profile),
            progress_text=self.tr("Saving the profile…"),
            on_error=lambda m: self._say(m.text),
        )
        if gone(self) or result.value is None:
            return
        self._say("")
        self.reload(select=profile.id)
        self.profiles_changed.emit()
        if profile.id == store.active_id:
            self.switch_requested.emit(profile.id)


@final
class ProfilesDialog(QDialog):
    """The profiles page in a window of its own (File ▸ Profiles…). Not modal: the desk stays
    usable while it is open; a busy bar shows its saving."""

    def __init__(
        self,
        store: ProfileStore,
        credentials: CredentialStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("profiles-dialog")
        self.setWindowTitle(self.tr("Merchant profiles"))
        self.page = ProfilesPage(store, credentials, self)
        self.busy = BusyIndicator(self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.busy, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addLayout(bottom)
        fm = self.fontMetrics()
        self.resize(self._comfortable_width(), fm.height() * 20)

    def _comfortable_width(self) -> int:
        """Wide enough for every column of the list beside the buttons (no scrolling
        sideways)."""
        table = self.page.table
        self.ensurePolished()
        header = table.horizontalHeader()
        columns = sum(
            max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(table.columnCount())
        )
        wanted = (
            columns
            + table.verticalScrollBar().sizeHint().width()
            + 2 * table.frameWidth()
            + max(b.sizeHint().width() for b in self.page.findChildren(QPushButton))
            + 6 * self.style().pixelMetric(self.style().PixelMetric.PM_LayoutHorizontalSpacing)
            + 4 * self.fontMetrics().averageCharWidth()
        )
        return max(wanted, self.fontMetrics().averageCharWidth() * 90)

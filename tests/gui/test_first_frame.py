"""The first frame waits for nothing it does not need (issue: start like a bare window).

``iotpay_desk.start`` shows the main window before the pages, the event loop, the HTTP
client, the keychain and the ledger are even imported; these tests hold that line: a
fresh interpreter importing it (and building and showing the window without its pages)
must not have loaded any of them, and the window built with ``defer_pages`` gets the
same pages, navigation and saved state as one built at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QWidget

from iotpay_desk.core.settings import Settings
from iotpay_desk.gui.mainwindow import NAV_ORDER, MainWindow, Page

ROOT = Path(__file__).resolve().parents[2]

#: What the first frame must not wait for (each is imported after it).
NOT_BEFORE_FIRST_FRAME = (
    "asyncio",
    "qasync",
    "httpx",
    "ssl",
    "keyring",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "PySide6.QtPrintSupport",
    "PySide6.QtWebEngineCore",
    "PySide6.QtCharts",
    "iotpay_desk.services",
    "iotpay_desk.ledger",
    "iotpay_desk.api.client",
    "iotpay_desk.gui.orders",
    "iotpay_desk.gui.transactions",
    "iotpay_desk.gui.vault",
    "iotpay_desk.app",
)

FIRST_FRAME = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
import iotpay_desk.start as start
from iotpay_desk.core.settings import Settings
app = QApplication(sys.argv[:1])
window = start.MainWindow(
    settings=Settings(Path(sys.argv[1])), credentials=start.CredentialStore(), defer_pages=True
)
window.show()
app.processEvents()
print(json.dumps(sorted(sys.modules)))
"""


def test_the_first_frame_imports_none_of_what_comes_after_it(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    ).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    early = sorted(
        name
        for name in NOT_BEFORE_FIRST_FRAME
        if name in loaded or any(m.startswith(name + ".") for m in loaded)
    )
    assert not early, f"imported before the first frame: {early}"


def test_a_window_built_before_its_pages_gets_them_in_their_places(qtbot, tmp_path: Path) -> None:
    settings = Settings(tmp_path)
    window = MainWindow(settings=settings, defer_pages=True)
    qtbot.addWidget(window)
    assert window.pages == {}
    placeholders = [window.stack.widget(i) for i in range(window.stack.count())]
    assert len(placeholders) == len(NAV_ORDER)
    window.show()
    window.show_page(Page.VAULT)  # a page chosen before the pages exist
    window.build_pages()
    window.build_pages()  # once only
    assert window.stack.count() == len(NAV_ORDER)
    for row, page in enumerate(NAV_ORDER):
        assert window.stack.widget(row) is window.pages[page]
    assert window.current_page() is Page.VAULT
    assert window.stack.currentWidget() is window.pages[Page.VAULT]
    window.show_page(Page.TRANSACTIONS)
    assert window.stack.currentWidget() is window.transactions
    assert all(isinstance(w, QWidget) for w in window.pages.values())


def test_deferred_pages_read_the_saved_window_state(qtbot, tmp_path: Path) -> None:
    settings = Settings(tmp_path)
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    header = first.transactions.header_state()
    first.close()  # saves geometry and the Transactions columns
    later = MainWindow(settings=settings, defer_pages=True)
    qtbot.addWidget(later)
    later.build_pages()
    assert later.transactions.header_state() == header
    # Closing a window whose pages were never built keeps what was saved.
    never = MainWindow(settings=settings, defer_pages=True)
    qtbot.addWidget(never)
    never.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.transactions.header_state() == header

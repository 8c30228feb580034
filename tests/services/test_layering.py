"""The journal, the services and the notify receiver are plain Python: importing them
never loads Qt."""

from __future__ import annotations

import subprocess
import sys


def test_the_journal_and_services_never_import_qt() -> None:
    code = (
        "import sys, iotpay_desk.journal, iotpay_desk.services, iotpay_desk.notify.cli; "
        "loaded = [m for m in sys.modules if m.startswith('PySide6')]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr

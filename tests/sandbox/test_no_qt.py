"""The sandbox is core code: importing and running it never loads Qt."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import httpx
from iotpay_desk.sandbox import SandboxServer
from iotpay_desk.sandbox import cli, hosted  # noqa: F401
srv = SandboxServer()
url = srv.start_in_thread()
assert httpx.get(url + "/cc/purchase?key=x").status_code == 404
srv.stop_in_thread()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "qasync"))
print(",".join(loaded) or "none")
"""


def test_importing_and_running_the_sandbox_loads_no_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none"

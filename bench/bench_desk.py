"""Desk figures: start-up time, the hosted card page's first and second load, memory.

    uv run python bench/bench_desk.py [--runs 7]

1. Start-up: ``iotpay-desk --smoke`` (shows the main window, prints "iotpay-desk ready",
   exits) beside a bare PySide6 window started the same way (a fresh interpreter that
   makes a QApplication and a QMainWindow, shows it, prints "ready", exits). Both run
   offscreen, ``--runs`` times each, interleaved; the median and the spread of the time
   to the ready line and to the process' end are printed.
2. Add card: in this process, the Card vault page against the local sandbox; the time
   from clicking "Add card" to the hosted page having loaded (``loadFinished``), the
   first time (QtWebEngine starts) and the second time in the same run.
3. Memory: resident set of this process before the web view was first used and after
   the page loaded, and of QtWebEngine's helper processes (children of this one).

Everything runs with HOME and the XDG dirs in a temporary directory, an in-memory
keyring and the sandbox on loopback. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

READY = "iotpay-desk ready"

BARE_WINDOW = """
import sys
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
app = QApplication(sys.argv[:1])
win = QMainWindow()
win.setWindowTitle("bare")
win.show()
def done():
    print("ready", flush=True)
    app.quit()
QTimer.singleShot(0, done)
sys.exit(app.exec())
"""


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-background-networking")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    env["PYTHON_KEYRING_BACKEND"] = "tests.plugins.memkeyring.MemoryKeyring"
    env["PYTHONPATH"] = str(ROOT)
    env["HOME"] = str(home)
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        env[var] = str(home / sub)
    return env


def _timed(cmd: list[str], env: dict[str, str], ready: str) -> tuple[float, float]:
    """Seconds to the ready line and to the process' end."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    to_ready = float("nan")
    for line in proc.stdout:
        if line.strip() == ready:
            to_ready = time.perf_counter() - start
    code = proc.wait(timeout=120)
    total = time.perf_counter() - start
    if code != 0 or to_ready != to_ready:
        raise RuntimeError(f"{' '.join(cmd[:3])}… exited {code} without {ready!r}")
    return to_ready, total


def _summary(label: str, samples: list[tuple[float, float]]) -> str:
    ready = [r for r, _ in samples]
    total = [t for _, t in samples]
    return (
        f"  {label:<24} ready: median {statistics.median(ready) * 1000:6.0f} ms "
        f"(min {min(ready) * 1000:.0f}, max {max(ready) * 1000:.0f});  "
        f"exit: median {statistics.median(total) * 1000:6.0f} ms"
    )


def bench_startup(runs: int) -> None:
    print(f"Start-up, offscreen, {runs} runs each (interleaved, first run of each discarded):")
    with tempfile.TemporaryDirectory(prefix="iotpay-bench-home-") as tmp:
        env = _env(Path(tmp))
        desk = [sys.executable, "-m", "iotpay_desk", "--smoke"]
        bare = [sys.executable, "-c", BARE_WINDOW]
        d: list[tuple[float, float]] = []
        b: list[tuple[float, float]] = []
        for i in range(runs + 1):
            one_d = _timed(desk, env, READY)
            one_b = _timed(bare, env, "ready")
            if i:  # the first of each warms the disk cache
                d.append(one_d)
                b.append(one_b)
        print(_summary("iotpay-desk --smoke", d))
        print(_summary("bare PySide6 window", b))
        extra = statistics.median(r for r, _ in d) - statistics.median(r for r, _ in b)
        print(f"  the desk costs {extra * 1000:.0f} ms more than a bare window to be on screen")


# --------------------------------------------------------------------------- memory


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid: int) -> list[int]:
    """Every descendant process of ``pid`` (Linux /proc)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def memory_line(label: str) -> str:
    me = rss_kb(os.getpid())
    kids = children(os.getpid())
    helpers = sum(rss_kb(k) for k in kids)
    return (
        f"  {label:<34} desk process {me / 1024:6.0f} MB; "
        f"helper processes {helpers / 1024:6.0f} MB ({len(kids)})"
    )


# --------------------------------------------------------------------------- add card


def bench_add_card(repeats: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault(
        "QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-background-networking"
    )
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.plugins.memkeyring.MemoryKeyring"

    import qasync
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
    app = QApplication([sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="iotpay-bench-") as tmp, loop:
        lines = loop.run_until_complete(_add_card_rounds(Path(tmp), repeats))
    print("Add card: click → hosted page loaded (loadFinished), in one run:")
    for line in lines:
        print(line)


async def _add_card_rounds(tmp: Path, repeats: int) -> list[str]:
    from iotpay_desk.api import IotPayClient
    from iotpay_desk.gui.vault import VaultPage
    from iotpay_desk.gui.webpage import PageState
    from iotpay_desk.journal import Journal
    from iotpay_desk.sandbox import DEMO_MERCHANT, SandboxServer
    from iotpay_desk.services import CardService, MoneyService

    lines: list[str] = []
    mem = [memory_line("before any web view:")]
    srv = SandboxServer([DEMO_MERCHANT])
    await asyncio.to_thread(srv.start_in_thread)
    client = IotPayClient(srv.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key)
    journal = Journal(tmp / "journal.sqlite3")
    page = VaultPage()
    try:
        cards = CardService(client, journal, operator="bench1")
        page.set_services(cards, MoneyService(client, journal, operator="bench1"))
        page.show()
        for i in range(repeats):
            page.new_label.setText(f"Bench customer {i + 1}")
            start = time.perf_counter()
            page.add_button.click()  # cc_addcard, then the dialog and its page
            # Polled every millisecond, as a person watching the screen would notice it.
            while page.hosted_dialog is None:  # noqa: ASYNC110
                await asyncio.sleep(0.001)
            dialog = page.hosted_dialog
            while dialog.state is PageState.LOADING:  # noqa: ASYNC110
                await asyncio.sleep(0.001)
            took = time.perf_counter() - start
            nth = {0: "first", 1: "second"}.get(i, f"#{i + 1}")
            lines.append(f"  {nth:<8} {took * 1000:7.0f} ms  ({dialog.state.value})")
            if i == 0:
                await asyncio.sleep(0.5)
                mem.append(memory_line("after the web view was first used:"))
            dialog.reject()
            while page.hosted_dialog is not None:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
    finally:
        page.close()
        await client.aclose()
        journal.close()
        await asyncio.to_thread(srv.stop_in_thread)
    return [*lines, "Memory (VmRSS):", *mem]


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7, help="start-up runs of each program")
    p.add_argument("--repeats", type=int, default=2, help="add-card rounds (first, second, …)")
    p.add_argument("--skip-startup", action="store_true")
    p.add_argument("--skip-add-card", action="store_true")
    args = p.parse_args(argv)
    if not args.skip_startup:
        bench_startup(args.runs)
    if not args.skip_add_card:
        bench_add_card(args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

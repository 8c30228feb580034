"""Start-up: the desk beside a bare PySide6 window, as ratios measured in the same run.

    .venv/bin/python bench/bench_desk.py [--rounds 7] [--paths first-run,configured]
        [--bytecode warm,cold]

Two programs, started the same way (a fresh interpreter, offscreen), in alternation
(bare, desk, bare, desk, …; one round of each first to warm the disk cache, not counted):

- **bare**: a QApplication and a QMainWindow, shown; prints ``shown`` from a zero timer
  queued after ``show()`` (the event loop has painted the first frame and waits for input);
- **desk**: ``iotpay-desk --smoke``, which prints ``iotpay-desk shown`` the same way, then
  connects and prints ``iotpay-desk ready`` when its start-up is done.

The resident set (VmRSS) of each is read from /proc the moment it says ``shown``.

Two paths of the desk: **first-run** (no profile: the desk opens on its profile wizard)
and **configured** (an active profile on a sandbox the benchmark runs as a process of its
own, its merchant key in a file keyring: the desk connects, opens its ledger and checks
its unresolved work after the first frame). Two states of the bytecode: **warm** (the
``.pyc`` files of a cache the first run filled: an installed desk) and **cold** (an empty
cache each run: every module compiled, the desk's first start after an update).

Printed per path and state: each program's median and minimum time to ``shown`` and its
memory, the desk's time to ``ready``, and the ratios desk ÷ bare of each round (median,
min). Goals: time ≤ 1.3×, memory ≤ 1.5× the bare window. Prints figures; not a test.
The card page's figures are ``bench/bench_card_page.py``'s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_card_page import rss_kib  # noqa: E402 (the resident set, from /proc)

SHOWN = "iotpay-desk shown"
READY = "iotpay-desk ready"
GOAL_TIME = 1.3
GOAL_MEMORY = 1.5

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
win = QMainWindow()
win.setWindowTitle("bare")
win.show()
def shown():
    print("shown", flush=True)
    QTimer.singleShot(300, app.quit)  # alive while its memory is read
QTimer.singleShot(0, shown)
sys.exit(app.exec())
"""


def _env(home: Path, pycache: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-background-networking")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    env["PYTHON_KEYRING_BACKEND"] = "bench.filekeyring.FileKeyring"
    env["BENCH_KEYRING_FILE"] = str(home / "keyring.json")
    env["PYTHONPATH"] = str(ROOT)
    env["HOME"] = str(home)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        env[var] = str(home / sub)
    return env


@dataclass
class Run:
    shown_s: float
    rss_kb: int
    ready_s: float = float("nan")


def _timed(cmd: list[str], env: dict[str, str], shown: str, ready: str | None) -> Run:
    """Seconds to the ``shown`` line (and memory then), and to ``ready`` if asked."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    run: Run | None = None
    for line in proc.stdout:
        line = line.strip()
        if line == shown and run is None:
            at = time.perf_counter() - start
            run = Run(at, rss_kib(proc.pid))
        elif ready is not None and line == ready and run is not None:
            run.ready_s = time.perf_counter() - start
    code = proc.wait(timeout=120)
    if code != 0 or run is None:
        raise RuntimeError(f"{' '.join(cmd[:4])}… exited {code} without {shown!r}")
    return run


def _configure(home: Path, env: dict[str, str], url: str) -> None:
    """An active profile on the benchmark's sandbox, its key in the file keyring."""
    script = f"""
from pathlib import Path
from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import ProfileStore
from iotpay_desk.sandbox import DEMO_MERCHANT
paths = AppPaths.default()
store = ProfileStore(paths.config_dir, CredentialStore(), paths.data_dir)
store.load()
store.ensure_sandbox_profile({url!r}, DEMO_MERCHANT.mch_id, key=DEMO_MERCHANT.key)
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT)


def _start_sandbox(env: dict[str, str], home: Path) -> tuple[subprocess.Popen[str], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "iotpay_desk", "sandbox", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=home,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the sandbox did not start")


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:5.0f} ms (min {min(values) * 1000:4.0f})"


def _mib(values: list[int]) -> str:
    return f"{statistics.median(values) / 1024:5.0f} MiB"


def bench_startup(rounds: int, path: str, bytecode: str) -> None:
    with tempfile.TemporaryDirectory(prefix="iotpay-bench-home-") as tmp:
        home = Path(tmp)
        warm_cache = home / "pycache"
        env = _env(home, warm_cache if bytecode == "warm" else None)
        sandbox = None
        if path == "configured":
            sandbox, url = _start_sandbox(env, home)
            _configure(home, env, url)
        desk = [sys.executable, "-m", "iotpay_desk", "--smoke"]
        bare = [sys.executable, "-c", BARE_WINDOW]
        d: list[Run] = []
        b: list[Run] = []
        try:
            for i in range(rounds + 1):
                if bytecode == "cold":
                    cold = home / f"pycache-cold-{i}"
                    env["PYTHONPYCACHEPREFIX"] = str(cold)
                one_b = _timed(bare, env, "shown", None)
                if bytecode == "cold":
                    shutil.rmtree(cold, ignore_errors=True)
                one_d = _timed(desk, env, SHOWN, READY)
                if bytecode == "cold":
                    shutil.rmtree(cold, ignore_errors=True)
                if i:  # the first of each warms the disk cache (and fills the warm .pyc)
                    d.append(one_d)
                    b.append(one_b)
        finally:
            if sandbox is not None:
                sandbox.terminate()
                sandbox.wait(timeout=10)
    time_ratio = [x.shown_s / y.shown_s for x, y in zip(d, b, strict=True)]
    mem_ratio = [x.rss_kb / y.rss_kb for x, y in zip(d, b, strict=True)]
    ready = [x.ready_s for x in d if x.ready_s == x.ready_s]
    print(f"Start-up, {path}, {bytecode} bytecode, {rounds} rounds (alternating):")
    print(f"  bare window   shown: {_ms([x.shown_s for x in b])}; {_mib([x.rss_kb for x in b])}")
    print(f"  desk          shown: {_ms([x.shown_s for x in d])}; {_mib([x.rss_kb for x in d])}")
    if ready:
        print(f"  desk          ready: {_ms(ready)}  (connected, ledger open)")
    tm, mm = statistics.median(time_ratio), statistics.median(mem_ratio)
    print(
        f"  desk ÷ bare   time {tm:.2f}× (min {min(time_ratio):.2f}×, goal ≤ {GOAL_TIME}×: "
        f"{'met' if tm <= GOAL_TIME else 'NOT met'}); memory {mm:.2f}× "
        f"(min {min(mem_ratio):.2f}×, goal ≤ {GOAL_MEMORY}×: "
        f"{'met' if mm <= GOAL_MEMORY else 'NOT met'})"
    )


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=7, help="rounds of each program")
    p.add_argument("--paths", default="first-run,configured")
    p.add_argument("--bytecode", default="warm,cold")
    args = p.parse_args(argv)
    for path in args.paths.split(","):
        for bytecode in args.bytecode.split(","):
            bench_startup(args.rounds, path, bytecode)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

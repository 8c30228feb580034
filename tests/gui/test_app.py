"""Start-up of the real program in a subprocess: --smoke, --sandbox, no QtWebEngine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs the desk's own main() and reports what start-up imported.
_PROBE = """
import sys
from iotpay_desk.app import main
code = main(sys.argv[1:])
web = sorted(m for m in sys.modules if "WebEngine" in m)
print("webengine-modules:", ",".join(web) or "none", flush=True)
sys.exit(code)
"""


def _run(
    *args: str, keyring: str | None = None, keep_pseudo: bool = False
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)  # HOME and XDG dirs already point into tmp_path
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    if not keep_pseudo:
        env.pop("IOTPAY_DESK_PSEUDO", None)
    if keyring is not None:
        env["PYTHON_KEYRING_BACKEND"] = keyring
    return subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _profiles(home: Path) -> list[dict[str, object]]:
    data = json.loads((home / ".config" / "iotpay-desk" / "profiles.json").read_text("utf-8"))
    profiles = data["profiles"]
    assert isinstance(profiles, list)
    return profiles


def test_smoke_starts_and_never_loads_qtwebengine(hermetic_home: Path) -> None:
    proc = _run("--smoke")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "iotpay-desk ready" in lines
    assert "webengine-modules: none" in lines
    assert "desk ready: profile=- " in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sandbox_smoke_creates_then_reuses_the_sandbox_profile(hermetic_home: Path) -> None:
    first = _run("--sandbox", "--smoke")
    assert first.returncode == 0, first.stderr
    assert "iotpay-desk ready" in first.stdout.splitlines()
    assert "webengine-modules: none" in first.stdout.splitlines()
    assert "sandbox listening on http://127.0.0.1:" in first.stderr
    assert "profile=Sandbox environment=sandbox connection=connected keychain=available" in (
        first.stderr
    )
    assert "Shutting down" in first.stderr  # the sandbox was stopped before exit
    (profile,) = _profiles(hermetic_home)
    assert profile["environment"] == "sandbox"
    assert profile["mch_id"] == "10000701"
    assert "SANDBOX_DEMO_KEY" not in json.dumps(profile)  # the key is only in the keychain

    second = _run("--sandbox", "--smoke")
    assert second.returncode == 0, second.stderr
    (again,) = _profiles(hermetic_home)
    assert again["id"] == profile["id"]
    assert again["custom_url"] != profile["custom_url"]  # a new free port each run
    assert "Traceback" not in first.stderr + second.stderr


def test_sandbox_smoke_without_a_keychain_says_so_and_exits_cleanly(hermetic_home: Path) -> None:
    proc = _run("--sandbox", "--smoke", keyring="keyring.backends.fail.Keyring")
    assert proc.returncode == 0, proc.stderr
    assert "iotpay-desk ready" in proc.stdout.splitlines()
    assert "keychain=unavailable" in proc.stderr  # the banner says so
    # The demo merchant's key is published, so the sandbox still works for the session;
    # nothing of it is written anywhere on the desk's side (the sandbox, playing IOTPay,
    # keeps its merchants' keys in its own database).
    assert "connection=connected" in proc.stderr
    assert "published demo key" in proc.stderr
    # The banner says what is true: the sandbox works with the demo key held in memory,
    # keys cannot be saved; not that the desk "cannot talk to IOTPay" beside "Connected".
    ready = next(line for line in proc.stderr.splitlines() if "desk ready:" in line)
    assert "cannot talk to IOTPay" not in ready
    assert "The sandbox works" in ready
    assert "held in memory only" in ready
    assert "cannot be saved" in ready
    assert "Traceback" not in proc.stderr
    for f in hermetic_home.rglob("*"):
        if f.is_file() and "sandbox" not in f.relative_to(hermetic_home).parts:
            assert b"SANDBOX_DEMO_KEY" not in f.read_bytes(), f


@pytest.mark.parametrize("how", ["flag", "env"])
def test_pseudo_translation_switch(
    hermetic_home: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if how == "env":
        monkeypatch.setenv("IOTPAY_DESK_PSEUDO", "1")
    proc = _run("--smoke", *(["--pseudo"] if how == "flag" else []), keep_pseudo=True)
    assert proc.returncode == 0, proc.stderr
    assert "title='⟦ÎÖTPáý Désk" in proc.stderr


def test_french(hermetic_home: Path) -> None:
    proc = _run("--smoke", "--language", "fr")
    assert proc.returncode == 0, proc.stderr
    assert "title='Poste IOTPay'" in proc.stderr


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is a POSIX signal")
def test_sigterm_closes_the_desk_and_stops_the_sandbox(hermetic_home: Path) -> None:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "iotpay_desk", "--sandbox"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        seen: list[str] = []
        for line in proc.stderr:
            seen.append(line)
            if "desk ready:" in line:
                break
        else:
            pytest.fail("the desk never got ready:\n" + "".join(seen))
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, rest
    assert "Finished server process" in rest
    assert "Traceback" not in rest


# Starts the desk; the first run asks for a restart once it is ready (as Settings ▸ Restart
# now does), the run it starts again just shows its window and exits.
_RESTART_PROBE = """
import sys
from pathlib import Path
import iotpay_desk.app as app

marker = Path(sys.argv[1])
argv = sys.argv[2:]
if not marker.exists():
    marker.write_text("restarted", "utf-8")
    run = app.run_desk

    async def restart_once_ready(desk, window, **kwargs):
        window.restart_wanted = True
        return await run(desk, window, **kwargs)

    app.run_desk = restart_once_ready
sys.exit(app.main(argv))
"""


def test_restart_now_starts_the_desk_again_in_the_chosen_language(
    hermetic_home: Path, tmp_path: Path
) -> None:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    env.pop("IOTPAY_DESK_PSEUDO", None)
    marker = tmp_path / "restarted"
    # Started in French by --language; the language setting says English: the desk that
    # starts again must not be told French again.
    proc = subprocess.Popen(
        [sys.executable, "-c", _RESTART_PROBE, str(marker), "--smoke", "--language", "fr"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _out, err = proc.communicate(timeout=60)  # EOF once the restarted desk exited too
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert marker.exists()
    titles = [line for line in err.splitlines() if "desk ready:" in line]
    assert len(titles) == 2, err  # the first desk, then the one it started
    assert "title='Poste IOTPay'" in titles[0]
    assert "title='IOTPay Desk'" in titles[1]
    assert "restarting the desk" in err
    assert "Traceback" not in err

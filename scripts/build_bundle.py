#!/usr/bin/env python3
"""Build the PyInstaller onedir bundle (dist/iotpay-desk/) and smoke-start the frozen program.

Run it inside the project environment:

    python3 scripts/dev.py bundle            # sets up, then runs this script
    uv run python scripts/build_bundle.py [--skip-build]

Checks, each failing the run:
  1. PyInstaller builds pyinstaller.spec from clean.
  2. The bundle holds what QtWebEngine and keyring need at run time (QtWebEngineProcess,
     its .pak resources, ICU data, locales; keyring's metadata) and, on Linux, every shared
     library of the WebEngine helper resolves.
  3. ``iotpay-desk --smoke`` starts offscreen, shows its main window, prints
     "iotpay-desk ready" and exits 0, with nothing unexpected on stderr.
  4. ``iotpay-desk ledger check --sqlite PATH`` migrates a fresh SQLite ledger with the
     Alembic revision files shipped as sources (Alembic reads them from disk) and prints
     the head revision, which the file then holds.
  5. ``iotpay-desk --version`` names the project's version and this build (date, commit).
  6. ``iotpay-desk sandbox --port 0`` prints its "listening" line, answers a signed cc_query
     over HTTP (and refuses a badly signed one), and exits 0 on SIGTERM.
"""

# ruff: noqa: S603 - this script runs the bundle it has just built, never user-supplied strings

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "pyinstaller.spec"
NAME = "iotpay-desk"
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / NAME
EXE = BUNDLE / (NAME + ".exe" if sys.platform == "win32" else NAME)
SANDBOX_CLI = ROOT / "iotpay_desk" / "sandbox" / "cli.py"

# The sandbox's documented demo merchant (docs/sandbox.md); not a secret.
DEMO_MCH_ID = "10000701"
DEMO_KEY = "SANDBOX_DEMO_KEY_not_secret_0001"

# Files the frozen program cannot work without, found anywhere in the bundle by name.
REQUIRED_FILES = {
    "QtWebEngineProcess.exe" if sys.platform == "win32" else "QtWebEngineProcess": "the "
    "QtWebEngine helper process",
    "qtwebengine_resources.pak": "QtWebEngine resources",
    "qtwebengine_resources_100p.pak": "QtWebEngine resources (100% scale)",
    "icudtl.dat": "ICU data for QtWebEngine",
    "v8_context_snapshot.bin": "the V8 snapshot for QtWebEngine",
    "en-US.pak": "QtWebEngine's en-US locale",
    "fr.pak": "QtWebEngine's fr locale",
}

# Modules the frozen program imports by name at run time (entry points, import strings).
REQUIRED_MODULES = [
    "keyring.backends.SecretService",
    "keyring.backends.kwallet",
    "keyring.backends.libsecret",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.chainer",
    "keyring.backends.fail",
    "secretstorage",
    "jeepney",
    "uvicorn.loops.auto",
    "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.lifespan.on",
    "qasync",
    # the ledger: Alembic's runtime and DDL per dialect, SQLAlchemy's dialects, psycopg
    "alembic.runtime.migration",
    "alembic.runtime.environment",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
    "psycopg_binary",
]
# The ledger's Alembic scripts, as source files at their package path inside the bundle.
MIGRATIONS = ROOT / "iotpay_desk" / "ledger" / "migrations"
# ... and once the sandbox server exists:
REQUIRED_SANDBOX_MODULES = [
    "iotpay_desk.sandbox.cli",
    "iotpay_desk.notify.cli",
    "iotpay_desk.asgi",
    "starlette.applications",
    "starlette.routing",
]

# stderr lines of the frozen desk that are known to be harmless (searched anywhere in the line:
# the desk routes Qt's messages through its log format). Anything else fails the smoke.
HARMLESS_STDERR = [
    # The desk's own log records below WARNING (core/logging_setup.py format): progress notes.
    re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO) "),
    # The offscreen platform plugin cannot pass size hints to a window manager; it has none.
    re.compile(r"This plugin does not support propagateSizeHints\(\)"),
    # Qt says so when XDG_RUNTIME_DIR is unset or not 0700 (root in CI, no login session). We
    # set a private one, but the check stays robust to a caller's environment.
    re.compile(r"QStandardPaths: (XDG_RUNTIME_DIR|wrong permissions on runtime directory)"),
    # dbus-daemon of our private session bus (keychain check) may not raise its fd limit in a
    # container; it works without.
    re.compile(r"dbus-daemon\[\d+\]: .*Failed to set fd limit"),
]
# Without a Secret Service the desk says the keychain is unusable: expected only then.
NO_KEYCHAIN = re.compile(r"keychain unusable|no keychain backend")
# The sandbox reports its merchants, data file and faults on stderr (iotpay_desk/sandbox/cli.py):
# there, only lines that look like trouble fail the smoke.
SANDBOX_TROUBLE = re.compile(r"Traceback|Error|ERROR|Exception|WARNING|CRITICAL|\[PYI-")


class SmokeFailure(Exception):
    pass


def say(msg: str) -> None:
    print(f"[bundle] {msg}", flush=True)


def mib(n: float) -> str:
    return f"{n / 1024 / 1024:.0f} MiB"


def tree_size(path: Path) -> tuple[int, int]:
    total = files = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
            files += 1
    return total, files


# -- 1. build ---------------------------------------------------------------------------


def build() -> float:
    if not SPEC.exists():
        raise SmokeFailure(f"{SPEC.name} is missing")
    shutil.rmtree(BUNDLE, ignore_errors=True)
    say("building with PyInstaller (clean)...")
    t0 = time.monotonic()
    rc = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK),
            str(SPEC),
        ],
        cwd=ROOT,
        check=False,
    ).returncode
    secs = time.monotonic() - t0
    if rc != 0 or not EXE.exists():
        raise SmokeFailure(f"PyInstaller failed (exit {rc}); {EXE} missing")
    return secs


# -- 2. contents ------------------------------------------------------------------------


def check_contents() -> None:
    names: dict[str, list[Path]] = {}
    for p in BUNDLE.rglob("*"):
        names.setdefault(p.name, []).append(p)
    missing = [f"{name} ({why})" for name, why in REQUIRED_FILES.items() if name not in names]
    if not any(n.startswith("keyring-") and n.endswith(".dist-info") for n in names):
        missing.append("keyring-*.dist-info (keyring finds its backends through it)")
    # Compiled translations of the desk, when the source tree has them.
    for qm in sorted((ROOT / "resources" / "translations").glob("*.qm")):
        if qm.name not in names:
            missing.append(f"{qm.name} (the desk's translation)")
    internal = EXE.parent / "_internal"
    for py in sorted(MIGRATIONS.rglob("*.py")):
        rel = py.relative_to(ROOT)
        if not (internal / rel).is_file() and not (EXE.parent / rel).is_file():
            missing.append(f"{rel.as_posix()} (Alembic reads the ledger's migrations from disk)")
    if missing:
        raise SmokeFailure("bundle lacks: " + "; ".join(missing))
    say("contents: QtWebEngine helper, resources, ICU, locales, keyring metadata present")
    check_modules()
    ldd = shutil.which("ldd")
    if sys.platform.startswith("linux") and ldd:
        helper = names["QtWebEngineProcess"][0]
        out = subprocess.run([ldd, str(helper)], capture_output=True, text=True, check=False).stdout
        unresolved = [ln.split("=>")[0].strip() for ln in out.splitlines() if "not found" in ln]
        if unresolved:
            raise SmokeFailure(
                "QtWebEngineProcess in the bundle cannot load: " + ", ".join(unresolved)
            )
        say("contents: every library of QtWebEngineProcess resolves")


def source_modules() -> list[str]:
    """Every module of the iotpay_desk package in the source tree."""
    pkg = ROOT / "iotpay_desk"
    out = []
    for py in sorted(pkg.rglob("*.py")):
        rel = py.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        elif not (py.parent / "__init__.py").exists():
            continue  # a folder that is not a package (yet): the import graph cannot see it
        out.append(".".join(parts))
    return out


def check_modules() -> None:
    from PyInstaller.archive.readers import pkg_archive_contents

    frozen = set(pkg_archive_contents(str(EXE)))
    wanted = REQUIRED_MODULES + source_modules()
    if SANDBOX_CLI.exists():
        wanted += REQUIRED_SANDBOX_MODULES
    lacking = [m for m in wanted if m not in frozen]
    if lacking:
        raise SmokeFailure("frozen program lacks modules: " + ", ".join(lacking))
    say(f"contents: {len(frozen)} archive entries; keyring backends, uvicorn, desk modules in")


def ledger_head() -> str:
    """The newest revision in the source tree (``revision = "..."`` of the versions)."""
    revisions, parents = set(), set()
    for py in (MIGRATIONS / "versions").glob("*.py"):
        text = py.read_text(encoding="utf-8")
        rev = re.search(r'^revision\b[^=]*=\s*["\']([^"\']+)', text, re.M)
        down = re.search(r'^down_revision\b[^=]*=\s*["\']([^"\']+)', text, re.M)
        if rev:
            revisions.add(rev.group(1))
        if down:
            parents.add(down.group(1))
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise SmokeFailure(f"cannot tell the ledger's head revision from the sources: {heads}")
    return heads[0]


# -- running the frozen program ---------------------------------------------------------


@contextmanager
def hermetic_env() -> Iterator[dict[str, str]]:
    """An environment whose home, config, data and runtime dirs are a fresh temp dir."""
    with tempfile.TemporaryDirectory(prefix="iotpay-bundle-") as tmp:
        home = Path(tmp)
        env = dict(os.environ)
        for var, sub in (
            ("HOME", ""),
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_DATA_HOME", ".local/share"),
            ("XDG_STATE_HOME", ".local/state"),
            ("XDG_CACHE_HOME", ".cache"),
            ("XDG_RUNTIME_DIR", "run"),
        ):
            (home / sub).mkdir(parents=True, exist_ok=True)
            env[var] = str(home / sub)
        (home / "run").chmod(0o700)
        if sys.platform == "win32":
            env["APPDATA"] = env["LOCALAPPDATA"] = str(home / ".config")
        env["QT_QPA_PLATFORM"] = "offscreen"
        env.setdefault(
            "QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-background-networking"
        )
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"  # Chromium refuses root otherwise
        # The virtualenv must not leak into the frozen program.
        for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
            env.pop(var, None)
        yield env


def project_version() -> str:
    """The version in ``pyproject.toml``."""
    import tomllib

    return str(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def run_frozen(
    cmd: list[str], env: dict[str, str], timeout: float, what: str
) -> subprocess.CompletedProcess[str]:
    """Run the frozen program (``cmd``), its output captured; a hang is a failure."""
    try:
        return subprocess.run(
            cmd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise SmokeFailure(f"{what} did not exit within {timeout:.0f} s") from e


def unexpected(lines: Iterable[str], harmless: list[re.Pattern[str]]) -> list[str]:
    return [ln for ln in lines if ln.strip() and not any(p.search(ln) for p in harmless)]


def secret_service_wrapper() -> list[str]:
    """A command prefix running the program in a private D-Bus session with an unlocked
    gnome-keyring (a real Secret Service), or [] where there is none."""
    dbus = shutil.which("dbus-run-session")
    gkd = shutil.which("gnome-keyring-daemon")
    if not (sys.platform.startswith("linux") and dbus and gkd):
        return []
    # An empty *line* on stdin unlocks the keyring with an empty password.
    script = f'echo "" | "{gkd}" --unlock --components=secrets >/dev/null; exec "$0" "$@"'
    return [dbus, "--", "sh", "-c", script]


def smoke_desk() -> float:
    wrapper = secret_service_wrapper()
    harmless = list(HARMLESS_STDERR)
    if wrapper:
        say("desk: smoke in a private D-Bus session with gnome-keyring (keyring backends)")
    else:
        say("desk: no dbus-run-session/gnome-keyring here: keyring backends are not exercised")
        harmless.append(NO_KEYCHAIN)
    with hermetic_env() as env:
        t0 = time.monotonic()
        proc = run_frozen([*wrapper, str(EXE), "--smoke"], env, 90, "frozen desk --smoke")
        secs = time.monotonic() - t0
    stderr = proc.stderr.splitlines()
    if proc.returncode != 0:
        raise SmokeFailure(
            f"frozen desk --smoke exited {proc.returncode}; stderr:\n" + "\n".join(stderr[-30:])
        )
    if sys.platform != "win32" and "iotpay-desk ready" not in proc.stdout:
        # A windowed Windows program has no stdout; there the exit code is the signal.
        raise SmokeFailure(
            f"frozen desk did not print 'iotpay-desk ready'; stdout: {proc.stdout!r}"
        )
    if wrapper and any(NO_KEYCHAIN.search(ln) for ln in stderr):
        raise SmokeFailure(
            "the frozen desk found no keychain backend although a Secret Service runs: "
            "keyring's metadata or backends are missing from the bundle:\n" + "\n".join(stderr)
        )
    bad = unexpected(stderr, harmless)
    if bad:
        raise SmokeFailure("unexpected stderr from the frozen desk:\n" + "\n".join(bad))
    say(f"desk: --smoke showed the main window and exited 0 in {secs:.1f} s")
    return secs


def smoke_ledger() -> float:
    want = ledger_head()
    with hermetic_env() as env, tempfile.TemporaryDirectory(prefix="iotpay-ledger-") as tmp:
        path = Path(tmp) / "ledger.sqlite3"
        t0 = time.monotonic()
        cmd = [str(EXE), "ledger", "check", "--sqlite", str(path)]
        proc = run_frozen(cmd, env, 60, "frozen 'ledger check'")
        secs = time.monotonic() - t0
        if proc.returncode != 0:
            raise SmokeFailure(
                f"frozen 'ledger check' exited {proc.returncode}; stderr:\n{proc.stderr[-3000:]}"
            )
        if sys.platform != "win32" and f"at revision {want}" not in proc.stdout:
            raise SmokeFailure(f"frozen 'ledger check' did not report {want}: {proc.stdout!r}")
        with contextlib.closing(sqlite3.connect(path)) as conn:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        if found != [(want,)]:
            raise SmokeFailure(f"the ledger the frozen program made is at {found}, not {want}")
        bad = unexpected(proc.stderr.splitlines(), list(HARMLESS_STDERR))
        if bad:
            raise SmokeFailure("unexpected stderr from 'ledger check':\n" + "\n".join(bad))
    say(f"ledger: the frozen program migrated a fresh SQLite ledger to {want} in {secs:.1f} s")
    return secs


def _post(url: str, body: dict[str, object]) -> dict[str, object]:
    req = urllib.request.Request(  # noqa: S310 - loopback http URL printed by our own sandbox
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json;charset=UTF-8"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=15) as resp:  # noqa: S310
        answer = json.loads(resp.read().decode("utf-8"))
    if not isinstance(answer, dict):
        raise SmokeFailure(f"sandbox answered a non-object: {answer!r}")
    return answer


def _check_cc_query(base: str) -> None:
    sys.path.insert(0, str(ROOT))
    from iotpay_desk.api.sign import sign  # the project's own signer (no Qt)

    params: dict[str, object] = {"mchId": DEMO_MCH_ID, "mchOrderNo": f"SMOKE{int(time.time())}"}
    signed = {**params, "sign": sign(params, DEMO_KEY)}
    good = _post(f"{base}/v3/cc_query", signed)
    msg = str(good.get("retMsg", ""))
    if good.get("retCode") not in ("SUCCESS", "FAIL") or "sign" in msg.lower():
        raise SmokeFailure(f"signed cc_query: unexpected answer {good!r}")
    if good.get("retCode") == "FAIL" and "not found" not in msg.lower():
        raise SmokeFailure(
            f"signed cc_query of an unknown order: expected 'not found', got {good!r}"
        )
    bad = _post(f"{base}/v3/cc_query", {**params, "sign": "0" * 32})
    if bad.get("retCode") != "FAIL" or "sign" not in str(bad.get("retMsg", "")).lower():
        raise SmokeFailure(f"badly signed cc_query was not refused for its sign: {bad!r}")
    say(f"sandbox: signed cc_query answered {good.get('retCode')} ({msg}); bad sign refused")


def smoke_sandbox() -> float | None:
    if not SANDBOX_CLI.exists():
        say(
            "SKIP sandbox smoke: iotpay_desk/sandbox/cli.py does not exist yet "
            "(the frozen 'iotpay-desk sandbox' is checked once it does)"
        )
        return None
    with hermetic_env() as env:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [str(EXE), "sandbox", "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        err_lines: list[str] = []

        def pump_out() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        def pump_err() -> None:
            assert proc.stderr is not None
            err_lines.extend(line.rstrip("\n") for line in proc.stderr)

        threads = [threading.Thread(target=f, daemon=True) for f in (pump_out, pump_err)]
        for t in threads:
            t.start()
        try:
            base = None
            deadline = time.monotonic() + 60
            while base is None and time.monotonic() < deadline:
                try:
                    line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if line is None:
                    break
                m = re.search(r"IOTPay sandbox listening on (http://\S+)", line)
                if m:
                    base = m.group(1).rstrip("/")
            if base is None:
                raise SmokeFailure(
                    "frozen sandbox printed no 'IOTPay sandbox listening on' line; stderr:\n"
                    + "\n".join(err_lines[-30:])
                )
            started = time.monotonic() - t0
            say(f"sandbox: listening on {base} after {started:.1f} s")
            _check_cc_query(base)
            if sys.platform == "win32":
                proc.terminate()
                proc.wait(timeout=20)
            else:
                proc.send_signal(signal.SIGTERM)
                try:
                    rc = proc.wait(timeout=20)
                except subprocess.TimeoutExpired as e:
                    raise SmokeFailure("frozen sandbox did not stop within 20 s of SIGTERM") from e
                if rc != 0:
                    raise SmokeFailure(
                        f"frozen sandbox exited {rc} on SIGTERM; stderr:\n"
                        + "\n".join(err_lines[-30:])
                    )
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for t in threads:
                t.join(timeout=5)
        bad = [ln for ln in unexpected(err_lines, HARMLESS_STDERR) if SANDBOX_TROUBLE.search(ln)]
        if bad:
            raise SmokeFailure("unexpected stderr from the frozen sandbox:\n" + "\n".join(bad))
        if not any(DEMO_MCH_ID in ln for ln in err_lines):
            raise SmokeFailure(f"frozen sandbox did not report the demo merchant {DEMO_MCH_ID}")
        say("sandbox: exited 0 on SIGTERM")
        return time.monotonic() - t0


def smoke_version() -> str:
    """``iotpay-desk --version``: the project's version, this build's date and commit."""
    want = project_version()
    with hermetic_env() as env:
        proc = run_frozen([str(EXE), "--version"], env, 60, "frozen --version")
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or not lines or lines[0] != f"IOTPay Desk {want}":
        raise SmokeFailure(f"--version: exit {proc.returncode}, {proc.stdout!r} {proc.stderr!r}")
    build = lines[1] if len(lines) > 1 else ""
    if not re.fullmatch(r"Build: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, commit \S+", build):
        raise SmokeFailure(f"--version does not name this build: {build!r}")
    say(f"version: {lines[0]}; {build}")
    return want


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-build", action="store_true", help="smoke-test the existing dist/ bundle"
    )
    args = parser.parse_args(argv)
    t_all = time.monotonic()
    try:
        build_secs = None if args.skip_build else build()
        if not EXE.exists():
            raise SmokeFailure(f"{EXE} does not exist; build first")
        size, files = tree_size(BUNDLE)
        check_contents()
        smoke_version()
        desk_secs = smoke_desk()
        ledger_secs = smoke_ledger()
        sandbox_secs = smoke_sandbox()
    except SmokeFailure as e:
        say(f"FAILED: {e}")
        return 1
    say("--- summary")
    if build_secs is not None:
        say(f"build time        {build_secs:6.1f} s")
    say(f"bundle            {mib(size)} in {files} files at {BUNDLE.relative_to(ROOT)}/")
    say(f"desk smoke        {desk_secs:6.1f} s")
    say(f"ledger smoke      {ledger_secs:6.1f} s")
    if sandbox_secs is None:
        say("sandbox smoke     skipped (no sandbox CLI yet)")
    else:
        say(f"sandbox smoke     {sandbox_secs:6.1f} s")
    say(f"total             {time.monotonic() - t_all:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

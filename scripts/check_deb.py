#!/usr/bin/env python3
"""Install, upgrade and remove the desk's Debian package on this machine, as root, and
check each step (CI runs it after building two packages of the same bundle):

    python3 scripts/check_deb.py FIRST.deb SECOND.deb   (SECOND: a higher version)

1. ``apt-get install ./first.deb``: the files are where they belong (``/opt/iotpay-desk``,
   ``/usr/bin/iotpay-desk``, the desktop entry, the icons); the installed program prints
   its version, starts (``--smoke``), migrates a ledger and runs the sandbox (the same
   checks as the bundle's, on ``/usr/bin/iotpay-desk``).
2. A user's data is made by the installed program (a ledger with a payment's row, its
   settings), then ``apt-get install ./second.deb`` (a higher version) upgrades it: the
   version changes, every byte of the user's data stays, the desk opens that ledger.
3. ``apt-get remove``: no file the package installed is left, the user's data stays;
   ``apt-get purge`` says where the user's data stays.
4. ``lintian`` reports no error on the package (when lintian is installed).
"""

# ruff: noqa: S603, S607 - runs apt-get/dpkg/the installed program with fixed arguments

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_bundle  # the bundle's smoke checks, run on the installed program

NAME = "iotpay-desk"
INSTALLED = Path("/usr/bin") / NAME


class CheckFailure(Exception):
    pass


def say(msg: str) -> None:
    print(f"[deb-check] {msg}", flush=True)


def run(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = env or dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=600)
    if done.returncode != 0:
        raise CheckFailure(
            f"{' '.join(cmd)} exited {done.returncode}:\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return done


def version_of(deb: Path) -> str:
    return run(["dpkg-deb", "-f", str(deb), "Version"]).stdout.strip()


def installed_version() -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Status} ${Version}", NAME],
        capture_output=True,
        text=True,
        check=False,
    )
    parts = done.stdout.split()
    return parts[-1] if done.returncode == 0 and parts[:3] == ["install", "ok", "installed"] else ""


def installed_files() -> list[Path]:
    listed = run(["dpkg", "-L", NAME]).stdout.splitlines()
    return [Path(p) for p in listed if p.strip() and not Path(p).is_dir()]


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def install(deb: Path) -> float:
    t0 = time.monotonic()
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", str(deb.resolve())])
    return time.monotonic() - t0


def check_layout() -> None:
    files = set(installed_files())
    wanted = [
        INSTALLED,
        Path(f"/opt/{NAME}/{NAME}"),
        Path(f"/usr/share/applications/{NAME}.desktop"),
        Path(f"/usr/share/icons/hicolor/scalable/apps/{NAME}.svg"),
        Path(f"/usr/share/icons/hicolor/48x48/apps/{NAME}.png"),
        Path(f"/usr/share/icons/hicolor/256x256/apps/{NAME}.png"),
        Path(f"/usr/share/doc/{NAME}/copyright"),
    ]
    missing = [str(p) for p in wanted if p not in files or not p.exists()]
    if missing:
        raise CheckFailure(f"not installed: {missing}")
    outside = sorted(str(p) for p in files if not str(p).startswith((f"/opt/{NAME}/", "/usr/")))
    if outside:
        raise CheckFailure(f"files outside /opt/{NAME} and /usr: {outside[:10]}")
    if shutil.which("desktop-file-validate"):
        run(["desktop-file-validate", f"/usr/share/applications/{NAME}.desktop"])
    say(f"layout: {len(files)} files under /opt/{NAME} and /usr; desktop entry and icons in place")


def smoke_installed() -> None:
    build_bundle.EXE = INSTALLED
    try:
        build_bundle.smoke_version()
        build_bundle.smoke_desk()
        build_bundle.smoke_ledger()
        build_bundle.smoke_sandbox()
    except build_bundle.SmokeFailure as exc:
        raise CheckFailure(f"installed program: {exc}") from exc


def user_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "QT_QPA_PLATFORM": "offscreen",
    }


def make_user_data(home: Path) -> Path:
    """A ledger made by the installed program, with a row of the user's, and a settings
    file: what an upgrade or a removal must leave as it is."""
    data = home / ".local" / "share" / NAME
    data.mkdir(parents=True)
    ledger = data / "ledger.sqlite3"
    run([str(INSTALLED), "ledger", "check", "--sqlite", str(ledger)], env=user_env(home))
    with sqlite3.connect(ledger) as db:
        db.execute("INSERT INTO ledger_meta (key, value) VALUES ('user-note', 'kept')")
    db.close()
    config = home / ".config" / NAME
    config.mkdir(parents=True)
    (config / "settings.json").write_text('{"language": "fr"}\n', "utf-8")
    return ledger


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    first, second = (Path(a) for a in argv)
    if os.geteuid() != 0:
        say("needs root (apt-get install/remove): not run")
        return 2
    try:
        v1, v2 = version_of(first), version_of(second)
        if subprocess.run(["dpkg", "--compare-versions", v2, "gt", v1], check=False).returncode:
            raise CheckFailure(f"{second.name} ({v2}) is not newer than {first.name} ({v1})")
        if installed_version():
            run(["apt-get", "purge", "-y", "-qq", NAME])
        secs = install(first)
        if installed_version() != v1:
            raise CheckFailure(f"after installing {first.name}: {installed_version()!r}")
        say(f"install: {first.name} in {secs:.1f} s")
        check_layout()
        smoke_installed()

        with tempfile.TemporaryDirectory(prefix="iotpay-user-") as tmp:
            home = Path(tmp)
            ledger = make_user_data(home)
            before = digests(home)
            secs = install(second)
            if installed_version() != v2:
                raise CheckFailure(f"after the upgrade: {installed_version()!r}, not {v2}")
            if digests(home) != before:
                raise CheckFailure("the upgrade changed the user's data")
            done = run(
                [str(INSTALLED), "ledger", "check", "--sqlite", str(ledger)], env=user_env(home)
            )
            with sqlite3.connect(ledger) as db:
                kept = db.execute(
                    "SELECT value FROM ledger_meta WHERE key = 'user-note'"
                ).fetchall()
            db.close()
            if kept != [("kept",)]:
                raise CheckFailure(f"the user's row after the upgrade: {kept}")
            say(
                f"upgrade: {v1} -> {v2} in {secs:.1f} s; the user's {len(before)} files kept, "
                f"the ledger opens ({done.stdout.strip()})"
            )
            before = digests(home)

            files = installed_files()
            run(["apt-get", "remove", "-y", "-qq", NAME])
            left = [str(p) for p in files if p.exists() or p.is_symlink()]
            if left:
                raise CheckFailure(f"left after apt-get remove: {left[:10]}")
            if Path(f"/opt/{NAME}").exists():
                raise CheckFailure(f"/opt/{NAME} left after apt-get remove")
            if digests(home) != before:
                raise CheckFailure("apt-get remove changed the user's data")
            say(f"remove: the {len(files)} installed files gone, the user's data untouched")
            purged = run(["apt-get", "purge", "-y", NAME])
            if "stay in their own" not in purged.stdout + purged.stderr:
                raise CheckFailure(
                    f"apt-get purge did not say where the data stays: {purged.stdout[-500:]}"
                )
            if digests(home) != before:
                raise CheckFailure("apt-get purge changed the user's data")
            say("purge: says where each user's data stays; the user's data untouched")

        if shutil.which("lintian"):
            t0 = time.monotonic()
            done = subprocess.run(
                ["lintian", "--fail-on", "error", "--suppress-tags", "", str(first)],
                capture_output=True,
                text=True,
                check=False,
            )
            errors = [ln for ln in done.stdout.splitlines() if ln.startswith("E:")]
            if done.returncode != 0 or errors:
                raise CheckFailure("lintian errors:\n" + "\n".join(errors or [done.stdout[-2000:]]))
            warnings = sum(1 for ln in done.stdout.splitlines() if ln.startswith("W:"))
            say(f"lintian: no error ({warnings} warnings) in {time.monotonic() - t0:.0f} s")
        else:
            say("lintian: not installed here, not run")
    except CheckFailure as exc:
        say(f"FAILED: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Whole-core checks: no Qt in the core, and no key or card number in any file it writes."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.logging_setup import setup_logging, teardown_logging
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import Environment, Profile, ProfileStore
from iotpay_desk.core.settings import THEME, Settings
from tests.core.conftest import files_containing

CORE_MODULES = [
    "iotpay_desk.core.about",
    "iotpay_desk.core.atomic",
    "iotpay_desk.core.credentials",
    "iotpay_desk.core.i18n",
    "iotpay_desk.core.logging_setup",
    "iotpay_desk.core.paths",
    "iotpay_desk.core.profiles",
    "iotpay_desk.core.settings",
]


def test_core_never_imports_qt() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE_MODULES)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        + "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_key_or_card_in_any_file_under_home(hermetic_home: Path) -> None:
    key = "Zq8-real-looking-merchant-key-00"
    card = "4242424242424242"
    paths = AppPaths.default()
    try:
        setup_logging(paths.log_dir, "DEBUG", stderr=False)
        creds = CredentialStore()
        store = ProfileStore(paths.config_dir, credentials=creds, data_dir=paths.data_dir)
        p = store.add(Profile.new("Main", Environment.TEST, "10000701", operators=["jack123"]))
        creds.set_key(p.id, key)
        sb = store.ensure_sandbox_profile("http://127.0.0.1:41234", "90000001", key=key + "sb")
        Settings(paths.config_dir).set(THEME, "dark")
        log = logging.getLogger("iotpay_desk.flow")
        log.info("using key %s for %s", creds.get_key(p.id), p.name)
        log.debug("signed params cardNum=%s&key=%s", card, creds.get_key(sb.id))
        try:
            raise RuntimeError(f"declined {card} / {key}")
        except RuntimeError:
            log.exception("charge failed")
        paths.journal_path(p.id).write_text("journal")
    finally:
        teardown_logging()
    written = [f for f in hermetic_home.rglob("*") if f.is_file()]
    assert paths.profiles_file in written
    assert paths.settings_file in written
    assert (paths.log_dir / "iotpay-desk.log") in written
    assert "charge failed" in (paths.log_dir / "iotpay-desk.log").read_text()
    assert files_containing(hermetic_home, key) == []
    assert files_containing(hermetic_home, card) == []

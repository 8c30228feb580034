"""The core never imports Qt: checked in a fresh interpreter and in the source itself.

Core packages: iotpay_desk.api, and whichever of iotpay_desk.sandbox, .journal,
.services and .core* exist. Every module of each is imported in a subprocess that then
reports any Qt binding (or qasync, which pulls one in) found in ``sys.modules``.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import iotpay_desk

PACKAGE_DIR = Path(iotpay_desk.__file__).parent
REPO = PACKAGE_DIR.parent
FORBIDDEN = ("PySide6", "PySide2", "shiboken6", "shiboken2", "PyQt5", "PyQt6", "qasync", "pytestqt")


def core_packages() -> list[str]:
    names = ["api", "sandbox", "journal", "services"]
    names += sorted(p.name for p in PACKAGE_DIR.glob("core*") if p.is_dir())
    return [
        f"iotpay_desk.{name}"
        for name in dict.fromkeys(names)
        if (PACKAGE_DIR / name / "__init__.py").is_file()
    ]


PROBE = f"""
import importlib, json, pkgutil, sys
for extra in sys.argv[2:]:
    importlib.import_module(extra)
imported = []
for name in json.loads(sys.argv[1]):
    pkg = importlib.import_module(name)
    imported.append(name)
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
forbidden = {FORBIDDEN!r}
qt = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
print(json.dumps({{"imported": imported, "qt": qt}}))
"""


def probe(packages: list[str], *extra: str) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(packages), *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_core_packages_include_the_protocol_core() -> None:
    assert "iotpay_desk.api" in core_packages()


def test_importing_the_core_never_imports_qt() -> None:
    packages = core_packages()
    result = probe(packages)
    assert result["qt"] == []
    # Every module was imported, not just the packages.
    for module in ("iotpay_desk.api.client", "iotpay_desk.api.redact", "iotpay_desk.api.notify"):
        assert module in result["imported"]
    for package in packages:
        assert package in result["imported"]


def test_the_probe_does_see_qt_when_it_is_imported() -> None:
    # The check above can fail: the same probe notices a Qt import.
    pytest.importorskip("PySide6.QtCore")
    result = probe(["iotpay_desk.api"], "PySide6.QtCore")
    assert "PySide6" in result["qt"]


def core_sources() -> list[Path]:
    files: list[Path] = []
    for package in core_packages():
        files += sorted((PACKAGE_DIR / package.split(".")[1]).rglob("*.py"))
    return files


@pytest.mark.parametrize(
    "path", core_sources(), ids=lambda p: str(p.relative_to(PACKAGE_DIR)).replace(os.sep, "/")
)
def test_no_qt_import_statement_anywhere_in_the_core(path: Path) -> None:
    # Also catches imports inside functions, which an import-time probe would miss.
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name}:{node.lineno} imports {name}"

"""The GUI's modules import one another without cycles where it matters.

The Card vault page opens the charge dialog, and the charge dialog names cards the way
the vault does: both take the card's words from ``gui.cardwords``, so the charge dialog
never imports the vault page (not even inside a function, where a cycle hides until a
refactor moves the import to the top). The scan reads the sources (no import runs), so
imports under ``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import iotpay_desk

GUI = Path(iotpay_desk.__file__).parent / "gui"
PACKAGE = "iotpay_desk.gui"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, package: str, module: str) -> set[str]:
    """The modules of ``package`` that ``module``'s code imports, at any depth."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = f"{package}.{module}".split(".")[: -node.level]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base == package:
                found.update(f"{package}.{a.name}" for a in node.names)
            elif base.startswith(package + "."):
                found.add(base)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(package + "."))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {".".join(name.split(".")[:3]) for name in found} - {f"{package}.{module}"}


def import_graph(folder: Path, package: str) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.py")):
        name = path.stem
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[f"{package}.{name}"] = _imports(tree, package, name)
    for deps in graph.values():
        deps.intersection_update(graph)
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for dep in graph.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_the_scan_sees_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from .b import thing\n")
    (tmp_path / "b.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .c import other\n"
        "def f():\n    from .a import x\n    return x\n"
    )
    (tmp_path / "c.py").write_text("from pkg import a\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.a"}}
    assert "pkg.a" in reachable(graph, "pkg.a")
    assert "pkg.c" not in reachable(graph, "pkg.b")  # a TYPE_CHECKING import never runs


def test_vault_and_charge_dialog_have_no_import_cycle() -> None:
    graph = import_graph(GUI, PACKAGE)
    vault, charge = f"{PACKAGE}.vault", f"{PACKAGE}.charge_dialog"
    assert charge in graph[vault]  # the vault page opens the charge dialog
    assert vault not in reachable(graph, charge), "the charge dialog imports the vault page"
    assert charge not in reachable(graph, charge), "the charge dialog is on an import cycle"
    assert f"{PACKAGE}.cardwords" in graph[charge]


def test_no_dialog_the_vault_opens_imports_the_vault_page() -> None:
    graph = import_graph(GUI, PACKAGE)
    vault = f"{PACKAGE}.vault"
    for dialog in sorted(graph[vault]):
        if dialog.endswith("_dialog"):
            assert vault not in reachable(graph, dialog), f"{dialog} imports the vault page"

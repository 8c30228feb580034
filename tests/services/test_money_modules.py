"""The money service's rules live in one place each (issue 9's split of ``money.py``).

A source scan (nothing runs) of ``iotpay_desk/services`` finds where each money-moving
call of the client is made, where the journal's intent is written, where an action's
state is written, and where IOTPay is asked about an action. Each must stay in the one
function that owns it, so that a second "intent → send → on a lost answer, check"
sequence or a second check loop cannot creep back in beside the first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import iotpay_desk.services

SERVICES = Path(iotpay_desk.services.__file__).parent

# The client's money-moving calls, and its look-up of an order.
CLIENT_CALLS = {
    "refund",
    "void",
    "purchase_with_token",
    "purchase_with_wallet",
    "purchase",
    "query",
}
# The journal's writes of an action: its intent, and every later state.
JOURNAL_WRITES = {"create_intent", "mark_checking", "record_check", "complete"}


def _owner_name(node: ast.expr) -> str:
    """The last name of ``a.b.c`` (``c``), or ``""``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def uses(source: str, module: str) -> set[tuple[str, str, str]]:
    """(``client.refund``-like use, module, enclosing class.function) in ``source``."""
    found: set[tuple[str, str, str]] = set()

    def visit(node: ast.AST, where: tuple[str, ...]) -> None:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            where = (*where, node.name)
        if isinstance(node, ast.Attribute):
            owner = _owner_name(node.value).lstrip("_")
            if owner == "client" and node.attr in CLIENT_CALLS:
                found.add((f"client.{node.attr}", module, ".".join(where)))
            if owner == "journal" and node.attr in JOURNAL_WRITES:
                found.add((f"journal.{node.attr}", module, ".".join(where)))
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(ast.parse(source), ())
    return found


def scan() -> dict[str, set[tuple[str, str]]]:
    places: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(SERVICES.glob("*.py")):
        for use, module, where in uses(path.read_text(encoding="utf-8"), path.stem):
            places.setdefault(use, set()).add((module, where))
    return places


def test_the_scan_finds_a_second_send_path() -> None:
    source = (
        "class Refunds:\n"
        "    async def refund(self, req):\n"
        "        action = await self._ctx.db(self._ctx.journal.create_intent, **req)\n"
        "        return await self._client.refund(req)\n"
    )
    assert uses(source, "refunds") == {
        ("journal.create_intent", "refunds", "Refunds.refund"),
        ("client.refund", "refunds", "Refunds.refund"),
    }


def test_each_money_rule_has_one_home() -> None:
    places = scan()
    send = {("sending", "Sender._request")}
    assert places["client.refund"] == send
    assert places["client.void"] == send
    assert places["client.purchase_with_token"] == send
    assert places["client.purchase_with_wallet"] == send
    # A purchase link's call is recorded by the same Sender.call as the others.
    assert places["client.purchase"] == {("purchases", "Purchases.start_purchase")}
    assert places["journal.create_intent"] == {
        ("sending", "Sender._submit_once"),
        ("purchases", "Purchases.start_purchase"),
    }
    assert places["journal.complete"] == {("context", "MoneyContext.complete")}
    assert places["journal.mark_checking"] == {("context", "MoneyContext.mark_checking")}
    assert places["journal.record_check"] == {("context", "MoneyContext.record_check")}
    # One look at IOTPay for an action (the check loop's and follow's); the context's
    # query is the look-ups' and the refund's fresh look at the payment.
    assert places["client.query"] == {
        ("checking", "Checker.look"),
        ("context", "MoneyContext.query"),
    }

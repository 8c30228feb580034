"""A desk process for the multi-desk tests: its own ledger engine, its own IOTPay client
and a :class:`~iotpay_desk.services.MoneyService`, driven over stdin/stdout with one
JSON object per line (run as a script: ``python tests/ledger/deskproc.py ARGS``).

Arguments: ``--ledger`` (a PostgreSQL URL or a SQLite file path), ``--sandbox`` (the
sandbox's URL), ``--desk`` and ``--operator`` (who it is), ``--lease-s``,
``--check-delays`` (seconds, comma-separated), ``--timeout`` (the HTTP client's read
timeout).

It answers ``{"ready": true, "desk": ..., "instance": ...}`` once open, then one line
for each command:

- ``{"op": "draft", "kind": "refund" | "void", "pay": PAY}``: open a refund or void
  form on payment PAY; answers ``{"draft": DRAFT_ID}``.
- ``{"op": "refund", "pay": PAY, "draft": DRAFT_ID, "amount": CENTS}`` or ``{"op":
  "void", "pay": PAY, "draft": DRAFT_ID}``: submit it; answers ``{"state": ...,
  "mch_no": ...}``, or, when the ledger refused it because another action holds the
  payment, ``{"refused": "ActionInProgress" | "PaymentChanged", "desk": ..., "operator":
  ..., "mch_no": ..., "message": ...}`` (the other action's desk and operator, as the
  exception carries them); a form refused before anything was written (nothing left to
  void) ``{"refused": "InvalidInput", "field": ..., "message": ...}``. Anything else
  raised is answered ``{"error": "<type>: <message>"}``.
- ``{"op": "quit"}``: close everything and exit 0.

Uses the real clock (the ledger's leases are compared across processes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import ActionKind, DeskIdentity
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_merchant_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT
from iotpay_desk.services import ActionInProgress, InvalidInput, MoneyService, PaymentChanged

ENVIRONMENT = "sandbox"


def open_ledger(where: str, desk: DeskIdentity, lease_s: float) -> LedgerJournal:
    """The merchant's ledger at ``where``: a PostgreSQL URL or a SQLite file."""
    if where.startswith("postgresql"):
        return open_merchant_ledger(environment=ENVIRONMENT, desk=desk, url=where, lease_s=lease_s)
    return open_merchant_ledger(
        environment=ENVIRONMENT, desk=desk, sqlite_path=Path(where), lease_s=lease_s
    )


async def handle(service: MoneyService, cmd: dict[str, Any]) -> dict[str, Any]:
    op = cmd["op"]
    if op == "draft":
        draft = await service.new_draft(ActionKind(cmd["kind"]), cmd["pay"])
        return {"draft": draft.id}
    if op in ("refund", "void"):
        try:
            if op == "refund":
                result = await service.refund(cmd["pay"], int(cmd["amount"]), draft_id=cmd["draft"])
            else:
                result = await service.void(cmd["pay"], draft_id=cmd["draft"])
        except InvalidInput as exc:
            return {"refused": "InvalidInput", "field": exc.field, "message": str(exc)}
        except (ActionInProgress, PaymentChanged) as exc:
            return {
                "refused": type(exc).__name__,
                "desk": exc.action.desk,
                "operator": exc.action.operator,
                "mch_no": exc.action.mch_no,
                "message": str(exc),
            }
        return {"state": result.action.state.value, "mch_no": result.action.mch_no}
    raise ValueError(f"op: unknown command {op!r}")


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--desk", required=True)
    parser.add_argument("--operator", required=True)
    parser.add_argument("--lease-s", type=float, default=120.0)
    parser.add_argument("--check-delays", default="0,0.05,0.1,0.2")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)

    desk = DeskIdentity(name=args.desk)
    journal = await asyncio.to_thread(open_ledger, args.ledger, desk, args.lease_s)
    http = httpx.AsyncClient(timeout=httpx.Timeout(args.timeout, connect=2.0), trust_env=False)
    client = IotPayClient(
        args.sandbox, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http, backoff=0.02
    )
    service = MoneyService(
        client,
        journal,
        operator=args.operator,
        check_delays=tuple(float(s) for s in args.check_delays.split(",")),
        not_received_after=86400.0,
    )
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    def say(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    say({"ready": True, "desk": desk.name, "instance": desk.instance})
    try:
        while line := await stdin.readline():
            cmd = json.loads(line)
            if cmd["op"] == "quit":
                break
            try:
                say(await handle(service, cmd))
            except Exception as exc:  # the test reads it and fails with it
                say({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        await http.aclose()
        await asyncio.to_thread(journal.close)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))

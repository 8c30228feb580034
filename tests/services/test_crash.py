"""A desk killed between writing its intent and recording IOTPay's answer.

A child process refunds through the real service against the sandbox and is killed
with SIGKILL mid-call; a new service on the same journal file resolves the intent at
start-up by cc_query and never sends the refund again.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import ActionState
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services import MoneyService

from .conftest import pay, returns_at_sandbox, wait_for

pytestmark = pytest.mark.asyncio

CHILD = """
import asyncio, sys
import httpx
from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import ActionKind
from iotpay_desk.ledger.place import open_sqlite_ledger
from iotpay_desk.services import MoneyService

async def main(url, path, mch_id, key, pay_order_id, amount):
    http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=2.0), trust_env=False)
    service = MoneyService(
        IotPayClient(url, mch_id, key, http=http), open_sqlite_ledger(path), operator="jack",
        check_delays=(60.0,),  # a lost answer waits a minute before its first check
    )
    draft = await service.new_draft(ActionKind.REFUND, pay_order_id)
    print(draft.id, flush=True)
    await service.refund(pay_order_id, int(amount), draft_id=draft.id)
    print("answered", flush=True)

asyncio.run(main(*sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("fault", "kill_when", "final", "refunds"),
    [
        # the call hangs before IOTPay commits: killed with the intent written
        ("hang", ActionState.INTENT, ActionState.NOT_RECEIVED, 0),
        # IOTPay committed, the answer was lost: killed while waiting to check
        ("drop_after_commit", ActionState.CHECKING, ActionState.SUCCEEDED, 1),
    ],
)
async def test_a_killed_desk_is_resolved_on_restart_not_resent(
    fault: str,
    kill_when: ActionState,
    final: ActionState,
    refunds: int,
    make_service: Callable[..., MoneyService],
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    p = await pay(client, 3000)
    sandbox.settle()
    sandbox.set_faults([FaultSpec(fault, "cc_refund", count=1)])  # type: ignore[arg-type]
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        sandbox.url,
        str(journal.path),
        DEMO_MERCHANT.mch_id,
        DEMO_MERCHANT.key,
        p.pay_order_id,
        "1200",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        mch_no = (await asyncio.wait_for(child.stdout.readline(), 30)).decode().strip()
        await wait_for(
            lambda: (
                [a for a in journal.open_actions() if a.state is kill_when]
                and not sandbox.faults.active()
            ),  # the one cc_refund reached the sandbox
            within=20,
        )
        child.send_signal(signal.SIGKILL)
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()
    assert child.returncode == -signal.SIGKILL
    (left,) = journal.open_actions()
    assert left.mch_no == mch_no
    assert left.state is kill_when

    # the child stamped its intent with the real clock: so does the restarted desk. The
    # killed desk's lease on checking its refund holds until it expires: left alone.
    second = open_sqlite_ledger(journal.path)
    try:
        restarted = make_service(journal=second, clock=lambda: datetime.now(UTC))
        assert await restarted.resolve_unresolved() == []
        assert journal.get_action(left.id).state is kill_when
        # Once it has expired, the restarted desk takes the check over.
        expired = timedelta(seconds=second.lease_s + 1)
        later = make_service(journal=second, clock=lambda: datetime.now(UTC) + expired)
        (result,) = await later.resolve_unresolved()
    finally:
        second.close()
    assert result.action.mch_no == mch_no
    assert result.state is final
    assert journal.get_action(left.id).state is final
    returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
    # One cc_refund reached the sandbox (its one-shot fault was used); a second would
    # have gone through unhindered and shown up here.
    assert len(returns) == refunds
    assert [o["mchOrderNo"] for o in returns] == [mch_no] * refunds
    assert sandbox.faults.active() == []
    if refunds:
        assert result.order is not None
        assert result.order.pay_order_id == returns[0]["payOrderId"]
    events = [e.event for e in journal.audit_for_action(left.id)]
    assert events[0] == "intent"
    assert "check_taken_over" in events
    assert events[-1] == "resolved"

"""Two desk processes on one shared ledger and one IOTPay sandbox.

Each desk is its own process (tests/ledger/deskproc.py): its own desk name and operator,
its own engine on the ledger, its own HTTP client to the sandbox, the real clock.

- The race: both desks open a form on the same payment and submit it at the same
  instant, round after round (a new payment each round): exactly one refund or void
  reaches IOTPay, counted at the sandbox; the other desk is refused by the ledger (the
  transaction that writes the intent) and told which desk and operator hold the payment.
  50 rounds on PostgreSQL, 10 on one SQLite file.
- A desk SIGKILLed between its intent and IOTPay's answer: while its lease holds, the
  other desk leaves the action to it ("being checked by Front") and asks IOTPay nothing;
  once the lease has expired it takes the check over (audited ``check_taken_over``
  naming Front), resolves it with ``cc_query`` and never sends it again.

Calls are counted at the sandbox with a 1 ms latency fault per endpoint whose count goes
down by one for each call it sees (:func:`counting`).
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import pytest_asyncio

from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import ActionKind, ActionState, DeskIdentity
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.place import open_merchant_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services import ActionInProgress, MoneyService
from tests.services.conftest import pay, returns_at_sandbox, sandbox_orders, wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]

DESKPROC = Path(__file__).with_name("deskproc.py")
MCH = DEMO_MERCHANT.mch_id
ENVIRONMENT = "sandbox"  # as deskproc.py opens it
COUNTED = 1_000_000
MONEY_CALLS = ("cc_refund", "cc_void")
FAST_CHECKS = "0,0.05,0.1,0.2"


# --------------------------------------------------------------------------- counting


def counting(*faults: FaultSpec) -> list[FaultSpec]:
    """``faults``, and a fault counting every cc_refund, cc_void and cc_query call: a
    1 ms latency whose count goes down by one for each call it sees."""
    counters = [
        FaultSpec("latency", endpoint, count=COUNTED, latency_ms=1)
        for endpoint in (*MONEY_CALLS, "cc_query")
    ]
    return [*faults, *counters]


def calls(sandbox: SandboxServer) -> Counter[str]:
    """How many calls of each counted endpoint reached the sandbox so far."""
    seen: Counter[str] = Counter()
    for f in sandbox.faults.active():
        if f.kind == "latency" and f.count is not None and f.endpoint is not None:
            seen[f.endpoint] = COUNTED - f.count
    assert set(seen) == {*MONEY_CALLS, "cc_query"}, sandbox.faults.active()
    return seen


# --------------------------------------------------------------------------- desks


@dataclass
class Desk:
    """A running desk process (deskproc.py), spoken to one JSON line at a time."""

    name: str
    operator: str
    proc: asyncio.subprocess.Process
    stderr: Path
    log: IO[bytes] = field(repr=False)

    def write(self, **cmd: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())

    async def send(self, **cmd: Any) -> None:
        self.write(**cmd)
        assert self.proc.stdin is not None
        await self.proc.stdin.drain()

    async def reply(self, within: float = 60.0) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), within)
        if not line:
            code = await self.proc.wait()
            raise AssertionError(
                f"desk {self.name} exited ({code}): {self.stderr.read_text()[-3000:]}"
            )
        answer: dict[str, Any] = json.loads(line)
        assert "error" not in answer, f"desk {self.name}: {answer['error']}"
        return answer

    async def ask(self, **cmd: Any) -> dict[str, Any]:
        await self.send(**cmd)
        return await self.reply()

    async def quit(self) -> None:
        await self.send(op="quit")
        assert await asyncio.wait_for(self.proc.wait(), 30) == 0, self.stderr.read_text()


StartDesk = Callable[..., Awaitable[Desk]]


@pytest_asyncio.fixture
async def start_desk(tmp_path: Path) -> AsyncIterator[StartDesk]:
    """``await start_desk(ledger, sandbox_url, name, operator, **options)``: a desk
    process, ready (options are deskproc.py's: ``lease_s``, ``check_delays``,
    ``timeout``). Any still running at teardown is killed."""
    started: list[Desk] = []

    async def start(
        ledger_at: str, sandbox_url: str, name: str, operator: str, **opts: Any
    ) -> Desk:
        args = [
            sys.executable,
            str(DESKPROC),
            f"--ledger={ledger_at}",
            f"--sandbox={sandbox_url}",
            f"--desk={name}",
            f"--operator={operator}",
            *(f"--{k.replace('_', '-')}={v}" for k, v in opts.items()),
        ]
        stderr = tmp_path / f"desk-{name}.stderr"
        log = stderr.open("wb")
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
        desk = Desk(name, operator, proc, stderr, log)
        started.append(desk)
        hello = await desk.reply()
        assert hello["ready"]
        assert hello["desk"] == name
        return desk

    yield start
    for desk in started:
        if desk.proc.returncode is None:
            desk.proc.kill()
        await desk.proc.wait()
        if desk.proc.stdin is not None:
            desk.proc.stdin.close()
        desk.log.close()


@pytest_asyncio.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[IotPayClient]:
    """The test's own client, to take payments."""
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0), trust_env=False)
    try:
        yield IotPayClient(
            sandbox.url, MCH, DEMO_MERCHANT.key, http=http, backoff=0.02, query_attempts=2
        )
    finally:
        await http.aclose()


@pytest.fixture
def pg_ledger(pg_url: str) -> Iterator[LedgerJournal]:
    """The shared ledger on a fresh PostgreSQL database, as a third desk sees it (it
    creates and migrates it before the desk processes open it)."""
    j = open_merchant_ledger(environment=ENVIRONMENT, desk=DeskIdentity(name="Audit"), url=pg_url)
    yield j
    j.close()


@pytest.fixture
def sqlite_ledger(tmp_path: Path) -> Iterator[LedgerJournal]:
    """The shared ledger in one SQLite file, created before the desk processes open it."""
    j = open_merchant_ledger(
        environment=ENVIRONMENT,
        desk=DeskIdentity(name="Audit"),
        sqlite_path=tmp_path / "ledgers" / "merchant.sqlite3",
    )
    yield j
    j.close()


def ledger_address(j: LedgerJournal) -> str:
    """What a desk process is told to open: the URL (with no password: the test server
    trusts loopback) or the file."""
    if j.path is not None:
        return str(j.path)
    return j.engine.url.render_as_string(hide_password=False)


# --------------------------------------------------------------------------- the race


@dataclass
class Tally:
    rounds: int = 0
    wins: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0
    seconds: float = 0.0
    winners: dict[str, Desk] = field(default_factory=dict)  # payOrderId → desk


async def race(
    desks: tuple[Desk, Desk],
    client: IotPayClient,
    sandbox: SandboxServer,
    ledger: LedgerJournal,
    rounds: int,
) -> Tally:
    """``rounds`` rounds: a new payment, a form on it at each desk, both submitted at
    once (every fifth round a void of an unsettled payment, the others a refund of 5.00
    of a settled 50.00: both desks' would fit, only the ledger stops the second)."""
    sandbox.set_faults(counting())
    tally = Tally()
    t_start = time.perf_counter()
    for n in range(rounds):
        kind = "void" if n % 5 == 4 else "refund"
        endpoint = f"cc_{kind}"
        payment = await pay(client, 5000)
        if kind == "refund":
            sandbox.settle()
        p = payment.pay_order_id
        drafts = {}
        for desk in desks:
            drafts[desk.name] = (await desk.ask(op="draft", kind=kind, pay=p))["draft"]
        before = calls(sandbox)
        # Released together: both commands written before either desk is waited on; who
        # is written first alternates.
        first_written = desks if n % 2 == 0 else desks[::-1]
        t0 = time.perf_counter()
        for desk in first_written:
            desk.write(op=kind, pay=p, draft=drafts[desk.name], amount=500)
        answers = dict(
            zip(
                (d.name for d in desks),
                await asyncio.gather(*(d.reply() for d in desks)),
                strict=True,
            )
        )
        tally.slowest = max(tally.slowest, time.perf_counter() - t0)
        after = calls(sandbox)

        won = [d for d in desks if answers[d.name].get("state") == "succeeded"]
        assert len(won) == 1, (n, answers)
        (winner,) = won
        (loser,) = [d for d in desks if d is not winner]
        got = answers[loser.name]
        mch_no = answers[winner.name]["mch_no"]
        assert mch_no == drafts[winner.name]
        if got["refused"] == "InvalidInput":
            # The winner's void ended before the loser even read the payment: nothing
            # was left to void, refused before anything was written.
            assert kind == "void", (n, answers)
        else:
            # Told who holds the payment: the winner's desk, operator and action.
            assert got["refused"] in ("ActionInProgress", "PaymentChanged"), (n, answers)
            assert (got["desk"], got["operator"], got["mch_no"]) == (
                winner.name,
                winner.operator,
                mch_no,
            ), (n, answers)
            assert f"by {winner.operator} at desk {winner.name}" in got["message"], got
        # Exactly one money call reached IOTPay, the winner's.
        assert after[endpoint] - before[endpoint] == 1, (n, before, after)
        other = "cc_refund" if kind == "void" else "cc_void"
        assert after[other] == before[other], (n, before, after)
        returns = await returns_at_sandbox(sandbox.url, p)
        assert [(o["mchOrderNo"], o["amount"]) for o in returns] == [
            (mch_no, 5000 if kind == "void" else 500)
        ], (n, returns)

        tally.rounds += 1
        tally.wins[winner.name] += 1
        tally.refusals[got["refused"]] += 1
        tally.kinds[kind] += 1
        tally.winners[p] = winner
    tally.seconds = time.perf_counter() - t_start

    # The whole day, from the ledger and from IOTPay: no double, no loss.
    at_iotpay = {
        o["mchOrderNo"]: o
        for o in await sandbox_orders(sandbox.url)
        if o["payType"] == "refund" and o["originalOrderId"] in tally.winners
    }
    assert len(at_iotpay) == rounds
    in_ledger = {}
    for p, winner in tally.winners.items():
        actions = await asyncio.to_thread(ledger.actions_for_target, MCH, p)
        assert len(actions) == 1, (p, actions)  # the loser wrote no intent
        (action,) = actions
        assert action.state is ActionState.SUCCEEDED
        assert (action.desk, action.operator) == (winner.name, winner.operator)
        in_ledger[action.mch_no] = action
    assert in_ledger.keys() == at_iotpay.keys()
    for mch_no, action in in_ledger.items():
        found = at_iotpay[mch_no]
        assert (action.pay_order_id, action.amount_cents, action.target_pay_order_id) == (
            found["payOrderId"],
            found["amount"],
            found["originalOrderId"],
        )
    assert await asyncio.to_thread(ledger.open_actions, MCH) == []
    return tally


def report(backend: str, tally: Tally) -> None:
    wins = ", ".join(f"{name} {n}" for name, n in sorted(tally.wins.items()))
    refusals = ", ".join(f"{why} {n}" for why, n in sorted(tally.refusals.items()))
    kinds = ", ".join(f"{n} {kind}s" for kind, n in sorted(tally.kinds.items()))
    print(
        f"\n{backend}: {tally.rounds} rounds ({kinds}) in {tally.seconds:.1f} s "
        f"({tally.seconds / tally.rounds * 1000:.0f} ms a round, slowest race "
        f"{tally.slowest * 1000:.0f} ms); one call at IOTPay each round, 0 doubles, "
        f"0 losses; won: {wins}; the other desk refused: {refusals}"
    )


async def test_two_desks_on_postgresql_refund_the_same_payment_at_once_50_times(
    start_desk: StartDesk,
    client: IotPayClient,
    sandbox: SandboxServer,
    pg_ledger: LedgerJournal,
) -> None:
    at = ledger_address(pg_ledger)
    front, back = await asyncio.gather(
        start_desk(at, sandbox.url, "Front", "alice", check_delays=FAST_CHECKS),
        start_desk(at, sandbox.url, "Back", "bob", check_delays=FAST_CHECKS),
    )
    tally = await race((front, back), client, sandbox, pg_ledger, rounds=50)
    await asyncio.gather(front.quit(), back.quit())
    report("postgresql", tally)
    # The race is real: the loser found the winner's action still unresolved.
    assert tally.refusals["ActionInProgress"] > 0


async def test_two_desks_on_one_sqlite_file_refund_the_same_payment_at_once(
    start_desk: StartDesk,
    client: IotPayClient,
    sandbox: SandboxServer,
    sqlite_ledger: LedgerJournal,
) -> None:
    at = ledger_address(sqlite_ledger)
    front, back = await asyncio.gather(
        start_desk(at, sandbox.url, "Front", "alice", check_delays=FAST_CHECKS),
        start_desk(at, sandbox.url, "Back", "bob", check_delays=FAST_CHECKS),
    )
    tally = await race((front, back), client, sandbox, sqlite_ledger, rounds=10)
    await asyncio.gather(front.quit(), back.quit())
    report("sqlite", tally)
    assert tally.refusals["ActionInProgress"] > 0


# --------------------------------------------------------------------------- SIGKILL


LEASE_S = 4.0


@pytest.mark.parametrize(
    ("fault", "killed_in", "final", "refunds"),
    [
        # IOTPay committed the refund, its answer was lost: Front dies waiting to check.
        ("drop_after_commit", ActionState.CHECKING, ActionState.SUCCEEDED, 1),
        # The call hangs, never committed: Front dies with its intent written.
        ("hang", ActionState.INTENT, ActionState.CHECKING, 0),
    ],
)
async def test_a_desk_killed_mid_refund_is_resolved_by_the_other_once_its_lease_expires(
    fault: str,
    killed_in: ActionState,
    final: ActionState,
    refunds: int,
    start_desk: StartDesk,
    client: IotPayClient,
    sandbox: SandboxServer,
    pg_url: str,
) -> None:
    back_ledger = open_merchant_ledger(
        environment=ENVIRONMENT, desk=DeskIdentity(name="Back"), url=pg_url, lease_s=LEASE_S
    )
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0), trust_env=False)
    try:
        back = MoneyService(
            IotPayClient(sandbox.url, MCH, DEMO_MERCHANT.key, http=http, backoff=0.02),
            back_ledger,
            operator="bob",
            check_delays=(0.0, 0.05, 0.1),
            not_received_after=86400.0,  # IOTPay may commit late: unresolved for a day
        )
        await killed_desk_resolved(
            fault, killed_in, final, refunds, start_desk, client, sandbox, back, back_ledger
        )
    finally:
        await http.aclose()
        back_ledger.close()


async def killed_desk_resolved(
    fault: str,
    killed_in: ActionState,
    final: ActionState,
    refunds: int,
    start_desk: StartDesk,
    client: IotPayClient,
    sandbox: SandboxServer,
    back: MoneyService,
    ledger: LedgerJournal,
) -> None:
    payment = await pay(client, 3000)
    sandbox.settle()
    p = payment.pay_order_id
    front = await start_desk(
        ledger_address(ledger),
        sandbox.url,
        "Front",
        "alice",
        lease_s=LEASE_S,
        check_delays="60",  # a lost answer waits a minute before its first check
        timeout=60,
    )
    sandbox.set_faults(counting(FaultSpec(fault, "cc_refund", count=1)))  # type: ignore[arg-type]
    draft = (await front.ask(op="draft", kind="refund", pay=p))["draft"]
    await front.send(op="refund", pay=p, draft=draft, amount=1200)

    def front_between_intent_and_answer() -> bool:
        actions = ledger.actions_for_target(MCH, p)
        return (
            bool(actions)
            and actions[0].state is killed_in
            and not [f for f in sandbox.faults.active() if f.kind == fault]
        )

    await wait_for(front_between_intent_and_answer, within=30)
    front.proc.send_signal(signal.SIGKILL)
    assert await asyncio.wait_for(front.proc.wait(), 10) == -signal.SIGKILL
    t_killed = time.perf_counter()

    (action,) = ledger.actions_for_target(MCH, p)
    assert action.mch_no == draft
    assert (action.state, action.desk, action.operator) == (killed_in, "Front", "alice")
    # Every desk sees it being checked by Front, until the lease Front took runs out.
    assert action.lease_desk == "Front"
    assert action.lease_until is not None
    assert action.checked_elsewhere(ledger.desk.instance, datetime.now(UTC))
    assert calls(sandbox)["cc_refund"] == 1

    # While Front's lease holds, Back leaves it alone: it asks IOTPay nothing.
    queries = calls(sandbox)["cc_query"]
    assert await back.resolve_unresolved() == []
    left = await back.resolve(action.id)
    assert left.action.state is killed_in
    assert left.action.lease_desk == "Front"
    assert await back.check_due() == []
    assert datetime.now(UTC) < action.lease_until, "the lease ran out during the test"
    assert calls(sandbox)["cc_query"] == queries
    assert ledger.get_action(action.id) == action
    # A new refund of the payment at Back is refused, naming who holds it.
    other = await back.new_draft(ActionKind.REFUND, p)
    with pytest.raises(ActionInProgress) as refused:
        await back.refund(p, 500, draft_id=other.id)
    assert (refused.value.action.desk, refused.value.action.operator) == ("Front", "alice")
    assert refused.value.action.mch_no == draft
    assert "by alice at desk Front" in str(refused.value)
    queries = calls(sandbox)["cc_query"]  # Back's refund read the payment first

    # Once the lease has expired, Back takes the check over and resolves it by cc_query.
    wait = (action.lease_until - datetime.now(UTC)).total_seconds()
    await asyncio.sleep(max(0.0, wait) + 0.05)
    (result,) = await back.resolve_unresolved()
    t_resolved = time.perf_counter()
    assert result.action.id == action.id
    assert result.state is final
    assert calls(sandbox)["cc_query"] > queries

    done = ledger.get_action(action.id)
    assert done.state is final
    audit = ledger.audit_for_action(action.id)
    events = [e.event for e in audit]
    assert events[0] == "intent"
    (took,) = [e for e in audit if e.event == "check_taken_over"]
    assert (took.desk, took.detail["from_desk"], took.detail["mch_no"]) == ("Back", "Front", draft)
    if final is ActionState.SUCCEEDED:
        assert events[-1] == "resolved"
        assert done.lease_desk is None
        returns = await returns_at_sandbox(sandbox.url, p)
        assert [(o["mchOrderNo"], o["amount"]) for o in returns] == [(draft, 1200)]
        assert result.order is not None
        assert done.pay_order_id == returns[0]["payOrderId"] == result.order.pay_order_id
    else:
        # IOTPay has no record of it yet: still unresolved, now checked by Back.
        checks = [e.detail["result"] for e in audit if e.event == "check" and e.desk == "Back"]
        assert checks
        assert set(checks) == {"not found yet"}
        assert done.lease_desk == "Back"
        assert await returns_at_sandbox(sandbox.url, p) == []

    # Nothing was sent twice: the one cc_refund was Front's.
    assert calls(sandbox)["cc_refund"] == 1
    assert [a.mch_no for a in ledger.actions_for_target(MCH, p)] == [draft]
    assert len(await returns_at_sandbox(sandbox.url, p)) == refunds
    print(
        f"\n{fault}: Front killed in {killed_in.value}; Back left it to Front's lease "
        f"({LEASE_S:.0f} s), took it over and resolved it {t_resolved - t_killed:.1f} s after "
        f"the kill: {final.value}, {calls(sandbox)['cc_refund']} cc_refund at IOTPay, "
        f"{refunds} refund"
    )

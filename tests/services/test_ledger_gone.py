"""The shared ledger's server going away, against a real PostgreSQL server behind a TCP
relay that is cut and restored, and the real sandbox: look-ups still work, money actions
are refused before anything is sent, an action sent before the server went away is never
sent again and ends resolved (by ``cc_query``) once the server is back. Nothing is lost."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import ActionKind, ActionState, DeskIdentity
from iotpay_desk.journal.errors import AnswerNotRecorded, LedgerUnavailable
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.ledger.connect import open_ledger
from iotpay_desk.ledger.engine import ping_ledger, unreachable_as_unavailable
from iotpay_desk.ledger.place import open_merchant_ledger
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services.session import DeskSession, SessionSettings
from tests.plugins.tcpproxy import TcpProxy, pg_proxy_url
from tests.plugins.tcpproxy import tcp_proxy as tcp_proxy

from .conftest import FAST_CHECKS, pay, returns_at_sandbox, wait_for

pytestmark = pytest.mark.asyncio

REFUND, VOID = ActionKind.REFUND, ActionKind.VOID
MONEY_CALLS = ("cc_refund", "cc_void", "cc_purchasewithtoken", "cc_purchase")


@dataclass
class Desk:
    """A desk's client (every request it sends counted by endpoint) and what opens its
    ledger through the relay."""

    client: IotPayClient
    sent: Counter[str]
    proxy: TcpProxy
    opener: Callable[[], LedgerJournal]
    pg_url: str

    def money_calls(self) -> dict[str, int]:
        return {k: v for k, v in self.sent.items() if k in MONEY_CALLS}

    def direct(self) -> LedgerJournal:
        """The ledger as another desk on the server sees it (not through the relay)."""
        return LedgerJournal(open_ledger(self.pg_url), desk=DeskIdentity.here("auditor"))

    async def session(self, sandbox: SandboxServer, **kw: Any) -> DeskSession:
        s = await DeskSession.open(
            self.client,
            self.opener,
            SessionSettings(operator="jack"),
            wait_for_ledger=True,
            probe=ping_ledger,
            check_delays=FAST_CHECKS,
            clock=sandbox.clock.local_now,
            **kw,
        )
        # Quick tries in tests (the desk: 2 s doubling to 30 s, a question every 10 s).
        s.watch.first_retry, s.watch.max_retry, s.watch.heartbeat = 0.05, 0.2, 0.1
        s.watch.delay = s.watch.first_retry
        return s


@pytest_asyncio.fixture
async def desk(
    pg_url: str, sandbox: SandboxServer, tcp_proxy: Callable[[str, int], TcpProxy]
) -> AsyncIterator[Desk]:
    url = make_url(pg_url)
    proxy = tcp_proxy(str(url.host), int(url.port or 5432))
    sent: Counter[str] = Counter()

    async def count(request: httpx.Request) -> None:
        sent[request.url.path.rsplit("/", 1)[-1]] += 1

    http = httpx.AsyncClient(
        timeout=httpx.Timeout(5.0, connect=2.0), trust_env=False, event_hooks={"request": [count]}
    )
    client = IotPayClient(
        sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=http, query_attempts=2
    )
    through = pg_proxy_url(pg_url, proxy)
    opener = unreachable_as_unavailable(
        partial(
            open_merchant_ledger,
            environment="sandbox",
            desk=DeskIdentity.here("front-desk"),
            url=through,
        ),
        where=f"127.0.0.1/{url.database}",
    )
    yield Desk(client, sent, proxy, opener, pg_url)
    await http.aclose()


async def test_server_gone_at_start_lookups_work_and_money_is_refused_before_sending(
    desk: Desk, sandbox: SandboxServer
) -> None:
    payment = await pay(desk.client, 5000)
    sandbox.settle()
    desk.sent.clear()  # the payment's own calls
    desk.proxy.cut()
    session = await desk.session(sandbox)
    try:
        session.start()
        state = session.ledger_state
        assert not state.available
        assert state.retrying
        assert isinstance(state.error, LedgerUnavailable)
        assert state.error.where.endswith(make_url(desk.pg_url).database or "")

        detail = await session.money.lookup(payment.pay_order_id)
        assert detail.order.pay_order_id == payment.pay_order_id
        assert detail.order.amount == 5000
        assert detail.ledger_missing
        assert detail.returns == ()
        assert detail.lookup is None

        with pytest.raises(LedgerUnavailable):
            await session.money.new_draft(REFUND, payment.pay_order_id)
        charge = await session.money.new_draft(ActionKind.CHARGE_TOKEN)
        with pytest.raises(LedgerUnavailable):
            await session.money.charge_card(charge.id, "c-any", 1200)
        with pytest.raises(LedgerUnavailable):
            await session.money.start_purchase(1500, "coffee")
        assert desk.money_calls() == {}
        assert await returns_at_sandbox(sandbox.url, payment.pay_order_id) == []
        # The bookkeeper's pages say the ledger is away, as the rest do.
        today = session.money.days.today()
        with pytest.raises(LedgerUnavailable):
            await session.money.days.figures(today)
        with pytest.raises(LedgerUnavailable):
            await session.money.deposits.report(today, today)

        # The server comes back: the desk opens the same ledger by itself.
        desk.proxy.restore()
        await wait_for(lambda: session.ledger_state.available)
        assert (await session.money.days.figures(today)).total.count == 0
        draft = await session.money.new_draft(REFUND, payment.pay_order_id)
        done = await session.money.refund(payment.pay_order_id, 700, draft_id=draft.id)
        assert done.succeeded
        assert desk.money_calls() == {"cc_refund": 1}
        again = await session.money.lookup(payment.pay_order_id)
        assert not again.ledger_missing
        assert [r.action.mch_no for r in again.returns] == [draft.id]
    finally:
        await session.close()


async def test_server_gone_mid_session_refuses_the_refund_unsent_then_comes_back(
    desk: Desk, sandbox: SandboxServer
) -> None:
    payment = await pay(desk.client, 4000)
    sandbox.settle()
    desk.sent.clear()  # the payment's own calls
    changes: list[bool] = []
    session = await desk.session(sandbox, on_ledger=lambda s: changes.append(s.available))
    try:
        session.start()
        assert session.ledger_state.available
        draft = await session.money.new_draft(REFUND, payment.pay_order_id)  # form open
        desk.proxy.cut()
        with pytest.raises(LedgerUnavailable) as info:
            await session.money.refund(payment.pay_order_id, 1000, draft_id=draft.id)
        assert not isinstance(info.value, AnswerNotRecorded)  # nothing was sent
        assert desk.money_calls() == {}
        await wait_for(lambda: False in changes)
        assert not session.ledger_state.available

        detail = await session.money.lookup(payment.pay_order_id)  # IOTPay still answers
        assert detail.ledger_missing
        assert detail.refundable_cents == 4000

        desk.proxy.restore()
        await wait_for(lambda: session.ledger_state.available)
        assert changes[-1] is True
        # The same form, sent again: its intent is written now, then it is sent once.
        done = await session.money.refund(payment.pay_order_id, 1000, draft_id=draft.id)
        assert done.succeeded
        assert desk.money_calls() == {"cc_refund": 1}
    finally:
        await session.close()


async def test_a_refund_sent_before_the_server_went_away_is_resolved_when_it_is_back(
    desk: Desk, sandbox: SandboxServer
) -> None:
    payment = await pay(desk.client, 6000)
    sandbox.settle()
    desk.sent.clear()  # the payment's own calls
    session = await desk.session(sandbox)
    auditor = desk.direct()
    try:
        session.start()
        draft = await session.money.new_draft(REFUND, payment.pay_order_id)
        sandbox.set_faults([FaultSpec("latency", "cc_refund", count=1, latency_ms=1500)])
        sending = asyncio.ensure_future(
            session.money.refund(payment.pay_order_id, 2500, draft_id=draft.id)
        )
        await wait_for(lambda: desk.sent["cc_refund"] == 1)  # on its way to IOTPay
        desk.proxy.cut()
        with pytest.raises(AnswerNotRecorded) as info:
            await sending
        assert info.value.mch_no == draft.id
        assert info.value.kind == "refund"

        # Nothing lost: the intent is in the ledger, unresolved; IOTPay has the refund.
        action = auditor.find_action(DEMO_MERCHANT.mch_id, draft.id)
        assert action is not None
        assert action.is_open
        returns = await returns_at_sandbox(sandbox.url, payment.pay_order_id)
        assert [(o["mchOrderNo"], o["amount"]) for o in returns] == [(draft.id, 2500)]

        # Sending the form again while the ledger is away: refused, nothing sent.
        with pytest.raises(LedgerUnavailable):
            await session.money.refund(payment.pay_order_id, 2500, draft_id=draft.id)
        assert desk.sent["cc_refund"] == 1

        desk.proxy.restore()
        resolved = await wait_for(
            lambda: (a := auditor.get_action(action.id)).state.is_final and a, within=20
        )
        assert resolved.state is ActionState.SUCCEEDED
        assert resolved.pay_order_id == returns[0]["payOrderId"]
        assert desk.sent["cc_refund"] == 1  # never sent again
        assert desk.sent["cc_query"] >= 1  # resolved by asking IOTPay
        # The form's draft, sent again now, finds it done: still one refund.
        again = await session.money.refund(payment.pay_order_id, 2500, draft_id=draft.id)
        assert again.succeeded
        assert desk.sent["cc_refund"] == 1
        assert len(await returns_at_sandbox(sandbox.url, payment.pay_order_id)) == 1
    finally:
        await session.close()
        auditor.close()


async def test_the_watch_goes_on_trying_while_the_server_stays_away(
    desk: Desk, sandbox: SandboxServer
) -> None:
    desk.proxy.cut()
    session = await desk.session(sandbox)
    try:
        session.start()
        await wait_for(lambda: session.watch.delay == session.watch.max_retry)  # backed off
        assert not session.ledger_state.available
        since = session.ledger_state.since
        state = await session.retry_ledger()  # Try again: still away, same "since"
        assert not state.available
        assert state.since == since
        desk.proxy.restore()
        state = await session.retry_ledger()
        assert state.available
        assert session.watch.delay == session.watch.first_retry
    finally:
        await session.close()


async def test_only_a_server_that_cannot_be_reached_is_unavailable(
    pg_url: str, tcp_proxy: Callable[[str, int], TcpProxy]
) -> None:
    """A lock that times out is the database answering: it stays what it is. A server
    gone is LedgerUnavailable at once; the same engine works again when it is back."""
    import psycopg
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from iotpay_desk.ledger.engine import ping

    url = make_url(pg_url)
    proxy = tcp_proxy(str(url.host), int(url.port or 5432))
    engine = open_ledger(pg_proxy_url(pg_url, proxy))
    try:
        with engine.connect() as holder, engine.connect() as waiter:
            holder.execute(text("LOCK TABLE ledger_meta IN ACCESS EXCLUSIVE MODE"))
            waiter.execute(text("SET lock_timeout = '50ms'"))
            with pytest.raises(OperationalError) as info:
                waiter.execute(text("SELECT * FROM ledger_meta"))
            assert isinstance(info.value.orig, psycopg.errors.LockNotAvailable)
            holder.rollback()
        proxy.cut()
        with pytest.raises(LedgerUnavailable) as gone:
            ping(engine)
        assert gone.value.shared
        assert gone.value.where == f"127.0.0.1/{url.database}"
        proxy.restore()
        ping(engine)
    finally:
        engine.dispose()


async def test_a_ledger_file_whose_disk_went_away_is_unavailable(tmp_path: Path) -> None:
    """This computer's ledger on a disk that was unmounted: its folder is gone."""
    from iotpay_desk.ledger.engine import ping
    from iotpay_desk.ledger.place import open_sqlite_ledger

    folder = tmp_path / "usb-disk" / "ledgers"
    ledger = open_sqlite_ledger(folder / "sandbox-10000701.sqlite3")
    try:
        ping(ledger.engine)
        ledger.engine.dispose()  # its connections closed, as after a suspend
        shutil.rmtree(tmp_path / "usb-disk")
        with pytest.raises(LedgerUnavailable) as gone:
            ledger.open_actions(DEMO_MERCHANT.mch_id)
        assert not gone.value.shared
        assert gone.value.where == str(folder / "sandbox-10000701.sqlite3")
    finally:
        ledger.close()

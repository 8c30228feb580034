"""Sequences of refunds under faults, chosen by hypothesis, on the real sandbox.

Each example refunds one payment step by step; each step may be answered normally, lose
its answer (HTTP 500 before IOTPay commits, a dropped connection after it commits), or
be delivered late by the loopback proxy, and an unconfirmed refund may be sent again
before or after the late delivery lands. Whatever happens, counted at the sandbox:
no refund twice, never more than the payment, and the journal agrees with IOTPay
about every action once its window has passed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iotpay_desk.api import IotPayClient
from iotpay_desk.journal import ActionKind, ActionState
from iotpay_desk.ledger import LedgerJournal
from iotpay_desk.sandbox import DEMO_MERCHANT, FaultSpec, SandboxServer
from iotpay_desk.services import ActionInProgress, InvalidInput, MoneyService
from tests.plugins.lateproxy import LateProxy

from .conftest import pay, returns_at_sandbox

DAY = 24 * 3600.0
PAYMENT = 5000

step = st.fixed_dictionaries(
    {
        "amount": st.integers(min_value=1, max_value=3000),
        "fault": st.sampled_from(["none", "error500", "drop_after_commit", "late"]),
        "send_again": st.booleans(),
        "land_first": st.booleans(),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=4))
def test_refund_sequences_with_faults_never_refund_twice(
    steps: list[dict[str, Any]],
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    late_proxy: LateProxy,
    client: IotPayClient,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    asyncio.run(_scenario(steps, make_service, make_client, late_proxy, sandbox, journal))


async def _scenario(
    steps: list[dict[str, Any]],
    make_service: Callable[..., MoneyService],
    make_client: Callable[..., IotPayClient],
    proxy: LateProxy,
    sandbox: SandboxServer,
    journal: LedgerJournal,
) -> None:
    async with httpx.AsyncClient(timeout=5.0, trust_env=False) as direct_http:
        direct = IotPayClient(
            sandbox.url, DEMO_MERCHANT.mch_id, DEMO_MERCHANT.key, http=direct_http
        )
        p = await pay(direct, PAYMENT)
        sandbox.settle()
        now = [sandbox.clock.local_now()]
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(1.0, connect=1.0), trust_env=False
        ) as late_http:
            service = make_service(
                client=IotPayClient(
                    proxy.url,
                    DEMO_MERCHANT.mch_id,
                    DEMO_MERCHANT.key,
                    http=late_http,
                    backoff=0.02,
                    query_attempts=2,
                ),
                clock=lambda: now[0],
                not_received_after=DAY,
            )
            for s in steps:
                now[0] += timedelta(seconds=30)
                draft = await service.new_draft(ActionKind.REFUND, p.pay_order_id)
                if s["fault"] == "late":
                    proxy.hold("cc_refund")
                elif s["fault"] != "none":
                    sandbox.set_faults([FaultSpec(s["fault"], "cc_refund", count=1)])
                try:
                    result = await service.refund(p.pay_order_id, s["amount"], draft_id=draft.id)
                except (ActionInProgress, InvalidInput):
                    result = None
                sandbox.clear_faults()
                if result is not None and result.can_send_again and s["send_again"]:
                    if s["land_first"] and proxy.held:
                        proxy.release()
                    now[0] += timedelta(seconds=70)
                    await service.send_again(result.action)
                if proxy.held:
                    proxy.release()
                proxy.cancel_holds()  # a hold no call used ends with its step

            # Every window passes: each action ends, as IOTPay has it.
            now[0] += timedelta(seconds=DAY + 60)
            await service.check_due()
            await service.wait_idle()

        returns = await returns_at_sandbox(sandbox.url, p.pay_order_id)
        by_no = {o["mchOrderNo"]: o for o in returns}
        assert len(by_no) == len(returns)  # one refund per number, always
        assert sum(o["amount"] for o in returns) <= PAYMENT
        for action in journal.actions_for_target(DEMO_MERCHANT.mch_id, p.pay_order_id):
            assert action.state.is_final, action
            landed = by_no.get(action.mch_no)
            if action.state is ActionState.SUCCEEDED:
                assert landed is not None, action
                assert landed["amount"] == action.amount_cents
            else:
                assert landed is None, (action, landed)


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox: SandboxServer) -> None:
    sandbox.clear_faults()

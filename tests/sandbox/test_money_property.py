"""Random sequences of charge / refund / void / settle: money is conserved.

Each sequence runs against the real sandbox over HTTP and against a small model of the
rules; every answer must be the one the model predicts, and after every step the sum of
refunds never exceeds the payment and ``refundable`` is exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iotpay_desk.sandbox import FaultSpec, SandboxServer

from .helpers import bind_card, call, query, signed

CARDS = {
    "approve": "4242424242424242",
    "approve_mc": "5555555555554444",
    "decline": "4000000000000002",
}
_ids = itertools.count(1)


@dataclass
class Payment:
    pay_order_id: str
    amount: int
    succeeded: bool
    settled: bool = False
    voided: bool = False
    refunds: list[int] = field(default_factory=list)

    @property
    def refundable(self) -> int:
        if not self.succeeded or self.voided:
            return 0
        return self.amount - sum(self.refunds)


amounts = st.integers(min_value=1, max_value=5000)
# Refund amounts: plain cents, or relative to what is left (the edges matter most).
refund_amounts = st.one_of(amounts, st.sampled_from(["rest", "rest+1", "half", "one"]))


def resolve(spec: int | str, p: Payment) -> int:
    left = p.refundable if p.refundable else p.amount
    match spec:
        case "rest":
            return left
        case "rest+1":
            return left + 1
        case "half":
            return max(1, left // 2)
        case "one":
            return 1
    assert isinstance(spec, int)
    return spec


# A refund often needs a settlement first: refund steps carry "settle first" so that
# random sequences reach the interesting states (settled, partly refunded) often.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("charge"), amounts, st.sampled_from(sorted(CARDS)), st.just(False)),
        st.tuples(st.just("refund"), st.integers(0, 7), refund_amounts, st.booleans()),
        st.tuples(st.just("refund_dropped"), st.integers(0, 7), refund_amounts, st.booleans()),
        st.tuples(st.just("void"), st.integers(0, 7), st.just(0), st.just(False)),
        st.tuples(st.just("settle"), st.just(0), st.just(0), st.just(False)),
    ),
    min_size=1,
    max_size=20,
)

Step = tuple[str, Any, Any, bool]


def run(sandbox: SandboxServer, http: httpx.Client, plan: list[Step]) -> None:
    sandbox.reset()
    cards = {name: bind_card(http, number) for name, number in CARDS.items()}
    payments: list[Payment] = []

    def settle() -> None:
        expected = sum(1 for p in payments if p.succeeded and not p.voided and not p.settled)
        assert sandbox.settle() == expected
        for p in payments:
            if p.succeeded and not p.voided:
                p.settled = True

    for op, a, b, settle_first in plan:
        if settle_first:
            settle()
        if op == "charge":
            params = {
                "mchOrderNo": f"M{next(_ids)}",
                "cardId": cards[b],
                "amount": a,
                "loginName": "op1",
            }
            env = call(http, "cc_purchasewithtoken", params)
            assert env["retCode"] == "SUCCESS"
            order = env["retData"]
            succeeded = b != "decline"
            assert order["status"] == (2 if succeeded else 9)
            payments.append(Payment(order["payOrderId"], a, succeeded))
        elif op == "settle":
            settle()
        elif payments:
            p = payments[a % len(payments)]
            refund_no = f"R{next(_ids)}"
            if op == "void":
                allowed = p.succeeded and not p.voided and not p.settled
                env = call(
                    http,
                    "cc_void",
                    {"mchRefundNo": refund_no, "loginName": "op1", "payOrderId": p.pay_order_id},
                )
                assert env["retCode"] == ("SUCCESS" if allowed else "FAIL"), (env, p)
                if allowed:
                    assert env["retData"]["amount"] == p.amount
                    p.voided = True
            else:
                b = resolve(b, p)
                allowed = p.succeeded and not p.voided and p.settled and b <= p.refundable
                params = {
                    "mchRefundNo": refund_no,
                    "loginName": "op1",
                    "refundAmount": b,
                    "payOrderId": p.pay_order_id,
                }
                if op == "refund":
                    env = call(http, "cc_refund", params)
                    assert env["retCode"] == ("SUCCESS" if allowed else "FAIL"), (env, p)
                else:
                    sandbox.set_faults(
                        [FaultSpec(kind="drop_after_commit", endpoint="cc_refund", count=1)]
                    )
                    with pytest.raises(httpx.TransportError):
                        http.post("/v3/cc_refund", json=signed(params))
                    # The connection was cut: did it refund? Ask, as the desk would.
                    env = call(http, "cc_query", {"mchOrderNo": refund_no})
                    assert env["retCode"] == ("SUCCESS" if allowed else "FAIL"), (env, p)
                if allowed:
                    assert env["retData"]["amount"] == b
                    p.refunds.append(b)
        for p in payments:
            assert query(http, payOrderId=p.pay_order_id)["refundable"] == p.refundable
    check_books(sandbox, payments)


def check_books(sandbox: SandboxServer, payments: list[Payment]) -> None:
    orders = sandbox.orders()
    by_payment: dict[str, list[dict[str, Any]]] = {}
    for o in orders:
        if o["payType"] == "refund":
            by_payment.setdefault(o["originalOrderId"], []).append(o)
    assert len(orders) == len(payments) + sum(len(v) for v in by_payment.values())
    for p in payments:
        returned = by_payment.get(p.pay_order_id, [])
        total = sum(o["amount"] for o in returned)
        assert total <= p.amount
        if p.voided:
            assert [o["amount"] for o in returned] == [p.amount]
        else:
            assert sorted(o["amount"] for o in returned) == sorted(p.refunds)
            assert p.refundable == (p.amount - total if p.succeeded else 0)
        for o in returned:
            assert o["refundable"] == 0
            assert o["status"] in (2, 3)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_money_is_conserved_over_random_sequences(sandbox: SandboxServer, plan: list[Step]) -> None:
    # The fixture's server is shared by the examples; each starts with sandbox.reset().
    with httpx.Client(base_url=sandbox.url, timeout=10) as http:
        run(sandbox, http, plan)


def test_a_fixed_sequence_exercises_every_rule(sandbox: SandboxServer) -> None:
    plan: list[Step] = [
        ("charge", 1000, "approve", False),
        ("charge", 500, "decline", False),
        ("charge", 700, "approve_mc", False),
        ("refund", 0, 100, False),  # not settled yet: refused
        ("void", 2, 0, False),  # voids the Mastercard payment
        ("void", 1, 0, False),  # declined: refused
        ("settle", 0, 0, False),
        ("void", 0, 0, False),  # settled: refused
        ("refund", 0, 400, False),
        ("refund", 0, "rest+1", False),  # one cent too many: refused
        ("refund_dropped", 0, "rest", False),  # committed, answer lost
        ("refund", 0, "one", False),  # nothing left
        ("refund_dropped", 2, 1, False),  # voided: refused, connection still cut
        ("charge", 300, "approve", False),
        ("refund", 3, "half", True),  # settles first, then refunds 150
    ]
    with httpx.Client(base_url=sandbox.url, timeout=10) as http:
        run(sandbox, http, plan)

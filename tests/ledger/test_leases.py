"""The lease on checking an unresolved action, on SQLite and PostgreSQL: one desk at a
time asks IOTPay about it; a lease that is not renewed (the desk died) expires and another
desk takes it over, which the audit records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from iotpay_desk import ledger
from iotpay_desk.journal import (
    Action,
    ActionKind,
    ActionState,
    DeskIdentity,
    OpenActionExists,
    new_mch_no,
)
from iotpay_desk.ledger.journal import LedgerJournal
from tests.journal.test_journal import MCH, PAY, _refund
from tests.ledger.test_journal_races import _race

T0 = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)


def _refund_by(j: LedgerJournal, operator: str) -> Action:
    return j.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no=new_mch_no("R"),
        operator=operator,
        target_pay_order_id=PAY,
        amount_cents=500,
    )


@pytest.fixture
def desks(backend: Engine) -> Iterator[Callable[[str], LedgerJournal]]:
    """``desks(name)``: a running desk on the backend's database, its own engine."""
    made: list[LedgerJournal] = []

    def make(name: str) -> LedgerJournal:
        j = LedgerJournal(ledger.open_engine(backend.url), desk=DeskIdentity(name=name), lease_s=60)
        made.append(j)
        return j

    yield make
    for j in made:
        j.close()


def test_the_sending_desk_holds_the_lease_until_the_action_ends(
    desks: Callable[[str], LedgerJournal],
) -> None:
    front, back = desks("Front"), desks("Back office")
    action = _refund(front, now=T0)
    assert (action.desk, action.lease_desk) == ("Front", "Front")
    assert action.lease_owner == front.desk.instance
    assert action.lease_until == T0 + timedelta(seconds=60)
    assert action.checked_elsewhere(back.desk.instance, T0 + timedelta(seconds=59))
    assert not action.checked_elsewhere(front.desk.instance, T0)
    # Another desk may not check it meanwhile; the sender may renew.
    assert back.claim_check(action.id, now=T0 + timedelta(seconds=30)) is None
    renewed = front.claim_check(action.id, now=T0 + timedelta(seconds=30))
    assert renewed is not None
    assert renewed.lease_until == T0 + timedelta(seconds=90)
    done = front.complete(action.id, ActionState.SUCCEEDED, now=T0 + timedelta(seconds=31))
    assert (done.lease_owner, done.lease_desk, done.lease_until) == (None, None, None)
    assert done.desk == "Front"
    # A final action is never claimed.
    assert back.claim_check(action.id, now=T0 + timedelta(hours=1)) is None


def test_an_expired_lease_is_taken_over_and_audited(
    desks: Callable[[str], LedgerJournal],
) -> None:
    front, back = desks("Front"), desks("Back office")
    action = _refund(front, now=T0)
    front.mark_checking(action.id, why="timeout", now=T0 + timedelta(seconds=5))
    # Front died: nobody renews. At the second the lease ends, Back takes it.
    taken = back.claim_check(action.id, now=T0 + timedelta(seconds=60))
    assert taken is not None
    assert (taken.lease_owner, taken.lease_desk) == (back.desk.instance, "Back office")
    assert taken.state is ActionState.CHECKING
    events = [
        (e.event, e.desk, e.detail.get("from_desk")) for e in back.audit_for_action(action.id)
    ]
    assert events[-1] == ("check_taken_over", "Back office", "Front")
    # Front, back again, is now the one refused.
    assert front.claim_check(action.id, now=T0 + timedelta(seconds=61)) is None


def test_a_released_lease_is_free_at_once(desks: Callable[[str], LedgerJournal]) -> None:
    front, back = desks("Front"), desks("Back office")
    action = _refund(front, now=T0)
    back.release_check(action.id)  # not Back's: nothing happens
    assert back.claim_check(action.id, now=T0 + timedelta(seconds=1)) is None
    front.release_check(action.id)
    assert back.claim_check(action.id, now=T0 + timedelta(seconds=1)) is not None
    assert back.release_all_checks() == 1


def test_two_desks_claiming_at_once_one_wins(desks: Callable[[str], LedgerJournal]) -> None:
    front = desks("Front")
    action = _refund(front, now=T0)
    later = T0 + timedelta(minutes=5)  # Front's lease has expired
    for _ in range(10):
        rivals = [desks(f"Desk {i}") for i in range(4)]
        got = _race(rivals, lambda j, at=later: j.claim_check(action.id, now=at))
        assert sum(a is not None for a in got) == 1, got
        later += timedelta(minutes=5)


def test_the_loser_of_a_race_is_told_which_desk_and_operator(
    desks: Callable[[str], LedgerJournal],
) -> None:
    front, back = desks("Front"), desks("Back office")
    first = _refund_by(front, "amy")
    with pytest.raises(OpenActionExists) as caught:
        _refund_by(back, "bob")
    assert (caught.value.action.desk, caught.value.action.operator) == ("Front", "amy")
    assert caught.value.action.id == first.id


def test_every_audit_row_names_merchant_desk_and_operator(
    desks: Callable[[str], LedgerJournal],
) -> None:
    front = desks("Front")
    action = _refund_by(front, "amy")
    front.complete(action.id, ActionState.FAILED, ret_msg="no")
    front.append_audit("amy", "note", action_id=action.id)
    front.append_audit("amy", "settings", mch_id=MCH)
    rows = front.audit_page(50)
    assert len(rows) == 4
    assert {(e.mch_id, e.desk, e.operator) for e in rows} == {(MCH, "Front", "amy")}
    assert PAY in {a.target_pay_order_id for a in front.actions_for_target(MCH, PAY)}

"""Desks racing on one ledger, on SQLite and PostgreSQL: each desk is its own engine
(its own connections), as two processes would be; the checks happen inside the writing
transaction, under the lock LedgerJournal takes (BEGIN IMMEDIATE / advisory lock)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, false, insert, select

from iotpay_desk import ledger
from iotpay_desk.api.models import Order
from iotpay_desk.journal import ActionKind, CardInVault, JournalError, OpenActionExists
from iotpay_desk.ledger import journal as ledger_journal
from iotpay_desk.ledger.journal import LedgerJournal
from tests.journal.test_journal import MCH, PAY, PAY2, _refund

ACTIONS = ledger.metadata.tables["actions"]
AT = "2025-03-01T12:00:00.000000Z"


@pytest.fixture
def desks(backend: Engine) -> Iterator[Callable[[int], list[LedgerJournal]]]:
    """``desks(n)``: n journals on the backend's database, each on its own engine."""
    made: list[LedgerJournal] = []

    def make(n: int) -> list[LedgerJournal]:
        new = [LedgerJournal(ledger.open_engine(backend.url)) for _ in range(n)]
        made.extend(new)
        return new

    yield make
    for j in made:
        j.close()


def _race(journals: list[LedgerJournal], call: Callable[[LedgerJournal], Any]) -> list[Any]:
    """Run ``call`` on every journal at once; what each returned or raised."""
    barrier = threading.Barrier(len(journals))
    results: list[Any] = [None] * len(journals)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(journals[i])
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(journals))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_racing_desks_write_one_intent_per_payment(
    desks: Callable[[int], list[LedgerJournal]],
) -> None:
    journals = desks(8)
    results = _race(journals, _refund)
    created = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, OpenActionExists)]
    assert len(created) == 1, results
    assert len(refused) == 7, results  # told which action, not a constraint error
    assert {r.action.id for r in refused} == {created[0].id}
    assert journals[0].open_actions() == created


def _hold_intent(j: LedgerJournal, conn: Any, target: str) -> None:
    """Inside ``conn``'s transaction: take the payment's lock as create_intent does and
    write an intent on ``target`` (not committed yet)."""
    j._serialize(conn, "target", MCH, target)
    conn.execute(
        insert(ACTIONS).values(
            kind="void",
            mch_id=MCH,
            target_pay_order_id=target,
            mch_no="V250301120000HOLDERXXXX",
            operator="amy",
            state="intent",
            created_at=AT,
            updated_at=AT,
        )
    )


def test_a_second_desk_waits_for_the_first_and_is_told_who(
    backend: Engine, desks: Callable[[int], list[LedgerJournal]]
) -> None:
    (holder, other) = desks(2)
    result: list[Any] = []
    racer = threading.Thread(target=lambda: result.append(_attempt(other, PAY)))
    with holder.engine.connect() as conn:
        conn = conn.execution_options(ledger_begin="IMMEDIATE")
        with conn.begin():
            _hold_intent(holder, conn, PAY)
            racer.start()
            racer.join(0.5)
            assert racer.is_alive()  # waiting for the first desk's transaction
    racer.join(30)
    (outcome,) = result
    assert isinstance(outcome, OpenActionExists), outcome
    assert (outcome.action.mch_no, outcome.action.operator) == ("V250301120000HOLDERXXXX", "amy")


def _attempt(j: LedgerJournal, target: str) -> Any:
    try:
        return _refund(j, target=target)  # type: ignore[arg-type]
    except Exception as exc:
        return exc


def test_what_a_writer_waits_for(
    backend: Engine, desks: Callable[[int], list[LedgerJournal]]
) -> None:
    """PostgreSQL locks the payment, so a desk refunding another payment goes on; SQLite
    has one writer at a time for the whole file (BEGIN IMMEDIATE), so it waits."""
    (holder, other) = desks(2)
    result: list[Any] = []
    racer = threading.Thread(target=lambda: result.append(_attempt(other, PAY2)))
    with holder.engine.connect() as conn:
        conn = conn.execution_options(ledger_begin="IMMEDIATE")
        with conn.begin():
            _hold_intent(holder, conn, PAY)
            racer.start()
            racer.join(0.5 if backend.dialect.name == "sqlite" else 30)
            assert racer.is_alive() is (backend.dialect.name == "sqlite")
    racer.join(30)
    (outcome,) = result
    assert outcome.target_pay_order_id == PAY2


def test_the_unique_index_stops_what_the_check_would_miss(
    journal_on: LedgerJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: with the in-transaction check blinded, the database's
    partial unique index refuses the second open action, reported as JournalError."""
    first = _refund(journal_on)  # type: ignore[arg-type]
    # The check, built once at import, replaced by one that never finds anything.
    blind = ledger_journal._Statement(select(ACTIONS).where(false()))
    monkeypatch.setattr(ledger_journal, "_OPEN_OR_CHANGED", blind)
    with pytest.raises(JournalError, match="cannot write the intent") as info:
        _refund(journal_on)  # type: ignore[arg-type]
    assert not isinstance(info.value, OpenActionExists)
    monkeypatch.undo()
    assert journal_on.actions_page() == journal_on.open_actions() == [first]


@pytest.fixture
def journal_on(backend: Engine) -> Iterator[LedgerJournal]:
    j = LedgerJournal(backend)
    yield j
    j.close()


def test_racing_desks_add_a_card_once(desks: Callable[[int], list[LedgerJournal]]) -> None:
    def add(j: LedgerJournal) -> Any:
        return j.add_vault_card(
            mch_id=MCH,
            card_id="dup",
            customer_label="P",
            card_num="424242******4242",
            brand="V",
            expiry_date="1230",
            holder="H",
            via="hosted",
            operator="jack",
        )

    journals = desks(4)
    results = _race(journals, add)
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert sum(isinstance(r, CardInVault) for r in results) == 3, results
    assert journals[0].count_vault_cards(MCH) == 1


def test_racing_notifications_are_counted_once_each(
    desks: Callable[[int], list[LedgerJournal]],
) -> None:
    order = Order(pay_order_id=PAY, mch_id=MCH, mch_order_no="o-1", amount=900, status=2)
    journals = desks(4)
    results = _race(journals, lambda j: j.record_notification(order))
    assert not [r for r in results if isinstance(r, Exception)], results
    (note,) = journals[0].notifications(MCH)
    assert note.times == 4
    assert [e.event for e in journals[0].audit_page()] == ["notified"]


def test_intents_without_a_payment_race_freely(
    desks: Callable[[int], list[LedgerJournal]],
) -> None:
    journals = desks(4)

    def charge(j: LedgerJournal) -> Any:
        return j.create_intent(
            kind=ActionKind.CHARGE_TOKEN,
            mch_id=MCH,
            mch_no=f"T250301120000{journals.index(j):010d}",
            operator="jack",
            amount_cents=100,
            card_id="c1",
        )

    results = _race(journals, charge)
    assert not [r for r in results if isinstance(r, Exception)], results
    with journals[0].engine.connect() as conn:
        assert len(conn.execute(select(ACTIONS.c.id)).all()) == 4


_RACER = """
import sys, time
from iotpay_desk.journal import ActionKind, OpenActionExists, new_mch_no
from iotpay_desk.ledger import LedgerJournal, open_engine
j = LedgerJournal(open_engine(sys.argv[1]))
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
try:
    j.create_intent(kind=ActionKind.VOID, mch_id="10000701", mch_no=new_mch_no("V"),
                    operator="jack", target_pay_order_id=sys.argv[3])
    print("created")
except OpenActionExists:
    print("refused")
"""


def test_two_processes_cannot_both_open_an_action(backend: Engine) -> None:
    url = backend.url.render_as_string(hide_password=False)
    start = time.time() + 2.5
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, url, str(start), PAY],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert results == ["created", "refused", "refused", "refused"]
    assert len(LedgerJournal(backend).open_actions()) == 1

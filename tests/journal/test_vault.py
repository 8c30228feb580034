"""The card vault in the journal file (schema version 3)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from iotpay_desk.api.models import Order
from iotpay_desk.journal import (
    SCHEMA_VERSION,
    ActionKind,
    ActionState,
    CardInVault,
    CardNotInVault,
    Journal,
    new_mch_no,
)
from iotpay_desk.journal.schema import MIGRATIONS

MCH = "10000701"
T0 = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "profile" / "journal.sqlite3")
    yield j
    j.close()


def _add(j: Journal, card_id: str = "cust-1", **kw: Any) -> Any:
    args: dict[str, Any] = {
        "mch_id": MCH,
        "card_id": card_id,
        "customer_label": "Ada",
        "card_num": "424242******4242",
        "brand": "V",
        "expiry_date": "1230",
        "holder": "Ada Buyer",
        "via": "hosted",
        "operator": "jack",
        "now": T0,
    }
    args.update(kw)
    return j.add_vault_card(**args)


def test_a_version_2_file_gains_the_vault_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in migration:
            raw.execute(statement)
    raw.execute("PRAGMA user_version = 2")
    raw.execute(
        "INSERT INTO actions (kind, mch_id, mch_no, amount_cents, operator, state, created_at, "
        "updated_at, card_id) VALUES ('charge_token', ?, 'T240101000000AAAAAAAAAA', 1500, "
        "'jack', 'succeeded', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:01.000000Z', "
        "'cust-1')",
        (MCH,),
    )
    raw.close()
    with Journal(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        (old,) = j.actions_page()
        assert (old.kind, old.card_id, old.amount_cents) == (
            ActionKind.CHARGE_TOKEN,
            "cust-1",
            1500,
        )
        assert j.list_vault_cards(MCH) == []
        card = _add(j)
        assert j.list_vault_cards(MCH) == [card]
        since = datetime(2023, 12, 31, tzinfo=UTC)
        assert [a.id for a in j.recent_card_actions(MCH, "cust-1", since)] == [old.id]
    raw = sqlite3.connect(path)
    plan = " ".join(
        str(r)
        for r in raw.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM actions WHERE mch_id = ? AND card_id = ? "
            "AND kind = ? AND created_at >= ?",
            (MCH, "c", "charge_token", "2024"),
        )
    )
    raw.close()
    assert "actions_card" in plan


def test_add_list_change_remove_and_bring_back(journal: Journal) -> None:
    card = _add(journal, customer_label="  Ada  ", card_num="4242424242424242")
    assert card.card_num == "424242******4242"  # masked whatever the caller passed
    assert card.added_at == T0
    assert card.refreshed_at is None
    with pytest.raises(CardInVault) as info:
        _add(journal, customer_label="Other")
    assert info.value.card == card
    assert journal.get_vault_card(MCH, "cust-1") == card
    assert journal.get_vault_card("other-merchant", "cust-1") is None
    assert journal.count_vault_cards(MCH) == 1

    later = T0 + timedelta(days=1)
    fresh = journal.update_vault_card(
        MCH, "cust-1", operator="amy", expiry_date="0131", refreshed=True, now=later
    )
    assert (fresh.expiry_date, fresh.refreshed_at, fresh.customer_label) == (
        "0131",
        later,
        "  Ada  ",
    )
    renamed = journal.update_vault_card(MCH, "cust-1", operator="amy", customer_label="Ada L.")
    assert renamed.customer_label == "Ada L."
    assert journal.list_vault_cards(MCH, "l.") == [renamed]

    removed = journal.remove_vault_card(MCH, "cust-1", operator="amy", detail={"why": "asked"})
    assert removed.card_id == "cust-1"
    assert journal.get_vault_card(MCH, "cust-1") is None
    assert journal.get_vault_card(MCH, "cust-1", include_removed=True) is not None
    assert journal.list_vault_cards(MCH) == []
    for call in (
        lambda: journal.remove_vault_card(MCH, "cust-1", operator="amy"),
        lambda: journal.update_vault_card(MCH, "cust-1", operator="amy", holder="X"),
    ):
        with pytest.raises(CardNotInVault):
            call()

    back = _add(journal, customer_label="Ada again", via="imported", now=later)
    assert (back.customer_label, back.via, back.added_at) == ("Ada again", "imported", later)
    trail = [(e.event, e.operator) for e in reversed(journal.audit_page(100))]
    assert trail == [
        ("card_added", "jack"),
        ("card_refreshed", "amy"),
        ("card_changed", "amy"),
        ("card_removed", "amy"),
        ("card_added", "jack"),
    ]
    assert journal.audit_page(1)[0].detail["back_after_removal"] is True
    refreshed = journal.audit_page(100)[3].detail
    assert refreshed["changed"] == {"expiry_date": {"from": "1230", "to": "0131"}}


def test_the_file_refuses_full_card_numbers_and_deletions(journal: Journal) -> None:
    _add(journal)
    raw = sqlite3.connect(journal.path, isolation_level=None)
    try:
        for column in ("card_num", "customer_label", "holder"):
            with pytest.raises(sqlite3.IntegrityError):
                raw.execute(f"UPDATE vault_cards SET {column} = 'x 4242424242424242'")
            with pytest.raises(sqlite3.IntegrityError):
                raw.execute(
                    "INSERT INTO vault_cards (mch_id, card_id, via, added_by, added_at, "
                    f"{column}) VALUES (?, 'c2', 'hosted', 'jack', 'now', '5555555555554444')",
                    (MCH,),
                )
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            raw.execute("DELETE FROM vault_cards")
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO vault_cards (mch_id, card_id, via, added_by, added_at) "
                "VALUES (?, 'c3', 'typed', 'jack', 'now')",
                (MCH,),
            )
    finally:
        raw.close()
    # Labels and holders reaching the journal are scrubbed before that check.
    card = _add(journal, "c4", customer_label="card 4242 4242 4242 4242", holder="5555555555554444")
    assert "4242 4242 4242 4242" not in card.customer_label
    assert "5555555555554444" not in card.holder
    with pytest.raises(ValueError, match="via"):
        _add(journal, "c5", via="typed")


def test_recent_card_actions_newest_first(journal: Journal) -> None:
    def charge(card_id: str, amount: int, at: datetime) -> int:
        action = journal.create_intent(
            kind=ActionKind.CHARGE_TOKEN,
            mch_id=MCH,
            mch_no=new_mch_no("T", at),
            operator="jack",
            amount_cents=amount,
            card_id=card_id,
            now=at,
        )
        journal.complete(
            action.id,
            ActionState.SUCCEEDED,
            order=Order(pay_order_id=f"PC{action.id:026d}", amount=amount, status=2),
            now=at,
        )
        return action.id

    a = charge("c1", 1500, T0)
    b = charge("c1", 1500, T0 + timedelta(minutes=3))
    charge("c1", 900, T0 + timedelta(minutes=4))
    charge("c2", 1500, T0 + timedelta(minutes=4))
    since = T0 + timedelta(minutes=1)
    assert [x.id for x in journal.recent_card_actions(MCH, "c1", since, amount_cents=1500)] == [b]
    assert [x.id for x in journal.recent_card_actions(MCH, "c1", T0, amount_cents=1500)] == [b, a]
    assert len(journal.recent_card_actions(MCH, "c1", T0)) == 3
    assert journal.recent_card_actions(MCH, "c1", T0, kind=ActionKind.CHARGE_WALLET) == []


def test_two_processes_cannot_both_add_the_same_card(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    Journal(path).close()
    code = (
        "import sys\n"
        "from iotpay_desk.journal import Journal, CardInVault\n"
        "j = Journal(sys.argv[1])\n"
        "try:\n"
        "    j.add_vault_card(mch_id='10000701', card_id='dup', customer_label='P', "
        "card_num='424242******4242', brand='V', expiry_date='1230', holder='H', "
        "via='hosted', operator='jack')\n"
        "    print('added')\n"
        "except CardInVault:\n"
        "    print('refused')\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outcomes = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outcomes == ["added", "refused", "refused", "refused"]


def test_threads_share_one_vault(journal: Journal) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                _add(journal, f"t{n}-{i}", customer_label=f"Thread {n} card {i}")
                journal.list_vault_cards(MCH, f"t{n}-")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert journal.count_vault_cards(MCH) == 100
    assert len(journal.list_vault_cards(MCH, "t2-")) == 25

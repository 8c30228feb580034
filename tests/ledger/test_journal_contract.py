"""The journal's own tests, run against :class:`LedgerJournal` on SQLite and PostgreSQL.

The test functions are imported from tests/journal (not copied): pytest collects them
here, where the ``journal`` fixture below gives a LedgerJournal on the ``backend``
engine (tests/ledger/conftest.py), so each runs once per backend.

Left out, each because it is about the SQLite file or the ``Journal`` class itself, not
about the journal's API (what they check of the schema runs on both backends in
tests/ledger/test_invariants.py, test_migrate.py and test_no_card_runs.py):

- test_journal.test_new_file_is_wal_with_the_latest_schema: PRAGMA journal_mode and
  sqlite_master on a raw sqlite3 connection, sqlite3.IntegrityError for the foreign key.
- test_journal.test_a_version_1_file_is_migrated_forward_keeping_its_rows,
  test_journal.test_a_file_from_a_newer_desk_is_refused_and_left_alone,
  test_vault.test_a_version_2_file_gains_the_vault_and_keeps_its_rows,
  test_card_pages.test_a_version_3_file_gains_card_pages_and_keeps_its_vault,
  test_no_card_runs.test_a_version_5_file_upgrades_to_6_with_nothing_lost: journal files
  opened with ``Journal(path)`` (ledger upgrades of these files: test_migrate.py).
- test_journal.test_the_database_itself_refuses_a_second_open_action,
  test_journal.test_final_states_are_final_and_late_answers_are_kept,
  test_vault.test_the_file_refuses_full_card_numbers_and_deletions,
  test_card_pages.test_pages_are_never_deleted_and_hold_no_card_number: raw sqlite3
  writes to ``journal.path`` expecting sqlite3.IntegrityError (the same rules:
  test_invariants.py; the API half of the late-answer test: test_late_answers_are_kept
  below).
- test_journal.test_no_card_number_reaches_the_file: reads the SQLite file's bytes
  (on both backends, every stored text: test_no_card_number_is_stored below).
- test_journal.test_big_journal_queries_stay_fast_and_use_indexes: bulk inserts and
  EXPLAIN QUERY PLAN on a raw sqlite3 connection.
- test_journal.test_concurrent_connections_create_one_open_action,
  test_journal.test_two_processes_cannot_both_open_an_action,
  test_journal.test_an_intent_survives_the_process_being_killed,
  test_vault.test_two_processes_cannot_both_add_the_same_card: build ``Journal`` objects
  on a file themselves (the races on both backends: test_journal_races.py).
- test_journal.test_generated_ids: does not use a journal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from iotpay_desk import ledger
from iotpay_desk.api.models import Order, OrderStatus
from iotpay_desk.journal import (
    Action,
    ActionKind,
    ActionState,
    AuditEntry,
    Journal,
    new_mch_no,
)
from iotpay_desk.ledger.journal import LedgerJournal
from tests.journal.test_card_pages import (
    test_a_page_closed_on_screen_stays_open_until_ended,
    test_a_page_is_open_until_ended_once,
)
from tests.journal.test_journal import (
    MCH,
    PAY,
    TEST_CARDS,
    _refund,
    _refund_order,
    test_a_draft_basis_leaves_out_actions_still_in_flight,
    test_a_draft_sees_actions_made_after_it_was_opened,
    test_audit_pages_newest_first,
    test_checks_are_counted,
    test_intent_then_answer_with_its_audit_trail,
    test_not_received_is_corrected_when_the_order_turns_up,
    test_one_journal_is_safe_from_many_threads,
    test_one_unresolved_action_per_payment,
    test_recent_lookups_are_capped_deduplicated_newest_first,
)
from tests.journal.test_vault import (
    test_add_list_change_remove_and_bring_back,
    test_recent_card_actions_newest_first,
    test_threads_share_one_vault,
)
from tests.plugins.postgres import PostgresServer

IMPORTED = [
    test_a_draft_basis_leaves_out_actions_still_in_flight,
    test_a_draft_sees_actions_made_after_it_was_opened,
    test_a_page_closed_on_screen_stays_open_until_ended,
    test_a_page_is_open_until_ended_once,
    test_add_list_change_remove_and_bring_back,
    test_audit_pages_newest_first,
    test_checks_are_counted,
    test_intent_then_answer_with_its_audit_trail,
    test_not_received_is_corrected_when_the_order_turns_up,
    test_one_journal_is_safe_from_many_threads,
    test_one_unresolved_action_per_payment,
    test_recent_card_actions_newest_first,
    test_recent_lookups_are_capped_deduplicated_newest_first,
    test_threads_share_one_vault,
]


@pytest.fixture
def journal(backend: Engine) -> Iterator[LedgerJournal]:
    j = LedgerJournal(backend)
    yield j
    j.close()


def test_the_ledger_must_be_at_head(empty_backend: Engine) -> None:
    with pytest.raises(ledger.LedgerError, match="migrate"):
        LedgerJournal(empty_backend)
    ledger.migrate(empty_backend)
    assert LedgerJournal(empty_backend).schema_version == 6


def test_late_answers_are_kept(journal: LedgerJournal) -> None:
    a = _refund(journal)  # type: ignore[arg-type]
    journal.complete(a.id, ActionState.SUCCEEDED, order=_refund_order(a.mch_no, 500))
    again = journal.complete(a.id, ActionState.FAILED, ret_msg="late and wrong")
    assert again.state is ActionState.SUCCEEDED
    trail = journal.audit_for_action(a.id)
    assert [e.event for e in trail] == ["intent", "answer", "late_answer"]
    assert trail[-1].detail["kept_state"] == "succeeded"
    # Same answer again: nothing written.
    journal.complete(a.id, ActionState.SUCCEEDED, order=_refund_order(a.mch_no, 500))
    assert len(journal.audit_for_action(a.id)) == 3
    with pytest.raises(ValueError, match="final"):
        journal.complete(a.id, ActionState.CHECKING)
    with pytest.raises(KeyError):
        journal.get_action(424242)


def test_no_card_number_is_stored(journal: LedgerJournal, backend: Engine) -> None:
    a = journal.create_intent(
        kind=ActionKind.REFUND,
        mch_id=MCH,
        mch_no=new_mch_no("R"),
        operator="jack",
        target_pay_order_id=PAY,
        amount_cents=100,
        reason="customer read out 4242 4242 4242 4242",
        note="mc 5555-5555-5555-4444 cvv: 123, key=SECRETKEY12345",
        detail={"typed": ["4000000000000002", {"deep": "4000000000000077"}]},
    )
    journal.complete(a.id, ActionState.FAILED, ret_msg="card 4242424242424242 refused")
    journal.append_audit("jack", "note", detail={"text": "4242424242424242"})
    journal.record_lookup(MCH, "4242424242424242", PAY, "order-1")
    journal.add_vault_card(
        mch_id=MCH,
        card_id="c1",
        customer_label="Ada 5555555555554444",
        card_num="4242424242424242",
        brand="V",
        expiry_date="1230",
        holder="4000000000000002",
        via="hosted",
        operator="jack",
    )
    journal.open_card_page(
        mch_id=MCH,
        session_id="s1",
        card_id="c2",
        customer_label="x 4000000000000077",
        operator="jack",
    )
    journal.record_notification(
        Order(pay_order_id=PAY, mch_id=MCH, amount=100, status=2, card_num="4242424242424242")
    )
    stored = []
    with backend.connect() as conn:
        for table in ledger.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                stored.append(" ".join(str(v) for v in row))
    text = "\n".join(stored)
    assert PAY in text  # the scan does see what is stored
    for secret in (*TEST_CARDS, "SECRETKEY12345", "4242 4242", "5555-5555"):
        assert secret not in text, secret


def _script(j: Any) -> list[Any]:
    """Every method of the journal with fixed times; what each returned."""
    t0 = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)
    out: list[Any] = []

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    a = _refund(j, now=at(0), reason="damaged", detail={"via": "test"})
    out += [a, j.draft_basis(MCH, PAY), j.latest_action_id(MCH, PAY)]
    out.append(j.mark_checking(a.id, why="timeout", now=at(1)))
    out.append(j.mark_checking(a.id, why="again", now=at(1)))  # not an intent: unchanged
    out.append(j.record_check(a.id, result="no answer", operator="amy", now=at(2)))
    out.append(j.complete(a.id, ActionState.NOT_RECEIVED, checked=True, now=at(3)))
    out.append(
        j.complete(
            a.id,
            ActionState.SUCCEEDED,
            order=_refund_order(a.mch_no, 500),
            event="found",
            now=at(4),
        )
    )
    b = _refund(j, target="PC20240101215009579871439080", now=at(5), changed_since=0)
    out.append(j.complete(b.id, ActionState.DECLINED, ret_msg="declined", now=at(6)))
    charge = j.create_intent(
        kind=ActionKind.CHARGE_TOKEN,
        mch_id=MCH,
        mch_no="T250301140000ABCDEFGHIJ",
        operator="jack",
        amount_cents=1500,
        card_id="c1",
        mch_user_id="cust-1",
        subject="Box",
        now=at(7),
    )
    out += [charge, j.find_action(MCH, charge.mch_no), j.find_action(MCH, "none")]
    out += [j.open_actions(), j.open_actions(MCH), j.open_actions("other")]
    out += [
        j.actions_page(2),
        j.actions_page(2, before_id=charge.id),
        j.actions_for_target(MCH, PAY),
    ]
    out += [j.recent_card_actions(MCH, "c1", at(0)), j.recent_card_actions(MCH, "c1", at(8))]
    for i, label in enumerate(["bob", "Ada", "ada", "Émile", "zed", "Bo"]):
        out.append(
            j.add_vault_card(
                mch_id=MCH,
                card_id=f"card-{5 - i}",
                customer_label=label,
                card_num=f"42424242424242{i}2",
                brand="VMA"[i % 3],
                expiry_date="1230",
                holder=f"Holder {i}",
                via="hosted",
                operator="jack",
                now=at(10 + i),
            )
        )
    out.append(j.update_vault_card(MCH, "card-4", operator="amy", holder="H", now=at(20)))
    out.append(
        j.update_vault_card(
            MCH, "card-3", operator="amy", expiry_date="0131", refreshed=True, now=at(20)
        )
    )
    out.append(j.remove_vault_card(MCH, "card-2", operator="amy", now=at(21)))
    for search in ("", "a", "visa", "master", "b o", "4242", "card-1", "h", "%", "_"):
        out.append(j.list_vault_cards(MCH, search))
    out += [j.list_vault_cards(MCH, limit=2), j.count_vault_cards(MCH)]
    out += [j.get_vault_card(MCH, "card-2"), j.get_vault_card(MCH, "card-2", include_removed=True)]
    out.append(
        j.open_card_page(
            mch_id=MCH,
            session_id="s1",
            card_id="k",
            customer_label="K",
            operator="jack",
            now=at(30),
        )
    )
    out.append(j.close_card_page("s1", operator="jack", now=at(31)))
    out.append(j.end_card_page("s1", "added", operator="jack", event="card_added", now=at(32)))
    out.append(j.open_card_pages(MCH))
    order = Order(
        pay_order_id=PAY,
        mch_id=MCH,
        mch_order_no="o-1",
        amount=900,
        status=2,
        card_num="4242424242424242",
    )
    out += [j.record_notification(order, now=at(40)), j.record_notification(order, now=at(41))]
    out.append(
        j.record_notification(
            Order(pay_order_id=PAY, mch_id=MCH, amount=900, status=OrderStatus.NOTIFIED), now=at(42)
        )
    )
    out += [j.notifications(MCH), j.notifications(MCH, PAY, limit=1), j.notifications("x")]
    for i in range(4):
        out.append(j.record_lookup(MCH, f" q{i} ", f"PC{i}", f"o{i}", keep=3, now=at(50 + i)))
    out.append(j.record_lookup(MCH, "q1", "PC1", now=at(60)))
    out += [j.recent_lookups(MCH), j.recent_lookups(MCH, limit=1)]
    out.append(j.append_audit("amy", "note", action_id=a.id, detail={"n": 1}, now=at(70)))
    out += [j.audit_page(500), j.audit_page(3, before_id=10), j.audit_for_action(a.id)]
    return out


def test_the_same_answers_as_the_journal(
    journal: LedgerJournal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every method, on the journal and on the ledger, from empty: equal results."""
    results = []
    for j in (Journal(tmp_path / "journal.sqlite3"), journal):
        numbers = iter(range(1, 1000))
        monkeypatch.setattr(
            "tests.journal.test_journal.new_mch_no",
            lambda prefix, when=None, n=numbers: f"{prefix}250301140000{next(n):010d}",
        )
        results.append(_script(j))
        j.close()
    expected, got = results
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert _without_shared(g) == e, i
    # What only the shared ledger records: the desk, on actions and audit rows; the
    # sending desk's lease, until the action ends; the merchant of each audit row.
    actions = [a for a in got if isinstance(a, Action)]
    assert {a.desk for a in actions} == {journal.desk.name}
    assert all((a.lease_owner is None) == (not a.is_open) for a in actions)
    audit = [e for page in got if isinstance(page, list) for e in page]
    audit = [e for e in audit if isinstance(e, AuditEntry)]
    assert audit
    assert {(e.mch_id, e.desk) for e in audit} == {(MCH, journal.desk.name)}


def _without_shared(value: Any) -> Any:
    """``value`` as the per-profile journal (no desk, lease or audit merchant) has it."""
    if isinstance(value, list):
        return [_without_shared(v) for v in value]
    if isinstance(value, Action):
        return replace(value, desk="", lease_owner=None, lease_desk=None, lease_until=None)
    if isinstance(value, AuditEntry):
        return replace(value, mch_id="", desk="")
    return value


def test_vault_order_does_not_follow_the_servers_locale(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """A real server's database usually sorts by a language's rules (here ICU en-US,
    where "éa" comes before "eb"); the vault is listed in the journal's order anyway."""
    name = f"icu_{next(postgres_server.databases)}"
    with postgres_server.admin() as conn:
        conn.execute(
            f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8 LOCALE "C.utf8" '
            "LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
        )
    engine = ledger.open_engine(postgres_server.url(name))
    try:
        ledger.migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 'éa' < 'eb'")).scalar() is True
        labels = ["ab", "a-c", "A b", "a_b", "Ab", "a.b", "b", "B-", "éa", "eb", "Éb", "z"]
        lists = []
        for j in (LedgerJournal(engine), Journal(tmp_path / "journal.sqlite3")):
            for i, label in enumerate(labels):
                j.add_vault_card(
                    mch_id=MCH,
                    card_id=f"c{len(labels) - i:02d}",
                    customer_label=label,
                    card_num="424242******4242",
                    brand="V",
                    expiry_date="1230",
                    holder="H",
                    via="hosted",
                    operator="jack",
                )
            lists.append([c.customer_label for c in j.list_vault_cards(MCH)])
            j.close()
        assert lists[0] == lists[1]
    finally:
        engine.dispose()
        with postgres_server.admin() as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

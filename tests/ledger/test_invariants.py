"""The schema Alembic creates enforces the journal's invariants in the database itself,
on SQLite and on PostgreSQL alike: each test runs on both."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from iotpay_desk import ledger
from iotpay_desk.ledger import metadata

ACTIONS = metadata.tables["actions"]
AUDIT = metadata.tables["audit"]
LOOKUPS = metadata.tables["lookups"]
VAULT = metadata.tables["vault_cards"]
PAGES = metadata.tables["card_pages"]
NOTES = metadata.tables["notifications"]

MCH = "10000701"
PAY = "PC20240101215009579871439079"
CARD = "4242424242424242"
AT = "2025-03-01T12:00:00.000000Z"
_seq = iter(range(1, 10**6))


def action(**over: Any) -> dict[str, Any]:
    row = {
        "kind": "refund",
        "mch_id": MCH,
        "target_pay_order_id": PAY,
        "mch_no": f"R250301120000{next(_seq):010d}",
        "amount_cents": 500,
        "operator": "jack",
        "state": "intent",
        "created_at": AT,
        "updated_at": AT,
    }
    return row | over


def add(engine: Engine, table: Any, **values: Any) -> int:
    with engine.begin() as conn:
        return int(conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())


def refused(engine: Engine, statement: Any, match: str | None = None) -> None:
    with pytest.raises(IntegrityError, match=match), engine.begin() as conn:
        conn.execute(statement)


def run(engine: Engine, statement: Any) -> None:
    with engine.begin() as conn:
        conn.execute(statement)


def test_one_unresolved_action_per_payment(backend: Engine) -> None:
    first = add(backend, ACTIONS, **action())
    refused(backend, insert(ACTIONS).values(**action(kind="void", amount_cents=None)))
    refused(backend, insert(ACTIONS).values(**action(state="checking")))
    # Another merchant's payment with the same id, or an action without a target, is fine.
    add(backend, ACTIONS, **action(mch_id="10000702"))
    add(backend, ACTIONS, **action(kind="charge_token", target_pay_order_id=None))
    add(backend, ACTIONS, **action(kind="charge_token", target_pay_order_id=None))
    # Once resolved, the next one may be written.
    run(backend, update(ACTIONS).where(ACTIONS.c.id == first).values(state="succeeded"))
    add(backend, ACTIONS, **action())


def test_a_final_action_keeps_its_state(backend: Engine) -> None:
    ids = {s: add(backend, ACTIONS, **action(state="checking")) for s in ("succeeded",)}
    run(backend, update(ACTIONS).where(ACTIONS.c.id == ids["succeeded"]).values(state="succeeded"))
    for final in ("failed", "declined"):
        row = add(backend, ACTIONS, **action(state=final))
        refused(
            backend,
            update(ACTIONS).where(ACTIONS.c.id == row).values(state="checking"),
            "a final action keeps its state",
        )
    refused(
        backend,
        update(ACTIONS).where(ACTIONS.c.id == ids["succeeded"]).values(state="failed"),
        "a final action keeps its state",
    )
    # Its other answers may still be filled in; not_received is not final.
    run(backend, update(ACTIONS).where(ACTIONS.c.id == ids["succeeded"]).values(ret_msg="OK"))
    lost = add(backend, ACTIONS, **action(state="not_received"))
    run(backend, update(ACTIONS).where(ACTIONS.c.id == lost).values(state="succeeded"))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("kind", "void"),
        ("mch_id", "10000702"),
        ("mch_no", "R250301120000XXXXXXXXXX"),
        ("amount_cents", 499),
        ("amount_cents", None),
        ("target_pay_order_id", "PC20240101215009579871439080"),
        ("target_pay_order_id", None),
        ("operator", "jill"),
        ("created_at", "2025-03-01T12:00:01.000000Z"),
    ],
)
def test_what_an_action_asked_for_never_changes(backend: Engine, column: str, value: Any) -> None:
    row = add(backend, ACTIONS, **action())
    refused(
        backend,
        update(ACTIONS).where(ACTIONS.c.id == row).values({column: value}),
        "what an action asked for never changes",
    )
    run(backend, update(ACTIONS).where(ACTIONS.c.id == row).values(state="checking", attempts=1))


def test_nothing_is_ever_deleted(backend: Engine) -> None:
    act = add(backend, ACTIONS, **action())
    add(backend, AUDIT, at=AT, operator="jack", action_id=act, event="intent")
    add(backend, VAULT, mch_id=MCH, card_id="c1", via="hosted", added_by="jack", added_at=AT)
    add(backend, PAGES, mch_id=MCH, session_id="s1", card_id="c2", started_by="j", started_at=AT)
    add(
        backend, NOTES, mch_id=MCH, pay_order_id=PAY, status=2, amount_cents=1, first_at=AT,
        last_at=AT,
    )  # fmt: skip
    messages = {
        ACTIONS: "journal actions are never deleted",
        AUDIT: "the audit trail is append-only",
        VAULT: "vault cards are removed by marking them",
        PAGES: "card pages are ended by marking them",
        NOTES: "notifications are kept, never deleted",
    }
    for table, message in messages.items():
        refused(backend, delete(table), message)
    refused(backend, update(AUDIT).values(event="edited"), "the audit trail is append-only")
    with backend.connect() as conn:
        counts = [conn.execute(select(t.c.id)).all() for t in messages]
    assert all(len(rows) == 1 for rows in counts)


def test_truncate_is_refused_on_postgresql(pg_url: str) -> None:
    # TRUNCATE skips PostgreSQL's row triggers; SQLite has none.
    backend = ledger.open_engine(pg_url)
    ledger.migrate(backend)
    add(backend, ACTIONS, **action())
    for table in ("actions", "audit", "vault_cards", "card_pages", "notifications"):
        refused(backend, text(f"TRUNCATE {table} CASCADE"))
    backend.dispose()


def test_checks_and_uniques(backend: Engine) -> None:
    refused(backend, insert(ACTIONS).values(**action(kind="payout")))
    refused(backend, insert(ACTIONS).values(**action(state="done")))
    refused(backend, insert(ACTIONS).values(**action(amount_cents=0)))
    refused(backend, insert(ACTIONS).values(**action(amount_cents=-5)))
    refused(backend, insert(ACTIONS).values(**action(operator=None)))
    first = action(kind="charge_token", target_pay_order_id=None)
    add(backend, ACTIONS, **first)
    refused(backend, insert(ACTIONS).values(**(first | {"amount_cents": 7})))  # same mch_no
    # The audit names an action that exists (foreign keys are on, on SQLite too).
    refused(backend, insert(AUDIT).values(at=AT, operator="j", action_id=10**9, event="x"))

    card = {"mch_id": MCH, "card_id": "c1", "via": "hosted", "added_by": "j", "added_at": AT}
    refused(backend, insert(VAULT).values(**(card | {"via": "fax"})))
    add(backend, VAULT, **card)
    refused(backend, insert(VAULT).values(**card))

    page = {"mch_id": MCH, "session_id": "s1", "card_id": "c2", "started_by": "j", "started_at": AT}
    refused(backend, insert(PAGES).values(**(page | {"outcome": "maybe"})))
    add(backend, PAGES, **page)
    refused(backend, insert(PAGES).values(**(page | {"card_id": "c3"})))

    note = {"mch_id": MCH, "pay_order_id": PAY, "status": 2, "amount_cents": 1}
    note |= {"first_at": AT, "last_at": AT}
    refused(backend, insert(NOTES).values(**(note | {"times": 0})))
    add(backend, NOTES, **note)
    refused(backend, insert(NOTES).values(**note))
    add(backend, NOTES, **(note | {"status": 3}))


def test_defaults(backend: Engine) -> None:
    act = add(backend, ACTIONS, **action())
    audit = add(backend, AUDIT, at=AT, operator="jack", action_id=act, event="intent")
    note = add(
        backend, NOTES, mch_id=MCH, pay_order_id=PAY, status=2, amount_cents=1, first_at=AT,
        last_at=AT,
    )  # fmt: skip
    with backend.connect() as conn:
        a = conn.execute(select(ACTIONS).where(ACTIONS.c.id == act)).one()
        assert (a.currency, a.reason, a.attempts, a.subject, a.card_id) == ("CAD", "", 0, "", None)
        assert conn.execute(select(AUDIT.c.detail).where(AUDIT.c.id == audit)).scalar() == "{}"
        n = conn.execute(select(NOTES).where(NOTES.c.id == note)).one()
        assert (n.pay_type, n.times, n.mch_order_no, n.card_num) == ("pay", 1, "", "")


NO_CARD = "a card number is never stored"


def test_no_card_number_in_ids_and_free_texts(backend: Engine) -> None:
    note = {"mch_id": MCH, "status": 2, "amount_cents": 1, "first_at": AT, "last_at": AT}
    refused(backend, insert(NOTES).values(**note, pay_order_id=CARD), NO_CARD)
    refused(
        backend,
        insert(NOTES).values(**note, pay_order_id="PC1", mch_order_no="4242-4242-4242-4242"),
        NO_CARD,
    )
    refused(backend, insert(NOTES).values(**note, pay_order_id="PC1", pay_type=CARD), NO_CARD)
    # Ids are not card numbers: their digits follow a letter.
    row = add(
        backend, NOTES, **note, pay_order_id="RP20240102100000123456789012",
        mch_order_no="T2601011200003ABCDEFGHI",
    )  # fmt: skip
    run(backend, update(NOTES).where(NOTES.c.id == row).values(times=NOTES.c.times + 1))
    refused(backend, update(NOTES).values(mch_order_no=f"x {CARD}"), NO_CARD)

    for column in ("reason", "note", "subject", "ret_msg"):
        refused(backend, insert(ACTIONS).values(**action(**{column: f"card {CARD}"})), NO_CARD)
    act = add(backend, ACTIONS, **action(reason="Returned 424242******4242"))
    for column in ("reason", "note", "subject", "ret_msg"):
        refused(backend, update(ACTIONS).where(ACTIONS.c.id == act).values({column: CARD}), NO_CARD)
    refused(
        backend,
        insert(LOOKUPS).values(at=AT, mch_id=MCH, query="4242 4242 4242 4242", pay_order_id=PAY),
        NO_CARD,
    )
    add(backend, LOOKUPS, at=AT, mch_id=MCH, query=PAY, pay_order_id=PAY)

    # The vault, card pages and notifications never hold 13 digits in a row at all.
    card = {"mch_id": MCH, "via": "hosted", "added_by": "j", "added_at": AT}
    for column in ("card_num", "customer_label", "holder"):
        refused(backend, insert(VAULT).values(**card, card_id=f"c-{column}", **{column: CARD}))
    add(backend, VAULT, **card, card_id="ok", card_num="424242******4242")
    page = {"mch_id": MCH, "card_id": "c2", "started_by": "j", "started_at": AT}
    refused(backend, insert(PAGES).values(**page, session_id="s", customer_label=f"x{CARD}"))
    refused(backend, insert(NOTES).values(**note, pay_order_id="PC2", card_num=CARD))


def test_sqlite_and_postgresql_raise_the_same_error_class(backend: Engine) -> None:
    row = add(backend, ACTIONS, **action())
    with pytest.raises(IntegrityError) as raised, backend.begin() as conn:
        conn.execute(delete(ACTIONS).where(ACTIONS.c.id == row))
    assert "journal actions are never deleted" in str(raised.value.orig)

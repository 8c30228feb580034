"""ledger.migrate(): a new database gets the schema; a journal file of any shipped version
is upgraded by the journal's own code and stamped with every row kept; a newer schema or
a foreign database is refused with nothing written; a failed migration leaves nothing."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from iotpay_desk import ledger
from iotpay_desk.journal import ActionKind, Journal, new_mch_no
from iotpay_desk.journal.schema import MIGRATIONS
from tests.journal.test_no_card_runs import MCH, PAY, _dump, _v5_file

HEAD = ledger.head()
# Revision 0002 appends these columns and adds these tables.
ADDED_COLUMNS = {"actions": 4, "audit": 2}
ADDED_TABLES = (
    "alembic_version",
    "copied_rows",
    "ledger_meta",
    "orders",
    "jobs",
    "job_items",
    "day_closes",
    "day_close_orders",
    "bank_deposits",
    "deposit_matches",
)


def _as_before(dump: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    """A dump of a migrated file without what revisions 0002 to 0004 added."""
    return {
        t: [row[: len(row) - ADDED_COLUMNS.get(t, 0)] for row in rows]
        for t, rows in dump.items()
        if t not in ADDED_TABLES
    }


def _sqlite_schema(path: Path) -> dict[str, object]:
    """What a file's schema is made of, as SQLite itself reports it."""
    with sqlite3.connect(path) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
            )
        ]
        out: dict[str, object] = {}
        for t in tables:
            out[f"{t} columns"] = db.execute(f"PRAGMA table_info({t})").fetchall()
            indexes = []
            for _, name, unique, origin, partial in db.execute(f"PRAGMA index_list({t})"):
                cols = [r[2] for r in db.execute(f"PRAGMA index_info('{name}')")]
                # Auto-indexes of UNIQUE constraints: compared by their columns only.
                shown = name if not name.startswith("sqlite_autoindex") else origin
                indexes.append((shown, unique, origin, partial, cols))
            out[f"{t} indexes"] = sorted(indexes)
            out[f"{t} foreign keys"] = db.execute(f"PRAGMA foreign_key_list({t})").fetchall()
        out["triggers"] = sorted(
            db.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        )
        out["partial indexes"] = sorted(
            (name, " ".join(sql.split()))
            for name, sql in db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%WHERE%'"
            )
        )
        out["user_version"] = db.execute("PRAGMA user_version").fetchone()
        return out


def _journal_file(path: Path, version: int) -> None:
    """A journal file as a desk of ``version`` left it (the journal's own migrations)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for statements in MIGRATIONS[:version]:
        for statement in statements:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    db.close()


def _sqlite(path: Path) -> Engine:
    return ledger.open_engine(ledger.sqlite_url(path))


def _migrated(path: Path) -> str:
    engine = _sqlite(path)
    try:
        return ledger.migrate(engine)
    finally:
        engine.dispose()


def test_a_new_ledger_and_an_upgraded_journal_file_have_one_schema(tmp_path: Path) -> None:
    """Revision 0001 builds the journal's v6 table for table; 0002 then alters both alike."""
    with Journal(tmp_path / "journal.sqlite3"):
        pass
    assert _migrated(tmp_path / "ledger.sqlite3") == HEAD
    assert _migrated(tmp_path / "journal.sqlite3") == HEAD
    ours, theirs = (
        _sqlite_schema(tmp_path / "ledger.sqlite3"),
        _sqlite_schema(tmp_path / "journal.sqlite3"),
    )
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == theirs[key], key


def test_a_file_made_here_is_opened_by_todays_journal(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    _migrated(path)
    with Journal(path) as j:
        action = j.create_intent(
            kind=ActionKind.REFUND,
            mch_id=MCH,
            mch_no=new_mch_no("R"),
            operator="jack",
            target_pay_order_id=PAY,
            amount_cents=100,
        )
        assert j.actions_for_target(MCH, PAY) == [action]
    assert _migrated(path) == HEAD


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5, 6])
def test_an_empty_journal_of_every_version_is_upgraded_and_stamped(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "journal.sqlite3"
    _journal_file(path, version)
    assert _migrated(path) == HEAD
    assert _migrated(tmp_path / "fresh.sqlite3") == HEAD
    assert _sqlite_schema(path) == _sqlite_schema(tmp_path / "fresh.sqlite3")
    assert ledger.current_revision(_sqlite(path)) == HEAD


def test_a_version_5_journal_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "v5.sqlite3"
    _v5_file(path)  # one row in each table, one note with a long digit run
    before = _dump(path)
    assert _migrated(path) == HEAD
    after = _dump(path)
    assert after["alembic_version"] == [(HEAD,)]
    assert _as_before(after) == before
    # Audit rows name their merchant; no desk was ever recorded for them.
    assert {row[-2:] for row in after["audit"]} == {(MCH, "")}
    # The journal still works on it; so does a second migrate.
    with Journal(path) as j:
        (old,) = j.actions_for_target(MCH, PAY)
        assert old.note == "phone 1234567890123"
    assert _migrated(path) == HEAD


def test_a_version_6_journal_in_use_is_stamped_and_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    with Journal(path) as j:
        action = j.create_intent(
            kind=ActionKind.VOID,
            mch_id=MCH,
            mch_no=new_mch_no("V"),
            operator="jill",
            target_pay_order_id=PAY,
            reason="Wrong amount",
        )
        j.record_lookup(MCH, PAY, PAY, "order-1")
    schema, before = _sqlite_schema(path), _dump(path)
    assert _migrated(path) == HEAD
    after = _dump(path)
    assert after["alembic_version"] == [(HEAD,)]
    assert _as_before(after) == before
    assert {row[-2:] for row in after["audit"]} == {(MCH, "")}
    assert _migrated(tmp_path / "fresh.sqlite3") == HEAD
    assert _sqlite_schema(path) == _sqlite_schema(tmp_path / "fresh.sqlite3") != schema
    with Journal(path) as j:
        assert j.actions_for_target(MCH, PAY) == [action]


def test_a_journal_from_a_newer_desk_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "v7.sqlite3"
    _journal_file(path, 6)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 7")
    db.close()
    before = path.read_bytes()
    engine = _sqlite(path)
    with pytest.raises(ledger.LedgerTooNew, match="journal version 7"):
        ledger.migrate(engine)
    engine.dispose()
    assert path.read_bytes() == before


def test_a_newer_revision_is_refused_untouched(backend: Engine) -> None:
    with backend.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with backend.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
    with pytest.raises(ledger.LedgerTooNew, match="9999_from_the_future") as raised:
        ledger.migrate(backend)
    assert raised.value.found == "revision 9999_from_the_future"
    assert ledger.current_revision(backend) == "9999_from_the_future"
    with backend.connect() as conn:
        assert sorted(inspect(conn).get_table_names()) == tables


def test_a_database_with_other_tables_is_not_touched(empty_backend: Engine) -> None:
    with empty_backend.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(ledger.NotALedger, match="invoices"):
        ledger.migrate(empty_backend)
    with empty_backend.connect() as conn:
        assert inspect(conn).get_table_names() == ["invoices"]


def test_a_failed_migration_leaves_nothing_half_made(empty_backend: Engine) -> None:
    # A view in the way of the last table: the revision fails after creating the others.
    with empty_backend.begin() as conn:
        conn.execute(text("CREATE VIEW notifications AS SELECT 1 AS one"))
    with pytest.raises(Exception, match="notifications"):
        ledger.migrate(empty_backend)
    with empty_backend.connect() as conn:
        assert inspect(conn).get_table_names() == []
    assert ledger.current_revision(empty_backend) is None


def test_migrate_twice_is_a_no_op(backend: Engine) -> None:
    assert ledger.current_revision(backend) == HEAD
    assert ledger.migrate(backend) == HEAD
    if backend.dialect.name == "postgresql":
        with backend.connect() as conn:
            triggers = conn.execute(
                text("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")
            ).scalar_one()
        # 5 tables never deleted (+ truncate), fixed fields, final state, 3 x 2 card rules,
        # audit not updated; revision 0002: the desk fixed, 4 tables notifying.
        assert triggers == 5 * 2 + 2 + 6 + 1 + 1 + 4


def test_every_sqlite_connection_is_set_up_like_the_journals(tmp_path: Path) -> None:
    engine = _sqlite(tmp_path / "ledger.sqlite3")
    ledger.migrate(engine)
    with engine.connect() as one, engine.connect() as two:
        for conn in (one, two):
            pragmas = {
                p: conn.exec_driver_sql(f"PRAGMA {p}").scalar_one()
                for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
            assert pragmas == {
                "journal_mode": "wal",
                "synchronous": 2,  # FULL
                "foreign_keys": 1,
                "busy_timeout": 10_000,
            }
    engine.dispose()


def test_sqlite_transactions_are_real(tmp_path: Path) -> None:
    """DDL and DML roll back together (the driver's implicit transactions are off), and a
    connection asking for it takes the write lock first."""
    engine = _sqlite(tmp_path / "ledger.sqlite3")
    with engine.connect() as conn:
        with conn.begin() as tx:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            tx.rollback()
        assert inspect(conn).get_table_names() == []
    with engine.connect() as writer, engine.connect() as other:
        writer.execution_options(ledger_begin="IMMEDIATE")
        with writer.begin():
            other.exec_driver_sql("PRAGMA busy_timeout = 0")
            other.commit()
            with pytest.raises(Exception, match="locked"), other.begin():
                other.exec_driver_sql("CREATE TABLE u (x INTEGER)")
    engine.dispose()


def test_an_unknown_url_is_refused() -> None:
    with pytest.raises(ledger.LedgerError, match="not mysql"):
        ledger.open_engine("mysql://host/db")
    with pytest.raises(ledger.LedgerError, match="a SQLite ledger is a file"):
        ledger.open_engine("sqlite://")


def _at_revision(path: Path, revision: str) -> None:
    """A SQLite ledger file brought only to ``revision`` (as an older desk left it)."""
    from alembic import command

    from iotpay_desk.ledger.migrate import _config

    engine = _sqlite(path)
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), revision)
    finally:
        engine.dispose()


def test_an_older_ledger_is_copied_beside_itself_before_its_migration(tmp_path: Path) -> None:
    from iotpay_desk.core.about import desk_version
    from iotpay_desk.ledger.migrate import DESK_VERSION_KEY, backup_path

    folder = tmp_path / "ledgers"
    folder.mkdir()
    path = folder / "ledger.sqlite3"
    _at_revision(path, "0003")
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO ledger_meta (key, value) VALUES ('note', 'kept')")
    schema_before = _sqlite_schema(path)

    assert _migrated(path) == ledger.head()

    copy = backup_path(path, "0003")
    assert copy.name == "ledger.before-0003.sqlite3"
    assert _sqlite_schema(copy) == schema_before  # the file as it was, schema and rows
    with contextlib.closing(sqlite3.connect(copy)) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("0003",)]
        assert db.execute("SELECT value FROM ledger_meta WHERE key = 'note'").fetchall() == [
            ("kept",)
        ]
    with contextlib.closing(sqlite3.connect(path)) as db:
        found = db.execute("SELECT value FROM ledger_meta WHERE key = ?", (DESK_VERSION_KEY,))
        assert found.fetchall() == [(desk_version(),)]
    # Opened again at head: no second copy, nothing rewritten.
    _migrated(path)
    files = {p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))}
    assert files == {"ledger.sqlite3", "ledger.before-0003.sqlite3"}


def test_a_ledger_at_head_is_not_copied(tmp_path: Path) -> None:
    folder = tmp_path / "ledgers"
    folder.mkdir()
    path = folder / "ledger.sqlite3"
    _migrated(path)  # made here: nothing to keep
    _migrated(path)
    assert not list(folder.glob("*.before-*"))


def test_a_newer_ledger_names_the_version_it_needs_and_its_bytes_stay(tmp_path: Path) -> None:
    from iotpay_desk.ledger.migrate import DESK_VERSION_KEY

    folder = tmp_path / "ledgers"
    folder.mkdir()
    path = folder / "ledger.sqlite3"
    _migrated(path)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '0042'")
        db.execute("UPDATE ledger_meta SET value = '3.1.0' WHERE key = ?", (DESK_VERSION_KEY,))
    files_before = {p.name: p.read_bytes() for p in folder.iterdir()}

    engine = _sqlite(path)
    with pytest.raises(ledger.LedgerTooNew) as raised:
        ledger.migrate(engine)
    engine.dispose()
    assert raised.value.found == "revision 0042"
    assert raised.value.needs == "3.1.0"
    assert "Update the desk to version 3.1.0 or newer" in str(raised.value)
    # Every byte as it was, and nothing beside it (no copy, no journal left).
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files_before


def test_a_newer_ledger_that_names_no_version_is_refused_all_the_same(backend: Engine) -> None:
    with backend.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0042'"))
        conn.execute(text("DELETE FROM ledger_meta WHERE key = 'schema_desk_version'"))
    with pytest.raises(ledger.LedgerTooNew) as raised:
        ledger.migrate(backend)
    assert raised.value.needs == ""
    assert "Update the desk to a newer version" in str(raised.value)


def test_a_ledger_id_never_reads_as_a_card_number(backend: Engine) -> None:
    import re

    from iotpay_desk.api.rules import has_card_run
    from iotpay_desk.ledger.copy import ledger_id

    found = ledger_id(backend)
    assert re.fullmatch(r"L[0-9a-f]{32}", found)
    # Even the id made of decimal digits only (a uuid hex may start with 13 of them).
    assert not has_card_run("L" + "4242424242424242" * 2)
    assert has_card_run("4242424242424242" * 2)  # what the bare hex would have been


def test_revision_0006_indexes_the_vault_cards_already_there_and_goes_back(
    backend: Engine,
) -> None:
    """The vault's substring index (0006) is made over the cards already in the vault
    (its search text is the journal's): found by a search through it at once; taken
    away and made again by a downgrade to 0005 and an upgrade."""
    from alembic import command

    from iotpay_desk.ledger.journal import LedgerJournal
    from iotpay_desk.ledger.migrate import _config

    def to(revision: str, *, down: bool = False) -> None:
        with backend.begin() as conn:
            cfg = _config(conn)
            (command.downgrade if down else command.upgrade)(cfg, revision)

    def search_index() -> set[str]:
        with backend.connect() as conn:
            if backend.dialect.name == "sqlite":
                sql = "SELECT name FROM sqlite_master WHERE name LIKE 'vault_cards_fts%'"
            else:
                sql = "SELECT indexname FROM pg_indexes WHERE indexname = 'vault_cards_search'"
            return {r[0] for r in conn.execute(text(sql))}

    journal = LedgerJournal(backend)
    journal.add_vault_card(
        mch_id=MCH,
        card_id="C-before-0006",
        customer_label="Gertrude Ostrowski, account 90210",
        card_num="424242******4242",
        brand="V",
        expiry_date="1230",
        holder="G OSTROWSKI",
        via="hosted",
        operator="jack",
    )
    to("0005", down=True)
    assert not search_index()
    to("head")  # the card was in the vault before 0006
    assert search_index()
    for words in ("ostrowski", "90210", "c-before", "gertrude 4242"):
        assert [c.card_id for c in journal.list_vault_cards(MCH, words)] == ["C-before-0006"]
    assert journal.vault_labels(MCH, ["C-before-0006", "C-none"]) == {
        "C-before-0006": "Gertrude Ostrowski, account 90210"
    }
    to("0005", down=True)
    assert not search_index()
    to("head")
    assert [c.card_id for c in journal.list_vault_cards(MCH, "strows")] == ["C-before-0006"]

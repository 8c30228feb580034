"""The shared ledger: every audit row names its merchant and desk, every action the desk
that wrote it; a lease on checking an unresolved action; the ledger's own id
(``ledger_meta``); the rows a copy has brought (``copied_rows``); and, on PostgreSQL, a
``NOTIFY`` on each change other desks show.

Audit rows written before this revision get their merchant from their action, or, in a
ledger that only ever held one merchant (every journal file did), from that merchant.
They keep an empty desk: which computer wrote them was never recorded.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from iotpay_desk.ledger.schema import (
    _SQLITE_TRIGGERS,
    LEDGER_CHANNEL,
    NOTIFYING_TABLES,
    r0002_columns,
    r0002_tables,
)

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_DESK_FIXED = "the desk that wrote an action never changes"

_PG_NOTIFY = f"""
CREATE FUNCTION ledger_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('{LEDGER_CHANNEL}', TG_TABLE_NAME || ':' || NEW.mch_id || ':' || NEW.id);
    RETURN NULL;
END $fn$
"""


def _backfill_audit_merchant() -> None:
    op.execute(
        "UPDATE audit SET mch_id = (SELECT a.mch_id FROM actions a WHERE a.id = audit.action_id)"
        " WHERE action_id IS NOT NULL"
    )
    bind = op.get_bind()
    merchants = {
        row[0]
        for table in ("actions", "vault_cards", "card_pages", "lookups", "notifications")
        for row in bind.execute(sa.text(f"SELECT DISTINCT mch_id FROM {table}"))  # noqa: S608
    }
    if len(merchants) == 1:
        op.execute(
            sa.text("UPDATE audit SET mch_id = :m WHERE mch_id = ''").bindparams(m=merchants.pop())
        )


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for table, columns in r0002_columns().items():
        for column in columns:
            op.add_column(table, column)
    md = sa.MetaData()
    for new_table in r0002_tables(md):
        new_table.create(bind)
    # "L" and 32 hex digits: a bare uuid hex starting with 13 decimal digits (about one in
    # 450) would read as a card number to the checks that keep card data out of files.
    op.execute(
        sa.text("INSERT INTO ledger_meta (key, value) VALUES ('ledger_id', :id)").bindparams(
            id="L" + uuid.uuid4().hex
        )
    )
    # The audit trail refuses updates: lifted for the backfill, in this transaction only.
    if sqlite:
        op.execute("DROP TRIGGER audit_no_update")
        _backfill_audit_merchant()
        for sql in _SQLITE_TRIGGERS["audit"]:
            if "audit_no_update" in sql:
                op.execute(sql)
        op.execute(
            "CREATE TRIGGER actions_desk_fixed BEFORE UPDATE OF desk ON actions "
            "WHEN NEW.desk IS NOT OLD.desk "
            f"BEGIN SELECT RAISE(ABORT, '{_DESK_FIXED}'); END"
        )
    else:
        op.execute("ALTER TABLE audit DISABLE TRIGGER audit_no_update")
        _backfill_audit_merchant()
        op.execute("ALTER TABLE audit ENABLE TRIGGER audit_no_update")
        op.execute(
            "CREATE FUNCTION actions_desk_fixed() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
            "BEGIN IF NEW.desk IS DISTINCT FROM OLD.desk THEN RAISE EXCEPTION USING "
            f"ERRCODE = '23000', MESSAGE = '{_DESK_FIXED}'; END IF; RETURN NEW; END $fn$"
        )
        op.execute(
            "CREATE TRIGGER actions_desk_fixed BEFORE UPDATE OF desk ON actions "
            "FOR EACH ROW EXECUTE FUNCTION actions_desk_fixed()"
        )
        op.execute(_PG_NOTIFY)
        for table in NOTIFYING_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_notify()"
            )
    op.create_index("audit_merchant", "audit", ["mch_id", "id"])


def downgrade() -> None:
    raise NotImplementedError("the ledger is never downgraded")

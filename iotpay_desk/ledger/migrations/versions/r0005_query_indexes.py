"""Indexes for the queries that slowed down with the ledger's age: an order's actions,
notifications and audit entries read in id order, a merchant's unresolved actions, and
the Card vault's list in its own order (``schema.r0005_indexes`` says which and why).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

from iotpay_desk.ledger.schema import VAULT_FOLD

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_OPEN = "state IN ('intent', 'checking')"

# Each index remade: (name, table, its columns before, its columns now, its WHERE).
_TARGET, _NOTIFIED = "mch_id, target_pay_order_id", "mch_id, pay_order_id"
_REMADE = (
    ("actions_target", "actions", _TARGET, f"{_TARGET}, id", ""),
    ("actions_open", "actions", "state", "mch_id, id", _OPEN),
    ("notifications_order", "notifications", _NOTIFIED, f"{_NOTIFIED}, id", ""),
    ("audit_action", "audit", "action_id", "action_id, id", ""),
)

_VAULT_LIST = {
    "sqlite": "mch_id, customer_label COLLATE NOCASE, card_id",
    "postgresql": f"mch_id, ({VAULT_FOLD}), card_id",
}


def _create(name: str, table: str, columns: str, where: str) -> None:
    op.execute(f"CREATE INDEX {name} ON {table} ({columns})" + (f" WHERE {where}" if where else ""))


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table, _before, now, where in _REMADE:
        op.execute(f"DROP INDEX {name}")
        _create(name, table, now, where)
    # It replaces vault_cards_live (mch_id, removed_at), which SQLite would take for the
    # list (two columns equal) and then sort every card by.
    op.execute("DROP INDEX vault_cards_live")
    _create("vault_cards_list", "vault_cards", _VAULT_LIST[dialect], "removed_at IS NULL")


def downgrade() -> None:
    op.execute("DROP INDEX vault_cards_list")
    _create("vault_cards_live", "vault_cards", "mch_id, removed_at", "")
    for name, table, before, _now, where in _REMADE:
        op.execute(f"DROP INDEX {name}")
        _create(name, table, before, where)

"""The journal's schema at version 6: actions, audit, lookups, vault_cards, card_pages,
notifications, with their CHECKs, UNIQUEs, partial indexes and triggers.

A SQLite file made here also gets ``user_version`` 6, so the journal opens it as its own;
a journal file already at version 6 is stamped at this revision without running it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

from iotpay_desk.ledger.schema import v6_metadata

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    bind = op.get_bind()
    v6_metadata().create_all(bind, checkfirst=False)
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 6")


def downgrade() -> None:
    raise NotImplementedError("the ledger is never downgraded")

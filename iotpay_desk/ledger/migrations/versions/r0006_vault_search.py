"""The Card vault's search through an index of substrings, as the books' search: an FTS5
trigram table over ``vault_cards.search_text`` kept by triggers (SQLite), a pg_trgm GIN
index on it (PostgreSQL). The column itself is the journal's since version 6 (the
label, the cardId, the name on the card and the last four digits, casefolded; never a
card number); the cards already in the vault are indexed as the revision runs. On
SQLite the list index also takes the search text and brand (``schema.SQLITE_VAULT_LIST``).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

from iotpay_desk.ledger.schema import (
    PG_VAULT_SEARCH,
    PG_VAULT_SEARCH_DROP,
    SQLITE_VAULT_LIST,
    SQLITE_VAULT_LIST_DROP,
    SQLITE_VAULT_SEARCH,
    SQLITE_VAULT_SEARCH_DROP,
)

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for sql in PG_VAULT_SEARCH if pg else (*SQLITE_VAULT_SEARCH, *SQLITE_VAULT_LIST):
        op.execute(sql)


def downgrade() -> None:
    # pg_trgm stays: the books' search uses it too.
    pg = op.get_bind().dialect.name == "postgresql"
    for sql in PG_VAULT_SEARCH_DROP if pg else (*SQLITE_VAULT_LIST_DROP, *SQLITE_VAULT_SEARCH_DROP):
        op.execute(sql)

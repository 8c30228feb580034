"""The books: every IOTPay order the merchant's desks know of (made, looked up, notified
or imported), one row each, with the indexes its lists are read through.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iotpay_desk.ledger.schema import NAMING_CONVENTION, r0003_tables

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in r0003_tables(sa.MetaData(naming_convention=NAMING_CONVENTION)):
        table.create(bind)


def downgrade() -> None:
    raise NotImplementedError("the ledger is never downgraded")

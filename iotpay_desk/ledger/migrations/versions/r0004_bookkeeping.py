"""The bookkeeper's work on the books: imports and reconciliations that resume after a
crash (jobs and their items), closed business days with their orders as closed, and bank
deposits matched to days' net settlements; an index finding a payment's
notifications.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iotpay_desk.ledger.schema import NAMING_CONVENTION, ORDERS_AT_0004, r0004_tables

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    bind = op.get_bind()
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    for table in r0004_tables(md):
        table.create(bind)
    op.create_index("notifications_order", "notifications", ["mch_id", "pay_order_id"])
    # The books' list index, made covering for the days' totals (same name, same order).
    op.drop_index("orders_at", table_name="orders")
    op.create_index("orders_at", "orders", list(ORDERS_AT_0004))


def downgrade() -> None:
    raise NotImplementedError("the ledger is never downgraded")

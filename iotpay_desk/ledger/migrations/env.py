"""Alembic environment: runs on the connection :func:`iotpay_desk.ledger.migrate` gives,
inside the transaction it holds (no URL, no alembic.ini, no logging set-up)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection) or context.is_offline_mode():
    raise RuntimeError("ledger migrations run through iotpay_desk.ledger.migrate(engine)")
_run(_connection)

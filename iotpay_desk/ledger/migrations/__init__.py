"""Alembic's migration environment for the ledger (a package, so the frozen desk
carries it; :func:`iotpay_desk.ledger.migrate` runs it without an alembic.ini)."""

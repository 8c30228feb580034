"""Imports and reconciliations as the services see them: jobs of many orders, each item's
state kept in the ledger so a job resumes after a crash (no database here:
``iotpay_desk.ledger.jobs`` reads and writes them). Plain Python: no Qt, no SQLAlchemy."""

from __future__ import annotations

from typing import Protocol

__all__ = ["JobStore"]


class JobStore(Protocol):
    """Jobs in the ledger (``LedgerJournal.jobs``). Blocking calls."""

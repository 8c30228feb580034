"""Bank deposits as the services see them: a statement's deposits and their matches to
business days' nets (no database here: ``iotpay_desk.ledger.deposits`` reads and writes
them). Plain Python: no Qt, no SQLAlchemy."""

from __future__ import annotations

from typing import Protocol

__all__ = ["DepositStore"]


class DepositStore(Protocol):
    """Bank deposits in the ledger (``LedgerJournal.deposits``). Blocking calls."""

"""The ledger as the services see it: Protocols, no backend named.

The services (``iotpay_desk.services``) and the notify receiver take a :class:`Ledger`;
:class:`iotpay_desk.ledger.LedgerJournal` is the one implementation the desk runs (SQLite
on this computer, or a shared PostgreSQL server). The protocols are split by what a
caller needs: :class:`ActionLedger` (money actions and their audit, the lease on
checking one), :class:`BooksLedger` (the merchant's books of IOTPay orders),
:class:`LookupLedger`, :class:`VaultLedger` (the card vault and add-card
pages), :class:`NotificationLedger` (what the notify receiver writes); :class:`Ledger`
is all of them.

Every method blocks on I/O: asyncio code calls them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from iotpay_desk.core.settings import default_desk_name

from .models import (
    Action,
    ActionKind,
    ActionState,
    AuditEntry,
    CardPage,
    Lookup,
    Notification,
    VaultCard,
)

if TYPE_CHECKING:
    from iotpay_desk.api.models import Order

    from .days import DayStore
    from .deposits import DepositStore
    from .jobs import JobStore

__all__ = [
    "ActionLedger",
    "BookkeepingLedger",
    "BooksLedger",
    "DeskIdentity",
    "Ledger",
    "LookupLedger",
    "NotificationLedger",
    "VaultLedger",
]


@dataclass(frozen=True, slots=True)
class DeskIdentity:
    """Who writes to the ledger: the desk's ``name`` (set per computer, shown to other
    desks and written in every audit row) and ``instance``, one running desk program
    (two desks started on one computer share a name, never an instance). Leases on
    checking unresolved actions belong to an instance."""

    name: str
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def here(cls, name: str | None = None) -> DeskIdentity:
        return cls(name=(name or "").strip() or default_desk_name())


class ActionLedger(Protocol):
    """Money actions: each written as an intent before its call leaves, then its outcome."""

    desk: DeskIdentity

    def create_intent(
        self,
        *,
        kind: ActionKind,
        mch_id: str,
        mch_no: str,
        operator: str,
        target_pay_order_id: str | None = ...,
        amount_cents: int | None = ...,
        currency: str = ...,
        reason: str = ...,
        note: str = ...,
        card_id: str | None = ...,
        mch_user_id: str | None = ...,
        subject: str = ...,
        changed_since: int | None = ...,
        detail: Mapping[str, Any] | None = ...,
        now: datetime | None = ...,
    ) -> Action: ...

    def mark_checking(
        self, action_id: int, *, why: str, operator: str | None = ..., now: datetime | None = ...
    ) -> Action: ...

    def record_check(
        self,
        action_id: int,
        *,
        result: str,
        operator: str | None = ...,
        now: datetime | None = ...,
    ) -> Action: ...

    def complete(
        self,
        action_id: int,
        state: ActionState,
        *,
        order: Order | None = ...,
        ret_msg: str = ...,
        event: str = ...,
        checked: bool = ...,
        operator: str | None = ...,
        detail: Mapping[str, Any] | None = ...,
        now: datetime | None = ...,
    ) -> Action: ...

    def claim_check(self, action_id: int, *, now: datetime | None = ...) -> Action | None: ...

    def release_check(self, action_id: int) -> None: ...

    def release_all_checks(self) -> int: ...

    def get_action(self, action_id: int) -> Action: ...

    def find_action(self, mch_id: str, mch_no: str) -> Action | None: ...

    def actions_for_target(self, mch_id: str, pay_order_id: str) -> list[Action]: ...

    def draft_basis(self, mch_id: str, pay_order_id: str) -> int: ...

    def latest_action_id(self, mch_id: str, pay_order_id: str) -> int: ...

    def open_actions(self, mch_id: str | None = ...) -> list[Action]: ...

    def actions_page(self, limit: int = ..., before_id: int | None = ...) -> list[Action]: ...

    def append_audit(
        self,
        operator: str,
        event: str,
        *,
        action_id: int | None = ...,
        detail: Mapping[str, Any] | None = ...,
        mch_id: str = ...,
        now: datetime | None = ...,
    ) -> AuditEntry: ...

    def audit_page(self, limit: int = ..., before_id: int | None = ...) -> list[AuditEntry]: ...

    def audit_for_action(self, action_id: int) -> list[AuditEntry]: ...


class LookupLedger(Protocol):
    def record_lookup(
        self,
        mch_id: str,
        query: str,
        pay_order_id: str,
        mch_order_no: str = ...,
        *,
        keep: int = ...,
        now: datetime | None = ...,
    ) -> Lookup: ...

    def recent_lookups(self, mch_id: str, limit: int = ...) -> list[Lookup]: ...


class BooksLedger(Protocol):
    def record_order(
        self, order: Order, *, source: str, confirmed: bool, now: datetime | None = ...
    ) -> object:
        """Put an IOTPay order the desk saw (``source``: lookup, notify, import) in the
        merchant's books; ``confirmed``: IOTPay's answer to ``cc_query``. The orders a
        desk makes are put there by :meth:`ActionLedger.complete`."""
        ...

    def books_page(
        self, mch_id: str, flt: Any, *, limit: int = ..., after: Any = ..., through: Any = ...
    ) -> list[Any]:
        """A page of the merchant's books matching ``flt`` (``ledger.books.BooksFilter``),
        newest first, after ``after`` and down to ``through`` (``ledger.books.BookKey``)."""
        ...


class BookkeepingLedger(Protocol):
    """The bookkeeper's work on the books: imports and reconciliations (``jobs``),
    business days (``days``), bank deposits (``deposits``)."""

    @property
    def jobs(self) -> JobStore: ...

    @property
    def days(self) -> DayStore: ...

    @property
    def deposits(self) -> DepositStore: ...


class NotificationLedger(Protocol):
    def record_notification(self, order: Order, *, now: datetime | None = ...) -> Notification: ...

    def notifications(
        self, mch_id: str, pay_order_id: str | None = ..., *, limit: int = ...
    ) -> list[Notification]: ...


class VaultLedger(Protocol):
    def add_vault_card(
        self,
        *,
        mch_id: str,
        card_id: str,
        customer_label: str,
        card_num: str,
        brand: str,
        expiry_date: str,
        holder: str,
        via: str,
        operator: str,
        detail: Mapping[str, Any] | None = ...,
        now: datetime | None = ...,
    ) -> VaultCard: ...

    def get_vault_card(
        self, mch_id: str, card_id: str, *, include_removed: bool = ...
    ) -> VaultCard | None: ...

    def list_vault_cards(
        self, mch_id: str, search: str = ..., *, limit: int | None = ...
    ) -> list[VaultCard]: ...

    def vault_labels(self, mch_id: str, card_ids: Iterable[str]) -> dict[str, str]: ...

    def count_vault_cards(self, mch_id: str) -> int: ...

    def update_vault_card(
        self,
        mch_id: str,
        card_id: str,
        *,
        operator: str,
        card_num: str | None = ...,
        brand: str | None = ...,
        expiry_date: str | None = ...,
        holder: str | None = ...,
        customer_label: str | None = ...,
        refreshed: bool = ...,
        now: datetime | None = ...,
    ) -> VaultCard: ...

    def remove_vault_card(
        self,
        mch_id: str,
        card_id: str,
        *,
        operator: str,
        detail: Mapping[str, Any] | None = ...,
        now: datetime | None = ...,
    ) -> VaultCard: ...

    def recent_card_actions(
        self,
        mch_id: str,
        card_id: str,
        since: datetime,
        *,
        kind: ActionKind = ...,
        amount_cents: int | None = ...,
    ) -> list[Action]: ...

    def open_card_page(
        self,
        *,
        mch_id: str,
        session_id: str,
        card_id: str,
        customer_label: str,
        operator: str,
        now: datetime | None = ...,
    ) -> CardPage: ...

    def open_card_pages(self, mch_id: str) -> list[CardPage]: ...

    def end_card_page(
        self,
        session_id: str,
        outcome: str,
        *,
        operator: str,
        event: str | None = ...,
        detail: Mapping[str, Any] | None = ...,
        now: datetime | None = ...,
    ) -> CardPage | None: ...

    def close_card_page(
        self, session_id: str, *, operator: str, now: datetime | None = ...
    ) -> CardPage | None: ...


class Ledger(
    ActionLedger,
    BooksLedger,
    BookkeepingLedger,
    LookupLedger,
    NotificationLedger,
    VaultLedger,
    Protocol,
):
    """Everything the desk keeps about one merchant's money, cards and notifications."""

    def close(self) -> None: ...

"""The merchant's books as the services and the desk see them: an order in the books,
a position in a list, a filter (no database here: ``iotpay_desk.ledger.books`` reads
and writes them). Plain Python: no Qt, no SQLAlchemy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from iotpay_desk.api.models import OrderStatus

from .models import format_time

__all__ = [
    "BOOK_KINDS",
    "BOOK_SOURCES",
    "SEARCH_MIN",
    "BookEntry",
    "BookKey",
    "BooksFilter",
    "FilterProblem",
]

# The kinds of order in the books, as IOTPay's payType and the desk's action say.
BOOK_KINDS = ("payment", "refund", "void")
# How an order first came into the books.
BOOK_SOURCES = ("desk", "lookup", "notify", "import")

SEARCH_MIN = 3
"""Free text shorter than this matches whole order numbers, customers and cards only:
the search indexes are of trigrams (three characters)."""

_LAST4 = re.compile(r"[0-9]{4}")


@dataclass(frozen=True, slots=True)
class BookEntry:
    """One IOTPay order in the books. Amounts in cents; times aware UTC."""

    id: int
    mch_id: str
    pay_order_id: str
    mch_order_no: str
    kind: str  # payment, refund, void
    original_order_id: str
    amount_cents: int
    refunded_cents: int
    currency: str
    status: int
    card_brand: str
    card_last4: str
    card_id: str
    customer: str
    subject: str
    operator: str
    desk: str
    reason: str
    note: str
    at: datetime
    paid_at: str  # as IOTPay gave it (Toronto time), "" if never given
    first_seen_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None  # None: IOTPay never confirmed it (only notified)
    source: str  # desk, lookup, notify, import

    @property
    def key(self) -> BookKey:
        """Where the next page after this row starts."""
        return BookKey(format_time(self.at), self.id)


@dataclass(frozen=True, slots=True)
class BookKey:
    """A position in a newest-first list: the row's time (ledger text) and id."""

    at: str
    id: int


class FilterProblem(ValueError):
    """A filter that cannot be read: names the field and the rule (``field``, ``rule``)."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


@dataclass(frozen=True)
class BooksFilter:
    """Which orders a list shows; every part given must hold (they combine with AND).

    ``since`` and ``until`` are aware times (``until`` excluded); ``amount_min`` and
    ``amount_max`` are cents, both included (equal for one amount); ``last4`` is the
    card's last four digits; ``text`` matches a whole order number (IOTPay's order id,
    the merchant's order number, or the payment a refund returns), customer or card on
    file, or, from 3 characters on, any part of the merchant's order number, the
    customer, the card on file, the subject, reason and note, in any case."""

    since: datetime | None = None
    until: datetime | None = None
    statuses: frozenset[int] = field(default_factory=frozenset)
    kinds: frozenset[str] = field(default_factory=frozenset)
    amount_min: int | None = None
    amount_max: int | None = None
    last4: str = ""
    operator: str = ""
    desk: str = ""
    text: str = ""

    def check(self) -> None:
        """Raise :class:`FilterProblem` for the first part that cannot be used."""
        for name in ("since", "until"):
            when = getattr(self, name)
            if when is not None and when.tzinfo is None:
                raise FilterProblem(name, "a time with its time zone")
        if self.since and self.until and self.until <= self.since:
            raise FilterProblem("until", "after the start of the range")
        unknown = set(self.kinds) - set(BOOK_KINDS)
        if unknown:
            raise FilterProblem("kinds", f"one of {', '.join(BOOK_KINDS)}")
        known = {int(s) for s in OrderStatus}
        if set(self.statuses) - known:
            raise FilterProblem("statuses", "IOTPay order statuses (0, 1, 2, 3, 9)")
        for name in ("amount_min", "amount_max"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise FilterProblem(name, "0 or more")
        if (
            self.amount_min is not None
            and self.amount_max is not None
            and self.amount_max < self.amount_min
        ):
            raise FilterProblem("amount_max", "at least the smallest amount")
        if self.last4 and not _LAST4.fullmatch(self.last4):
            raise FilterProblem("last4", "exactly 4 digits")

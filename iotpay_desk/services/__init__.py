"""Use cases behind the screens: look up, refund, void, charge, purchase links, the card
vault, receipts; resolving unknown outcomes.

Plain asyncio Python: nothing here imports Qt. Widgets call these, never the network.

- :class:`MoneyService` (``money``): the one object the screens use for money: lookups,
  refunds and voids, charges on file (``charge_card``), wallet charges
  (``charge_wallet``), purchase links (``start_purchase``) and following them
  (``follow``), all through the journal. It hands each to the module that does it:

  - ``sending``: drafts and the one send-once path (journal the intent, send once,
    record the answer; a lost one is checked, never sent twice) and ``send_again``;
  - ``checking``: the one look with ``cc_query`` and the one check loop of an
    unresolved action (``Checker.check``), which ``resolve``/``resolve_unresolved``,
    ``check_due``/``watch``, ``send_again`` and look-ups all use; ``follow``;
  - ``refunds`` (refund, void), ``charging`` (charges on file and wallet charges),
    ``purchases`` (purchase links), ``lookups`` (orders, recent look-ups, the
    journal's pages);
  - ``context`` (what they share: client, journal, clock, the task owning each
    action's number, the journal writes) and ``results`` (``Draft``,
    ``ActionResult``).
- :class:`CardService` (``cards``): the profile's card vault, hosted and direct adds.
- ``returns``: the desk's return URL for hosted pages and the hints it brings back.
- ``receipts``: receipt content and its printable HTML / text.

:class:`InvalidInput` names the field at fault with its API name (``cardId``,
``cardNum``, ``expiryDate``, ``cvv``, ``holder``, ``amount``, ``subject``, ``note``,
``clientIp``, ``mchUserId``, ``walletType``, ``walletData``, ``body``), or
``customerLabel`` for a vault card's label, which only the desk keeps.
"""

from .cards import (
    VAULT_PAGE,
    AddCardSession,
    CardService,
    ExpiryState,
    VaultCard,
    check_card_id,
    check_label,
)
from .charges import (
    FOLLOW_ATTEMPTS,
    FOLLOW_INTERVAL_S,
    SIMILAR_WITHIN_S,
    PurchaseSession,
    WalletToken,
    check_wallet,
)
from .errors import (
    ActionInProgress,
    CannotReachIotPay,
    CardNotAdded,
    CardNotBound,
    DirectAddDisabled,
    InvalidInput,
    MoneyError,
    NotInJournal,
    OrderNotFound,
    PaymentChanged,
    RefusedByIotPay,
    UnknownCard,
    UnknownDraft,
)
from .money import CHECK_DELAYS, ActionResult, Draft, MoneyService, OrderDetail
from .receipts import (
    Receipt,
    ReceiptKind,
    ReceiptStatus,
    receipt_for,
    receipt_for_order,
    receipt_html,
    receipt_text,
)
from .returns import RETURN_URL_BASE, ReturnHint, parse_return_url, return_url_for
from .rules import (
    Advice,
    FailureKind,
    StatusWord,
    advice,
    classify_failure,
    looks_like_pay_order_id,
    settles_at,
    status_word,
)

__all__ = [
    "CHECK_DELAYS",
    "FOLLOW_ATTEMPTS",
    "FOLLOW_INTERVAL_S",
    "RETURN_URL_BASE",
    "SIMILAR_WITHIN_S",
    "VAULT_PAGE",
    "ActionInProgress",
    "ActionResult",
    "AddCardSession",
    "Advice",
    "CannotReachIotPay",
    "CardNotAdded",
    "CardNotBound",
    "CardService",
    "DirectAddDisabled",
    "Draft",
    "ExpiryState",
    "FailureKind",
    "InvalidInput",
    "MoneyError",
    "MoneyService",
    "NotInJournal",
    "OrderDetail",
    "OrderNotFound",
    "PaymentChanged",
    "PurchaseSession",
    "Receipt",
    "ReceiptKind",
    "ReceiptStatus",
    "RefusedByIotPay",
    "ReturnHint",
    "StatusWord",
    "UnknownCard",
    "UnknownDraft",
    "VaultCard",
    "WalletToken",
    "advice",
    "check_card_id",
    "check_label",
    "check_wallet",
    "classify_failure",
    "looks_like_pay_order_id",
    "parse_return_url",
    "receipt_for",
    "receipt_for_order",
    "receipt_html",
    "receipt_text",
    "return_url_for",
    "settles_at",
    "status_word",
]

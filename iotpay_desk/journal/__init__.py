"""The money journal: intents before money moves, their outcome, the audit trail.

Plain Python over SQLite: nothing here imports Qt. See :mod:`.store` for the threading
rules and :mod:`.ids` for the generated mchRefundNo / mchOrderNo format.
"""

from .errors import (
    CardInVault,
    CardNotInVault,
    JournalError,
    JournalTooNew,
    OpenActionExists,
    TargetChanged,
)
from .ids import new_mch_no
from .models import (
    Action,
    ActionKind,
    ActionState,
    AuditEntry,
    CardPage,
    ExpiryState,
    Lookup,
    Notification,
    VaultCard,
    expiry_state,
)
from .port import (
    ActionLedger,
    DeskIdentity,
    Ledger,
    LookupLedger,
    NotificationLedger,
    VaultLedger,
)
from .schema import SCHEMA_VERSION
from .scrub import scrub, scrub_detail
from .store import LOOKUPS_KEPT, Journal

__all__ = [
    "LOOKUPS_KEPT",
    "SCHEMA_VERSION",
    "Action",
    "ActionKind",
    "ActionLedger",
    "ActionState",
    "AuditEntry",
    "CardInVault",
    "CardNotInVault",
    "CardPage",
    "DeskIdentity",
    "ExpiryState",
    "Journal",
    "JournalError",
    "JournalTooNew",
    "Ledger",
    "Lookup",
    "LookupLedger",
    "Notification",
    "NotificationLedger",
    "OpenActionExists",
    "TargetChanged",
    "VaultCard",
    "VaultLedger",
    "expiry_state",
    "new_mch_no",
    "scrub",
    "scrub_detail",
]

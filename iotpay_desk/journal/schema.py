"""The journal's schema as ordered migrations; ``PRAGMA user_version`` is the version.

A migration is a tuple of SQL statements applied in one ``BEGIN IMMEDIATE``
transaction together with the new ``user_version``, so a crash leaves the file at the
old version or the new one, never between. Append new migrations; never edit one
that has shipped.

Version 1: ``actions`` and the append-only ``audit``.
Version 2: ``lookups`` (recent lookups of the Orders screen) and the columns charges
on file and purchase links need (``card_id``, ``mch_user_id``, ``subject``).
Version 3: ``vault_cards``, the profile's card vault (cards bound at IOTPay, by cardId,
with the masked number IOTPay gave; never a full number or a CVV), and an index for
the "same card, same amount, a few minutes ago" check of charges.
Version 4: ``card_pages``. Version 5: ``notifications``.
Version 6: triggers that refuse a card-like digit run in the ids of a notification and
in the free texts of actions and look-ups.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

_V1 = (
    """
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN
            ('refund', 'void', 'charge_token', 'charge_wallet', 'purchase_link')),
        mch_id TEXT NOT NULL,
        target_pay_order_id TEXT,
        mch_no TEXT NOT NULL,
        amount_cents INTEGER CHECK (amount_cents IS NULL OR amount_cents > 0),
        currency TEXT NOT NULL DEFAULT 'CAD',
        operator TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN
            ('intent', 'checking', 'succeeded', 'failed', 'declined', 'not_received')),
        pay_order_id TEXT,
        status INTEGER,
        ret_msg TEXT NOT NULL DEFAULT '',
        card_num TEXT NOT NULL DEFAULT '',
        card_type TEXT NOT NULL DEFAULT '',
        auth_num TEXT NOT NULL DEFAULT '',
        trans_num TEXT NOT NULL DEFAULT '',
        pay_succ_time TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        UNIQUE (mch_id, mch_no)
    )
    """,
    "CREATE INDEX actions_target ON actions (mch_id, target_pay_order_id)",
    "CREATE INDEX actions_open ON actions (state) WHERE state IN ('intent', 'checking')",
    # The database itself refuses a second unresolved action on one payment.
    """
    CREATE UNIQUE INDEX actions_one_open_per_target
        ON actions (mch_id, target_pay_order_id)
        WHERE state IN ('intent', 'checking') AND target_pay_order_id IS NOT NULL
    """,
    """
    CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions
    BEGIN SELECT RAISE(ABORT, 'journal actions are never deleted'); END
    """,
    """
    CREATE TRIGGER actions_fixed_fields BEFORE UPDATE ON actions
    WHEN NEW.kind IS NOT OLD.kind OR NEW.mch_id IS NOT OLD.mch_id
      OR NEW.mch_no IS NOT OLD.mch_no OR NEW.amount_cents IS NOT OLD.amount_cents
      OR NEW.target_pay_order_id IS NOT OLD.target_pay_order_id
      OR NEW.operator IS NOT OLD.operator OR NEW.created_at IS NOT OLD.created_at
    BEGIN SELECT RAISE(ABORT, 'what an action asked for never changes'); END
    """,
    """
    CREATE TRIGGER actions_final_is_final BEFORE UPDATE OF state ON actions
    WHEN OLD.state IN ('succeeded', 'failed', 'declined') AND NEW.state IS NOT OLD.state
    BEGIN SELECT RAISE(ABORT, 'a final action keeps its state'); END
    """,
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        action_id INTEGER REFERENCES actions (id),
        event TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX audit_action ON audit (action_id)",
    """
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
)

_V2 = (
    """
    CREATE TABLE lookups (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        mch_id TEXT NOT NULL,
        query TEXT NOT NULL,
        pay_order_id TEXT NOT NULL,
        mch_order_no TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX lookups_recent ON lookups (mch_id, id)",
    "CREATE INDEX lookups_order ON lookups (mch_id, pay_order_id)",
    "ALTER TABLE actions ADD COLUMN card_id TEXT",
    "ALTER TABLE actions ADD COLUMN mch_user_id TEXT",
    "ALTER TABLE actions ADD COLUMN subject TEXT NOT NULL DEFAULT ''",
)

# Thirteen digits in a row is more than any masked number shows (``424242******4242``
# shows six): the file itself refuses a full card number in the vault.
_NO_PAN = "NOT GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'"

_V3 = (
    f"""
    CREATE TABLE vault_cards (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mch_id TEXT NOT NULL,
        card_id TEXT NOT NULL,
        customer_label TEXT NOT NULL DEFAULT '' CHECK (customer_label {_NO_PAN}),
        card_num TEXT NOT NULL DEFAULT '' CHECK (card_num {_NO_PAN}),
        brand TEXT NOT NULL DEFAULT '',
        expiry_date TEXT NOT NULL DEFAULT '',
        holder TEXT NOT NULL DEFAULT '' CHECK (holder {_NO_PAN}),
        via TEXT NOT NULL CHECK (via IN ('hosted', 'direct', 'imported')),
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        refreshed_at TEXT,
        removed_by TEXT,
        removed_at TEXT,
        search_text TEXT NOT NULL DEFAULT '',
        UNIQUE (mch_id, card_id)
    )
    """,
    "CREATE INDEX vault_cards_live ON vault_cards (mch_id, removed_at)",
    """
    CREATE TRIGGER vault_cards_no_delete BEFORE DELETE ON vault_cards
    BEGIN SELECT RAISE(ABORT, 'vault cards are removed by marking them, never deleted'); END
    """,
    "CREATE INDEX actions_card ON actions (mch_id, card_id, created_at) WHERE card_id IS NOT NULL",
)

# IOTPay's add-card pages the desk opened: one row from the moment IOTPay gave the page
# until the desk knows whether the card was bound. A row left open (the desk closed or
# IOTPay unreachable when the page was closed) is checked with cc_querycard later, so a
# card bound at IOTPay never goes missing from the vault. ``closed_at``: the page was
# closed on screen before it came back to the desk (a submission still in flight may
# yet bind the card, so the row stays open until IOTPay's page lifetime has passed).
_V4 = (
    f"""
    CREATE TABLE card_pages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mch_id TEXT NOT NULL,
        session_id TEXT NOT NULL UNIQUE,
        card_id TEXT NOT NULL,
        customer_label TEXT NOT NULL DEFAULT '' CHECK (customer_label {_NO_PAN}),
        started_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        closed_at TEXT,
        outcome TEXT CHECK (outcome IS NULL OR outcome IN ('added', 'not_added', 'cancelled')),
        ended_at TEXT
    )
    """,
    "CREATE INDEX card_pages_open ON card_pages (mch_id, id) WHERE outcome IS NULL",
    """
    CREATE TRIGGER card_pages_no_delete BEFORE DELETE ON card_pages
    BEGIN SELECT RAISE(ABORT, 'card pages are ended by marking them, never deleted'); END
    """,
)

# IOTPay's notifications, as a notify receiver verified them (reference section 6): one
# row per order and status, however often IOTPay sent it.
_V5 = (
    f"""
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mch_id TEXT NOT NULL,
        pay_order_id TEXT NOT NULL,
        mch_order_no TEXT NOT NULL DEFAULT '',
        pay_type TEXT NOT NULL DEFAULT 'pay',
        status INTEGER NOT NULL,
        amount_cents INTEGER NOT NULL,
        card_num TEXT NOT NULL DEFAULT '' CHECK (card_num {_NO_PAN}),
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL,
        times INTEGER NOT NULL DEFAULT 1 CHECK (times >= 1),
        UNIQUE (mch_id, pay_order_id, status)
    )
    """,
    "CREATE INDEX notifications_recent ON notifications (mch_id, id)",
    """
    CREATE TRIGGER notifications_no_delete BEFORE DELETE ON notifications
    BEGIN SELECT RAISE(ABORT, 'notifications are kept, never deleted'); END
    """,
)


def _card_run_sql(value: str) -> str:
    """SQL that is true when ``value`` holds a card-like digit run: the rule of
    :func:`iotpay_desk.api.rules.has_card_run`, computed the same way (each space or dash
    after a digit dropped by replace(), innermost first; then 13 digits in a row that do
    not follow a letter). Part of shipped migration v6: never change it; a new rule is a
    new migration. A test checks it against the Python rule on random texts.
    """
    joined = value
    for sep in (" ", "-"):
        for digit in "0123456789":
            joined = f"replace({joined}, '{digit}{sep}', '{digit}')"
    return f"('.' || {joined}) GLOB '*[^0-9A-Za-z]{'[0-9]' * 13}*'"


def _no_card_triggers(table: str, columns: tuple[str, ...]) -> tuple[str, str]:
    raise_ = f"SELECT RAISE(ABORT, 'a card number is never stored in {table}')"
    on_insert = " OR ".join(_card_run_sql(f"NEW.{c}") for c in columns)
    # An update is checked on the values it changes only: a row written before v6 keeps
    # moving (its state, its answer) whatever its other texts hold.
    on_update = " OR ".join(
        f"(NEW.{c} IS NOT OLD.{c} AND {_card_run_sql(f'NEW.{c}')})" for c in columns
    )
    return (
        f"CREATE TRIGGER {table}_no_card_insert BEFORE INSERT ON {table} "
        f"WHEN {on_insert} BEGIN {raise_}; END",
        f"CREATE TRIGGER {table}_no_card_update BEFORE UPDATE OF {', '.join(columns)} "
        f"ON {table} WHEN {on_update} BEGIN {raise_}; END",
    )


# The file itself refuses a full card number in the ids of a notification and in the
# free texts of actions and look-ups (the receiver and scrub() keep them out first).
# Ids are not card numbers: IOTPay's (PC + 26 digits) and the desk's own (R + 12 digits
# + base32) have their digits after a letter. Rows already in the file are left as they
# are (nothing is lost); an update is checked on the values it changes.
_V6 = (
    *_no_card_triggers("notifications", ("pay_order_id", "mch_order_no", "pay_type")),
    *_no_card_triggers("actions", ("reason", "note", "subject", "ret_msg")),
    *_no_card_triggers("lookups", ("query",)),
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _V4, _V5, _V6)
SCHEMA_VERSION = len(MIGRATIONS)

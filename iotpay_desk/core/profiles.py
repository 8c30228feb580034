"""Merchant profiles: which IOTPay host, which merchant, which operators, which limits.

A :class:`Profile` is an immutable value that may hold what the user typed even when it is
not valid yet: :meth:`Profile.validate` lists the problems, each naming the field (by its
user-facing label) and the rule, so a form can show them next to the fields without losing
any input. :class:`ProfileStore` keeps the profiles in ``profiles.json`` (schema-versioned,
written atomically). Merchant keys are never in that file: they live in the OS keychain
through :class:`~iotpay_desk.core.credentials.CredentialStore`, keyed by profile id.

Each profile says where its ledger lives (:class:`LedgerLocation`): on this computer (the
default, a SQLite file; nothing to set) or on a shared PostgreSQL server (host, port,
database, user, TLS mode). The ledger's password is, like the merchant key, only in the
keychain (``CredentialStore.get_ledger_password``); the location holds none.

Labels and rule texts are plain English source strings; the GUI translates them with
``QCoreApplication.translate(TRANSLATION_CONTEXT, label)``.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import re
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from iotpay_desk.api import rules
from iotpay_desk.api.rules import BrokenRule, RuleCode

from .atomic import (
    CorruptFileError,
    atomic_write_json,
    keep_aside,
    read_json_object,
    remove_stale_temps,
)
from .credentials import CredentialStore
from .i18n import QT_TRANSLATE_NOOP
from .paths import ensure_dir

__all__ = [
    "FIELD_LABELS",
    "LEDGER_KINDS",
    "SCHEMA_VERSION",
    "TLS_MODES",
    "TRANSLATION_CONTEXT",
    "Environment",
    "LedgerLocation",
    "PciAck",
    "Problem",
    "Profile",
    "ProfileInvalid",
    "ProfileNotFound",
    "ProfileStore",
    "ProfileStoreError",
    "is_loopback_host",
    "is_loopback_url",
    "suggested_tls",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
TRANSLATION_CONTEXT = "profile"
SANDBOX_NAME = "Sandbox"
DEFAULT_CUTOFF = "21:00"
DEFAULT_TIMEZONE = "America/Toronto"
DEFAULT_RETYPE_THRESHOLD_CENTS = 50_000
# An action IOTPay has no record of keeps being checked this long before the desk calls it
# "not received" (IOTPay may commit a call late; the window is never shorter than a day).
DEFAULT_UNCONFIRMED_HOURS = 24
MIN_UNCONFIRMED_HOURS = 24
MAX_UNCONFIRMED_HOURS = 24 * 30
# "Charged already?" warning: the same card and amount within this many hours.
DEFAULT_REPEAT_CHARGE_HOURS = 24
MAX_REPEAT_CHARGE_HOURS = 24 * 31
TRADE_NAME_MAX = 60
ADDRESS_MAX = 200
# GST/HST registration number: nine digits, "RT", four digits (123456789RT0001).
_TAX_NUMBER = re.compile(r"[0-9]{9} ?RT ?[0-9]{4}")
NAME_MAX = 60
PCI_WHO_MAX = 100

# Field name → user-facing label (translatable source string).
FIELD_LABELS: dict[str, str] = {
    "id": QT_TRANSLATE_NOOP("profile", "Profile id"),
    "name": QT_TRANSLATE_NOOP("profile", "Profile name"),
    "environment": QT_TRANSLATE_NOOP("profile", "Environment"),
    "custom_url": QT_TRANSLATE_NOOP("profile", "Server URL"),
    "mch_id": QT_TRANSLATE_NOOP("profile", "Merchant ID (mchId)"),
    "operators": QT_TRANSLATE_NOOP("profile", "Operator login names"),
    "default_operator": QT_TRANSLATE_NOOP("profile", "Default operator"),
    "cutoff": QT_TRANSLATE_NOOP("profile", "Daily batch cut-off"),
    "timezone": QT_TRANSLATE_NOOP("profile", "Time zone"),
    "retype_threshold_cents": QT_TRANSLATE_NOOP("profile", "Retype refund amounts above"),
    "direct_add_enabled": QT_TRANSLATE_NOOP("profile", "Direct card entry (PCI DSS)"),
    "pci_ack": QT_TRANSLATE_NOOP("profile", "PCI DSS confirmation"),
    "notify_url": QT_TRANSLATE_NOOP("profile", "Notify URL"),
    "unconfirmed_hours": QT_TRANSLATE_NOOP("profile", "Keep checking unconfirmed actions for"),
    "repeat_charge_hours": QT_TRANSLATE_NOOP("profile", "Warn of a repeat charge within"),
    "trade_name": QT_TRANSLATE_NOOP("profile", "Trade name on receipts"),
    "address": QT_TRANSLATE_NOOP("profile", "Address on receipts"),
    "tax_number": QT_TRANSLATE_NOOP("profile", "GST/HST number"),
    "created_at": QT_TRANSLATE_NOOP("profile", "Created"),
    "ledger": QT_TRANSLATE_NOOP("profile", "Ledger"),
    "ledger_host": QT_TRANSLATE_NOOP("profile", "Ledger server host"),
    "ledger_port": QT_TRANSLATE_NOOP("profile", "Ledger server port"),
    "ledger_database": QT_TRANSLATE_NOOP("profile", "Ledger database"),
    "ledger_user": QT_TRANSLATE_NOOP("profile", "Ledger user"),
    "ledger_tls": QT_TRANSLATE_NOOP("profile", "Ledger TLS mode"),
}

# Where the ledger lives: a SQLite file on this computer, or a shared PostgreSQL server.
LEDGER_LOCAL = "local"
LEDGER_POSTGRESQL = "postgresql"
LEDGER_KINDS = (LEDGER_LOCAL, LEDGER_POSTGRESQL)
#: libpq's ``sslmode`` values the desk offers (the same as ``ledger.connect.SSL_MODES``).
TLS_MODES = ("disable", "prefer", "require", "verify-full")
DEFAULT_LEDGER_PORT = 5432
#: PostgreSQL keeps names (databases, roles) to NAMEDATALEN - 1 = 63 bytes.
PG_NAME_MAX_BYTES = 63
HOST_MAX = 253  # the longest DNS name
_HOST_NAME = re.compile(r"[A-Za-z0-9._-]+")

_CUTOFF = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_ID = re.compile(r"[0-9a-f]{32}")


class Environment(enum.Enum):
    """Where the profile's requests go."""

    PRODUCTION = "production"
    TEST = "test"
    CUSTOM = "custom"
    SANDBOX = "sandbox"  # the embedded sandbox: a loopback URL that changes every run

    @property
    def fixed_url(self) -> str | None:
        return _FIXED_URLS.get(self)

    @property
    def label(self) -> str:
        return _ENV_LABELS[self]


_FIXED_URLS = {
    Environment.PRODUCTION: "https://ccapi.iotpaycloud.com",
    Environment.TEST: "https://ccdev.iotpaycloud.com",
}
_ENV_LABELS = {
    Environment.PRODUCTION: QT_TRANSLATE_NOOP("profile", "Production (ccapi.iotpaycloud.com)"),
    Environment.TEST: QT_TRANSLATE_NOOP("profile", "IOTPay test host (ccdev.iotpaycloud.com)"),
    Environment.CUSTOM: QT_TRANSLATE_NOOP("profile", "Custom URL"),
    Environment.SANDBOX: QT_TRANSLATE_NOOP("profile", "Local sandbox"),
}


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback IP address (127.0.0.0/8, ::1)."""
    host = host.strip().strip("[]")
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def suggested_tls(host: str) -> str:
    """The TLS mode offered for ``host`` until the user picks one.

    ``verify-full`` for any other computer: the password and every payment record cross the
    network, so the server's certificate and name are checked (libpq looks for the CA
    certificate in ``~/.postgresql/root.crt``). ``prefer`` on this computer (localhost),
    where nothing crosses a network and a local server rarely has a certificate.
    """
    return "prefer" if is_loopback_host(host) else "verify-full"


@dataclass(frozen=True)
class LedgerLocation:
    """Where a profile's ledger lives. ``kind`` is ``"local"`` (a SQLite file on this
    computer; the other fields are not used) or ``"postgresql"`` (a shared server).

    Never holds the password: that is in the keychain only
    (:meth:`~iotpay_desk.core.credentials.CredentialStore.get_ledger_password`). ``tls`` is
    libpq's ``sslmode`` (:data:`TLS_MODES`). Like :class:`Profile`, it may hold what the
    user typed when it is not valid: :meth:`validate` says what is wrong.
    """

    kind: str = LEDGER_LOCAL
    host: str = ""
    port: int = DEFAULT_LEDGER_PORT
    database: str = ""
    user: str = ""
    tls: str = "verify-full"

    @classmethod
    def local(cls) -> LedgerLocation:
        return cls()

    @classmethod
    def postgresql(
        cls,
        host: str,
        database: str,
        user: str,
        *,
        port: int = DEFAULT_LEDGER_PORT,
        tls: str | None = None,
    ) -> LedgerLocation:
        """A shared server; ``tls`` defaults to :func:`suggested_tls` for the host."""
        return cls(
            LEDGER_POSTGRESQL,
            host=host,
            port=port,
            database=database,
            user=user,
            tls=tls if tls is not None else suggested_tls(host),
        )

    @property
    def is_local(self) -> bool:
        return self.kind == LEDGER_LOCAL

    @property
    def is_shared(self) -> bool:
        return self.kind == LEDGER_POSTGRESQL

    def display(self) -> str:
        """``user@host:port/database`` (never a password); ``""`` for a local ledger."""
        if not self.is_shared:
            return ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.user}@{host}:{self.port}/{self.database}"

    def validate(self) -> list[tuple[str, BrokenRule]]:
        """``(field, rule)`` for each problem; the fields are ``ledger``, ``ledger_host``,
        ``ledger_port``, ``ledger_database``, ``ledger_user`` and ``ledger_tls``. A local
        ledger has nothing to check."""
        if self.kind not in LEDGER_KINDS:
            return [("ledger", BrokenRule(RuleCode.ONE_OF, choices=LEDGER_KINDS))]
        if self.is_local:
            return []
        out: list[tuple[str, BrokenRule]] = []
        for name, rule in (
            ("ledger_host", _host_rule(self.host)),
            ("ledger_port", _port_rule(self.port)),
            ("ledger_database", _pg_name_rule(self.database)),
            ("ledger_user", _pg_name_rule(self.user)),
            (
                "ledger_tls",
                None if self.tls in TLS_MODES else BrokenRule(RuleCode.ONE_OF, choices=TLS_MODES),
            ),
        ):
            if rule:
                out.append((name, rule))
        return out

    def to_json(self) -> dict[str, Any]:
        if not self.is_shared:
            return {"kind": self.kind}
        return {
            "kind": self.kind,
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "user": self.user,
            "tls": self.tls,
        }

    @classmethod
    def from_json(cls, obj: Any) -> LedgerLocation:
        """From :meth:`to_json`'s form; ``None`` (a file from before ledgers) is local."""
        if obj is None:
            return cls()
        if not isinstance(obj, dict):
            raise TypeError("ledger must be an object")
        kind = _as_str(obj.get("kind", LEDGER_LOCAL))
        if kind == LEDGER_LOCAL:
            return cls()
        return cls(
            kind,
            host=_as_str(obj.get("host", "")),
            port=_as_int(obj.get("port", DEFAULT_LEDGER_PORT)),
            database=_as_str(obj.get("database", "")),
            user=_as_str(obj.get("user", "")),
            tls=_as_str(obj.get("tls", "verify-full")),
        )


def _host_rule(v: Any) -> BrokenRule | None:
    """One host name or IP address (no port, no list, no URL)."""
    if not isinstance(v, str):
        return BrokenRule(RuleCode.TEXT)
    if not v.strip():
        return BrokenRule(RuleCode.NOT_BLANK)
    if len(v) > HOST_MAX:
        return BrokenRule(RuleCode.MAX_CHARS, max=HOST_MAX)
    if any(c.isspace() for c in v):
        return BrokenRule(RuleCode.NO_SPACES)
    try:
        ipaddress.ip_address(v)
    except ValueError:
        pass
    else:
        return None
    if not _HOST_NAME.fullmatch(v):
        # Letters, digits, ".", "_" and "-": the characters of a host name.
        return BrokenRule(RuleCode.CARD_ID_CHARS)
    return None


def _port_rule(v: Any) -> BrokenRule | None:
    if isinstance(v, bool) or not isinstance(v, int):
        return BrokenRule(RuleCode.WHOLE_NUMBER)
    if v < 1:
        return BrokenRule(RuleCode.AT_LEAST, min=1)
    if v > 65535:
        return BrokenRule(RuleCode.AT_MOST, max=65535)
    return None


def _pg_name_rule(v: Any) -> BrokenRule | None:
    """A database or user name PostgreSQL takes as it is: not blank, no control characters,
    no spaces at its ends (they would be lost), at most 63 bytes (longer names are cut)."""
    if not isinstance(v, str):
        return BrokenRule(RuleCode.TEXT)
    if not v.strip():
        return BrokenRule(RuleCode.NOT_BLANK)
    if any(ord(c) < 32 or ord(c) == 127 for c in v):
        return BrokenRule(RuleCode.NO_CONTROL_CHARS)
    if v != v.strip():
        return BrokenRule(RuleCode.NO_EDGE_SPACES)
    if len(v.encode("utf-8")) > PG_NAME_MAX_BYTES:
        return BrokenRule(RuleCode.MAX_CHARS, max=PG_NAME_MAX_BYTES)
    return None


@dataclass(frozen=True)
class PciAck:
    """Who confirmed the merchant's PCI DSS responsibility for direct card entry, and when."""

    who: str
    when: datetime

    def to_json(self) -> dict[str, str]:
        return {"who": self.who, "when": self.when.isoformat()}

    @classmethod
    def from_json(cls, obj: Any) -> PciAck:
        if not isinstance(obj, dict):
            raise TypeError("pci_ack must be an object")
        return cls(who=_as_str(obj.get("who")), when=_parse_time(obj.get("when")))


@dataclass(frozen=True)
class Problem:
    """One validation problem: the field, its label and the rule it breaks: always a
    :class:`~iotpay_desk.api.rules.BrokenRule` (code and parameters; its text is English),
    a plain text given is kept as one (:meth:`BrokenRule.of`).
    """

    field: str
    label: str
    rule: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule", BrokenRule.of(self.rule))

    @property
    def message(self) -> str:
        return f"{self.label}: {self.rule}"

    def __str__(self) -> str:
        return self.message


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Profile:
    """One merchant profile. Construct with :meth:`new`; change with :meth:`with_changes`."""

    id: str
    name: str
    environment: Environment
    mch_id: str = ""
    custom_url: str | None = None
    operators: tuple[str, ...] = ()
    default_operator: str | None = None
    cutoff: str = DEFAULT_CUTOFF
    timezone: str = DEFAULT_TIMEZONE
    retype_threshold_cents: int = DEFAULT_RETYPE_THRESHOLD_CENTS
    direct_add_enabled: bool = False
    pci_ack: PciAck | None = None
    notify_url: str | None = None
    unconfirmed_hours: int = DEFAULT_UNCONFIRMED_HOURS
    repeat_charge_hours: int = DEFAULT_REPEAT_CHARGE_HOURS
    trade_name: str = ""
    address: str = ""
    tax_number: str = ""
    created_at: datetime = field(default_factory=_now)
    ledger: LedgerLocation = field(default_factory=LedgerLocation)

    @classmethod
    def new(
        cls,
        name: str,
        environment: Environment,
        mch_id: str = "",
        *,
        operators: Iterable[str] = (),
        **kwargs: Any,
    ) -> Profile:
        return cls(
            id=uuid.uuid4().hex,
            name=name,
            environment=environment,
            mch_id=mch_id,
            operators=tuple(operators),
            **kwargs,
        )

    def with_changes(self, **changes: Any) -> Profile:
        if "operators" in changes:
            changes["operators"] = tuple(changes["operators"])
        return replace(self, **changes)

    @property
    def base_url(self) -> str | None:
        """The host the API client talks to (``None`` when a custom URL is missing)."""
        fixed = self.environment.fixed_url
        if fixed:
            return fixed
        return self.custom_url.rstrip("/") if self.custom_url else None

    @property
    def is_sandbox(self) -> bool:
        return self.environment is Environment.SANDBOX

    @property
    def login_name(self) -> str | None:
        """The operator used when the user picks none."""
        if self.default_operator:
            return self.default_operator
        return self.operators[0] if self.operators else None

    def enable_direct_add(self, who: str, when: datetime | None = None) -> Profile:
        """Turn on direct card entry, recording who confirmed the PCI DSS responsibility."""
        return replace(self, direct_add_enabled=True, pci_ack=PciAck(who, when or _now()))

    def disable_direct_add(self) -> Profile:
        """Turn direct card entry off (the past confirmation is kept for the record)."""
        return replace(self, direct_add_enabled=False)

    # -- validation ------------------------------------------------------------------------

    def validate(self) -> list[Problem]:
        """Every problem with this profile; empty when it can be saved."""
        out: list[Problem] = []

        def bad(name: str, rule: BrokenRule | None, label: str | None = None) -> None:
            if rule:
                out.append(Problem(name, label or FIELD_LABELS[name], rule))

        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            bad("id", BrokenRule(RuleCode.PROFILE_ID))
        bad("name", rules.text(NAME_MAX)(self.name))
        if not isinstance(self.environment, Environment):
            bad("environment", BrokenRule(RuleCode.ENVIRONMENT))
        else:
            bad("custom_url", self._url_rule())
        bad("mch_id", rules.id30(self.mch_id))
        out.extend(self._operator_problems())
        if not isinstance(self.cutoff, str) or not _CUTOFF.fullmatch(self.cutoff):
            bad("cutoff", BrokenRule(RuleCode.CUTOFF_TIME))
        bad("timezone", _timezone_rule(self.timezone))
        bad("retype_threshold_cents", _threshold_rule(self.retype_threshold_cents))
        if self.direct_add_enabled is True and self.pci_ack is None:
            bad("direct_add_enabled", BrokenRule(RuleCode.PCI_FIRST))
        elif not isinstance(self.direct_add_enabled, bool):
            bad("direct_add_enabled", BrokenRule(RuleCode.ON_OR_OFF))
        if self.pci_ack is not None:
            bad("pci_ack", _pci_rule(self.pci_ack))
        if self.notify_url is not None and self.notify_url != "":
            bad("notify_url", rules.url(200)(self.notify_url))
        bad(
            "unconfirmed_hours",
            _hours_rule(self.unconfirmed_hours, MIN_UNCONFIRMED_HOURS, MAX_UNCONFIRMED_HOURS),
        )
        bad(
            "repeat_charge_hours", _hours_rule(self.repeat_charge_hours, 0, MAX_REPEAT_CHARGE_HOURS)
        )
        bad("trade_name", _optional_text_rule(self.trade_name, TRADE_NAME_MAX))
        bad("address", _address_rule(self.address))
        bad("tax_number", _tax_number_rule(self.tax_number))
        if isinstance(self.ledger, LedgerLocation):
            for name, rule in self.ledger.validate():
                bad(name, rule)
        else:
            bad("ledger", BrokenRule(RuleCode.ONE_OF, choices=LEDGER_KINDS))
        return out

    def _url_rule(self) -> BrokenRule | None:
        env = self.environment
        if env.fixed_url is not None:
            if self.custom_url:
                return BrokenRule(RuleCode.URL_NOT_USED)
            return None
        if not self.custom_url:
            return BrokenRule(RuleCode.NOT_BLANK)
        base = rules.url(200)(self.custom_url)
        if base:
            return base
        parts = urlsplit(self.custom_url)
        if parts.query or parts.fragment:
            return BrokenRule(RuleCode.URL_NO_QUERY)
        loopback = is_loopback_url(self.custom_url)
        if env is Environment.SANDBOX and not loopback:
            return BrokenRule(RuleCode.URL_LOOPBACK)
        if not loopback and parts.scheme != "https":
            return BrokenRule(RuleCode.URL_HTTPS)
        return None

    def _operator_problems(self) -> list[Problem]:
        out: list[Problem] = []
        label = FIELD_LABELS["operators"]
        ops = self.operators
        if not isinstance(ops, tuple | list):
            return [Problem("operators", label, BrokenRule(RuleCode.OPERATORS_LIST))]
        if not ops:
            out.append(Problem("operators", label, BrokenRule(RuleCode.OPERATORS_NONE)))
        seen: set[str] = set()
        for i, op in enumerate(ops, start=1):
            item = f"Operator login name {i}"
            rule = rules.text(12)(op)
            if rule is None and op != op.strip():
                rule = BrokenRule(RuleCode.NO_EDGE_SPACES)
            if rule:
                out.append(Problem(f"operators[{i - 1}]", item, rule))
            elif op in seen:
                out.append(Problem(f"operators[{i - 1}]", item, BrokenRule(RuleCode.LISTED_TWICE)))
            else:
                seen.add(op)
        if self.default_operator and self.default_operator not in ops:
            out.append(
                Problem(
                    "default_operator",
                    FIELD_LABELS["default_operator"],
                    BrokenRule(RuleCode.DEFAULT_OPERATOR),
                )
            )
        return out

    # -- JSON --------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "environment": self.environment.value,
            "custom_url": self.custom_url,
            "mch_id": self.mch_id,
            "operators": list(self.operators),
            "default_operator": self.default_operator,
            "cutoff": self.cutoff,
            "timezone": self.timezone,
            "retype_threshold_cents": self.retype_threshold_cents,
            "direct_add_enabled": self.direct_add_enabled,
            "pci_ack": self.pci_ack.to_json() if self.pci_ack else None,
            "notify_url": self.notify_url,
            "unconfirmed_hours": self.unconfirmed_hours,
            "repeat_charge_hours": self.repeat_charge_hours,
            "trade_name": self.trade_name,
            "address": self.address,
            "tax_number": self.tax_number,
            "created_at": self.created_at.isoformat(),
            "ledger": self.ledger.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> Profile:
        """Build a profile from its JSON form; raise ``TypeError``/``ValueError`` if malformed.

        Values that are well-formed but break a rule are kept (``validate`` reports them).
        """
        if not isinstance(obj, dict):
            raise TypeError("a profile must be an object")
        ops = obj.get("operators", [])
        if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
            raise TypeError("operators must be a list of text")
        threshold = obj.get("retype_threshold_cents", DEFAULT_RETYPE_THRESHOLD_CENTS)
        if isinstance(threshold, bool) or not isinstance(threshold, int):
            raise TypeError("retype_threshold_cents must be an integer")
        direct = obj.get("direct_add_enabled", False)
        if not isinstance(direct, bool):
            raise TypeError("direct_add_enabled must be true or false")
        ack = obj.get("pci_ack")
        return cls(
            id=_as_str(obj.get("id")),
            name=_as_str(obj.get("name")),
            environment=Environment(obj.get("environment")),
            custom_url=_opt_str(obj.get("custom_url")),
            mch_id=_as_str(obj.get("mch_id", "")),
            operators=tuple(ops),
            default_operator=_opt_str(obj.get("default_operator")),
            cutoff=_as_str(obj.get("cutoff", DEFAULT_CUTOFF)),
            timezone=_as_str(obj.get("timezone", DEFAULT_TIMEZONE)),
            retype_threshold_cents=threshold,
            direct_add_enabled=direct,
            pci_ack=PciAck.from_json(ack) if ack is not None else None,
            notify_url=_opt_str(obj.get("notify_url")),
            unconfirmed_hours=_as_int(obj.get("unconfirmed_hours", DEFAULT_UNCONFIRMED_HOURS)),
            repeat_charge_hours=_as_int(
                obj.get("repeat_charge_hours", DEFAULT_REPEAT_CHARGE_HOURS)
            ),
            trade_name=_as_str(obj.get("trade_name", "")),
            address=_as_str(obj.get("address", "")),
            tax_number=_as_str(obj.get("tax_number", "")),
            created_at=_parse_time(obj.get("created_at")),
            ledger=LedgerLocation.from_json(obj.get("ledger")),
        )


def _as_str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError("expected text")
    return v


def _as_int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("expected a whole number")
    return v


def _hours_rule(v: Any, low: int, high: int) -> BrokenRule | None:
    if isinstance(v, bool) or not isinstance(v, int):
        return BrokenRule(RuleCode.WHOLE_HOURS)
    if v < low:
        return BrokenRule(RuleCode.HOURS_AT_LEAST, min=low)
    if v > high:
        return BrokenRule(RuleCode.HOURS_AT_MOST, max=high)
    return None


def _optional_text_rule(v: Any, limit: int) -> BrokenRule | None:
    if not isinstance(v, str):
        return BrokenRule(RuleCode.TEXT)
    return rules.text(limit)(v) if v else None


def _address_rule(v: Any) -> BrokenRule | None:
    """Up to three lines of text (a street, a city and province, a postal code)."""
    if not isinstance(v, str):
        return BrokenRule(RuleCode.TEXT)
    if len(v) > ADDRESS_MAX:
        return BrokenRule(RuleCode.MAX_CHARS, max=ADDRESS_MAX)
    lines = v.split("\n")
    if len(lines) > 3:
        return BrokenRule(RuleCode.MAX_LINES, max=3)
    for line in lines:
        if any(ord(c) < 32 or ord(c) == 127 for c in line):
            return BrokenRule(RuleCode.NO_CONTROL_CHARS)
    return None


def _tax_number_rule(v: Any) -> BrokenRule | None:
    if not isinstance(v, str):
        return BrokenRule(RuleCode.TEXT)
    if v and not _TAX_NUMBER.fullmatch(v.strip().upper()):
        return BrokenRule(RuleCode.TAX_NUMBER)
    return None


def _opt_str(v: Any) -> str | None:
    return None if v is None else _as_str(v)


def _parse_time(v: Any) -> datetime:
    t = datetime.fromisoformat(_as_str(v))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _timezone_rule(v: Any) -> BrokenRule | None:
    if not isinstance(v, str) or not v.strip():
        return BrokenRule(RuleCode.NOT_BLANK)
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        return BrokenRule(RuleCode.TIME_ZONE)
    return None


def _threshold_rule(v: Any) -> BrokenRule | None:
    if isinstance(v, bool) or not isinstance(v, int):
        return BrokenRule(RuleCode.WHOLE_CENTS)
    if v < 0:
        return BrokenRule(RuleCode.NOT_NEGATIVE)
    if v > rules.MAX_CENTS:
        return BrokenRule(RuleCode.TOO_LARGE)
    return None


def _pci_rule(ack: PciAck) -> BrokenRule | None:
    who = rules.text(PCI_WHO_MAX)(ack.who)
    if who:
        return BrokenRule(RuleCode.PCI_WHO, rule=who)
    if not isinstance(ack.when, datetime) or ack.when.tzinfo is None:
        return BrokenRule(RuleCode.PCI_WHEN)
    return None


def _name_key(name: str) -> str:
    return name.strip().casefold()


# -- the store ---------------------------------------------------------------------------------


class ProfileStoreError(Exception):
    """profiles.json cannot be used (written by a newer version, unreadable …)."""


class ProfileNotFound(ProfileStoreError, KeyError):
    def __init__(self, profile_id: str) -> None:
        super().__init__(f"no profile with id {profile_id}")
        self.profile_id = profile_id

    def __str__(self) -> str:
        return str(self.args[0])


class ProfileInvalid(ProfileStoreError, ValueError):
    """The profile breaks one or more rules; ``problems`` says which."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


class ProfileStore:
    """The merchant profiles in ``<config_dir>/profiles.json`` and the active profile id.

    Every change is saved at once (atomically). A file that cannot be read is renamed
    ``profiles.json.corrupt-<time>`` and :meth:`load` raises
    :class:`~iotpay_desk.core.atomic.CorruptFileError`; the store then starts empty. A file
    written by a newer version is never overwritten: saving raises :class:`ProfileStoreError`.

    Not thread-safe; use it from one thread (its file I/O is small and quick).
    """

    FILENAME = "profiles.json"

    def __init__(
        self,
        config_dir: Path,
        credentials: CredentialStore | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.config_dir = Path(config_dir)
        self.path = self.config_dir / self.FILENAME
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._credentials = credentials
        self._profiles: dict[str, Profile] = {}
        self._active: str | None = None
        self._read_only_reason: str | None = None
        self._loaded = False

    @property
    def credentials(self) -> CredentialStore:
        if self._credentials is None:
            self._credentials = CredentialStore()
        return self._credentials

    # -- file ---------------------------------------------------------------------------------

    def load(self) -> None:
        """(Re)read the file. Raises CorruptFileError (file kept aside) or ProfileStoreError."""
        self._profiles, self._active, self._read_only_reason = {}, None, None
        self._loaded = True
        if self.config_dir.is_dir():
            remove_stale_temps(self.path)  # left by a writer that crashed mid-write
        obj = read_json_object(self.path)
        if obj is None:
            return
        schema = obj.get("schema")
        if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
            self._read_only_reason = (
                f"{self.FILENAME} was written by a newer version of the desk (schema {schema})"
            )
            raise ProfileStoreError(self._read_only_reason + "; update the desk to use it")
        try:
            profiles = self._parse(obj)
        except (TypeError, ValueError, KeyError) as exc:
            kept = keep_aside(self.path)
            log.error("profiles file unreadable (%s); kept as %s", exc, kept.name)
            raise CorruptFileError(self.path, kept, f"bad content: {exc}") from None
        self._profiles = {p.id: p for p in profiles}
        active = obj.get("active")
        self._active = active if isinstance(active, str) and active in self._profiles else None

    @staticmethod
    def _parse(obj: dict[str, Any]) -> list[Profile]:
        if obj.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unknown schema {obj.get('schema')!r}")
        raw = obj.get("profiles")
        if not isinstance(raw, list):
            raise TypeError("profiles must be a list")
        profiles = [Profile.from_json(p) for p in raw]
        ids = [p.id for p in profiles]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate profile id")
        return profiles

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.load()

    def save(self) -> None:
        if self._read_only_reason:
            raise ProfileStoreError(self._read_only_reason + "; it was not changed")
        ensure_dir(self.config_dir)
        atomic_write_json(
            self.path,
            {
                "schema": SCHEMA_VERSION,
                "active": self._active,
                "profiles": [p.to_json() for p in self._profiles.values()],
            },
        )

    def _commit(self, profiles: dict[str, Profile], active: str | None) -> None:
        """Save the new state; memory changes only when the file was written."""
        old = self._profiles, self._active
        self._profiles, self._active = profiles, active
        try:
            self.save()
        except BaseException:
            self._profiles, self._active = old
            raise

    # -- queries -------------------------------------------------------------------------------

    def profiles(self) -> list[Profile]:
        self._ensure_loaded()
        return list(self._profiles.values())

    def __len__(self) -> int:
        return len(self.profiles())

    def get(self, profile_id: str) -> Profile:
        self._ensure_loaded()
        try:
            return self._profiles[profile_id]
        except KeyError:
            raise ProfileNotFound(profile_id) from None

    def find_by_name(self, name: str) -> Profile | None:
        key = _name_key(name)
        return next((p for p in self.profiles() if _name_key(p.name) == key), None)

    @property
    def active_id(self) -> str | None:
        self._ensure_loaded()
        return self._active

    def active(self) -> Profile | None:
        self._ensure_loaded()
        return self._profiles.get(self._active) if self._active else None

    def set_active(self, profile_id: str | None) -> None:
        self._ensure_loaded()
        if profile_id is not None and profile_id not in self._profiles:
            raise ProfileNotFound(profile_id)
        self._commit(dict(self._profiles), profile_id)

    def check(self, profile: Profile) -> list[Problem]:
        """``profile.validate()`` plus what depends on the others (unique names)."""
        problems = profile.validate()
        if isinstance(profile.name, str) and profile.name.strip():
            other = self.find_by_name(profile.name)
            if other is not None and other.id != profile.id:
                problems.append(
                    Problem("name", FIELD_LABELS["name"], BrokenRule(RuleCode.NAME_USED))
                )
        return problems

    # -- changes ------------------------------------------------------------------------------

    def add(self, profile: Profile, *, activate: bool | None = None) -> Profile:
        """Add a valid profile; it becomes active when asked or when it is the first."""
        self._ensure_loaded()
        if profile.id in self._profiles:
            raise ProfileStoreError(f"a profile with id {profile.id} exists already")
        problems = self.check(profile)
        if problems:
            raise ProfileInvalid(problems)
        profiles = {**self._profiles, profile.id: profile}
        make_active = activate if activate is not None else self._active is None
        self._commit(profiles, profile.id if make_active else self._active)
        return profile

    def update(self, profile: Profile) -> Profile:
        """Replace the stored profile with the same id (its id and creation time are kept)."""
        self._ensure_loaded()
        current = self.get(profile.id)
        profile = replace(profile, created_at=current.created_at)
        problems = self.check(profile)
        if problems:
            raise ProfileInvalid(problems)
        self._commit({**self._profiles, profile.id: profile}, self._active)
        return profile

    def remove(
        self, profile_id: str, *, delete_key: bool = True, delete_data: bool = False
    ) -> Profile:
        """Remove a profile, and its keychain entries (the merchant key and the ledger
        password) unless ``delete_key`` is false.

        The keychain entries go first: if the keychain refuses (locked, unavailable) a
        :class:`~iotpay_desk.core.credentials.KeychainError` is raised and the profile stays.
        The profile's data directory (journal, vault) is left in place unless
        ``delete_data`` is true.
        """
        self._ensure_loaded()
        profile = self.get(profile_id)
        if delete_key:
            self.credentials.delete_key(profile_id)
            self.credentials.delete_ledger_password(profile_id)
        profiles = {k: v for k, v in self._profiles.items() if k != profile_id}
        active = None if self._active == profile_id else self._active
        self._commit(profiles, active)
        if delete_data:
            if self.data_dir is None:
                raise ProfileStoreError("no data directory was given to delete the data from")
            target = self.data_dir / "profiles" / profile_id
            if target.is_dir():
                shutil.rmtree(target)
        return profile

    def ensure_sandbox_profile(
        self,
        url: str,
        mch_id: str,
        *,
        operators: Sequence[str] = ("cashier1",),
        key: str | None = None,
        activate: bool = True,
    ) -> Profile:
        """Create the "Sandbox" profile, or reuse the existing one with its new URL.

        The embedded sandbox's port changes every run, so the URL (and the demo merchant's
        mchId) are refreshed each time. With ``key``, the merchant key is stored in the
        keychain as well (this may raise ``KeychainError``; the profile is saved first).
        """
        self._ensure_loaded()
        existing = next((p for p in self._profiles.values() if p.is_sandbox), None)
        if existing is None:
            name = SANDBOX_NAME
            n = 1
            while self.find_by_name(name) is not None:
                n += 1
                name = f"{SANDBOX_NAME} {n}"
            profile = Profile.new(
                name,
                Environment.SANDBOX,
                mch_id,
                operators=operators,
                custom_url=url,
            )
            self.add(profile, activate=activate)
        else:
            profile = existing.with_changes(custom_url=url, mch_id=mch_id)
            if not profile.operators:
                profile = profile.with_changes(operators=operators)
            if profile != existing:
                profile = self.update(profile)
            if activate and self._active != profile.id:
                self.set_active(profile.id)
        if key is not None:
            self.credentials.set_key(profile.id, key)
        return profile

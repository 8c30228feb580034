"""Desk-wide settings, each declared once: key, type, default, label, help, choices.

The declarations (:data:`ALL_SETTINGS`) drive the GUI's settings screen; :class:`Settings`
stores the values in ``<config_dir>/settings.json`` (atomic writes, unknown keys kept for
newer versions, bad values replaced by the default with a warning in the log).

Labels, help texts and choice labels are plain English source strings in translation
context :data:`TRANSLATION_CONTEXT`; the GUI shows
``QCoreApplication.translate(TRANSLATION_CONTEXT, setting.label)``. They are wrapped in
``QT_TRANSLATE_NOOP`` (see :mod:`iotpay_desk.core.i18n`) so ``pyside6-lupdate`` extracts
them into the ``.ts`` files.
Per-merchant choices (refund retype threshold, cut-off …) belong to the profile, not here.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from iotpay_desk.api.rules import BrokenRule, RuleCode

from .atomic import CorruptFileError, atomic_write_json, read_json_object, remove_stale_temps
from .i18n import QT_TRANSLATE_NOOP
from .paths import ensure_dir

__all__ = [
    "ALL_SETTINGS",
    "CARD_PAGE_RELEASE_MINUTES",
    "CONFIRM_ABOVE_THRESHOLD",
    "DESK_NAME",
    "DESK_NAME_MAX",
    "LANGUAGE",
    "LOG_LEVEL",
    "PSEUDO_TRANSLATION",
    "RECENT_LOOKUPS",
    "SETTINGS_BY_KEY",
    "THEME",
    "TRANSLATION_CONTEXT",
    "Choice",
    "Setting",
    "SettingValueError",
    "Settings",
    "default_desk_name",
]

log = logging.getLogger(__name__)

TRANSLATION_CONTEXT = "settings"
SCHEMA_VERSION = 1

T = TypeVar("T", str, int, bool)


@dataclass(frozen=True)
class Choice:
    """One value of a setting with choices. ``native``: the label is shown as it is, never
    translated (a language is named in itself: "Français" on an English screen too)."""

    value: str
    label: str
    native: bool = False


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One declared setting. ``type`` is ``str``, ``int`` or ``bool``."""

    key: str
    type: type[T]
    default: T
    label: str
    help: str = ""
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    context: str = TRANSLATION_CONTEXT
    #: Shown only to developers (``--pseudo``), not to merchants.
    developer: bool = False
    #: A text setting with this is a name: 1 to ``max_chars`` printable characters, no
    #: spaces at its ends.
    max_chars: int | None = None
    #: A whole-number setting whose 0 means something of its own: shown for 0 instead
    #: of the figure.
    zero_label: str = ""

    def check(self, value: Any) -> BrokenRule | None:
        """``None`` when ``value`` is acceptable, else the rule it breaks."""
        if self.type is bool:
            return None if isinstance(value, bool) else BrokenRule(RuleCode.ON_OR_OFF)
        if self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return BrokenRule(RuleCode.WHOLE_NUMBER)
            if self.minimum is not None and value < self.minimum:
                return BrokenRule(RuleCode.AT_LEAST, min=self.minimum)
            if self.maximum is not None and value > self.maximum:
                return BrokenRule(RuleCode.AT_MOST, max=self.maximum)
            return None
        if not isinstance(value, str):
            return BrokenRule(RuleCode.TEXT)
        if self.max_chars is not None:
            if not value.strip():
                return BrokenRule(RuleCode.NOT_BLANK)
            if not value.isprintable():
                return BrokenRule(RuleCode.NO_CONTROL_CHARS)
            if value != value.strip():
                return BrokenRule(RuleCode.NO_EDGE_SPACES)
            if len(value) > self.max_chars:
                return BrokenRule(RuleCode.MAX_CHARS, max=self.max_chars)
        if self.choices and value not in {c.value for c in self.choices}:
            return BrokenRule(RuleCode.ONE_OF, choices=tuple(c.value for c in self.choices))
        return None


class SettingValueError(ValueError):
    """A value a setting does not take: ``setting`` and the ``rule`` it breaks (a
    :class:`~iotpay_desk.api.rules.BrokenRule`)."""

    def __init__(self, setting: Setting[Any], rule: BrokenRule | RuleCode | str) -> None:
        self.setting = setting
        self.rule = BrokenRule.of(rule)
        super().__init__(f"{setting.label}: {rule}")


LANGUAGE: Setting[str] = Setting(
    "language",
    str,
    "system",
    QT_TRANSLATE_NOOP("settings", "Language"),
    QT_TRANSLATE_NOOP("settings", "The language of the desk. Takes effect after a restart."),
    (
        Choice("system", QT_TRANSLATE_NOOP("settings", "Same as the system")),
        Choice("en", "English", native=True),
        Choice("fr", "Français", native=True),
    ),
)
THEME: Setting[str] = Setting(
    "theme",
    str,
    "system",
    QT_TRANSLATE_NOOP("settings", "Theme"),
    QT_TRANSLATE_NOOP("settings", "Light or dark colours, or follow the system."),
    (
        Choice("system", QT_TRANSLATE_NOOP("settings", "Same as the system")),
        Choice("light", QT_TRANSLATE_NOOP("settings", "Light")),
        Choice("dark", QT_TRANSLATE_NOOP("settings", "Dark")),
    ),
)
CONFIRM_ABOVE_THRESHOLD: Setting[bool] = Setting(
    "confirm_above_threshold",
    bool,
    True,
    QT_TRANSLATE_NOOP("settings", "Retype large refund amounts"),
    QT_TRANSLATE_NOOP(
        "settings",
        "Ask the cashier to type the amount again for refunds above the profile's threshold.",
    ),
)
RECENT_LOOKUPS: Setting[int] = Setting(
    "recent_lookups",
    int,
    20,
    QT_TRANSLATE_NOOP("settings", "Recent lookups to remember"),
    QT_TRANSLATE_NOOP(
        "settings", "How many recent order lookups the search box offers (0 turns it off)."
    ),
    minimum=0,
    maximum=200,
)
CARD_PAGE_RELEASE_MINUTES: Setting[int] = Setting(
    "card_page_release_minutes",
    int,
    5,
    QT_TRANSLATE_NOOP("settings", "Free card page memory after (minutes)"),
    QT_TRANSLATE_NOOP(
        "settings",
        "Once no card page has been open for this many minutes, the desk gives back the "
        "memory IOTPay's card pages use; the next one then opens a little slower. 0 keeps "
        "them ready until the desk quits.",
    ),
    minimum=0,
    maximum=24 * 60,
    zero_label=QT_TRANSLATE_NOOP("settings", "Never (keep ready)"),
)
LOG_LEVEL: Setting[str] = Setting(
    "log_level",
    str,
    "INFO",
    QT_TRANSLATE_NOOP("settings", "Log detail"),
    QT_TRANSLATE_NOOP(
        "settings", "How much the desk writes to its log file. Card data and keys never are."
    ),
    (
        Choice("ERROR", QT_TRANSLATE_NOOP("settings", "Errors only")),
        Choice("WARNING", QT_TRANSLATE_NOOP("settings", "Warnings")),
        Choice("INFO", QT_TRANSLATE_NOOP("settings", "Normal")),
        Choice("DEBUG", QT_TRANSLATE_NOOP("settings", "Everything (for support)")),
    ),
)
PSEUDO_TRANSLATION: Setting[bool] = Setting(
    "pseudo_translation",
    bool,
    False,
    QT_TRANSLATE_NOOP("settings", "Lengthen all texts (layout check)"),
    QT_TRANSLATE_NOOP(
        "settings",
        "Shows every text about a third longer to find clipped labels. Needs a restart.",
    ),
    developer=True,
)

DESK_NAME_MAX = 40


def default_desk_name(host_name: str | None = None) -> str:
    """This computer's host name as a desk name: printable characters only, at most
    :data:`DESK_NAME_MAX` of them (``"Desk"`` when nothing is left)."""
    if host_name is None:
        try:
            host_name = socket.gethostname()
        except OSError:
            host_name = ""
    name = "".join(c for c in host_name if c.isprintable()).strip()[:DESK_NAME_MAX].strip()
    return name or "Desk"


DESK_NAME: Setting[str] = Setting(
    "desk_name",
    str,
    default_desk_name(),
    QT_TRANSLATE_NOOP("settings", "Desk name"),
    QT_TRANSLATE_NOOP(
        "settings",
        "The name of this computer's desk, shown to other desks sharing the merchant's ledger "
        "and written in the audit trail with each action. 1 to 40 characters.",
    ),
    max_chars=DESK_NAME_MAX,
)

ALL_SETTINGS: tuple[Setting[Any], ...] = (
    DESK_NAME,
    LANGUAGE,
    THEME,
    CONFIRM_ABOVE_THRESHOLD,
    RECENT_LOOKUPS,
    CARD_PAGE_RELEASE_MINUTES,
    LOG_LEVEL,
    PSEUDO_TRANSLATION,
)
SETTINGS_BY_KEY: dict[str, Setting[Any]] = {s.key: s for s in ALL_SETTINGS}


class Settings:
    """The values of :data:`ALL_SETTINGS`, persisted in ``settings.json``.

    Reading never fails: a missing file means defaults; an unreadable one is kept aside
    (``settings.json.corrupt-<time>``) with a warning and defaults are used; a bad value is
    replaced by its default with a warning. Keys this version does not know are kept and
    written back. ``set`` validates and saves at once. Thread-safe.
    """

    FILENAME = "settings.json"

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = Path(config_dir)
        self.path = self.config_dir / self.FILENAME
        self._lock = threading.Lock()
        self._values: dict[str, Any] = {}
        self._unknown: dict[str, Any] = {}
        self.load()

    def load(self) -> None:
        with self._lock:
            self._values, self._unknown = {}, {}
            if self.config_dir.is_dir():
                remove_stale_temps(self.path)
            try:
                obj = read_json_object(self.path)
            except CorruptFileError as exc:
                log.warning("%s; using default settings", exc)
                obj = None
            except OSError as exc:
                log.warning("settings could not be read (%s); using defaults", exc)
                obj = None
            raw = obj.get("values", {}) if obj else {}
            if not isinstance(raw, dict):
                log.warning("settings file has no values object; using defaults")
                raw = {}
            for key, value in raw.items():
                setting = SETTINGS_BY_KEY.get(key)
                if setting is None:
                    self._unknown[key] = value
                    continue
                rule = setting.check(value)
                if rule:
                    log.warning("setting %s %s; using the default %r", key, rule, setting.default)
                    continue
                self._values[key] = value

    def get(self, setting: Setting[T]) -> T:
        with self._lock:
            return cast(T, self._values.get(setting.key, setting.default))

    def value(self, key: str) -> Any:
        """The value by key (for generic settings screens)."""
        return self.get(SETTINGS_BY_KEY[key])

    def is_default(self, setting: Setting[Any]) -> bool:
        with self._lock:
            return setting.key not in self._values

    def set(self, setting: Setting[T], value: T) -> None:
        rule = setting.check(value)
        if rule:
            raise SettingValueError(setting, rule)
        with self._lock:
            old = self._values.get(setting.key, _MISSING)
            self._values[setting.key] = value
            try:
                self._save_locked()
            except BaseException:
                if old is _MISSING:
                    self._values.pop(setting.key, None)
                else:
                    self._values[setting.key] = old
                raise

    def set_value(self, key: str, value: Any) -> None:
        self.set(SETTINGS_BY_KEY[key], value)

    def reset(self, setting: Setting[Any]) -> None:
        with self._lock:
            if self._values.pop(setting.key, _MISSING) is not _MISSING:
                self._save_locked()

    def __iter__(self) -> Iterator[tuple[Setting[Any], Any]]:
        with self._lock:
            snapshot = dict(self._values)
        for s in ALL_SETTINGS:
            yield s, snapshot.get(s.key, s.default)

    def _save_locked(self) -> None:
        ensure_dir(self.config_dir)
        values = {**self._unknown, **self._values}
        atomic_write_json(self.path, {"schema": SCHEMA_VERSION, "values": values})


_MISSING: Any = object()

"""The one place that touches the OS keychain: merchant keys and ledger passwords, stored
per profile.

A profile's merchant key is the keychain entry named by its id; the password of its shared
ledger (a PostgreSQL server) is a second entry, ``<id>/ledger-password``. Both live only in
the system keychain (through ``keyring``): never in a settings file, a log
or an exception message. Without a usable keychain the desk says so plainly — there is no
fallback to a plain-text file, and the plain-text backends of ``keyrings.alt`` are refused
even when ``keyring`` would pick them.

Every method may block (D-Bus round trips, an unlock prompt): GUI code calls them through
``await asyncio.to_thread(store.get_key, profile_id)``, never on the GUI thread. Instances are
thread-safe.

User-facing texts: :attr:`KeychainStatus.message` and :attr:`KeychainError.message` are fixed
English source strings (translation context :data:`TRANSLATION_CONTEXT`); variable parts
(which backend, which error) are in ``detail`` and are not translated.
"""

from __future__ import annotations

import enum
import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from iotpay_desk.api.redact import redact, register_secret

from .i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    # keyring (and what it loads) is imported on first use, in a worker thread: the
    # window's first frame does not wait for it.
    from keyring.backend import KeyringBackend

__all__ = [
    "MSG_CANCELLED",
    "MSG_LEDGER_WRITE_FAILED",
    "MSG_LOCKED",
    "MSG_NO_KEYCHAIN",
    "MSG_PLAINTEXT_REFUSED",
    "MSG_UNREACHABLE",
    "MSG_WRITE_FAILED",
    "TRANSLATION_CONTEXT",
    "CredentialStore",
    "KeychainError",
    "KeychainState",
    "KeychainStatus",
    "backend_name",
]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

TRANSLATION_CONTEXT = "keychain"

MSG_NO_KEYCHAIN = QT_TRANSLATE_NOOP(
    "keychain",
    "No system keychain was found. Install and start a Secret Service provider such as "
    "GNOME Keyring or KWallet, then restart.",
)
MSG_PLAINTEXT_REFUSED = QT_TRANSLATE_NOOP(
    "keychain",
    "The only keychain available keeps keys in a plain file, which this desk does not use. "
    "Install and start a Secret Service provider such as GNOME Keyring or KWallet, then "
    "restart.",
)
MSG_UNREACHABLE = QT_TRANSLATE_NOOP(
    "keychain",
    "The system keychain could not be reached. Make sure its service (such as GNOME Keyring "
    "or KWallet) is running, then restart.",
)
MSG_LOCKED = QT_TRANSLATE_NOOP("keychain", "Your system keychain is locked — unlock it and retry.")
MSG_CANCELLED = QT_TRANSLATE_NOOP(
    "keychain",
    "The keychain prompt was cancelled, so the desk cannot use the keychain yet. Retry, and "
    "accept the prompt when it appears.",
)
MSG_WRITE_FAILED = QT_TRANSLATE_NOOP(
    "keychain",
    "The system keychain did not store the merchant key. Retry; if it keeps failing, open "
    "your keychain application and check it.",
)
MSG_LEDGER_WRITE_FAILED = QT_TRANSLATE_NOOP(
    "keychain",
    "The system keychain did not store the ledger password. Retry; if it keeps failing, open "
    "your keychain application and check it.",
)

_PROBE_USER = "keychain-check"
_LEDGER_SUFFIX = "/ledger-password"


class KeychainState(enum.Enum):
    AVAILABLE = "available"
    LOCKED = "locked"
    #: The user dismissed the keychain's own prompt (to unlock it, or to create it).
    CANCELLED = "cancelled"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class KeychainStatus:
    """What the banner shows: the state, a plain message (translatable) and a detail."""

    state: KeychainState
    message: str = ""
    detail: str = ""
    backend: str = ""

    @property
    def usable(self) -> bool:
        return self.state is KeychainState.AVAILABLE


class KeychainError(Exception):
    """Any keychain failure. ``str()`` is the plain message; it never contains a key."""

    def __init__(self, state: KeychainState, message: str, detail: str = "") -> None:
        self.state = state
        self.message = message
        self.detail = detail
        super().__init__(message)

    @property
    def status(self) -> KeychainStatus:
        return KeychainStatus(self.state, self.message, self.detail)


def backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    if getattr(cls, "_wraps_upstream", False):
        cls = cls.__mro__[1]
    return f"{cls.__module__}.{cls.__qualname__}"


def _closing_secret_service(backend: KeyringBackend) -> KeyringBackend:
    """The Secret Service backend, minus its D-Bus connection leak on a locked keychain.

    WORKAROUND: keyring's ``SecretService.Keyring.get_preferred_collection`` opens a D-Bus
    connection and raises ``KeyringLocked``/``InitError`` without closing it
    (https://github.com/jaraco/keyring/issues/380); every check of a locked keychain
    leaked a socket. Same behaviour otherwise; other backends are returned as they are.
    """
    try:
        from keyring.backends import SecretService
    except ImportError:  # pragma: no cover - always importable; secretstorage may be absent
        return backend
    closing_class = _closing_class()
    if type(backend) is not SecretService.Keyring or closing_class is None:
        return backend
    fixed: KeyringBackend = closing_class.__new__(closing_class)
    fixed.__dict__.update(backend.__dict__)
    return fixed


@functools.cache
def _closing_class() -> type[KeyringBackend] | None:
    try:
        import secretstorage
        import secretstorage.exceptions
        from keyring.backends import SecretService
    except ImportError:  # pragma: no cover
        return None

    class ClosingSecretServiceKeyring(SecretService.Keyring):
        _wraps_upstream = True

        def get_preferred_collection(self) -> Any:
            import keyring.errors

            bus = secretstorage.dbus_init()
            try:
                try:
                    if hasattr(self, "preferred_collection"):
                        collection = secretstorage.Collection(bus, self.preferred_collection)
                    else:
                        collection = secretstorage.get_default_collection(bus)
                except secretstorage.exceptions.SecretStorageException as e:
                    raise keyring.errors.InitError(f"Failed to create the collection: {e}.") from e
                if collection.is_locked():
                    collection.unlock()
                    if collection.is_locked():  # the user dismissed the prompt
                        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
            except BaseException:
                bus.close()
                raise
            return collection

    return ClosingSecretServiceKeyring


def _is_plaintext(backend: KeyringBackend) -> bool:
    # keyrings.alt's file backends (PlaintextKeyring, EncryptedKeyring with a typed password,
    # the Gnome/KDE shims) all live in keyrings.alt; none is a system keychain.
    return type(backend).__module__.startswith("keyrings.alt")


def _is_fail(backend: KeyringBackend) -> bool:
    from keyring.backends import fail, null

    return isinstance(backend, fail.Keyring | null.Keyring)


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from (keyring wraps the backend's own)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


# kwallet's backend raises these texts when the user pressed Cancel on the wallet prompt.
_KWALLET_CANCELLED = "Cancelled by user"
# macOS errSecUserCanceled: the user pressed Cancel on the keychain's password dialog.
_MACOS_USER_CANCELED = -128


def _prompt_dismissed(exc: BaseException) -> bool:
    """True when the keychain failed because the user dismissed its prompt.

    What keyring's backends raise then (keyring 25): Secret Service, ``PromptDismissedException``
    from creating an item, or an ``InitError`` raised from one when the prompt that creates
    the default collection (gnome-keyring's "choose a password for the new keyring") was
    dismissed; KWallet, ``PasswordSetError``/``PasswordDeleteError("Cancelled by user")``;
    macOS, ``KeyringLocked`` raised from ``KeychainDenied`` with errSecUserCanceled (-128).
    A dismissed *unlock* prompt leaves the keychain locked, and is reported as locked.
    """
    import keyring.errors

    try:
        import secretstorage.exceptions as ss
    except ImportError:  # pragma: no cover - secretstorage ships with keyring on Linux
        ss = None  # type: ignore[assignment]
    for e in _causes(exc):
        if ss is not None and isinstance(e, ss.PromptDismissedException):
            return True
        if (
            isinstance(e, keyring.errors.PasswordSetError | keyring.errors.PasswordDeleteError)
            and str(e) == _KWALLET_CANCELLED
        ):
            return True
        args = getattr(e, "args", ())
        if type(e).__name__ == "KeychainDenied" and args and args[0] == _MACOS_USER_CANCELED:
            return True
    return False


def _classify(exc: BaseException) -> tuple[KeychainState, str]:
    """Map a backend exception to a state and its plain message."""
    import keyring.errors

    if _prompt_dismissed(exc):
        return KeychainState.CANCELLED, MSG_CANCELLED
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeychainState.LOCKED, MSG_LOCKED
    if isinstance(exc, keyring.errors.NoKeyringError):
        return KeychainState.UNAVAILABLE, MSG_NO_KEYCHAIN
    if isinstance(exc, keyring.errors.PasswordSetError):
        return KeychainState.AVAILABLE, MSG_WRITE_FAILED
    try:
        import secretstorage.exceptions as ss
    except ImportError:  # pragma: no cover - secretstorage ships with keyring on Linux
        pass
    else:
        if isinstance(exc, ss.LockedException | ss.PromptDismissedException):
            return KeychainState.LOCKED, MSG_LOCKED
    # InitError, SecretServiceNotAvailableException, jeepney D-Bus errors, missing
    # DBUS_SESSION_BUS_ADDRESS (KeyError/OSError), a broken keychain daemon …
    return KeychainState.UNAVAILABLE, MSG_UNREACHABLE


class CredentialStore:
    """Merchant keys in the OS keychain, one entry per profile id.

    ``backend`` pins a keyring backend (tests, or a user's explicit choice); without it the
    backend ``keyring`` detects is resolved on first use and remembered.
    """

    def __init__(self, service: str = "iotpay-desk", backend: KeyringBackend | None = None):
        if not service:
            raise ValueError("service must not be empty")
        self.service = service
        self._pinned = backend
        self._lock = threading.RLock()
        self._backend: KeyringBackend | None = None
        self._refusal: KeychainStatus | None = None
        self._resolved = False
        self._last: KeychainStatus | None = None

    def __repr__(self) -> str:
        name = backend_name(self._backend) if self._backend else "unresolved"
        return f"CredentialStore(service={self.service!r}, backend={name})"

    # -- backend resolution -------------------------------------------------------------

    def _resolve(self) -> KeyringBackend:
        """The backend to use, or raise the (remembered) reason there is none."""
        with self._lock:
            if not self._resolved:
                self._backend, self._refusal = self._choose()
                self._resolved = True
                if self._refusal is not None:
                    log.warning(
                        "keychain unusable: %s (%s)", self._refusal.detail, self._refusal.backend
                    )
            if self._refusal is not None:
                raise KeychainError(
                    self._refusal.state, self._refusal.message, self._refusal.detail
                )
            assert self._backend is not None
            return self._backend

    def _choose(self) -> tuple[KeyringBackend | None, KeychainStatus | None]:
        import keyring.errors

        if self._pinned is not None:
            candidate = self._pinned
        else:
            try:
                candidate = keyring.get_keyring()
            except Exception as exc:
                return None, KeychainStatus(
                    KeychainState.UNAVAILABLE, MSG_UNREACHABLE, type(exc).__name__
                )
        from keyring.backends.chainer import ChainerBackend

        if isinstance(candidate, ChainerBackend):
            chained = list(candidate.backends)
            allowed = [b for b in chained if not _is_plaintext(b) and not _is_fail(b)]
            if allowed:
                candidate = allowed[0]
            elif chained:
                candidate = chained[0]
        candidate = _closing_secret_service(candidate)
        name = backend_name(candidate)
        if _is_fail(candidate):
            return None, KeychainStatus(
                KeychainState.UNAVAILABLE, MSG_NO_KEYCHAIN, "no keychain backend", name
            )
        if _is_plaintext(candidate):
            return None, KeychainStatus(
                KeychainState.UNAVAILABLE,
                MSG_PLAINTEXT_REFUSED,
                "plain-file keychain backend refused",
                name,
            )
        return candidate, None

    @property
    def backend(self) -> str:
        """Name of the resolved backend ("" before first use or when none was found)."""
        return backend_name(self._backend) if self._backend is not None else ""

    # -- state ---------------------------------------------------------------------------

    def status(self) -> KeychainStatus:
        """Check the keychain now (one harmless read) and return its state with a message."""
        try:
            backend = self._resolve()
            backend.get_password(self.service, _PROBE_USER)
        except KeychainError as exc:
            st = KeychainStatus(exc.state, exc.message, exc.detail, self._backend_label())
        except Exception as exc:
            state, message = _classify(exc)
            if state is KeychainState.AVAILABLE:  # a read cannot fail "to store"
                state, message = KeychainState.UNAVAILABLE, MSG_UNREACHABLE
            st = KeychainStatus(state, message, type(exc).__name__, self._backend_label())
        else:
            st = KeychainStatus(KeychainState.AVAILABLE, "", "", self._backend_label())
        self._last = st
        return st

    def state(self) -> KeychainState:
        return self.status().state

    @property
    def last_status(self) -> KeychainStatus | None:
        """The state seen by the latest call (``None`` before any), without a new check."""
        return self._last

    def _backend_label(self) -> str:
        if self._backend is not None:
            return backend_name(self._backend)
        return self._refusal.backend if self._refusal else ""

    # -- keys ------------------------------------------------------------------------------

    def get_key(self, profile_id: str) -> str | None:
        """The merchant key of a profile, or ``None`` when none is stored."""
        user = _username(profile_id)
        value = self._call("read", lambda b: b.get_password(self.service, user))
        if value is not None and not isinstance(value, str):
            raise KeychainError(KeychainState.UNAVAILABLE, MSG_UNREACHABLE, "unexpected value")
        if value:
            register_secret(value)
        return value or None

    def set_key(self, profile_id: str, key: str) -> None:
        """Store (or replace) the merchant key of a profile."""
        user = _username(profile_id)
        if not isinstance(key, str) or not key.strip():
            raise ValueError("the merchant key must not be blank")
        if any(ord(c) < 32 or ord(c) == 127 for c in key):
            raise ValueError("the merchant key must not contain control characters")
        register_secret(key)  # before the call: anything logged while storing is redacted
        self._call("write", lambda b: b.set_password(self.service, user, key), secret=key)

    def delete_key(self, profile_id: str) -> bool:
        """Remove a profile's key; ``False`` when there was none."""
        user = _username(profile_id)

        def delete(b: KeyringBackend) -> bool:
            import keyring.errors

            try:
                b.delete_password(self.service, user)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return self._call("delete", delete)

    def has_key(self, profile_id: str) -> bool:
        return self.get_key(profile_id) is not None

    # -- ledger passwords --------------------------------------------------------------------

    def get_ledger_password(self, profile_id: str) -> str | None:
        """The password of a profile's shared ledger, or ``None`` when none is stored."""
        user = _username(profile_id) + _LEDGER_SUFFIX
        value = self._call("read", lambda b: b.get_password(self.service, user))
        if value is not None and not isinstance(value, str):
            raise KeychainError(KeychainState.UNAVAILABLE, MSG_UNREACHABLE, "unexpected value")
        if value:
            register_secret(value)
        return value or None

    def set_ledger_password(self, profile_id: str, password: str) -> None:
        """Store (or replace) the password of a profile's shared ledger."""
        user = _username(profile_id) + _LEDGER_SUFFIX
        if not isinstance(password, str) or not password:
            raise ValueError("the ledger password must not be empty")
        if any(ord(c) < 32 or ord(c) == 127 for c in password):
            raise ValueError("the ledger password must not contain control characters")
        register_secret(password)
        self._call(
            "write",
            lambda b: b.set_password(self.service, user, password),
            secret=password,
            write_failed=MSG_LEDGER_WRITE_FAILED,
        )

    def delete_ledger_password(self, profile_id: str) -> bool:
        """Remove a profile's ledger password; ``False`` when there was none."""
        user = _username(profile_id) + _LEDGER_SUFFIX

        def delete(b: KeyringBackend) -> bool:
            import keyring.errors

            try:
                b.delete_password(self.service, user)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return self._call("delete", delete)

    def _call(
        self,
        what: str,
        op: Callable[[KeyringBackend], _T],
        secret: str = "",
        write_failed: str = MSG_WRITE_FAILED,
    ) -> _T:
        with self._lock:
            try:
                backend = self._resolve()
            except KeychainError as exc:
                self._last = KeychainStatus(
                    exc.state, exc.message, exc.detail, self._backend_label()
                )
                raise
            failure: KeychainError | None = None
            try:
                result = op(backend)
            except Exception as exc:
                state, message = _classify(exc)
                if message == MSG_WRITE_FAILED:
                    message = write_failed
                detail = type(exc).__name__
                # The backend's own text goes to the log only, redacted, never to the user.
                log.warning(
                    "keychain %s failed: %s: %s",
                    what,
                    detail,
                    redact(str(exc), extra=(secret,) if secret else ()),
                )
                self._last = KeychainStatus(state, message, detail, backend_name(backend))
                failure = KeychainError(state, message, detail)
            if failure is not None:
                # Raised outside the handler: the backend's exception (whose text may hold
                # the key) is not kept as __context__.
                raise failure
            self._last = KeychainStatus(KeychainState.AVAILABLE, "", "", backend_name(backend))
            return result


def _username(profile_id: str) -> str:
    if not isinstance(profile_id, str) or not profile_id.strip() or len(profile_id) > 64:
        raise ValueError("profile id must be non-empty text of at most 64 characters")
    return profile_id

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordSetError

from iotpay_desk.api.redact import redact
from iotpay_desk.core import credentials as cr
from iotpay_desk.core.credentials import (
    CredentialStore,
    KeychainError,
    KeychainState,
)
from tests.core.conftest import LockedKeyring, files_containing
from tests.plugins.memkeyring import MemoryKeyring

KEY = "MERCHANT_KEY_" + "9f3a1c07b2e84d5d"


def pid() -> str:
    return uuid.uuid4().hex


def all_files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_memory_backend_round_trip(creds: CredentialStore) -> None:
    a, b = pid(), pid()
    assert creds.get_key(a) is None
    creds.set_key(a, KEY)
    creds.set_key(b, KEY + "b")
    assert creds.get_key(a) == KEY
    assert creds.get_key(b) == KEY + "b"
    assert creds.has_key(a)
    creds.set_key(a, KEY + "new")
    assert creds.get_key(a) == KEY + "new"
    assert creds.delete_key(a) is True
    assert creds.delete_key(a) is False
    assert creds.get_key(a) is None
    assert creds.get_key(b) == KEY + "b"
    assert MemoryKeyring.store == {("iotpay-desk", b): KEY + "b"}


def test_state_available_with_memory_backend(creds: CredentialStore) -> None:
    st = creds.status()
    assert st.state is KeychainState.AVAILABLE
    assert st.usable
    assert st.backend.endswith("MemoryKeyring")
    assert creds.state() is KeychainState.AVAILABLE


def test_backend_resolved_lazily_from_keyring_config() -> None:
    store = CredentialStore()
    assert store.backend == ""  # nothing touched yet
    store.set_key(pid(), KEY)
    assert store.backend == "tests.plugins.memkeyring.MemoryKeyring"


@pytest.fixture
def detected_backend(monkeypatch: pytest.MonkeyPatch) -> object:
    """Let keyring detect its backend again from the environment; restore afterwards."""
    previous = keyring.get_keyring()

    def detect(name: str) -> KeyringBackend:
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
        keyring.core.init_backend()
        return keyring.get_keyring()

    yield detect
    keyring.set_keyring(previous)


def test_no_keychain_found_is_unavailable_and_writes_nothing(
    detected_backend: object, hermetic_home: Path
) -> None:
    detect = detected_backend
    assert isinstance(detect("keyring.backends.fail.Keyring"), fail.Keyring)  # type: ignore[operator]
    before = all_files(hermetic_home)
    store = CredentialStore()
    st = store.status()
    assert st.state is KeychainState.UNAVAILABLE
    assert st.message == cr.MSG_NO_KEYCHAIN
    assert "No system keychain was found" in st.message
    assert "GNOME Keyring or KWallet" in st.message
    with pytest.raises(KeychainError) as info:
        store.set_key(pid(), KEY)
    assert info.value.state is KeychainState.UNAVAILABLE
    assert str(info.value) == cr.MSG_NO_KEYCHAIN
    assert KEY not in repr(info.value)
    assert KEY not in str(info.value.__cause__)
    with pytest.raises(KeychainError):
        store.get_key(pid())
    assert all_files(hermetic_home) == before
    assert files_containing(hermetic_home, KEY) == []


def test_explicit_fail_backend(hermetic_home: Path) -> None:
    before = all_files(hermetic_home)
    store = CredentialStore(backend=fail.Keyring())
    assert store.state() is KeychainState.UNAVAILABLE
    with pytest.raises(KeychainError, match="No system keychain was found"):
        store.set_key(pid(), KEY)
    assert store.last_status is not None
    assert store.last_status.state is KeychainState.UNAVAILABLE
    assert all_files(hermetic_home) == before


def test_locked_keychain(caplog: pytest.LogCaptureFixture) -> None:
    store = CredentialStore(backend=LockedKeyring())
    st = store.status()
    assert st.state is KeychainState.LOCKED
    assert st.message == "Your system keychain is locked — unlock it and retry."
    for call in (
        lambda: store.set_key(pid(), KEY),
        lambda: store.get_key(pid()),
        lambda: store.delete_key(pid()),
    ):
        with pytest.raises(KeychainError) as info:
            call()
        assert info.value.state is KeychainState.LOCKED
        assert info.value.detail == "KeyringLocked"
        assert info.value.__cause__ is None
        assert info.value.__context__ is None
    assert KEY not in caplog.text


class PlainFileKeyring(MemoryKeyring):
    """Stands for keyrings.alt's PlaintextKeyring (that package is not installed here:
    installing it would make a plain file everybody's default keychain)."""


PlainFileKeyring.__module__ = "keyrings.alt.file"


def test_plaintext_backend_is_refused() -> None:
    store = CredentialStore(backend=PlainFileKeyring())
    st = store.status()
    assert st.state is KeychainState.UNAVAILABLE
    assert st.message == cr.MSG_PLAINTEXT_REFUSED
    assert st.backend == "keyrings.alt.file.PlainFileKeyring"
    with pytest.raises(KeychainError, match="plain file"):
        store.set_key(pid(), KEY)
    assert MemoryKeyring.store == {}


class LeakyRefusingKeyring(MemoryKeyring):
    """A backend whose error text repeats the password (some do, in their messages)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError(f"could not store {password!r} for {username}")


def test_error_never_carries_the_key(caplog: pytest.LogCaptureFixture) -> None:
    store = CredentialStore(backend=LeakyRefusingKeyring())
    caplog.set_level(logging.DEBUG)
    key = "LEAKY_" + uuid.uuid4().hex
    with pytest.raises(KeychainError) as info:
        store.set_key(pid(), key)
    err = info.value
    assert err.message == cr.MSG_WRITE_FAILED
    assert err.state is KeychainState.AVAILABLE  # the keychain is there; the write failed
    for text in (str(err), repr(err), err.detail, repr(err.args), repr(err.__context__)):
        assert key not in text
    assert err.__cause__ is None
    # The backend's text reaches the log redacted.
    assert "keychain write failed" in caplog.text
    assert key not in caplog.text


def test_unreachable_secret_service_without_dbus(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import SecretService

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/iotpay-desk-bus")
    store = CredentialStore(backend=SecretService.Keyring())
    st = store.status()
    assert st.state is KeychainState.UNAVAILABLE
    assert st.message == cr.MSG_UNREACHABLE
    with pytest.raises(KeychainError) as info:
        store.set_key(pid(), KEY)
    assert info.value.state is KeychainState.UNAVAILABLE
    assert KEY not in str(info.value)


def test_read_key_is_registered_for_redaction(creds: CredentialStore) -> None:
    key = "readback-key-" + uuid.uuid4().hex[:12]
    MemoryKeyring.store[("iotpay-desk", "p1")] = key  # put there by an earlier run
    assert key in redact(f"key is {key}!")  # unknown until read
    assert creds.get_key("p1") == key
    assert key not in redact(f"the merchant key {key} leaked")


@pytest.mark.parametrize("bad", ["", "   ", "abc\ndef", "abc\x00"])
def test_blank_or_control_key_refused_without_echo(creds: CredentialStore, bad: str) -> None:
    with pytest.raises(ValueError, match="merchant key") as info:
        creds.set_key(pid(), bad)
    assert bad.strip() == "" or bad not in str(info.value)
    assert MemoryKeyring.store == {}


def test_repr_has_no_secret(creds: CredentialStore) -> None:
    creds.set_key("p", KEY)
    assert KEY not in repr(creds)
    assert "MemoryKeyring" in repr(creds)


@pytest.mark.asyncio
async def test_used_from_a_worker_thread(creds: CredentialStore) -> None:
    p = pid()
    await asyncio.to_thread(creds.set_key, p, KEY)
    results = await asyncio.gather(*(asyncio.to_thread(creds.get_key, p) for _ in range(8)))
    assert results == [KEY] * 8
    assert (await asyncio.to_thread(creds.status)).state is KeychainState.AVAILABLE


class _Bus:
    """What ``secretstorage.dbus_init`` returns; only closed by the backend here."""

    closed = False

    def close(self) -> None:
        self.closed = True


def test_dismissed_prompt_creating_the_keychain_is_a_cancellation_not_a_dead_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gnome-keyring with no keyring yet asks for a password for a new one; Cancel there
    makes secretstorage raise PromptDismissedException, which keyring's Secret Service
    backend wraps in InitError. It was reported as "make sure its service is running"."""
    import secretstorage
    from keyring.backends import SecretService

    bus = _Bus()

    def dismissed(*_args: object, **_kw: object) -> object:
        raise secretstorage.exceptions.PromptDismissedException("Prompt dismissed.")

    monkeypatch.setattr(secretstorage, "dbus_init", lambda: bus)
    monkeypatch.setattr(secretstorage, "get_default_collection", dismissed)
    store = CredentialStore(backend=SecretService.Keyring())
    st = store.status()
    assert st.state is KeychainState.CANCELLED
    assert st.message == cr.MSG_CANCELLED
    assert "prompt was cancelled" in st.message
    assert "Retry" in st.message
    assert not st.usable
    with pytest.raises(KeychainError) as info:
        store.set_key(pid(), KEY)
    assert info.value.state is KeychainState.CANCELLED
    assert info.value.message == cr.MSG_CANCELLED
    assert bus.closed  # the D-Bus connection is not leaked either


def test_cancelled_kwallet_prompt_is_a_cancellation() -> None:
    """KWallet's backend raises PasswordSetError("Cancelled by user") when the wallet
    prompt is cancelled: not "the keychain did not store the key"."""
    from keyring.backends import kwallet

    class CancelledWallet(kwallet.DBusKeyring):
        def connected(self, service: str) -> bool:
            return False  # what keyring sees when the user pressed Cancel on the prompt

    store = CredentialStore(backend=CancelledWallet())
    with pytest.raises(KeychainError) as info:
        store.set_key(pid(), KEY)
    assert info.value.state is KeychainState.CANCELLED
    assert info.value.message == cr.MSG_CANCELLED
    # A read whose unlock prompt was cancelled leaves the wallet locked: said so.
    assert store.status().state is KeychainState.LOCKED


# -- ledger passwords ---------------------------------------------------------------------

LEDGER_PW = "Ledger-PW-" + "5e1d0c2b"


def test_ledger_password_is_a_distinct_entry(creds: CredentialStore) -> None:
    a = pid()
    creds.set_key(a, KEY)
    assert creds.get_ledger_password(a) is None
    creds.set_ledger_password(a, LEDGER_PW)
    assert creds.get_ledger_password(a) == LEDGER_PW
    assert creds.get_key(a) == KEY  # the merchant key is another entry
    assert MemoryKeyring.store == {
        ("iotpay-desk", a): KEY,
        ("iotpay-desk", f"{a}/ledger-password"): LEDGER_PW,
    }
    assert LEDGER_PW not in redact(f"password={LEDGER_PW}")  # registered for redaction
    assert creds.delete_ledger_password(a) is True
    assert creds.delete_ledger_password(a) is False
    assert creds.get_ledger_password(a) is None
    assert creds.get_key(a) == KEY


@pytest.mark.parametrize("bad", ["", "line\nbreak", "tab\there"])
def test_empty_or_control_ledger_password_refused_without_echo(
    creds: CredentialStore, bad: str
) -> None:
    with pytest.raises(ValueError, match="ledger password must not") as info:
        creds.set_ledger_password(pid(), bad)
    if bad:
        assert bad not in str(info.value)
    assert MemoryKeyring.store == {}


def test_ledger_password_write_failure_names_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = CredentialStore(backend=LeakyRefusingKeyring())
    caplog.set_level(logging.DEBUG)
    secret = "LEAKY_PW_" + uuid.uuid4().hex
    with pytest.raises(KeychainError) as info:
        store.set_ledger_password(pid(), secret)
    assert info.value.message == cr.MSG_LEDGER_WRITE_FAILED
    assert "ledger password" in info.value.message
    for text in (str(info.value), repr(info.value), caplog.text, repr(store)):
        assert secret not in text
    # The merchant key's own message is unchanged.
    with pytest.raises(KeychainError) as key_info:
        store.set_key(pid(), KEY)
    assert key_info.value.message == cr.MSG_WRITE_FAILED


def test_locked_keychain_refuses_ledger_passwords() -> None:
    store = CredentialStore(backend=LockedKeyring())
    for call in (
        lambda: store.set_ledger_password(pid(), LEDGER_PW),
        lambda: store.get_ledger_password(pid()),
        lambda: store.delete_ledger_password(pid()),
    ):
        with pytest.raises(KeychainError) as info:
            call()
        assert info.value.state is KeychainState.LOCKED

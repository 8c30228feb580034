"""Against a real Secret Service (gnome-keyring under dbus-run-session in CI).

Run locally:
    dbus-run-session -- bash -c 'echo "" | gnome-keyring-daemon --unlock --components=secrets;
                                 uv run pytest tests/core -m secretservice'
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from iotpay_desk.core.credentials import CredentialStore, KeychainError, KeychainState
from iotpay_desk.core.profiles import Environment, Profile, ProfileStore
from tests.core.conftest import files_containing

pytestmark = pytest.mark.secretservice

SECRETS = "org.freedesktop.secrets"


def _secret_service_or_skip() -> Any:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    from keyring.backends import SecretService

    try:
        SecretService.Keyring.priority  # noqa: B018 - probes the bus and the service
    except RuntimeError as exc:
        pytest.skip(f"no Secret Service reachable: {exc}")
    return SecretService.Keyring()


@pytest.fixture
def store() -> Iterator[CredentialStore]:
    backend = _secret_service_or_skip()
    s = CredentialStore(service=f"iotpay-desk-test-{uuid.uuid4().hex[:8]}", backend=backend)
    used: list[str] = []
    s.used = used  # type: ignore[attr-defined]
    yield s
    for pid in used:
        with contextlib.suppress(KeychainError):
            s.delete_key(pid)


def test_real_secret_service_round_trip(store: CredentialStore, hermetic_home: Path) -> None:
    assert store.state() is KeychainState.AVAILABLE
    assert store.backend == "keyring.backends.SecretService.Keyring"
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    store.used += [a, b]  # type: ignore[attr-defined]
    key_a, key_b = "ss-key-a-" + a[:10], "ss-key-b-" + b[:10]
    assert store.get_key(a) is None
    store.set_key(a, key_a)
    store.set_key(b, key_b)
    assert store.get_key(a) == key_a
    assert store.get_key(b) == key_b
    # A second store (as after a restart) reads the same entries.
    again = CredentialStore(service=store.service, backend=_secret_service_or_skip())
    assert again.get_key(a) == key_a
    assert store.delete_key(a) is True
    assert store.get_key(a) is None
    assert store.delete_key(a) is False
    assert files_containing(hermetic_home, key_b) == []


def test_removing_a_profile_deletes_its_real_keychain_entry(
    store: CredentialStore, tmp_path: Path
) -> None:
    profiles = ProfileStore(tmp_path / "config", credentials=store)
    p = profiles.add(Profile.new("Main", Environment.TEST, "10000701", operators=["jack123"]))
    store.used.append(p.id)  # type: ignore[attr-defined]
    store.set_key(p.id, "ss-profile-key-123")
    profiles.remove(p.id)
    assert store.get_key(p.id) is None
    assert "ss-profile-key-123" not in (tmp_path / "config" / "profiles.json").read_text()


def _unlock_with_master_password(collection_path: str) -> bool:
    """Unlock a gnome-keyring collection without a prompt (CI starts it with an empty line)."""
    import secretstorage
    from jeepney import DBusAddress, MessageType, new_method_call
    from secretstorage.util import format_secret, open_session

    bus = secretstorage.dbus_init()
    try:
        addr = DBusAddress(
            "/org/freedesktop/secrets",
            bus_name=SECRETS,
            interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
        )
        for password in (b"\n", b""):
            secret = format_secret(open_session(bus), password, "text/plain")
            msg = new_method_call(
                addr, "UnlockWithMasterPassword", "o(oayays)", (collection_path, secret)
            )
            reply = bus.send_and_get_reply(msg)
            if reply.header.message_type is MessageType.method_return:
                return True
        return False
    finally:
        bus.close()


def _default_collection_path() -> str:
    import secretstorage
    from jeepney import DBusAddress, new_method_call

    bus = secretstorage.dbus_init()
    try:
        addr = DBusAddress(
            "/org/freedesktop/secrets", bus_name=SECRETS, interface="org.freedesktop.Secret.Service"
        )
        reply = bus.send_and_get_reply(new_method_call(addr, "ReadAlias", "s", ("default",)))
        path: str = reply.body[0]
        return path
    finally:
        bus.close()


def test_locked_real_keychain_then_unlocked(store: CredentialStore) -> None:
    """Lock the real collection: the desk reports LOCKED (no crash, no fallback); after the
    user unlocks it, the same store works again."""
    import secretstorage

    path = _default_collection_path()
    if not path or path == "/":
        pytest.skip("the Secret Service has no default collection")
    pid = uuid.uuid4().hex
    store.used.append(pid)  # type: ignore[attr-defined]
    store.set_key(pid, "ss-locked-key-1")
    bus = secretstorage.dbus_init()
    collection = secretstorage.Collection(bus, path)
    try:
        collection.lock()
        assert collection.is_locked()
        # Unlocking would need a prompt; headless, the prompt cannot be shown.
        st = store.status()
        assert st.state is KeychainState.LOCKED
        assert st.message == "Your system keychain is locked — unlock it and retry."
        with pytest.raises(KeychainError) as info:
            store.get_key(pid)
        assert info.value.state is KeychainState.LOCKED
        assert "ss-locked-key-1" not in str(info.value)
    finally:
        unlocked = _unlock_with_master_password(path)
        bus.close()
    if not unlocked:
        pytest.fail("could not unlock the test keychain again (was it started with an empty line?)")
    assert store.state() is KeychainState.AVAILABLE
    assert store.get_key(pid) == "ss-locked-key-1"

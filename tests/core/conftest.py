"""Fixtures for the Qt-free core: app paths under the tmp HOME, credential stores, backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.logging_setup import teardown_logging
from iotpay_desk.core.paths import AppPaths
from tests.plugins.memkeyring import MemoryKeyring


class LockedKeyring(KeyringBackend):
    """A keychain that exists but stays locked: every call fails as Secret Service does."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


@pytest.fixture
def paths(hermetic_home: Path) -> AppPaths:
    return AppPaths.default()


@pytest.fixture
def creds() -> CredentialStore:
    return CredentialStore(backend=MemoryKeyring())


@pytest.fixture
def no_logging_leftovers() -> Iterator[None]:
    yield
    teardown_logging()


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every regular file under ``root`` whose bytes contain ``needle``."""
    hits = []
    data = needle.encode()
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and data in path.read_bytes():
            hits.append(path)
    return hits

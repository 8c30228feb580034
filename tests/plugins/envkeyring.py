"""A read-only keyring backend for a test's child process: its passwords come from the
``IOTPAY_TEST_KEYRING`` environment variable (JSON ``{"service|user": "password"}``), so
a test can hand a merchant key to a CLI it starts, as the OS keychain would."""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError


class EnvKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        entries = json.loads(os.environ.get("IOTPAY_TEST_KEYRING", "{}"))
        value = entries.get(f"{service}|{username}")
        return value if isinstance(value, str) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("read-only test keyring")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError("read-only test keyring")

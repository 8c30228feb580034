"""Sandbox merchants and the documented demo merchant."""

from __future__ import annotations

from dataclasses import dataclass, field

from iotpay_desk.api import rules

__all__ = ["DEMO_MERCHANT", "Merchant", "parse_merchant_arg"]


@dataclass(frozen=True, slots=True)
class Merchant:
    """A merchant the sandbox knows. ``login``, when set, is the only loginName accepted.

    The key never appears in ``repr``.
    """

    mch_id: str
    key: str = field(repr=False)
    login: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        problem = rules.id30(self.mch_id)
        if problem:
            raise ValueError(f"mchId: {problem}")
        if not self.key or any(c.isspace() for c in self.key) or ":" in self.key:
            raise ValueError("merchant key: must be non-empty, without spaces or ':'")
        if self.login is not None:
            problem = rules.text(12)(self.login)
            if problem:
                raise ValueError(f"loginName: {problem}")


DEMO_MERCHANT = Merchant(
    mch_id="10000701",
    key="SANDBOX_DEMO_KEY_not_secret_0001",
    login=None,
    name="Demo Café",
)


def parse_merchant_arg(text: str) -> Merchant:
    """``MCHID:KEY[:LOGIN]`` (the key contains no ``:``) → a Merchant named after its id."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValueError("--merchant must be MCHID:KEY or MCHID:KEY:LOGIN")
    login = parts[2] if len(parts) == 3 and parts[2] else None
    return Merchant(mch_id=parts[0], key=parts[1], login=login, name=f"Merchant {parts[0]}")

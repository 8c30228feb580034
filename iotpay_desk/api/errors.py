"""The client's error taxonomy.

- :class:`InvalidRequest`: the request broke a rule; nothing was sent.
- :class:`IotPayRejected`: IOTPay answered ``FAIL``; its ``retMsg`` is kept.
- :class:`CannotConnect`: no connection could be made; nothing was sent.
- :class:`OutcomeUnknown`: the request may have reached IOTPay (timeout after sending,
  connection dropped, HTTP 5xx, an unparsable answer). For a money-moving call this is
  not a failure: it is resolved with ``cc_query``, never by sending again.

No message here ever carries a key, a sign or card data.
"""

from __future__ import annotations

from .rules import BrokenRule, RuleCode

__all__ = [
    "CannotConnect",
    "InvalidNotify",
    "InvalidRequest",
    "IotPayError",
    "IotPayRejected",
    "OutcomeUnknown",
]

_NOT_FOUND_HINTS = ("not found", "not exist", "no such", "does not exist", "not binding")


class IotPayError(Exception):
    """Base of every error the protocol core raises."""


class InvalidRequest(IotPayError, ValueError):
    """A field broke a rule before anything was sent: ``field`` (its API name) and
    ``rule`` (a :class:`~iotpay_desk.api.rules.BrokenRule`: code, parameters, English)."""

    def __init__(self, field: str, rule: BrokenRule | RuleCode | str) -> None:
        self.field = field
        self.rule = BrokenRule.of(rule)
        super().__init__(f"{field}: {self.rule}")


class IotPayRejected(IotPayError):
    """IOTPay answered ``retCode == "FAIL"``."""

    def __init__(self, endpoint: str, ret_msg: str) -> None:
        self.endpoint = endpoint
        self.ret_msg = ret_msg
        super().__init__(f"IOTPay refused {endpoint}: {ret_msg or 'no reason given'}")

    @property
    def is_not_found(self) -> bool:
        """True when IOTPay says the order or card does not exist."""
        msg = self.ret_msg.lower()
        return any(h in msg for h in _NOT_FOUND_HINTS)


class CannotConnect(IotPayError):
    """No connection to IOTPay could be made; the request was never sent."""

    def __init__(self, endpoint: str, reason: str) -> None:
        self.endpoint = endpoint
        self.reason = reason
        super().__init__(f"could not reach IOTPay for {endpoint}: {reason}")


class OutcomeUnknown(IotPayError):
    """The request may have reached IOTPay; what it did is not known."""

    def __init__(self, endpoint: str, reason: str) -> None:
        self.endpoint = endpoint
        self.reason = reason
        super().__init__(f"outcome of {endpoint} unknown: {reason}")


class InvalidNotify(IotPayError, ValueError):
    """A notification that cannot be trusted (bad JSON, bad sign, missing fields)."""

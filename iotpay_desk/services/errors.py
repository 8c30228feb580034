"""Typed errors of the money services. Each one means nothing was sent to IOTPay.

Their text is plain English for logs; the GUI shows its own translated message chosen
by the error's type and fields (``field`` and ``rule`` name what to fix; a rule is a
typed code with parameters, translated in one table, never read back from English).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iotpay_desk.api.rules import BrokenRule, RuleCode

if TYPE_CHECKING:
    from iotpay_desk.journal import Action

__all__ = [
    "ActionInProgress",
    "CannotReachIotPay",
    "CardNotAdded",
    "CardNotBound",
    "DirectAddDisabled",
    "InvalidInput",
    "MoneyError",
    "NotInJournal",
    "OrderNotFound",
    "PaymentChanged",
    "RefusedByIotPay",
    "UnknownCard",
    "UnknownDraft",
]


class MoneyError(Exception):
    """Base of the errors a screen shows to the operator; nothing was sent."""


class InvalidInput(MoneyError, ValueError):
    """A value the operator gave breaks a rule: ``field`` (amount, reason, note, query,
    payOrderId, operator) and the ``rule`` it breaks (a
    :class:`~iotpay_desk.api.rules.BrokenRule`: code and parameters; its text is English).

    ``rule`` may be given as a code, a BrokenRule, or a text from elsewhere (IOTPay's
    words, a text already translated), which is shown as it is.
    """

    def __init__(self, field: str, rule: BrokenRule | RuleCode | str) -> None:
        self.field = field
        self.rule = BrokenRule.of(rule)
        super().__init__(f"{field}: {self.rule}")


def _who(action: Action) -> str:
    """The operator and desk that wrote ``action`` (older journals named no desk)."""
    return f"{action.operator} at desk {action.desk}" if action.desk else action.operator


class ActionInProgress(MoneyError):
    """Another refund or void on this payment is not resolved yet (``action``)."""

    def __init__(self, action: Action) -> None:
        self.action = action
        super().__init__(
            f"a {action.kind.value} ({action.mch_no}) on this payment by {_who(action)} is "
            "still being checked with IOTPay; wait for it to finish"
        )


class PaymentChanged(MoneyError):
    """Another refund or void (``action``) was made on the payment after this form opened."""

    def __init__(self, action: Action) -> None:
        self.action = action
        super().__init__(
            f"a {action.kind.value} ({action.mch_no}) was made on this payment by {_who(action)} "
            "after the form was opened; look the payment up again"
        )


class OrderNotFound(MoneyError):
    """IOTPay knows no order by that payOrderId or mchOrderNo."""

    def __init__(self, query: str) -> None:
        self.query = query
        super().__init__(f"no order {query!r} at IOTPay (neither payOrderId nor mchOrderNo)")


class CannotReachIotPay(MoneyError):
    """IOTPay could not be asked (no connection, no usable answer); nothing was sent."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"could not reach IOTPay: {reason}")


class RefusedByIotPay(MoneyError):
    """IOTPay refused a look-up for another reason than "not found" (a wrong merchant key
    or mchId, for instance): ``ret_msg`` is its reason."""

    def __init__(self, ret_msg: str) -> None:
        self.ret_msg = ret_msg
        super().__init__(f"IOTPay refused: {ret_msg or 'no reason given'}")


class UnknownDraft(MoneyError):
    """The draft id is not one this service made, or it was for another action."""

    def __init__(self, draft_id: str, why: str = "unknown draft") -> None:
        self.draft_id = draft_id
        super().__init__(f"{why}: {draft_id}")


class CardNotAdded(MoneyError):
    """The hosted page did not bind a card (IOTPay's or the page's ``ret_msg`` says why);
    nothing was saved in the vault. Starting again is safe."""

    def __init__(self, ret_msg: str, card_id: str = "") -> None:
        self.ret_msg = ret_msg
        self.card_id = card_id
        super().__init__(f"the card was not added: {ret_msg or 'no reason given'}")


class CardNotBound(MoneyError):
    """IOTPay has no card bound to ``card_id`` (its ``ret_msg``)."""

    def __init__(self, card_id: str, ret_msg: str = "") -> None:
        self.card_id = card_id
        self.ret_msg = ret_msg
        super().__init__(f"IOTPay has no card bound to {card_id}: {ret_msg or 'not binding'}")


class DirectAddDisabled(MoneyError):
    """Typing card numbers into the desk is off for this profile (turning it on takes the
    PCI DSS confirmation in the profile's settings)."""

    def __init__(self) -> None:
        super().__init__(
            "direct card entry is off for this profile; turn it on in the profile's settings "
            "after confirming PCI DSS compliance"
        )


class UnknownCard(MoneyError):
    """No card with this cardId is in the profile's vault."""

    def __init__(self, card_id: str) -> None:
        self.card_id = card_id
        super().__init__(f"no card {card_id!r} in the card vault")


class NotInJournal(MoneyError):
    """No action with this mchOrderNo / mchRefundNo is in the journal."""

    def __init__(self, mch_no: str) -> None:
        self.mch_no = mch_no
        super().__init__(f"no action {mch_no!r} in the journal")

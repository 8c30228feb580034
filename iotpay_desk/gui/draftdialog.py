"""What the money forms (charge, wallet, purchase, direct card entry) do alike.

The forms' wording stays in the forms: every text here arrives already translated by the
form's own ``self.tr`` (PySide looks translations up under the runtime class name, and the
catalogue is keyed by the class that holds the string), so these are plain functions, not
a base class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from iotpay_desk.journal import ActionState

from .amounts import format_cents
from .asyncjob import gone, run_busy
from .errors import UserMessage

if TYPE_CHECKING:
    from iotpay_desk.journal import ActionKind
    from iotpay_desk.services import ActionResult, Draft, MoneyService

__all__ = [
    "OutcomeTexts",
    "forget_draft",
    "make_draft",
    "open_receipt",
    "outcome_text",
    "paid_amount",
    "say",
]


async def make_draft(
    dialog: QWidget,
    service: MoneyService,
    kind: ActionKind,
    submit: QPushButton,
    *,
    progress_text: str,
    on_error: Callable[[UserMessage], None],
) -> Draft | None:
    """Make the form's draft (it fixes the order number), then let ``submit`` work.
    None when it failed (``on_error`` said why) or the form closed meanwhile."""
    result = await run_busy(
        submit,
        service.new_draft(kind),
        progress_text=progress_text,
        on_error=on_error,
    )
    if gone(dialog) or result.value is None:
        return None
    submit.setEnabled(True)
    submit.setDefault(True)
    return result.value


def forget_draft(service: MoneyService, draft: Draft | None) -> None:
    """The form closes: its draft, never sent (or already done), goes."""
    if draft is not None:
        service.discard_draft(draft.id)


def say(
    label: QLabel,
    message: UserMessage | str | None,
    focus: Mapping[str, QWidget] | None = None,
) -> None:
    """Show ``message`` in the form's message line (None hides it); a user error naming a
    field puts the cursor in that field's control from ``focus``."""
    if message is None:
        label.clear()
        label.setVisible(False)
        return
    label.setText(message.text if isinstance(message, UserMessage) else message)
    label.setVisible(True)
    if isinstance(message, UserMessage) and focus:
        control = focus.get(message.field or "")
        if control is not None:
            control.setFocus()


def paid_amount(result: ActionResult) -> int:
    """The amount in cents: IOTPay's order's, else the one asked for."""
    return result.order.amount if result.order else (result.action.amount_cents or 0)


@dataclass(frozen=True)
class OutcomeTexts:
    """A form's own (translated) wording of an outcome; ``%1`` is the amount, the
    reference or IOTPay's reason. Without ``checking`` or ``not_received``, those states
    read as ``refused``."""

    paid: str
    reference: str
    declined: str
    refused: str
    no_reason: str
    checking: str | None = None
    not_received: str | None = None


def outcome_text(result: ActionResult, texts: OutcomeTexts) -> str:
    """What happened to the form's charge, in the form's words."""
    state = result.state
    if state is ActionState.SUCCEEDED:
        text = texts.paid.replace("%1", format_cents(paid_amount(result)))
        if result.order is not None and result.order.pay_order_id:
            text += " " + texts.reference.replace("%1", result.order.pay_order_id)
        return text
    if result.checking and texts.checking is not None:
        return texts.checking
    if state is ActionState.DECLINED:
        return texts.declined.replace("%1", result.ret_msg or texts.no_reason)
    if state is ActionState.NOT_RECEIVED and texts.not_received is not None:
        return texts.not_received
    return texts.refused.replace("%1", result.ret_msg or texts.no_reason)


def open_receipt(
    parent: QWidget, result: ActionResult | None, merchant_name: str
) -> QWidget | None:
    """Open the receipt of a charge that succeeded (None for any other outcome)."""
    if result is None or not result.succeeded:
        return None
    from iotpay_desk.services import receipt_for

    from .receipt import show_receipt

    receipt = receipt_for(result.action, merchant_name=merchant_name, order=result.order)
    return show_receipt(parent, receipt)

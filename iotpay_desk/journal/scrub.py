"""Keep card numbers, CVVs, keys and signs out of the journal file.

Everything free-form that reaches the journal (reasons, notes, IOTPay's retMsg, audit
details, lookup texts) goes through :func:`scrub` first. Ids are not harmed: a digit
run glued to letters (``PC2024…``, ``R2401…``) is never taken for a card number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iotpay_desk.api.redact import redact

__all__ = ["scrub", "scrub_detail"]


def scrub(text: str) -> str:
    """``text`` with full card numbers masked and secret-looking values removed.

    The same rules as the log redaction, so the journal and the logs never disagree
    about what counts as card data.
    """
    if not text:
        return text
    return redact(text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {str(k): _scrub_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_value(v) for v in value]
    return value


def scrub_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON-ready copy of ``detail`` with every text value scrubbed."""
    if not detail:
        return {}
    return {str(k): _scrub_value(v) for k, v in detail.items()}

"""Keep card numbers, CVVs, keys and signs out of the journal file.

Everything free-form that reaches the journal (reasons, notes, IOTPay's retMsg, audit
details, lookup texts) goes through :func:`scrub` first. Ids are not harmed: a digit
run glued to letters (``PC2024…``, ``R2401…``) is never taken for a card number.

Two rules, applied in turn: the log redaction's (a Luhn-valid card number is masked
``424242******4242``), then the journal file's own (schema v6,
:func:`iotpay_desk.api.rules.has_card_run`): any other run of 13 or more digits that
does not follow a letter keeps only its last four digits. So a scrubbed text is always
one the file accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from iotpay_desk.api.redact import redact
from iotpay_desk.api.rules import has_card_run

__all__ = ["scrub", "scrub_detail"]


def scrub(text: str) -> str:
    """``text`` with full card numbers masked and secret-looking values removed.

    The same rules as the log redaction, so the journal and the logs never disagree
    about what counts as card data.
    """
    if not text:
        return text
    return _mask_card_runs(redact(text))


# Digits with the spaces and dashes between them: has_card_run joins groups only there.
_STRETCH = re.compile(r"[0-9][0-9 \-]*")
_DIGIT = re.compile(r"[0-9]")


def _mask_card_runs(text: str) -> str:
    if not has_card_run(text):
        return text

    def mask(m: re.Match[str]) -> str:
        stretch = m.group(0)
        before = text[m.start() - 1] if m.start() else ""
        if not has_card_run(before + stretch):
            return stretch
        keep = len(_DIGIT.findall(stretch)) - 4
        out: list[str] = []
        for c in stretch:
            if "0" <= c <= "9":
                out.append("*" if keep > 0 else c)
                keep -= 1
            else:
                out.append(c)
        return "".join(out)

    masked = _STRETCH.sub(mask, text)
    # Cannot happen (a test tries random texts); never store a card number anyway.
    return masked if not has_card_run(masked) else _DIGIT.sub("*", masked)


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

"""What the journal stores of free text: card numbers masked, secrets removed, ids intact."""

from __future__ import annotations

import pytest

from iotpay_desk.journal.scrub import scrub, scrub_detail


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("qty 3 4242424242424242", "4242424242424242"),
        ("card 5555 5555 5555 4444 declined", "5555 5555 5555 4444"),
        ('{"cvv": "123", "holder": "A"}', '"123"'),
        ("sign=87E2040E64AE2D09758B4485CE2B1473", "87E2040E64AE2D09758B4485CE2B1473"),
    ],
)
def test_card_data_and_signs_do_not_survive(text: str, gone: str) -> None:
    assert gone not in scrub(text)


def test_ids_and_amounts_survive() -> None:
    text = "refund R2611231200ABCDEFGHJK of PC20240101215009579871439079 for 1500 cents"
    assert scrub(text) == text


def test_detail_values_are_scrubbed_recursively() -> None:
    detail = scrub_detail({"note": "4000000000000002", "nested": [{"x": "4242424242424242"}]})
    assert "4000000000000002" not in repr(detail)
    assert "4242424242424242" not in repr(detail)

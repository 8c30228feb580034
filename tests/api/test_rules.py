"""Field rules of section 3: each returns None when fine, else a short text naming the rule."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iotpay_desk.api import rules
from iotpay_desk.api.rules import BrokenRule, RuleCode

APPROVE_VISA = "4242424242424242"
APPROVE_MC = "5555555555554444"
DECLINE = "4000000000000002"
PENDING = "4000000000000077"


@pytest.mark.parametrize(
    "digits",
    [APPROVE_VISA, APPROVE_MC, DECLINE, PENDING, "378282246310005", "4222222222222", "0"],
)
def test_luhn_accepts_valid_numbers(digits: str) -> None:
    assert rules.luhn_ok(digits)


@pytest.mark.parametrize(
    "digits", ["4242424242424241", "5555555555554443", "1", "", "4242 4242", "42a2", "٤٢٤٢"]
)
def test_luhn_rejects_invalid_or_non_digit_text(digits: str) -> None:
    assert not rules.luhn_ok(digits)


@given(st.text(alphabet="0123456789", min_size=1, max_size=19))
def test_luhn_one_changed_digit_is_always_caught(digits: str) -> None:
    # Luhn catches every single-digit error: of the ten values a position can take,
    # exactly one makes the check pass.
    passing = [d for d in "0123456789" if rules.luhn_ok(digits[:-1] + d)]
    assert len(passing) == 1


class TestText:
    rule = staticmethod(rules.text(12))

    def test_fine(self) -> None:
        assert self.rule("jack123") is None
        assert self.rule("x" * 12) is None
        assert self.rule("Zoë Ångström"[:12]) is None

    def test_counts_characters_not_bytes(self) -> None:
        assert self.rule("é" * 12) is None
        assert self.rule("é" * 13) == BrokenRule(RuleCode.MAX_CHARS, max=12)

    def test_too_long(self) -> None:
        assert self.rule("x" * 13) == BrokenRule(RuleCode.MAX_CHARS, max=12)

    @pytest.mark.parametrize("blank", [" ", "   ", "\u3000", "\xa0"])
    def test_blank(self, blank: str) -> None:
        assert self.rule(blank) == BrokenRule(RuleCode.NOT_BLANK)

    @pytest.mark.parametrize("value", [None, 12, 1.5, b"abc", ["a"]])
    def test_not_text(self, value: Any) -> None:
        assert self.rule(value) == BrokenRule(RuleCode.TEXT)

    @pytest.mark.parametrize("value", ["a\nb", "a\tb", "a\x00", "a\x7f"])
    def test_control_characters(self, value: str) -> None:
        assert self.rule(value) == BrokenRule(RuleCode.NO_CONTROL_CHARS)


@pytest.mark.parametrize(("value", "problem"), [
    (1, None),
    (1500, None),
    (rules.MAX_CENTS, None),
    (0, "must be more than 0 cents"),
    (-1, "must be more than 0 cents"),
    (rules.MAX_CENTS + 1, "is too large"),
    (True, "must be a whole number of cents"),
    (15.0, "must be a whole number of cents"),
    (15.5, "must be a whole number of cents"),
    ("1500", "must be a whole number of cents"),
    (None, "must be a whole number of cents"),
])  # fmt: skip
def test_cents(value: Any, problem: str | None) -> None:
    assert rules.cents(value) == problem


def test_one_of() -> None:
    rule = rules.one_of(*rules.CHANNELS)
    assert rule("PF_CC") is None
    assert rule("UPI_EX") is None
    assert rule("pf_cc") == BrokenRule(RuleCode.ONE_OF, choices=("PF_CC", "UPI_EX"))
    assert rule("") == BrokenRule(RuleCode.ONE_OF, choices=("PF_CC", "UPI_EX"))
    assert rules.one_of(*rules.CURRENCIES)("USD") == BrokenRule(RuleCode.ONE_OF, choices=("CAD",))
    assert rules.one_of(*rules.CURRENCIES)(["CAD"]) == BrokenRule(RuleCode.ONE_OF, choices=("CAD",))


class TestBase64:
    rule = staticmethod(rules.base64_text())

    def test_fine(self) -> None:
        assert self.rule(base64.b64encode(b'{"token": "x"}').decode()) is None

    @pytest.mark.parametrize("value", ["not base64!", "abc", "YWJj\nZGVm", "YW=J"])
    def test_invalid(self, value: str) -> None:
        assert self.rule(value) == BrokenRule(RuleCode.BASE64_VALID)

    @pytest.mark.parametrize("value", ["", "   ", None, 5])
    def test_not_text(self, value: Any) -> None:
        assert self.rule(value) == BrokenRule(RuleCode.BASE64_TEXT)

    def test_max_len(self) -> None:
        assert rules.base64_text(4)("YWJjZA==") == BrokenRule(RuleCode.MAX_CHARS, max=4)


@pytest.mark.parametrize("value", ["0128", "1299", "0100", "1230"])
def test_mmyy_fine(value: str) -> None:
    assert rules.mmyy(value) is None


@pytest.mark.parametrize("value", ["1328", "0028", "128", "01/28", "012028", "ab28", 1228, None])
def test_mmyy_invalid(value: Any) -> None:
    assert rules.mmyy(value) == BrokenRule(RuleCode.MMYY)


@pytest.mark.parametrize("value", [APPROVE_VISA, APPROVE_MC, DECLINE, PENDING, "378282246310005"])
def test_card_number_fine(value: str) -> None:
    assert rules.card_number(value) is None


@pytest.mark.parametrize(("value", "problem"), [
    ("4242 4242 4242 4242", "must be digits only"),
    ("4242-4242-4242-4242", "must be digits only"),
    ("", "must be digits only"),
    (4242424242424242, "must be digits only"),
    ("٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", "must be digits only"),
    ("42424242424", "must be 12 to 19 digits"),
    ("4" * 20, "must be 12 to 19 digits"),
    ("4242424242424241", "fails the card number check (Luhn)"),
])  # fmt: skip
def test_card_number_invalid(value: Any, problem: str) -> None:
    assert rules.card_number(value) == problem


def test_card_number_problem_never_repeats_the_number() -> None:
    problem = rules.card_number("4242424242424241")
    assert problem is not None
    assert "4242" not in problem


@pytest.mark.parametrize(("value", "problem"), [
    ("123", None),
    ("1234", None),
    ("12", "must be 3 or 4 digits"),
    ("12345", "must be 3 or 4 digits"),
    ("12a", "must be 3 or 4 digits"),
    (123, "must be 3 or 4 digits"),
])  # fmt: skip
def test_cvv(value: Any, problem: str | None) -> None:
    assert rules.cvv(value) == problem


class TestUrl:
    rule = staticmethod(rules.url())

    @pytest.mark.parametrize(
        "value",
        ["https://example.com/return", "http://127.0.0.1:8000/r?x=1", "https://[::1]:9/n"],
    )
    def test_fine(self, value: str) -> None:
        assert self.rule(value) is None

    @pytest.mark.parametrize(
        "value",
        ["ftp://example.com", "example.com/return", "https://", "javascript:alert(1)",
         "https://[::1", "https://example.com:99999/", "https://example.com:port/"],
    )  # fmt: skip
    def test_not_a_url(self, value: str) -> None:
        assert self.rule(value) == BrokenRule(RuleCode.URL)

    def test_spaces(self) -> None:
        assert self.rule("https://exa mple.com/") == BrokenRule(RuleCode.NO_SPACES)

    def test_length(self) -> None:
        assert self.rule("https://e.com/" + "a" * 186) is None
        assert self.rule("https://e.com/" + "a" * 187) == BrokenRule(RuleCode.MAX_CHARS, max=200)


@pytest.mark.parametrize(("value", "problem"), [
    ("192.77.33.56", None),
    ("2001:db8::1", None),
    ("192.77.33", "must be an IPv4 or IPv6 address"),
    ("localhost", "must be an IPv4 or IPv6 address"),
    ("1" * 51, "at most 50 characters"),
])  # fmt: skip
def test_ip_address(value: str, problem: str | None) -> None:
    assert rules.ip_address(value) == problem


@pytest.mark.parametrize(("value", "problem"), [
    ("1234567890abc", None),
    ("x" * 30, None),
    ("x" * 31, "at most 30 characters"),
    (" abc", "must not start or end with a space"),
    ("abc ", "must not start or end with a space"),
    ("  ", "must not be blank"),
    (10000701, "must be text"),
])  # fmt: skip
def test_id30(value: Any, problem: str | None) -> None:
    assert rules.id30(value) == problem


@given(st.one_of(st.text(), st.integers(), st.none(), st.binary(), st.floats()))
def test_rules_never_raise(value: Any) -> None:
    for rule in (
        rules.text(12),
        rules.cents,
        rules.one_of("A"),
        rules.base64_text(),
        rules.mmyy,
        rules.card_number,
        rules.cvv,
        rules.url(),
        rules.ip_address,
        rules.id30,
    ):
        problem = rule(value)
        assert problem is None or isinstance(problem, str)

"""Amounts typed by a cashier: one rule in every locale, never a different amount than meant.

Property-based over en_CA, en_US, fr_CA and fr_FR: what the desk formats reads back to the
same cents; what a person writes in any usual convention (English, French, German grouping,
plain, with one or two decimals or none) reads as that amount or is refused, never as
another; and no text reads as two different amounts in two locales.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QLocale

from iotpay_desk.api.rules import MAX_CENTS
from iotpay_desk.gui.amounts import format_cents, parse_amount
from iotpay_desk.services import InvalidInput

LOCALES = ("en_CA", "en_US", "fr_CA", "fr_FR")
locales = st.sampled_from(LOCALES)
cents_values = st.one_of(
    st.integers(min_value=1, max_value=MAX_CENTS),
    st.integers(min_value=1, max_value=200_000),  # everyday amounts, often
    st.sampled_from([1, 5, 10, 99, 100, 1000, 1050, 105000, 100000, 123456, 10_000_00]),
)
SLOW = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(text: str, locale: str) -> int | None:
    """The cents read from ``text``, or None when it was refused (always with the rule)."""
    try:
        return parse_amount(text, QLocale(locale))
    except InvalidInput as exc:
        refused = exc
    assert refused.field == "amount"
    assert refused.rule
    return None


# ----------------------------------------------------------------------- what a person writes


def group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


@st.composite
def written(draw: st.DrawFn) -> tuple[int, str]:
    """An amount and how some person would write it (the meaning is the amount)."""
    cents = draw(cents_values)
    dollars, rest = divmod(cents, 100)
    group_sep, point = draw(
        st.sampled_from(
            [
                ("", "."),
                ("", ","),
                (",", "."),  # English
                (" ", ","),  # French
                ("\u00a0", ","),
                ("\u202f", ","),
                (" ", "."),
                (".", ","),  # German
                ("'", "."),  # Swiss
            ]
        )
    )
    whole = group(str(dollars), group_sep) if group_sep and draw(st.booleans()) else str(dollars)
    decimals = [2]
    if rest % 10 == 0:
        decimals.append(1)
    if rest == 0:
        decimals.append(0)
    n = draw(st.sampled_from(decimals))
    frac = f"{rest:02d}"[:n]
    text = whole + (point + frac if n else "")
    if draw(st.booleans()):
        text = draw(st.sampled_from(["$", "$ "])) + text
    elif draw(st.booleans()):
        text = text + draw(st.sampled_from([" $", "\u00a0$", "$"]))
    return cents, text


@SLOW
@given(cents=st.integers(min_value=1, max_value=MAX_CENTS), locale=locales)
@example(cents=105000, locale="en_CA")
@example(cents=105000, locale="fr_FR")
@example(cents=1, locale="fr_CA")
def test_formatted_amounts_read_back_to_the_same_cents(cents: int, locale: str) -> None:
    text = format_cents(cents, QLocale(locale))
    assert read(text, locale) == cents


@SLOW
@given(amount=written(), locale=locales)
@example(amount=(1050, "10,50"), locale="en_CA")
@example(amount=(105000, "1,050"), locale="en_US")
@example(amount=(105000, "1.050"), locale="fr_FR")
@example(amount=(105000, "1 050,00"), locale="en_CA")
@example(amount=(123456, "1.234,56"), locale="en_US")
def test_what_a_person_writes_is_read_as_meant_or_refused(
    amount: tuple[int, str], locale: str
) -> None:
    cents, text = amount
    got = read(text, locale)
    assert got in (None, cents), f"{text!r} in {locale} read as {got}, meant {cents}"


@SLOW
@given(text=st.text(alphabet="0123456789.,  \u00a0\u202f$-", max_size=14))
@example(text="10,50")
@example(text="1,050")
@example(text="1,05")
@example(text="1,234,56")
@example(text="1.050,5")
def test_no_text_reads_as_two_amounts_in_two_locales(text: str) -> None:
    readings = {loc: read(text, loc) for loc in LOCALES}
    values = {v for v in readings.values() if v is not None}
    assert len(values) <= 1, f"{text!r}: {readings}"
    for v in values:
        assert 1 <= v <= MAX_CENTS
        # What was understood, formatted, reads back as itself everywhere.
        for loc in LOCALES:
            assert read(format_cents(v, QLocale(loc)), loc) == v


@given(text=st.text(max_size=30), locale=locales)
@settings(max_examples=300, deadline=None)
def test_any_text_is_an_amount_or_a_named_rule(text: str, locale: str) -> None:
    got = read(text, locale)  # never any other exception
    assert got is None or 1 <= got <= MAX_CENTS


# ----------------------------------------------------------------------- the rule, by example


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("10,50", 1050),  # "," with two digits after it can only be cents
        ("10,5", 1050),
        ("10.50", 1050),  # "." always
        ("$12.50", 1250),
        ("12,50 $", 1250),
        ("1 050", 105000),
        ("1\u00a0050,00\u00a0$", 105000),
        ("1,050.00", 105000),  # a "." follows: the "," can only group thousands
        (".5", 50),
    ],
)
def test_read_the_same_in_every_locale(text: str, cents: int, locale: str) -> None:
    assert read(text, locale) == cents


@pytest.mark.parametrize(
    ("text", "locale", "rule"),
    [
        ("1,050", "fr_CA", "is ambiguous"),  # thousands, or three decimals?
        ("1,050", "fr_FR", "is ambiguous"),
        ("1.050", "en_CA", "at most two decimals"),  # "." is always the decimal point
        ("10 50", "en_CA", "is ambiguous"),
        ("1,234,56", "en_US", "is ambiguous"),
        ("1.234,56", "fr_CA", "is ambiguous"),
        ("1.050.00", "en_CA", "is ambiguous"),
        ("lots", "en_CA", "must be an amount such as 12.50"),
        ("-5", "en_CA", "must be more than 0"),
        ("0,00", "fr_CA", "must be more than 0"),
        ("1" * 40, "en_CA", "is too large"),
        ("1000000000", "en_CA", "is too large"),
    ],
)
def test_refused_with_the_rule_named(text: str, locale: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_amount(text, QLocale(locale))
    assert info.value.field == "amount"
    assert info.value.rule.startswith(rule)


def test_english_commas_group_thousands_only_by_three() -> None:
    assert read("1,050", "en_CA") == 105000
    assert read("12,345,678", "en_US") == 1234567800
    assert read("1,05", "en_CA") == 105  # one or two digits: cents, not thousands
    assert read("1,0500", "en_CA") is None


def test_the_ambiguity_rule_shows_the_locale_s_grouping() -> None:
    with pytest.raises(InvalidInput) as en:
        parse_amount("10 50", QLocale("en_CA"))
    assert "(1,050)" in en.value.rule
    with pytest.raises(InvalidInput) as fr:
        parse_amount("1,050", QLocale("fr_CA"))
    assert "(1 050)" in fr.value.rule

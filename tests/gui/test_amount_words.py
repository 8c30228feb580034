"""Amounts in words (English and Canadian French), checked against a reader written apart
from the writer: every number reads back as itself, and the French agreement rules hold
(vingt et un, quatre-vingts, deux cents / deux cent un, mille invariable, millions)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from iotpay_desk.gui.amounts import WORDS_LIMIT, dollars_in_words, number_in_words

numbers = st.one_of(
    st.integers(min_value=0, max_value=WORDS_LIMIT - 1),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=999).map(lambda n: n * 1000),
    st.integers(min_value=0, max_value=999).map(lambda n: n * 1_000_000),
)

EN_VALUES = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
} | {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
FR_VALUES = {
    w: i
    for i, w in enumerate(
        [
            "zéro",
            "un",
            "deux",
            "trois",
            "quatre",
            "cinq",
            "six",
            "sept",
            "huit",
            "neuf",
            "dix",
            "onze",
            "douze",
            "treize",
            "quatorze",
            "quinze",
            "seize",
        ]
    )
} | {
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
}
SCALES = {"thousand": 1000, "million": 10**6, "billion": 10**9}
FR_SCALES = {"mille": 1000, "million": 10**6, "millions": 10**6}
FR_SCALES |= {"milliard": 10**9, "milliards": 10**9}


def read_words(text: str, language: str) -> int:
    """Words → number, the way a person reads them: small values add, "hundred"/"cent"
    multiplies what came before it, a scale word closes a group."""
    total = group = 0
    tokens = re.split(r"[ -]", text)
    if language == "fr":
        # "quatre-vingt(s)" is one word that multiplies; "et" only joins.
        tokens = [t for t in tokens if t != "et"]
    for tok in tokens:
        if language == "en" and tok in EN_VALUES:
            group += EN_VALUES[tok]
        elif language == "en" and tok == "hundred":
            group *= 100
        elif language == "en" and tok in SCALES:
            total += group * SCALES[tok]
            group = 0
        elif language == "fr" and tok in FR_VALUES:
            value = FR_VALUES[tok]
            if value == 20 and group % 100 == 4:  # quatre-vingt(s)
                group += 76
            else:
                group += value
        elif language == "fr" and tok in ("cent", "cents"):
            assert group < 10, text  # "cent" follows one digit word at most
            group = (group or 1) * 100
        elif language == "fr" and tok in FR_SCALES:
            total += (group or 1) * FR_SCALES[tok]
            group = 0
        else:
            raise AssertionError(f"unknown word {tok!r} in {text!r}")
    return total + group


@given(n=numbers)
@settings(max_examples=1500, deadline=None)
@example(n=0)
@example(n=WORDS_LIMIT - 1)
def test_english_words_read_back(n: int) -> None:
    words = number_in_words(n, "en")
    assert read_words(words, "en") == n
    assert " and " not in words
    assert "  " not in words


@given(n=numbers)
@settings(max_examples=1500, deadline=None)
@example(n=71)
@example(n=80_000_000)
@example(n=200_080)
def test_french_words_read_back_and_agree(n: int) -> None:
    words = number_in_words(n, "fr")
    assert read_words(words, "fr") == n
    tokens = words.split(" ")
    # mille is invariable and never "un mille"
    assert "milles" not in tokens

    def just_one(i: int) -> bool:  # the multiplier before tokens[i] is "un" alone
        return i > 0 and tokens[i - 1] == "un" and (i == 1 or tokens[i - 2] in FR_SCALES)

    # "et" only in 21, 31, 41, 51, 61 and 71 (vingt et un … soixante et onze)
    for m in re.finditer(r"(\S+) et (\S+)", words):
        assert m.group(1) in ("vingt", "trente", "quarante", "cinquante", "soixante")
        assert m.group(2) in ("un", "onze")
        assert not (m.group(2) == "onze" and m.group(1) != "soixante")
    # cents / quatre-vingts take their s only when nothing but a noun follows them
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok == "cents" or tok.endswith("quatre-vingts"):
            assert nxt in (None, "millions", "milliards"), words
        if tok == "cent" and i > 0 and tokens[i - 1] in FR_VALUES:
            assert nxt not in (None, "millions", "milliards"), words
        if tok.endswith("quatre-vingt"):
            assert nxt not in (None, "millions", "milliards"), words
    # million(s) and milliard(s) are nouns: singular only after "un" alone
    for i, tok in enumerate(tokens):
        if tok == "mille":
            assert not just_one(i), words
        if tok in ("million", "milliard"):
            assert just_one(i), words
        if tok in ("millions", "milliards"):
            assert not just_one(i), words


@pytest.mark.parametrize(
    ("n", "en", "fr"),
    [
        (0, "zero", "zéro"),
        (1, "one", "un"),
        (16, "sixteen", "seize"),
        (17, "seventeen", "dix-sept"),
        (21, "twenty-one", "vingt et un"),
        (22, "twenty-two", "vingt-deux"),
        (71, "seventy-one", "soixante et onze"),
        (77, "seventy-seven", "soixante-dix-sept"),
        (80, "eighty", "quatre-vingts"),
        (81, "eighty-one", "quatre-vingt-un"),
        (91, "ninety-one", "quatre-vingt-onze"),
        (100, "one hundred", "cent"),
        (101, "one hundred one", "cent un"),
        (200, "two hundred", "deux cents"),
        (201, "two hundred one", "deux cent un"),
        (280, "two hundred eighty", "deux cent quatre-vingts"),
        (1000, "one thousand", "mille"),
        (1050, "one thousand fifty", "mille cinquante"),
        (2000, "two thousand", "deux mille"),
        (21_000, "twenty-one thousand", "vingt et un mille"),
        (80_000, "eighty thousand", "quatre-vingt mille"),
        (200_000, "two hundred thousand", "deux cent mille"),
        (1_000_000, "one million", "un million"),
        (2_000_000, "two million", "deux millions"),
        (80_000_000, "eighty million", "quatre-vingts millions"),
        (200_000_000, "two hundred million", "deux cents millions"),
        (1_001_000, "one million one thousand", "un million mille"),
        (2_000_000_000, "two billion", "deux milliards"),
    ],
)
def test_numbers_in_words(n: int, en: str, fr: str) -> None:
    assert number_in_words(n, "en") == en
    assert number_in_words(n, "fr") == fr


@pytest.mark.parametrize(
    ("cents", "en", "fr"),
    [
        (105000, "one thousand fifty dollars and no cents", "mille cinquante dollars et zéro cent"),
        (1050, "ten dollars and fifty cents", "dix dollars et cinquante cents"),
        (100, "one dollar and no cents", "un dollar et zéro cent"),
        (1, "zero dollars and one cent", "zéro dollar et un cent"),
        (8080, "eighty dollars and eighty cents", "quatre-vingts dollars et quatre-vingts cents"),
        (2101, "twenty-one dollars and one cent", "vingt et un dollars et un cent"),
        (
            100_000_000,
            "one million dollars and no cents",
            "un million de dollars et zéro cent",
        ),
        (
            100_000_100,
            "one million one dollars and no cents",
            "un million un dollars et zéro cent",
        ),
    ],
)
def test_dollars_in_words(cents: int, en: str, fr: str) -> None:
    assert dollars_in_words(cents, "en") == en
    assert dollars_in_words(cents, "fr") == fr


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        number_in_words(-1)
    with pytest.raises(ValueError, match="outside"):
        number_in_words(WORDS_LIMIT)

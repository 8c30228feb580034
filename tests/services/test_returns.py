"""The desk's return URL for hosted pages and the unsigned hints it comes back with."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iotpay_desk.api import rules
from iotpay_desk.services import RETURN_URL_BASE, parse_return_url, return_url_for
from iotpay_desk.services.returns import hint_from_params


def test_the_return_url_never_resolves_and_fits_iotpay_s_limit() -> None:
    url = return_url_for("addcard", "a" * 64)
    assert urlsplit(url).hostname == "desk.invalid"  # RFC 6761: never resolves
    assert rules.url(200)(url) is None
    assert return_url_for("purchase", "s1") == f"{RETURN_URL_BASE}/purchase/s1"
    for kind, session in [
        ("refund", "s1"),
        ("addcard", ""),
        ("addcard", "a/b"),
        ("addcard", "x" * 65),
    ]:
        with pytest.raises(ValueError, match=r"kind|session_id"):
            return_url_for(kind, session)  # type: ignore[arg-type]


def test_hints_of_iotpay_s_redirects() -> None:
    ok = parse_return_url(f"{RETURN_URL_BASE}/addcard/s1?retCode=SUCCESS")
    assert ok is not None
    assert (ok.kind, ok.session_id, ok.ret_code, ok.status) == ("addcard", "s1", "SUCCESS", None)
    assert ok.says_succeeded
    assert not ok.says_failed

    paid = parse_return_url(f"{RETURN_URL_BASE}/purchase/s2?retCode=SUCCESS&status=2&mchOrderNo=P9")
    assert paid is not None
    assert (paid.status, paid.mch_order_no, paid.says_succeeded) == (2, "P9", True)

    pending = parse_return_url(f"{RETURN_URL_BASE}/purchase/s2?retCode=SUCCESS&status=0")
    assert pending is not None
    assert not pending.says_succeeded
    assert not pending.says_failed

    declined = parse_return_url(
        f"{RETURN_URL_BASE}/purchase/s3?retCode=FAIL&retMsg=card%20declined&status=9&mchOrderNo=P1"
        "&retCode=SUCCESS&status=2"  # appended again by a page: the first value counts
    )
    assert declined is not None
    assert (declined.ret_code, declined.ret_msg, declined.status) == ("FAIL", "card declined", 9)
    assert declined.says_failed


def test_a_card_number_in_a_hint_is_masked() -> None:
    hint = parse_return_url(
        f"{RETURN_URL_BASE}/addcard/s1?retCode=FAIL&retMsg=bad+card+4242424242424242"
    )
    assert hint is not None
    assert "4242424242424242" not in hint.ret_msg
    assert "4242" in hint.ret_msg


@pytest.mark.parametrize(
    "url",
    [
        "https://desk.invalid/return",
        "https://desk.invalid/return/addcard",
        "https://desk.invalid/return/addcard/",
        "https://desk.invalid/return/other/s1",
        "https://desk.invalid/return/addcard/s1/extra",
        "https://desk.invalid/returnx/addcard/s1",
        "http://desk.invalid/return/addcard/s1",
        "https://desk.invalid:8443/return/addcard/s1",
        "https://user@desk.invalid/return/addcard/s1",
        "https://desk.invalid.example.com/return/addcard/s1",
        "https://ccapi.iotpaycloud.com/return/addcard/s1",
        "javascript:alert(1)",
        "",
        "https://[::1/return",
    ],
)
def test_other_urls_are_not_return_urls(url: str) -> None:
    assert parse_return_url(url) is None


def test_hint_from_params() -> None:
    hint = hint_from_params("purchase", "s9", {"retCode": "fail", "status": "x9", "extra": "1"})
    assert (hint.ret_code, hint.status, hint.says_failed) == ("FAIL", None, True)


@given(st.text(max_size=300))
def test_parsing_any_text_never_raises(text: str) -> None:
    hint = parse_return_url(text)
    if hint is not None:
        assert hint.kind in ("addcard", "purchase")
        assert len(hint.ret_msg) <= 200


@given(st.text(max_size=300))
def test_any_query_after_a_return_url_parses(query: str) -> None:
    hint = parse_return_url(f"{RETURN_URL_BASE}/purchase/abc?{query}")
    assert hint is not None
    assert hint.session_id == "abc"
    assert hint.status is None or 0 <= hint.status <= 999

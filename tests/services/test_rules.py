"""Pure rules of the Orders screen: status words, advice, failure classification, amounts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iotpay_desk.api import Order
from iotpay_desk.sandbox.clock import next_cutoff
from iotpay_desk.services import (
    Advice,
    FailureKind,
    InvalidInput,
    StatusWord,
    advice,
    classify_failure,
    looks_like_pay_order_id,
    parse_cents,
    settles_at,
    status_word,
)
from iotpay_desk.services.rules import TORONTO


def _payment(
    paid: str = "2024-03-05 14:30:00", *, refundable: int = 5000, status: int = 2
) -> Order:
    return Order(
        pay_order_id="PC20240305143000123456789012",
        amount=5000,
        refundable=refundable,
        status=status,
        pay_succ_time=paid,
    )


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TORONTO)


def test_status_in_words() -> None:
    assert [status_word(s) for s in (0, 1, 2, 3, 9, 7)] == [
        StatusWord.PENDING,
        StatusWord.UNKNOWN,
        StatusWord.PAID,
        StatusWord.PAID_NOTIFIED,
        StatusWord.FAILED,
        StatusWord.UNKNOWN,
    ]


def test_pay_order_id_shape() -> None:
    assert looks_like_pay_order_id("PC20240101215009579871439079")
    assert looks_like_pay_order_id("RP20240101215009579871439079")
    assert not looks_like_pay_order_id("pc20240101215009579871439079")
    assert not looks_like_pay_order_id("PC2024010121500957987143907")
    assert not looks_like_pay_order_id("order-1234")


def test_void_before_the_cutoff_refund_after() -> None:
    p = _payment("2024-03-05 14:30:00")
    assert settles_at(p) == _local("2024-03-05 21:00:00")
    assert advice(p, _local("2024-03-05 20:59:59")) is Advice.VOID
    assert advice(p, _local("2024-03-05 21:00:00")) is Advice.REFUND
    late = _payment("2024-03-05 21:00:00")  # at the cut-off: the next day's batch
    assert settles_at(late) == _local("2024-03-06 21:00:00")
    assert advice(late, _local("2024-03-06 08:00:00")) is Advice.VOID
    # the profile's own cut-off and zone
    assert advice(p, _local("2024-03-05 16:00:00"), time(15, 0)) is Advice.REFUND
    utc_now = datetime(2024, 3, 5, 20, 0, tzinfo=UTC)  # 15:00 in Toronto
    assert advice(p, utc_now) is Advice.VOID


def test_nothing_to_advise() -> None:
    now = _local("2024-03-05 15:00:00")
    assert advice(_payment(refundable=0), now) is Advice.NONE
    assert advice(_payment(status=9), now) is Advice.NONE
    assert advice(_payment(status=0), now) is Advice.NONE
    assert advice(_payment(paid=""), now) is Advice.NONE
    refund = Order(pay_order_id="RP20240305143000123456789012", pay_type="refund", status=2)
    assert advice(refund, now) is Advice.NONE
    # partly refunded: it has settled whatever the clock says
    assert advice(_payment(refundable=1000), now) is Advice.REFUND


@given(
    st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2026, 12, 31)),
    st.sampled_from([time(21, 0), time(0, 0), time(2, 30), time(23, 59)]),
)
def test_settlement_matches_the_sandbox_clock(paid: datetime, cutoff: time) -> None:
    paid = paid.replace(microsecond=0)
    local = paid.replace(tzinfo=TORONTO)
    order = _payment(paid.strftime("%Y-%m-%d %H:%M:%S"))
    expected = next_cutoff(local.timestamp(), cutoff)
    got = settles_at(order, cutoff)
    assert got is not None
    assert got.timestamp() == pytest.approx(expected)


def test_classification_of_refusals() -> None:
    cases = {
        "payOrderId: the payment is already settled; use refund, not void": (
            FailureKind.TOO_LATE_TO_VOID
        ),
        "payOrderId: the payment is not settled yet; use void, not refund": (
            FailureKind.TOO_EARLY_TO_REFUND
        ),
        "refundAmount: more than the refundable amount (300 cents left)": (
            FailureKind.OVER_REFUNDABLE
        ),
        "Refund amount exceeds refundable amount": FailureKind.OVER_REFUNDABLE,
        "The order has been settled, please use cc_refund": FailureKind.TOO_LATE_TO_VOID,
        "order unsettled, please use cc_void": FailureKind.TOO_EARLY_TO_REFUND,
        "mchRefundNo: already used (mchRefundNo must be unique per merchant)": (
            FailureKind.ID_ALREADY_USED
        ),
        "payOrderId: the payment was voided; there is nothing to return": FailureKind.OTHER,
        "": FailureKind.OTHER,
    }
    for msg, kind in cases.items():
        assert classify_failure(msg) is kind, msg


def test_amounts_in_cents() -> None:
    assert parse_cents("12.50") == 1250
    assert parse_cents(" 12.5 ") == 1250
    assert parse_cents("12") == 1200
    assert parse_cents(".07") == 7
    assert parse_cents("$1,234.56") == 123456
    for text, rule in [
        ("12.345", "at most two decimals"),
        ("0", "more than 0"),
        ("0.00", "more than 0"),
        ("-5", "such as"),
        ("abc", "such as"),
        ("", "such as"),
        ("1e3", "such as"),
        (".", "such as"),
    ]:
        with pytest.raises(InvalidInput) as info:
            parse_cents(text)
        assert info.value.field == "amount"
        assert rule in info.value.rule, text


@given(st.integers(min_value=1, max_value=10**9))
def test_cents_round_trip(cents: int) -> None:
    assert parse_cents(f"{cents // 100}.{cents % 100:02d}") == cents


def test_dst_keeps_the_wall_clock_cutoff() -> None:
    # 2024-03-10: clocks go forward in Toronto; the cut-off stays at 21:00 local.
    p = _payment("2024-03-10 01:30:00")
    settle = settles_at(p)
    assert settle is not None
    assert settle.astimezone(TORONTO).strftime("%H:%M") == "21:00"
    elapsed = settle.astimezone(UTC) - _local("2024-03-10 01:30:00").astimezone(UTC)
    assert elapsed == timedelta(hours=18, minutes=30)  # 19.5 h on the wall, one skipped

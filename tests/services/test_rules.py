"""Pure rules of the Orders screen: status words, advice, failure classification, amounts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iotpay_desk.api import Order
from iotpay_desk.journal import Action, ActionKind, ActionState
from iotpay_desk.sandbox.clock import next_cutoff
from iotpay_desk.services import (
    Advice,
    FailureKind,
    StatusWord,
    advice,
    classify_failure,
    looks_like_pay_order_id,
    settles_at,
    status_word,
)
from iotpay_desk.services.rules import TORONTO, PaymentStatus, iotpay_time, payment_status


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


def test_dst_keeps_the_wall_clock_cutoff() -> None:
    # 2024-03-10: clocks go forward in Toronto; the cut-off stays at 21:00 local.
    p = _payment("2024-03-10 01:30:00")
    settle = settles_at(p)
    assert settle is not None
    assert settle.astimezone(TORONTO).strftime("%H:%M") == "21:00"
    elapsed = settle.astimezone(UTC) - _local("2024-03-10 01:30:00").astimezone(UTC)
    assert elapsed == timedelta(hours=18, minutes=30)  # 19.5 h on the wall, one skipped


# -- status after refunds and voids; IOTPay's times (issue 8 #6, #8) -----------------------------


def _return(
    kind: ActionKind,
    cents: int | None,
    state: ActionState = ActionState.SUCCEEDED,
    target: str = "PC20240305143000123456789012",
) -> Action:
    at = datetime(2024, 3, 6, 15, 0, tzinfo=UTC)
    return Action(
        id=1,
        kind=kind,
        mch_id="10000701",
        mch_no=f"{kind.id_prefix}2403061500001",
        amount_cents=cents,
        currency="CAD",
        operator="jack",
        state=state,
        created_at=at,
        updated_at=at,
        target_pay_order_id=target,
    )


def test_status_after_refunds_and_voids() -> None:
    paid = _payment()
    assert payment_status(paid) == PaymentStatus(StatusWord.PAID)
    # IOTPay's refundable says what went back; the journal says whether it was a void.
    voided = _payment(refundable=0)
    assert payment_status(voided, [_return(ActionKind.VOID, 5000)]) == PaymentStatus(
        StatusWord.VOIDED, 5000
    )
    assert payment_status(voided, [_return(ActionKind.REFUND, 5000)]) == PaymentStatus(
        StatusWord.REFUNDED, 5000
    )
    partly = _payment(refundable=3750)
    assert payment_status(partly, [_return(ActionKind.REFUND, 1250)]) == PaymentStatus(
        StatusWord.PARTLY_REFUNDED, 1250
    )
    # Refunded elsewhere (IOTPay counts it, the journal does not have it).
    assert payment_status(partly) == PaymentStatus(StatusWord.PARTLY_REFUNDED, 1250)
    # Returned in full, by neither refund nor void of this desk: IOTPay does not say which.
    assert payment_status(voided) == PaymentStatus(StatusWord.RETURNED, 5000)
    # IOTPay's answer predates a refund the journal has: the journal's account counts.
    assert payment_status(paid, [_return(ActionKind.REFUND, 2000)]) == PaymentStatus(
        StatusWord.PARTLY_REFUNDED, 2000
    )
    # Only succeeded refunds and voids of this payment count.
    others = [
        _return(ActionKind.VOID, 5000, ActionState.CHECKING),
        _return(ActionKind.REFUND, 1000, ActionState.FAILED),
        _return(ActionKind.VOID, 5000, target="PC20240305143000999999999999"),
    ]
    assert payment_status(paid, others) == PaymentStatus(StatusWord.PAID)


def test_status_of_what_did_not_go_through_is_iotpays() -> None:
    assert payment_status(_payment(status=9, refundable=0)).word is StatusWord.FAILED
    assert payment_status(_payment(status=0, refundable=0)).word is StatusWord.PENDING
    refund_order = Order(
        pay_order_id="RP20240306150000123456789012", amount=1250, pay_type="refund", status=2
    )
    assert payment_status(refund_order).word is StatusWord.PAID


def test_iotpay_times_are_torontos_wall_clock() -> None:
    assert iotpay_time("2024-07-01 12:30:00") == datetime(2024, 7, 1, 16, 30, tzinfo=UTC)
    assert iotpay_time("2024-01-15 12:30:00") == datetime(2024, 1, 15, 17, 30, tzinfo=UTC)
    assert iotpay_time("") is None
    assert iotpay_time("yesterday") is None


def test_settlement_of_a_merchant_in_another_zone() -> None:
    """IOTPay's time is Toronto's; a Vancouver merchant's cut-off is Vancouver's 21:00.
    Paid at 23:30 Toronto is 20:30 Vancouver: it settles at 21:00 Vancouver, that day."""
    vancouver = ZoneInfo("America/Vancouver")
    order = _payment("2024-03-05 23:30:00")
    assert settles_at(order, time(21, 0), vancouver) == datetime(
        2024, 3, 5, 21, 0, tzinfo=vancouver
    )

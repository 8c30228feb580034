"""The journal's time texts: fixed width, UTC, ``Z``; read back exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iotpay_desk.journal.models import _TIME_FORMAT, format_time, parse_time

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES))
def test_format_time_is_strftime_and_parse_time_reads_it_back(when: datetime) -> None:
    text = format_time(when)
    assert len(text) == 27  # fixed width: text order is time order
    if when.astimezone(UTC).year >= 1000:
        assert text == when.astimezone(UTC).strftime(_TIME_FORMAT)
    back = parse_time(text)
    assert back == when
    assert back.tzinfo is UTC


def test_whole_seconds_keep_their_fraction_and_early_years_four_digits() -> None:
    assert format_time(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00.000000Z"
    assert format_time(datetime(999, 1, 1, tzinfo=UTC)) == "0999-01-01T00:00:00.000000Z"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2024, 1, 1))

"""The End of day charts: daily nets as bars or a line with the zero line and dates and
amounts written with the locale, card brands as a ring; drawn in the light and the dark
look, and onto images for the close-out report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCharts import QCategoryAxis, QLineSeries, QPieSeries, QStackedBarSeries
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iotpay_desk.gui.charts import (
    BAR_DAYS,
    BrandChart,
    NetChart,
    brand_chart_image,
    net_chart_image,
    nice_ticks,
)
from iotpay_desk.gui.closeout import brand_name
from iotpay_desk.gui.theme import apply_theme
from iotpay_desk.journal.days import DailyNet, DayLine

pytestmark = pytest.mark.usefixtures("canadian_english")
LAST = date(2026, 12, 4)


def _nets(n: int) -> list[DailyNet]:
    """``n`` days ending on LAST: mostly sales, every seventh day more refunded than sold."""
    out = []
    for i in range(n):
        cents = -4_250 if i % 7 == 3 else 10_000 + 1_000 * (i % 5)
        out.append(DailyNet(LAST - timedelta(days=n - 1 - i), cents, max(cents, 0), 3))
    return out


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    apply_theme(qapp, request.param)
    yield request.param
    apply_theme(qapp, "light")


def _axis_labels(chart: NetChart, where: Qt.AlignmentFlag) -> list[str]:
    axes = chart.chart().axes(Qt.Orientation.Horizontal if where else Qt.Orientation.Vertical)
    assert len(axes) == 1
    axis = axes[0]
    assert isinstance(axis, QCategoryAxis)
    return axis.categoriesLabels()


def _background_lightness(image_widget: NetChart | BrandChart) -> int:
    image = image_widget.grab().toImage()
    assert not image.isNull()
    return image.pixelColor(4, 4).lightness()


def test_thirty_days_of_nets_are_bars_with_dates_and_amounts(theme: str, qtbot: QtBot) -> None:
    chart = NetChart()
    qtbot.addWidget(chart)
    chart.resize(800, 360)
    chart.show_nets(_nets(30))
    chart.show()
    series = {s.objectName(): s for s in chart.chart().series()}
    bars = series["nets"]
    assert isinstance(bars, QStackedBarSeries)
    up, down = bars.barSets()
    assert up.count() == down.count() == 30
    assert chart.series_points() == 30
    # Days below zero are drawn below the zero line, in their own colour.
    assert [i for i in range(30) if down.at(i) < 0] == [3, 10, 17, 24]
    assert up.color() != down.color()
    zero = series["zero"]
    assert isinstance(zero, QLineSeries)
    assert {p.y() for p in zero.points()} == {0.0}
    dates = _axis_labels(chart, Qt.AlignmentFlag.AlignBottom)
    assert dates[-1] == "Dec 4"  # the day chosen ends the axis
    assert 4 <= len(dates) <= 7
    amounts = chart.chart().axes(Qt.Orientation.Vertical)[0]
    assert isinstance(amounts, QCategoryAxis)
    labels = amounts.categoriesLabels()
    assert "$0.00" in labels
    assert labels[0].startswith("-$")  # the range takes in the days below zero
    # The chart is in the desk's look.
    lightness = _background_lightness(chart)
    assert (lightness < 100) if theme == "dark" else (lightness > 200)


def test_a_year_of_nets_is_a_line(theme: str, qtbot: QtBot) -> None:
    chart = NetChart()
    qtbot.addWidget(chart)
    chart.resize(800, 360)
    chart.show_nets(_nets(365))
    line = next(s for s in chart.chart().series() if s.objectName() == "nets")
    assert isinstance(line, QLineSeries)
    assert line.count() == 365 > BAR_DAYS
    assert chart.series_points() == 365
    assert _axis_labels(chart, Qt.AlignmentFlag.AlignBottom)[-1] == "Dec 4"


def test_the_chart_follows_a_change_of_look(qapp: QApplication, qtbot: QtBot) -> None:
    apply_theme(qapp, "light")
    chart = NetChart()
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    chart.show_nets(_nets(30))
    chart.show()
    assert _background_lightness(chart) > 200
    try:
        apply_theme(qapp, "dark")
        qtbot.waitUntil(lambda: _background_lightness(chart) < 100)
        assert chart.series_points() == 30  # redrawn, with its data
    finally:
        apply_theme(qapp, "light")


def test_card_brands_are_a_ring_named_with_amounts(theme: str, qtbot: QtBot) -> None:
    chart = BrandChart(brand_name)
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    chart.show_brands([DayLine("M", 1, 2_500), DayLine("V", 3, 7_500), DayLine("", 0, 0, 1, 1_000)])
    chart.show()
    pie = chart.chart().series()[0]
    assert isinstance(pie, QPieSeries)
    assert [s.label() for s in pie.slices()] == [
        "Visa: $75.00 (75%)",
        "Mastercard: $25.00 (25%)",
    ]
    assert chart.series_points() == 2
    lightness = _background_lightness(chart)
    assert (lightness < 100) if theme == "dark" else (lightness > 200)
    chart.show_brands([])
    assert chart.series_points() == 0
    assert chart.chart().title() == "No sales on this day"


def test_chart_images_for_the_report_are_light_and_drawn(qapp: QApplication) -> None:
    apply_theme(qapp, "dark")
    try:
        image = net_chart_image(_nets(30), title="Daily net", width=600, height=250)
        brands = brand_chart_image([DayLine("V", 3, 7_500)], brand_name=brand_name)
    finally:
        apply_theme(qapp, "light")
    assert (image.width(), image.height()) == (1500, 625)  # drawn at 2.5×
    assert image.pixelColor(2, 2).lightness() == 255  # paper white, whatever the desk's look
    colours = {image.pixel(x, y) for x in range(0, 1500, 25) for y in range(0, 625, 25)}
    assert len(colours) > 5  # bars, lines and labels were drawn
    assert not brands.isNull()
    assert len({brands.pixel(x, y) for x in range(0, 1600, 40) for y in range(0, 650, 40)}) > 3


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.integers(min_value=-(10**9), max_value=10**9),
)
def test_axis_ticks_are_round_and_cover_the_values_and_zero(a: int, b: int) -> None:
    low, high = min(a, b) / 100, max(a, b) / 100  # cents, as dollars on the axis
    ticks = nice_ticks(low, high)
    assert ticks[0] <= min(low, 0.0)
    assert ticks[-1] >= max(high, 0.0)
    assert any(abs(t) < 1e-6 for t in ticks)
    assert 2 <= len(ticks) <= 12
    steps = {round(b2 - a2, 6) for a2, b2 in pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)

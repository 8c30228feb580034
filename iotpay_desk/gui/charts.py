"""The End of day page's charts (QtCharts), in the desk's light or dark look.

:class:`NetChart` draws the daily net totals of a period (bars up to 45 days, a line
beyond), with the zero line drawn and every axis label written with the locale (dates as
"Dec 4", amounts as the locale writes money). :class:`BrandChart` draws a day's sales by
card brand as a ring. Both take the journal's dataclasses (:class:`DailyNet`,
:class:`DayLine`); they read nothing themselves (the page loads the data through the
service's coroutines, so drawing never waits on the ledger).

:func:`net_chart_image` and :func:`brand_chart_image` draw the same charts, light, onto an
image for the close-out report (GUI thread: a chart is a graphics item).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import final

from PySide6.QtCharts import (
    QAbstractAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QPieSeries,
    QPieSlice,
    QStackedBarSeries,
)
from PySide6.QtCore import QCoreApplication, QDate, QEvent, QLocale, QMargins, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QFrame, QGraphicsScene, QToolTip, QWidget

from iotpay_desk.journal.days import DailyNet, DayLine

from .amounts import format_cents
from .theme import is_dark

__all__ = [
    "BAR_DAYS",
    "BrandChart",
    "ChartColors",
    "NetChart",
    "brand_chart_image",
    "chart_colors",
    "net_chart_image",
    "nice_ticks",
]

#: Up to this many days the nets are bars; beyond, a line (a bar would be a hair).
BAR_DAYS = 45

translate = QCoreApplication.translate
BrandName = Callable[[str], str]


@dataclass(frozen=True)
class ChartColors:
    """The colours of a chart in one look."""

    background: QColor
    text: QColor
    grid: QColor
    zero: QColor
    positive: QColor
    negative: QColor
    slices: tuple[QColor, ...]


_LIGHT_SLICES = ("#2f6fb0", "#d9822b", "#3a9d5d", "#b5446e", "#7a5fb0", "#6b7b7d", "#c2a01e")
_DARK_SLICES = ("#64a8f0", "#f0a356", "#5cc784", "#e07aa0", "#a48be0", "#9fb0b2", "#e6c84a")


def chart_colors(palette: QPalette | None = None) -> ChartColors:
    """The chart colours for ``palette`` (the application's): readable on its base."""
    pal = palette if palette is not None else QApplication.palette()
    dark = is_dark(pal)
    base = pal.color(QPalette.ColorRole.Base)
    text = pal.color(QPalette.ColorRole.Text)
    grid = QColor(text)
    grid.setAlpha(45)
    zero = QColor(text)
    zero.setAlpha(170)
    return ChartColors(
        background=base,
        text=text,
        grid=grid,
        zero=zero,
        positive=QColor("#4c9be8" if dark else "#2f6fb0"),
        negative=QColor("#ff6b6b" if dark else "#c0392b"),
        slices=tuple(QColor(c) for c in (_DARK_SLICES if dark else _LIGHT_SLICES)),
    )


def _light_colors() -> ChartColors:
    """The look of a chart on paper: black on white, whatever the desk's theme."""
    text = QColor(20, 20, 20)
    grid = QColor(text)
    grid.setAlpha(45)
    zero = QColor(text)
    zero.setAlpha(170)
    return ChartColors(
        background=QColor(255, 255, 255),
        text=text,
        grid=grid,
        zero=zero,
        positive=QColor("#2f6fb0"),
        negative=QColor("#c0392b"),
        slices=tuple(QColor(c) for c in _LIGHT_SLICES),
    )


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values (dollars) from at most ``low`` to at least ``high`` (always with 0
    in range), about ``count`` of them: 1, 2 or 5 times a power of ten apart, a cent at
    least."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 0.05:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    n = round((last - first) / step)
    return [first + i * step for i in range(n + 1)]


def day_label(day: date, locale: QLocale | None = None) -> str:
    """A short date for an axis: "Dec 4" (the order and month names of the language)."""
    loc = locale or QLocale()
    fmt = translate("Charts", "MMM d", "a short date on a chart's axis (Qt date format)")
    return loc.toString(QDate(day.year, day.month, day.day), fmt)


def _style_axis(axis: QAbstractAxis, colors: ChartColors, font: QFont) -> None:
    axis.setLabelsBrush(QBrush(colors.text))
    axis.setLabelsFont(font)
    axis.setLinePen(QPen(colors.grid))
    axis.setGridLinePen(QPen(colors.grid))
    axis.setShadesVisible(False)


def _clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def _base_chart(chart: QChart, colors: ChartColors, font: QFont) -> None:
    chart.setBackgroundBrush(QBrush(colors.background))
    chart.setBackgroundRoundness(0)
    chart.setPlotAreaBackgroundVisible(False)
    chart.setMargins(QMargins(6, 6, 30, 4))  # room for the last date, centred on its bar
    chart.layout().setContentsMargins(0, 0, 0, 0)
    chart.setTitleBrush(QBrush(colors.text))
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    legend = chart.legend()
    legend.setLabelColor(colors.text)
    legend.setFont(font)


def draw_nets(
    chart: QChart,
    nets: Sequence[DailyNet],
    colors: ChartColors,
    font: QFont,
    *,
    title: str = "",
) -> None:
    """The daily nets on ``chart``: bars (up to :data:`BAR_DAYS`) or a line, the zero line,
    dates below and amounts at the left."""
    _clear(chart)
    _base_chart(chart, colors, font)
    chart.setTitle(title)
    chart.legend().setVisible(False)
    n = len(nets)
    if n == 0:
        return
    values = [d.net_cents / 100 for d in nets]
    x_axis = QCategoryAxis()
    x_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    x_axis.setRange(-0.5, n - 0.5)
    x_axis.setGridLineVisible(False)
    # About six dates, the last one always the day chosen.
    step = max(1, math.ceil(n / 6))
    for i in sorted(range(n - 1, -1, -step)):
        x_axis.append(day_label(nets[i].day), i)
    ticks = nice_ticks(min(values), max(values))
    y_axis = QCategoryAxis()
    y_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    y_axis.setRange(ticks[0], ticks[-1])
    y_axis.setStartValue(ticks[0])
    for value in ticks:
        y_axis.append(format_cents(round(value * 100)), value)
    for axis in (x_axis, y_axis):
        _style_axis(axis, colors, font)
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

    if n <= BAR_DAYS:
        up = QBarSet(translate("Charts", "Net"))
        down = QBarSet(translate("Charts", "Net below zero"))
        up.setColor(colors.positive)
        down.setColor(colors.negative)
        for bar_set in (up, down):
            bar_set.setBorderColor(Qt.GlobalColor.transparent)
        up.append([max(v, 0.0) for v in values])
        down.append([min(v, 0.0) for v in values])
        bars = QStackedBarSeries()
        bars.setBarWidth(0.75)
        bars.append(up)
        bars.append(down)
        bars.setObjectName("nets")
        chart.addSeries(bars)
        bars.attachAxis(x_axis)
        bars.attachAxis(y_axis)
    else:
        line = QLineSeries()
        line.setObjectName("nets")
        line.setName(translate("Charts", "Net"))
        line.setPen(QPen(colors.positive, 2))
        line.append([QPointF(i, v) for i, v in enumerate(values)])
        chart.addSeries(line)
        line.attachAxis(x_axis)
        line.attachAxis(y_axis)
    zero = QLineSeries()
    zero.setObjectName("zero")
    zero.setPen(QPen(colors.zero, 1))
    zero.append([QPointF(-0.5, 0.0), QPointF(n - 0.5, 0.0)])
    chart.addSeries(zero)
    zero.attachAxis(x_axis)
    zero.attachAxis(y_axis)


def draw_brands(
    chart: QChart,
    lines: Sequence[DayLine],
    colors: ChartColors,
    font: QFont,
    *,
    brand_name: BrandName,
    title: str = "",
) -> None:
    """A day's sales by card brand as a ring, each brand named with its amount and share
    in the legend. No sales: an empty chart whose title says so."""
    _clear(chart)
    _base_chart(chart, colors, font)
    sold = [line for line in lines if line.sales_cents > 0]
    total = sum(line.sales_cents for line in sold)
    if not sold:
        chart.setTitle(translate("Charts", "No sales on this day"))
        chart.legend().setVisible(False)
        return
    chart.setTitle(title)
    pie = QPieSeries()
    pie.setObjectName("brands")
    pie.setHoleSize(0.45)
    pie.setPieSize(0.85)
    for i, line in enumerate(sorted(sold, key=lambda r: -r.sales_cents)):
        share = round(100 * line.sales_cents / total)
        label = (
            translate("Charts", "%1: %2 (%3%)")
            .replace("%1", brand_name(line.key))
            .replace("%2", format_cents(line.sales_cents))
            .replace("%3", str(share))
        )
        piece = QPieSlice(label, line.sales_cents / 100)
        color = colors.slices[i % len(colors.slices)]
        piece.setColor(color)
        piece.setBorderColor(colors.background)
        piece.setLabelVisible(False)
        pie.append(piece)
    chart.addSeries(pie)
    legend = chart.legend()
    legend.setVisible(True)
    legend.setAlignment(Qt.AlignmentFlag.AlignRight)
    legend.setShowToolTips(True)
    legend.setLabelColor(colors.text)


class _ThemedChart(QChartView):
    """A chart view that redraws itself in the application's look when it changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QChart(), parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFrameShape(QFrame.Shape.NoFrame)
        fm = self.fontMetrics()
        self.setMinimumSize(fm.averageCharWidth() * 40, fm.height() * 9)
        self.colors = chart_colors(self.palette())
        self.setBackgroundBrush(QBrush(self.colors.background))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.colors = chart_colors(self.palette())
            self.setBackgroundBrush(QBrush(self.colors.background))
            self.redraw()

    def redraw(self) -> None:
        raise NotImplementedError

    def series_points(self) -> int:
        """How many values the chart shows that are not zero (bars, points or slices)."""
        count = 0
        for series in self.chart().series():
            if series.objectName() == "zero":
                continue
            if isinstance(series, QStackedBarSeries):
                sets = series.barSets()
                count += sum(1 for i in range(sets[0].count()) if any(s.at(i) for s in sets))
            elif isinstance(series, QLineSeries):
                count += sum(1 for p in series.points() if p.y())
            elif isinstance(series, QPieSeries):
                count += series.count()
        return count


@final
class NetChart(_ThemedChart):
    """The daily net totals of a period (:meth:`show_nets`); hovering a bar tells its day
    and amount. Emits no signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("net-chart")
        self.nets: list[DailyNet] = []
        self.setAccessibleName(translate("Charts", "Daily net totals"))

    def show_nets(self, nets: Sequence[DailyNet]) -> None:
        self.nets = list(nets)
        self.redraw()

    def redraw(self) -> None:
        draw_nets(self.chart(), self.nets, self.colors, self.font())
        for series in self.chart().series():
            if isinstance(series, QStackedBarSeries):
                series.hovered.connect(self._hovered)

    def _hovered(self, status: bool, index: int, _bar_set: QBarSet) -> None:
        if not status or not 0 <= index < len(self.nets):
            QToolTip.hideText()
            return
        net = self.nets[index]
        text = (
            translate("Charts", "%1: net %2 (orders: %3)")
            .replace("%1", QLocale().toString(QDate(net.day.year, net.day.month, net.day.day)))
            .replace("%2", format_cents(net.net_cents))
            .replace("%3", str(net.count))
        )
        QToolTip.showText(self.cursor().pos(), text, self)


@final
class BrandChart(_ThemedChart):
    """A day's sales by card brand (:meth:`show_brands`), brands named by ``brand_name``.
    Emits no signals."""

    def __init__(self, brand_name: BrandName, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("brand-chart")
        self.brand_name = brand_name
        self.lines: list[DayLine] = []
        self.setAccessibleName(translate("Charts", "Sales by card brand"))

    def show_brands(self, lines: Sequence[DayLine]) -> None:
        self.lines = list(lines)
        self.redraw()

    def redraw(self) -> None:
        draw_brands(
            self.chart(),
            self.lines,
            self.colors,
            self.font(),
            brand_name=self.brand_name,
            title=translate("Charts", "Sales by card brand"),
        )


def _render(
    draw: Callable[[QChart, ChartColors, QFont], None], width: int, height: int, scale: float
) -> QImage:
    """A chart drawn light onto an image ``scale`` times its size in pixels."""
    chart = QChart()
    scene = QGraphicsScene()
    scene.addItem(chart)
    font = QApplication.font()
    draw(chart, _light_colors(), font)
    chart.setGeometry(QRectF(0, 0, width, height))
    image = QImage(round(width * scale), round(height * scale), QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(1.0)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, image.width(), image.height()), chart.geometry())
    finally:
        painter.end()
    scene.removeItem(chart)
    chart.deleteLater()
    return image


def net_chart_image(
    nets: Sequence[DailyNet], *, title: str = "", width: int = 640, height: int = 260
) -> QImage:
    """The daily nets as a light chart image (``width`` × ``height`` drawn at 2.5×)."""
    return _render(
        lambda chart, colors, font: draw_nets(chart, nets, colors, font, title=title),
        width,
        height,
        2.5,
    )


def brand_chart_image(
    lines: Sequence[DayLine],
    *,
    brand_name: BrandName,
    title: str = "",
    width: int = 640,
    height: int = 260,
) -> QImage:
    """A day's sales by card brand as a light chart image (drawn at 2.5×)."""
    return _render(
        lambda chart, colors, font: draw_brands(
            chart, lines, colors, font, brand_name=brand_name, title=title
        ),
        width,
        height,
        2.5,
    )

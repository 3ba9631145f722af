"""Geometry of the dashboard's small chart, drawn as inline SVG by the template
(no JavaScript, no inline styles: it passes the Content-Security-Policy)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from django.utils.translation import get_language, to_locale

from partnerdesk.web.selectors import MonthPoint

WIDTH, HEIGHT, PAD_TOP, PAD_BOTTOM = 600, 160, 10, 2


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    seats: int
    revenue: Decimal


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    line: str  # SVG points of the revenue line
    max_seats: int
    max_revenue: Decimal
    baseline: float


def seats_and_revenue(points: list[MonthPoint]) -> Chart:
    max_seats = max((p.seats for p in points), default=0) or 1
    max_revenue = max((p.revenue for p in points), default=Decimal(0)) or Decimal(1)
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = WIDTH / max(len(points), 1)
    bars, line = [], []
    locale = to_locale(get_language() or "en")
    for index, point in enumerate(points):
        height = plot * point.seats / max_seats
        x = index * slot
        bars.append(
            Bar(
                x=round(x + slot * 0.15, 1),
                y=round(PAD_TOP + plot - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=format_date(point.month, "LLL", locale=locale),  # CLDR month abbreviation
                seats=point.seats,
                revenue=point.revenue,
            )
        )
        y = PAD_TOP + plot - plot * float(point.revenue / max_revenue)
        line.append(f"{round(x + slot / 2, 1)},{round(y, 1)}")
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        line=" ".join(line),
        max_seats=max_seats,
        max_revenue=max_revenue,
        baseline=HEIGHT - PAD_BOTTOM,
    )

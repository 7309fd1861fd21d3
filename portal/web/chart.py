"""A server-rendered SVG line chart: works without JavaScript and without any external script."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from markupsafe import Markup

W, H = 720.0, 260.0
LEFT, RIGHT, TOP, BOTTOM = 56.0, 16.0, 16.0, 36.0


def _label_time(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _nice(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 1 else f"{value:.3g}"


def line_chart(times: list[Any], values: list[float], *, title: str, unit: str = "") -> Markup:
    lo, hi = min(values), max(values)
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    lo = min(lo, 0.0) if lo >= 0 and lo < hi * 0.5 else lo
    span_x, span_y = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = span_x / max(1, len(values) - 1)
    points = " ".join(f"{LEFT + i * step:.1f},{TOP + (hi - v) / (hi - lo) * span_y:.1f}" for i, v in enumerate(values))
    grid = []
    for k in range(5):
        y = TOP + k * span_y / 4
        grid.append(f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                    f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_nice(hi - k * (hi - lo) / 4)}</text>')
    ticks = []
    for i in sorted({0, len(times) // 2, len(times) - 1}):
        x = LEFT + i * step
        anchor = "start" if i == 0 else "end" if i == len(times) - 1 else "middle"
        ticks.append(f'<text class="axis" x="{x:.1f}" y="{H - 12}" text-anchor="{anchor}">{escape(_label_time(times[i]))}</text>')
    desc = f"{len(values)} 个时间点，最小 {_nice(min(values))}，最大 {_nice(max(values))} {unit}".strip()
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W:.0f} {H:.0f}" class="line-chart" role="img" '
        f'aria-labelledby="chart-title chart-desc"><title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(desc)}</desc>{"".join(grid)}'
        f'<polyline class="series" points="{points}"/>{"".join(ticks)}</svg>')

"""Geometry for the pack's inline SVG charts: numbers only, no markup.

The template draws the shapes, so that every label (which may be applicant text) passes
through the autoescaping renderer. Coordinates are rounded to one decimal so the SVG is
byte-for-byte the same on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pine_select.report.cells import fixed

WIDTH = 640
BAR_HEIGHT = 18
LABEL_WIDTH = 270


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    y: float
    width: float
    height: float
    value_text: str
    kind: str = ""  # a CSS class: "chosen", "other", "negative", ...


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    rows: bool  # one labelled bar a row (labels on the left), or columns
    bars: tuple[Bar, ...]
    line_x: float | None = None  # a vertical reference line (funding line, zero)
    line_label: str = ""
    axis: tuple[tuple[float, str], ...] = ()  # (x, label) ticks


def _r(value: float) -> float:
    return round(value, 1)


def histogram(
    title: str, totals: Sequence[float], chosen: Sequence[float], funding_line: float | None
) -> Chart:
    """Score distribution in 5-point bins from 0 to 100, chosen applications highlighted."""
    bins = [(low, low + 5) for low in range(0, 100, 5)]
    counts = [sum(1 for t in totals if low <= t < high or (high == 100 and t == 100))
              for low, high in bins]
    picked = [sum(1 for t in chosen if low <= t < high or (high == 100 and t == 100))
              for low, high in bins]
    top = max(counts, default=0) or 1
    plot_height, column = 160, (WIDTH - 40) / len(bins)
    bars = []
    for i, (count, mine) in enumerate(zip(counts, picked, strict=True)):
        if count == 0:
            continue
        height = plot_height * count / top
        x = 20 + i * column
        bars.append(Bar(f"{bins[i][0]}-{bins[i][1]}", _r(x), _r(20 + plot_height - height),
                        _r(column - 2), _r(height), str(count), "other"))
        if mine:
            chosen_height = plot_height * mine / top
            bars.append(Bar("", _r(x), _r(20 + plot_height - chosen_height), _r(column - 2),
                            _r(chosen_height), "", "chosen"))
    line = None if funding_line is None else _r(20 + (WIDTH - 40) * funding_line / 100)
    ticks = tuple((_r(20 + (WIDTH - 40) * v / 100), str(v)) for v in range(0, 101, 20))
    return Chart(title, WIDTH, plot_height + 50, False, tuple(bars), line,
                 "" if funding_line is None else f"funding line {fixed(funding_line, 2)}", ticks)


def horizontal_bars(
    title: str, rows: Sequence[tuple[str, float, str]], low: float, high: float,
) -> Chart:
    """One labelled bar a row on a fixed [low, high] axis; negative values go left of 0."""
    span = (high - low) or 1.0
    plot = WIDTH - LABEL_WIDTH - 60

    def x_of(value: float) -> float:
        return LABEL_WIDTH + plot * (value - low) / span

    zero = x_of(0.0) if low < 0 < high else x_of(low)
    bars = []
    for i, (label, value, kind) in enumerate(rows):
        end = x_of(max(low, min(high, value)))
        bars.append(Bar(label, _r(min(zero, end)), _r(10 + i * (BAR_HEIGHT + 6)),
                        _r(abs(end - zero)), BAR_HEIGHT,
                        fixed(value, 2, plus=low < 0),
                        kind or ("negative" if value < 0 else "positive")))
    ticks = tuple((_r(x_of(v)), f"{v:g}") for v in _ticks(low, high))
    height = 10 + len(rows) * (BAR_HEIGHT + 6) + 30
    return Chart(title, WIDTH, height, True, tuple(bars), _r(zero) if low < 0 else None, "",
                 ticks)


def _ticks(low: float, high: float) -> list[float]:
    step = (high - low) / 4
    return [round(low + step * i, 2) for i in range(5)]

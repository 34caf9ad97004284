"""Small SVG charts for the jaarverslag, drawn from already-suppressed figures.

A suppressed value is never drawn to scale: its bar is left out and its label says "< k" or
"•", so the picture reveals no more than the table.

Each chart carries its text alternative as the SVG's <title>: WeasyPrint tags an inline SVG as
a /Figure and takes its /Alt from that element. Every text in the SVG is escaped here, so the
charts are returned as safe strings and the templates print them without |safe.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

INK = "#1b1f23"
THIS_YEAR = "#1d4e5f"
LAST_YEAR = "#9fb8c2"
GRID = "#d5dde1"


def _num(value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _open(width: int, height: int, alt: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="DejaVu Sans" font-size="10">'
        f"<title>{escape(alt)}</title>"
    )


def bars(
    rows: list[dict],
    *,
    this_label: str,
    last_label: str,
    alt: str,
    fmt: Callable[[Any], str] = str,
    width: int = 640,
) -> SafeString:
    """Horizontal bars per row: this year and last year. rows: label, dit_jaar, vorig_jaar.
    fmt writes a value as the table under the chart does."""
    label_w, bar_h, gap, top = 210, 10, 6, 22
    chart_w = width - label_w - 60
    values = [v for r in rows for v in (_num(r["dit_jaar"]), _num(r["vorig_jaar"])) if v]
    scale = chart_w / max(values) if values else 0
    height = top + len(rows) * (2 * bar_h + gap) + 4
    parts = [
        _open(width, height, alt),
        f'<rect x="{label_w}" y="4" width="10" height="10" fill="{THIS_YEAR}"/>'
        f'<text x="{label_w + 14}" y="13" fill="{INK}">{escape(this_label)}</text>',
        f'<rect x="{label_w + 110}" y="4" width="10" height="10" fill="{LAST_YEAR}"/>'
        f'<text x="{label_w + 124}" y="13" fill="{INK}">{escape(last_label)}</text>',
    ]
    y = top
    for row in rows:
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h + 4}" text-anchor="end" fill="{INK}">'
            f"{escape(str(row['label']))}</text>"
        )
        for value, color, dy in (
            (row["dit_jaar"], THIS_YEAR, 0),
            (row["vorig_jaar"], LAST_YEAR, bar_h),
        ):
            n = _num(value)
            length = (n or 0) * scale
            if n:
                parts.append(
                    f'<rect x="{label_w}" y="{y + dy}" width="{length:.1f}" height="{bar_h - 1}" '
                    f'fill="{color}"/>'
                )
            parts.append(
                f'<text x="{label_w + length + 4:.1f}" y="{y + dy + bar_h - 2}" fill="{INK}">'
                f"{escape(fmt(value))}</text>"
            )
        y += 2 * bar_h + gap
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 (every text above is escaped)


def _ticks(peak: float) -> list[int]:
    """Round axis steps from 0 to at least `peak`: 1, 2, 5, 10, 20, 50, ..."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if peak / step <= 5:
            break
    top = int(-(-peak // step)) * step if peak else step
    return list(range(0, top + 1, step))


def quarters(
    this_year: list,
    last_year: list,
    *,
    labels: list[str],
    this_label: str,
    last_label: str,
    alt: str,
    fmt: Callable[[Any], str] = str,
    width: int = 480,
    height: int = 190,
) -> SafeString:
    """Lines of new cases per quarter, with a value axis and every published value printed;
    suppressed quarters break the line and are printed as their mark, at the bottom."""
    left, right, top, bottom = 40, 20, 24, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for v in map(_num, this_year + last_year) if v is not None]
    ticks = _ticks(max(values) if values else 0)
    peak = ticks[-1]
    step = plot_w / 4  # each quarter in the middle of its own band, clear of the axis

    def point(i: int, v: float) -> tuple[float, float]:
        return left + (i + 0.5) * step, top + plot_h - (v / peak) * plot_h

    parts = [
        _open(width, height, alt),
        f'<rect x="{left}" y="4" width="10" height="10" fill="{THIS_YEAR}"/>'
        f'<text x="{left + 14}" y="13" fill="{INK}">{escape(this_label)}</text>',
        f'<rect x="{left + 110}" y="4" width="10" height="10" fill="{LAST_YEAR}"/>'
        f'<text x="{left + 124}" y="13" fill="{INK}">{escape(last_label)}</text>',
    ]
    for tick in ticks:
        y = top + plot_h - (tick / peak) * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 3:.1f}" text-anchor="end" fill="{INK}">{tick}</text>'
        )
    for i, label in enumerate(labels):
        x = left + (i + 0.5) * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    for series, color, dy in ((last_year, LAST_YEAR, 13), (this_year, THIS_YEAR, -7)):
        segment: list[tuple[float, float]] = []
        for i, value in enumerate(series + [None]):
            n = _num(value) if i < len(series) else None
            if n is not None:
                segment.append(point(i, n))
            else:
                if len(segment) > 1:
                    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                    parts.append(
                        f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>'
                    )
                segment = []
        for i, value in enumerate(series):
            n = _num(value)
            x, y = point(i, n or 0)
            if n is not None:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
            parts.append(
                f'<text x="{x:.1f}" y="{y + dy:.1f}" text-anchor="middle" fill="{INK}">'
                f"{escape(fmt(value))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 (every text above is escaped)

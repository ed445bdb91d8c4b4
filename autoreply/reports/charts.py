"""Charts as inline SVG drawn on the server: no JavaScript, nothing fetched at runtime.

Pure functions from numbers to markup. Every text is escaped on its way in and only the
finished SVG is marked safe. Shapes carry classes the page colours with the admin's CSS
variables, and fall back to `currentColor`, so charts follow the light and dark themes.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

SVG_NS = "http://www.w3.org/2000/svg"
MAX_X_LABELS = 10  # more than this and day labels collide on a narrow admin column
NO_DATA = _("No data")  # a lazy text: in the language of the page drawing the chart


@dataclass(frozen=True)
class Part:
    """One segment of a stacked bar; `kind` names its CSS class (`part-<kind>`)."""

    label: str
    value: int
    kind: str = ""


def bar_chart(
    points: Sequence[tuple[str, int]], *, title: str, width: int = 720, height: int = 200
) -> SafeString:
    """Vertical bars, one per (label, value) point, every point drawn even when zero."""
    if not points:
        return _empty(title, width, height)
    left, right, top, bottom = 48, 8, 10, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    ceiling = nice_ceiling(max(value for _, value in points))
    slot = plot_w / len(points)
    every = math.ceil(len(points) / MAX_X_LABELS)
    shapes = _y_axis(ceiling, left, top, plot_w, plot_h)
    for index, (label, value) in enumerate(points):
        bar_h = plot_h * max(value, 0) / ceiling
        x = left + index * slot
        shapes.append(
            f'<rect class="bar" fill="currentColor" x="{_n(x + slot * 0.1)}" '
            f'y="{_n(top + plot_h - bar_h)}" width="{_n(slot * 0.8)}" height="{_n(bar_h)}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if index % every == 0:
            shapes.append(
                f'<text class="x-label" x="{_n(x + slot / 2)}" y="{height - 6}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return _svg(title, width, height, shapes)


def stacked_bar(
    parts: Sequence[Part], *, title: str, width: int = 720, height: int = 28
) -> SafeString:
    """One horizontal bar split in proportion to the parts; zero parts take no room."""
    total = sum(part.value for part in parts)
    if total <= 0:
        return _empty(title, width, height)
    shapes, x = [], 0.0
    for part in parts:
        if part.value <= 0:
            continue
        part_w = width * part.value / total
        share = round(100 * part.value / total, 1)
        shapes.append(
            f'<rect class="part part-{_css_name(part.kind)}" fill="currentColor" '
            f'x="{_n(x)}" y="0" width="{_n(part_w)}" height="{height}">'
            f"<title>{escape(part.label)}: {part.value} ({share}%)</title>"
            "</rect>"
        )
        x += part_w
    return _svg(title, width, height, shapes)


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return int(next(step * power for step in (1, 2, 5, 10) if step * power >= value))


def _y_axis(ceiling: int, left: int, top: int, plot_w: float, plot_h: float) -> list[str]:
    """Gridlines and labels at 0, half and the top of the scale (half only when whole)."""
    ticks = [0, ceiling // 2, ceiling] if ceiling % 2 == 0 else [0, ceiling]
    lines = []
    for tick in ticks:
        y = _n(top + plot_h - plot_h * tick / ceiling)
        lines.append(
            f'<line class="grid" stroke="currentColor" stroke-opacity="0.25" '
            f'x1="{left}" x2="{_n(left + plot_w)}" y1="{y}" y2="{y}"/>'
            f'<text class="y-label" x="{left - 6}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle">{tick}</text>'
        )
    return lines


def _empty(title: str, width: int, height: int) -> SafeString:
    """A chart with nothing to draw says so, at the size the real one would have."""
    text = (
        f'<text class="empty" x="{width / 2}" y="{height / 2}" text-anchor="middle" '
        f'dominant-baseline="middle">{NO_DATA}</text>'
    )
    return _svg(title, width, height, [text])


def _svg(title: str, width: int, height: int, shapes: list[str]) -> SafeString:
    """The SVG element around the shapes: scalable, labelled for screen readers."""
    label = escape(title)
    body = "".join(shapes)
    return mark_safe(  # noqa: S308 -- every text above went through escape()
        f'<svg xmlns="{SVG_NS}" class="chart" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-size="11" fill="currentColor"><title>{label}</title>{body}</svg>'
    )


def _css_name(kind: str) -> str:
    """A kind as a class name: only lower-case letters, digits, `-` and `_` survive."""
    return re.sub(r"[^a-z0-9_-]", "", kind.lower()) or "other"


def _n(number: float) -> str:
    """A coordinate, short: two decimals at most, no trailing zeros."""
    return f"{number:.2f}".rstrip("0").rstrip(".")

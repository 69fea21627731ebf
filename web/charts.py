"""Charts drawn on the server as SVG: no script, no CDN; each has a <title> and <desc> for screen readers and
prints as sharp vectors. Every chart on a page sits beside a table with the same numbers."""
from __future__ import annotations

import itertools
import math
import textwrap
from html import escape

from markupsafe import Markup

from . import i18n

PALETTE = ("#1d6b45", "#c0392b", "#2e6fb0", "#b7791f", "#6b3fa0", "#138d90", "#8c564b", "#d35493", "#566573",
           "#7a9a01")
FONT = 'font-family="DejaVu Sans"'  # WeasyPrint reads the attribute; pages override it in style.css
_ids = itertools.count(1)


TITLE_SIZE, TITLE_LINE = 13, 16
TITLE_EM = 0.62  # a bold DejaVu Sans letter's mean width in em, a little more than the browsers' sans fonts


def _title_lines(title: str, width: int) -> list[str]:
    """The visible title in lines that fit the drawing's width (a long one was cut off at the right edge)."""
    return textwrap.wrap(title, max(int((width - 16) / (TITLE_SIZE * TITLE_EM)), 20)) or [""]


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    """The chart's head. A title of several lines grows the drawing upwards (the view box starts above 0), so
    the charts lay out their plots from y = 0 whatever the title's length."""
    n = next(_ids)
    lines = _title_lines(title, width)
    extra = (len(lines) - 1) * TITLE_LINE
    spans = "".join(f'<tspan x="8" dy="{0 if i == 0 else TITLE_LINE}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {-extra} {width} {height + extra}" width="100%" '
            f'role="img" aria-labelledby="chart-t{n} chart-d{n}" class="chart" {FONT} font-size="12">'
            f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
            f'<rect y="{-extra}" width="{width}" height="{height + extra}" fill="#fff"/>'
            f'<text x="8" y="{16 - extra}" font-weight="bold" font-size="{TITLE_SIZE}" aria-hidden="true">{spans}'
            f'</text>')
    return head, "</svg>"


def _axis(value: float) -> tuple[float, int]:
    """A round axis end ≥ value and its number of divisions (3–6), each 1, 2, 2.5 or 5 × 10ⁿ."""
    if value <= 0:
        return 1.0, 4
    best = None
    for n in (4, 5, 6, 3):
        raw = value / n
        magnitude = 10 ** math.floor(math.log10(raw))
        step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
        if best is None or step * n < best[0] - 1e-9:
            best = (step * n, n)
    return best


def _fmt(v: float) -> str:
    """An axis or bar label in the page's language (1.000 / 2,5 in Vietnamese), through web.i18n like every number."""
    if float(v).is_integer() or abs(v) >= 100:
        return i18n.format_number(v, decimals=0)
    return i18n.format_number(round(v, 2))


def bar_chart(items: list[tuple[str, float, float | None, float | None]], title: str, desc: str,
              width: int = 480, color: str = PALETTE[0], number=_fmt) -> Markup:
    """Horizontal bars, one per (label, value, interval low, interval high); whiskers where an interval is given."""
    label_w, row_h, top = 150, 24, 28
    height = top + row_h * len(items) + 30
    head, tail = _open(width, height, title, desc)
    top_value, divisions = _axis(max([v or 0 for _, v, _, _ in items] + [hi or 0 for *_, hi in items] + [0]))
    plot_w = width - label_w - 60
    parts = [head]
    for i, (label, value, lo, hi) in enumerate(items):
        label = label if len(label) <= 22 else label[:21] + "…"  # the table beside has it whole
        y = top + i * row_h
        w = plot_w * (value or 0) / top_value
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{color}"/>'
                     f'<text x="{label_w + max(w, plot_w * (hi or 0) / top_value) + 4:.1f}" y="{y + 15}" '
                     f'fill="#333">{escape(number(value or 0))}</text>')
        if lo is not None and hi is not None:
            x1, x2 = label_w + plot_w * lo / top_value, label_w + plot_w * hi / top_value
            parts.append(f'<path d="M{x1:.1f},{y + row_h / 2}H{x2:.1f}M{x1:.1f},{y + 6}V{y + row_h - 6}'
                         f'M{x2:.1f},{y + 6}V{y + row_h - 6}" stroke="#222" fill="none"/>')
    axis_y = top + row_h * len(items) + 4
    parts.append(f'<path d="M{label_w},{axis_y}H{label_w + plot_w}" stroke="#888"/>')
    for k in range(divisions + 1):
        v = top_value * k / divisions
        x = label_w + plot_w * k / divisions
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" fill="#555">{_fmt(v)}</text>')
    parts.append(tail)
    return Markup("".join(parts))


def _frame(parts, x0, y0, w, h, xmax, ymax, x_label, y_label, xmin=0.0, ymin=0.0, nx=4, ny=4):
    parts.append(f'<path d="M{x0},{y0}V{y0 + h}H{x0 + w}" stroke="#888" fill="none"/>')
    for k in range(nx + 1):
        x = x0 + w * k / nx
        parts.append(f'<text x="{x:.1f}" y="{y0 + h + 16}" text-anchor="middle" fill="#555">'
                     f'{_fmt(xmin + (xmax - xmin) * k / nx)}</text>')
    for k in range(ny + 1):
        y = y0 + h - h * k / ny
        parts.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
                     f'{_fmt(ymin + (ymax - ymin) * k / ny)}</text>')
    parts.append(f'<text x="{x0 + w / 2}" y="{y0 + h + 34}" text-anchor="middle">{escape(x_label)}</text>'
                 f'<text transform="translate(14,{y0 + h / 2}) rotate(-90)" text-anchor="middle">'
                 f'{escape(y_label)}</text>')


def line_chart(series: list[tuple[str, list[tuple[float, float, float, float]]]], title: str, desc: str,
               x_label: str, y_label: str, width: int = 640, height: int = 360) -> Markup:
    """Lines with a shaded interval: (label, [(x, y, low, high), …]) per series, e.g. rarefaction curves."""
    x0, y0, w, h = 56, 32, width - 56 - 170, height - 32 - 46
    xmax, nx = _axis(max([p[0] for _, pts in series for p in pts] + [1]))
    ymax, ny = _axis(max([p[3] for _, pts in series for p in pts] + [1]))
    head, tail = _open(width, height, title, desc)
    parts = [head]
    _frame(parts, x0, y0, w, h, xmax, ymax, x_label, y_label, nx=nx, ny=ny)

    def xy(x, y):
        return f"{x0 + w * x / xmax:.1f},{y0 + h - h * y / ymax:.1f}"

    for i, (label, pts) in enumerate(series):
        if not pts:
            continue
        color = PALETTE[i % len(PALETTE)]
        band = " ".join(xy(x, hi) for x, _, _, hi in pts) + " " + " ".join(xy(x, lo) for x, _, lo, _ in reversed(pts))
        parts.append(f'<polygon points="{band}" fill="{color}" fill-opacity="0.12" stroke="none"/>'
                     f'<polyline points="{" ".join(xy(x, y) for x, y, _, _ in pts)}" fill="none" stroke="{color}" '
                     f'stroke-width="1.6"/>')
        ly = y0 + 6 + 16 * i
        if ly < y0 + h:
            parts.append(f'<rect x="{x0 + w + 12}" y="{ly}" width="12" height="3" fill="{color}"/>'
                         f'<text x="{x0 + w + 28}" y="{ly + 5}">{escape(label)}</text>')
    parts.append(tail)
    return Markup("".join(parts))


def scatter(points: list[tuple[str, float, float]], title: str, desc: str, x_label: str, y_label: str,
            width: int = 640, height: int = 400) -> Markup:
    """Labelled points, e.g. a PCoA ordination; axes span the data symmetrically around zero."""
    x0, y0, w, h = 56, 32, width - 56 - 24, height - 32 - 46
    span_x = max([abs(x) for _, x, _ in points] + [1e-9]) * 1.15
    span_y = max([abs(y) for _, _, y in points] + [1e-9]) * 1.15
    head, tail = _open(width, height, title, desc)
    parts = [head]
    _frame(parts, x0, y0, w, h, span_x, span_y, x_label, y_label, xmin=-span_x, ymin=-span_y)
    parts.append(f'<path d="M{x0 + w / 2},{y0}V{y0 + h}M{x0},{y0 + h / 2}H{x0 + w}" stroke="#ddd"/>')
    for i, (label, x, y) in enumerate(points):
        px, py = x0 + w * (x + span_x) / (2 * span_x), y0 + h - h * (y + span_y) / (2 * span_y)
        color = PALETTE[i % len(PALETTE)]
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{color}"/>')
        if len(points) <= 40:
            # Labels on the right half point left, so none runs off the chart.
            anchor, dx = ("end", -7) if px > x0 + w / 2 else ("start", 7)
            parts.append(f'<text x="{px + dx:.1f}" y="{py + 4:.1f}" text-anchor="{anchor}">{escape(label)}</text>')
    parts.append(tail)
    return Markup("".join(parts))

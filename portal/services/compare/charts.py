"""Bar and line charts as SVG written directly: a few hundred microseconds per chart (matplotlib
took ~100 ms; bench/charts.py), text that stays text (searchable, translatable, sharp in a PDF), and the
same chart in the page, the print view and the PDF.

The rules the charts keep: text of at least 12 px at the default width (640 px); integer
ticks for counts; bar axes from zero; every period chosen is drawn (grouped bars, one line per
country over them); a missing value is a gap, marked and explained in the legend, never a
label over the axis. The caller gives every text in the reader's language (`ChartText`).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from babel.numbers import format_decimal

WIDTH = 640
FONT = 12  # every text but the title; at least 11 px at the default width
TITLE_FONT = 14
FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
COLOURS = ["#1d4e89", "#e07a1f", "#2a9d8f", "#c44e52", "#8172b3", "#937860", "#3a87a8", "#6c6c6c", "#b8860b", "#5a8f29"]
MUTED = "#6c757d"
GRID = "#dee2e6"
# Far above any total the template's bounds allow (10^15 per cell): a figure stored before the
# bounds existed, or not a finite number, is drawn as missing.
MAX_DRAWN = 1e100


@dataclass(frozen=True)
class ChartText:
    """What a chart says besides its data, in the reader's language."""

    locale: str  # numbers on the axis and in tooltips: 1,234.5 / 1 234,5
    no_data: str  # legend of a bar's place with no value
    gap: str  # legend of a break in a line


@lru_cache(maxsize=4096)
def _num(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale, decimal_quantization=False)


def _clean(values: list[float | None]) -> list[float | None]:
    return [v if v is not None and math.isfinite(v) and abs(v) <= MAX_DRAWN else None for v in values]


def ticks(low: float, high: float, integer: bool, target: int = 5) -> list[float]:
    """Round tick values covering [low, high] (low ≤ 0 ≤ high for bars), about `target` steps;
    whole numbers only for counts."""
    raw = (high - low) / target
    if not math.isfinite(raw) or raw < 1e-9:  # nothing (or next to nothing) to span: 0 to 1
        low, high, raw = min(low, 0.0), max(high, low + 1), (max(high, low + 1) - min(low, 0.0)) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in steps if raw <= m * magnitude)
    if integer:
        step = max(1, round(step))
    decimals = max(0, -math.floor(math.log10(step)) + 1)  # 0.6, not 0.6000000000000001
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, decimals) for i in range(first, last + 1)]


def _width(text: str, size: int = FONT) -> float:
    """Estimated width of a text in DejaVu Sans (no font metrics on the server)."""
    return len(text) * size * 0.66


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, tag: str, text: str | None = None, **attrs: object) -> None:
        attributes = "".join(
            f' {k.rstrip("_").replace("_", "-")}="{v if isinstance(v, int | float) else escape(str(v))}"'
            for k, v in attrs.items()
        )
        if text is None:
            self.parts.append(f"<{tag}{attributes}/>")
        else:
            self.parts.append(f"<{tag}{attributes}>{escape(text)}</{tag}>")

    def raw(self, markup: str) -> None:
        self.parts.append(markup)

    def document(self, height: float, title: str, description: str) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" font-family="{FAMILY}" font-size="{FONT}">'
            f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
            f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>'
        )
        return head + "".join(self.parts) + "</svg>"


def _legend(svg: _Svg, items: list[tuple[str, str]], top: float) -> float:
    """Legend entries (label, kind) where kind is a colour, "missing" or "gap", wrapped over
    rows from `top`; returns the y below it."""
    x, y = 8.0, top
    for label, kind in items:
        width = 18 + _width(label) + 16
        if x + width > WIDTH - 8 and x > 8:
            x, y = 8.0, y + FONT + 8
        if kind == "missing":
            svg.add("rect", x=x, y=y, width=12, height=12, fill="none", stroke=MUTED, stroke_dasharray="2 2")
        elif kind == "gap":
            svg.add("line", x1=x, y1=y + 6, x2=x + 12, y2=y + 6, stroke=MUTED, stroke_dasharray="3 3", stroke_width=2)
        else:
            svg.add("rect", x=x, y=y, width=12, height=12, fill=kind)
        svg.add("text", label, x=f"{x + 17:.1f}", y=f"{y + 10:.1f}")
        x += width
    return y + FONT + 10


def _axis(svg: _Svg, values: list[float], left: float, top: float, bottom: float, locale: str):
    """Horizontal grid lines with their labels; returns the value → y function."""
    low, high = values[0], values[-1]

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    for tick in values:
        y = y_of(tick)
        svg.add("line", x1=left, y1=f"{y:.1f}", x2=WIDTH - 8, y2=f"{y:.1f}", stroke=GRID)
        svg.add("text", _num(tick, locale), x=f"{left - 6:.1f}", y=f"{y + 4:.1f}", text_anchor="end", fill="#333")
    return y_of


def _labels(svg: _Svg, labels: list[str], centres: list[float], slot: float, baseline: float) -> None:
    turned = max((_width(label) for label in labels), default=0) > slot - 2
    for label, x in zip(labels, centres):
        if turned:
            svg.add(
                "text", label, x=f"{x + 4:.1f}", y=f"{baseline + 6:.1f}", text_anchor="end",
                transform=f"rotate(-90 {x + 4:.1f} {baseline + 6:.1f})",
            )  # fmt: skip
        else:
            svg.add("text", label, x=f"{x:.1f}", y=f"{baseline + FONT + 4:.1f}", text_anchor="middle")


def _label_room(labels: list[str], slot: float) -> float:
    longest = max((_width(label) for label in labels), default=0)
    return longest + 12 if longest > slot - 2 else FONT + 10


def bar_chart(
    categories: list[str],
    series: dict[str, list[float | None]],
    *,
    title: str,
    integer: bool,
    text: ChartText,
    stacked: bool = False,
) -> str:
    """Bars by category (country): one bar per series side by side (periods), or one bar of the
    series stacked (parts of a total). A category with no value in a series is a gap marked by
    a dashed outline on the axis, explained in the legend."""
    data = {name: _clean(values) for name, values in series.items()}
    names = list(data)
    if stacked:  # a stack with a missing part, or one that overflows, is missing as a whole
        for i in range(len(categories)):
            parts = [data[n][i] for n in names]
            if any(p is None for p in parts) or abs(sum(p or 0.0 for p in parts)) > MAX_DRAWN:
                for n in names:
                    data[n][i] = None
        tops = [sum(data[n][i] or 0.0 for n in names) for i in range(len(categories))]
        lows = [sum(min(data[n][i] or 0.0, 0.0) for n in names) for i in range(len(categories))]
    else:
        tops = [v for n in names for v in data[n] if v is not None]
        lows = tops
    missing = any(v is None for n in names for v in data[n])
    scale = ticks(min([0.0, *lows]), max([0.0, *tops]), integer)
    svg = _Svg()
    svg.add("text", title, x=8, y=TITLE_FONT + 4, font_size=TITLE_FONT, font_weight="bold")
    legend = [(n, COLOURS[i % len(COLOURS)]) for i, n in enumerate(names)] if len(names) > 1 or stacked else []
    top = _legend(svg, legend + ([(text.no_data, "missing")] if missing else []), TITLE_FONT + 14) + 6
    left = 12 + max(_width(_num(t, text.locale)) for t in scale)
    slot = (WIDTH - 8 - left) / max(len(categories), 1)
    height = top + 220 + _label_room(categories, slot)
    bottom = top + 220
    y_of = _axis(svg, scale, left, top, bottom, text.locale)
    zero = y_of(0.0)
    per_bar = slot * 0.8 / (1 if stacked else max(len(names), 1))
    for i, category in enumerate(categories):
        start = left + i * slot + slot * 0.1
        base = 0.0
        for j, name in enumerate(names):
            value = data[name][i]
            x = start if stacked else start + j * per_bar
            if value is None:
                if stacked and j:
                    continue
                svg.raw(
                    f'<rect x="{x + 1:.1f}" y="{zero - 8:.1f}" width="{max(per_bar - 2, 1):.1f}" height="8" '
                    f'fill="none" stroke="{MUTED}" stroke-dasharray="2 2"><title>'
                    f"{escape(category)} · {escape(name)}: {escape(text.no_data)}</title></rect>"
                )
                continue
            y0, y1 = y_of(base), y_of(base + value)
            svg.raw(
                f'<rect x="{x:.1f}" y="{min(y0, y1):.1f}" width="{max(per_bar - 1, 1):.1f}" '
                f'height="{abs(y1 - y0):.1f}" fill="{COLOURS[j % len(COLOURS)]}"><title>'
                f"{escape(category)} · {escape(name)}: {escape(_num(value, text.locale))}</title></rect>"
            )
            if stacked:
                base += value
    svg.add("line", x1=left, y1=f"{zero:.1f}", x2=WIDTH - 8, y2=f"{zero:.1f}", stroke="#333")
    _labels(svg, categories, [left + (i + 0.5) * slot for i in range(len(categories))], slot, bottom)
    return svg.document(height, title, ", ".join(names))


def line_chart(
    periods: list[str], series: dict[str, list[float | None]], *, title: str, integer: bool, text: ChartText
) -> str:
    """One line per series (country) over the periods; a period without a value breaks the
    line (the gap is explained in the legend), a value between two gaps is a dot."""
    data = {name: _clean(values) for name, values in series.items()}
    present = [v for values in data.values() for v in values if v is not None]
    gaps = any(v is None for values in data.values() for v in values)
    scale = ticks(min([0.0, *present]), max([0.0, *present]), integer)
    svg = _Svg()
    svg.add("text", title, x=8, y=TITLE_FONT + 4, font_size=TITLE_FONT, font_weight="bold")
    legend = [(n, COLOURS[i % len(COLOURS)]) for i, n in enumerate(data)]
    top = _legend(svg, legend + ([(text.gap, "gap")] if gaps else []), TITLE_FONT + 14) + 6
    left = 12 + max(_width(_num(t, text.locale)) for t in scale)
    slot = (WIDTH - 8 - left) / max(len(periods), 1)
    bottom = top + 220
    height = bottom + _label_room(periods, slot)
    y_of = _axis(svg, scale, left, top, bottom, text.locale)
    xs = [left + (i + 0.5) * slot for i in range(len(periods))]
    for j, (name, values) in enumerate(data.items()):
        colour = COLOURS[j % len(COLOURS)]
        runs: list[list[tuple[float, float]]] = [[]]
        for x, value in zip(xs, values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x, y_of(value)))
        path = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in run) for run in runs if len(run) > 1
        )  # fmt: skip
        if path:
            svg.add("path", d=path, fill="none", stroke=colour, stroke_width=2)
        for period, x, value in zip(periods, xs, values):
            if value is not None:
                svg.raw(
                    f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="3.5" fill="{colour}"><title>'
                    f"{escape(name)} · {escape(period)}: {escape(_num(value, text.locale))}</title></circle>"
                )
    svg.add("line", x1=left, y1=f"{bottom:.1f}", x2=WIDTH - 8, y2=f"{bottom:.1f}", stroke="#333")
    _labels(svg, periods, xs, slot, bottom)
    return svg.document(height, title, ", ".join(data))


def data_uri(svg: str) -> str:
    """The chart as an <img> source: an image document keeps its own styles under the page's
    strict CSP (no inline styles), and WeasyPrint reads data: URIs offline."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def to_png(svg: str, scale: float = 2.0) -> bytes:
    """The chart as a PNG (twice its size: sharp on a slide). CairoSVG is imported here, not at
    app start: only this download needs it."""
    import cairosvg  # type: ignore[import-untyped]

    return cairosvg.svg2png(bytestring=svg.encode(), scale=scale)

"""Charts as server-side SVG (matplotlib): no JavaScript, no internet, and they print in PDFs."""

from __future__ import annotations

import base64
import io
import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: searchable, accessible, small
        "svg.hashsalt": "prr-portal",  # the same data gives the same SVG (frozen briefs)
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
COLOURS = ["#1d4e89", "#e07a1f", "#2a9d8f", "#c44e52", "#8172b3", "#937860", "#64b5cd", "#8c8c8c"]
META = re.compile(r"<metadata>.*?</metadata>", re.S)


def _svg(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = out.getvalue()
    return META.sub("", text[text.index("<svg") :])


def data_uri(svg: str) -> str:
    """The chart as an <img> source: an image document keeps its own styles under the
    page's strict CSP (no inline styles), and WeasyPrint reads data: URIs offline."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# Far above any total the template's bounds allow (10^15 per cell), far below where
# matplotlib's tick arithmetic overflows (~1e308).
MAX_DRAWN = 1e100


def _finite(values: list[float | None]) -> list[float | None]:
    """A value that is not a finite number or is beyond MAX_DRAWN (a figure stored before the
    template's bounds existed) is drawn as missing: matplotlib would fail the page on it."""
    return [v if v is not None and math.isfinite(v) and abs(v) <= MAX_DRAWN else None for v in values]


def bar_chart(countries: list[str], series: dict[str, list[float | None]], title: str, missing_label: str) -> str:
    """Bars by country, stacked by breakdown part when there is more than one series."""
    series = {name: _finite(values) for name, values in series.items()}
    for x in range(len(countries)):  # a stack that overflows is missing as a whole
        if not abs(sum(values[x] or 0.0 for values in series.values())) <= MAX_DRAWN:
            for values in series.values():
                values[x] = None
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    bottom = [0.0] * len(countries)
    for i, (name, values) in enumerate(series.items()):
        heights = [v if v is not None else 0.0 for v in values]
        ax.bar(countries, heights, bottom=bottom, label=name, color=COLOURS[i % len(COLOURS)], width=0.6)
        bottom = [b + h for b, h in zip(bottom, heights)]
    for x in range(len(countries)):
        if all(series[name][x] is None for name in series):
            ax.annotate(missing_label, (x, 0), ha="center", va="bottom", fontsize=7, color="#6c757d", rotation=90)
    ax.set_title(title, loc="left", fontsize=10)
    if len(series) > 1:
        ax.legend(frameon=False, ncols=min(len(series), 5), fontsize=8, loc="upper right")
    ax.yaxis.grid(True, color="#e9ecef")
    ax.set_axisbelow(True)
    return _svg(fig)


def line_chart(periods: list[str], series: dict[str, list[float | None]], title: str) -> str:
    """One line per country over periods; gaps where a value is missing."""
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    for i, (name, values) in enumerate(series.items()):
        ys = [v if v is not None else float("nan") for v in _finite(values)]
        ax.plot(periods, ys, marker="o", label=name, color=COLOURS[i % len(COLOURS)])
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(frameon=False, fontsize=8, ncols=min(len(series), 5))
    ax.yaxis.grid(True, color="#e9ecef")
    return _svg(fig)

"""Benchmark: the comparison charts (services/compare/charts.py), SVG written directly.

    .venv/bin/python bench/charts.py [--runs 200]

Draws the bar and the line chart of one indicator for 9 countries × 3 periods (the demo's
comparison page) and for 60 countries × 40 periods (the largest selection), some values
missing, in English and Russian. Prints the median per chart in microseconds and, as the
anchor measured in the same run, the ratio to serialising the same figures with json.dumps
(the least any output of them costs). matplotlib, which drew these charts before, took
95 ms (bar) and 113 ms (line) per chart of the 9 × 3 case on this machine, measured once with
the old module (6601607) in a scratch venv: 80 % of the comparison page's time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.services.compare import charts  # noqa: E402


def _median_us(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def main(runs: int) -> None:
    rng = random.Random(7)
    texts = {
        "en": charts.ChartText("en", "no data", "gap: no value for the period"),
        "ru": charts.ChartText("ru", "нет данных", "разрыв: нет значения за период"),
    }
    print(f"{'chart':<28}{'median µs':>12}{'json.dumps µs':>15}{'ratio':>8}")
    for countries, periods in ((9, 3), (60, 40)):
        names = [f"C{i:02d}" for i in range(countries)]
        labels = [str(2000 + p) for p in range(periods)]
        data = {p: [None if rng.random() < 0.1 else float(rng.randint(0, 5000)) for _ in names] for p in labels}
        lines = {c: [data[p][i] for p in labels] for i, c in enumerate(names)}
        for lang, text in texts.items():
            for kind, draw, payload in (
                ("bar", partial(charts.bar_chart, names, data, title="REP01", integer=True, text=text), data),
                ("line", partial(charts.line_chart, labels, lines, title="REP01", integer=True, text=text), lines),
            ):
                draw()  # warm the number-format cache as a worker's first request does
                took = _median_us(draw, runs)
                anchor = _median_us(lambda payload=payload: json.dumps(payload), runs)
                name = f"{kind} {countries}×{periods} {lang}"
                print(f"{name:<28}{took:>12.0f}{anchor:>15.0f}{took / anchor:>8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    main(parser.parse_args().runs)

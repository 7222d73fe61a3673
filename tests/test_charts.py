"""The chart module (services/compare/charts.py): SVG written directly. Each test reads the
SVG back as XML and checks what a reader would see: numbers, labels, ticks, gaps, languages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from portal.services.compare import charts

NS = {"s": "http://www.w3.org/2000/svg"}
EN = charts.ChartText("en", "no data", "gap: no value for the period")
RU = charts.ChartText("ru", "нет данных", "разрыв: нет значения за период")
COUNTRIES = ["KZ", "KG", "TJ"]


def _tree(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def _tips(root: ET.Element) -> list[str]:
    """The tooltips of bars and points (the SVG's own <title> first)."""
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")][1:]


def _ticks(root: ET.Element, skip: set[str]) -> list[float]:
    right = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("text-anchor") == "end"]
    return [
        float(t.text.replace("\u00a0", "").replace("\u202f", "").replace(",", ".")) for t in right if t.text not in skip
    ]


def _bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.find("s:title", NS) is not None]


def test_a_bar_per_country_and_period_with_its_number():
    svg = charts.bar_chart(
        COUNTRIES,
        {"2024": [1200.0, 45.0, 7.0], "2025": [1234.0, 50.0, 9.0]},
        title="REP01 · Total",
        integer=True,
        text=EN,
    )
    root = _tree(svg)
    assert root.find("s:title", NS).text == "REP01 · Total"
    assert _tips(root) == [
        "KZ · 2024: 1,200", "KZ · 2025: 1,234", "KG · 2024: 45", "KG · 2025: 50", "TJ · 2024: 7", "TJ · 2025: 9",
    ]  # fmt: skip
    labels = _texts(root)
    assert {"KZ", "KG", "TJ", "2024", "2025"} <= set(labels)  # the axis and the legend: both periods
    heights = [float(r.get("height")) for r in _bars(root)]
    assert heights[1] > heights[0] > heights[3] > heights[2] > heights[5] > heights[4] > 0  # drawn to scale


def test_bars_start_from_zero_and_count_ticks_are_whole_numbers():
    root = _tree(charts.bar_chart(["KZ", "KG"], {"2025": [3.0, 4.0]}, title="t", integer=True, text=EN))
    ticks = _ticks(root, set())
    assert ticks[0] == 0 and ticks[-1] >= 4
    assert all(t == int(t) for t in ticks)
    assert len(ticks) == len(set(ticks)) >= 3  # no repeated "1, 1, 2" ticks from rounding
    shares = _tree(charts.bar_chart(["KZ", "KG"], {"2025": [0.3, 0.4]}, title="t", integer=False, text=EN))
    assert any(t != int(t) for t in _ticks(shares, set()))  # per cents may have fractions


@pytest.mark.parametrize(
    ("low", "high", "integer"),
    [
        (0, 1, True),
        (0, 7, True),
        (0, 0.4, False),
        (0, 0.7, False),
        (0, 1234567, True),
        (-20, 55, False),
        (0, 5e-324, False),
    ],
)
def test_ticks_cover_the_range_in_round_steps(low, high, integer):
    ticks = charts.ticks(low, high, integer)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert ticks[0] <= low and ticks[-1] >= high and len(steps) == 1
    (step,) = steps
    assert 2 <= len(ticks) <= 12
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in ((1, 2, 5) if integer else (1, 2, 2.5, 5))
    if integer:
        assert all(t == int(t) for t in ticks)
    assert all(len(repr(float(t))) <= 12 for t in ticks)  # 0.6, never 0.6000000000000001


def test_a_missing_value_is_a_marked_gap_explained_in_the_legend():
    root = _tree(
        charts.bar_chart(
            COUNTRIES, {"2024": [10.0, None, 7.0], "2025": [12.0, 11.0, None]}, title="t", integer=True, text=EN
        )
    )
    tips = _tips(root)
    assert "KG · 2024: no data" in tips and "TJ · 2025: no data" in tips
    missing = [r for r in _bars(root) if r.get("fill") == "none"]
    assert len(missing) == 2 and all(r.get("stroke-dasharray") for r in missing)
    assert all(float(r.get("height")) <= 8 for r in missing)  # a mark on the axis, not a bar
    assert "no data" in _texts(root)  # the legend says what the mark means
    assert not any("no data" in t and t != "no data" for t in _texts(root))  # no label over the axis
    complete = _tree(charts.bar_chart(COUNTRIES, {"2025": [1.0, 2.0, 3.0]}, title="t", integer=True, text=EN))
    assert "no data" not in _texts(complete)  # nothing missing: no such legend entry


def test_stacked_parts_add_up_and_a_country_without_all_parts_is_missing():
    root = _tree(
        charts.bar_chart(
            ["KZ", "KG"], {"Men": [30.0, 5.0], "Women": [20.0, None]}, title="t", integer=True, text=EN, stacked=True
        )
    )
    kz = [r for r in _bars(root) if r.find("s:title", NS).text.startswith("KZ")]
    assert [r.find("s:title", NS).text for r in kz] == ["KZ · Men: 30", "KZ · Women: 20"]
    men, women = kz
    assert float(women.get("y")) + float(women.get("height")) == pytest.approx(float(men.get("y")), abs=0.2)
    assert float(men.get("height")) == pytest.approx(1.5 * float(women.get("height")), rel=0.02)
    assert [t for t in _tips(root) if t.startswith("KG")] == ["KG · Men: no data"]  # one mark for the stack
    assert {"Men", "Women", "no data"} <= set(_texts(root))


def test_a_line_per_country_broken_where_a_period_has_no_value():
    root = _tree(
        charts.line_chart(
            ["2023", "2024", "2025"], {"KZ": [5.0, None, 7.0], "KG": [1.0, 2.0, 3.0]}, title="t", integer=True, text=EN
        )
    )
    paths = [p.get("d") for p in root.iter("{http://www.w3.org/2000/svg}path")]
    assert len(paths) == 1 and paths[0].count("M") == 1 and paths[0].count("L") == 2  # KG: one unbroken line
    assert _tips(root) == ["KZ · 2023: 5", "KZ · 2025: 7", "KG · 2023: 1", "KG · 2024: 2", "KG · 2025: 3"]
    assert "gap: no value for the period" in _texts(root)
    joined = _tree(charts.line_chart(["2024", "2025"], {"KZ": [5.0, 6.0]}, title="t", integer=True, text=EN))
    assert "gap: no value for the period" not in _texts(joined)


def test_the_readers_language_and_number_format():
    root = _tree(
        charts.bar_chart(["KZ", "KG"], {"2025": [1234567.5, None]}, title="REP01 · Итого", integer=False, text=RU)
    )
    assert "KZ · 2025: 1\u00a0234\u00a0567,5" in _tips(root)
    assert "KG · 2025: нет данных" in _tips(root) and "нет данных" in _texts(root)
    assert root.find("s:title", NS).text == "REP01 · Итого"


def test_text_is_at_least_11_px_at_the_default_width():
    svg = charts.bar_chart(
        COUNTRIES, {"2024": [1.0, 2.0, None], "2025": [1.0, None, 3.0]}, title="t", integer=True, text=EN
    )
    root = _tree(svg)
    assert root.get("width") == str(charts.WIDTH) and root.get("viewBox").startswith(f"0 0 {charts.WIDTH} ")
    sizes = [float(t.get("font-size") or root.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert sizes and min(sizes) >= 11


def test_many_countries_turn_their_labels_instead_of_overlapping():
    many = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)]
    root = _tree(charts.bar_chart(many, {"2025": [float(i) for i in range(60)]}, title="t", integer=True, text=EN))
    labels = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text in many]
    assert len(labels) == 60 and all("rotate(-90" in (t.get("transform") or "") for t in labels)
    few = _tree(charts.bar_chart(COUNTRIES, {"2025": [1.0, 2.0, 3.0]}, title="t", integer=True, text=EN))
    assert not any(t.get("transform") for t in few.iter("{http://www.w3.org/2000/svg}text"))


def test_text_is_escaped():
    svg = charts.bar_chart(["A&B"], {"<2025>": [1.0, 2.0][:1]}, title='"quoted" & <b>', integer=True, text=EN)
    root = _tree(svg)
    assert root.find("s:title", NS).text == '"quoted" & <b>'
    assert not re.search(r"<b>", svg)


def test_the_png_is_the_svg_drawn():
    svg = charts.bar_chart(COUNTRIES, {"2025": [1.0, 2.0, 3.0]}, title="t", integer=True, text=EN)
    png = charts.to_png(svg)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == 2 * charts.WIDTH  # twice the size: sharp on a slide


def test_a_mean_is_never_stacked_and_one_bar_per_country_names_its_period(app, db, return_setup):
    """Parts of a total stack; a mean (years) does not add up, so its parts are not stacked.
    With one bar per country there is no legend: the title says the period."""
    from portal.services.compare.aggregate import compare
    from portal.services.compare.present import tables
    from portal.services.compare.selection import make_selection
    from portal.services.disclosure import SECRETARIAT

    with app.test_request_context():
        selection = make_selection(indicators=["REP01", "PRS07"], periods=["2025"])
        rep01, prs07 = tables(compare(selection, SECRETARIAT), "en")
    assert rep01.unit == "count" and prs07.unit == "years"
    assert _tree(prs07.bar_svg).find("s:title", NS).text == "PRS07 · Total · 2025"
    assert not {"Male", "Female"} & set(_texts(_tree(prs07.bar_svg)))  # no parts in a legend
    assert {"Men", "Women", "Boys", "Girls"} <= set(_texts(_tree(rep01.bar_svg)))  # the parts, stacked

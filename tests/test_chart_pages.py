"""Charts where people read them: the comparison page (every chosen period, a caption counting
countries with a value, SVG and PNG downloads of the same chart), and a brief's edition (the
chart in the reader's language on the page, in the print view and in the PDF)."""

from __future__ import annotations

import base64
import re
from io import BytesIO

import pytest
from sqlalchemy import select

from portal.models import Brief

from .test_briefs import _compose, _weasyprint_or_skip, accepted, meeting  # noqa: F401  (fixtures)
from .test_compare import returns  # noqa: F401  (fixture)

QUERY = "indicator=REP01&period=2024&period=2025"


def _svgs(html: str) -> list[str]:
    return [base64.b64decode(u).decode() for u in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]


def test_the_bar_chart_shows_every_chosen_period_and_the_caption_counts_countries(client, login_as, returns):  # noqa: F811
    login_as("secretariat")
    html = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    bar, line = _svgs(html)
    assert "KZ · 2024: 15" in bar and "KZ · 2025: 20" in bar  # both periods, not only the last
    assert "KG · 2024: no data" in bar  # KG reported 2025 only: a marked gap
    assert "KZ · 2024: 15" in line and "KZ · 2025: 20" in line
    assert "2024: 1 of 9 countries with a value; 2025: 4 of 9 countries with a value" in html  # UZ: not accepted


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_each_chart_downloads_as_the_same_svg_and_as_png(client, login_as, returns, kind):  # noqa: F811
    login_as("delegate")
    html = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    assert f"/compare/chart.svg?{QUERY.replace('&', '&amp;')}&amp;code=REP01&amp;kind={kind}" in html
    svg = client.get(f"/compare/chart.svg?{QUERY}&code=REP01&kind={kind}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert (
        "attachment" in svg.headers["Content-Disposition"]
        and f"PRR-REP01-{kind}.svg" in svg.headers["Content-Disposition"]
    )
    assert svg.get_data(as_text=True) in _svgs(html)
    png = client.get(f"/compare/chart.png?{QUERY}&code=REP01&kind={kind}")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        (f"{QUERY}&code=REP01&kind=pie", 400, "kind=bar"),
        (f"{QUERY}&code=XX99&kind=bar", 400, "REP01"),
        ("indicator=REP01&period=2025&code=REP01&kind=line", 404, "no line chart"),
    ],
    ids=["unknown-kind", "indicator-not-compared", "one-period-has-no-line"],
)
def test_a_chart_that_is_not_there_is_a_clear_4xx(client, login_as, returns, query, status, message):  # noqa: F811
    login_as("delegate")
    response = client.get(f"/compare/chart.svg?{query}")
    assert response.status_code == status and message in response.get_data(as_text=True)


def test_russian_readers_get_russian_charts(client, login_as, returns):  # noqa: F811
    login_as("delegate", language="ru")
    svg = client.get(f"/compare/chart.svg?{QUERY}&code=REP01&kind=bar").get_data(as_text=True)
    assert "KG · 2024: нет данных" in svg and "REP01 · Всего" in svg
    html = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    assert "2025: 4 из 9 стран со значением" in html


def test_a_brief_shows_its_chart_in_the_readers_language_on_the_page_in_print_and_in_pdf(
    client,
    db,
    auth,
    login_as,
    meeting,  # noqa: F811
    accepted,  # noqa: F811
):
    login_as("secretariat")
    assert _compose(client, meeting, charts=["bar"]).status_code == 302
    brief = db.session.scalar(select(Brief))
    assert client.post(f"/meetings/briefs/{brief.id}/compile").status_code == 302
    auth.logout()
    login_as("delegate", language="ru")
    page = client.get(f"/meetings/briefs/{brief.id}").get_data(as_text=True)
    (chart,) = _svgs(page)
    assert "KZ · 2025: 20" in chart and "KG · 2025: 7" in chart and "REP01 · Всего" in chart, re.findall(
        "<title>[^<]*</title>", chart
    )
    assert "TJ · 2025: нет данных" in chart
    assert _svgs(client.get(f"/meetings/briefs/{brief.id}/print").get_data(as_text=True)) == [chart]
    svg = client.get(f"/meetings/briefs/{brief.id}/chart.svg?code=REP01&kind=bar")
    assert svg.status_code == 200 and svg.get_data(as_text=True) == chart
    png = client.get(f"/meetings/briefs/{brief.id}/chart.png?code=REP01&kind=bar")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"
    assert client.get(f"/meetings/briefs/{brief.id}/chart.svg?code=REP01&kind=line").status_code == 404
    _weasyprint_or_skip()
    from pypdf import PdfReader

    pdf = client.get(f"/meetings/briefs/{brief.id}.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "REP01 · Всего" in text and "нет данных" in text  # the chart's own text, drawn in the PDF


def test_a_wide_table_is_paged_by_periods_and_its_bars_follow(client, login_as, returns, monkeypatch):  # noqa: F811
    from portal.services.compare import present

    monkeypatch.setattr(present, "MAX_TABLE_CELLS", 5)  # REP01 has 5 columns: one period per page
    login_as("delegate")
    latest = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    table = latest[latest.index('data-testid="table-REP01"') :]
    assert 'data-cell="KZ-2025-Total"' in table and 'data-cell="KZ-2024-Total"' not in table
    assert "The table shows 2025–2025, 1 of the 2 periods chosen" in latest
    assert f"?{QUERY.replace('&', '&amp;')}&amp;page=2" in latest and "Later periods" not in latest
    bar, line = _svgs(latest)
    assert "KZ · 2025: 20" in bar and "KZ · 2024" not in bar  # the bars of the page's periods
    assert "KZ · 2024: 15" in line  # the line over every period chosen
    earlier = client.get(f"/compare/?{QUERY}&page=2").get_data(as_text=True)
    table = earlier[earlier.index('data-testid="table-REP01"') :]
    assert 'data-cell="KZ-2024-Total"' in table and 'data-cell="KZ-2025-Total"' not in table
    assert "Later periods" in earlier and "Earlier periods" not in earlier
    bar = client.get(f"/compare/chart.svg?{QUERY}&page=2&code=REP01&kind=bar").get_data(as_text=True)
    assert bar in _svgs(earlier)
    assert client.get(f"/compare/?{QUERY}&page=99").status_code == 200  # past the last: the earliest page

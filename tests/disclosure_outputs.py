"""How each output of the disclosure tests (tests/test_disclosure.py) is read back into figures:
the comparison API, page, CSV and XLSX, the returns API and a brief (page and PDF). Each reader
returns ({figure key: value}, the raw text) for the generic checker in tests/disclosure_check.py."""

from __future__ import annotations

import csv
import io
import re
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from portal.models import Country, Region, Return
from portal.services.meetings import briefs as brief_service

from .conftest import PASSWORD
from .disclosure_check import number

PERIODS = ["2023", "2024", "2025"]
INDICATORS = ["REP01", "REP01O", "REP07"]


def _token(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


QUERY = "&".join([*(f"indicator={i}" for i in INDICATORS), *(f"period={p}" for p in PERIODS)])


def _api_comparison(client, headers) -> tuple[dict, str]:
    response = client.get(f"/api/v1/comparison?{QUERY}", headers=headers)
    assert response.status_code == 200
    body = response.json
    figures = {}
    for r in body["rows"]:
        key = (r["country"], r["period"], r["indicator"], r["breakdown"])
        figures[("v", *key)] = number(r["value"])
        figures[("ch", *key)] = number(r["change"])
        figures[("cum", *key)] = number(r["cumulative"])
    for t in body["totals"]:
        figures[("t", t["group"], t["period"], t["indicator"], t["breakdown"])] = number(t["value"])
    for d in body["derived"]:
        figures[("sh", d["measure"], d["country"], d["period"])] = number(d["share"])
    return figures, response.get_data(as_text=True)


def _page(client) -> tuple[dict, str]:
    html = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    figures = {}
    for part in html.split('data-testid="table-')[1:]:
        code = part.split('"', 1)[0]
        for kind, who, period, column, shown in re.findall(
            r'data-(cell|total)="([A-Za-z_]+)-(\d{4})-(\w+)"[^>]*>\s*([^<]*)', part
        ):
            figures[("v" if kind == "cell" else "t", who, period, code, column)] = number(shown)
    assert figures, "the page shows no table"
    return figures, html


def _csv(client) -> tuple[dict, str]:
    text = client.get(f"/compare/export.csv?{QUERY}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    return {("v", r[0], r[1], r[2], r[3]): number(r[4]) for r in rows}, text


def _xlsx(client, db) -> tuple[dict, str]:
    wb = load_workbook(BytesIO(client.get(f"/compare/export.xlsx?{QUERY}").data))
    codes = {c.name_en: c.iso2 for c in db.session.scalars(select(Country))}
    groups = {r.name_en: r.code for r in db.session.scalars(select(Region))} | {"Council total": "council"}
    figures, texts = {}, []
    for code in INDICATORS:
        sheet = list(wb[code].iter_rows(values_only=True))
        header = sheet[2]
        for row in sheet[3:]:
            for heading, value in zip(header[1:], row[1:]):
                period, column = heading.split(" ", 1)
                kind, who = ("v", codes[row[0]]) if row[0] in codes else ("t", groups[row[0]])
                figures[(kind, who, period, code, column)] = number(value)
    for r in wb["Data"].iter_rows(min_row=2, values_only=True):
        figures.setdefault(("v", r[0], r[1], r[2], r[3]), number(r[4]))
    for ws in wb.worksheets:
        texts.extend(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    return figures, " ".join(texts)


def _returns(client, db, headers, own: str | None) -> tuple[dict, str]:
    figures, texts = {}, []
    for ret in db.session.scalars(select(Return)):
        country, period = ret.country.iso2, ret.period.label
        html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
        for code, column, shown in re.findall(r'data-cell="(\w+)\.(\w+)">([^<]*)<', html):
            figures[("v", country, period, code, column)] = number(shown)
        body = client.get(f"/api/v1/returns/{ret.id}", headers=headers)
        for v in body.json["values"]:
            key = ("v", country, period, v["indicator"], v["breakdown"])
            if number(v["value"]) is not None:
                figures[key] = number(v["value"])
        texts += [html, body.get_data(as_text=True)]
        # the original workbook: the country's own focal points only
        assert client.get(f"/returns/{ret.id}/versions/1/file").status_code == (200 if country == own else 404)
    return figures, " ".join(texts)


def _compiled_brief(client, db):
    from portal.models import Meeting

    meeting = db.session.scalar(select(Meeting))
    with client.application.test_request_context():
        brief = brief_service.save_brief(
            None,
            meeting,
            title="Brief",
            period="2025",
            indicators=INDICATORS,
            countries=[],
            charts=["bar", "line"],
            sections=[],
            actor=None,
        )
        brief_service.compile_brief(brief, None)
    db.session.commit()
    return brief


def _brief(client, db, headers, pdf: bool) -> tuple[dict, str]:
    from pypdf import PdfReader

    brief = _compiled_brief(client, db)
    body = client.get(f"/api/v1/briefs/{brief.id}", headers=headers).json
    figures = {}
    for ind in body["snapshot"]["indicators"]:
        for kind, entries, who in (("v", ind["rows"], "country"), ("t", ind["totals"], "group")):
            for entry in entries:
                for key, cell in entry["cells"].items():
                    period, column = key.split("|")
                    figures[(kind, entry[who], period, ind["code"], column)] = number(cell["d"])
    names = {c.name_en: c.iso2 for c in db.session.scalars(select(Country))}
    for d in body["snapshot"]["derived"]:
        figures[("sh", "REP01_minors", names.get(d["country"], d["country"]), "2025")] = number(d["share"])
    texts = [str(body), client.get(f"/meetings/briefs/{brief.id}").get_data(as_text=True)]
    wb = load_workbook(BytesIO(client.get(f"/meetings/briefs/{brief.id}.xlsx").data))
    texts += [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    if pdf:
        reader = PdfReader(BytesIO(client.get(f"/meetings/briefs/{brief.id}.pdf").data))
        texts += [page.extract_text() for page in reader.pages]
    return figures, " ".join(texts)


CHART_TITLE = re.compile(r"<title>([A-Z]{2}) · ([^:<]+): ([^<]+)</title>")


def _chart_figures(svg: str, code: str, key, figures: dict) -> None:
    """A chart's figures, from each bar's or point's tooltip ("KZ · 2025: 1,234" by period,
    "KZ · Men: 50" by part); `key(series)` gives the (period, column) a series stands for."""
    for who, series, shown in CHART_TITLE.findall(svg):
        figures[
            (
                "v",
                who,
                *key(series.strip()),
                code,
            )
        ] = number(shown)


def _svgs(html: str) -> list[str]:
    import base64

    return [base64.b64decode(u).decode() for u in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]


def _charts(client, db) -> tuple[dict, str]:
    """Every chart a reader can get, read back from its tooltips: the comparison page's, their
    SVG downloads (the same SVG), and a compiled brief's (one period: parts stacked)."""
    from portal.services.returns.template_versions import latest_template

    template = latest_template()
    columns = {c: template.columns(template.indicator(c).breakdown) for c in INDICATORS}
    figures: dict = {}
    html = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    shown, texts = _svgs(html), [html]
    for code in INDICATORS:
        headline = "Total" if "Total" in columns[code] else columns[code][0]
        for kind in ("bar", "line"):
            response = client.get(f"/compare/chart.svg?{QUERY}&code={code}&kind={kind}")
            assert response.status_code == 200, (code, kind, response.status_code)
            svg = response.get_data(as_text=True)
            assert svg in shown  # the download is the page's chart
            texts.append(svg)
            _chart_figures(svg, code, lambda series, h=headline: (series, h), figures)
    brief = _compiled_brief(client, db)
    page = client.get(f"/meetings/briefs/{brief.id}").get_data(as_text=True)
    texts.append(page)
    for code in INDICATORS:
        response = client.get(f"/meetings/briefs/{brief.id}/chart.svg?code={code}&kind=bar")
        assert response.status_code == 200, (code, response.status_code)
        svg = response.get_data(as_text=True)
        assert svg in _svgs(page)
        texts.append(svg)
        _chart_figures(svg, code, lambda series: ("2025", series), figures)
    return figures, " ".join(texts)

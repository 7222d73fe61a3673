"""A compiled edition as Excel and PDF (the same numbers as its page)."""

from __future__ import annotations

import html as html_lib
import re
from io import BytesIO
from pathlib import Path

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Font

from ..bilingual import Shown, frozen
from ..xlsx.safety import safe_row

BOLD = Font(bold=True)


def names(snapshot: dict, locale: str) -> dict:
    n = snapshot["names"]
    return {
        **{k: v.get(locale) or v["en"] for k, v in n["countries"].items()},
        **{k: v.get(locale) or v["en"] for k, v in n["regions"].items()},
    }


def chart(snapshot: dict, code: str, kind: str, locale: str) -> str | None:
    """An edition's chart (`kind` bar or line of indicator `code`) in `locale`, or None. An
    edition compiled before charts had both languages holds one, English, SVG."""
    ind = next((i for i in snapshot.get("indicators", []) if i["code"] == code), None)
    svg = (ind or {}).get("charts", {}).get(kind)
    if isinstance(svg, dict):
        return svg.get(locale) or svg.get("en")
    return svg


def to_xlsx(snapshot: dict, locale: str) -> bytes:
    """A sheet per indicator (its columns named in `locale`) and a tidy Data sheet whose
    headings are stable machine names; a whole number is written as an integer."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from ..returns.captions import column_captions

    with force_locale(locale):
        columns, data_title = column_captions(), _("Data")
        narrative = _narrative(snapshot, locale)
        wb = Workbook()
        wb.remove(wb.active)
        _narrative_sheet(wb.create_sheet(_("Brief")[:31]), narrative)
    label = names(snapshot, locale)
    data_rows = []
    for ind in snapshot["indicators"]:
        ws = wb.create_sheet(ind["code"][:31])
        ws.append(safe_row([f"{ind['code']} — {ind['label'].get(locale) or ind['label']['en']}"]))
        ws["A1"].font = BOLD
        ws.append(safe_row([ind["caption"].get(locale) or ind["caption"]["en"]]))
        keys = [f"{p}|{c}" for p in ind["periods"] for c in ind["columns"]]
        ws.append(safe_row([""] + [f"{p} {columns.get(c, c)}" for p, c in (k.split("|", 1) for k in keys)]))
        for cell in ws[3]:
            cell.font = BOLD
        for row in ind["rows"] + ind["totals"]:
            who = row.get("country") or row.get("group")
            ws.append(safe_row([label.get(who, who)] + [_value(row["cells"].get(k)) for k in keys]))
            if "country" in row:
                for k in keys:
                    c = row["cells"].get(k) or {}
                    p, col = k.split("|")
                    data_rows.append(
                        [who, p, ind["code"], col, _value(c), ",".join(c.get("f") or []), c.get("n"), c.get("ver")]
                    )
        ws.column_dimensions["A"].width = 34
    data = wb.create_sheet(data_title)
    data.append(["country", "period", "indicator", "breakdown", "value", "flags", "note", "source_version"])
    for cell in data[1]:
        cell.font = BOLD
    for row in data_rows:
        data.append(safe_row(row))  # notes come from uploads: never a live formula
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def plain(html: str) -> str:
    """Sanitised HTML of a section as plain text: a line per paragraph or list item."""
    text = re.sub(r"<br\s*/?>|</(p|li|h[2-4]|blockquote|pre)>", "\n", html or "")
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _narrative(snapshot: dict, locale: str) -> list[tuple[Shown, bool]]:
    """The edition's title, meeting and sections in `locale` (or the other language, marked),
    with whether each is a heading (bold in the workbook)."""
    meeting = snapshot.get("meeting") or {}
    place = frozen({"en": meeting.get("place"), "ru": meeting.get("place_ru")}, locale)
    where = frozen({"en": meeting.get("title"), "ru": meeting.get("title_ru")}, locale)
    lines = [(frozen(snapshot.get("title"), locale), True), (where, False)]
    if place.text:
        lines.append((place, False))
    for section in snapshot.get("sections", []):
        heading, body = frozen(section.get("heading"), locale), frozen(section.get("html"), locale)
        if heading.text:
            lines.append((heading, True))
        if body.text:
            lines.append((body.map(plain), False))
    return lines


def _narrative_sheet(ws, lines: list[tuple[Shown, bool]]) -> None:
    """Column A the text, column B the mark of text in the other language ("English only")."""
    for shown, bold in lines:
        ws.append(safe_row([shown.text, shown.badge or None]))
        if bold:
            ws.cell(ws.max_row, 1).font = BOLD
    ws.column_dimensions["A"].width = 100
    ws.column_dimensions["B"].width = 20


def _value(cell: dict | None):
    if not cell:
        return None
    if cell.get("v") is not None:
        v = cell["v"]
        return int(v) if isinstance(v, float) and v.is_integer() else v
    return cell["d"] if cell.get("d") not in ("—", "") else None


def _fetcher(static: Path):
    """WeasyPrint may read data: URIs and the portal's own static files, nothing else."""
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url[len("file://") :].split("?")[0]).resolve()
                if static not in path.parents:
                    raise ValueError(f"blocked: {url[:80]}")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols={"data", "file"}, timeout=5)


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    assert current_app.static_folder is not None  # create_app gives the package's static/
    static = Path(current_app.static_folder).resolve()
    return HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=_fetcher(static)).write_pdf()


def edition_pdf(brief, edition, lang: str) -> bytes:
    """The print page of an edition, in `lang`, rendered to PDF by WeasyPrint."""
    from flask import render_template
    from flask_babel import force_locale

    with force_locale(lang):
        html = render_template(
            "meetings/brief_print.html",
            pdf=True,
            brief=brief,
            edition=edition,
            snap=edition.snapshot,
            names=names(edition.snapshot, lang),
            locale=lang,
        )
    return to_pdf(html)

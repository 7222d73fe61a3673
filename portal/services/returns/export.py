"""Excel exports: accepted values of a period (tidy), and the completeness matrix."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ...extensions import db
from ...models import Return
from ..xlsx.safety import safe_row
from .matrix import STATUS_LABELS, completeness_matrix, on_time_rates
from .timeliness import State

BOLD = Font(bold=True)


def _sheet(wb, title, header, rows, first=False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(safe_row(header))
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append(safe_row(row))  # a text starting with = would be a live formula
    ws.freeze_panes = "A2"
    for i in range(1, len(header) + 1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = 16
    return ws


def _save(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def export_period(period) -> bytes:
    """Every accepted value of the period, one row per cell, with where it came from."""
    returns = list(db.session.scalars(select(Return).where(Return.period_id == period.id)))
    rows, status_rows = [], []
    for ret in sorted(returns, key=lambda r: r.country.iso2):
        accepted = ret.accepted_version
        status_rows.append(
            [
                ret.country.iso2,
                ret.country.name_en,
                ret.status,
                accepted.number if accepted else None,
                accepted.completeness if accepted else None,
            ]
        )
        if accepted is None:
            continue
        for v in accepted.values:
            rows.append(
                [
                    ret.country.iso2,
                    period.label,
                    v.indicator,
                    v.breakdown,
                    v.number if v.text is None else v.text,
                    v.status,
                    v.note,
                    accepted.number,
                    accepted.id,
                ]
            )
    wb = Workbook()
    _sheet(
        wb,
        "Data",
        ["country", "period", "indicator", "breakdown", "value", "status_code", "note", "version", "version_id"],
        rows,
        first=True,
    )
    _sheet(wb, "Returns", ["country", "name", "status", "accepted_version", "completeness_pct"], status_rows)
    return _save(wb)


def export_matrix(today: date | None = None) -> bytes:
    """The completeness matrix in the current language: one row per country and period
    (status, timeliness, completeness), and each country's on-time rate."""
    countries, periods, cells = completeness_matrix(today)
    rates = on_time_rates(countries, periods, cells)
    locale = get_locale()
    language = locale.language if locale is not None else "en"
    rows = []
    for c in countries:
        for p in periods:
            cell = cells[(c.id, p.id)]
            first = cell.timeliness.first_submitted
            rows.append(
                [
                    c.iso2,
                    c.name(language),
                    p.label,
                    p.due_date,
                    str(STATUS_LABELS[cell.status]),
                    cell.timeliness.text if cell.timeliness.state != State.NO_DUE_DATE else "",
                    cell.completeness,
                    cell.last_activity.replace(tzinfo=None) if cell.last_activity else None,
                    first.replace(tzinfo=None) if first else None,
                ]
            )
    wb = Workbook()
    _sheet(
        wb,
        _("Completeness"),
        [
            _("Code"),
            _("Country"),
            _("Period"),
            _("Due date"),
            _("Status"),
            _("Timeliness"),
            _("Completeness (per cent)"),
            _("Last activity (UTC)"),
            _("First submitted (UTC)"),
        ],
        rows,
        first=True,
    )
    ws = _sheet(
        wb,
        _("On-time rate"),
        [_("Code"), _("Country"), _("On-time rate")],
        [[c.iso2, c.name(language), rates[c.id]] for c in countries],
    )
    for (cell,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.number_format = "0%"  # shown in the reader's own Excel locale
    return _save(wb)

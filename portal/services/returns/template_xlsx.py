"""Writing the Excel template of the return for one (country, period), in one language.

Sheets: Instructions; one per section (header row: Code, Indicator, Unit, breakdown
columns, Notes; one row per indicator); a hidden Lists sheet for the drop-downs; a very
hidden _meta sheet. Template identity (version, country, period) is signed with
itsdangerous and stored both in _meta and in custom document properties.
"""

from __future__ import annotations

from io import BytesIO

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import URLSafeSerializer
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from ...config import LOCALES
from ...extensions import db
from ...models import Country, ReportingPeriod, ReturnTemplate
from ...models.types import utcnow
from ..errors import ServiceError
from ..xlsx.safety import safe_text
from .access import can_download_template
from .captions import column_captions, unit_captions
from .layout import (
    CUSTOM_PROPERTY_PREFIX,
    FIRST_DATA_ROW,
    FIXED_COLUMNS,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MAX_NOTE,
    META_SHEET,
    NOTES,
    SIGNATURE_SALT,
    STATUS_CODES,
    section_columns,
)

GREY = PatternFill("solid", fgColor="D9D9D9")
INPUT = PatternFill("solid", fgColor="FFFFFF")
HEADER = PatternFill("solid", fgColor="1D4E89")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SIGNATURE_SALT)


def identity(template: ReturnTemplate, country: Country, period: ReportingPeriod) -> dict:
    return {"v": template.version, "c": country.iso2, "p": period.label}


def build_template(template: ReturnTemplate, country: Country, period: ReportingPeriod, locale: str) -> bytes:
    with force_locale(locale):
        wb = Workbook()
        _instructions(wb.active, template, country, period, locale)
        _lists(wb)
        for section in template.sections:
            _section_sheet(wb, template, section, country, period, locale)
        _meta(wb, template, country, period)
        out = BytesIO()
        wb.save(out)
        return out.getvalue()


def _instructions(ws, template, country, period, locale) -> None:
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 100
    contact = current_app.config["SECRETARIAT_EMAIL"]
    rows = [
        (template.title(locale), None),
        (_("Country"), country.name(locale)),
        (_("Reporting period"), period.label),
        (_("Template version"), str(template.version)),
        (None, None),
        (
            _("How to fill in"),
            _(
                "Fill in the white cells of each section sheet; grey cells are not used by that indicator. Do not "
                "add, remove or rename sheets, rows or columns."
            ),
        ),
        (None, _("Only aggregate figures: never enter data about an individual person.")),
        (
            None,
            _(
                "Leave a cell blank when the figure is not reported: a blank is never read as zero. Write 0 or NIL "
                "for a true zero."
            ),
        ),
        (
            None,
            _(
                "Where an indicator has a breakdown, give the Total whenever you give any part; the parts must not "
                "exceed the Total and must add up to it when all are given."
            ),
        ),
        (
            None,
            _(
                "Use the Notes column for the source, the definition used, or an explanation. Warnings from the "
                "portal are resolved by a note."
            ),
        ),
        (None, _("Upload the completed file on the portal; it shows every problem with its sheet and cell.")),
        (None, None),
        (_("Status codes"), _("Write a status code instead of a number:")),
        ("N/A", _("not applicable")),
        ("N/AV", _("not available")),
        ("NIL", _("nil: a true zero, stated")),
        ("EST", _("estimate: write EST, a space and the number, e.g. EST 120")),
        (
            "CONF",
            _(
                "confidential: CONF and the number (e.g. CONF 12), or CONF alone; the number is held by the "
                "secretariat and not shown outside it"
            ),
        ),
        (
            None,
            _("A status code and a number in the same cell is an error, except EST or CONF followed by the number."),
        ),
        (None, None),
        (_("Contact"), contact or _("the council secretariat")),
    ]
    for r, (a, b) in enumerate(rows, start=1):
        if a is not None:
            ws.cell(r, 1, safe_text(a)).font = Font(bold=True)
        if b is not None:
            ws.cell(r, 2, safe_text(b)).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    ws.protection.sheet = True


def _lists(wb) -> None:
    ws = wb.create_sheet(LISTS_SHEET)
    for r, code in enumerate(STATUS_CODES, start=1):
        ws.cell(r, 1, code)
    yes_no = [_("yes"), _("no"), "N/A", "N/AV"]
    for r, value in enumerate(yes_no, start=1):
        ws.cell(r, 2, value)
    ref = quote_sheetname(LISTS_SHEET)
    wb.defined_names["StatusCodes"] = DefinedName("StatusCodes", attr_text=f"{ref}!$A$1:$A${len(STATUS_CODES)}")
    wb.defined_names["YesNo"] = DefinedName("YesNo", attr_text=f"{ref}!$B$1:$B${len(yes_no)}")
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _validation(unit: str, first_cell: str, maximum: float | None) -> DataValidation:
    """Excel's own check of an input cell (the server checks again): the unit, its maximum
    from the template, or a status code."""
    status = f'ISNUMBER(MATCH({first_cell},StatusCodes,0)),LEFT({first_cell},4)="EST ",LEFT({first_cell},5)="CONF "'
    if unit == "boolean":
        dv = DataValidation(type="list", formula1="YesNo", allow_blank=True)
        dv.error = _("Choose yes or no (or N/A, N/AV).")
    elif unit == "text":
        return None
    else:
        top = f",{first_cell}<={maximum:.16g}" if maximum is not None else ""
        shown = f"{maximum:,.16g}" if maximum is not None else ""
        number = {
            "count": f"AND(ISNUMBER({first_cell}),{first_cell}>=0{top},INT({first_cell})={first_cell})",
            "percent": f"AND(ISNUMBER({first_cell}),{first_cell}>=0,{first_cell}<=100)",
        }.get(unit, f"AND(ISNUMBER({first_cell}),{first_cell}>=0{top})")
        dv = DataValidation(type="custom", formula1=f"OR({number},{status})", allow_blank=True)
        dv.error = {
            "count": _(
                "Enter a whole number from 0 to %(max)s, a status code (N/A, N/AV, NIL, CONF), or EST and a number.",
                max=shown,
            ),
            "percent": _("Enter a percentage from 0 to 100, a status code, or EST and a number."),
        }.get(unit, _("Enter a number from 0 to %(max)s, a status code, or EST and a number.", max=shown))
    dv.showErrorMessage = True
    dv.errorTitle = _("Not a valid entry")
    return dv


def _note_validation() -> DataValidation:
    dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_NOTE), allow_blank=True)
    dv.error = _("A note takes at most %(max)s characters.", max=f"{MAX_NOTE:,}")
    dv.errorTitle = _("Not a valid entry")
    dv.showErrorMessage = True
    return dv


def _section_sheet(wb, template, section, country, period, locale) -> None:
    ws = wb.create_sheet(section.sheet)
    columns = section_columns(template, section)
    header = list(FIXED_COLUMNS) + columns + [NOTES]
    captions, units = column_captions(), unit_captions()
    ws.cell(1, 1, safe_text(section.name(locale))).font = Font(bold=True, size=14)
    ws.cell(
        2,
        1,
        safe_text(
            _(
                "%(country)s · period %(period)s · template version %(v)s",
                country=country.name(locale),
                period=period.label,
                v=template.version,
            )
        ),
    )
    for c, key in enumerate(header, start=1):
        caption = ws.cell(HEADER_ROW - 1, c, captions[key])
        caption.font = Font(italic=True, color="595959")
        cell = ws.cell(HEADER_ROW, c, key)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER
        cell.border = BOX
    widths = {"Code": 9, "Indicator": 60, "Unit": 20, NOTES: 45}
    for c, key in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(key, 10)
    for r, ind in enumerate(section.indicators, start=FIRST_DATA_ROW):
        scheme = set(template.columns(ind.breakdown))
        ws.cell(r, 1, ind.code).font = Font(bold=True)
        label = ws.cell(r, 2, safe_text(ind.label(locale)))
        label.alignment = Alignment(wrap_text=True, vertical="top")
        if ind.definition(locale):
            label.comment = Comment(ind.definition(locale), "PRR portal", width=300, height=120)
        ws.cell(r, 3, f"{units[ind.unit]}, {units[ind.kind]}")
        inputs = []
        for c, key in enumerate(header[3:], start=4):
            cell = ws.cell(r, c)
            cell.border = BOX
            if key == NOTES or key in scheme:
                cell.protection = Protection(locked=False)
                cell.fill = INPUT
                if key != NOTES:
                    inputs.append(cell.coordinate)
            else:
                cell.fill = GREY
        dv = _validation(ind.unit, inputs[0], ind.maximum()) if inputs else None
        if dv is not None:
            for coordinate in inputs:
                dv.add(coordinate)
            ws.add_data_validation(dv)
    notes = get_column_letter(len(header))
    note_dv = _note_validation()
    note_dv.add(f"{notes}{FIRST_DATA_ROW}:{notes}{FIRST_DATA_ROW + len(section.indicators) - 1}")
    ws.add_data_validation(note_dv)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 4)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may widen columns
    ws.protection.formatRows = False


def _meta(wb, template, country, period) -> None:
    ws = wb.create_sheet(META_SHEET)
    ident = identity(template, country, period)
    values = {
        "template_version": str(template.version),
        "country": country.iso2,
        "period": period.label,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "signature": signer().dumps(ident),
    }
    for r, (key, value) in enumerate(values.items(), start=1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value)
        wb.custom_doc_props.append(StringProperty(name=CUSTOM_PROPERTY_PREFIX + key, value=value))
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


class TemplateRequestError(ServiceError):
    """A template request refused with its own status (400, 403 or 404)."""

    def __init__(self, status: int, message):
        super().__init__(message)
        self.status = status


def template_for(user, country_code: str, period_label: str, lang: str) -> tuple[bytes, str]:
    """The template a user asked for, with its file name; checks who may have it."""
    country = db.session.scalar(select(Country).where(Country.iso2 == (country_code or "").upper()))
    if country is None:
        raise TemplateRequestError(400, _("Choose a country."))
    if not can_download_template(user, country.id):
        raise TemplateRequestError(403, _("Your account does not have access to this page."))
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == period_label))
    if period is None:
        raise TemplateRequestError(404, _("There is no reporting period %(label)s.", label=period_label))
    if lang not in LOCALES:
        raise TemplateRequestError(400, _("Unknown language: choose English or Russian."))
    data = build_template(period.template, country, period, lang)
    return data, f"PRR-return_{country.iso2}_{period.label}_v{period.template.version}_{lang}.xlsx"

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ...forms import CheckboxListField, PortalForm, bilingual, choices

FORMATS = choices([("in_person", _l("in person")), ("online", _l("online")), ("hybrid", _l("hybrid"))])


class MeetingForm(PortalForm):
    title, title_ru = bilingual(
        StringField, _l("Title in English"), _l("Title in Russian"), 300, DataRequired(message=_l("Enter a title."))
    )
    start_date = DateField(_l("Start date"), validators=[DataRequired(message=_l("Enter a date."))])
    end_date = DateField(_l("End date"), validators=[DataRequired(message=_l("Enter a date."))])
    place, place_ru = bilingual(StringField, _l("Place in English"), _l("Place in Russian"), 200)
    host = SelectField(_l("Host country"), choices=[], validate_choice=True)
    format = SelectField(_l("Format"), choices=FORMATS)
    description, description_ru = bilingual(
        TextAreaField, _l("Description in English (Markdown)"), _l("Description in Russian (Markdown)"), 20000
    )
    source, source_ru = bilingual(
        TextAreaField, _l("Source of the facts, in English"), _l("Source of the facts, in Russian"), 2000
    )
    agenda, agenda_ru = bilingual(
        TextAreaField,
        _l(
            "Agenda in English: one item per line; start with a country code and a colon for its presenter, e.g. "
            "“KG: National experience”"
        ),
        _l("Agenda in Russian: the same items, line by line (leave a line empty for an item in English only)"),
        20000,
    )


class DocumentForm(PortalForm):
    title = StringField(_l("Document title"), validators=[Optional(), Length(max=300)])
    file = FileField(
        _l("File (PDF, DOCX, XLSX, PPTX, PNG, JPEG; at most 10 MB)"),
        validators=[FileRequired(message=_l("Choose a file."))],
    )


class BriefForm(PortalForm):
    """A brief: its title and narrative sections in English and Russian side by side (a title
    in one language at least), what it compares, and its charts and linked items."""

    title, title_ru = bilingual(StringField, _l("Title in English"), _l("Title in Russian"), 300)
    period = SelectField(_l("Reporting period"), choices=[])
    indicators = CheckboxListField(
        _l("Indicators to compare"), choices=[], validators=[DataRequired(message=_l("Choose at least one indicator."))]
    )
    countries = CheckboxListField(_l("Countries (none: all)"), choices=[], validators=[Optional()])
    charts = CheckboxListField(
        _l("Charts"),
        choices=choices([("bar", _l("bar chart by country")), ("line", _l("line over periods"))]),
        validators=[Optional()],
    )
    library = CheckboxListField(
        _l("Linked case studies and action plans (published)"), choices=[], validators=[Optional()]
    )

    def validate_title(self, field) -> None:
        if not (field.data or "").strip() and not (self.title_ru.data or "").strip():
            raise ValidationError(_l("Enter a title."))

    def section_data(self) -> list[dict]:
        """The sections as posted: heading and body (Markdown) in English and Russian."""
        return [
            {part: getattr(self, section_field(part, n)).data for part in SECTION_PARTS} for n in range(1, SECTIONS + 1)
        ]


SECTIONS = 3  # narrative sections on the form
SECTION_PARTS = ("heading", "body", "heading_ru", "body_ru")


def section_field(part: str, n: int) -> str:
    """The form field of a section's part: heading_1, body_1, heading_1_ru, body_1_ru, …"""
    base, _sep, russian = part.partition("_")
    return f"{base}_{n}_ru" if russian else f"{base}_{n}"


for _n in range(1, SECTIONS + 1):
    _heading = bilingual(
        StringField, _l("Section %(n)d heading in English", n=_n), _l("Section %(n)d heading in Russian", n=_n), 200
    )
    _body = bilingual(
        TextAreaField,
        _l("Section %(n)d text in English (Markdown)", n=_n),
        _l("Section %(n)d text in Russian (Markdown)", n=_n),
        20000,
    )
    # Fields added after the class (FormMeta takes them in): heading_1, body_1, heading_1_ru, …
    for _part, _field in zip(SECTION_PARTS, (_heading[0], _body[0], _heading[1], _body[1])):
        setattr(BriefForm, section_field(_part, _n), _field)

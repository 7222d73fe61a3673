from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

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
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=300)])
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
    heading_1 = StringField(_l("Section 1 heading"), validators=[Optional(), Length(max=200)])
    body_1 = TextAreaField(_l("Section 1 text (Markdown)"), validators=[Optional(), Length(max=20000)])
    heading_2 = StringField(_l("Section 2 heading"), validators=[Optional(), Length(max=200)])
    body_2 = TextAreaField(_l("Section 2 text (Markdown)"), validators=[Optional(), Length(max=20000)])
    heading_3 = StringField(_l("Section 3 heading"), validators=[Optional(), Length(max=200)])
    body_3 = TextAreaField(_l("Section 3 text (Markdown)"), validators=[Optional(), Length(max=20000)])

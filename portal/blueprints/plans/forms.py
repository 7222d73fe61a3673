from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...forms import PortalForm, choices
from ..library.labels import LANGUAGE_LABELS, MEASURE_STATUS_LABELS, PLAN_STATUS_LABELS, VISIBILITY_LABELS


class PlanForm(PortalForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=300)])
    title_ru = StringField(_l("Title in Russian"), validators=[Optional(), Length(max=300)])
    country = SelectField(_l("Country"), choices=[])
    language = SelectField(_l("Language"), choices=choices(list(LANGUAGE_LABELS.items())))
    start_year = IntegerField(
        _l("First year"), validators=[DataRequired(message=_l("Enter a year.")), NumberRange(1990, 2100)]
    )
    end_year = IntegerField(
        _l("Last year"), validators=[DataRequired(message=_l("Enter a year.")), NumberRange(1990, 2100)]
    )
    authority = StringField(_l("Adopted by"), validators=[Optional(), Length(max=300)])
    instrument = StringField(
        _l("Instrument (e.g. resolution number and date; empty if not published)"),
        validators=[Optional(), Length(max=300)],
    )
    status = SelectField(_l("Status"), choices=choices(list(PLAN_STATUS_LABELS.items())))
    visibility = SelectField(_l("Who may read it once published"), choices=choices(list(VISIBILITY_LABELS.items())))
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    objectives = TextAreaField(_l("Objectives (Markdown)"), validators=[Optional(), Length(max=50000)])
    measures = TextAreaField(
        _l("Measures: one per line, “phase | status | measure | responsible agencies | timeline”"),
        validators=[Optional(), Length(max=100000)],
    )
    sources = TextAreaField(
        _l("Sources: one per line, “title | https://…”"), validators=[Optional(), Length(max=10000)]
    )


class UpdateForm(PortalForm):
    on_date = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter a date."))])
    status = SelectField(_l("Status"), choices=choices(list(MEASURE_STATUS_LABELS.items())))
    text = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=5000)])

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...forms import PortalForm, bilingual, choices
from ..library.labels import LANGUAGE_LABELS, MEASURE_STATUS_LABELS, PLAN_STATUS_LABELS, VISIBILITY_LABELS


class PlanForm(PortalForm):
    title, title_ru = bilingual(
        StringField, _l("Title in English"), _l("Title in Russian"), 300, DataRequired(message=_l("Enter a title."))
    )
    country = SelectField(_l("Country"), choices=[])
    language = SelectField(_l("Language"), choices=choices(list(LANGUAGE_LABELS.items())))
    start_year = IntegerField(
        _l("First year"), validators=[DataRequired(message=_l("Enter a year.")), NumberRange(1990, 2100)]
    )
    end_year = IntegerField(
        _l("Last year"), validators=[DataRequired(message=_l("Enter a year.")), NumberRange(1990, 2100)]
    )
    authority, authority_ru = bilingual(StringField, _l("Adopted by, in English"), _l("Adopted by, in Russian"), 300)
    instrument, instrument_ru = bilingual(
        StringField,
        _l("Instrument in English (e.g. resolution number and date; empty if not published)"),
        _l("Instrument in Russian"),
        300,
    )
    status = SelectField(_l("Status"), choices=choices(list(PLAN_STATUS_LABELS.items())))
    visibility = SelectField(_l("Who may read it once published"), choices=choices(list(VISIBILITY_LABELS.items())))
    summary, summary_ru = bilingual(TextAreaField, _l("Summary in English"), _l("Summary in Russian"), 5000)
    objectives, objectives_ru = bilingual(
        TextAreaField, _l("Objectives in English (Markdown)"), _l("Objectives in Russian (Markdown)"), 50000
    )
    measures, measures_ru = bilingual(
        TextAreaField,
        _l("Measures in English: one per line, “phase | status | measure | responsible agencies | timeline”"),
        _l("Measures in Russian: on the line of the same measure, “measure | responsible agencies”"),
        100000,
    )
    sources = TextAreaField(
        _l("Sources: one per line, “title | https://…”"), validators=[Optional(), Length(max=10000)]
    )


class UpdateForm(PortalForm):
    on_date = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter a date."))])
    status = SelectField(_l("Status"), choices=choices(list(MEASURE_STATUS_LABELS.items())))
    text, text_ru = bilingual(TextAreaField, _l("What happened, in English"), _l("What happened, in Russian"), 5000)

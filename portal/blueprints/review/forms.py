from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional

from ...forms import PortalForm


class PeriodForm(PortalForm):
    label = StringField(_l("Label (e.g. 2026 or 2026-H1)"), validators=[DataRequired(message=_l("Enter a label."))])
    start_date = DateField(_l("Start date"), validators=[DataRequired(message=_l("Enter a date."))])
    end_date = DateField(_l("End date"), validators=[DataRequired(message=_l("Enter a date."))])
    opens_on = DateField(_l("Opens for reporting on"), validators=[DataRequired(message=_l("Enter a date."))])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    closes_on = DateField(
        _l("Closes for uploads on (the scheduler closes it; empty: stays open)"), validators=[Optional()]
    )
    template_version = IntegerField(
        _l("Template version"), default=1, validators=[DataRequired(message=_l("Enter a version.")), NumberRange(min=1)]
    )
    is_open = BooleanField(_l("Open for uploads"))

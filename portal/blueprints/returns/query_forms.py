"""The forms of the query pages (the secretariat's and the country's): each has its CSRF token."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...forms import PortalForm
from ...services.returns.queries import MAX_SUGGESTED, MAX_TEXT


def _text(label, required: bool = True):
    checks = [DataRequired(message=_l("Write the text of the message."))] if required else [Optional()]
    return TextAreaField(
        label,
        validators=[*checks, Length(max=MAX_TEXT, message=_l("At most %(max)d characters."))],
    )


class NewQueryForm(PortalForm):
    text = _text(_l("Question to the focal point"))
    suggested = StringField(
        _l("Suggested value (optional)"),
        validators=[Optional(), Length(max=MAX_SUGGESTED, message=_l("At most %(max)d characters."))],
    )


class ReplyForm(PortalForm):
    text = _text(_l("Your reply"))
    back = HiddenField()  # "return": back to the return page (an answer given in place)


class ResolveForm(PortalForm):
    text = _text(_l("Comment (optional)"), required=False)


class ReopenForm(PortalForm):
    text = _text(_l("Why it is reopened"))

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from ...forms import LANGUAGE_CHOICES, ROLE_LABELS, PortalForm, choices, new_password_fields


class UserForm(PortalForm):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(message=_l("Enter a name.")),
            Length(max=120, message=_l("The name is too long (at most %(max)d characters).")),
        ],
    )
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))
    country = SelectField(_l("Country"), choices=[], validate_choice=True)
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    active = BooleanField(_l("Active (may sign in)"), default=True)

    def set_country_choices(self, countries, locale: str) -> None:
        self.country.choices = choices([("", _l("— none —"))] + [(c.iso2, c.name(locale)) for c in countries])


class NewUserForm(UserForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter an e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long (at most %(max)d characters).")),
            Email(message=_l("Enter a valid e-mail address, such as name@example.org.")),
        ],
    )
    new_password, confirm = new_password_fields()

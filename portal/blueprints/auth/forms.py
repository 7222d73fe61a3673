from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, Length

from ...forms import LANGUAGE_CHOICES, PortalForm, new_password_fields
from ...services.accounts.passwords import MAX_PASSWORD_LENGTH


def _email_field() -> EmailField:
    """The e-mail address a person signs in with (sign-in and password reset)."""
    return EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long (at most %(max)d characters).")),
            Email(message=_l("Enter a valid e-mail address, such as name@example.org.")),
        ],
    )


class LoginForm(PortalForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_l("The password is too long.")),
        ],
    )
    remember = BooleanField(_l("Keep me signed in on this computer"))
    next = HiddenField()


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(message=_l("Enter your current password."))]
    )
    new_password, confirm = new_password_fields()


class PreferencesForm(PortalForm):
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    email_notices = BooleanField(
        _l("Also send me e-mail for routine notices (corrections requested and overdue returns are always e-mailed)")
    )


class ForgotPasswordForm(PortalForm):
    email = _email_field()

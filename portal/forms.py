"""Form pieces shared by several blueprints."""

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from babel import support
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .services.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from .services.errors import ServiceError

T = TypeVar("T")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_CHOICES = choices([("en", "English"), ("ru", "Русский")])

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "secretariat": _l("Secretariat"),
    "focal_point": _l("National focal point"),
    "delegate": _l("Delegate"),
}


def new_password_fields():
    """A (password, confirm) pair with the portal's password policy."""
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Enter a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("The password must have between %(min)d and %(max)d characters."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The two passwords are not the same."))],
    )
    return password, confirm


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class AtMost:
    """A length limit whose message names the field by its label (a page with two columns of
    texts, English and Russian, says which one is too long); sets the input's maxlength."""

    def __init__(self, limit: int):
        self.limit = limit
        self.field_flags = {"maxlength": limit}

    def __call__(self, form, field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                _l(
                    "%(field)s is too long: %(length)d characters, at most %(n)d.",
                    field=field.label.text,
                    length=length,
                    n=self.limit,
                )
            )


def bilingual(field_class, label: str, label_ru: str, limit: int, *validators):
    """A text in English and in Russian, as two fields: (`<name>`, `<name>_ru`), each input
    marked with its language; `validators` (e.g. DataRequired) go with the English one."""
    english = field_class(label, validators=[*validators, AtMost(limit)], render_kw={"lang": "en"})
    russian = field_class(label_ru, validators=[AtMost(limit)], render_kw={"lang": "ru"})
    return english, russian


class PortalForm(FlaskForm):
    """The base of every form: Flask-WTF's CSRF protection, and WTForms' own messages ("This
    field is required.") in the reader's language from a catalogue read once per language and
    process (Flask-WTF reads it from disk on every request)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _wtforms_translations(str(get_locale()))

        def render_field(self, field, render_kw):
            """Hidden inputs (the CSRF token above all) without an id: a page with several
            forms would otherwise repeat id="csrf_token", and nothing labels a hidden input."""
            if field.type in ("CSRFTokenField", "HiddenField"):
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)


class CheckboxListField(SelectMultipleField):
    """A choice of several as a group of checkboxes (macros/forms.html draws it as a fieldset),
    not a list box that needs Ctrl-click; posts the same values as a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NewPasswordForm(PortalForm):
    """A new password, twice: an administrator's reset and the reset by e-mail."""

    new_password, confirm = new_password_fields()


class LanguageForm(PortalForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


class ConfirmForm(PortalForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


def apply_service_error(form, error) -> None:
    """Show a service's refusal under the field it names, or as a flash message."""
    from flask import flash

    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        flash(str(error.message), "danger")


def save_form(
    form, save: Callable[[], T], message: str | Callable[[T], str | tuple[str, str]], *, abort_forbidden: bool = False
) -> T | None:
    """Run a form's service call: commit and flash `message` (or `message(result)`, which may
    also give the flash category), or roll back and show the refusal under its field.

    Returns the result, or None when refused; the refusal stays on `form.service_error` for a
    page whose status follows it. `abort_forbidden`: a 403 refusal is the page's answer."""
    from flask import abort, flash

    from .extensions import db

    form.service_error = None
    try:
        result = save()
    except ServiceError as error:
        db.session.rollback()
        if abort_forbidden and error.status == 403:
            abort(403)
        apply_service_error(form, error)
        form.service_error = error
        return None
    db.session.commit()
    text = message(result) if callable(message) else message
    text, category = text if isinstance(text, tuple) else (text, "success")
    flash(text, category)
    return result

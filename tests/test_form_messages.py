"""WTForms' own messages in the reader's language, from the catalogue PortalForm keeps per
language (portal/forms.py) instead of reading it from disk on every request."""

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired

from portal import forms


class _Form(forms.PortalForm):
    name = StringField(validators=[DataRequired()])


@pytest.mark.parametrize(("language", "message"), [("en", "This field is required."), ("ru", "Обязательное поле.")])
def test_wtforms_messages_follow_the_reader_from_a_kept_catalogue(app, language, message):
    forms._wtforms_translations.cache_clear()
    for _request in range(3):
        with app.test_request_context(method="POST"), force_locale(language):
            form = _Form(formdata=MultiDict({"name": ""}), meta={"csrf": False})
            assert not form.validate()
            assert form.errors["name"] == [message]
    assert forms._wtforms_translations.cache_info().misses == 1  # read once for three requests

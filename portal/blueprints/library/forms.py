from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...forms import CheckboxListField, PortalForm, choices
from .labels import ACTOR_LABELS, LANGUAGE_LABELS, TARGET_LABELS, THEME_LABELS, VISIBILITY_LABELS


class CaseStudyForm(PortalForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=300)])
    country = SelectField(_l("Country"), choices=[])
    language = SelectField(_l("Language"), choices=choices(list(LANGUAGE_LABELS.items())))
    year_from = IntegerField(
        _l("First year"), validators=[DataRequired(message=_l("Enter a year.")), NumberRange(1990, 2100)]
    )
    year_to = IntegerField(_l("Last year (if more than one)"), validators=[Optional(), NumberRange(1990, 2100)])
    themes = CheckboxListField(_l("PRR themes"), choices=choices(list(THEME_LABELS.items())))
    target_groups = CheckboxListField(_l("Target groups"), choices=choices(list(TARGET_LABELS.items())))
    actors = CheckboxListField(_l("Implementing actors"), choices=choices(list(ACTOR_LABELS.items())))
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(message=_l("Enter a summary.")), Length(max=5000)])
    body = TextAreaField(_l("Description (Markdown)"), validators=[Optional(), Length(max=100000)])
    results = TextAreaField(_l("Results"), validators=[Optional(), Length(max=20000)])
    lessons = TextAreaField(_l("Lessons learned"), validators=[Optional(), Length(max=20000)])
    sources = TextAreaField(
        _l("Sources: one per line, “title | https://…”"), validators=[Optional(), Length(max=10000)]
    )
    visibility = SelectField(_l("Who may read it once published"), choices=choices(list(VISIBILITY_LABELS.items())))
    translation_of_id = SelectField(_l("Translation of (the same case study in the other language)"), choices=[])


class FileForm(PortalForm):
    title = StringField(_l("File title"), validators=[Optional(), Length(max=300)])
    file = FileField(
        _l("File (PDF, DOCX, XLSX, PPTX, PNG, JPEG; at most 10 MB)"),
        validators=[FileRequired(message=_l("Choose a file."))],
    )


class ReviewForm(PortalForm):
    comment = TextAreaField(_l("What should change"), validators=[Optional(), Length(max=2000)])

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class UploadForm(FlaskForm):
    file = FileField(
        _l("Completed return (.xlsx)"),
        validators=[FileRequired(message=_l("Choose the completed workbook to upload."))],
    )

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from ...forms import PortalForm
from ...services.xlsx import SPREADSHEET_MIMETYPES


class UploadForm(PortalForm):
    file = FileField(
        _l("Completed return (.xlsx or .ods)"),
        validators=[FileRequired(message=_l("Choose the completed workbook to upload."))],
        render_kw={"accept": ",".join([".xlsx", ".ods", *SPREADSHEET_MIMETYPES.values()])},
    )

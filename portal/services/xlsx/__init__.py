"""Writing spreadsheets: a streaming XLSX writer and the guard against formula injection."""

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"  # LibreOffice's own format, accepted as uploads
SPREADSHEET_MIMETYPES = {"xlsx": XLSX_MIMETYPE, "ods": ODS_MIMETYPE}

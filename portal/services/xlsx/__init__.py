"""Writing spreadsheets: a streaming XLSX writer and the guard against formula injection."""

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

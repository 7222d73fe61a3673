"""Writing spreadsheets: a streaming XLSX writer and the guard against formula injection."""

"""Council meetings, the briefs compiled for them, and a brief's outputs (HTML, PDF, XLSX)."""

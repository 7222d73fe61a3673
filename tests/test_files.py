"""Uploaded documents are capped at MAX_UPLOAD_MB, the same limit as the request's."""

import pytest

from portal.services import files
from portal.services.errors import ServiceError

MB = 1024 * 1024


def test_the_document_limit_is_max_upload_mb(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 12)
    assert files.sniff(b"%PDF-" + b"0" * (11 * MB), "eleven.pdf") == "pdf"
    with pytest.raises(ServiceError, match="larger than the limit of 12 MB"):
        files.sniff(b"%PDF-" + b"0" * (12 * MB), "twelve.pdf")
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    with pytest.raises(ServiceError, match="larger than the limit of 1 MB"):
        files.sniff(b"%PDF-" + b"0" * MB, "one.pdf")

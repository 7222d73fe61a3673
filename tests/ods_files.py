"""Helpers and fixtures for the .ods tests: LibreOffice's conversion of a filled template (kept
per session), the report of an upload as plain data, and rewriting the members of an .ods."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from sqlalchemy import func, select

from portal.models import ReturnVersion
from portal.services.returns.validate import validate_upload

from .conftest import soffice_converter

GOOD = {
    ("REP01", "Men"): 4,
    ("REP01", "Women"): 1,
    ("REP01", "Boys"): 3,
    ("REP01", "Girls"): 4,
    ("REP01", "Total"): 12,
    ("REP01O", "Syria"): 12,
    ("REP01O", "Total"): 12,
    ("REP06", "Total"): "EST 300",
    ("PRS04", "Total"): "NIL",
    ("COM02", "Value"): 45.5,
    ("CAP01", "Value"): "yes",
}


@pytest.fixture
def to_ods(tmp_path):
    """to_ods(xlsx bytes) -> the same workbook saved by LibreOffice as .ods (its own profile)."""
    return soffice_converter(tmp_path, "ods", "LibreOffice .ods conversion")


_CONVERTED: dict[tuple, bytes] = {}  # LibreOffice takes seconds per file: each value set is converted once


@pytest.fixture
def filled_ods(app, filled, to_ods):
    """filled_ods(values, notes=None) -> the filled KZ 2025 template saved as .ods by LibreOffice.
    The conversion is kept for the session: the signed identity depends on the secret key only."""

    def factory(values: dict, notes: dict | None = None) -> bytes:
        key = (app.config["SECRET_KEY"], repr(sorted(values.items())), repr(sorted((notes or {}).items())))
        if key not in _CONVERTED:
            _CONVERTED[key] = to_ods(filled(values, notes=notes))
        return _CONVERTED[key]

    return factory


def report_of(app, data: bytes):
    with app.test_request_context():
        report, ident = validate_upload(data, None)
        issues = [
            (i.level, i.rule, i.sheet, i.cell, i.indicator, i.column, i.as_dict("en")["message"]) for i in report.issues
        ]
        issues += [("ru", i.as_dict("ru")["message"]) for i in report.issues]
    cells = {key: (c.value.number, c.value.text, c.value.status, c.sheet, c.cell) for key, c in report.cells.items()}
    return {
        "issues": sorted(issues, key=repr),
        "cells": cells,
        "notes": report.notes,
        "completeness": report.completeness,
        "ident": (ident.country.iso2, ident.period.label, ident.template.version),
    }


def versions(db) -> int:
    return db.session.scalar(select(func.count(ReturnVersion.id)))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def odf_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An .ods the way LibreOffice writes one: `mimetype` first and stored, the rest compressed."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body, zipfile.ZIP_STORED if name == "mimetype" else compression)
    return out.getvalue()


def rezip(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The .ods with members replaced or added (name: bytes), or removed (name: None)."""
    parts = members(data)
    for name, body in changes.items():
        if body is None:
            parts.pop(name, None)
        else:
            parts[name] = body
    return odf_zip(parts)


@pytest.fixture
def template_ods(filled_ods):
    return filled_ods(GOOD)

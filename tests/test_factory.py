"""The conftest's `create_return` stores what an upload of the same figures stores, so the
tests that use it in place of the xlsx path test the same data."""

import pytest

from portal.services.returns.rules import apply_rules

from .conftest import cells_report

FIGURES = {
    ("REP01", "Women"): 10,
    ("REP01", "Boys"): 3,
    ("REP01", "Girls"): 2,
    ("REP01", "Total"): 20,
    ("REP01O", "Total"): 20,
    ("REP06", "Total"): "EST 300",
    ("COM08", "Total"): "CONF 2",
    ("CHL01", "Total"): 50,
    ("CHL02", "Total"): 40,
    ("REP02", "Total"): "N/AV",
    ("REP03", "Total"): "NIL",
}
NOTES = {"REP01": "source KZ"}


def _stored(version):
    values = sorted((v.indicator, v.breakdown, v.number, v.text, v.status, v.note) for v in version.values)
    return {
        "values": values,
        "warnings": version.warnings,
        "completeness": version.completeness,
        "withheld": version.withheld,
        "template": version.template_id,
        "number": version.number,
        "status": version.return_.status,
        "submitted": version.submitted_at is not None,
        "accepted": version.accepted_at is not None,
        "events": [e.action for e in sorted(version.return_.events, key=lambda e: e.id)],
    }


@pytest.mark.parametrize("status", ["draft", "submitted", "accepted", "returned"])
def test_create_return_stores_what_an_upload_stores(app, db, create_return, accepted_return, filled, status):
    from portal.services.returns import workflow
    from portal.services.returns.validate import validate_upload

    made = create_return("KZ", "2025", FIGURES, status=status, notes=NOTES)
    data = filled(FIGURES, NOTES, "KG")
    with app.test_request_context():
        report, ident = validate_upload(data, None)
        uploaded = workflow.store_version(report, ident, data, "x.xlsx", None, submit=status != "draft")
        if status == "accepted":
            workflow.accept_return(uploaded.return_, made.return_.events[-1].actor)
        elif status == "returned":
            workflow.send_back(uploaded.return_, made.return_.events[-1].actor, "Please check the figures.")
    db.session.commit()
    assert made.values and _stored(made) == _stored(uploaded)


def test_cells_report_parses_and_places_cells_as_the_reader(app, return_setup, filled):
    from portal.services.returns.validate import validate_upload

    with app.test_request_context():
        read, ident = validate_upload(filled(FIGURES, NOTES), None)
        template = ident.template
        made = cells_report(template, FIGURES, NOTES)
        apply_rules(template, made)
    assert made.cells and db_free(made) == db_free(read)


def db_free(report):
    return {
        "cells": {k: (c.value, c.sheet, c.cell, c.note) for k, c in report.cells.items()},
        "notes": report.notes,
        "positions": report.positions,
        "failed": report.failed,
        "issues": [i.as_dict("en") for i in report.issues],
    }

"""Correcting a return in the browser: GET/POST /returns/<id>/edit and entry.save_values.
The same checks as an upload (and identical versions for the same values), errors beside
their cells, a stale form refused, two saves at once both kept."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.models import Return, ReturnVersion, User
from portal.services import files
from portal.services.returns import workflow
from portal.services.returns.entry import differences, save_values
from portal.services.returns.validate import validate_upload

from .conftest import upload
from .entry_cases import as_entries, random_values

START = {("REP01", "Men"): 2, ("REP01", "Total"): 5, ("REP01O", "Total"): 5, ("CAP01", "Value"): "yes"}
START_NOTES = {"CAP01": "Programme 2018–2022"}


def _versions(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ReturnVersion))


def _latest(db) -> ReturnVersion:
    db.session.expire_all()
    return db.session.scalar(select(ReturnVersion).order_by(ReturnVersion.number.desc()).limit(1))


@pytest.fixture
def kz(create_return, login_as):
    """A KZ draft (version 1), and the browser signed in as a KZ focal point."""
    version = create_return("KZ", "2025", START, status="draft", notes=START_NOTES)
    login_as("focal_point", country="KZ")
    return version.return_


def _form(ret, **fields) -> dict:
    """What the browser posts: the form as the GET shows it, with `fields` changed."""
    data = {"base_version": str(ret.latest_version.number), "mode": "save"}
    data.update(fields)
    return data


def test_the_form_is_prefilled_from_the_latest_version(client, kz):
    page = client.get(f"/returns/{kz.id}/edit").get_data(as_text=True)
    assert 'name="base_version" value="1"' in page
    assert re.search(r'id="v-REP01-Men" name="v-REP01-Men"\s+value="2"', page)
    assert re.search(r'id="v-CAP01-Value" name="v-CAP01-Value"\s+value="yes"', page)
    assert ">Programme 2018–2022</textarea>" in page
    assert '<label class="visually-hidden" for="v-REP01-Girls">REP01 Girls</label>' in page
    assert 'id="v-REP01-Syria"' not in page  # a column REP01 does not have: grey, no input
    assert "N/A (not applicable)" in page and "EST 120" in page  # the status-code hint
    assert "count, in the period" in page  # the unit
    assert 'src="/static/js/entry.js"' in page


def test_save_makes_a_new_version_like_an_upload(client, db, kz):
    response = client.post(f"/returns/{kz.id}/edit", data=_form(kz, **{"v-REP01-Girls": "3", "n-REP01": "stage 5"}))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/returns/{kz.id}")
    version = _latest(db)
    assert (version.number, version.source, version.on_behalf) == (2, "form", False)
    stored = {(v.indicator, v.breakdown): (v.number, v.status, v.note) for v in version.values}
    assert stored[("REP01", "Girls")] == (3.0, None, "stage 5")
    assert stored[("REP01", "Men")] == (2.0, None, "stage 5")  # not sent: kept
    assert stored[("CAP01", "Value")] == (1.0, None, "Programme 2018–2022")
    page = client.get(f"/returns/{kz.id}").get_data(as_text=True)
    assert "Version 2 saved as a draft." in page
    assert f'href="/returns/{kz.id}/versions/2.xlsx"' in page and f'href="/returns/{kz.id}/edit"' in page


def test_a_browsers_line_breaks_are_kept_as_a_workbook_keeps_them(client, db, kz):
    response = client.post(f"/returns/{kz.id}/edit", data=_form(kz, **{"n-REP01": "line one\r\nline two"}))
    assert response.status_code == 302
    assert {v.note for v in _latest(db).values if v.indicator == "REP01"} == {"line one\nline two"}


def test_check_stores_nothing(client, db, kz):
    response = client.post(f"/returns/{kz.id}/edit", data=_form(kz, mode="check", **{"v-REP01-Girls": "3"}))
    assert response.status_code == 200
    assert "No errors: the values can be saved as a new version." in response.get_data(as_text=True)
    assert _versions(db) == 1


BAD = {
    "text in a count cell": ({"v-REP01-Men": "many"}, "v-REP01-Men", "“many” is not a number or a status code"),
    "a status code with a number": ({"v-REP01-Men": "NIL 4"}, "v-REP01-Men", "A status code and a number"),
    "parts above their total": ({"v-REP01-Men": "9"}, "v-REP01-Total", "The parts add up to 9, more than the Total 5."),
    "a decimal count": ({"v-REP01-Men": "2.5"}, "v-REP01-Men", "2.5 is not a whole number"),
    "a note too long": ({"n-REP01": "x" * 2001}, "n-REP01", "a note takes at most 2,000"),
}


@pytest.mark.parametrize("fields, name, message", BAD.values(), ids=BAD.keys())
def test_errors_beside_their_cell_typed_values_kept_nothing_stored(client, db, kz, fields, name, message):
    response = client.post(f"/returns/{kz.id}/edit", data=_form(kz, **fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    feedback = re.search(
        rf'<div class="invalid-feedback d-block" id="err-{name}" data-for="{name}">([^<]*)</div>', page
    )
    assert feedback and message in feedback.group(1), page[:3000]
    control = re.search(rf'<(?:input|textarea)[^>]*id="{name}"[^>]*>', page, re.S).group(0)
    assert 'aria-invalid="true"' in control and f"err-{name}" in control
    for field, value in fields.items():
        if field.startswith("v-"):
            assert f'value="{value}"' in page  # what was typed is kept
    assert _versions(db) == 1


@pytest.mark.parametrize(
    "field, message",
    [("v-REP01-Syria", "Indicator REP01 has no “Syria” column"), ("v-XYZ99-Total", "There is no indicator “XYZ99”")],
)
def test_a_value_for_a_locked_or_unknown_cell_is_refused(client, db, kz, field, message):
    response = client.post(f"/returns/{kz.id}/edit", data=_form(kz, **{field: "4"}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _versions(db) == 1


def test_warnings_are_listed_and_do_not_block(client, db, kz):
    response = client.post(f"/returns/{kz.id}/edit", data=_form(kz, mode="check", **{"n-CAP01": ""}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Answered yes: give the title or name in the note." in page and 'href="#v-CAP01-Value"' in page


def test_stale_form_is_409_naming_what_changed(app, client, db, kz, create_user):
    colleague = create_user("focal_point", country="KZ", name="Dana Colleague")
    with app.test_request_context():
        save_values(
            kz, colleague, [{"indicator": "REP01", "breakdown": "Women", "value": 3}], base_version=1, dry_run=False
        )
    db.session.commit()
    response = client.post(f"/returns/{kz.id}/edit", data={"base_version": "1", "mode": "save", "v-REP01-Boys": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "version 2 was saved by Dana Colleague" in page and "REP01 Women" in page
    assert 'name="v-REP01-Boys"\n               value="1"' in page or re.search(
        r'id="v-REP01-Boys" name="v-REP01-Boys"\s+value="1"', page
    )
    assert _versions(db) == 2


def test_a_form_without_its_version_number_is_refused(client, db, kz):
    response = client.post(f"/returns/{kz.id}/edit", data={"mode": "save", "v-REP01-Boys": "1"})
    assert response.status_code == 400
    assert "base_version" in response.get_data(as_text=True)
    assert _versions(db) == 1


def test_missing_csrf_token_is_400(app, client, db, kz):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/returns/{kz.id}/edit", data=_form(kz, **{"v-REP01-Girls": "3"}))
    assert response.status_code == 400
    assert "The form has expired or did not come from this portal" in response.get_data(as_text=True)
    assert _versions(db) == 1


def test_the_secretariat_corrects_on_the_countrys_behalf(client, db, create_return, login_as):
    ret = create_return("KZ", "2025", START, status="submitted").return_
    login_as("secretariat")
    assert client.post(f"/returns/{ret.id}/edit", data=_form(ret, **{"v-REP01-Women": "1"})).status_code == 302
    version = _latest(db)
    assert (version.number, version.on_behalf, version.source, version.return_.status) == (2, True, "form", "draft")


@pytest.mark.parametrize("role, country", [("delegate", None), ("focal_point", "KG")])
def test_others_get_404(client, db, create_return, login_as, role, country):
    ret = create_return("KZ", "2025", START, status="accepted").return_
    login_as(role, country=country)
    assert client.get(f"/returns/{ret.id}/edit").status_code == 404
    assert client.post(f"/returns/{ret.id}/edit", data=_form(ret)).status_code == 404
    assert _versions(db) == 1


def test_a_closed_period_is_refused_as_an_upload(client, db, create_return, login_as):
    ret = create_return("KZ", "2024", START, status="draft").return_
    login_as("focal_point", country="KZ")
    response = client.get(f"/returns/{ret.id}/edit")
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)
    assert client.post(f"/returns/{ret.id}/edit", data=_form(ret)).status_code == 409
    assert _versions(db) == 1


def test_the_json_check_as_one_types(client, db, kz):
    response = client.post(f"/returns/{kz.id}/edit?format=json", data=_form(kz, **{"v-REP01-Men": "9"}))
    assert response.status_code == 422
    assert [(e["indicator"], e["breakdown"]) for e in response.json["errors"]] == [("REP01", "Total")]
    ok = client.post(f"/returns/{kz.id}/edit?format=json", data=_form(kz, **{"v-REP01-Men": "1"}))
    assert ok.status_code == 200 and ok.json["errors"] == []
    assert _versions(db) == 1


def test_version_workbook_page_route(client, db, kz):
    response = client.get(f"/returns/{kz.id}/versions/1.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("PRR-return_KZ_2025_version1.xlsx")
    assert client.get(f"/returns/{kz.id}/versions/7.xlsx").status_code == 404


def _rows(version) -> dict:
    return {
        "values": sorted((v.indicator, v.breakdown, v.number, v.text, v.status, v.note) for v in version.values),
        "warnings": version.warnings,
        "completeness": version.completeness,
        "withheld": version.withheld,
    }


@pytest.mark.parametrize("seed", range(10))
def test_the_form_and_an_upload_give_identical_versions(app, db, create_return, create_user, filled, seed):
    """Property-style: random valid value sets of every unit, status codes and notes."""
    template = create_return("KZ", "2025", {}, status="draft").template
    focal = create_user("focal_point", country="KZ")
    with app.test_request_context():
        before, before_notes = random_values(template, 1000 + seed)  # what the form starts from
        values, notes = random_values(template, seed)
        ret = db.session.scalar(select(Return))
        workflow.store_version(*_report(app, filled(before, before_notes)), "b.xlsx", focal)
        db.session.flush()
        db.session.expire_all()
        ret = db.session.scalar(select(Return))
        by_form = save_values(ret, focal, as_entries(values, notes, template), base_version=2, dry_run=False).version
        assert by_form is not None
        data = filled(values, notes)
        report, ident = validate_upload(data, focal)
        by_upload = workflow.store_version(report, ident, data, "u.xlsx", focal)
        db.session.flush()
    assert (by_form.number, by_upload.number) == (3, 4)
    assert _rows(by_form) == _rows(by_upload)
    assert workflow.diff_versions(by_form, by_upload) == []


def _report(app, data):
    report, ident = validate_upload(data, None)
    return report, ident, data


def test_the_form_saves_a_workbook_that_reads_back_the_same(app, db, kz):
    focal = db.session.scalar(select(User).where(User.role == "focal_point"))
    with app.test_request_context():
        entries = [
            {"indicator": "REP06", "breakdown": "Total", "value": "EST 300"},
            {"indicator": "REP06", "note": "=camp lists"},
        ]
        version = save_values(kz, focal, entries, base_version=1, dry_run=False).version
        db.session.flush()
        report, ident = validate_upload(files.read(version.stored_path), focal)
    assert report.ok and ident.country.iso2 == "KZ"
    assert differences(version, report) == []


def test_a_form_save_uploaded_again_is_a_dry_run_without_differences(app, client, db, kz):
    assert client.post(f"/returns/{kz.id}/edit", data=_form(kz, **{"v-REP01-Girls": "3"})).status_code == 302
    workbook = client.get(f"/returns/{kz.id}/versions/2.xlsx").data
    assert upload(client, workbook, mode="check").status_code == 200
    with app.test_request_context():
        report, _ident = validate_upload(workbook, None)
    assert differences(_latest(db), report) == []


@pytest.mark.committing
def test_the_same_correction_saved_twice_at_once(app, db, create_return, create_user):
    from .conftest import run_concurrently

    ret_id = create_return("KZ", "2025", START, status="draft").return_id
    user_id = create_user("focal_point", country="KZ").id
    entries = [{"indicator": "REP01", "breakdown": "Girls", "value": "3"}]

    def save(session):
        save_values(session.get(Return, ret_id), session.get(User, user_id), entries, base_version=None, dry_run=False)

    assert run_concurrently(app, save, 2) == []
    db.session.expire_all()
    versions = db.session.scalars(select(ReturnVersion).order_by(ReturnVersion.number)).all()
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.source for v in versions] == ["web", "form", "form"]
    assert workflow.diff_versions(versions[1], versions[2]) == []


@pytest.mark.committing
@pytest.mark.parametrize("base", [1, None], ids=["opened-on-version-1", "no-base-version"])
def test_two_different_corrections_at_once_lose_nothing(app, db, create_return, create_user, base):
    """Opened on the same version: one is stored, the other is a stale form (409), as if it had
    come second. Without a base version (the API's "values not sent keep their content"), the
    second is applied over the first: both cells are in the last version."""
    from .conftest import run_concurrently

    ret_id = create_return("KZ", "2025", START, status="draft").return_id
    user_id = create_user("focal_point", country="KZ").id
    db.session.commit()
    cells = iter([("Women", "1"), ("Boys", "2")])

    def save(session):
        column, value = next(cells)
        save_values(
            session.get(Return, ret_id),
            session.get(User, user_id),
            [{"indicator": "REP01", "breakdown": column, "value": value}],
            base_version=base,
            dry_run=False,
        )

    errors = run_concurrently(app, save, 2)
    db.session.expire_all()
    versions = db.session.scalars(select(ReturnVersion).order_by(ReturnVersion.number)).all()
    last = workflow.values_of(versions[-1])
    if base is None:
        assert errors == []
        assert [v.number for v in versions] == [1, 2, 3]
        assert (last[("REP01", "Women")].number, last[("REP01", "Boys")].number) == (1.0, 2.0)
    else:
        assert len(errors) == 1 and "StaleForm" in errors[0]
        assert [v.number for v in versions] == [1, 2]
        assert [key for key in (("REP01", "Women"), ("REP01", "Boys")) if key in last] != []

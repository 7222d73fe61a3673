"""The upload guard's bounds on shared strings, cells and member names; notes over the limit;
"check only" files that expire after 24 hours. Real crafted workbooks (tests/hostile.py)."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.models import JobRun, PendingUpload, ReturnValue, ReturnVersion
from portal.services.jobs import outcomes, runner
from portal.services.jobs.registry import JOBS
from portal.services.returns import guard, pending
from portal.services.returns.validate import validate_upload

from . import hostile
from .conftest import upload


def _versions(db) -> int:
    return db.session.scalar(select(func.count(ReturnVersion.id)))


CRAFTED = {
    # 90 MB of strings in a ~3 MB upload: under the zip-bomb ratio, refused by the text-table size
    "90 MB shared strings": (
        lambda: hostile.big_shared_strings(90),
        "text table (xl/sharedStrings.xml) would unpack to",
    ),
    "just over 8 MiB shared strings": (lambda: hostile.big_shared_strings(9), "far more than the PRR return needs"),
    "2 million shared strings": (lambda: hostile.many_shared_strings(2_000_000), "would unpack to"),
    "20,001 shared strings": (lambda: hostile.many_shared_strings(20_001), "holds 20,001 different texts"),
    "uniqueCount lies low": (lambda: hostile.many_shared_strings(25_000, declared=1), "holds 25,000 different texts"),
    "uniqueCount says too many": (
        lambda: hostile.many_shared_strings(10, declared=10**9),
        "holds 1,000,000,000 different texts",
    ),
    "250k cells over 5 sheets": (lambda: hostile.many_cells(5, 50_000), "more than 200,000 cells"),
    # a member that says it is 1,000 bytes and inflates to 20 MB: stopped at 1,000, the CRC fails
    "shared strings lying about their size": (
        lambda: hostile.lying_size(hostile.big_shared_strings(20), "xl/sharedStrings.xml"),
        "damaged (xl/sharedStrings.xml cannot be read)",
    ),
    "sheet lying about its size": (
        lambda: hostile.lying_size(hostile.many_cells(5, 50_000), "xl/worksheets/sheet1.xml"),
        "damaged (xl/worksheets/sheet1.xml cannot be read)",
    ),
    "member ../": (lambda: hostile.unsafe_member("../../../tmp/evil.xml"), "unsafe name (../../../tmp/evil.xml)"),
    "member xl/../x": (lambda: hostile.unsafe_member("xl/../../x.xml"), "unsafe name"),
    "absolute member": (lambda: hostile.unsafe_member("/etc/cron.d/evil"), "unsafe name (/etc/cron.d/evil)"),
    "drive letter": (lambda: hostile.unsafe_member("C:/Windows/evil.xml"), "unsafe name (C:/Windows/evil.xml)"),
    "backslash": (lambda: hostile.unsafe_member("xl\\worksheets\\evil.xml"), "unsafe name"),
    # the duplicate is found in one pass (it was one pass per name: 1.5 s here, minutes at 10 MB)
    "10,000 parts and a duplicate": (lambda: hostile.many_members(10_000), "damaged (x/0.xml cannot be read)"),
    "a mimetype part of 120 MB": (lambda: hostile.mimetype_bomb(120), "would unpack to"),
}


@pytest.mark.parametrize("kind", list(CRAFTED))
def test_crafted_workbooks_are_refused_with_a_clear_400(client, db, login_as, return_setup, kind):
    make, message = CRAFTED[kind]
    login_as("focal_point", country="KZ")
    response = upload(client, make(), mode="save")
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:500]
    assert message in page.replace("&#39;", "'")
    assert _versions(db) == 0


IN_THE_TEMPLATE = {
    # the portal's own signed template with one hostile part: accepted before the guard had these limits
    "text table of 9 MB": (lambda t: hostile.with_shared_strings(t, padding_mb=9), "would unpack to 9."),
    "20,000 extra strings": (lambda t: hostile.with_shared_strings(t, padding_count=20_000), "different texts"),
    "25,000 extra cells on each of 9 sheets": (
        lambda t: hostile.with_extra_cells(t, 25_000),
        "more than 200,000 cells",
    ),
    "member ../": (lambda t: hostile.with_member(t, "../../../tmp/evil.xml"), "unsafe name (../../../tmp/evil.xml)"),
    "member with a backslash": (lambda t: hostile.with_member(t, "xl\\..\\evil.xml"), "unsafe name"),
    "two members of one name": (
        lambda t: hostile.duplicate_member(
            hostile.with_shared_strings(t), "xl/sharedStrings.xml", hostile.SST % (b"", hostile._padding_strings(9))
        ),
        "damaged (xl/sharedStrings.xml cannot be read)",
    ),
}


@pytest.mark.parametrize("kind", list(IN_THE_TEMPLATE))
def test_hostile_parts_in_a_real_template_are_refused(client, db, login_as, make_template, kind):
    make, message = IN_THE_TEMPLATE[kind]
    login_as("focal_point", country="KZ")
    response = upload(client, make(make_template()), mode="check")
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:300]
    assert message in page
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0  # nothing kept


@pytest.mark.parametrize("kind", ["90 MB shared strings", "2 million shared strings", "250k cells over 5 sheets"])
def test_crafted_workbooks_are_refused_quickly(app, kind):
    data = CRAFTED[kind][0]()
    started = time.perf_counter()
    with pytest.raises(guard.UploadRejected):
        guard.check_upload(data)
    assert time.perf_counter() - started < 1.0


def test_a_huge_part_is_refused_without_reading_it(app):
    """The guard looks at the first bytes of `mimetype` only: a 120 MB part costs no memory."""
    import tracemalloc

    data = hostile.mimetype_bomb(120)
    tracemalloc.start()
    with pytest.raises(guard.UploadRejected):
        guard.check_upload(data)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * 1024 * 1024, peak


def test_limits_leave_a_real_return_far_below(app, filled):
    """A full return saved the way Excel does (shared strings) passes with room to spare."""
    import zipfile
    from io import BytesIO

    data = hostile.with_shared_strings(filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}, {"REP01": "ж" * 2000}))
    zf = zipfile.ZipFile(BytesIO(data))
    strings = zf.read("xl/sharedStrings.xml")
    cells = sum(len(guard.CELL_TAG.findall(zf.read(n))) for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    assert len(strings) * 10 < guard.MAX_SHARED_STRINGS_BYTES
    assert len(guard.STRING_TAG.findall(strings)) * 10 < guard.MAX_SHARED_STRINGS
    assert cells * 100 < guard.MAX_CELLS
    guard.check_upload(data)


def test_a_workbook_with_shared_strings_is_read_as_before(client, db, login_as, filled):
    login_as("focal_point", country="KZ")
    data = hostile.with_shared_strings(
        filled({("REP01", "Total"): "CONF 3", ("REP01O", "Total"): 3}, {"REP01": "from Excel"})
    )
    import zipfile
    from io import BytesIO

    zf = zipfile.ZipFile(BytesIO(data))
    assert b"from Excel" in zf.read("xl/sharedStrings.xml") and b"inlineStr" not in zf.read("xl/worksheets/sheet3.xml")
    response = upload(client, data, mode="save")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    stored = {(v.indicator, v.breakdown): (v.number, v.status, v.note) for v in db.session.scalars(select(ReturnValue))}
    assert stored[("REP01", "Total")] == (3.0, "CONF", "from Excel")


@pytest.mark.parametrize("length, shared", [(2001, False), (1_000_000, False), (5_000_000, True)])
def test_a_note_over_the_limit_is_a_cell_error_not_a_cut(app, client, db, login_as, filled, length, shared):
    login_as("focal_point", country="KZ")
    data = filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}, {"REP01": "n" * length})
    if shared:  # 5 MB inline would exceed the sheet limit; Excel keeps it in the text table
        data = hostile.with_shared_strings(data)
    with app.test_request_context():
        report, _ident = validate_upload(data, None)
    [error] = report.errors
    assert (error.rule, error.sheet, error.indicator, error.column) == ("NOTE", "A Repatriation", "REP01", "Notes")
    assert re.fullmatch(r"[A-Z]+5", error.cell)
    shown = f"{length:,}" if length < 32767 else "32,767+"  # calamine reads at most Excel's 32,767
    assert f"The note has {shown} characters; a note takes at most 2,000." in error.as_dict("en")["message"]
    response = upload(client, data, mode="save")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"&#39;A Repatriation&#39;!{error.cell}" in page and "a note takes at most 2,000" in page
    assert _versions(db) == 0


def test_a_note_of_exactly_2000_characters_is_kept_whole(client, db, login_as, filled):
    login_as("focal_point", country="KZ")
    response = upload(
        client, filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}, {"REP01": "n" * 2000}), mode="save"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(ReturnValue.note).where(ReturnValue.indicator == "REP01")) == "n" * 2000


# --- "check only" files expire after 24 hours ---------------------------------------------


def _age(db, token: str, hours: float) -> None:
    db.session.get(PendingUpload, token).created_at = datetime.now(UTC) - timedelta(hours=hours)
    db.session.commit()


def _pending(db) -> set[str]:
    return set(db.session.scalars(select(PendingUpload.token)))


def test_check_only_files_expire_after_24_hours(app, db, client, login_as, filled):
    user = login_as("focal_point", country="KZ")
    response = upload(client, filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}), mode="check")
    token = re.search(r'/returns/pending/([0-9a-f]{32})"', response.get_data(as_text=True)).group(1)
    old = pending.keep(b"PK old", "old.xlsx", user.id)
    db.session.commit()
    _age(db, old, 25)
    _age(db, token, 23)

    with pytest.raises(Exception, match="unknown upload"):
        pending.load(old, user.id)  # older than 24 h: no longer handed out

    run = runner.run(JOBS["pending_uploads"], datetime.now(UTC))
    assert run.outcome == "ok" and outcomes.describe(run.detail) == "1 removed, 1 kept"
    assert _pending(db) == {token}
    assert (
        client.post(f"/returns/pending/{token}", data={"mode": "save"}).status_code == 302
    )  # the young one still works
    assert _pending(db) == set()  # and is gone with the version it became

    assert runner.run(JOBS["pending_uploads"], datetime.now(UTC)) is None  # once per hourly slot
    later = datetime.now(UTC) + timedelta(hours=2)
    assert runner.run(JOBS["pending_uploads"], later).outcome == "ok"
    slots = list(db.session.scalars(select(JobRun.slot).where(JobRun.job == "pending_uploads")))
    assert len(slots) == 2 and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d", s) for s in slots)


def test_the_expiry_job_is_scheduled_hourly(app):
    from portal.services.jobs.scheduler import build

    job = build(app).get_job("pending_uploads")
    assert str(job.trigger) == "cron[minute='20']"  # every hour at :20 (UTC)


@pytest.mark.parametrize("kind", ["member ../", "20,001 shared strings", "250k cells over 5 sheets"])
def test_the_api_refuses_crafted_workbooks_with_a_400(client, db, create_user, return_setup, kind):
    from io import BytesIO

    user = create_user("focal_point", country="KZ")
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": "correct-horse-battery"})
    make, message = CRAFTED[kind]
    response = client.post(
        "/api/v1/returns",
        headers={"Authorization": f"Bearer {token.json['token']}"},
        content_type="multipart/form-data",
        data={"file": (BytesIO(make()), "return.xlsx")},
    )
    assert response.status_code == 400 and message in response.json["error"]["message"]
    assert _versions(db) == 0


def test_the_api_reports_a_long_note_by_cell(client, db, create_user, filled):
    from io import BytesIO

    user = create_user("focal_point", country="KZ")
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": "correct-horse-battery"})
    data = filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}, {"REP01": "n" * 2001})
    response = client.post(
        "/api/v1/returns",
        headers={"Authorization": f"Bearer {token.json['token']}"},
        content_type="multipart/form-data",
        data={"file": (BytesIO(data), "return.xlsx")},
    )
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert (error["sheet"], error["indicator"], error["column"], error["rule"]) == (
        "A Repatriation",
        "REP01",
        "Notes",
        "NOTE",
    )
    assert error["message"].startswith("The note has 2,001 characters")

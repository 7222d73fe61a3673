"""The per-process caches (services/returns/template_cache.py): a loaded template version is
read from the database once per process; periods and countries are read as small rows each
time, so a new one counts at once."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal.extensions import db as _db
from portal.models import Country, Region, ReportingPeriod, ReturnTemplate
from portal.services.compare.selection import make_selection
from portal.services.returns import template_cache, validate
from portal.services.returns.guard import check_upload
from portal.services.returns.reader import open_workbook, read_meta

from .factories import add_period_after_latest

TEMPLATE_TABLES = ("template_section", "template_indicator", "template_rule")


@contextmanager
def statements():
    """The SQL statements run inside the block."""
    seen: list[str] = []
    bind = _db.session.get_bind()
    engine = getattr(bind, "engine", bind)

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _reads_template(seen: list[str]) -> list[str]:
    return [s for s in seen if any(t in s for t in TEMPLATE_TABLES)]


@pytest.fixture(autouse=True)
def empty_cache():
    template_cache.clear()
    yield
    template_cache.clear()


def test_a_loaded_template_version_is_never_read_again(db, return_setup):
    with statements() as first:
        make_selection(indicators=["REP01"], periods=["2024", "2025"])
    assert _reads_template(first)  # the first request of the process loads it
    for _ in range(3):
        with statements() as later:
            selection = make_selection(indicators=["REP01", "CHL01"], periods=["2025"])
        assert _reads_template(later) == []
        assert len(later) == 2  # the periods' rows and the countries' rows, nothing more
    assert selection.templates[0].indicator("CHL01").label("ru")  # the whole definition is there


def test_the_cached_copy_belongs_to_no_session(db, return_setup):
    template = make_selection(indicators=["REP01"]).templates[0]
    assert template not in db.session
    db.session.commit()  # a commit expires what a session holds, not the cache
    db.session.expunge_all()
    assert template.indicator("REP01").maximum() == template.unit_max["count"]
    assert [r.rule_id for r in template.rules][:2] == ["R1", "R2"]


def test_a_new_period_counts_at_once(db, return_setup):
    make_selection(indicators=["REP01"])  # cached
    latest, _period = add_period_after_latest(db)
    selection = make_selection(indicators=["REP01"])  # the latest period by default
    assert selection.periods == ["2099"]
    assert make_selection(indicators=["REP01"], periods=["2099", latest.label]).periods == [latest.label, "2099"]


def test_a_new_country_counts_at_once(db, return_setup):
    before = make_selection(indicators=["REP01"]).countries
    region = db.session.scalar(select(Region).order_by(Region.position))
    db.session.add(
        Country(iso2="XK", iso3="XKX", name_en="Testland", name_ru="Тестландия", region=region, membership="partner")
    )
    db.session.flush()
    after = make_selection(indicators=["REP01"]).countries
    assert set(after) - set(before) == {"XK"}
    assert make_selection(indicators=["REP01"], countries=["XK"]).countries == ["XK"]


def test_a_version_loaded_again_under_the_same_id_is_read_again(db, return_setup):
    """A restored database, or a test that rolled back, may give an id to another definition:
    the key holds when the version was loaded, so the cache never serves the old one."""
    make_selection(indicators=["REP01"])
    row = db.session.scalar(select(ReturnTemplate).order_by(ReturnTemplate.version.desc()))
    row.loaded_at = row.loaded_at + timedelta(seconds=1)
    row.title_en = "Reloaded"
    db.session.flush()
    with statements() as seen:
        template = template_cache.latest()
    assert _reads_template(seen) and template.title_en == "Reloaded"


def test_uploads_identify_their_template_from_the_cache(db, return_setup, make_template):
    workbook = make_template("KZ", "2025")
    checked = check_upload(workbook)
    meta = read_meta(checked, open_workbook(checked))
    first = validate.identify(meta, None).template
    with statements() as seen:
        again = validate.identify(meta, None).template
    assert again is first and _reads_template(seen) == []
    assert again.version == db.session.scalar(
        select(ReturnTemplate.version).join(ReportingPeriod).where(ReportingPeriod.label == "2025")
    )

"""The review grid (GET /review/<id>, services/returns/grid.py): the previous period's accepted
value and the change, warnings with their notes, query states, the three filters, the
secretariat-only rule, and a fixed number of SQL statements however many values a return has."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from portal.extensions import db as _db
from portal.services.errors import ServiceError
from portal.services.returns import grid as grid_service
from portal.services.returns import queries

SEX_AGE = ("Men", "Women", "Boys", "Girls", "Total")
# sex × age flow indicators no rule ties to another indicator: any consistent figures pass
FREE = ("REP02", "REP08", "PRS01", "PRS06", "COM01", "COM04", "COM05", "COM07")


def full(codes, base: int = 1) -> dict:
    """Each indicator's four parts = base and its Total = 4 × base."""
    values = {}
    for code in codes:
        for column in SEX_AGE[:-1]:
            values[(code, column)] = base
        values[(code, "Total")] = 4 * base
    return values


def cells(grid) -> dict:
    return {(c.indicator, c.column): c for s in grid.sections for r in s.rows for c in r.cells}


def rows(grid) -> list[str]:
    return [r.code for s in grid.sections for r in s.rows]


def cell_html(page: str, indicator: str, column: str) -> str:
    """The markup of one cell of a grid or return page: from its element's tag (the one with
    the cell's anchor id) to the next cell's, or to the end of the table cell."""
    start = page.rindex("<", 0, page.index(f' id="cell-{indicator}-{column}"'))
    after = page.find(' id="cell-', page.index(">", start))
    ends = [page.find("</td>", start)] + ([page.rindex("<", 0, after)] if after != -1 else [])
    return page[start : min(e for e in ends if e != -1)]


# -- the service ------------------------------------------------------------------------------


def test_previous_value_and_change(app, create_return):
    create_return("KZ", "2023", {("REP06", "Total"): 7, ("REP07", "Value"): 1})
    create_return("KZ", "2024", {("REP06", "Total"): 10, ("REP07", "Value"): 0, ("REP02", "Total"): "NIL"})
    version = create_return(
        "KZ",
        "2025",
        {("REP06", "Total"): 12, ("REP07", "Value"): 5, ("REP02", "Total"): 3, ("REP08", "Total"): 2},
        status="submitted",
    )
    with app.test_request_context():
        grid = grid_service.review_grid(version.return_)
    assert (grid.previous_period.label, grid.previous.number) == ("2024", 1)
    by_cell = cells(grid)
    assert (by_cell["REP06", "Total"].previous_number, by_cell["REP06", "Total"].change) == (10.0, 2.0)
    assert by_cell["REP06", "Total"].change_pct == pytest.approx(20.0)
    # a zero previous value: the absolute change, but no percentage
    assert (by_cell["REP07", "Value"].change, by_cell["REP07", "Value"].change_pct) == (5.0, None)
    # NIL counts as zero
    assert (by_cell["REP02", "Total"].previous_number, by_cell["REP02", "Total"].change) == (0.0, 3.0)
    # nothing before: nothing to compute
    assert (by_cell["REP08", "Total"].previous, by_cell["REP08", "Total"].change) == (None, None)
    assert by_cell["REP08", "Total"].change_pct is None


def test_previous_period_is_the_latest_earlier_with_an_accepted_version(app, create_return):
    create_return("KZ", "2023", {("REP06", "Total"): 7})
    create_return("KZ", "2024", {("REP06", "Total"): 9}, status="submitted")  # not accepted
    create_return("KG", "2024", {("REP06", "Total"): 100})  # another country
    version = create_return("KZ", "2025", {("REP06", "Total"): 8}, status="submitted")
    with app.test_request_context():
        grid = grid_service.review_grid(version.return_)
    assert grid.previous_period.label == "2023"
    assert cells(grid)["REP06", "Total"].previous_number == 7.0


def test_no_previous_period(app, create_return):
    version = create_return("KZ", "2023", {("REP06", "Total"): 7}, status="submitted")
    with app.test_request_context():
        grid = grid_service.review_grid(version.return_)
    assert grid.previous is None and cells(grid)["REP06", "Total"].change is None


def test_warnings_and_notes(app, create_return):
    create_return("KZ", "2024", {("REP06", "Total"): 10})
    version = create_return(
        "KZ",
        "2025",
        {("REP06", "Total"): 40, ("PRS02", "Total"): 1, ("PRS03", "Total"): 2, ("CAP01", "Value"): "yes"},
        notes={"REP06": "A new prison census."},
        status="submitted",
    )
    with app.test_request_context():
        grid = grid_service.review_grid(version.return_)
    by_cell = cells(grid)
    [r11] = by_cell["REP06", "Total"].warnings
    assert (r11["rule"], r11["explained"]) == ("R11", True)
    assert "+300%" in r11["message"]["en"]
    by_row = {r.code: r for s in grid.sections for r in s.rows}
    assert by_row["REP06"].note == "A new prison census."
    assert [w["rule"] for w in by_cell["PRS03", "Total"].warnings] == ["R5"]
    assert [(w["rule"], w["explained"]) for w in by_row["CAP01"].warnings] == [("R12", False)]
    assert by_cell["REP06", "Men"].warnings == [] and not by_cell["REP06", "Men"].flagged


def test_flagged_filter(app, create_return):
    version = create_return(
        "KZ", "2025", {("PRS02", "Total"): 1, ("PRS03", "Total"): 2, ("REP02", "Total"): 5}, status="submitted"
    )
    with app.test_request_context():
        grid = grid_service.review_grid(version.return_, filters=["flagged"])
    assert rows(grid) == ["PRS03"]
    assert grid.counts["flagged"] == 1 and grid.filters == ("flagged",)


def test_changed_filter(app, create_return):
    create_return("KZ", "2025", {("REP02", "Total"): 5, ("REP08", "Total"): 2})
    version = create_return(
        "KZ", "2025", {("REP02", "Total"): 6, ("REP08", "Total"): 2, ("PRS01", "Total"): 1}, status="submitted"
    )
    with app.test_request_context():
        grid = grid_service.review_grid(version.return_, filters=["changed"])
    assert grid.accepted.number == 1 and grid.version.number == 2
    assert rows(grid) == ["REP02", "PRS01"]
    by_cell = cells(grid)
    assert by_cell["REP02", "Total"].accepted_value.number == 5.0
    assert by_cell["PRS01", "Total"].accepted_value is None  # new since the accepted version
    assert grid.counts["changed"] == 2


def test_changed_counts_a_changed_note(app, create_return):
    create_return("KZ", "2025", {("REP02", "Total"): 5})
    version = create_return(
        "KZ", "2025", {("REP02", "Total"): 5}, notes={"REP02": "From the ministry."}, status="submitted"
    )
    with app.test_request_context():
        grid = grid_service.review_grid(version.return_, filters=["changed"])
    assert rows(grid) == ["REP02"]


def test_without_an_accepted_version_every_reported_value_is_new(app, create_return):
    version = create_return("KZ", "2025", {("REP02", "Total"): 5}, status="submitted")
    with app.test_request_context():
        grid = grid_service.review_grid(version.return_, filters=["changed"])
    assert grid.accepted is None and rows(grid) == ["REP02"] and grid.counts["changed"] == 1


def test_queried_filter_and_query_state(app, create_return, create_user):
    staff = create_user("secretariat")
    version = create_return("KZ", "2025", {("REP02", "Total"): 5, ("REP08", "Total"): 2}, status="submitted")
    ret = version.return_
    with app.test_request_context():
        asked = queries.open_query(ret, staff, "REP02", "Girls", "Where are the girls?")
        done = queries.open_query(ret, staff, "REP08", "Total", "Is 2 right?")
        queries.resolve(done, staff)
        grid = grid_service.review_grid(ret, filters=["queried"])
    assert rows(grid) == ["REP02"]
    by_cell = cells(grid)
    assert (by_cell["REP02", "Girls"].query.id, by_cell["REP02", "Girls"].queried) == (asked.id, True)
    assert by_cell["REP02", "Total"].query is None
    assert grid.counts["queried"] == 1
    assert [q.id for q in grid.awaiting] == [asked.id]  # what goes with a return for correction


def test_filters_combine(app, create_return, create_user):
    staff = create_user("secretariat")
    version = create_return(
        "KZ", "2025", {("PRS02", "Total"): 1, ("PRS03", "Total"): 2, ("REP02", "Total"): 5}, status="submitted"
    )
    with app.test_request_context():
        queries.open_query(version.return_, staff, "REP02", "Total", "Five?")
        both = grid_service.review_grid(version.return_, filters=["queried", "flagged"])
        flagged_and_changed = grid_service.review_grid(version.return_, filters=["flagged", "changed"])
    assert rows(both) == []
    assert rows(flagged_and_changed) == ["PRS03"]


def test_an_unknown_filter_is_refused(app, create_return):
    version = create_return("KZ", "2025", {("REP02", "Total"): 5}, status="submitted")
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        grid_service.review_grid(version.return_, filters=["nonsense"])
    assert (refused.value.status, refused.value.field) == (400, "filter")
    assert "nonsense" in refused.value.message


# -- the page -----------------------------------------------------------------------------------


def test_grid_page(client, login_as, create_return):
    create_return("KZ", "2024", {("REP06", "Total"): 1000, ("REP07", "Value"): 0})
    version = create_return(
        "KZ",
        "2025",
        {("REP06", "Total"): 1500, ("REP07", "Value"): 3, ("REP02", "Total"): "CONF 12", ("REP08", "Total"): "EST 120"},
        notes={"REP06": "Counted on 31 December."},
        status="submitted",
    )
    login_as("secretariat")
    response = client.get(f"/review/{version.return_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rep06 = cell_html(page, "REP06", "Total")
    assert "1,500" in rep06 and "1,000" in rep06 and "+500" in rep06 and "+50\u00a0%" in rep06
    rep07 = cell_html(page, "REP07", "Value")
    assert '<span data-testid="change">+3</span>' in rep07 and '<span data-testid="change-pct">—</span>' in rep07
    assert "CONF 12" in cell_html(page, "REP02", "Total")  # the secretariat sees the number
    assert "EST 120" in cell_html(page, "REP08", "Total")
    assert "Counted on 31 December." in page
    assert 'data-testid="changed"' not in page  # nothing accepted yet: no badge on every value
    # each value is a link to a new query on its cell
    assert f'href="/review/{version.return_id}/queries/new?indicator=REP06&amp;breakdown=Total"' in rep06
    # the review forms are here
    assert f'action="/review/{version.return_id}/accept"' in page
    assert f'action="/review/{version.return_id}/return"' in page


def test_grid_page_in_russian(client, login_as, create_return):
    create_return("KZ", "2024", {("REP06", "Total"): 1000})
    version = create_return("KZ", "2025", {("REP06", "Total"): 1500}, status="submitted")
    login_as("secretariat", language="ru")
    page = client.get(f"/review/{version.return_id}").get_data(as_text=True)
    rep06 = cell_html(page, "REP06", "Total")
    assert "1\u00a0500" in rep06 and "+50\u00a0%" in rep06
    assert "Вернуть на доработку" in page


def test_grid_page_warnings_with_notes(client, login_as, create_return):
    create_return("KZ", "2024", {("REP06", "Total"): 10})
    version = create_return(
        "KZ", "2025", {("REP06", "Total"): 40}, notes={"REP06": "A new prison census."}, status="submitted"
    )
    login_as("secretariat")
    page = client.get(f"/review/{version.return_id}").get_data(as_text=True)
    assert "R11" in cell_html(page, "REP06", "Total")
    row = page[page.index('data-indicator="REP06"') :]
    row = row[: row.index("</tr>")]
    assert "Changed by +300% against the last accepted return" in row and "explained in the note" in row
    assert "A new prison census." in row


@pytest.mark.parametrize(
    "filters, expected",
    [
        ((), ["PRS02", "PRS03", "REP02", "REP08"]),
        (("flagged",), ["PRS03"]),
        (("changed",), ["REP08"]),
        (("queried",), ["REP02"]),
    ],
)
def test_grid_page_filters(client, login_as, create_return, create_user, app, filters, expected):
    create_return(
        "KZ", "2025", {("PRS02", "Total"): 1, ("PRS03", "Total"): 2, ("REP02", "Total"): 5, ("REP08", "Total"): 1}
    )
    version = create_return(
        "KZ",
        "2025",
        {("PRS02", "Total"): 1, ("PRS03", "Total"): 2, ("REP02", "Total"): 5, ("REP08", "Total"): 2},
        status="submitted",
    )
    staff = login_as("secretariat")
    with app.test_request_context():
        queries.open_query(version.return_, staff, "REP02", "Total", "Five?")
    _db.session.commit()
    query = "&".join(f"filter={name}" for name in filters)
    page = client.get(f"/review/{version.return_id}?{query}").get_data(as_text=True)
    shown = sorted(set(re.findall(r'<tr data-indicator="([A-Z0-9]+)"', page)) & {"PRS02", "PRS03", "REP02", "REP08"})
    assert shown == expected
    for name in filters:
        assert f'value="{name}" id="filter-{name}" checked' in page


def test_grid_page_unknown_filter(client, login_as, create_return):
    version = create_return("KZ", "2025", {("REP02", "Total"): 5}, status="submitted")
    login_as("secretariat")
    response = client.get(f"/review/{version.return_id}?filter=everything")
    assert response.status_code == 400 and "Unknown filter: everything." in response.get_data(as_text=True)


def test_grid_page_links_to_the_thread_of_a_queried_cell(client, login_as, create_return, app):
    version = create_return("KZ", "2025", {("REP02", "Total"): 5}, status="submitted")
    staff = login_as("secretariat")
    with app.test_request_context():
        query = queries.open_query(version.return_, staff, "REP02", "Girls", "Where are the girls?")
    _db.session.commit()
    page = client.get(f"/review/{version.return_id}").get_data(as_text=True)
    girls = cell_html(page, "REP02", "Girls")
    assert f'href="/returns/{version.return_id}/queries/{query.id}"' in girls and "query open" in girls
    # the return-for-correction form lists the open query that goes with it
    listed = page[page.index('data-testid="send-back-queries"') :]
    assert "Where are the girls?" in listed[: listed.index("</ul>")]


@pytest.mark.parametrize("follow_up", [False, True], ids=["answered", "secretariat replied after"])
def test_grid_page_shows_the_countrys_answer(client, login_as, create_return, create_user, app, follow_up):
    version = create_return("KZ", "2025", {("REP02", "Total"): 5}, status="submitted")
    focal = create_user("focal_point", country="KZ")
    staff = login_as("secretariat")
    with app.test_request_context():
        query = queries.open_query(version.return_, staff, "REP02", "Girls", "Where are the girls?")
        queries.reply(query, focal, "None were repatriated.")
        if follow_up:
            queries.reply(query, staff, "Thanks, checking the lists.")
    _db.session.commit()
    girls = cell_html(client.get(f"/review/{version.return_id}").get_data(as_text=True), "REP02", "Girls")
    assert re.search(r'data-testid="answer">“None were repatriated\.”', girls)
    assert "checking the lists" not in girls


def test_grid_page_of_an_earlier_version(client, login_as, create_return):
    create_return("KZ", "2025", {("REP02", "Total"): 5})
    version = create_return("KZ", "2025", {("REP02", "Total"): 7}, status="submitted")
    login_as("secretariat")
    latest = client.get(f"/review/{version.return_id}").get_data(as_text=True)
    assert ">7<" in cell_html(latest, "REP02", "Total") and 'data-testid="accept"' in latest
    assert "changed</span> was 5" in cell_html(latest, "REP02", "Total")
    assert 'data-testid="changed"' not in cell_html(latest, "REP02", "Men")
    first = client.get(f"/review/{version.return_id}?version=1").get_data(as_text=True)
    assert ">5<" in cell_html(first, "REP02", "Total")
    assert 'data-testid="accept"' not in first and 'data-testid="send-back"' not in first  # not the one under review
    assert client.get(f"/review/{version.return_id}?version=9").status_code == 404


def test_a_missing_return_is_404(client, login_as, return_setup):
    login_as("secretariat")
    assert client.get("/review/999999").status_code == 404


@pytest.mark.parametrize("role, country", [("focal_point", "KZ"), ("focal_point", "KG"), ("delegate", None)])
def test_grid_is_for_staff_only(client, login_as, create_return, role, country):
    version = create_return("KZ", "2025", {("REP02", "Total"): 5}, status="submitted")
    login_as(role, country=country)
    assert client.get(f"/review/{version.return_id}").status_code == 403


def test_grid_anonymous_goes_to_sign_in(client, create_return):
    version = create_return("KZ", "2025", {("REP02", "Total"): 5}, status="submitted")
    response = client.get(f"/review/{version.return_id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_review_queue_and_return_page_link_to_the_grid(client, login_as, create_return):
    version = create_return("KZ", "2025", {("REP02", "Total"): 5}, status="submitted")
    login_as("secretariat")
    assert f'href="/review/{version.return_id}"' in client.get("/review/").get_data(as_text=True)
    detail = client.get(f"/returns/{version.return_id}").get_data(as_text=True)
    assert f'href="/review/{version.return_id}"' in detail
    assert f'action="/review/{version.return_id}/accept"' not in detail  # the forms moved to the grid


# -- a fixed number of statements ------------------------------------------------------------


class StatementCount:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def _statements(app, client, create_return, create_user, country: str, codes) -> tuple[int, int]:
    """(statements of the service, of the page) for a submitted return with these indicators
    filled, a previous period accepted, and a query on each indicator's Girls."""
    create_return(country, "2024", full(codes, 2))
    create_return(country, "2025", full(codes, 1))
    version = create_return(country, "2025", full(codes, 3), status="submitted")
    staff = create_user("secretariat", email=f"grid-{country.lower()}@prr.example")
    with app.test_request_context():
        for code in codes:
            queries.open_query(version.return_, staff, code, "Girls", "Check the girls.")
    _db.session.commit()
    rid = version.return_id
    _db.session.expire_all()
    with app.test_request_context(), StatementCount(_db.engine) as service:
        grid_service.review_grid(_db.session.get(type(version.return_), rid))
    _db.session.expire_all()
    with StatementCount(_db.engine) as page:
        assert client.get(f"/review/{rid}").status_code == 200
    return service.count, page.count


def test_no_statement_per_value(app, client, login_as, create_return, create_user):
    login_as("secretariat")
    small = _statements(app, client, create_return, create_user, "KZ", FREE[:2])  # 10 values a version
    large = _statements(app, client, create_return, create_user, "KG", FREE)  # 40 values a version
    assert small == large

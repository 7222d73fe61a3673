"""Every route of the returns area × every role."""

import pytest
from sqlalchemy import select

from portal.models import Return, User
from portal.services.returns import workflow

ROLES = ["anonymous", "focal_point_KZ", "focal_point_KG", "delegate", "secretariat", "admin"]

# (method, url, {role: expected status}); {id} is a submitted, not yet accepted, KZ return.
MATRIX = [
    (
        "GET",
        "/returns/",
        dict(anonymous=302, focal_point_KZ=200, focal_point_KG=200, delegate=200, secretariat=200, admin=200),
    ),
    (
        "GET",
        "/returns/template.xlsx?country=KZ&period=2025",
        dict(anonymous=302, focal_point_KZ=200, focal_point_KG=403, delegate=403, secretariat=200, admin=200),
    ),
    (
        "GET",
        "/returns/upload",
        dict(anonymous=302, focal_point_KZ=200, focal_point_KG=200, delegate=403, secretariat=200, admin=200),
    ),
    (
        "GET",
        "/returns/{id}",
        dict(anonymous=302, focal_point_KZ=200, focal_point_KG=404, delegate=404, secretariat=200, admin=200),
    ),
    (
        "GET",
        "/returns/{id}/diff?a=1&b=1",
        dict(anonymous=302, focal_point_KZ=200, focal_point_KG=404, delegate=404, secretariat=200, admin=200),
    ),
    (
        "GET",
        "/returns/{id}/versions/1/file",
        dict(anonymous=302, focal_point_KZ=200, focal_point_KG=404, delegate=404, secretariat=200, admin=200),
    ),
    (
        "POST",
        "/returns/{id}/submit",
        dict(anonymous=302, focal_point_KZ=409, focal_point_KG=404, delegate=404, secretariat=409, admin=409),
    ),
    (
        "GET",
        "/review/",
        dict(anonymous=302, focal_point_KZ=403, focal_point_KG=403, delegate=403, secretariat=200, admin=200),
    ),
    (
        "GET",
        "/review/matrix",
        dict(anonymous=302, focal_point_KZ=403, focal_point_KG=403, delegate=403, secretariat=200, admin=200),
    ),
    (
        "POST",
        "/review/{id}/return",
        dict(anonymous=302, focal_point_KZ=403, focal_point_KG=403, delegate=403, secretariat=400, admin=400),
    ),
    (
        "POST",
        "/review/{id}/accept",
        dict(anonymous=302, focal_point_KZ=403, focal_point_KG=403, delegate=403, secretariat=302, admin=302),
    ),
]


@pytest.fixture
def submitted(create_return, create_user):
    user = create_user("focal_point", country="KZ", email="owner@prr.example")
    return create_return(
        "KZ", "2025", {("REP01", "Total"): 3, ("REP01O", "Total"): 3}, status="submitted", by=user, filename="kz.xlsx"
    ).return_id


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, expected", MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX])
def test_permission_matrix(client, db, login_as, submitted, role, method, url, expected):
    if role != "anonymous":
        name, _, country = role.rpartition("_") if role.startswith("focal") else (role, "", None)
        login_as(name, country=country)
    response = client.open(url.format(id=submitted), method=method)
    assert response.status_code == expected[role], (method, url, role)


def test_delegate_sees_accepted_data_only(client, db, login_as, submitted):
    ret = db.session.get(Return, submitted)
    workflow.accept_return(ret, db.session.scalar(select(User)))
    db.session.commit()
    login_as("delegate")
    assert client.get(f"/returns/{submitted}").status_code == 200
    assert client.get(f"/returns/{submitted}/diff?a=1&b=1").status_code == 403
    # The original workbook holds the CONF figures: never for delegates (issue 11)
    assert client.get(f"/returns/{submitted}/versions/1/file").status_code == 404
    page = client.get(f"/returns/{submitted}").get_data(as_text=True)
    assert "History" not in page and "Version 1" not in page and "Accepted figures" in page

"""The template still works after a person opened and re-saved it in LibreOffice Calc."""

from sqlalchemy import select

from portal.models import ReturnValue

from .conftest import upload


def test_round_trip_after_libreoffice(client, db, login_as, filled, resave):
    login_as("focal_point", country="KZ")
    values = {
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
    original = filled(values, notes={"CAP01": "Plan 2025–2030"})
    resaved = resave(original)
    assert resaved != original
    response = upload(client, resaved, mode="save")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    stored = {(v.indicator, v.breakdown): (v.number, v.status) for v in db.session.scalars(select(ReturnValue))}
    assert stored == {
        ("REP01", "Men"): (4.0, None),
        ("REP01", "Women"): (1.0, None),
        ("REP01", "Boys"): (3.0, None),
        ("REP01", "Girls"): (4.0, None),
        ("REP01", "Total"): (12.0, None),
        ("REP01O", "Syria"): (12.0, None),
        ("REP01O", "Total"): (12.0, None),
        ("REP06", "Total"): (300.0, "EST"),
        ("PRS04", "Total"): (None, "NIL"),
        ("COM02", "Value"): (45.5, None),
        ("CAP01", "Value"): (1.0, None),
    }


def test_libreoffice_formula_values_are_read(client, db, login_as, filled, resave):
    """A formula typed by the user has no cached value until LibreOffice saves the file."""
    login_as("focal_point", country="KZ")
    data = filled({("REP01", "Men"): 2, ("REP01", "Women"): 3, ("REP01", "Total"): "=D5+E5", ("REP01O", "Total"): 5})
    assert upload(client, data).status_code == 422
    response = upload(client, resave(data), mode="save")
    assert response.status_code == 302
    total = db.session.scalar(
        select(ReturnValue).where(ReturnValue.indicator == "REP01", ReturnValue.breakdown == "Total")
    )
    assert total.number == 5.0

"""`returns import|export`, `periods …`, and the completeness matrix with its export."""

from datetime import UTC, date, datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from portal.models import ReportingPeriod, Return, ReturnVersion


def test_import_and_export(runner, db, filled, tmp_path):
    good = tmp_path / "kz-2023.xlsx"
    good.write_bytes(
        filled(
            {("REP01", "Total"): 14, ("REP01O", "Iraq"): 14, ("REP01O", "Total"): 14},
            notes={"REP01": "Rusafa, 27 Nov 2019 (inform.kz)"},
            period="2023",
        )
    )
    wrong = runner.invoke(args=["returns", "import", str(good), "--country", "KG", "--period", "2023"])
    assert wrong.exit_code == 1 and "is the template for KZ 2023, not KG 2023" in wrong.output
    result = runner.invoke(args=["returns", "import", str(good), "--country", "KZ", "--period", "2023", "--submit"])
    assert result.exit_code == 0, result.output
    assert "Imported kz-2023.xlsx as version 1 of KZ 2023 (submitted; 0 warnings)." in result.output
    version = db.session.scalar(select(ReturnVersion))
    assert version.source == "cli" and version.uploaded_by is None

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(filled({("REP01", "Men"): 9, ("REP01", "Total"): 1}, period="2023"))
    result = runner.invoke(args=["returns", "import", str(bad), "--country", "KZ", "--period", "2023"])
    assert result.exit_code == 1 and "1 errors; nothing imported" in result.output
    assert "'A Repatriation'!M5" in result.output
    assert db.session.scalar(select(db.func.count(ReturnVersion.id))) == 1

    from portal.services.returns import workflow

    workflow.accept_return(db.session.scalar(select(Return)), None)
    db.session.commit()
    out = tmp_path / "2023.xlsx"
    result = runner.invoke(args=["returns", "export", "--period", "2023", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out)["Data"].iter_rows(values_only=True))
    assert rows[0] == (
        "country",
        "period",
        "indicator",
        "breakdown",
        "value",
        "status_code",
        "note",
        "version",
        "version_id",
    )
    assert ("KZ", "2023", "REP01O", "Iraq", 14, None, None, 1, version.id) in rows
    assert runner.invoke(args=["returns", "export", "--period", "1990", str(out)]).exit_code == 1


def test_periods_cli(runner, db, return_setup):
    result = runner.invoke(
        args=[
            "periods",
            "create",
            "2026-H1",
            "--start",
            "2026-01-01",
            "--end",
            "2026-06-30",
            "--due",
            "2026-09-30",
            "--open",
        ]
    )
    assert result.exit_code == 0, result.output
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2026-H1"))
    assert (period.opens_on, period.is_open) == (date(2026, 7, 1), True)
    assert runner.invoke(args=["periods", "close", "2026-H1"]).exit_code == 0
    db.session.refresh(period)
    assert period.is_open is False
    bad = runner.invoke(args=["periods", "create", "26", "--start", "2026-01-01", "--end", "2026-06-30"])
    assert bad.exit_code == 1 and "A period label is a year such as 2025" in bad.output
    assert "2026-H1" in runner.invoke(args=["periods", "list"]).output


def test_matrix(client, db, login_as, filled):
    from .conftest import upload

    login_as("secretariat")
    upload(client, filled({("REP01", "Total"): 2, ("REP01O", "Total"): 2}, country="UZ"), "submit")
    page = client.get("/review/matrix").get_data(as_text=True)
    assert 'data-cell="UZ-2025"' in page
    export = client.get("/review/matrix.xlsx")
    rows = list(load_workbook(BytesIO(export.data)).active.iter_rows(values_only=True))
    uz = next(r for r in rows if r[0] == "UZ" and r[2] == "2025")
    assert uz[4] == "submitted" and uz[6] == round(100 * 2 / 47, 1)
    assert [c.value for c in load_workbook(BytesIO(export.data)).active[1]][:5] == [
        "Code",
        "Country",
        "Period",
        "Due date",
        "Status",
    ]
    kz_2023 = next(r for r in rows if r[0] == "KZ" and r[2] == "2023")
    overdue = (datetime.now(UTC).date() - date(2024, 3, 31)).days  # nothing submitted, due 31 March 2024
    assert (kz_2023[4], kz_2023[5]) == ("not started", f"overdue by {overdue} days")

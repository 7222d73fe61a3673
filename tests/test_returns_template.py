"""The Excel template: layout people and scripts rely on, protection, validation, identity."""

from io import BytesIO

from openpyxl import load_workbook

SECTIONS = [
    "A Repatriation",
    "B Screening & prosecution",
    "C Rehabilitation in custody",
    "D Community reintegration",
    "E Children",
    "F Capacity & governance",
]


def test_layout(make_template):
    wb = load_workbook(BytesIO(make_template("KZ", "2025")))
    assert wb.sheetnames == ["Instructions", "Lists", *SECTIONS, "_meta"]
    assert wb["_meta"].sheet_state == "veryHidden" and wb["Lists"].sheet_state == "hidden"
    ws = wb["A Repatriation"]
    header = [c.value for c in ws[4]]
    assert header == [
        "Code",
        "Indicator",
        "Unit",
        "Men",
        "Women",
        "Boys",
        "Girls",
        "Male",
        "Female",
        "Syria",
        "Iraq",
        "Other",
        "Total",
        "Value",
        "Notes",
    ]
    codes = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    assert codes == ["REP01", "REP01O", "REP02", "REP03", "REP04", "REP05", "REP06", "REP07", "REP08"]
    assert ws.protection.sheet is True
    # REP01 (sex_age): Men…Girls and Total unlocked; Male/Female/Syria… greyed and locked.
    assert ws["D5"].protection.locked is False and ws["M5"].protection.locked is False
    assert ws["H5"].protection.locked is True and ws["H5"].fill.fgColor.rgb.endswith("D9D9D9")
    assert ws["O5"].protection.locked is False  # Notes
    assert ws["N5"].protection.locked is True  # Value: not used by REP01
    assert ws["A5"].protection.locked is True
    rules = ws.data_validations.dataValidation
    assert rules and all(dv.showErrorMessage for dv in rules)
    assert any("D5" in str(dv.sqref) for dv in rules)
    meta = {wb["_meta"].cell(r, 1).value: wb["_meta"].cell(r, 2).value for r in range(1, 6)}
    assert (meta["template_version"], meta["country"], meta["period"]) == ("1", "KZ", "2025")
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["prr_signature"] == meta["signature"]
    f = wb["F Capacity & governance"]
    assert [c.value for c in f[4]] == ["Code", "Indicator", "Unit", "Male", "Female", "Total", "Value", "Notes"]


def test_russian_template(make_template):
    wb = load_workbook(BytesIO(make_template("KG", "2025", "ru")))
    ws = wb["A Repatriation"]
    assert ws["B5"].value.startswith("Граждане, возвращённые")
    assert ws["D3"].value == "Мужчины" and ws["D4"].value == "Men"
    assert "Кыргызстан" in ws["A2"].value
    assert wb["Instructions"]["B2"].value == "Кыргызстан"


def test_download_permissions(client, login_as, return_setup):
    login_as("focal_point", country="KZ")
    ok = client.get("/returns/template.xlsx?country=KZ&period=2025")
    assert ok.status_code == 200
    assert ok.headers["Content-Disposition"].endswith("PRR-return_KZ_2025_v1_en.xlsx")
    assert client.get("/returns/template.xlsx?country=KG&period=2025").status_code == 403
    assert client.get("/returns/template.xlsx?country=KZ&period=1999").status_code == 404
    assert client.get("/returns/template.xlsx?country=XX&period=2025").status_code == 400


def test_the_instructions_name_the_secretariat_contact(app, make_template, monkeypatch):
    def contact() -> str:
        ws = load_workbook(BytesIO(make_template("KZ", "2025")))["Instructions"]
        return next(ws.cell(r, 2).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Contact")

    assert contact() == "the council secretariat"
    monkeypatch.setitem(app.config, "SECRETARIAT_EMAIL", "secretariat@prr.example")  # as config.py loads it
    assert contact() == "secretariat@prr.example"

"""A version 2 of the return is data only: loaded next to version 1, which keeps its meaning."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from portal.models import ReportingPeriod, ReturnTemplate, ReturnValue
from portal.services.errors import ServiceError
from portal.services.returns import periods as period_service
from portal.services.returns import template_versions as template_service
from portal.services.returns.fill import fill_template

from .conftest import upload

V1 = Path(__file__).resolve().parent.parent / "portal" / "seed" / "templates" / "prr-return-v1.yaml"


@pytest.fixture
def v2(db, return_setup, tmp_path):
    data = yaml.safe_load(V1.read_text(encoding="utf-8"))
    data["version"] = 2
    data["sections"][-1]["indicators"] = [i for i in data["sections"][-1]["indicators"] if i["code"] != "CAP07"]
    data["sections"].append(
        {
            "code": "G",
            "sheet": "G Monitoring",
            "name_en": "G Monitoring",
            "name_ru": "G Мониторинг",
            "indicators": [
                {
                    "code": "MON01",
                    "unit": "percent",
                    "kind": "stock",
                    "breakdown": "single",
                    "label_en": "Share of returnees with an individual plan",
                    "label_ru": "Доля возвращенцев с индивидуальным планом",
                },
                {
                    "code": "MON02",
                    "unit": "text",
                    "kind": "stock",
                    "breakdown": "single",
                    "label_en": "Body responsible for monitoring",
                    "label_ru": "Орган, ответственный за мониторинг",
                },
            ],
        }
    )
    (tmp_path / "prr-return-v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    created = template_service.load_template_files(tmp_path)
    period_service.create_period(
        label="2026",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        opens_on=date(2027, 1, 1),
        due_date=None,
        template_version=2,
        is_open=True,
    )
    db.session.commit()
    return created


def test_v2_is_loaded_without_changing_v1(db, v2):
    assert [(t.version, created) for t, created in v2] == [(2, True)]
    v1 = template_service.get_template(1)
    assert v1.indicator("CAP07") is not None and v1.indicator("MON01") is None
    assert len(v1.indicators) == 47 and len(template_service.get_template(2).indicators) == 48


def test_percent_and_text_units(client, db, login_as, v2, make_template):
    login_as("focal_point", country="KZ")
    template = make_template("KZ", "2026")
    bad = upload(client, fill_template(template, {("MON01", "Value"): 150}))
    assert bad.status_code == 422
    assert "150 is more than 100; a percentage is from 0 to 100." in bad.get_data(as_text=True)
    assert "&#39;G Monitoring&#39;!D5" in bad.get_data(as_text=True)
    ok = upload(
        client, fill_template(template, {("MON01", "Value"): 62.5, ("MON02", "Value"): "Ministry of Justice"}), "save"
    )
    assert ok.status_code == 302
    stored = {v.indicator: (v.number, v.text) for v in db.session.scalars(select(ReturnValue))}
    assert stored == {"MON01": (62.5, None), "MON02": (None, "Ministry of Justice")}


def test_a_file_made_with_an_old_version_is_refused(client, db, login_as, v2, make_template):
    login_as("focal_point", country="KZ")
    old = make_template("KZ", "2025")  # made with version 1
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
    period.template = template_service.get_template(2)  # the period moved to version 2 afterwards
    db.session.commit()
    response = upload(client, old, "save")
    assert response.status_code == 409
    assert "made with template version 1, but period 2025 uses version 2" in response.get_data(as_text=True)


def test_a_loaded_version_cannot_change(db, return_setup, tmp_path):
    data = yaml.safe_load(V1.read_text(encoding="utf-8"))
    data["sections"][0]["indicators"][0]["label_en"] = "Changed label"
    (tmp_path / "v1.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ServiceError, match="already loaded and differs"):
        template_service.load_template_files(tmp_path)
    assert (
        db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.version == 1)).indicator("REP01").label_en
        != "Changed label"
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda d: d["rules"].append(
                {"id": "R99", "kind": "le", "level": "error", "pairs": [[["NOPE.Total"], ["REP01.Total"]]]}
            ),
            "unknown indicator 'NOPE'",
        ),
        (
            lambda d: d["rules"].append(
                {"id": "R98", "kind": "le", "level": "error", "chain": ["REP01.Value", "REP02.Total"]}
            ),
            "REP01 has no column 'Value'",
        ),
        (lambda d: d["sections"][0].update(sheet="A/B"), "sheet"),
        (lambda d: d["sections"][0]["indicators"][0].update(unit="litres"), "unit"),
    ],
)
def test_a_broken_definition_is_refused(change, message):
    data = yaml.safe_load(V1.read_text(encoding="utf-8"))
    data["version"] = 3
    change(data)
    with pytest.raises(ServiceError, match=message):
        template_service.parse_definition(yaml.safe_dump(data, allow_unicode=True))

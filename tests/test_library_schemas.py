"""The library's input schemas: the first wrong field, in the form's order, is the one named;
the years' order is checked only once every field is right."""

import pytest

from portal.schemas.library import ActionPlanSchema, CaseStudySchema, MeasuresSchema, load
from portal.services.errors import ServiceError

CASE = {"title": " A study ", "year_from": "2020", "summary": "s", "country": "KZ", "csrf_token": "t"}


def _refusal(schema, data) -> tuple[str, str]:
    with pytest.raises(ServiceError) as refused:
        load(schema, data)
    return refused.value.field, refused.value.message


def test_a_case_study_is_cleaned_and_defaulted(app):
    values = load(CaseStudySchema(), {**CASE, "themes": "children, women,children", "sources": "A | https://a.example"})
    assert values == {
        "title": "A study",
        "language": "en",
        "visibility": "council",
        "year_from": 2020,
        "year_to": None,
        "themes": ["children", "women"],
        "target_groups": [],
        "actors": [],
        "sources": [{"title": "A", "url": "https://a.example"}],
        "summary": "s",
        "body": "",
        "results": "",
        "lessons": "",
    }


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"title": "", "language": "de"}, "title", "This field is required: title."),
        ({"language": "de", "year_from": "x"}, "language", "Unknown value for language: de."),
        ({"year_from": "x", "year_to": "2000"}, "year_from", "year_from must be a year such as 2025."),
        ({"year_to": "2101"}, "year_to", "year_to must be a year between 1990 and 2100."),
        ({"year_to": "2019", "themes": "bad"}, "themes", "Unknown value for themes: bad."),
        ({"year_to": "2019"}, "year_to", "The last year comes before the first."),
        ({"sources": "B | ftp://b"}, "sources", "A source link must start with http:// or https://: ftp://b"),
        ({"body": "b" * 100_001}, "body", "body is too long (at most 100000 characters)."),
    ],
)
def test_a_case_study_refusal_names_its_field(app, change, field, message):
    assert _refusal(CaseStudySchema(), {**CASE, **change}) == (field, message)


def test_a_plan_needs_both_years_in_order(app):
    plan = {"title": "P", "start_year": "2025", "end_year": "2024"}
    assert _refusal(ActionPlanSchema(), {**plan, "end_year": ""}) == ("end_year", "This field is required: end_year.")
    assert _refusal(ActionPlanSchema(), plan) == ("end_year", "The last year comes before the first.")
    assert load(ActionPlanSchema(), {**plan, "end_year": "2030"})["status"] == "draft"


def test_a_wrong_measure_is_named_by_its_place(app):
    measures = [{"text": ""}, {"text": "m", "phase": "prevention", "status": "late"}]
    assert _refusal(MeasuresSchema(), {"measures": measures}) == ("measures", "measures[2]: unknown status late.")
    assert load(MeasuresSchema(), {"measures": [{"text": " m ", "phase": "prevention"}]})["measures"] == [
        {
            "text": "m",
            "text_ru": "",
            "phase": "prevention",
            "status": "not_started",
            "agencies": "",
            "agencies_ru": "",
            "timeline": "",
        }
    ]

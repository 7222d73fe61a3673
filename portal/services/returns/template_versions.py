"""Loading return templates (seed/templates/*.yaml) into the database.

A loaded version is immutable: returns made with it keep meaning what they meant.
Changed indicators or rules are published as a new version file.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from ...extensions import db
from ...models import ReturnTemplate, TemplateIndicator, TemplateRule, TemplateSection
from ..errors import ServiceError

UNITS = ("count", "percent", "years", "days", "amount", "boolean", "text")
NUMERIC_UNITS = ("count", "percent", "years", "days", "amount")  # each needs a maximum (unit_max)
KINDS = ("flow", "stock")
RULE_KINDS = (
    "unit_range",
    "breakdown_sum",
    "equal",
    "le",
    "blank_when_zero",
    "change_vs_previous",
    "required_note",
    "status_with_number",
)
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")


class IndicatorSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(CODE_RE))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    breakdown = fields.String(required=True)
    label_en = fields.String(required=True, validate=validate.Length(1, 300))
    label_ru = fields.String(required=True, validate=validate.Length(1, 300))
    definition_en = fields.String(load_default="")
    definition_ru = fields.String(load_default="")
    # Optional: this indicator's own maximum instead of its unit's (numeric units only).
    max = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, min_inclusive=False))

    @validates_schema
    def check_max(self, data, **kwargs):
        if data.get("max") is not None and data["unit"] not in NUMERIC_UNITS:
            raise ValidationError(f"{data['code']}: a maximum is for numeric units only, not {data['unit']!r}")


class SectionSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 8))
    name_en = fields.String(required=True, validate=validate.Length(1, 120))
    # The worksheet's name in the Excel template: Excel allows 31 characters and no []:*?/\
    sheet = fields.String(required=True, validate=[validate.Length(1, 31), validate.Regexp(r"^[^\[\]:*?/\\]+$")])
    name_ru = fields.String(required=True, validate=validate.Length(1, 120))
    indicators = fields.List(fields.Nested(IndicatorSchema), required=True, validate=validate.Length(min=1))


class RuleSchema(Schema):
    class Meta:
        unknown = "include"  # kind-specific parameters

    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(RULE_KINDS))
    level = fields.String(required=True, validate=validate.OneOf(("error", "warning")))


class TemplateSchema(Schema):
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title_en = fields.String(required=True)
    title_ru = fields.String(required=True)
    status_codes = fields.List(fields.String(), required=True)
    unit_max = fields.Dict(
        keys=fields.String(validate=validate.OneOf(NUMERIC_UNITS)),
        values=fields.Float(allow_nan=False, validate=validate.Range(min=0, min_inclusive=False)),
        required=True,
        validate=lambda d: set(d) == set(NUMERIC_UNITS) or _fail(f"unit_max needs exactly {', '.join(NUMERIC_UNITS)}"),
    )
    breakdowns = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    sections = fields.List(fields.Nested(SectionSchema), required=True, validate=validate.Length(min=1))
    rules = fields.List(fields.Nested(RuleSchema), load_default=list)

    @validates_schema
    def check_references(self, data, **kwargs):
        columns = {}
        codes = set()
        for section in data["sections"]:
            for ind in section["indicators"]:
                if ind["code"] in codes:
                    raise ValidationError(f"indicator {ind['code']} appears twice")
                if ind["breakdown"] not in data["breakdowns"]:
                    raise ValidationError(f"{ind['code']}: unknown breakdown {ind['breakdown']!r}")
                codes.add(ind["code"])
                columns[ind["code"]] = data["breakdowns"][ind["breakdown"]]
        for rule in data.get("rules", []):
            for ref in _rule_refs(rule):
                code, _, column = ref.partition(".")
                if code not in columns:
                    raise ValidationError(f"rule {rule['id']}: unknown indicator {code!r}")
                if column and column not in columns[code]:
                    raise ValidationError(f"rule {rule['id']}: {code} has no column {column!r}")


def _fail(message: str):
    raise ValidationError(message)


def _rule_refs(rule: dict) -> list[str]:
    refs: list[str] = []
    for key in ("left", "right", "chain", "blank"):
        refs.extend(rule.get(key, []))
    for left, right in rule.get("pairs", []):
        refs.extend(left)
        refs.extend(right)
    if "when" in rule and isinstance(rule["when"], str):
        refs.append(rule["when"])
    return refs


def parse_definition(text: str, source: str = "template") -> dict:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ServiceError(f"{source}: not valid YAML: {exc}") from None
    try:
        return TemplateSchema().load(raw)
    except ValidationError as exc:
        raise ServiceError(f"{source}: {exc.messages}") from None


def _same(template: ReturnTemplate, data: dict) -> bool:
    loaded = [
        (
            s.code,
            s.sheet,
            s.name_en,
            s.name_ru,
            [
                (
                    i.code,
                    i.unit,
                    i.kind,
                    i.breakdown,
                    i.label_en,
                    i.label_ru,
                    i.definition_en,
                    i.definition_ru,
                    i.max_value,
                )
                for i in s.indicators
            ],
        )
        for s in template.sections
    ]
    wanted = [
        (
            s["code"],
            s["sheet"],
            s["name_en"],
            s["name_ru"],
            [
                (
                    i["code"],
                    i["unit"],
                    i["kind"],
                    i["breakdown"],
                    i["label_en"],
                    i["label_ru"],
                    i["definition_en"],
                    i["definition_ru"],
                    i["max"],
                )
                for i in s["indicators"]
            ],
        )
        for s in data["sections"]
    ]
    rules = [(r.rule_id, r.kind, r.level, r.params) for r in template.rules]
    wanted_rules = [(r["id"], r["kind"], r["level"], _params(r)) for r in data["rules"]]
    return (
        loaded == wanted
        and rules == wanted_rules
        and template.breakdowns == data["breakdowns"]
        and template.unit_max == data["unit_max"]
        and template.title_en == data["title_en"]
        and template.title_ru == data["title_ru"]
    )


def _params(rule: dict) -> dict:
    return {k: v for k, v in rule.items() if k not in ("id", "kind", "level")}


def load_template(data: dict) -> tuple[ReturnTemplate, bool]:
    """Store a parsed template; returns (template, created). A loaded version never changes."""
    existing = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.version == data["version"]))
    if existing is not None:
        if not _same(existing, data):
            raise ServiceError(
                f"Template version {data['version']} is already loaded and differs from its file; "
                "publish the changes as a new version."
            )
        return existing, False
    template = ReturnTemplate(
        version=data["version"],
        title_en=data["title_en"],
        title_ru=data["title_ru"],
        breakdowns=data["breakdowns"],
        status_codes=data["status_codes"],
        unit_max=data["unit_max"],
    )
    for s_pos, s in enumerate(data["sections"]):
        section = TemplateSection(
            code=s["code"], sheet=s["sheet"], name_en=s["name_en"], name_ru=s["name_ru"], position=s_pos
        )
        for i_pos, i in enumerate(s["indicators"]):
            fields_ = {k: v for k, v in i.items() if k != "max"}
            section.indicators.append(TemplateIndicator(position=i_pos, max_value=i["max"], **fields_))
        template.sections.append(section)
    for r_pos, r in enumerate(data["rules"]):
        template.rules.append(
            TemplateRule(position=r_pos, rule_id=r["id"], kind=r["kind"], level=r["level"], params=_params(r))
        )
    db.session.add(template)
    db.session.flush()
    return template, True


def load_template_files(directory: Path) -> list[tuple[ReturnTemplate, bool]]:
    results = []
    for path in sorted(directory.glob("*.yaml")):
        results.append(load_template(parse_definition(path.read_text(encoding="utf-8"), path.name)))
    return results


def get_template(version: int) -> ReturnTemplate | None:
    return db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.version == version))


def latest_template() -> ReturnTemplate | None:
    return db.session.scalar(select(ReturnTemplate).order_by(ReturnTemplate.version.desc()))

"""What a case study or an action plan may hold, checked before anything is written.

The fields take the library's forms and its JSON alike (a missing key, None and "" are one
thing) and keep the messages users know: each names its field, and `load` raises the first
wrong field, in the order the form shows them, as a ServiceError."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing, validates_schema

from ..models.library import (
    ACTORS,
    LANGUAGES,
    MEASURE_STATUSES,
    PHASES,
    PLAN_STATUSES,
    TARGET_GROUPS,
    THEMES,
    VISIBILITY,
)
from ..services.errors import ServiceError

MAX_TEXT = 100_000


def load(schema: Schema, data: dict) -> dict:
    """The checked values, or a ServiceError naming the first wrong field."""
    try:
        return schema.load(data)
    except ValidationError as error:
        name, messages = next(iter(error.normalized_messages().items()))
        raise ServiceError(messages[0], field=name) from None


class _Field(fields.Field):
    """A field that sees a missing key as None and does all its own checking."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        return self._deserialize(None if value is missing else value, attr, data, **kwargs)


class Text(_Field):
    """Stripped text; "" when absent; at most `limit` characters."""

    def __init__(self, required: bool = False, limit: int = MAX_TEXT, **kwargs):
        super().__init__(**kwargs)
        self.needed, self.limit = required, limit

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        value = str(value or "").strip()
        if self.needed and not value:
            raise ValidationError(str(_l("This field is required: %(f)s.", f=attr)))
        if len(value) > self.limit:
            raise ValidationError(str(_l("%(f)s is too long (at most %(n)d characters).", f=attr, n=self.limit)))
        return value


class Year(_Field):
    """A year from 1990 to 2100, or None when absent and not required."""

    def __init__(self, required: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.needed = required

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        if value in (None, ""):
            if self.needed:
                raise ValidationError(str(_l("This field is required: %(f)s.", f=attr)))
            return None
        try:
            year = int(str(value).strip())
        except ValueError:
            raise ValidationError(str(_l("%(f)s must be a year such as 2025.", f=attr))) from None
        if not 1990 <= year <= 2100:
            raise ValidationError(str(_l("%(f)s must be a year between 1990 and 2100.", f=attr)))
        return year


class Code(_Field):
    """One of `allowed`; `default` when absent."""

    def __init__(self, allowed: tuple[str, ...], default: str, **kwargs):
        super().__init__(**kwargs)
        self.allowed, self.default = allowed, default

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        value = str(value or self.default)
        if value not in self.allowed:
            raise ValidationError(str(_l("Unknown value for %(f)s: %(v)s.", f=attr, v=value)))
        return value


class Codes(_Field):
    """Several of `allowed`, as a list or comma-separated; duplicates dropped, order kept."""

    def __init__(self, allowed: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.allowed = allowed

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        values = value or []
        values = [v.strip() for v in (values.split(",") if isinstance(values, str) else values) if str(v).strip()]
        unknown = [v for v in values if v not in self.allowed]
        if unknown:
            raise ValidationError(str(_l("Unknown value for %(f)s: %(v)s.", f=attr, v=", ".join(unknown))))
        return list(dict.fromkeys(values))


class Sources(_Field):
    """Sources as a list of {"title", "url"}; text form: one per line, "title | https://…"."""

    def _deserialize(self, value, attr, data, **kwargs) -> list[dict]:
        if isinstance(value, str):
            value = [
                dict(zip(("title", "url"), [p.strip() for p in line.split("|", 1)] + [""]))
                for line in value.splitlines()
                if line.strip()
            ]
        out = []
        for entry in value or []:
            title, url = str(entry.get("title") or "").strip(), str(entry.get("url") or "").strip()
            if url and not url.lower().startswith(("http://", "https://")):
                raise ValidationError(str(_l("A source link must start with http:// or https://: %(u)s", u=url[:80])))
            if title or url:
                out.append({"title": title[:500] or url, "url": url[:1000]})
        return out


class _Values(Schema):
    class Meta:
        unknown = EXCLUDE  # the form's other inputs (country, CSRF token, measures…)


def _years_in_order(first: str, last: str):
    """A schema check (run once every field is right): the last year is not before the first."""

    @validates_schema
    def check(self, values: dict, **kwargs) -> None:
        if values[last] and values[last] < values[first]:
            raise ValidationError(str(_l("The last year comes before the first.")), field_name=last)

    return check


class CaseStudySchema(_Values):
    title = Text(required=True, limit=300)
    language = Code(LANGUAGES, "en")
    visibility = Code(VISIBILITY, "council")
    year_from = Year(required=True)
    year_to = Year()
    themes = Codes(THEMES)
    target_groups = Codes(TARGET_GROUPS)
    actors = Codes(ACTORS)
    sources = Sources()
    summary = Text(required=True)
    body = Text()
    results = Text()
    lessons = Text()

    years_in_order = _years_in_order("year_from", "year_to")


class ActionPlanSchema(_Values):
    title = Text(required=True, limit=300)
    title_ru = Text(limit=300)
    language = Code(LANGUAGES, "en")
    visibility = Code(VISIBILITY, "council")
    start_year = Year(required=True)
    end_year = Year(required=True)
    authority = Text(limit=300)
    authority_ru = Text(limit=300)
    instrument = Text(limit=300)
    instrument_ru = Text(limit=300)
    status = Code(PLAN_STATUSES, "draft")
    summary = Text(limit=5000)
    summary_ru = Text(limit=5000)
    objectives = Text(limit=50000)
    objectives_ru = Text(limit=50000)
    sources = Sources()

    years_in_order = _years_in_order("start_year", "end_year")


# A measure's texts, English and Russian, with their limits (the columns' lengths).
MEASURE_TEXTS = {"text": 5000, "text_ru": 5000, "agencies": 500, "agencies_ru": 500, "timeline": 100}


class Measures(_Field):
    """A plan's measures; an entry without text in either language is left out; a wrong phase
    or status, or an over-long text, is named by its place in the list (measures[3])."""

    def _deserialize(self, value, attr, data, **kwargs) -> list[dict]:
        out = []
        for i, entry in enumerate(value or [], start=1):
            texts = {name: str(entry.get(name) or "").strip() for name in MEASURE_TEXTS}
            if not texts["text"] and not texts["text_ru"]:
                continue
            where = f"measures[{i}]"
            phase = str(entry.get("phase") or "")
            status = str(entry.get("status") or "not_started")
            if phase not in PHASES:
                raise ValidationError(str(_l("%(w)s: unknown phase %(v)s.", w=where, v=phase or "—")))
            if status not in MEASURE_STATUSES:
                raise ValidationError(str(_l("%(w)s: unknown status %(v)s.", w=where, v=status)))
            for name, limit in MEASURE_TEXTS.items():
                if len(texts[name]) > limit:
                    raise ValidationError(
                        str(_l("%(f)s is too long (at most %(n)d characters).", f=f"{where}.{name}", n=limit))
                    )
            out.append({**texts, "phase": phase, "status": status})
        return out


class MeasuresSchema(_Values):
    measures = Measures()

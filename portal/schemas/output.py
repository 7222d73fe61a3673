"""What the JSON API says about each thing: one schema per shape, dumped by the views.

Dates and times in ISO 8601; a missing relation (no host country, no accepted version) as
null. The API's keys and values are its contract with other systems: change them only with
a new API version."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..models import ReturnStatus
from ..services import disclosure, rich_text
from ..services.library import items, plans
from ..services.returns import states


def _iso(value):
    return value.isoformat() if value is not None else None


def _iso2(country):
    return country.iso2 if country is not None else None


# The knowledge library ---------------------------------------------------------------------


class FileSchema(Schema):
    id = fields.Raw()
    title = fields.Raw()
    kind = fields.Raw()
    size = fields.Raw()


class CaseStudySchema(Schema):
    """A case study as listed (and found by search)."""

    id = fields.Raw()
    title = fields.Raw()
    country = fields.Function(lambda c: c.country.iso2)
    language = fields.Raw()
    year_from = fields.Raw()
    year_to = fields.Raw()
    themes = fields.Raw()
    target_groups = fields.Raw()
    actors = fields.Raw()
    summary = fields.Raw()
    state = fields.Raw()
    visibility = fields.Raw()
    updated_at = fields.Function(lambda c: c.updated_at.isoformat())


class CaseStudyFullSchema(CaseStudySchema):
    """A case study with its text, sources, translations and files."""

    body = fields.Raw()
    results = fields.Raw()
    lessons = fields.Raw()
    sources = fields.Raw()
    body_html = fields.Function(lambda c: str(rich_text.render(c.body)))
    translations = fields.Function(lambda c: [t.id for t in items.translations(c)])
    files = fields.Nested(FileSchema, many=True, attribute="attachments")


class MeasureUpdateSchema(Schema):
    date = fields.Function(lambda u: u.on_date.isoformat())
    status = fields.Raw()
    text = fields.Raw()
    text_ru = fields.Raw()


class MeasureSchema(Schema):
    id = fields.Raw()
    position = fields.Raw()
    text = fields.Raw()
    text_ru = fields.Raw()
    phase = fields.Raw()
    agencies = fields.Raw()
    agencies_ru = fields.Raw()
    timeline = fields.Raw()
    status = fields.Raw()
    updates = fields.Nested(MeasureUpdateSchema, many=True)


class ActionPlanSchema(Schema):
    """An action plan as listed, with its progress."""

    id = fields.Raw()
    title = fields.Raw()
    title_ru = fields.Raw()
    country = fields.Function(lambda p: p.country.iso2)
    start_year = fields.Raw()
    end_year = fields.Raw()
    authority = fields.Function(lambda p: p.authority or None)
    authority_ru = fields.Function(lambda p: p.authority_ru or None)
    instrument = fields.Function(lambda p: p.instrument or None)
    instrument_ru = fields.Function(lambda p: p.instrument_ru or None)
    status = fields.Raw()
    state = fields.Raw()
    visibility = fields.Raw()
    progress = fields.Function(plans.progress)


class ActionPlanFullSchema(ActionPlanSchema):
    """An action plan with its text, sources and measures (and their progress updates)."""

    summary = fields.Raw()
    summary_ru = fields.Raw()
    objectives = fields.Raw()
    objectives_ru = fields.Raw()
    sources = fields.Raw()
    measures = fields.Nested(MeasureSchema, many=True)


# Meetings ----------------------------------------------------------------------------------


class AgendaItemSchema(Schema):
    position = fields.Raw()
    title = fields.Raw()
    title_ru = fields.Raw()
    presenter_country = fields.Function(lambda a: _iso2(a.presenter_country))


class MeetingDocumentSchema(FileSchema):
    sha256 = fields.Raw()


class MeetingSchema(Schema):
    """A meeting as listed."""

    id = fields.Raw()
    title = fields.Raw()
    title_ru = fields.Raw()
    start_date = fields.Function(lambda m: m.start_date.isoformat())
    end_date = fields.Function(lambda m: m.end_date.isoformat())
    place = fields.Raw()
    place_ru = fields.Raw()
    format = fields.Raw()
    host_country = fields.Function(lambda m: _iso2(m.host_country))


class BriefSchema(Schema):
    """A brief as its meeting lists it: its title in both languages and its editions' count."""

    id = fields.Raw()
    title = fields.Raw()
    title_ru = fields.Raw()
    editions = fields.Function(lambda b: len(b.editions))


class MeetingFullSchema(MeetingSchema):
    """A meeting with its agenda, documents and the briefs compiled for it."""

    description = fields.Raw()
    description_ru = fields.Raw()
    source = fields.Raw()
    source_ru = fields.Raw()
    agenda = fields.Nested(AgendaItemSchema, many=True)
    documents = fields.Nested(MeetingDocumentSchema, many=True)
    briefs = fields.Function(lambda m: BriefSchema(many=True).dump([b for b in m.briefs if b.editions]))


# Returns -----------------------------------------------------------------------------------


class PeriodSchema(Schema):
    label = fields.Raw()
    start_date = fields.Function(lambda p: p.start_date.isoformat())
    end_date = fields.Function(lambda p: p.end_date.isoformat())
    opens_on = fields.Function(lambda p: p.opens_on.isoformat())
    due_date = fields.Function(lambda p: _iso(p.due_date))
    is_open = fields.Raw()
    template_version = fields.Function(lambda p: p.template.version)


def values_json(version, audience) -> list[dict]:
    """The version's values as the caller may see them: hidden ones as "c", their notes withheld."""
    if version is None:
        return []
    shown = disclosure.visible_values(version, audience)
    out = []
    for v in version.values:
        if (v.indicator, v.breakdown) in shown.hidden:
            out.append({"indicator": v.indicator, "breakdown": v.breakdown, "value": "c", "status": None, "note": None})
        else:
            out.append(
                {
                    "indicator": v.indicator,
                    "breakdown": v.breakdown,
                    "value": v.number if v.text is None else v.text,
                    "status": v.status,
                    "note": shown.note(v),
                }
            )
    return out


class _ReturnSchema(Schema):
    """A return as seen by `audience` (services/disclosure.audience_for)."""

    id = fields.Raw()
    country = fields.Function(lambda r: r.country.iso2)
    period = fields.Function(lambda r: r.period.label)
    completeness = fields.Method("_completeness")
    values = fields.Method("_values")

    def __init__(self, audience, **kwargs):
        super().__init__(**kwargs)
        self.audience = audience

    def _version(self, ret):
        raise NotImplementedError

    def _completeness(self, ret):
        version = self._version(ret)
        return version.completeness if version else None

    def _values(self, ret):
        return values_json(self._version(ret), self.audience)


class AcceptedReturnSchema(_ReturnSchema):
    """What delegates and other countries see: the accepted figures only, no versions, drafts,
    resubmissions or review events."""

    status = fields.Constant(ReturnStatus.ACCEPTED.value)
    accepted_at = fields.Method("_accepted_at")
    accepted_version = fields.Method("_accepted_version")  # no revision: a draft is not theirs to see

    def _version(self, ret):
        return ret.accepted_version

    def _accepted_at(self, ret):
        version = self._version(ret)
        return version.accepted_at.isoformat() if version else None

    def _accepted_version(self, ret):
        version = self._version(ret)
        return version.number if version else None


class VersionSchema(Schema):
    version = fields.Raw(attribute="number")
    uploaded_at = fields.Function(lambda v: v.uploaded_at.isoformat())
    submitted_at = fields.Function(lambda v: _iso(v.submitted_at))
    accepted_at = fields.Function(lambda v: _iso(v.accepted_at))
    sha256 = fields.Raw(attribute="file_sha256")
    on_behalf = fields.Raw()


class ReturnEventSchema(Schema):
    action = fields.Raw()
    at = fields.Function(lambda e: e.created_at.isoformat())
    version = fields.Function(lambda e: e.version.number if e.version else None)
    reason = fields.Raw()


class FullReturnSchema(_ReturnSchema):
    """What the secretariat and the return's own country see: the latest version, its history
    and the review events."""

    status = fields.Raw()  # the latest version's state
    version = fields.Method("_number")
    # The accepted version's number (what comparisons, briefs and delegates use) and the
    # revision after it, {"version", "status"} or None (services/returns/states.py).
    accepted_version = fields.Function(lambda r: states.state_json(r)["accepted_version"])
    revision = fields.Function(lambda r: states.state_json(r)["revision"])
    history = fields.Nested(VersionSchema, many=True, attribute="versions")
    events = fields.Nested(ReturnEventSchema, many=True)

    def _version(self, ret):
        return ret.latest_version

    def _number(self, ret):
        version = self._version(ret)
        return version.number if version else None

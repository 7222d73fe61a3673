"""The audit trail as people read it: what kind of object, what each detail means, and the
few values that are words (how a change came in, a kind of item, yes / no), in the reader's
language. The stored event keeps its codes (the actions stay codes on the page: they are what
an auditor searches for)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

OBJECTS = {
    "reporting_period": _l("reporting period"),
    "meeting": _l("meeting"),
    "case_study": _l("case study"),
    "action_plan": _l("action plan"),
    "user_account": _l("user account"),
    "return_version": _l("return version"),
    "country_return": _l("return"),
    "brief": _l("brief"),
    "brief_edition": _l("brief edition"),
}
DETAILS = {
    "label": _l("label"),
    "via": _l("via"),
    "title": _l("title"),
    "items": _l("items"),
    "kind": _l("kind"),
    "email": _l("e-mail"),
    "role": _l("role"),
    "country": _l("country"),
    "changes": _l("changes"),
    "period": _l("period"),
    "version": _l("version"),
    "versions": _l("versions"),
    "sha256": _l("file checksum (SHA-256)"),
    "on_behalf": _l("on behalf of the country"),
    "queries": _l("queries"),
    "brief": _l("brief"),
    "edition": _l("edition"),
}
FIELDS = {  # the fields of a library item a revision changed
    "title": _l("title"),
    "title_ru": _l("title in Russian"),
    "summary": _l("summary"),
    "summary_ru": _l("summary in Russian"),
    "body": _l("text"),
    "results": _l("results"),
    "lessons": _l("lessons"),
    "objectives": _l("objectives"),
    "objectives_ru": _l("objectives in Russian"),
    "authority": _l("adopting body"),
    "instrument": _l("legal instrument"),
    "measures": _l("measures"),
    "status": _l("status"),
    "themes": _l("themes"),
    "target_groups": _l("target groups"),
    "actors": _l("actors"),
    "visibility": _l("visibility"),
    "language": _l("language"),
    "country": _l("country"),
    "year_from": _l("from year"),
    "year_to": _l("to year"),
    "start_year": _l("start year"),
    "end_year": _l("end year"),
}
VALUES = {
    "seed": _l("seed data"),
    "cli": _l("command line"),
    "scheduler": _l("scheduler"),
    **OBJECTS,
}


def object_label(code: str | None) -> str:
    return str(OBJECTS.get(code, code)) if code else ""


def details(values: dict | None) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's details, each in the reader's language."""
    out = []
    for key, value in (values or {}).items():
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, str) and value in VALUES:
            shown = str(VALUES[value])
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(VALUES.get(v, v)) if isinstance(v, str) else str(v) for v in value)
        else:
            shown = str(value)
        out.append((str(DETAILS.get(key, key)), shown))
    return out


def field_names(keys) -> str:
    """The fields a revision changed, named in the reader's language."""
    return ", ".join(str(FIELDS.get(k, k)) for k in keys)

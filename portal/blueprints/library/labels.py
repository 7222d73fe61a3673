"""Translated labels for the library's codes (themes, groups, states…), for pages and facets."""

from flask_babel import lazy_gettext as _l

THEME_LABELS = {
    "repatriation": _l("Repatriation"),
    "screening_prosecution": _l("Screening and prosecution"),
    "custody_rehabilitation": _l("Rehabilitation in custody"),
    "community_reintegration": _l("Community rehabilitation and reintegration"),
    "children": _l("Children"),
    "women": _l("Women"),
    "families": _l("Families"),
    "capacity_building": _l("Capacity building"),
    "community_engagement": _l("Community engagement and stigma"),
}
TARGET_LABELS = {
    "men": _l("Men"),
    "women": _l("Women"),
    "children": _l("Children"),
    "families": _l("Families"),
    "prison_staff": _l("Prison staff"),
    "communities": _l("Communities"),
    "professionals": _l("Professionals"),
}
ACTOR_LABELS = {
    "government": _l("Government"),
    "civil_society": _l("Civil society"),
    "international": _l("International"),
}
STATE_LABELS = {"draft": _l("Draft"), "in_review": _l("In review"), "published": _l("Published")}
VISIBILITY_LABELS = {"council": _l("Council members (signed in)"), "public": _l("Public (anyone)")}
LANGUAGE_LABELS = {"en": "English", "ru": "Русский"}
TYPE_LABELS = {"case_study": _l("Case study"), "action_plan": _l("Action plan")}
PLAN_STATUS_LABELS = {
    "draft": _l("Draft"),
    "adopted": _l("Adopted"),
    "in_force": _l("In force"),
    "expired": _l("Expired"),
}
PHASE_LABELS = {
    "repatriation": _l("Repatriation"),
    "prosecution": _l("Prosecution"),
    "rehabilitation": _l("Rehabilitation"),
    "reintegration": _l("Reintegration"),
    "prevention": _l("Prevention"),
    "coordination": _l("Coordination"),
}
MEASURE_STATUS_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "delayed": _l("Delayed"),
    "cancelled": _l("Cancelled"),
}
FACET_LABELS = {
    "type": _l("Type"),
    "country": _l("Country"),
    "region": _l("Region"),
    "theme": _l("Theme"),
    "target": _l("Target group"),
    "year": _l("Year"),
    "language": _l("Language"),
}
REVISION_LABELS = {
    "created": _l("created"),
    "edited": _l("edited"),
    "submitted": _l("submitted for review"),
    "published": _l("published"),
    "returned": _l("sent back"),
    "measures": _l("measures changed"),
    "progress": _l("progress reported"),
    "file": _l("file attached"),
}


def library_labels() -> dict:
    return {
        "themes": THEME_LABELS,
        "targets": TARGET_LABELS,
        "actors": ACTOR_LABELS,
        "states": STATE_LABELS,
        "visibility": VISIBILITY_LABELS,
        "languages": LANGUAGE_LABELS,
        "types": TYPE_LABELS,
        "plan_statuses": PLAN_STATUS_LABELS,
        "phases": PHASE_LABELS,
        "measure_statuses": MEASURE_STATUS_LABELS,
        "facets": FACET_LABELS,
        "revisions": REVISION_LABELS,
    }

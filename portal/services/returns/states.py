"""What a return's state means to the people who read it.

`Return.status` is the state of the return's latest version. Once a version has been accepted,
a newer version is a *revision*: the accepted version stays the return's figures for everyone
who uses accepted data (comparisons, briefs, delegates, the API for them) until the revision is
accepted in turn, and the pages say "accepted (version 3) · revision version 4 in draft"."""

from __future__ import annotations

from typing import Literal

from flask_babel import lazy_gettext as _l

from ...models import Return, ReturnStatus, ReturnVersion

ReviewKind = Literal["new", "resubmitted", "revision"]

REVIEW_KINDS: dict[str, object] = {
    "new": _l("new"),
    "resubmitted": _l("resubmitted after correction"),
    "revision": _l("revision of an accepted return"),
}

REVISION_LABELS: dict[str, object] = {
    ReturnStatus.DRAFT: _l("revision version %(n)d in draft"),
    ReturnStatus.SUBMITTED: _l("revision version %(n)d submitted"),
    ReturnStatus.RETURNED: _l("revision version %(n)d returned for correction"),
}


def revision_of(ret: Return) -> ReturnVersion | None:
    """The latest version when it is newer than the accepted one (a revision), else None."""
    accepted, latest = ret.accepted_version, ret.latest_version
    if accepted is None or latest is None or latest.number <= accepted.number:
        return None
    return latest


def was_returned(ret: Return) -> bool:
    """Whether the return was ever returned for correction."""
    return any(event.action == "return" for event in ret.events)


def review_kind(ret: Return) -> ReviewKind:
    """What a return awaiting review is: a revision of an accepted return, a return
    resubmitted after it was returned for correction, or a new one."""
    if revision_of(ret) is not None:
        return "revision"
    if was_returned(ret):
        return "resubmitted"
    return "new"


def review_label(ret: Return) -> str:
    """review_kind in the reader's language."""
    return str(REVIEW_KINDS[review_kind(ret)])


def revision_label(ret: Return) -> str | None:
    """ "revision version 4 in draft" (submitted, returned for correction), or None."""
    revision = revision_of(ret)
    if revision is None:
        return None
    return str(REVISION_LABELS.get(ret.status, REVISION_LABELS[ReturnStatus.DRAFT])) % {"n": revision.number}


def state_json(ret: Return) -> dict:
    """The two fields the API adds to a return as its own country and the secretariat see it:
    the accepted version's number and the revision (its number and state), or None."""
    accepted, revision = ret.accepted_version, revision_of(ret)
    return {
        "accepted_version": accepted.number if accepted else None,
        "revision": {"version": revision.number, "status": ret.status} if revision else None,
    }

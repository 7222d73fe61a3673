"""What a job run did, in words for the person who reads it.

A job returns an `Outcome`: a string that reads in English (the log, the CLI, tests) and that
also knows its message and parameters, so the runner stores it as data (`to_detail`) and the
Jobs page shows it in the reader's language (`describe`). A detail stored before outcomes
existed (plain text) is shown as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask_babel import force_locale, gettext, ngettext


def _notices(p: dict) -> str:
    return ngettext("%(num)d notice", "%(num)d notices", p["num"])


def _periods(p: dict) -> str:
    said = {"opened": gettext("opened %(period)s"), "closed": gettext("closed %(period)s")}
    changes = [said[what] % {"period": label} for what, label in p["changes"]]
    return ", ".join(changes) or gettext("no change")


def _briefs(p: dict) -> str:
    if not p["editions"]:
        return gettext("nothing to compile")
    return gettext("compiled %(editions)s", editions=", ".join(p["editions"]))


def _quality(p: dict) -> str:
    if not p["flagged"]:
        return gettext("all accepted returns pass")
    return ngettext(
        "%(num)d flagged: %(list)s", "%(num)d flagged: %(list)s", len(p["flagged"]), list="; ".join(p["flagged"])
    )


def _outbox(p: dict) -> str:
    text = gettext("sent: %(sent)d, failed: %(failed)d", sent=p.get("sent", 0), failed=p.get("failed", 0))
    if "rejected" in p:
        text += ", " + gettext("rejected: %(n)d", n=p["rejected"])
    if "waiting" in p:
        text += ", " + gettext("waiting: %(n)d", n=p["waiting"])
    if p.get("reason"):
        text += " — " + gettext("no SMTP server configured")
    return text


def _pending(p: dict) -> str:
    return gettext("%(removed)d removed, %(kept)d kept", removed=p["removed"], kept=p["kept"])


TEXTS: dict[str, Callable[[dict], str]] = {
    "pending": _pending,
    "notices": _notices,
    "periods": _periods,
    "briefs": _briefs,
    "quality": _quality,
    "outbox": _outbox,
}


class Outcome(str):
    """An outcome that reads in English and can be said again in any language."""

    key: str
    params: dict

    def __new__(cls, key: str, **params) -> Outcome:
        with force_locale("en"):
            english = TEXTS[key](params)
        made = super().__new__(cls, english)
        made.key, made.params = key, params
        return made

    def to_detail(self) -> str:
        return json.dumps({"outcome": self.key, "params": self.params}, ensure_ascii=False)


def describe(detail: str) -> str:
    """A stored detail in the current language."""
    try:
        data = json.loads(detail) if detail.startswith("{") else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("outcome") not in TEXTS:
        return detail
    try:
        return TEXTS[data["outcome"]](data.get("params") or {})
    except (KeyError, TypeError):
        return detail

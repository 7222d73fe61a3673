"""What every template can use besides its own context: labels for the codes it shows, the
filters that put a value in the reader's language, and the page-wide context (language,
unread notices). Globals, not context processors, where imported macros need them too."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from .i18n import current_language


def init_app(app: Flask) -> None:
    from .forms import ROLE_LABELS
    from .models import ReturnStatus
    from .services import audit_labels, bilingual, formatting
    from .services.compare.charts import data_uri
    from .services.jobs import outcomes
    from .services.returns import queries, states, timeliness
    from .services.returns.matrix import STATUS_LABELS, TIMELINESS_LABELS
    from .services.returns.query_changes import message_text

    @app.context_processor
    def inject_language():
        from .services.notices.notifications import unread_count

        unread = unread_count(current_user) if current_user and current_user.is_authenticated else 0
        return {"current_language": current_language(), "unread_notices": unread}

    def column_label(column: str) -> str:
        """A breakdown column (Men, Total, …) in the reader's language."""
        from .services.returns.captions import column_captions

        return column_captions().get(column, column)

    # Numbers and dates in the reader's language, one format across pages (services/formatting.py).
    app.jinja_env.filters["num"] = lambda v: formatting.number(v, current_language())
    app.jinja_env.filters["pct"] = lambda v: formatting.percent(v, current_language())
    app.jinja_env.filters["date"] = lambda v: formatting.date(v, current_language())
    app.jinja_env.filters["datetime"] = lambda v: formatting.datetime(v, current_language())
    app.jinja_env.filters["text_lang"] = bilingual.script_language  # lang="…" for free text of unknown language
    app.jinja_env.filters["job_detail"] = outcomes.describe  # a job run's outcome in the reader's language
    app.jinja_env.filters["svg_data_uri"] = data_uri
    app.jinja_env.filters["column_label"] = column_label
    app.jinja_env.filters["message_text"] = message_text  # a query message as the reader reads it
    app.jinja_env.filters["query_answer"] = queries.answer  # the message that answered a query
    app.jinja_env.filters["localname"] = lambda obj: obj.name(current_language()) if obj else ""
    # A bilingual text (`<name>` and `<name>_ru`) in the reader's language, or the other one
    # marked: bi(meeting, "place") -> Shown; macros/bilingual.html shows it.
    app.jinja_env.globals["bi"] = lambda obj, name: bilingual.field(obj, name, current_language())
    # The same over a text frozen in a brief's edition ({"en", "ru"}, or one string of old).
    app.jinja_env.globals["frozen"] = lambda value, html=False: bilingual.frozen(value, current_language(), html)
    app.jinja_env.globals["ReturnStatus"] = ReturnStatus
    app.jinja_env.globals["audit_object"] = audit_labels.object_label  # the audit trail in the reader's words
    app.jinja_env.globals["audit_details"] = audit_labels.details
    app.jinja_env.globals["changed_fields"] = audit_labels.field_names
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS.get(role, role)
    app.jinja_env.globals["status_label"] = lambda status: STATUS_LABELS.get(status, status)
    app.jinja_env.globals["timeliness_label"] = lambda on_time: TIMELINESS_LABELS.get(on_time, "")
    app.jinja_env.globals["revision_label"] = states.revision_label  # returns/_status.html
    app.jinja_env.globals["review_kind"] = states.review_kind
    app.jinja_env.globals["review_label"] = states.review_label
    app.jinja_env.globals["return_timeliness"] = timeliness.of_return  # on time, late by N days, due in N days, …

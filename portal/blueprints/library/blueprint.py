"""The library blueprint object, on its own so that its view modules can import it without a cycle."""

from flask import Blueprint

from .labels import library_labels

bp = Blueprint("library", __name__)


@bp.record_once
def _labels(state):
    # A global (not a context processor) so that imported macros see it too; the labels are
    # lazy strings, rendered in the reader's language.
    state.app.jinja_env.globals["lib"] = library_labels()

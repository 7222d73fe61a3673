from flask import Blueprint

bp = Blueprint("meetings", __name__)

from . import briefs, views  # noqa: E402,F401

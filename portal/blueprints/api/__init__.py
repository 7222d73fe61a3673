from flask import Blueprint

bp = Blueprint("api", __name__)

from . import compare, library, meetings, returns, views  # noqa: E402,F401

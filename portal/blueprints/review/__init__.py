from flask import Blueprint

bp = Blueprint("review", __name__)

from . import periods, views  # noqa: E402,F401

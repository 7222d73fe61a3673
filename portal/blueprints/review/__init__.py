from flask import Blueprint

bp = Blueprint("review", __name__)

from . import views  # noqa: E402,F401

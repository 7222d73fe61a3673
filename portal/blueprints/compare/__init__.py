from flask import Blueprint

bp = Blueprint("compare", __name__)

from . import views  # noqa: E402,F401

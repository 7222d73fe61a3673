"""The plans blueprint object, on its own so that its view modules can import it without a cycle."""

from flask import Blueprint

bp = Blueprint("plans", __name__)

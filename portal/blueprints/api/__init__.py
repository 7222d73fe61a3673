"""Importing the view modules registers their routes on `bp`."""

from . import compare, library, meetings, notifications, queries, returns, values, views
from .blueprint import bp

__all__ = ["bp", "compare", "library", "meetings", "notifications", "queries", "returns", "values", "views"]

"""Importing the view modules registers their routes on `bp`."""

from . import queries, views
from .blueprint import bp

__all__ = ["bp", "queries", "views"]

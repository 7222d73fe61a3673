"""Importing the view modules registers their routes on `bp`."""

from . import entry, queries, views
from .blueprint import bp

__all__ = ["bp", "entry", "queries", "views"]

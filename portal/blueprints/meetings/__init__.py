"""Importing the view modules registers their routes on `bp`."""

from . import briefs, views
from .blueprint import bp

__all__ = ["bp", "briefs", "views"]

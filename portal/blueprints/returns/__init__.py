"""Importing the view modules registers their routes on `bp`."""

from . import entry, views
from .blueprint import bp

__all__ = ["bp", "entry", "views"]

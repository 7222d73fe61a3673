"""Importing the view modules registers their routes on `bp`."""

from . import views
from .blueprint import bp

__all__ = ["bp", "views"]

"""Importing the view modules registers their routes on `bp`."""

from . import jobs, views
from .blueprint import bp

__all__ = ["bp", "jobs", "views"]

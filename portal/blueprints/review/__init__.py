"""Importing the view modules registers their routes on `bp`."""

from . import periods, views
from .blueprint import bp

__all__ = ["bp", "periods", "views"]

"""Importing the view modules registers their routes on `bp`."""

from . import grid, periods, query_pages, views
from .blueprint import bp

__all__ = ["bp", "grid", "periods", "query_pages", "views"]

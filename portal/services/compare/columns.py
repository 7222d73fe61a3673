"""Fetch a query's result as columns, aggregated by the database into one JSON array per column.

The driver then hands over one row of strings instead of a Python tuple per row, and orjson
turns each string into a flat list, faster than fetching rows (bench/compare.py times the
comparison). A JSON array of ids fetched this way can be given back as
one parameter (`in_json`), so a later query need not compute the ids again.
"""

from __future__ import annotations

import orjson
from sqlalchemy import Boolean, Text, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from ...extensions import db


class json_column(FunctionElement):
    """An aggregate: the column's values over all rows, as a JSON array text."""

    type = Text()
    name = "json_column"
    inherit_cache = True


@compiles(json_column, "sqlite")
def _sqlite_column(element, compiler, **kw):
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(json_column, "postgresql")
def _postgresql_column(element, compiler, **kw):
    return f"CAST(json_agg({compiler.process(element.clauses, **kw)}) AS TEXT)"


class in_json(ColumnElement):
    """`column IN (the integers of a JSON array given as one parameter)`."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, column, array: str):
        self.column = column
        # unique: two of these in one statement get parameters of their own
        self.array = bindparam("json_ids", array, type_=Text(), unique=True)

    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),  # noqa: RUF012
        ("array", InternalTraversal.dp_clauseelement),
    ]


@compiles(in_json, "sqlite")
def _sqlite_in(element, compiler, **kw):
    column, array = compiler.process(element.column, **kw), compiler.process(element.array, **kw)
    return f"{column} IN (SELECT value FROM json_each({array}))"


@compiles(in_json, "postgresql")
def _postgresql_in(element, compiler, **kw):
    # "[1, 2]" → '{1, 2}'::integer[]: an array comparison the planner sizes right, where a set
    # from json_array_elements is guessed at 100 rows.
    column, array = compiler.process(element.column, **kw), compiler.process(element.array, **kw)
    return f"{column} = ANY(CAST(translate({array}, '[]', '{{}}') AS INTEGER[]))"


def fetch_json(stmt) -> list[str]:
    """`stmt` selects json_column(...) of each wanted column: the JSON texts, one per column, all
    of one length and in one row order (every aggregate of a query sees its rows in the same
    order). No rows give "[]" (PostgreSQL's json_agg gives NULL there)."""
    return [cell if cell is not None else "[]" for cell in db.session.execute(stmt).one()]


def fetch_columns(stmt) -> list[list]:
    return [orjson.loads(cell) for cell in fetch_json(stmt)]

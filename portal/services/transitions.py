"""Compare-and-set state changes: one statement that changes a row only if it is still in the
state the caller read, so of two people acting at the same moment exactly one wins.

`UPDATE … WHERE id = :id AND <expected state>` takes the row lock (PostgreSQL) or the
database's write lock (SQLite) until the transaction ends; a second caller's UPDATE waits for
it, then sees the new state, matches no row and is told so. Do it FIRST, before writing
events, notices or audit rows, so the loser writes nothing."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result, update

from ..extensions import db


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched. Session.execute is typed as returning a Result; for
    these statements it is a CursorResult, which has the count."""
    return cast(CursorResult[Any], result).rowcount


def compare_and_set(model, row_id: int, expected: list, **values) -> bool:
    """Set `values` on row `row_id` of `model` if every condition in `expected` holds;
    True when this caller changed the row. Objects in the session get the new values."""
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, *expected)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return rowcount(result) == 1

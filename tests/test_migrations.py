"""The migrations build exactly the models' schema, and go back down to nothing."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal.models.library import include_object


def _diff(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        return compare_metadata(context, db.metadata)


@pytest.mark.committing
def test_upgrade_gives_the_models_schema_and_downgrade_removes_it(app, db):
    # The session fixture built the schema with `upgrade` from empty.
    assert _diff(db) == []
    flask_migrate.downgrade(revision="base")
    db.engine.dispose()
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    flask_migrate.upgrade()
    db.engine.dispose()
    assert _diff(db) == []
    assert {t.name for t in db.metadata.sorted_tables} <= set(inspect(db.engine).get_table_names())

"""comparisons read figures from an index: (indicator, version, breakdown, number, status), plus a
partial index of the few annotated cells (text or note)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:24:49.384823

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ANNOTATED = "text IS NOT NULL OR note IS NOT NULL"


def upgrade():
    with op.batch_alter_table("return_value", schema=None) as batch_op:
        batch_op.drop_index("ix_return_value_indicator_version")
        batch_op.create_index(
            "ix_return_value_annotated",
            ["indicator", "version_id"],
            unique=False,
            sqlite_where=sa.text(ANNOTATED),
            postgresql_where=sa.text(ANNOTATED),
        )
        batch_op.create_index(
            "ix_return_value_figures", ["indicator", "version_id", "breakdown", "number", "status"], unique=False
        )


def downgrade():
    with op.batch_alter_table("return_value", schema=None) as batch_op:
        batch_op.drop_index("ix_return_value_figures")
        batch_op.drop_index("ix_return_value_annotated")
        batch_op.create_index("ix_return_value_indicator_version", ["indicator", "version_id"], unique=False)

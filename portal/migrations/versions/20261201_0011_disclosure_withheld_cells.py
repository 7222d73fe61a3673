"""disclosure control: each return version keeps the cells it hides from outsiders (withheld),
and a partial index of the CONF cells finds the older versions that must be worked out

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CONFIDENTIAL = "status = 'CONF'"


def upgrade():
    # Versions stored before keep NULL: the portal works their answer out when it reads them.
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withheld", sa.JSON(), nullable=True))
    op.create_index(
        "ix_return_value_confidential",
        "return_value",
        ["version_id"],
        unique=False,
        sqlite_where=sa.text(CONFIDENTIAL),
        postgresql_where=sa.text(CONFIDENTIAL),
    )


def downgrade():
    op.drop_index("ix_return_value_confidential", table_name="return_value")
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.drop_column("withheld")

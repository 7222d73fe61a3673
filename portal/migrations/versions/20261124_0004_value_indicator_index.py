"""index return values by indicator for comparisons

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 01:32:32.429626

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table("return_value", schema=None) as batch_op:
        batch_op.create_index("ix_return_value_indicator_version", ["indicator", "version_id"], unique=False)


def downgrade():

    with op.batch_alter_table("return_value", schema=None) as batch_op:
        batch_op.drop_index("ix_return_value_indicator_version")

"""value bounds: the largest number per unit (return_template.unit_max) and an optional
per-indicator maximum (template_indicator.max_value)

Templates loaded before this revision get the standard maxima, the same as their files now state.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As in seed/templates/prr-return-v1.yaml (`unit_max`); copied, so the migration never changes.
STANDARD_UNIT_MAX = {"count": 1e9, "amount": 1e15, "percent": 100, "years": 200, "days": 36600}


def upgrade():
    with op.batch_alter_table("return_template", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_max", sa.JSON(), nullable=True))
    template = sa.table("return_template", sa.column("unit_max", sa.JSON()))
    op.execute(template.update().values(unit_max=STANDARD_UNIT_MAX))
    with op.batch_alter_table("return_template", schema=None) as batch_op:
        batch_op.alter_column("unit_max", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("template_indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_value", sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table("template_indicator", schema=None) as batch_op:
        batch_op.drop_column("max_value")
    with op.batch_alter_table("return_template", schema=None) as batch_op:
        batch_op.drop_column("unit_max")

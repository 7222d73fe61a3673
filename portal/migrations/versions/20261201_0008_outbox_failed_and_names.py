"""outbox: a message refused for good is marked failed (failed_at) and no longer retried; the
recipient's display name is kept with the address

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_name", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
        batch_op.drop_column("to_name")

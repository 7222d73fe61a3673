"""a partial index of the CONF cells, so disclosure control finds the versions holding one

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

CONFIDENTIAL = "status = 'CONF'"


def upgrade():
    # Not in a batch: SQLite would rebuild the table for a plain CREATE INDEX.
    op.create_index('ix_return_value_confidential', 'return_value', ['version_id'], unique=False,
                    sqlite_where=sa.text(CONFIDENTIAL), postgresql_where=sa.text(CONFIDENTIAL))


def downgrade():
    op.drop_index('ix_return_value_confidential', table_name='return_value')

"""periods remember whether they were ever opened or closed: stamp the periods stored before
the scheduler relied on it (open ones as opened; closed ones whose opening date has passed,
as the seed leaves 2023 and 2024, as closed), so catch-up never re-opens them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:15:00

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

period = sa.table(
    "reporting_period",
    sa.column("is_open", sa.Boolean()),
    sa.column("opens_on", sa.Date()),
    sa.column("opened_at", sa.DateTime(timezone=True)),
    sa.column("closed_at", sa.DateTime(timezone=True)),
)


def upgrade():
    # Data only, no schema change: opened_at / closed_at exist since 0006.
    now = datetime.now(UTC)
    op.execute(period.update().where(period.c.is_open.is_(True), period.c.opened_at.is_(None)).values(opened_at=now))
    op.execute(
        period.update()
        .where(
            period.c.is_open.is_(False),
            period.c.opened_at.is_(None),
            period.c.closed_at.is_(None),
            period.c.opens_on <= now.date(),
        )
        .values(closed_at=now)
    )


def downgrade():
    pass  # the stamps are facts about the past; the schema is unchanged

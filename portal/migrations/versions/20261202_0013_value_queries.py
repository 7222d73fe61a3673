"""queries on single values of a return (value_query) and their threads (query_message)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 06:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "value_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("breakdown", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("suggested", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('open', 'answered', 'resolved', 'reopened')", name=op.f("ck_value_query_state")),
        sa.ForeignKeyConstraint(
            ["return_id"], ["country_return.id"], name=op.f("fk_value_query_return_id_country_return")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_value_query_created_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_query")),
        sa.UniqueConstraint("return_id", "indicator", "breakdown", name="uq_value_query_cell"),
    )
    with op.batch_alter_table("value_query", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_value_query_return_id"), ["return_id"], unique=False)

    op.create_table(
        "query_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('question', 'reply', 'change', 'resolve', 'reopen')", name=op.f("ck_query_message_kind")
        ),
        sa.ForeignKeyConstraint(["query_id"], ["value_query.id"], name=op.f("fk_query_message_query_id_value_query")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_query_message_author_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_message")),
    )
    with op.batch_alter_table("query_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_query_message_query_id"), ["query_id"], unique=False)


def downgrade():
    op.drop_table("query_message")
    op.drop_table("value_query")

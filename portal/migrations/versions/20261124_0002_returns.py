"""return templates, periods, returns, versions, notifications, API tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:34:06.030622

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "return_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("title_ru", sa.String(length=200), nullable=False),
        sa.Column("breakdowns", sa.JSON(), nullable=False),
        sa.Column("status_codes", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_template")),
        sa.UniqueConstraint("version", name=op.f("uq_return_template_version")),
    )
    op.create_table(
        "reporting_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"], ["return_template.id"], name=op.f("fk_reporting_period_template_id_return_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_period")),
        sa.UniqueConstraint("label", name=op.f("uq_reporting_period_label")),
    )
    with op.batch_alter_table("reporting_period", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reporting_period_template_id"), ["template_id"], unique=False)

    op.create_table(
        "template_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"], ["return_template.id"], name=op.f("fk_template_rule_template_id_return_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_rule")),
    )
    with op.batch_alter_table("template_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_template_rule_template_id"), ["template_id"], unique=False)

    op.create_table(
        "template_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("sheet", sa.String(length=31), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("name_ru", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"], ["return_template.id"], name=op.f("fk_template_section_template_id_return_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_section")),
        sa.UniqueConstraint("template_id", "code", name="uq_template_section_code"),
    )
    with op.batch_alter_table("template_section", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_template_section_template_id"), ["template_id"], unique=False)

    op.create_table(
        "country_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'accepted')", name=op.f("ck_country_return_status")
        ),
        sa.ForeignKeyConstraint(["country_id"], ["country.id"], name=op.f("fk_country_return_country_id_country")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["reporting_period.id"], name=op.f("fk_country_return_period_id_reporting_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_country_return")),
        sa.UniqueConstraint("country_id", "period_id", name="uq_country_return_country_period"),
    )
    with op.batch_alter_table("country_return", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_country_return_country_id"), ["country_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_country_return_period_id"), ["period_id"], unique=False)

    op.create_table(
        "template_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("breakdown", sa.String(length=16), nullable=False),
        sa.Column("label_en", sa.String(length=300), nullable=False),
        sa.Column("label_ru", sa.String(length=300), nullable=False),
        sa.Column("definition_en", sa.Text(), nullable=False),
        sa.Column("definition_ru", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"], ["template_section.id"], name=op.f("fk_template_indicator_section_id_template_section")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_indicator")),
        sa.UniqueConstraint("section_id", "code", name="uq_template_indicator_code"),
    )
    with op.batch_alter_table("template_indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_template_indicator_section_id"), ["section_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_notification_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_user_id"), ["user_id"], unique=False)

    op.create_table(
        "return_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("completeness", sa.Float(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["return_id"], ["country_return.id"], name=op.f("fk_return_version_return_id_country_return")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"], ["return_template.id"], name=op.f("fk_return_version_template_id_return_template")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user_account.id"], name=op.f("fk_return_version_uploaded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_version")),
        sa.UniqueConstraint("return_id", "number", name="uq_return_version_number"),
    )
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_version_return_id"), ["return_id"], unique=False)

    op.create_table(
        "return_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("cell_comments", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_return_event_actor_id_user_account")),
        sa.ForeignKeyConstraint(
            ["return_id"], ["country_return.id"], name=op.f("fk_return_event_return_id_country_return")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["return_version.id"], name=op.f("fk_return_event_version_id_return_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_event")),
    )
    with op.batch_alter_table("return_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_event_return_id"), ["return_id"], unique=False)

    op.create_table(
        "return_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("breakdown", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"], ["return_version.id"], name=op.f("fk_return_value_version_id_return_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_value")),
        sa.UniqueConstraint("version_id", "indicator", "breakdown", name="uq_return_value_cell"),
    )
    with op.batch_alter_table("return_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_value_version_id"), ["version_id"], unique=False)


def downgrade():

    with op.batch_alter_table("return_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_value_version_id"))

    op.drop_table("return_value")
    with op.batch_alter_table("return_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_event_return_id"))

    op.drop_table("return_event")
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_version_return_id"))

    op.drop_table("return_version")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_user_id"))

    op.drop_table("notification")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("template_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_indicator_section_id"))

    op.drop_table("template_indicator")
    with op.batch_alter_table("country_return", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_country_return_period_id"))
        batch_op.drop_index(batch_op.f("ix_country_return_country_id"))

    op.drop_table("country_return")
    with op.batch_alter_table("template_section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_section_template_id"))

    op.drop_table("template_section")
    with op.batch_alter_table("template_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_rule_template_id"))

    op.drop_table("template_rule")
    with op.batch_alter_table("reporting_period", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_period_template_id"))

    op.drop_table("reporting_period")
    op.drop_table("return_template")

"""briefs in both languages: a Russian title beside the English one, and a Russian heading
and body beside each narrative section's English ones (in the sections' JSON, as
"heading_ru" and "body_ru")

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:10:00

Upgrade leaves existing text on the English side, except text written mostly in Cyrillic,
which moves to the Russian side (the English one becomes ""). Downgrade puts Russian text
back on the English side where that is empty, so no text is lost, then drops the Russian
column and keys (a brief with both keeps its English text only). Editions already compiled
are not touched: their snapshots keep one language and still render.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SECTION_PARTS = ("heading", "body")


def is_cyrillic(text: str | None) -> bool:
    """More Cyrillic letters than Latin ones (the same rule as portal.services.bilingual)."""
    letters = [c for c in text or "" if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    return cyrillic > len(letters) - cyrillic


def _brief(with_russian: bool) -> sa.TableClause:
    columns: list[sa.ColumnClause] = [
        sa.column("id", sa.Integer()),
        sa.column("title", sa.String(300)),
        sa.column("sections", sa.JSON()),
    ]
    if with_russian:
        columns.append(sa.column("title_ru", sa.String(300)))
    return sa.table("brief", *columns)


def split_sections(sections: list | None) -> list:
    """Each section with its Russian parts; a part written mostly in Cyrillic moves there."""
    out = []
    for section in sections or []:
        s = dict(section)
        for part in SECTION_PARTS:
            text = s.get(part) or ""
            if is_cyrillic(text) and not s.get(f"{part}_ru"):
                s[part], s[f"{part}_ru"] = "", text
            else:
                s[part], s[f"{part}_ru"] = text, s.get(f"{part}_ru") or ""
        out.append(s)
    return out


def join_sections(sections: list | None) -> list:
    """Each section back to one language: its English parts, or its Russian ones where empty."""
    out = []
    for section in sections or []:
        s = {k: v for k, v in dict(section).items() if not k.endswith("_ru")}
        for part in SECTION_PARTS:
            s[part] = (section.get(part) or "") or (section.get(f"{part}_ru") or "")
        out.append(s)
    return out


def move_cyrillic(connection) -> int:
    """Titles and section parts detected as Russian to the Russian side; the briefs changed."""
    brief = _brief(with_russian=True)
    changed = 0
    for row in connection.execute(sa.select(brief)).mappings():
        values: dict = {"sections": split_sections(row["sections"])}
        if is_cyrillic(row["title"]) and not row["title_ru"]:
            values["title"], values["title_ru"] = "", row["title"]
        if values["sections"] != (row["sections"] or []) or "title_ru" in values:
            changed += 1
        connection.execute(brief.update().where(brief.c.id == row["id"]).values(**values))
    return changed


def restore_russian_only(connection) -> None:
    """Before the Russian side goes: Russian-only text back on the English side."""
    brief = _brief(with_russian=True)
    for row in connection.execute(sa.select(brief)).mappings():
        connection.execute(
            brief.update()
            .where(brief.c.id == row["id"])
            .values(title=row["title"] or row["title_ru"] or "", sections=join_sections(row["sections"]))
        )


def upgrade():
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_ru", sa.String(300), nullable=False, server_default=""))
    move_cyrillic(op.get_bind())


def downgrade():
    restore_russian_only(op.get_bind())
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.drop_column("title_ru")

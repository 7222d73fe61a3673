"""meetings and action plans in both languages: a Russian column beside each English text a
person writes (meeting place, description, source; agenda item title; plan authority,
instrument, summary, objectives; measure text and agencies; progress notes)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 12:00:00

Upgrade leaves existing text in the English column, except text written mostly in Cyrillic,
which moves to the new Russian column (the English one becomes ""). Downgrade puts Russian
text back in the English column where that is empty, so no text is lost, then drops the
Russian columns (a row with both keeps its English text only).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# table -> [(English column, its length or None for Text)]; each gets `<column>_ru` beside it.
PAIRS: dict[str, list[tuple[str, int | None]]] = {
    "meeting": [("place", 200), ("description", None), ("source", None)],
    "agenda_item": [("title", 300)],
    "action_plan": [("authority", 300), ("instrument", 300), ("summary", None), ("objectives", None)],
    "plan_measure": [("text", None), ("agencies", 500)],
    "measure_update": [("text", None)],
}


def is_cyrillic(text: str | None) -> bool:
    """More Cyrillic letters than Latin ones (the same rule as portal.services.bilingual)."""
    letters = [c for c in text or "" if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    return cyrillic > len(letters) - cyrillic


def _type(length: int | None):
    return sa.String(length) if length else sa.Text()


def _table(name: str) -> sa.TableClause:
    columns = [sa.column("id", sa.Integer())]
    for column, length in PAIRS[name]:
        columns += [sa.column(column, _type(length)), sa.column(f"{column}_ru", _type(length))]
    return sa.table(name, *columns)


def move_cyrillic(connection) -> int:
    """Existing text detected as Russian into its Russian column; the number of values moved."""
    moved = 0
    for name, pairs in PAIRS.items():
        table = _table(name)
        for row in connection.execute(sa.select(table)).mappings():
            values = {}
            for column, _length in pairs:
                if is_cyrillic(row[column]) and not row[f"{column}_ru"]:
                    values[f"{column}_ru"], values[column] = row[column], ""
            if values:
                connection.execute(table.update().where(table.c.id == row["id"]).values(**values))
                moved += len(values) // 2
    return moved


def restore_russian_only(connection) -> None:
    """Before the Russian columns go: Russian-only text back into the English column."""
    for name, pairs in PAIRS.items():
        table = _table(name)
        for column, _length in pairs:
            english, russian = table.c[column], table.c[f"{column}_ru"]
            connection.execute(
                table.update()
                .where(sa.or_(english.is_(None), english == ""), russian.is_not(None), russian != "")
                .values({column: russian})
            )


def upgrade():
    for name, pairs in PAIRS.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for column, length in pairs:
                batch_op.add_column(sa.Column(f"{column}_ru", _type(length), nullable=False, server_default=""))
    move_cyrillic(op.get_bind())


def downgrade():
    restore_russian_only(op.get_bind())
    for name, pairs in PAIRS.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for column, _length in reversed(pairs):
                batch_op.drop_column(f"{column}_ru")

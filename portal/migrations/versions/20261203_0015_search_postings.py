"""search by postings: search_term (term, doc_id, weight) holds every document's terms with
their precomputed weight, and both databases match and rank by it (services/library/ranking.py);
search_doc.tag_set (its tags in one column) and an index of what a search reads of each match
(ix_search_doc_match); an index on search_doc (updated_at, id) for a search with no words. The
full-text index it
replaces (SQLite: the FTS5 table search_fts and its triggers; PostgreSQL: the generated
search_vector column and its GIN index) is dropped.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 12:00:00

Upgrade writes the postings of every stored document (from its title_terms and text_terms,
by the portal's own ranking.postings, so they are the rows `search.index_item` writes) and
its tag_set (from search_tag).
Downgrade drops them and builds the full-text index of 0005 again over the stored documents.
"""

import sqlalchemy as sa
from alembic import op

from portal.services.library.ranking import postings

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 500
search_doc = sa.table(
    "search_doc", sa.column("id"), sa.column("title_terms"), sa.column("text_terms"), sa.column("tag_set")
)
search_tag = sa.table("search_tag", sa.column("doc_id"), sa.column("facet"), sa.column("value"))
MATCH_COLUMNS = ["id", "state", "visibility", "country_id", "item_kind", "year", "language", "tag_set", "updated_at"]
search_term = sa.table("search_term", sa.column("term"), sa.column("doc_id"), sa.column("weight"))

# Migration 0005's full-text index, for downgrade.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_terms, text_terms, content='search_doc', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, text_terms) VALUES (new.id, new.title_terms, new.text_terms); END",
    "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, text_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.text_terms); END",
    "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, text_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.text_terms); "
    "INSERT INTO search_fts(rowid, title_terms, text_terms) VALUES (new.id, new.title_terms, new.text_terms); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",  # the rows already stored
]
POSTGRES_FTS = [
    "ALTER TABLE search_doc ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title_terms, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(text_terms, '')), 'B')) STORED",
    "CREATE INDEX ix_search_doc_vector ON search_doc USING GIN (search_vector)",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    # Prefix matching is a range of the key: on PostgreSQL in code-point order (the "C"
    # collation), as SQLite's BINARY compares.
    term_type = sa.String(length=60, collation="C") if dialect == "postgresql" else sa.String(length=60)
    op.create_table(
        "search_term",
        sa.Column("term", term_type, nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc_id"], ["search_doc.id"], name=op.f("fk_search_term_doc_id_search_doc"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("term", "doc_id", name=op.f("pk_search_term"), postgresql_include=["weight"]),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.create_index("ix_search_term_doc_id", ["doc_id"], unique=False)
    with op.batch_alter_table("search_doc", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tag_set", sa.String(length=1000), nullable=False, server_default=""))

    bind = op.get_bind()
    tags: dict[int, list[str]] = {}
    for doc_id, facet, value in bind.execute(sa.select(search_tag.c.doc_id, search_tag.c.facet, search_tag.c.value)):
        tags.setdefault(doc_id, []).append(f"{facet}:{value}")
    for doc_id, values in tags.items():
        bind.execute(sa.update(search_doc).where(search_doc.c.id == doc_id).values(tag_set=" ".join(sorted(values))))
    last = 0
    while True:
        docs = bind.execute(
            sa.select(search_doc.c.id, search_doc.c.title_terms, search_doc.c.text_terms)
            .where(search_doc.c.id > last)
            .order_by(search_doc.c.id)
            .limit(BATCH)
        ).all()
        if not docs:
            break
        rows = [
            {"term": term, "doc_id": doc_id, "weight": weight}
            for doc_id, title_terms, text_terms in docs
            for term, weight in postings(title_terms, text_terms).items()
        ]
        if rows:
            bind.execute(sa.insert(search_term), rows)
        last = docs[-1][0]

    with op.batch_alter_table("search_doc", schema=None) as batch_op:
        batch_op.create_index("ix_search_doc_updated", ["updated_at", "id"], unique=False)
        batch_op.create_index("ix_search_doc_match", MATCH_COLUMNS, unique=False)
    if dialect == "sqlite":
        for name in ("search_doc_ai", "search_doc_ad", "search_doc_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_doc_vector")
        op.execute("ALTER TABLE search_doc DROP COLUMN IF EXISTS search_vector")


def downgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table(
        "search_doc", schema=None
    ) as batch_op:  # SQLite: copies the table, so before the triggers
        batch_op.drop_index("ix_search_doc_match")
        batch_op.drop_index("ix_search_doc_updated")
        batch_op.drop_column("tag_set")
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS if dialect == "postgresql" else []:
        op.execute(statement)
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.drop_index("ix_search_term_doc_id")
    op.drop_table("search_term")

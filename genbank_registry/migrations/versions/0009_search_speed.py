"""search speed: FTS5 over the public index only (SQLite); facet values in one column (both engines)

Revision ID: 0009_search_speed
Revises: 0008_procrastinate
Create Date: 2026-11-24

`accession_fts` (0004_search) indexes every accession, drafts included, so a search had to look each match up in
`accession_index` to keep published ones only: at 100,000 accessions a broad query ("lua", "co do") spent tens of
milliseconds on those lookups just to count. `accession_fts_public` indexes `accession_index.search_words` (the
same folded words, copied there for published accessions only), so counting a plain search is FTS5 alone, and
nothing outside the public index can be matched. Triggers keep it in step with every writer of the index. Its
prefix indexes (1–3 letters) answer short words ("ca", "lua") from one list instead of merging the lists of
every word that starts with them: "ca"* counts in a fifth of the time.
PostgreSQL already matches over `accession_index.search_words`.

`accession_index.facet_values` holds the nine facet columns in one string (models_search.facet_values), so facet
counts group by one column instead of nine: that halves their time on broad queries, on both engines.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

# As in models_search (a migration must not import the models, which will change after it).
FACET_COLUMNS = ("category", "family", "district", "commune", "storage", "sampstat", "conservation", "task_code",
                 "instcode")
FACET_SEP, FACET_NONE = "\x1f", "\x1e"

revision: str = "0009_search_speed"
down_revision: Union[str, Sequence[str], None] = "0008_procrastinate"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE accession_fts_public USING fts5(search_words, content='accession_index', "
    "content_rowid='accession_id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "CREATE TRIGGER accession_fts_public_ai AFTER INSERT ON accession_index BEGIN "
    "INSERT INTO accession_fts_public(rowid, search_words) VALUES (new.accession_id, new.search_words); END",
    "CREATE TRIGGER accession_fts_public_ad AFTER DELETE ON accession_index BEGIN "
    "INSERT INTO accession_fts_public(accession_fts_public, rowid, search_words) "
    "VALUES ('delete', old.accession_id, old.search_words); END",
    "CREATE TRIGGER accession_fts_public_au AFTER UPDATE OF accession_id, search_words ON accession_index BEGIN "
    "INSERT INTO accession_fts_public(accession_fts_public, rowid, search_words) "
    "VALUES ('delete', old.accession_id, old.search_words); "
    "INSERT INTO accession_fts_public(rowid, search_words) VALUES (new.accession_id, new.search_words); END",
    "INSERT INTO accession_fts_public(accession_fts_public) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS accession_fts_public_au",
    "DROP TRIGGER IF EXISTS accession_fts_public_ad",
    "DROP TRIGGER IF EXISTS accession_fts_public_ai",
    "DROP TABLE IF EXISTS accession_fts_public",
)


def upgrade() -> None:
    with op.batch_alter_table("accession_index", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facet_values", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=""))  # kept: SQLite would rebuild the table to drop it
    index = sa.table("accession_index", *[sa.column(c) for c in (*FACET_COLUMNS, "facet_values")])
    joined = None
    for name in FACET_COLUMNS:
        value = sa.func.coalesce(sa.cast(index.c[name], sa.Text), sa.literal(FACET_NONE, sa.Text))
        joined = value if joined is None else joined.op("||")(sa.literal(FACET_SEP, sa.Text)).op("||")(value)
    op.execute(index.update().values(facet_values=joined))
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    with op.batch_alter_table("accession_index", schema=None) as batch_op:
        batch_op.drop_column("facet_values")

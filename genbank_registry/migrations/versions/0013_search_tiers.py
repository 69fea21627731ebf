"""search tiers: the public FTS5 table (SQLite) also indexes names, accession numbers and facet values

Revision ID: 0013_search_tiers
Revises: 0012_seq_speed
Create Date: 2026-11-24

At 100,000 accessions a broad query ("lua", "co do") spent most of its time evaluating the ranking tiers
(services.search) on every match, and a filtered one ("ca" in category aquatic) joined all 92,000 matches of
"ca"* to the index table only to drop four in five. With `name_text`, `accenumb` and `facet_values` as columns
of `accession_fts_public`, FTS5 finds the rows of each tier and the candidates of each facet value from its own
lists, and the search reads only those rows. The table stays external-content over `accession_index`; its first
column is still `search_words`, which a plain text search matches. `ix_accession_index_search` holds what a
search reads of each match (sort keys, indexed facet columns, facet_values), which SQLite searches read instead
of the wide rows (models_search.SEARCH_COLUMNS); `ix_accession_index_category_name` holds each category in name
order, so that a search within one reads its first rows and stops.
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0013_search_tiers"
down_revision: Union[str, Sequence[str], None] = "0012_seq_speed"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _statements(columns: tuple[str, ...], tokenize: str) -> tuple[str, ...]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return (
        f"CREATE VIRTUAL TABLE accession_fts_public USING fts5({cols}, content='accession_index', "
        f"content_rowid='accession_id', tokenize='{tokenize}', prefix='1 2 3')",
        "CREATE TRIGGER accession_fts_public_ai AFTER INSERT ON accession_index BEGIN "
        f"INSERT INTO accession_fts_public(rowid, {cols}) VALUES (new.accession_id, {new}); END",
        "CREATE TRIGGER accession_fts_public_ad AFTER DELETE ON accession_index BEGIN "
        f"INSERT INTO accession_fts_public(accession_fts_public, rowid, {cols}) "
        f"VALUES ('delete', old.accession_id, {old}); END",
        f"CREATE TRIGGER accession_fts_public_au AFTER UPDATE OF accession_id, {cols} ON accession_index BEGIN "
        f"INSERT INTO accession_fts_public(accession_fts_public, rowid, {cols}) "
        f"VALUES ('delete', old.accession_id, {old}); "
        f"INSERT INTO accession_fts_public(rowid, {cols}) VALUES (new.accession_id, {new}); END",
        "INSERT INTO accession_fts_public(accession_fts_public) VALUES ('rebuild')",
    )


DROP = (
    "DROP TRIGGER IF EXISTS accession_fts_public_au",
    "DROP TRIGGER IF EXISTS accession_fts_public_ad",
    "DROP TRIGGER IF EXISTS accession_fts_public_ai",
    "DROP TABLE IF EXISTS accession_fts_public",
)


def _replace(columns: tuple[str, ...], tokenize: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in DROP + _statements(columns, tokenize):
        op.execute(statement)


# As in models_search (a migration must not import the models, which will change after it).
SEARCH_COLUMNS = ["accession_id", "sort_name", "instcode", "accenumb", "category", "district", "family", "sampstat",
                  "task_code", "taxon_id", "facet_values"]


def upgrade() -> None:
    op.create_index("ix_accession_index_search", "accession_index", SEARCH_COLUMNS)
    op.create_index("ix_accession_index_category_name", "accession_index",
                    ["category", "sort_name", "instcode", "accenumb", "accession_id"])
    # "|" (between the names and parts of the indexed text) becomes a word of its own, so that a phrase never
    # runs from one name into the next, exactly as the ranking's string tests see it.
    _replace(("search_words", "name_text", "accenumb", "facet_values"),
             "unicode61 remove_diacritics 2 tokenchars ''|''")


def downgrade() -> None:
    op.drop_index("ix_accession_index_category_name", table_name="accession_index")
    op.drop_index("ix_accession_index_search", table_name="accession_index")
    _replace(("search_words",), "unicode61 remove_diacritics 2")  # as 0009_search_speed made it

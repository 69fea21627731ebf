"""PostgreSQL only: the Procrastinate job queue's schema, for several import workers

Revision ID: 0008_procrastinate
Revises: 0007_import_jobs
Create Date: 2026-11-24

SQLite deployments run imports in a thread of the web process and need none of this. On PostgreSQL,
`genbank-registry worker` processes take jobs through Procrastinate (a maintained PostgreSQL task queue),
whose own schema SQL is applied here so that Alembic stays the one owner of the schema. A later
Procrastinate release that changes its schema gets its migration SQL applied by a new revision here.
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0008_procrastinate"
down_revision: Union[str, Sequence[str], None] = "0007_import_jobs"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # Through the driver without parameters: the schema's PL/pgSQL contains '%' that must not be read as
    # placeholders.
    bind.connection.driver_connection.cursor().execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("""
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
                     AND tablename LIKE 'procrastinate\\_%' LOOP
                EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
            END LOOP;
            FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
                EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.f);
            END LOOP;
            FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                     WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                     AND t.typtype IN ('e', 'c') LOOP
                EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
            END LOOP;
        END $$;
    """)

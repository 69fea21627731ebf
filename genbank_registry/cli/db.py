"""`genbank-registry db …`: schema migrations (Alembic owns the schema)."""
from __future__ import annotations

import typer

from genbank_registry import migrate
from genbank_registry.cli.common import console, settings

app = typer.Typer(help="Database schema: upgrade, downgrade, status.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("heads", help="target revision (default: the newest)")):
    """Apply migrations to the database named by GENBANK_REGISTRY_DATABASE_URL."""
    url = settings().database_url
    migrate.upgrade(url, revision)
    console.print(f"Cơ sở dữ liệu đã cập nhật / database upgraded: {', '.join(sorted(migrate.current_revisions(url)))}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="target revision, or 'base' to remove every table")):
    """Revert migrations down to REVISION."""
    migrate.downgrade(settings().database_url, revision)
    console.print(f"downgraded to {revision}")


@app.command()
def status():
    """Show the database's revision and whether it is up to date."""
    url = settings().database_url
    current, heads = migrate.current_revisions(url), migrate.head_revisions()
    console.print(f"database: {url}")
    console.print(f"current:  {', '.join(sorted(current)) or '(empty)'}")
    console.print(f"newest:   {', '.join(sorted(heads))}")
    if current != heads:
        console.print("[yellow]not up to date: run `genbank-registry db upgrade`[/]")
        raise typer.Exit(1)


@app.command()
def reindex():
    """Rebuild every accession's search words and public search-index row (after an upgrade or a bulk edit)."""
    from sqlalchemy import func
    from sqlmodel import select

    from genbank_registry.db import session_scope
    from genbank_registry.models import Accession
    from genbank_registry.search.text import reindex_all
    from genbank_registry.cli.common import engine_for, progress_bar, reported_errors

    with engine_for(settings().database_url) as engine, reported_errors():
        with session_scope(engine) as session:
            total = session.exec(select(func.count()).select_from(Accession)).one()
            with progress_bar() as progress:
                task = progress.add_task("Đang lập chỉ mục / indexing", total=total)
                n = reindex_all(session, progress=lambda: progress.advance(task))
    console.print(f"Đã lập chỉ mục {n} mẫu / {n} accessions indexed")

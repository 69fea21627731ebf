"""`genbank-registry db …`: schema migrations (Alembic owns the schema)."""
from __future__ import annotations

import typer

from .. import migrate
from .common import console, settings

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

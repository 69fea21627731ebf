"""What every CLI command shares: settings, the engine, the console and error reporting."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from genbank_registry import migrate
from genbank_registry.db import is_sqlite, make_engine, normalize_url
from genbank_registry.errors import RegistryError
from genbank_registry.settings import Settings, get_settings

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # an error line stays one line, greppable


def settings() -> Settings:
    return get_settings()


def _missing_file(url: str) -> str | None:
    """A SQLite URL naming no file: said before an engine is made, which would create an empty one."""
    if is_sqlite(url):
        database = make_url(normalize_url(url)).database
        if database and database != ":memory:" and not Path(database).exists():
            return (f"no registry database at {database}: run `genbank-registry db upgrade` to create it (or "
                    "`make run`), or set GENBANK_REGISTRY_DATABASE_URL to the registry's database")
    return None


def schema_problem(engine: Engine) -> str | None:
    """Why the registry's commands cannot run on this database (unreachable, no schema, an older schema), or
    None: checked before a command touches it, so that it says what to do rather than print a traceback."""
    shown = engine.url.render_as_string(hide_password=True)
    try:
        current = migrate.current_revisions(engine)
    except SQLAlchemyError as exc:
        return f"cannot open the database {shown}: {exc.__class__.__name__}: {' '.join(str(exc).split())[:300]}"
    heads = migrate.head_revisions()
    if not current:
        return f"the database {shown} holds no registry schema: run `genbank-registry db upgrade` first"
    if current != heads:
        return (f"the database is at schema revision {', '.join(sorted(current))}, this program needs "
                f"{', '.join(sorted(heads))}: run `genbank-registry db upgrade` first")
    return None


@contextmanager
def engine_for(url: str | None = None, check_schema: bool = True):
    url = url or settings().database_url
    if check_schema and (problem := _missing_file(url)):
        fail(problem)
    engine = make_engine(url)
    try:
        if check_schema and (problem := schema_problem(engine)):
            fail(problem)
        yield engine
    finally:
        engine.dispose()


def fail(message: str, code: int = 1):
    err_console.print(f"[bold red]Lỗi / Error:[/] {message}")
    raise typer.Exit(code)


@contextmanager
def reported_errors():
    """Registry errors become one readable line and exit code 1, not a traceback."""
    try:
        yield
    except RegistryError as exc:
        fail(str(exc))


class RateColumn(ProgressColumn):
    """Records per second, so long imports show their pace."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rec/s" if speed else "– rec/s", style="cyan")


def progress_bar(transient: bool = True) -> Progress:
    """Records done, rate and time left: the bar every long command shows."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                    transient=transient)

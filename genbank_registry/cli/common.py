"""What every CLI command shares: settings, the engine, the console and error reporting."""
from __future__ import annotations

from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text

from genbank_registry.db import make_engine
from genbank_registry.errors import RegistryError
from genbank_registry.settings import Settings, get_settings

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # an error line stays one line, greppable


def settings() -> Settings:
    return get_settings()


@contextmanager
def engine_for(url: str | None = None):
    engine = make_engine(url or settings().database_url)
    try:
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

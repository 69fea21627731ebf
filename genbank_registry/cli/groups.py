"""Command groups that several modules add commands to (`import sequences`, `import mcpd`, `export dwca`…)."""
from __future__ import annotations

import typer

import_app = typer.Typer(help="Import data files (each import is recorded as an import batch).", no_args_is_help=True)
export_app = typer.Typer(help="Export the published catalogue (public forms only unless a flag says otherwise).",
                         no_args_is_help=True)
report_app = typer.Typer(help="Reports on the catalogue and on biodiversity surveys.", no_args_is_help=True)

"""The `genbank-registry` command. Help text in English; messages users read may be bilingual.

This package is the one place that wires the core to `importers` and `web`.
"""
from __future__ import annotations

import typer

from genbank_registry.cli import (  # noqa: F401  (batches, sequences, standards and surveys add commands to the groups)
    accessions, backup, batches, db, places, seed, sequences, serve, standards, surveys, users, worker,
)
from genbank_registry.cli.groups import export_app, import_app, report_app

app = typer.Typer(help="Gene bank and biological resource registry of Cần Thơ's gene fund.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(db.app, name="db")
app.add_typer(seed.app, name="seed")
app.add_typer(places.app, name="places")
app.add_typer(accessions.app, name="accessions")
app.add_typer(users.users_app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(report_app, name="report")
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)


if __name__ == "__main__":
    app()

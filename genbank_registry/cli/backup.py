"""`genbank-registry backup OUT` and `restore IN`: the whole registry (database and uploads) in one archive."""
from __future__ import annotations

from pathlib import Path

import typer

from genbank_registry.operations import backup as backups
from genbank_registry.cli.common import console, fail, progress_bar, reported_errors, settings


def _progress(progress):
    tasks: dict[str, int] = {}

    def tell(step: str, done: int, total: int) -> None:
        if step not in tasks:
            label = {"database": "Cơ sở dữ liệu / database", "uploads": "Tệp tải lên / uploads"}.get(step, step)
            tasks[step] = progress.add_task(label, total=total or 1)
        progress.update(tasks[step], completed=done, total=total or 1)
    return tell


def backup(out: Path = typer.Argument(..., help="archive to write (a .tar file; written whole or not at all)")):
    """Back up the database of GENBANK_REGISTRY_DATABASE_URL and the uploads folder, while the registry runs."""
    cfg = settings()
    if out.is_dir():
        fail(f"{out} is a folder: give the archive's file name, e.g. {out / 'registry-backup.tar'}")
    with reported_errors(), progress_bar() as progress:
        manifest = backups.backup(cfg.database_url, Path(cfg.upload_dir), out, _progress(progress))
    rows = sum(manifest.tables.values())
    uploads = sum(1 for name in manifest.files if name.startswith("uploads/"))
    console.print(f"Đã sao lưu / backed up: {len(manifest.tables)} tables, {rows:,} rows, {uploads:,} uploaded "
                  f"files, schema {', '.join(manifest.alembic_revision)} → {out} ({out.stat().st_size:,} bytes)")


def restore(
    archive: Path = typer.Argument(..., help="an archive `genbank-registry backup` wrote"),
    force: bool = typer.Option(False, "--force", help="replace a target that already holds data"),
):
    """Restore an archive into the database of GENBANK_REGISTRY_DATABASE_URL and the uploads folder.

    The archive's checksums are verified before anything changes, and the restored tables' row counts after."""
    cfg = settings()
    with reported_errors(), progress_bar() as progress:
        manifest = backups.restore(archive, cfg.database_url, Path(cfg.upload_dir), force=force,
                                   progress=_progress(progress))
    rows = sum(manifest.tables.values())
    console.print(f"Đã khôi phục / restored: {len(manifest.tables)} tables, {rows:,} rows (every count checked) "
                  f"from the backup of {manifest.created_at}")
    note = backups.revision_note(manifest)
    if note:
        console.print(f"[yellow]{note}[/]")

"""`backup` then `restore` into an empty registry gives back every row of every table, the uploaded files and the
same search results; a non-empty target, a damaged archive or the other engine is refused with nothing changed."""
from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session
from typer.testing import CliRunner

from genbank_registry import migrate
from genbank_registry.cli import app
from genbank_registry.db import is_sqlite, make_engine
from genbank_registry.models import ImportBatch
from genbank_registry.operations import backup as backups
from genbank_registry.search.query import SearchQuery, search

from .conftest import FIXTURES

GENBANK = "cor6_6.gb"  # six records with features and references
QUERIES = ["lúa", "ca", "cá", "bưởi năm roi", "Cái Răng", "dau", ""]


@pytest.fixture
def source_and_target(new_database):
    """A populated registry (demo catalogue, sequences and surveys) and an empty, migrated one."""
    return new_database("surveys"), new_database("empty")


def _uploads(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _every_row(url: str) -> dict[str, list[tuple]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = {}
            for name in sorted(inspect(conn).get_table_names()):
                rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
                tables[name] = sorted((tuple(map(repr, row)) for row in rows))
            return tables
    finally:
        engine.dispose()


def _searches(url: str) -> list:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            out = []
            for q in QUERIES:
                result = search(s, SearchQuery(q=q, limit=50))
                out.append((q, result.total, result.whole_total,
                            [f"{i.instcode}:{i.accenumb}" for i in result.items], result.facets))
            return out
    finally:
        engine.dispose()


def _cli(args: list[str], url: str, uploads: Path):
    return CliRunner().invoke(app, args, env={"GENBANK_REGISTRY_DATABASE_URL": url,
                                              "GENBANK_REGISTRY_UPLOAD_DIR": str(uploads)})


def test_backup_then_restore_gives_back_everything(source_and_target, tmp_path):
    source, target = source_and_target
    uploads = tmp_path / "uploads"
    (uploads / "2026" / "12").mkdir(parents=True)
    (uploads / "2026" / "12" / "passports.csv").write_text("INSTCODE,ACCENUMB\nVNM049,CT-1\n", encoding="utf-8")
    (uploads / "2026" / "12" / "reads.fasta.gz").write_bytes(bytes(range(256)) * 40)
    archive = tmp_path / "registry.tar"
    done = _cli(["import", "sequences", str(FIXTURES / "sequences" / "genbank" / GENBANK)], source, uploads)
    assert done.exit_code == 0, done.output

    done = _cli(["backup", str(archive)], source, uploads)
    assert done.exit_code == 0, done.output
    assert "backed up" in done.output and archive.is_file() and not archive.with_name("registry.tar.part").exists()
    manifest = backups.read_manifest(archive)
    assert manifest.alembic_revision == sorted(migrate.head_revisions())
    assert manifest.tables["accession"] > 0 and manifest.tables["sequence_record"] > 0
    assert manifest.tables["sampling_event"] > 0

    restored_uploads = tmp_path / "restored-uploads"
    done = _cli(["restore", str(archive)], target, restored_uploads)
    assert done.exit_code == 0, done.output
    assert "every count checked" in done.output

    assert _every_row(target) == _every_row(source)
    assert _uploads(restored_uploads) == _uploads(uploads)
    assert _searches(target) == _searches(source)

    # The restored registry takes new records: its id sequences continue after the restored rows.
    engine = make_engine(target)
    with Session(engine) as s:
        highest = s.exec(text("SELECT max(id) FROM import_batch")).scalar_one()
        batch = ImportBatch(format="mcpd", source_filename="after-restore.csv")
        s.add(batch)
        s.commit()
        assert batch.id > highest
        assert s.exec(text("SELECT count(*) FROM import_batch")).scalar_one() == manifest.tables["import_batch"] + 1
    engine.dispose()


def test_restore_refuses_a_target_with_data(source_and_target, tmp_path):
    source, target = source_and_target
    archive = tmp_path / "registry.tar"
    backups.backup(source, tmp_path / "none", archive)
    before = _every_row(source)
    done = _cli(["restore", str(archive)], source, tmp_path / "up")
    assert done.exit_code == 1
    assert "not empty" in done.output and "nothing was changed" in done.output and "--force" in done.output
    assert _every_row(source) == before

    # Told to, it replaces everything the target holds.
    engine = make_engine(source)
    with Session(engine) as s:
        s.add(ImportBatch(format="mcpd", source_filename="made-after-the-backup.csv"))
        s.commit()
    engine.dispose()
    done = _cli(["restore", str(archive), "--force"], source, tmp_path / "up")
    assert done.exit_code == 0, done.output
    assert _every_row(source) == before


def test_restore_refuses_a_damaged_archive_or_the_other_engine(source_and_target, tmp_path):
    source, target = source_and_target
    archive = tmp_path / "registry.tar"
    backups.backup(source, tmp_path / "none", archive)
    empty = _every_row(target)

    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("database."):
                data = data[:-100] + bytes(100)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    done = _cli(["restore", str(damaged)], target, tmp_path / "up")
    assert done.exit_code == 1 and "damaged" in done.output and "nothing was changed" in done.output
    assert _every_row(target) == empty

    other = "postgresql+psycopg://postgres@127.0.0.1:5432/test" if is_sqlite(target) else \
        f"sqlite:///{tmp_path / 'other.db'}"
    done = _cli(["restore", str(archive)], other, tmp_path / "up")
    assert done.exit_code == 1 and "cannot be restored into" in done.output

    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_text("just text")
    done = _cli(["restore", str(not_a_backup)], target, tmp_path / "up")
    assert done.exit_code == 1 and "not a readable backup archive" in done.output

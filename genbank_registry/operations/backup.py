"""Backup and restore of a whole registry: its database and its uploaded files, in one checked archive.

The archive is a tar file holding `manifest.json`, the database (`database.sqlite3`, a consistent copy made with
SQLite's online backup API while the registry keeps running, or `database.pgdump`, `pg_dump --format=custom`
taken in the snapshot the row counts were read in) and `uploads/` (the files web imports keep). The manifest
names the program version, the Alembic revision, every table's row count and every file's SHA-256, so a restore
checks the archive before it touches anything and checks the restored registry against it afterwards.

A restore replaces the whole database and the uploads folder; it refuses a target that holds any data unless
told `force`, and it never leaves a half-restored SQLite file under the real name.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from genbank_registry import migrate, models
from genbank_registry.checksums import sha256_of
from genbank_registry.db import is_sqlite, make_engine, normalize_url
from genbank_registry.errors import RegistryError

FORMAT = "genbank-registry-backup"
VERSION = 1
SQLITE_NAME, PG_NAME, MANIFEST = "database.sqlite3", "database.pgdump", "manifest.json"
Progress = Callable[[str, int, int], None]  # (step, done, total)


class BackupError(RegistryError):
    pass


@dataclass
class Manifest:
    engine: str
    alembic_revision: list[str]
    tables: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)  # archive name → sha256
    program_version: str = ""
    created_at: str = ""
    format: str = FORMAT
    version: int = VERSION

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes, archive: Path) -> "Manifest":
        try:
            raw = json.loads(data)
        except ValueError as exc:
            raise BackupError(f"{archive}: {MANIFEST} is not JSON ({exc}); the archive is damaged") from exc
        if raw.get("format") != FORMAT:
            raise BackupError(f"{archive}: not a genbank-registry backup ({MANIFEST} has format "
                              f"{raw.get('format')!r})")
        if raw.get("version", 0) > VERSION:
            raise BackupError(f"{archive}: backup format version {raw['version']} is newer than this program "
                              f"reads ({VERSION}); restore it with the version that made it "
                              f"({raw.get('program_version')})")
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


def _program_version() -> str:
    try:
        return metadata.version("genbank-registry")
    except metadata.PackageNotFoundError:
        return "unknown"


def _libpq_url(url: str) -> str:
    """pg_dump and pg_restore take a libpq URL: no SQLAlchemy driver name."""
    return make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(normalize_url(url)).database
    if not database or database == ":memory:":
        raise BackupError(f"{url}: an in-memory database has nothing to back up or restore into")
    return Path(database)


def _tables(conn) -> list[str]:
    return sorted(inspect(conn).get_table_names())


def row_counts(conn) -> dict[str, int]:
    """Every table's row count (FTS shadow tables included: they are part of what is restored)."""
    return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in _tables(conn)}


def _revisions(counts: dict[str, int], conn) -> list[str]:
    if "alembic_version" not in counts:
        return []
    return sorted(r for (r,) in conn.execute(text("SELECT version_num FROM alembic_version")))


def _upload_files(upload_dir: Path) -> list[Path]:
    return sorted(p for p in upload_dir.rglob("*") if p.is_file()) if upload_dir.is_dir() else []


# --- backup -----------------------------------------------------------------------------------------------------

def backup(url: str, upload_dir: Path, out: Path, progress: Progress | None = None) -> Manifest:
    """Write the archive `out` (atomically: `out.part` first) and return its manifest."""
    progress = progress or (lambda *_: None)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="registry-backup-", dir=out.parent) as tmp:
        tmp = Path(tmp)
        if is_sqlite(url):
            db_name, manifest = SQLITE_NAME, _backup_sqlite(url, tmp / SQLITE_NAME, progress)
        else:
            db_name, manifest = PG_NAME, _backup_postgres(url, tmp / PG_NAME, progress)
        manifest.files[db_name] = sha256_of(tmp / db_name)
        uploads = _upload_files(upload_dir)
        for path in uploads:
            manifest.files["uploads/" + path.relative_to(upload_dir).as_posix()] = sha256_of(path)
        manifest.program_version = _program_version()
        manifest.created_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        part = out.with_name(out.name + ".part")
        with tarfile.open(part, "w") as tar:
            info = tarfile.TarInfo(MANIFEST)
            data = manifest.to_json()
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(tmp / db_name, arcname=db_name)
            for n, path in enumerate(uploads, 1):
                tar.add(path, arcname="uploads/" + path.relative_to(upload_dir).as_posix())
                progress("uploads", n, len(uploads))
        part.replace(out)
    return manifest


def _backup_sqlite(url: str, dest: Path, progress: Progress) -> Manifest:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"{source}: no such database file; check GENBANK_REGISTRY_DATABASE_URL")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(dest)
    try:
        # Online: other connections keep reading and writing; pages they change are copied again.
        src.backup(dst, pages=1024, progress=lambda _status, remaining, total: progress(
            "database", total - remaining, total))
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        src.close()
        dst.close()
    engine = make_engine(f"sqlite:///{dest}")
    try:
        with engine.connect() as conn:
            counts = row_counts(conn)
            return Manifest(engine="sqlite", alembic_revision=_revisions(counts, conn), tables=counts)
    finally:
        engine.dispose()


def _run(args: list[str], what: str) -> None:
    try:
        done = subprocess.run(args, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{args[0]} is not installed: install the PostgreSQL client programs "
                          "(Debian: apt install postgresql-client) of the server's version or newer") from exc
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _backup_postgres(url: str, dest: Path, progress: Progress) -> Manifest:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # The counts and the dump see one snapshot: exported from this transaction, held open meanwhile.
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = row_counts(conn)
            manifest = Manifest(engine="postgresql", alembic_revision=_revisions(counts, conn), tables=counts)
            progress("database", 0, 1)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  "--file", str(dest), _libpq_url(url)], "pg_dump")
            progress("database", 1, 1)
            conn.rollback()
    finally:
        engine.dispose()
    return manifest


# --- restore ----------------------------------------------------------------------------------------------------

def read_manifest(archive: Path) -> Manifest:
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        with tarfile.open(archive) as tar:
            member = tar.getmember(MANIFEST)
            return Manifest.from_json(tar.extractfile(member).read(), archive)
    except (tarfile.TarError, KeyError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc}); make a new one with "
                          "`genbank-registry backup`") from exc


def holdings(url: str, upload_dir: Path) -> tuple[int, int]:
    """(rows in the target's registry tables; files in its uploads folder). A freshly migrated database holds
    none: Alembic's own row and the search engine's bookkeeping (FTS5 `_config`/`_data`) are not data."""
    rows = 0
    if not is_sqlite(url) or _sqlite_path(url).exists():
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                ours = set(models.metadata.tables)
                rows = sum(n for name, n in row_counts(conn).items() if name in ours)
        finally:
            engine.dispose()
    return rows, len(_upload_files(upload_dir))


def restore(archive: Path, url: str, upload_dir: Path, force: bool = False,
            progress: Progress | None = None) -> Manifest:
    """Restore `archive` into the database `url` and `upload_dir`; checks the archive first, the result after."""
    progress = progress or (lambda *_: None)
    manifest = read_manifest(archive)
    engine_name = "sqlite" if is_sqlite(url) else "postgresql"
    if manifest.engine != engine_name:
        raise BackupError(f"{archive}: a {manifest.engine} backup cannot be restored into {engine_name}; "
                          f"restore it into a {manifest.engine} database (or import the exports: MCPD, DwC-A)")
    rows, files = holdings(url, upload_dir)
    if (rows or files) and not force:
        raise BackupError(f"the target is not empty ({rows:,} rows in its tables, {files:,} uploaded files): "
                          "nothing was changed. Restore into an empty database, or pass --force to replace "
                          "everything it holds")
    with tempfile.TemporaryDirectory(prefix="registry-restore-") as tmp:
        tmp = Path(tmp)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")  # no absolute paths, no `..`, no devices
        for name, digest in sorted(manifest.files.items()):
            path = tmp / name
            if not path.is_file() or sha256_of(path) != digest:
                raise BackupError(f"{archive}: {name} is missing or damaged (its SHA-256 differs from the "
                                  "manifest's): nothing was changed")
        if engine_name == "sqlite":
            _restore_sqlite(tmp / SQLITE_NAME, _sqlite_path(url))
        else:
            _restore_postgres(tmp / PG_NAME, url)
        progress("database", 1, 1)
        _check(url, manifest, archive)
        if upload_dir.exists():
            shutil.rmtree(upload_dir)
        upload_dir.mkdir(parents=True, exist_ok=True)
        if (tmp / "uploads").is_dir():
            shutil.copytree(tmp / "uploads", upload_dir, dirs_exist_ok=True)
    return manifest


def _restore_sqlite(copy: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    shutil.copyfile(copy, part)
    for suffix in ("-wal", "-shm"):  # a stale WAL beside the new file would be replayed into it
        Path(str(target) + suffix).unlink(missing_ok=True)
    part.replace(target)


def _restore_postgres(dump: Path, url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            # The whole schema is replaced: tables a newer migration added in the target must not remain.
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--dbname", _libpq_url(url), str(dump)], "pg_restore")


def _check(url: str, manifest: Manifest, archive: Path) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            counts = row_counts(conn)
    finally:
        engine.dispose()
    wrong = {name: (n, counts.get(name)) for name, n in manifest.tables.items() if counts.get(name) != n}
    if wrong:
        listed = "; ".join(f"{name}: {want:,} in the backup, {got} restored" for name, (want, got) in wrong.items())
        raise BackupError(f"{archive}: the restored database differs from the backup ({listed})")


def revision_note(manifest: Manifest) -> str | None:
    """What to do when the backup's schema is not this program's newest."""
    heads = migrate.head_revisions()
    if set(manifest.alembic_revision) == heads:
        return None
    return (f"the backup's schema is revision {', '.join(manifest.alembic_revision) or '(none)'}, this program's "
            f"is {', '.join(sorted(heads))}: run `genbank-registry db upgrade` before serving it")

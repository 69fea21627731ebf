"""MCPD passport import speed: validation alone, and the import on SQLite and PostgreSQL, beside named peers.

    .venv/bin/python bench/import_passport.py [--rows 100000] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The file is generated from the demo catalogue (its published accessions, renumbered, with coordinates moved
inside their district and dates varied), so every row is valid and every taxon is known. Peers, measured in the
same run on the same file: `csv.DictReader` reading the rows (the floor: no validation at all) and
`csv.DictReader` + `AccessionCreate.model_validate` (the contract's pydantic validation without any registry
check: no taxon matching, no duplicates, no coordinates against DMS or Viet Nam). Each phase runs in its own
process so that its peak memory (ru_maxrss) is its own. Target: ≥ 10,000 rows/s for the import on SQLite.
Without --postgres, TEST_POSTGRES_URL is used when set; otherwise PostgreSQL is skipped.

Measured 2026-11-24 on a 2-core VM (load about 1.5; single runs vary by up to a third), after the merge of
all of that day's work (the public FTS5 table indexes four columns; empty columns are left out of SQLite's
INSERT): validation alone 50,387 rows/s (pydantic-only peer 54,420, reading floor 263,655); import into SQLite
12,936 rows/s (second run 12,301), PostgreSQL 7,623 rows/s; peak 195 MB and 129 MB. The same day's main before
this work: 4,568 and 4,445 rows/s. Where the SQLite time goes: docs/standards.md, "Speed".
"""
from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_file(path: Path, rows: int) -> None:
    from sqlmodel import Session

    from genbank_registry.db import make_engine, session_scope
    from genbank_registry import migrate
    from genbank_registry.catalogue import seed
    from genbank_registry.standards.mcpd_export import public_to_mcpd
    from schemas.places import DISTRICTS
    from schemas.standards import ALL_COLUMNS
    from genbank_registry.models import Accession
    from genbank_registry.catalogue.public_form import PublicFormBuilder
    from sqlmodel import select

    url = f"sqlite:///{path.parent / 'demo.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        seed.load_catalogue(s, seed.read_catalogue(seed.demo_catalogue_path()))
    with Session(engine) as s:
        builder = PublicFormBuilder(s)
        templates = [public_to_mcpd(builder.build(a)) for a in s.exec(
            select(Accession).where(Accession.publication_status == "published"))]
    engine.dispose()
    rng = random.Random(53)
    districts = list(DISTRICTS.values())
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(ALL_COLUMNS))
        writer.writeheader()
        for i in range(rows):
            row = dict(templates[i % len(templates)])
            row["ACCENUMB"] = f"B-{i:06d}"
            row["SENSITIVITY"] = ""
            if row["DECLATITUDE"]:
                d = rng.choice(districts)
                row["DECLATITUDE"] = f"{rng.uniform(d.min_lat, d.max_lat):.5f}"
                row["DECLONGITUDE"] = f"{rng.uniform(d.min_lon, d.max_lon):.5f}"
            row["COLLDATE"] = f"{rng.randint(2000, 2024)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            writer.writerow(row)


def _registry(url: str) -> None:
    """Institutions, tasks, taxa and assessments of the demo catalogue; no accessions."""
    from genbank_registry import migrate
    from genbank_registry.db import make_engine, session_scope
    from genbank_registry.catalogue import seed

    migrate.upgrade(url)
    engine = make_engine(url)
    data = seed.read_catalogue(seed.demo_catalogue_path())
    with session_scope(engine) as s:
        seed.load_catalogue(s, {k: data[k] for k in ("institutions", "tasks", "taxa", "assessments")})
    engine.dispose()


def phase_floor(path: str) -> int:
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def phase_pydantic(path: str) -> int:
    from pydantic import ValidationError

    from schemas.accessions import AccessionCreate

    n = 0
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            values = {k.lower(): v for k, v in row.items() if v and k not in ("LATITUDE", "LONGITUDE", "HISTORIC",
                                                                                "SENSITIVITY")}
            values["instcode"] = values.pop("instcode", "")
            try:
                AccessionCreate.model_validate(values)
                n += 1
            except ValidationError:
                pass
    return n


def phase_validate(path: str, url: str) -> int:
    from sqlmodel import Session

    from genbank_registry.db import make_engine
    from importers.mcpd import McpdReader, PassportValidator
    from importers.registry_index import RegistryIndex

    engine = make_engine(url)
    with Session(engine) as s:
        reader = McpdReader(Path(path))
        validator = PassportValidator(RegistryIndex(s), reader.columns.columns)
        good = sum(1 for row, cells in reader if validator.validate(row, cells)[0] is not None)
    engine.dispose()
    return good


def phase_import(path: str, url: str) -> int:
    from genbank_registry.db import make_engine
    from importers import loader

    engine = make_engine(url)
    result = loader.import_mcpd(engine, Path(path))
    engine.dispose()
    assert result.errors == [], result.errors[:3]
    return result.added


def _child(queue, func, args):
    # Imports are not the work being measured: load them before the clock starts.
    import importers.loader  # noqa: F401
    import importers.mcpd  # noqa: F401
    import schemas.catalogue  # noqa: F401

    start = time.perf_counter()
    n = func(*args)
    elapsed = time.perf_counter() - start
    queue.put((n, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def run(name: str, func, *args) -> tuple[int, float, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, func, args))
    proc.start()
    result = queue.get()
    proc.join()
    n, elapsed, peak = result
    print(f"{name:<48} {n:>8,} rows {elapsed:7.2f} s {n / elapsed:>10,.0f} rows/s  peak {peak:6.0f} MB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        path = tmp_path / "passport.csv"
        make_file(path, args.rows)
        print(f"{args.rows:,} MCPD rows, {path.stat().st_size / 1e6:.1f} MB (generated from the demo catalogue)")
        sqlite_url = f"sqlite:///{tmp_path / 'bench.db'}"
        _registry(sqlite_url)
        floor = run("peer: csv.DictReader (reading only)", phase_floor, str(path))
        peer = run("peer: csv.DictReader + AccessionCreate (pydantic)", phase_pydantic, str(path))
        ours = run("ours: validation alone (all checks)", phase_validate, str(path), sqlite_url)
        sqlite = run("ours: import into SQLite", phase_import, str(path), sqlite_url)
        rate = {k: v[0] / v[1] for k, v in (("floor", floor), ("peer", peer), ("ours", ours), ("sqlite", sqlite))}
        pg = None
        if args.postgres:
            import psycopg
            from sqlalchemy.engine import make_url

            from genbank_registry.db import normalize_url

            url = make_url(normalize_url(args.postgres))
            name = f"bench_passport_{uuid.uuid4().hex[:8]}"
            admin = psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                                    dbname=url.database or "postgres", autocommit=True)
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                pg_url = url.set(database=name).render_as_string(hide_password=False)
                _registry(pg_url)
                pg = run("ours: import into PostgreSQL", phase_import, str(path), pg_url)
                rate["pg"] = pg[0] / pg[1]
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()
        print()
        print(f"validation vs pydantic-only peer: {rate['ours'] / rate['peer']:.2f}×  "
              f"(vs reading floor: {rate['ours'] / rate['floor']:.2f}×)")
        print(f"SQLite import vs pydantic-only peer: {rate['sqlite'] / rate['peer']:.2f}×  "
              f"target ≥ 10,000 rows/s: {'met' if rate['sqlite'] >= 10_000 else 'NOT met'} ({rate['sqlite']:,.0f})")
        if pg:
            print(f"PostgreSQL import vs pydantic-only peer: {rate['pg'] / rate['peer']:.2f}×")


if __name__ == "__main__":
    main()

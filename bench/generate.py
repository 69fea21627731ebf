"""Generate a synthetic catalogue of N accessions (default 100,000) for the search benchmark.

    .venv/bin/python bench/generate.py sqlite:///var/bench-100k.db [--n 100000]
    .venv/bin/python bench/generate.py postgresql://postgres@127.0.0.1:5432/bench_100k --n 100000

Names, taxa, institutions, tasks and the mix of categories come from the demo catalogue
(fixtures/demo/catalogue.json): every synthetic accession copies a demo accession's passport data and gets its
own number, collecting number, date, commune and point inside a real district of Cần Thơ (real commune names
from fixtures/demo/make_demo.py). About 92% are published. Rows are written with bulk inserts, then the search
words and the public search index are built by the same service the registry uses (search.index),
so the benchmark measures the real index. The database must be empty or absent (it is created and migrated).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from sqlalchemy import delete, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures.demo.make_demo import COMMUNES  # noqa: E402
from genbank_registry import migrate  # noqa: E402
from genbank_registry.db import make_engine, normalize_url, session_scope  # noqa: E402
from genbank_registry.models import Accession, AccessionIndex, GeneFundTask, Institution, utcnow  # noqa: E402
from genbank_registry.catalogue import records as catalogue
from genbank_registry.catalogue import seed  # noqa: E402
from genbank_registry.search.index import IndexBuilder  # noqa: E402
from genbank_registry.search.text import refresh_search_text  # noqa: E402
from schemas.accessions import AccessionBase, AccessionCreate  # noqa: E402
from schemas.places import DISTRICTS  # noqa: E402

CHUNK = 5000


def create_database(url: str) -> None:
    """A fresh PostgreSQL database (dropped first if it exists); SQLite files are removed."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def templates(session: Session, data: dict) -> list[dict]:
    """Demo accessions as table rows with their foreign keys resolved."""
    out = []
    inst = {i.code: i.id for i in session.exec(select(Institution))}
    tasks = {t.code: t.id for t in session.exec(select(GeneFundTask))}
    for item in data["accessions"]:
        acc = AccessionCreate.model_validate(item)
        row = acc.model_dump(include=set(AccessionBase.model_fields))
        taxon = catalogue.resolve_taxon(session, catalogue.taxon_name_of(acc))
        row |= {"institution_id": inst[acc.instcode], "taxon_id": taxon.id if taxon else None,
                "task_id": tasks.get(acc.task_code)}
        out.append(row)
    return out


def synthetic(rng: random.Random, template: dict, n: int) -> dict:
    row = dict(template)
    prefix = template["accenumb"].split("-")[0]
    district = template["district_code"] if rng.random() < 0.7 and template["district_code"] else \
        rng.choice(list(DISTRICTS))
    d = DISTRICTS[district]
    commune = rng.choice(COMMUNES[district])
    year = rng.randint(2012, 2025)
    row.update(
        accenumb=f"{prefix}-S{n:06d}", collnumb=f"SYN-{year}-{rng.randint(1, 9999):04d}",
        district_code=district, commune=commune,
        admin_unit_recorded=f"{commune}, {d.type_vi.lower()} {d.name_vi}, TP. Cần Thơ",
        collsite=f"Hộ dân ấp {rng.randint(1, 12)}, {commune}, {d.type_vi.lower()} {d.name_vi}",
        declatitude=round(rng.uniform(d.min_lat, d.max_lat), 5),
        declongitude=round(rng.uniform(d.min_lon, d.max_lon), 5),
        colldate=f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        publication_status=rng.choices(["published", "draft", "submitted"], [92, 5, 3])[0],
        search_text="", created_at=utcnow(), updated_at=utcnow(),
    )
    return row


def generate(url: str, n: int, seed_value: int = 53) -> None:
    create_database(url)
    migrate.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(seed_value)
    started = time.perf_counter()
    with session_scope(engine) as session:
        data = seed.read_catalogue(seed.demo_catalogue_path())
        seed.load_catalogue(session, data, fmt="bench", source="bench/generate.py")
        rows = templates(session, data)
    todo = max(0, n - len(rows))
    with engine.begin() as conn:
        for start in range(0, todo, CHUNK):
            conn.execute(insert(Accession), [synthetic(rng, rng.choice(rows), start + i)
                                             for i in range(min(CHUNK, todo - start))])
    inserted = time.perf_counter()
    print(f"inserted {todo:,} accessions in {inserted - started:.1f} s; indexing…", flush=True)
    with Session(engine, expire_on_commit=False) as session:
        session.exec(delete(AccessionIndex))
        builder = IndexBuilder(session, all_new=True)
        ids = list(session.exec(select(Accession.id).order_by(Accession.id)))
        for start in range(0, len(ids), CHUNK):
            with session.no_autoflush:
                for acc in session.exec(select(Accession).where(Accession.id.in_(ids[start:start + CHUNK]))):
                    refresh_search_text(session, acc, builder=builder)
                    session.add(acc)
            session.commit()
            session.expunge_all()
            print(f"  indexed {min(start + CHUNK, len(ids)):,}/{len(ids):,} "
                  f"({time.perf_counter() - inserted:.0f} s)", flush=True)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()
    print(f"done: {len(ids):,} accessions in {time.perf_counter() - started:.0f} s → {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="sqlite:///var/bench-100k.db or postgresql://…/bench_100k")
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    generate(args.url, args.n)


if __name__ == "__main__":
    main()

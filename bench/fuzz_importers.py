"""A longer fuzzing run of every importer than CI's (tests/test_importer_fuzz.py), from mutated real files.

    .venv/bin/python bench/fuzz_importers.py [--examples 1000] [--formats fasta,genbank,...] [--random]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep test-artifacts/fuzz] [-v]

The mutations and the checks are those of tests/importer_fuzz.py: no exception but the registry's own refusals
(each with a message), every rejected record located, the database equal to the import batches. Each format
runs on a fresh demo database (a temporary SQLite file; with --postgres, or TEST_POSTGRES_URL, also a scratch
PostgreSQL database dropped afterwards). `--random` gives other inputs than CI's on every run (not
derandomised). Prints the inputs tried, refused and failed per format and each failure; failing inputs are
kept under --keep to reproduce. Exit code 1 when anything failed. Not a test: no timing is asserted.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import settings  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from genbank_registry import migrate  # noqa: E402
from genbank_registry.db import make_engine, normalize_url, session_scope  # noqa: E402
from genbank_registry.catalogue import seed  # noqa: E402
from tests import importer_fuzz  # noqa: E402


def _demo(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        seed.load_catalogue(session, seed.read_catalogue(seed.demo_catalogue_path()))
    engine.dispose()


class _Postgres:
    def __init__(self, url: str):
        import psycopg

        self.url = make_url(normalize_url(url))
        self.admin = psycopg.connect(host=self.url.host or "127.0.0.1", port=self.url.port or 5432,
                                     user=self.url.username or "postgres", password=self.url.password,
                                     dbname=self.url.database or "postgres", autocommit=True)

    def new(self) -> str:
        name = f"gr_fuzz_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        url = self.url.set(database=name).render_as_string(hide_password=False)
        _demo(url)
        return url

    def drop(self, url: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="inputs per format and engine")
    parser.add_argument("--formats", default=",".join(importer_fuzz.FORMATS))
    parser.add_argument("--random", action="store_true", help="random inputs instead of CI's derandomised ones")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--keep", type=Path, default=ROOT / "test-artifacts" / "fuzz")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every input")
    args = parser.parse_args()
    if args.random:
        importer_fuzz.PROFILE = settings(importer_fuzz.PROFILE, derandomize=False)
    print(f"load average {os.getloadavg()[0]:.1f}; {args.examples} inputs per format and engine")
    pg = _Postgres(args.postgres) if args.postgres else None
    failed = 0
    with tempfile.TemporaryDirectory(prefix="gr-fuzz-") as tmp:
        tmp = Path(tmp)
        template = tmp / "template.db"
        _demo(f"sqlite:///{template}")
        for fmt in args.formats.split(","):
            for backend in ("sqlite", "postgresql") if pg else ("sqlite",):
                if backend == "sqlite":
                    db = tmp / f"{fmt}.db"
                    shutil.copy(template, db)
                    url = f"sqlite:///{db}"
                else:
                    url = pg.new()
                engine = make_engine(url)
                start = time.monotonic()
                try:
                    stats = importer_fuzz.fuzz(fmt, engine, tmp / "inputs", args.examples, keep=args.keep,
                                               log=print if args.verbose else None)
                finally:
                    engine.dispose()
                    if backend == "postgresql":
                        pg.drop(url)
                print(f"{fmt:<11} {backend:<10} inputs tried: {stats.tried:>6}  refused as a whole: "
                      f"{stats.refused:>6}  failures: {len(stats.failures):>4}  ({time.monotonic() - start:.0f} s)")
                for failure in stats.failures:
                    print("  " + failure.replace("\n", "\n  "))
                failed += len(stats.failures)
    if failed:
        print(f"{failed} failing input(s) kept in {args.keep}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

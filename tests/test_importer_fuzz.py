"""Every importer fed mutated real files (tests/importer_fuzz.py says what is mutated and what is checked):
no traceback, every refusal a message, every rejected record located, the database equal to the batches.

A bounded, derandomised run per format (60 inputs on SQLite, 15 on PostgreSQL); `bench/fuzz_importers.py
--examples N` runs a longer one. The inputs tried are written to test-artifacts/importer-fuzz.txt and failing
inputs kept in test-artifacts/fuzz/ to reproduce.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("hypothesis")

from genbank_registry.db import make_engine  # noqa: E402

from . import importer_fuzz  # noqa: E402
from .conftest import BACKENDS  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
EXAMPLES = {"sqlite": int(os.environ.get("GENBANK_REGISTRY_FUZZ_EXAMPLES", 60)),
            "postgresql": int(os.environ.get("GENBANK_REGISTRY_FUZZ_EXAMPLES_PG", 15))}
RUNS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    if RUNS:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "importer-fuzz.txt").write_text("\n".join(RUNS) + "\n", encoding="utf-8")


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_db(request, _factories):
    """One demo database per engine for the whole module: each input is checked by what it changed."""
    factory = _factories(request.param)
    url = factory.new("demo")
    engine = make_engine(url)
    yield request.param, engine
    engine.dispose()
    factory.drop(url)


@pytest.mark.parametrize("fmt", importer_fuzz.FORMATS)
def test_importer_survives_mutated_files(fuzz_db, fmt, tmp_path):
    backend, engine = fuzz_db
    stats = importer_fuzz.fuzz(fmt, engine, tmp_path, EXAMPLES[backend], keep=ARTIFACTS / "fuzz")
    line = (f"importer fuzz inputs tried: {stats.tried} ({backend}, {fmt}; {stats.refused} refused as a whole, "
            f"{len(stats.failures)} failures)")
    print(line)
    RUNS.append(line)
    assert stats.tried >= EXAMPLES[backend] // 2, f"only {stats.tried} inputs were generated"
    assert not stats.failures, "\n\n".join(stats.failures[:20])

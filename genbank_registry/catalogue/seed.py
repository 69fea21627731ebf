"""Load a catalogue document (institutions, tasks, taxa, assessments, accessions) in dependency order.

Used by `genbank-registry seed demo`; every write is an idempotent upsert, so loading twice changes nothing.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from sqlmodel import Session, select

from schemas.codes import ImportStatus

from genbank_registry.models import Accession, ImportBatch, utcnow
from genbank_registry.catalogue import records as catalogue
from genbank_registry.search.text import refresh_search_text
from genbank_registry.search.index import IndexBuilder

SECTIONS = (
    ("institutions", catalogue.upsert_institution),
    ("tasks", catalogue.upsert_task),
    ("taxa", catalogue.upsert_taxon),
    ("assessments", catalogue.upsert_assessment),
    ("accessions", catalogue.upsert_accession),
)


def demo_catalogue_path() -> Path:
    # The demo lives in the repository's fixtures/ (the project is installed editable by `make run`).
    return Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "catalogue.json"


def load_catalogue(session: Session, data: dict, progress=None, *, source: str = "catalogue.json",
                   fmt: str = "demo") -> dict[str, Counter]:
    """Load `data`; the load is recorded as an import batch (format "demo" marks the demonstration catalogue)."""
    batch = ImportBatch(format=fmt, source_filename=source,
                        checksum=hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest())
    session.add(batch)
    results: dict[str, Counter] = {}
    for section, upsert in SECTIONS:
        counter: Counter = Counter()
        for item in data.get(section, []):
            _, outcome = upsert(session, item)
            counter[outcome] += 1
            if progress:
                progress(section)
        results[section] = counter
    # Search text depends on assessments and synonyms loaded after some accessions' taxa: refresh once more.
    builder = IndexBuilder(session)
    for acc in session.exec(select(Accession)):
        refresh_search_text(session, acc, builder=builder)
    total = sum(results.values(), Counter())
    batch.added, batch.updated, batch.unchanged = total["added"], total["updated"], total["unchanged"]
    batch.status, batch.finished_at = ImportStatus.COMPLETED, utcnow()
    batch.report = {section: dict(counter) for section, counter in results.items()}
    session.flush()
    return results


def read_catalogue(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)

"""An import killed outright (kill -9) mid-file: nothing half-written, its batch found and shown interrupted,
and the same command run again ends with what an uninterrupted run stores. Both engines, real processes."""
from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from genbank_registry.db import make_engine
from genbank_registry.models import Accession, ImportBatch
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.jobs import batches
from genbank_registry.standards.mcpd_export import public_to_mcpd
from genbank_registry.catalogue.public_form import PublicFormBuilder
from schemas.standards import ALL_COLUMNS

from .conftest import FIXTURES

CLI = str(Path(sys.executable).parent / "genbank-registry")
KILLS: list[str] = []  # what was killed where, printed at the end for the closing note


@pytest.fixture
def two_demo_urls(new_database):
    """Two copies of the demo registry: one for the killed import, one for the uninterrupted run."""
    return new_database("demo"), new_database("demo")


def _mcpd_file(url: str, path: Path, rows: int) -> None:
    """`rows` new accessions made from the demo catalogue's published ones, each with its own number."""
    engine = make_engine(url)
    with Session(engine) as s:
        builder = PublicFormBuilder(s)
        templates = [public_to_mcpd(builder.build(a)) for a in s.exec(
            select(Accession).where(Accession.publication_status == "published")).scalars()]
    engine.dispose()
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(ALL_COLUMNS))
        writer.writeheader()
        for i in range(rows):
            row = dict(templates[i % len(templates)])
            row["ACCENUMB"], row["SENSITIVITY"] = f"KILL-{i:06d}", ""
            writer.writerow(row)


def _fasta_file(path: Path, copies: int) -> int:
    text = (FIXTURES / "sequences" / "fasta" / "its_top50_head40.fasta").read_text()
    n = 0
    with open(path, "w") as f:
        for copy in range(copies):
            body = re.sub(r"^>([^|\s]+)", lambda m: f">{m.group(1)}_k{copy}", text, flags=re.M)
            f.write(body)
            n += body.count("\n>") + 1
    return n


def _env(url: str) -> dict:
    return {**os.environ, "GENBANK_REGISTRY_DATABASE_URL": url}


def _run(args: list[str], url: str, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([CLI, *args], env=_env(url), cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _kill_when(args: list[str], url: str, cwd: Path, ready) -> None:
    """Start the import, wait until `ready(engine)` says it is under way, then SIGKILL it (the process alone,
    as the OOM killer would); its parser workers are cleaned up afterwards."""
    engine = make_engine(url)
    proc = subprocess.Popen([CLI, *args], env=_env(url), cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not ready(engine):
            assert proc.poll() is None, f"the import ended before it could be killed: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "the import never got under way"
            time.sleep(0.05)
        assert proc.poll() is None, "the import ended before it could be killed: make the file bigger"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        engine.dispose()
    assert proc.returncode == -signal.SIGKILL


def _batch(engine, source: str) -> ImportBatch | None:
    with Session(engine) as s:
        return s.exec(select(ImportBatch).where(ImportBatch.source_filename == source)
                      .order_by(ImportBatch.id)).scalars().first()


def _running(engine, source: str) -> bool:
    batch = _batch(engine, source)
    return batch is not None and batch.status == "running"


def _assert_swept(url: str, source: str, cwd: Path) -> None:
    engine = make_engine(url)
    try:
        assert _batch(engine, source).status == "running"  # what the killed process left
        listing = _run(["import", "batches"], url, cwd).stdout
        assert "marked interrupted" in listing
        batch = _batch(engine, source)
        assert batch.status == "interrupted" and batch.finished_at is not None
        assert "nothing half-written" in batch.message and "same command again" in batch.message
        assert batches.sweep(engine) == []  # once
    finally:
        engine.dispose()


def test_mcpd_import_killed_mid_file(two_demo_urls, tmp_path):
    killed, clean = two_demo_urls
    source = tmp_path / "passports.csv"
    _mcpd_file(killed, source, 20_000)
    args = ["import", "mcpd", str(source)]  # drafts: publishing builds each public form, 4× slower

    def under_way(engine):  # the batch is open and the rows have been read for a while
        if not _running(engine, source.name):
            return False
        under_way.since = getattr(under_way, "since", time.monotonic())
        return time.monotonic() - under_way.since > 1.0

    _kill_when(args, killed, tmp_path, under_way)
    engine = make_engine(killed)
    with Session(engine) as s:  # one transaction per file: not one row of it is kept
        assert s.exec(select(func.count()).select_from(Accession)
                      .where(Accession.accenumb.like("KILL-%"))).scalar_one() == 0
    engine.dispose()
    _assert_swept(killed, source.name, tmp_path)

    _run(args, killed, tmp_path)
    _run(args, clean, tmp_path)
    numbers = []
    for url in (killed, clean):
        engine = make_engine(url)
        with Session(engine) as s:
            numbers.append(sorted(s.exec(select(Accession.accenumb, Accession.publication_status)
                                         .where(Accession.accenumb.like("KILL-%"))).all()))
            last = s.exec(select(ImportBatch).order_by(ImportBatch.id.desc())).scalars().first()
            assert (last.status, last.added) == ("completed", 20_000)
        engine.dispose()
    assert len(numbers[0]) == 20_000 and numbers[0] == numbers[1]
    KILLS.append(f"mcpd {make_engine(killed).dialect.name}")


def test_sequence_import_killed_mid_file(two_demo_urls, tmp_path):
    killed, clean = two_demo_urls
    source = tmp_path / "barcodes.fasta"
    total = _fasta_file(source, 2_500)  # 100,000 records, several commits
    args = ["import", "sequences", str(source), "--marker", "ITS"]

    def committed_some(engine):
        with Session(engine) as s:
            return s.exec(select(func.count()).select_from(SequenceRecord)).scalar_one() > 0

    _kill_when(args, killed, tmp_path, committed_some)
    engine = make_engine(killed)
    with Session(engine) as s:
        kept = s.exec(select(func.count()).select_from(SequenceRecord)).scalar_one()
    engine.dispose()
    assert 0 < kept < total  # whole groups of blocks were committed, the rest was not
    _assert_swept(killed, source.name, tmp_path)

    _run(args, killed, tmp_path)  # the same command completes it: the stored records are recognised unchanged
    _run(args, clean, tmp_path)
    stored = []
    for url in (killed, clean):
        engine = make_engine(url)
        with Session(engine) as s:
            stored.append(sorted(s.exec(select(SequenceRecord.content_hash)).scalars().all()))
            last = s.exec(select(ImportBatch).order_by(ImportBatch.id.desc())).scalars().first()
            assert last.status == "completed" and last.rejected == 0
            assert last.added + last.unchanged + last.updated == total
        engine.dispose()
    assert len(stored[0]) == total and stored[0] == stored[1]
    KILLS.append(f"sequences {make_engine(killed).dialect.name} ({kept:,} of {total:,} committed at the kill)")


def test_sweep_leaves_live_and_foreign_batches(db_url):
    """A batch whose process lives, or that another host runs, is not this sweep's to end."""
    engine = make_engine(db_url)
    with Session(engine) as s:
        live = ImportBatch(format="mcpd", source_filename="live.csv", report={"owner": batches.owner()})
        foreign = ImportBatch(format="mcpd", source_filename="far.csv",
                              report={"owner": {"host": "another-machine", "pid": 1, "started": "1"}})
        reused = ImportBatch(format="mcpd", source_filename="reused.csv",  # our pid, another process's start
                             report={"owner": {**batches.owner(), "started": "0"}})
        s.add_all([live, foreign, reused])
        s.commit()
        ids = live.id, foreign.id, reused.id
    assert batches.sweep(engine) == [ids[2]]
    assert batches.mark_interrupted(engine, [ids[1]]) == 1
    with Session(engine) as s:
        assert [s.get(ImportBatch, i).status for i in ids] == ["running", "interrupted", "interrupted"]
    engine.dispose()


def teardown_module(module):
    if KILLS:
        print(f"\nkills survived: {len(KILLS)}: " + "; ".join(KILLS))

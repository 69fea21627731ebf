"""Uploading through the web: streamed to disk under a limit, hostile files refused leaving nothing behind,
the import run in the background with progress, and jobs that survive a server restart."""
from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from genbank_registry.db import session_scope
from genbank_registry.models import ImportBatch
from genbank_registry.jobs.models import ImportJob
from genbank_registry.accounts import people as accounts
from genbank_registry.jobs import runner as jobs
from genbank_registry.settings import Settings
from web.app import create_app

from .conftest import PASSWORD, form_token, sign_in, wait_for_job

FASTA = b">seq1 Oryza sativa\nACGTACGTAC\n>seq2 Oryza sativa\nACGTTTGACA\n"


def count_fasta(engine, job, progress):
    """A small real handler: reads the stored file and records an import batch (the real importers plug in
    the same way through `genbank-registry serve`)."""
    text = Path(job.stored_path).read_text()
    n = text.count(">")
    progress(n, n)
    with session_scope(engine) as session:
        batch = ImportBatch(format=job.format, source_filename=job.original_filename, checksum=job.sha256,
                            status="completed", added=n)
        session.add(batch)
        session.flush()
        return batch.id


@pytest.fixture
def app(db_url, tmp_path):
    settings = Settings(database_url=db_url, upload_dir=str(tmp_path / "uploads"), upload_max_mb=1)
    app = create_app(settings, job_handlers={"fasta": count_fasta})
    with session_scope(app.state.engine) as session:
        from .factories import base_catalogue
        base_catalogue(session)
        accounts.create_user(session, {"username": "lan", "full_name": "Lan", "role": "researcher",
                                       "institution_code": "TST", "password": PASSWORD})
    yield app
    app.state.engine.dispose()


def _signed_in(app) -> tuple[TestClient, str]:
    client = TestClient(app)
    client.__enter__()  # runs the lifespan: the worker thread starts
    sign_in(client, "lan", PASSWORD)
    csrf = form_token(client, "/imports")
    return client, csrf


def _nothing_left(app):
    uploads = Path(app.state.settings.upload_dir)
    assert not uploads.exists() or not any(uploads.iterdir())
    with Session(app.state.engine) as session:
        assert session.exec(select(ImportJob)).all() == []


def test_upload_runs_in_the_background_and_shows_its_report(app):
    client, csrf = _signed_in(app)
    try:
        response = client.post("/imports", data={"csrf_token": csrf},
                               files={"file": ("<script>alert(1)</script>.fasta", FASTA, "text/plain")},
                               follow_redirects=False)
        assert response.status_code == 303
        job_id = int(response.headers["location"].rsplit("/", 1)[1])
        job = wait_for_job(app.state.engine, job_id, timeout=10)
        assert job.status == "completed" and job.records_done == 2
        assert not Path(job.stored_path).exists()  # the upload is removed once imported
        page = client.get(f"/imports/{job_id}")
        assert 'data-status="completed"' in page.text and "<script>alert" not in page.text
        assert page.context["job"]["report"]["added"] == 2
        assert job.original_filename == "script_.fasta"  # no path, no markup
    finally:
        client.__exit__(None, None, None)


@pytest.mark.parametrize("name, content, message", [
    ("big.fasta", b">x\n" + b"A" * (1024 * 1024 + 10), "larger than the upload limit of 1 MB"),
    ("bomb.fasta.gz", gzip.compress(b">x\n" + b"A" * (40 * 1024 * 1024)), "compression bomb"),
    ("photo.fasta", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), "binary"),
    ("page.fasta", b"<html><script>alert(1)</script></html>", "HTML or XML"),
    ("notes.csv", b"a,b\n1,2\n", "csv files cannot be imported here; allowed: fasta"),
    ("empty.fasta", b"", "is empty"),
])
def test_hostile_uploads_are_refused_and_leave_nothing(app, name, content, message):
    client, csrf = _signed_in(app)
    try:
        response = client.post("/imports?lang=en", data={"csrf_token": csrf}, files={"file": (name, content)})
        assert response.status_code == 400
        assert message in response.text
        _nothing_left(app)
    finally:
        client.__exit__(None, None, None)


def test_upload_needs_sign_in_and_csrf(app):
    public = TestClient(app)
    assert public.post("/imports", files={"file": ("a.fasta", FASTA)}, follow_redirects=False).status_code == 401
    client, _ = _signed_in(app)
    try:
        assert client.post("/imports", data={"csrf_token": "forged"}, files={"file": ("a.fasta", FASTA)}
                           ).status_code == 403
        _nothing_left(app)
    finally:
        client.__exit__(None, None, None)


def test_api_upload_with_a_token(app):
    with session_scope(app.state.engine) as session:
        _, secret = accounts.create_token(session, "lan", "script")
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        response = client.post("/api/v1/imports", files={"file": ("x.fasta", io.BytesIO(FASTA))}, headers=headers)
        assert response.status_code == 202
        wait_for_job(app.state.engine, response.json()["id"], timeout=10)
        status = client.get(response.json()["url"], headers=headers).json()
        assert status["status"] == "completed" and status["report"]["added"] == 2
        assert client.get(response.json()["url"]).status_code == 401


def test_interrupted_jobs_are_requeued_once_then_failed_with_a_reason(app, tmp_path):
    stored = tmp_path / "x.upload"
    stored.write_bytes(FASTA)
    old = jobs.now() - dt.timedelta(minutes=10)
    with session_scope(app.state.engine) as session:
        first = ImportJob(format="fasta", original_filename="a.fasta", stored_path=str(stored), sha256="0",
                          status="running", attempts=1, started_at=old, heartbeat_at=old)
        second = ImportJob(format="fasta", original_filename="b.fasta", stored_path=str(stored), sha256="0",
                           status="running", attempts=2, started_at=old, heartbeat_at=old)
        fresh = ImportJob(format="fasta", original_filename="c.fasta", stored_path=str(stored), sha256="0",
                          status="running", attempts=1, started_at=jobs.now(), heartbeat_at=jobs.now())
        session.add_all([first, second, fresh])
    assert sorted(jobs.recover(app.state.engine)) == [1, 2]
    with Session(app.state.engine) as session:
        a, b, c = (session.get(ImportJob, i) for i in (1, 2, 3))
        assert a.status == "queued" and "queued again" in a.error
        assert b.status == "failed" and "interrupted twice" in b.error
        assert c.status == "running"  # its worker is alive


def test_postgresql_workers_share_the_queue_through_procrastinate(db_url, tmp_path):
    """Several `genbank-registry worker` processes on PostgreSQL: every upload runs once, in one of them."""
    if not db_url.startswith("postgresql"):
        pytest.skip("the procrastinate queue is for PostgreSQL deployments; SQLite uses the in-process worker")
    import threading

    from genbank_registry.jobs import procrastinate_queue as queue
    settings = Settings(database_url=db_url, upload_dir=str(tmp_path / "uploads"), job_queue="procrastinate")
    app = create_app(settings, job_handlers={"fasta": count_fasta})
    with session_scope(app.state.engine) as session:
        from .factories import base_catalogue
        base_catalogue(session)
        accounts.create_user(session, {"username": "lan", "full_name": "Lan", "role": "researcher",
                                       "institution_code": "TST", "password": PASSWORD})
        _, secret = accounts.create_token(session, "lan", "script")
    with TestClient(app) as client:
        ids = [client.post("/api/v1/imports", files={"file": (f"{i}.fasta", FASTA)},
                           headers={"Authorization": f"Bearer {secret}"}).json()["id"] for i in range(4)]
        with Session(app.state.engine) as session:
            assert all(session.get(ImportJob, i).status == "queued" for i in ids)  # no thread worker here
    workers = [threading.Thread(target=queue.run_worker, args=(app.state.engine, db_url, {"fasta": count_fasta}),
                                kwargs={"concurrency": 2, "wait": False}) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    with Session(app.state.engine) as session:
        done = [session.get(ImportJob, i) for i in ids]
        assert [j.status for j in done] == ["completed"] * 4
        assert len(session.exec(select(ImportBatch)).all()) == 4  # none ran twice
    app.state.engine.dispose()

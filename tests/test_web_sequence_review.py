"""Issue 5's whole path: a researcher uploads a GenBank file, watches it import, submits the records, a curator
publishes them, and the public sees them with the endangered fish's locality withheld."""
from __future__ import annotations

import io
import re
import time

import pytest
from Bio.Seq import Seq
from Bio.SeqFeature import SeqFeature, SimpleLocation
from Bio.SeqRecord import SeqRecord
from Bio import SeqIO
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from genbank_registry.jobs.models import ImportJob
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.accounts import audit

from .conftest import PASSWORD, form_token, sign_in


def genbank_bytes() -> bytes:
    record = SeqRecord(Seq("ACGT" * 165), id="WEBUP001.1", name="WEBUP001",
                       description="Catlocarpio siamensis cytochrome oxidase subunit I (COI) gene, partial cds")
    record.annotations.update(molecule_type="DNA", topology="linear", organism="Catlocarpio siamensis",
                              data_file_division="VRT", date="05-JAN-2024")
    record.features.append(SeqFeature(SimpleLocation(0, 660), type="source", qualifiers={
        "organism": ["Catlocarpio siamensis"], "mol_type": ["genomic DNA"],
        "lat_lon": ["10.1234 N 105.7654 E"], "geo_loc_name": ["Viet Nam: Can Tho"]}))
    out = io.StringIO()
    SeqIO.write(record, out, "genbank")
    return out.getvalue().encode()


@pytest.fixture
def app(upload_app):
    return upload_app


def _signed_in(app, username) -> TestClient:
    client = TestClient(app)
    sign_in(client, username, PASSWORD)
    return client


def _csrf(client, path, action=None, **match):
    return form_token(client, path, action, **match)


def test_upload_submit_publish_and_the_public_sees_it_generalised(app):
    public = TestClient(app)
    with TestClient(app) as researcher:  # the lifespan runs the import worker
        sign_in(researcher, "lan", PASSWORD)
        uploaded = researcher.post("/imports", data={"csrf_token": _csrf(researcher, "/imports")},
                                   files={"file": ("barcodes.gb", genbank_bytes())}, follow_redirects=False)
        job_id = int(uploaded.headers["location"].rsplit("/", 1)[1])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with Session(app.state.engine) as session:
                if session.get(ImportJob, job_id).status in ("completed", "failed"):
                    break
            time.sleep(0.1)
        page = researcher.get(f"/imports/{job_id}")
        assert page.context["job"]["status"] == "completed", page.context["job"]["error"]
        assert page.context["sequence_statuses"] == {"draft": 1}

        with Session(app.state.engine) as session:
            seq = session.exec(select(SequenceRecord).where(SequenceRecord.record_id == "WEBUP001.1")).one()
        assert public.get(f"/sequences/{seq.id}").status_code == 404  # a draft is invisible
        assert researcher.post(f"/imports/{job_id}/sequences", data={"csrf_token": _csrf(researcher, f"/imports/{job_id}", f"/imports/{job_id}/sequences"),
                                                                    "status": "published"}).status_code == 403
        assert researcher.post(f"/imports/{job_id}/sequences", data={"csrf_token": _csrf(researcher, f"/imports/{job_id}", f"/imports/{job_id}/sequences"),
                                                                    "status": "submitted"},
                               follow_redirects=False).status_code == 303

    curator = _signed_in(app, "minh")
    assert "barcodes.gb" in curator.get("/curation").text  # the batch names the uploaded file
    assert curator.post(f"/imports/{job_id}/sequences", data={"csrf_token": _csrf(curator, f"/imports/{job_id}", f"/imports/{job_id}/sequences"),
                                                             "status": "published"},
                        follow_redirects=False).status_code == 303

    shown = public.get(f"/sequences/{seq.id}")
    assert shown.status_code == 200 and "Catlocarpio siamensis" in shown.text
    download = public.get(f"/sequences/{seq.id}/genbank").text
    for text in (shown.text, download, public.get(f"/api/v1/sequences/{seq.id}").text):
        assert "10.1234" not in text and "105.7654" not in text
    assert "missing: endangered species" in download
    with Session(app.state.engine) as session:
        moves = [e for e in audit.history(session, "import_batch", seq.batch_id)]
        assert [e.actor for e in moves] == ["lan", "minh"]

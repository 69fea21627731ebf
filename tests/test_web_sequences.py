"""Sequence pages, JSON API and downloads over the demo catalogue and its demo sequences: public-safe everywhere."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from genbank_registry.models import Accession, Institution
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.sequences.public import sequences_for_accession
from importers.sequences_loader import Options, import_file
from tests.conftest import FIXTURES, web_client

DEMO = FIXTURES / "demo"


@pytest.fixture
def client(demo_url, demo_engine):
    import_file(demo_engine, str(DEMO / "sequences.gb"), Options())
    import_file(demo_engine, str(DEMO / "sequences.fasta"), Options(voucher_map=DEMO / "sequences-vouchers.csv"))
    with web_client(demo_url) as client:
        yield client


def record(client, record_id) -> SequenceRecord:
    with Session(client.app.state.engine) as s:
        return s.exec(select(SequenceRecord).where(SequenceRecord.record_id == record_id)).one()


def every_public_output(client, key) -> str:
    return "\n".join(client.get(url).text for url in (f"/sequences/{key}", f"/api/v1/sequences/{key}",
                                                      f"/sequences/{key}/fasta", f"/sequences/{key}/genbank"))


def test_sequence_page_shows_what_a_researcher_needs(client):
    seq = record(client, "DEMO0002.1")
    page = client.get(f"/sequences/{seq.id}")
    assert page.status_code == 200 and '<html lang="vi">' in page.text
    assert "Macrobrachium rosenbergii" in page.text and "cytochrome c oxidase subunit I" in page.text
    assert '<a href="/accessions/CTU/TS-0004">CTU:TS-0004</a>' in page.text  # the accession's permanent page
    assert 'data-flag="stop_codon">Có mã kết thúc trong khung đọc COI' in page.text
    assert "<code>&lt;1..&gt;658</code>" in page.text  # the features table
    first_line = "        1 " + " ".join(seq.sequence[i:i + 10] for i in range(0, 60, 10))
    assert first_line in page.text  # wrapped at 60, in groups of 10
    english = client.get(f"/sequences/{seq.id}?lang=en")
    assert "Stop codon in the COI reading frame" in english.text and "Download GenBank" in english.text


def test_api_lists_and_filters_public_sequences(client):
    listing = client.get("/api/v1/sequences", params={"limit": 500}).json()
    ids = {item["record_id"] for item in listing["items"]}
    assert "DEMO0001.1" in ids and "CT-matK-01" in ids
    assert "DEMO0005.1" not in ids and listing["total"] == len(ids) == 9  # the draft accession's sequence is hidden
    flagged = client.get("/api/v1/sequences", params={"flag": "short"}).json()
    assert [i["record_id"] for i in flagged["items"]] == ["DEMO0006.1"]
    coi = client.get("/api/v1/sequences", params={"marker": "coi-5p", "taxon": "Macrobrachium"}).json()
    assert {i["record_id"] for i in coi["items"]} == {"DEMO0001.1", "DEMO0002.1"}
    detail = client.get("/api/v1/sequences/DEMO0001.1").json()
    assert detail["accession_key"] == "CTU:TS-0003" and detail["marker"] == "COI-5P"
    assert detail["versions"] == ["DEMO0001.1"] and detail["qc_flags"] == []
    assert client.get("/api/v1/sequences", params={"flag": "nonsense"}).status_code == 422


def test_sequence_of_a_draft_accession_is_nowhere(client):
    hidden = record(client, "DEMO0005.1")
    for url in (f"/sequences/{hidden.id}", f"/api/v1/sequences/{hidden.id}", "/api/v1/sequences/DEMO0005.1",
                f"/sequences/{hidden.id}/fasta", f"/sequences/{hidden.id}/genbank"):
        assert client.get(url).status_code == 404, url
    assert "DEMO0005" not in client.get("/sequences?lang=en").text


def test_sensitive_taxon_lat_lon_is_withheld_and_names_never_leave(client):
    fish = record(client, "DEMO0004.1")  # Catlocarpio siamensis: Decree 37/2024 group I, category 1
    assert fish.lat_lon == "10.0712 N 105.7341 E" and fish.collected_by == "Nguyen Van Demo"
    out = every_public_output(client, fish.id)
    assert "10.0712" not in out and "105.7341" not in out and "Nguyen Van Demo" not in out
    api = client.get(f"/api/v1/sequences/{fish.id}").json()
    assert api["lat_lon"] == "missing: endangered species" and api["sensitivity_category"] == 1
    assert '/lat_lon="missing: endangered species"' in client.get(f"/sequences/{fish.id}/genbank").text
    assert "[lat_lon=missing: endangered species]" in client.get(f"/sequences/{fish.id}/fasta").text
    plain = record(client, "DEMO0001.1")  # Macrobrachium rosenbergii: not assessed
    assert client.get(f"/api/v1/sequences/{plain.id}").json()["lat_lon"] == "10.05 N 105.75 E"
    assert "Nguyen Van Demo" not in every_public_output(client, plain.id)


def test_downloads_are_fasta_and_genbank_files(client):
    seq = record(client, "DEMO0003.1")
    fasta = client.get(f"/sequences/{seq.id}/fasta")
    assert fasta.headers["content-disposition"] == 'attachment; filename="DEMO0003.1.fasta"'
    assert fasta.text.startswith(">DEMO0003.1 DEMONSTRATION DATA") and "[specimen_voucher=CTU:TS-0005]" in fasta.text
    gb = client.get(f"/sequences/{seq.id}/genbank").text
    assert gb.startswith("LOCUS       DEMO0003") and '/specimen_voucher="CTU:TS-0005"' in gb and gb.endswith("//\n")


def test_sequences_for_accession_and_the_partial_the_accession_page_includes(client):
    engine = client.app.state.engine
    with Session(engine) as s:
        ctu = s.exec(select(Institution).where(Institution.code == "CTU")).one()
        by_number = {a.accenumb: a for a in s.exec(select(Accession).where(Accession.institution_id == ctu.id))}
        summaries = sequences_for_accession(s, by_number["CT-0008"].id)
        assert [x.record_id for x in summaries] == ["CT-matK-01"] and summaries[0].marker == "matK"
        assert sequences_for_accession(s, by_number["TS-0009"].id) == []  # a draft
    from web import i18n
    i18n.set_language("vi")  # rendering outside a request: the language a request would set
    template = client.app.state.templates.env.get_template("sequences/_list.html")
    html = template.render(sequences=summaries, lang="vi")
    assert 'href="/sequences/' in html and "CT-matK-01" in html and "Trình tự gen" in html
    assert "Chưa có trình tự gen" in template.render(sequences=[], lang="vi")

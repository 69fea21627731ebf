"""The sheets a researcher hands to GenBank: vouchers as INST:COLL:ID, Cần Thơ as geo_loc_name, and the
public download keeps the endangered fish's locality and every person's name out."""
from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from genbank_registry.cli import app as cli
from genbank_registry.standards.insdc_export import insdc_date, structured_voucher
from importers.sequences_loader import Options, import_file

from .conftest import FIXTURES, web_client

DEMO = FIXTURES / "demo"


@pytest.fixture
def with_sequences(demo_url, demo_engine):
    """The demo catalogue with the demo sequences, as `seed demo` loads them."""
    import_file(demo_engine, str(DEMO / "sequences.gb"), Options())
    import_file(demo_engine, str(DEMO / "sequences.fasta"), Options(voucher_map=DEMO / "sequences-vouchers.csv"))
    return demo_url


@pytest.fixture
def client(with_sequences):
    with web_client(with_sequences) as client:
        yield client


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def test_helpers():
    assert structured_voucher("CTU", "TS-0004") == "CTU:TS:0004"
    assert structured_voucher("CTU", "Ha Chau 29") == "CTU:Ha Chau 29"
    assert (insdc_date("20240105"), insdc_date("202401--"), insdc_date("2024----")) == ("2024-01-05", "2024-01", "2024")


def test_public_source_table_of_the_demo_sequences(client):
    response = client.get("/downloads/sequences.source.tsv")
    assert response.status_code == 200
    rows = _rows(response.text)
    assert rows and list(rows[0]) == ["Sequence_ID", "organism", "specimen_voucher", "culture_collection",
                                      "bio_material", "geo_loc_name", "lat_lon", "collection_date", "collected_by"]
    linked = [r for r in rows if r["specimen_voucher"].startswith("CTU:TS:") or r["culture_collection"]]
    # Cần Thơ for the registry's own accessions; a category-1 record keeps only the country (its public form).
    assert linked and all(r["geo_loc_name"] in ("Viet Nam: Can Tho", "Viet Nam") for r in linked)
    assert any(r["geo_loc_name"] == "Viet Nam: Can Tho" for r in linked)
    assert all(r["collected_by"] in ("", "Trường Đại học Cần Thơ", "Can Tho University", "Trung tâm Ứng dụng tiến bộ "
                                     "khoa học và công nghệ Cần Thơ") or "Viện" in r["collected_by"] for r in rows)
    fish = [r for r in rows if r["organism"] in ("Catlocarpio siamensis", "Pangasianodon gigas")]
    assert fish and all(r["lat_lon"] in ("", "missing: endangered species") for r in fish)
    sheet = _rows(client.get("/downloads/sequences.biosample.tsv").text)
    assert len(sheet) == len(rows) and sheet[0]["sample_name"]


def test_staff_export_keeps_exact_values(with_sequences, monkeypatch, tmp_path):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", with_sequences)
    out, sheet = tmp_path / "source.tsv", tmp_path / "biosample.tsv"
    result = CliRunner().invoke(cli, ["export", "insdc-source", "--out", str(out), "--biosample", str(sheet), "--all"])
    assert result.exit_code == 0, result.output
    staff = _rows(out.read_text(encoding="utf-8"))
    public = _rows(CliRunner().invoke(cli, ["export", "insdc-source", "--out", str(tmp_path / "p.tsv")]) and
                   (tmp_path / "p.tsv").read_text(encoding="utf-8"))
    assert len(staff) >= len(public)
    exact = [r for r in staff if r["organism"] in ("Catlocarpio siamensis", "Pangasianodon gigas") and r["lat_lon"]]
    assert exact and all("missing" not in r["lat_lon"] for r in exact)
    assert sheet.read_text(encoding="utf-8").startswith("sample_name\torganism")

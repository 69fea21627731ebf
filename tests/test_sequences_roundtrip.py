"""Real files through the CLI: every fixture imports (or is refused with a reason), export → import keeps
sequences, ids, organisms and source qualifiers, and the GenBank export matches its golden file."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.sequences.models import SequenceRecord
from schemas.sequences import SOURCE_COLUMNS
from tests.conftest import FIXTURES

runner = CliRunner()
SEQ = FIXTURES / "sequences"
GOLDEN = SEQ / "golden"
# file → (stored, rejected): the counts a curator sees in the summary table
EXPECTED = {
    "genbank/cor6_6.gb": (6, 0), "genbank/cor6_6.gb.bgz": (6, 0), "genbank/NC_005816.gb": (1, 0),
    "genbank/GU949562.1.gb": (1, 0), "genbank/EU851978.gbk": (1, 0), "genbank/invalid_product.gb": (0, 1),
    "genbank/protein_refseq.gb": (0, 1), "genbank/DS830848.gb": (0, 1), "genbank/gbvrl1_start.seq": (3, 0),
    "genbank/one_of.gb": (1, 0), "genbank/negative_location.gb": (1, 0), "fasta/f002": (3, 0),
    "fasta/dups.fasta": (5, 0), "fasta/lavender.nu": (1, 0), "fasta/f001": (0, 1), "fasta/flowers.pro.gz": (0, 3),
    "fasta/nucleotide_lib.fa": (7, 0), "fasta/its_top50_head40.fasta": (40, 0),
}
ROUND_TRIP_FILES = ["genbank/cor6_6.gb", "genbank/NC_005816.gb", "genbank/GU949562.1.gb", "genbank/EU851978.gbk",
                    "genbank/one_of.gb"]


@pytest.fixture
def cli(engine, db_url, monkeypatch):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", db_url)

    def run(*args, stdin: bytes | None = None):
        return runner.invoke(app, [str(a) for a in args], input=stdin)
    return run


def snapshot(engine, columns=("sequence", "organism", *SOURCE_COLUMNS)):
    with Session(engine) as s:
        return {r.record_id: {c: getattr(r, c) for c in columns}
                for r in s.exec(select(SequenceRecord).order_by(SequenceRecord.record_id))}


def counts_in(output: str, name: str) -> list[int]:
    line = next(line for line in output.splitlines() if name[:20] in line)
    return [int(x) for x in line.replace("│", " ").split() if x.isdigit()]


def test_every_fixture_file_imports_through_the_cli(cli, engine):
    for name, (stored, rejected) in EXPECTED.items():
        result = cli("import", "sequences", SEQ / name)
        assert result.exit_code == 0, (name, result.output)
        added, updated, unchanged, got_rejected = counts_in(result.output, (SEQ / name).name)[:4]
        assert (added + updated + unchanged, got_rejected) == (stored, rejected), (name, result.output)
        if rejected:
            assert "rejected:" in result.output and "record 1" in result.output
    not_sequences = cli("import", "sequences", SEQ / "BIOPYTHON-LICENSE.rst")
    assert not_sequences.exit_code == 1 and "not a FASTA or GenBank file" in not_sequences.output
    unknown = cli("import", "sequences", "--format", "embl", SEQ / "fasta" / "f002")
    assert unknown.exit_code == 1 and "not supported" in unknown.output
    again = cli("import", "sequences", SEQ / "genbank" / "cor6_6.gb")
    assert counts_in(again.output, "cor6_6.gb")[:4] == [0, 0, 6, 0]


def test_gzip_on_stdin_and_dry_run(cli, engine):
    import gzip

    packed = gzip.compress((SEQ / "fasta" / "f002").read_bytes())
    dry = cli("import", "sequences", "-", "--dry-run", "--workers", "0", stdin=packed)
    assert dry.exit_code == 0 and "dry run" in dry.output and counts_in(dry.output, "<stdin>")[:4] == [3, 0, 0, 0]
    assert snapshot(engine) == {}
    real = cli("import", "sequences", "-", "--workers", "0", "--marker", "cytb", stdin=packed)
    assert counts_in(real.output, "<stdin>")[:4] == [3, 0, 0, 0]
    assert len(snapshot(engine)) == 3


@pytest.mark.parametrize("fmt,suffix", [("genbank", "gb"), ("fasta", "fasta")])
def test_export_then_import_keeps_sequences_ids_organisms_and_source_qualifiers(cli, engine, tmp_path, fmt,
                                                                                 suffix):
    assert cli("import", "sequences", *(SEQ / f for f in ROUND_TRIP_FILES)).exit_code == 0
    before = snapshot(engine)
    out = tmp_path / f"all.{suffix}"
    exported = cli("export", fmt, "--out", out, "--all")
    assert exported.exit_code == 0, exported.output
    again = cli("import", "sequences", out)
    assert again.exit_code == 0, again.output
    added, _, _, rejected = counts_in(again.output, out.name)[:4]
    assert (added, rejected) == (0, 0)
    assert snapshot(engine) == before
    assert before["GU949562.1"]["lat_lon"] == "55.03 N 8.45 E"


def test_public_export_drops_names_and_matches_the_golden_file(cli, engine, tmp_path):
    assert cli("import", "sequences", SEQ / "genbank" / "GU949562.1.gb", SEQ / "genbank" / "cor6_6.gb").exit_code == 0
    out = tmp_path / "public.gb"
    assert cli("export", "genbank", "--out", out).exit_code == 0
    text = out.read_text()
    assert "Olga Matantseva" not in text and "/collected_by" not in text  # personal data never leaves
    assert '/lat_lon="55.03 N 8.45 E"' in text  # an unassessed taxon keeps its coordinates
    # Golden files: the expected export beside its inputs (fixtures/sequences/genbank/); see fixtures/README.md.
    assert text == (GOLDEN / "cor6_6-and-GU949562.public.gb").read_text()
    fasta = tmp_path / "public.fasta"
    assert cli("export", "fasta", "--out", fasta, "--taxon", "Brassica napus").exit_code == 0
    assert fasta.read_text() == (GOLDEN / "brassica-napus.public.fasta").read_text()

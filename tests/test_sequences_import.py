"""Importing sequence records: idempotency, versions, voucher and taxon links, QC flags, errors, interruptions."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

import importers.sequence_base
from genbank_registry.models import Accession, ImportBatch, Institution, Taxon
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.sequences import store as sequence_service
from importers.sequences_loader import ImportAborted, Options, import_file
from tests.conftest import FIXTURES

SEQ = FIXTURES / "sequences"
COR = str(SEQ / "genbank" / "cor6_6.gb")


def rows(engine, **where):
    with Session(engine) as s:
        stmt = select(SequenceRecord).order_by(SequenceRecord.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(SequenceRecord, k) == v)
        return s.exec(stmt).all()


def genbank(record_id: str, organism: str, seq: str, source: str = "", definition: str = "test record") -> str:
    """A minimal, valid GenBank record."""
    base, _, version = record_id.partition(".")
    lines = "".join(seq[i:i + 60] for i in range(0, len(seq), 60))
    origin = "\n".join(f"{i + 1:>9} " + " ".join(seq[j:j + 10].lower() for j in range(i, min(i + 60, len(seq)), 10))
                       for i in range(0, len(seq), 60))
    assert lines
    quals = "".join(f'                     /{k}="{v}"\n' for k, v in
                    [("organism", organism), ("mol_type", "genomic DNA")] + [tuple(q.split("=", 1)) for q in
                                                                            source.split("|") if q])
    return (f"LOCUS       {base:<16}{len(seq):>12} bp    DNA     linear   INV 01-JAN-2024\n"
            f"DEFINITION  {definition}.\nACCESSION   {base}\nVERSION     {record_id}\nKEYWORDS    .\n"
            f"SOURCE      {organism}\n  ORGANISM  {organism}\n            Eukaryota; Metazoa.\n"
            f"FEATURES             Location/Qualifiers\n     source          1..{len(seq)}\n{quals}"
            f"ORIGIN\n{origin}\n//\n")


def write(tmp_path, name, *records):
    path = tmp_path / name
    path.write_text("".join(records))
    return str(path)


def test_import_is_idempotent_and_recorded_as_a_batch(engine):
    first = import_file(engine, COR, Options())
    assert dict(first.counts) == {"added": 6, "rejected": 0}
    again = import_file(engine, COR, Options())
    assert again.counts["unchanged"] == 6 and again.counts["added"] == again.counts["updated"] == 0
    assert len(rows(engine)) == 6
    with Session(engine) as s:
        batches = s.exec(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [(b.format, b.status, b.added, b.unchanged) for b in batches] == [
        ("sequences-genbank", "completed", 6, 0), ("sequences-genbank", "completed", 0, 6)]
    assert batches[0].checksum and batches[0].report["counts"]["added"] == 6
    assert {r.batch_id for r in rows(engine)} == {batches[0].id}


def test_new_version_becomes_current_and_the_old_one_stays(engine, tmp_path):
    v1 = write(tmp_path, "v1.gb", genbank("ZZ000001.1", "Oryza sativa", "ACGT" * 60))
    v2 = write(tmp_path, "v2.gb", genbank("ZZ000001.2", "Oryza sativa", "ACGT" * 60 + "GGCC"))
    import_file(engine, v1, Options())
    assert import_file(engine, v2, Options()).counts["added"] == 1
    assert [(r.record_id, r.is_current) for r in rows(engine)] == [("ZZ000001.1", False), ("ZZ000001.2", True)]
    # Importing the old file again changes nothing: X.1 stays history.
    assert import_file(engine, v1, Options()).counts["unchanged"] == 1
    assert [(r.record_id, r.is_current) for r in rows(engine)] == [("ZZ000001.1", False), ("ZZ000001.2", True)]


def test_vouchers_resolve_to_demo_accessions(demo_engine, tmp_path):
    seq = "ACGTTGCA" * 30
    path = write(tmp_path, "v.gb",
                 genbank("ZZ000010.1", "Macrobrachium rosenbergii", seq, "specimen_voucher=CTU:TS:0003"),
                 genbank("ZZ000011.1", "Macrobrachium rosenbergii", seq[::-1], "specimen_voucher=CTU:TS-0003"),
                 genbank("ZZ000012.1", "Macrobrachium rosenbergii", seq + "A", "specimen_voucher=TS-0003"),
                 genbank("ZZ000013.1", "Volvariella volvacea", seq + "C", "culture_collection=ctu:VSV-0006"),
                 genbank("ZZ000014.1", "Oryza sativa", seq + "G", "specimen_voucher=XYZ:12345"))
    report = import_file(demo_engine, path, Options(institution="CTU"))
    with Session(demo_engine) as s:
        ctu = s.exec(select(Institution).where(Institution.code == "CTU")).one()
        ts3 = s.exec(select(Accession).where(Accession.institution_id == ctu.id, Accession.accenumb == "TS-0003")).one()
        vsv = s.exec(select(Accession).where(Accession.institution_id == ctu.id, Accession.accenumb == "VSV-0006")).one()
    linked = {r.record_id: r.accession_id for r in rows(demo_engine)}
    assert linked == {"ZZ000010.1": ts3.id, "ZZ000011.1": ts3.id, "ZZ000012.1": ts3.id, "ZZ000013.1": vsv.id,
                      "ZZ000014.1": None}
    assert report.unresolved_vouchers == [{"record_id": "ZZ000014.1", "voucher": "XYZ:12345"}]
    assert rows(demo_engine, record_id="ZZ000014.1")[0].voucher == "XYZ:12345"  # kept as text


def test_voucher_map_links_fasta_records(demo_engine, tmp_path):
    fasta = write(tmp_path, "mine.fasta", ">my-seq-1 [organism=Polyscias fruticosa]\n" + "ACGT" * 50 + "\n")
    vmap = tmp_path / "map.csv"
    vmap.write_text("sequence_id,institution,accession_number\nmy-seq-1,ctu,CT-0008\n")
    import_file(demo_engine, fasta, Options(voucher_map=vmap))
    [row] = rows(demo_engine)
    with Session(demo_engine) as s:
        acc = s.get(Accession, row.accession_id)
    assert acc.accenumb == "CT-0008"


def test_taxa_link_by_accepted_name_synonym_and_create_unverified(demo_engine, tmp_path):
    path = write(tmp_path, "t.gb", genbank("ZZ000020.1", "Orthosiphon stamineus", "ACGT" * 60),
                 genbank("ZZ000021.1", "Oryza sativa", "AACC" * 60),
                 genbank("ZZ000022.1", "Novaspecies inventa", "GGTT" * 60))
    report = import_file(demo_engine, path, Options())
    assert report.new_taxa == ["Novaspecies inventa"]
    with Session(demo_engine) as s:
        by_name = {t.scientific_name: t for t in s.exec(select(Taxon))}
    linked = {r.record_id: r.taxon_id for r in rows(demo_engine)}
    assert linked["ZZ000020.1"] == by_name["Orthosiphon aristatus"].id  # synonym → accepted name
    assert linked["ZZ000021.1"] == by_name["Oryza sativa"].id
    new = by_name["Novaspecies inventa"]
    assert linked["ZZ000022.1"] == new.id and new.verified is False and new.kingdom == "Animalia"
    assert rows(demo_engine, record_id="ZZ000020.1")[0].organism == "Orthosiphon stamineus"  # as written


def test_barcode_quality_flags(engine, tmp_path):
    clean_coi = "ATGGCA" * 110  # 660 bp, no stop codon in frame 0 under table 5
    path = write(tmp_path, "qc.gb",
                 genbank("QC000001.1", "Macrobrachium rosenbergii", clean_coi, definition="COI barcode"),
                 genbank("QC000002.1", "Macrobrachium rosenbergii", "ATGGCA" * 50, definition="COI barcode"),
                 genbank("QC000003.1", "Macrobrachium rosenbergii", ("TAAA" * 165)[:660],
                         definition="cytochrome c oxidase subunit I gene"),
                 genbank("QC000004.1", "Oryza sativa", "ACGTN" * 60, definition="rbcL gene"),
                 genbank("QC000005.1", "Macrobrachium rosenbergii", clean_coi, definition="COI barcode"))
    import_file(engine, path, Options())
    flags = {r.record_id: r.qc_flags.split() for r in rows(engine)}
    assert flags == {"QC000001.1": [], "QC000002.1": ["short"], "QC000003.1": ["stop_codon"],
                     "QC000004.1": ["ambiguous"], "QC000005.1": ["duplicate"]}
    assert import_file(engine, path, Options()).counts["unchanged"] == 5  # flags are stable on re-import


def test_skip_stores_good_records_abort_and_dry_run_store_nothing(engine, tmp_path):
    good = (SEQ / "genbank" / "cor6_6.gb").read_text()
    bad = (SEQ / "genbank" / "invalid_product.gb").read_text()
    path = write(tmp_path, "mixed.gb", good, bad)
    with pytest.raises(ImportAborted, match=r"mixed.gb: record 7 \(AB070938\), line \d+: .*nothing was stored"):
        import_file(engine, path, Options(on_error="abort"))
    assert rows(engine) == []
    dry = import_file(engine, path, Options(dry_run=True))
    assert dry.counts["added"] == 6 and dry.counts["rejected"] == 1 and rows(engine) == []
    skipped = import_file(engine, path, Options())
    assert skipped.counts["added"] == 6 and [e.record for e in skipped.errors] == [7]
    with Session(engine) as s:
        batch = s.get(ImportBatch, skipped.batch_id)
        aborted = s.exec(select(ImportBatch).where(ImportBatch.status == "aborted")).all()
    assert batch.rejected == 1 and batch.report["errors"][0]["record"] == 7
    assert "CDS" in batch.report["errors"][0]["reason"] and len(aborted) == 1


def test_an_interrupted_import_leaves_whole_blocks_and_a_rerun_completes_it(engine, monkeypatch):
    monkeypatch.setattr(importers.sequence_base, "BLOCK_CHARS", 3000)  # several blocks from one small file
    monkeypatch.setattr(importers.sequences_loader, "COMMIT_BLOCKS", 1)  # and a commit after each of them
    calls = {"n": 0}
    real_store = sequence_service.SequenceStore.store

    def killed_on_second_block(self, conn, chunk, result, *filled):
        calls["n"] += 1
        if calls["n"] == 2:
            real_store(self, conn, chunk[:1], result, *filled)  # half a block written…
            raise KeyboardInterrupt  # …then Ctrl-C
        return real_store(self, conn, chunk, result, *filled)

    monkeypatch.setattr(sequence_service.SequenceStore, "store", killed_on_second_block)
    with pytest.raises(KeyboardInterrupt):
        import_file(engine, COR, Options())
    stored = rows(engine)
    assert 0 < len(stored) < 6
    first_block = len(stored)
    monkeypatch.setattr(sequence_service.SequenceStore, "store", real_store)
    rerun = import_file(engine, COR, Options())
    assert rerun.counts["unchanged"] == first_block and rerun.counts["added"] == 6 - first_block
    with Session(engine) as s:
        batches = s.exec(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [b.status for b in batches] == ["aborted", "completed"]
    assert batches[0].added == first_block  # the rolled-back half block is not counted
    assert "run the same command again" in batches[0].message


def test_parallel_workers_give_the_same_result(engine):
    report = import_file(engine, COR, Options(workers=2))
    assert report.counts["added"] == 6
    assert [r.record_id for r in rows(engine)] == ["X55053.1", "X62281.1", "M81224.1", "AJ237582.1", "L31939.1",
                                                    "AF297471.1"]

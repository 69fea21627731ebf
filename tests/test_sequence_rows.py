"""The stored form of a sequence record: the FASTA reader's fast path against the general one, and the content
hash that tells an unchanged record on re-import, including one stored by an earlier release."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from genbank_registry.sequences.rows import build_row, content_hash
from importers.fasta import fasta_rows, split_fasta, to_sequence
from importers.sequence_base import open_text
from importers.sequences_loader import Options, import_file
from tests.conftest import FIXTURES

SEQ = FIXTURES / "sequences"
FASTA_FILES = ["edge-cases.fasta", "its_top50_head40.fasta", "f002", "dups.fasta", "lavender.nu",
               "nucleotide_lib.fa", "f001"]


def general(text: str, marker: str | None) -> list:
    """What the general path (SequenceIn, then build_row) makes of every record of `text`."""
    out = []
    for title, residues in split_fasta(text):
        seq = to_sequence(title, residues)
        out.append(seq if isinstance(seq, str) else build_row(seq, marker))
    return out


@pytest.mark.parametrize("name", FASTA_FILES)
@pytest.mark.parametrize("marker", [None, "ITS", "coi", "rbcL"])
def test_the_fasta_fast_path_stores_what_the_general_path_stores(name, marker):
    with open_text(SEQ / "fasta" / name) as handle:
        content = handle.read()
    assert list(fasta_rows(content, marker)) == general(content, marker)


def random_record(rnd: random.Random, n: int) -> str:
    ident = rnd.choice([f"ID{n}", f"ID{n}.{rnd.randint(1, 3)}", f"gi|{n}|gb|AB{n:06d}.1|AB{n:06d}", f"gi|{n}|x",
                        f"KY{n}|k__Fungi;p__Ascomycota;s__Genus_species{n % 3}|SH{n}.09FU",
                        f"KY{n}|k__Fungi;s__unidentified|reps", f"BOLD{n}|Anabas testudineus|COI-5P",
                        f"P{n}|Oryza sativa|", f"SH{n}.08FU|k__Fungi;g__X", f"k__A;b|{n}", "", "a|b", f"x{n}" * 40])
    words = rnd.sample(["cytochrome oxidase subunit I", "rbcL", "ITS1", "internal transcribed spacer 2", "16S",
                        "partial", "gene", "[organism=Oryza sativa]", "[organism=]", "[country=Viet Nam: Can Tho]",
                        "[geo_loc_name=Viet Nam]", "[db_xref=taxon:4530]", "[db_xref=BOLD:X]", "[moltype=mRNA]",
                        "[topology=circular]", "[marker=matK]", "[specimen-voucher=CTU:CAY-0001]",
                        "[lat_lon=10.03 N 105.78 E]", "[collected_by=Nguyễn Văn A]", "Đinh lăng"], rnd.randint(0, 6))
    residues = "".join(rnd.choice("ACGTacgtNRY-") for _ in range(rnd.randint(0, 700)))
    body = "".join(residues[i:i + rnd.choice([10, 60, 80])] + rnd.choice(["\n", "\n", "\r\n", " \n", "\t\n"])
                   for i in range(0, len(residues), 60))
    if rnd.random() < 0.05:
        body += "MKLV*\n"
    return f">{ident} {' '.join(words)}".rstrip() + "\n" + body


def test_the_fasta_fast_path_matches_on_random_headers_and_residues():
    rnd = random.Random(53)
    content = "".join(random_record(rnd, n) for n in range(3000))
    for marker in (None, "COI-5P"):
        assert list(fasta_rows(content, marker)) == general(content, marker)


def test_the_content_hash_is_pinned():
    # A re-import finds a record unchanged when this hash matches what is stored: if a Python release changed
    # marshal's format 2, every stored record would re-import as "updated". Rows are plain values, so this pins it.
    values = ("AB000001.1", "AB000001", 1, None, "Oryza sativa rbcL gene", "DNA", "linear", None, None, "rbcL",
              654, "0" * 32, 0.4312, 0.0, "Oryza sativa", "Đinh lăng", '["Viridiplantae"]', "[]")
    assert content_hash(values) == "2d50e6b58bb21861e1b2b88231ad159d"


def test_records_stored_by_an_earlier_release_reimport_as_unchanged(engine, tmp_path):
    """Until November 2026 the content hash was an MD5 over repr(); these are the values that release stored."""
    import_file(engine, str(SEQ / "fasta" / "f002"), Options(workers=0))
    import_file(engine, str(SEQ / "genbank" / "cor6_6.gb"), Options(workers=0))
    earlier = {"gi|1348912|gb|G26680|G26680": "5de9b7a65e151dee427ad74df2748155",
               "gi|1348917|gb|G26685|G26685": "9b47ea85dcec44512848dcc557693799",
               "gi|1592936|gb|G29385|G29385": "386b2d8389221e0cf6d6548fd39abf5d",
               "X55053.1": "f62b191acf37bf80010171dd1b3f5145", "X62281.1": "86f901be58dcc825829e237c28c575af",
               "M81224.1": "76a5b3e944f84f5d91e77955b56a1a93", "AJ237582.1": "a4dfb9b37bfffb02894c235229bc2dae",
               "L31939.1": "35fc66bbd425da0c5608d7cc09733e40", "AF297471.1": "12d725cdaf1946947bef94877d9c36e5"}
    with engine.begin() as conn:
        for record_id, stored in earlier.items():
            assert conn.execute(text("UPDATE sequence_record SET content_hash = :h WHERE record_id = :r"),
                                {"h": stored, "r": record_id}).rowcount == 1
    again = import_file(engine, str(SEQ / "fasta" / "f002"), Options(workers=0)).counts
    again += import_file(engine, str(SEQ / "genbank" / "cor6_6.gb"), Options(workers=0)).counts
    assert again["unchanged"] == 9 and not again["updated"] and not again["added"]
    # A record that really changed in the file is still an update, though stored with the earlier hash.
    changed = tmp_path / "f002-edited.fasta"
    changed.write_text((SEQ / "fasta" / "f002").read_text().replace("STS_D11729.", "STS_D11729 edited.", 1))
    counts = import_file(engine, str(changed), Options(workers=0)).counts
    assert counts["updated"] == 1 and counts["unchanged"] == 2


def report_of(engine, path, options=None):
    report = import_file(engine, str(path), options or Options(workers=0))
    with engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(text(
            "SELECT record_id, definition, sequence, qc_flags, organism FROM sequence_record ORDER BY record_id"))]
    return report, stored


@pytest.mark.parametrize("workers", [0, 2])
def test_byte_ranges_read_by_the_workers_give_what_reading_the_stream_gives(tmp_path, monkeypatch, workers):
    """Plain files are cut into byte ranges that the parser workers read; gzip and stdin are read as a stream by
    the writer. Blocks of 700 bytes put record starts just before, at and after every cut, CR LF line ends on
    some records, and GenBank records longer than a block."""
    import gzip

    import importers.sequence_base
    from genbank_registry import migrate
    from genbank_registry.db import make_engine

    monkeypatch.setattr(importers.sequence_base, "BLOCK_CHARS", 700)
    edge = (SEQ / "fasta" / "edge-cases.fasta").read_bytes()
    fasta = b"".join(edge.replace(b">", b">c%d_" % i).replace(b"\n", b"\r\n" if i % 3 == 0 else b"\n")
                     for i in range(12))
    fasta = fasta.replace(b"ACGTACGT\n", b"ACGTACGT\r", 3)  # a few lone CRs, which also end a line
    gb = (SEQ / "genbank" / "cor6_6.gb").read_bytes() + (SEQ / "genbank" / "invalid_product.gb").read_bytes() + \
        (SEQ / "genbank" / "one_of.gb").read_bytes()
    for name, content in (("mixed.fasta", fasta), ("mixed.gb", gb)):
        plain, packed = tmp_path / name, tmp_path / (name + ".gz")
        plain.write_bytes(content)
        packed.write_bytes(gzip.compress(content))
        results = []
        for i, path in enumerate((plain, packed)):
            url = f"sqlite:///{tmp_path / f'{name}-{i}.db'}"
            migrate.upgrade(url)
            engine = make_engine(url)
            report, stored = report_of(engine, path, Options(workers=workers))
            engine.dispose()
            results.append(([e.as_dict() | {"file": None} for e in report.errors], dict(report.counts), stored,
                             report.warnings))
        assert results[0] == results[1] and results[0][2]
        assert report.sha256 is not None
    errors = results[0][0]
    assert [e["record"] for e in errors] == [7] and errors[0]["line"] > 100  # invalid_product.gb, 7th record


def test_the_batch_records_the_files_sha256(engine, tmp_path):
    import hashlib

    path = SEQ / "fasta" / "its_top50_head40.fasta"
    report = import_file(engine, str(path), Options(workers=0))
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

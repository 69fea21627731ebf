"""The sequence readers on their own: sniffing, gzip, record/line numbers of bad records, headers, QC measures."""
from __future__ import annotations

import io

import pytest

from genbank_registry.sequences.qc import has_stop_codon, marker_of, measures
from genbank_registry.sequences.rows import row_of
from importers.sequence_base import RecordError, UnknownFormat, open_text, reader_for, sniff
from importers.fasta import split_header, to_sequence
from tests.conftest import FIXTURES

SEQ = FIXTURES / "sequences"


def read_all(path):
    handle = open_text(path)
    return list(reader_for(sniff(handle, str(path)), str(path)).read(handle))


def test_sniffs_genbank_fasta_gzip_and_release_headers():
    assert sniff(open_text(SEQ / "genbank" / "cor6_6.gb"), "x") == "genbank"
    assert sniff(open_text(SEQ / "genbank" / "cor6_6.gb.bgz"), "x") == "genbank"  # BGZF is gzip
    assert sniff(open_text(SEQ / "genbank" / "gbvrl1_start.seq"), "x") == "genbank"  # release-file header
    assert sniff(open_text(SEQ / "fasta" / "f002"), "x") == "fasta"
    with pytest.raises(UnknownFormat, match="neither '>' nor 'LOCUS'"):
        sniff(open_text(io.BytesIO(b"ID   X; SV 1; linear; DNA\n")), "embl.txt")
    with pytest.raises(UnknownFormat, match="use one of: fasta, genbank"):
        reader_for("embl", "x.embl")


def test_gzip_gives_the_same_records_as_plain():
    plain = [r.record_id for r in read_all(SEQ / "genbank" / "cor6_6.gb")]
    packed = [r.record_id for r in read_all(SEQ / "genbank" / "cor6_6.gb.bgz")]
    assert plain == packed and len(plain) == 6


def test_a_bad_record_is_reported_with_file_record_line_and_reason_and_the_others_survive():
    good = (SEQ / "genbank" / "cor6_6.gb").read_text()
    bad = (SEQ / "genbank" / "invalid_product.gb").read_text()
    text = good.rstrip() + "\n" + bad.rstrip() + "\n" + good.rstrip() + "\n"
    reader = reader_for("genbank", "mixed.gb")
    items = list(reader.read(io.StringIO(text)))
    errors = [i for i in items if isinstance(i, RecordError)]
    assert len(items) == 13 and len(errors) == 1
    err = errors[0]
    assert err.record == 7 and err.line == good.rstrip().count("\n") + 2
    assert err.record_id == "AB070938" and "CDS" in err.reason
    assert str(err).startswith("mixed.gb: record 7 (AB070938), line ")


def test_blocks_cut_between_records_only():
    text = (SEQ / "genbank" / "cor6_6.gb").read_text() * 3
    reader = reader_for("genbank", "x")
    blocks = list(reader.blocks(io.StringIO(text), block_chars=4000))
    assert len(blocks) > 3
    assert all(b.text.startswith("LOCUS") for b in blocks)
    assert [b.first_record for b in blocks] == sorted({b.first_record for b in blocks})
    assert sum(reader.count_records(b.text) for b in blocks) == 18


def test_protein_and_sequence_less_records_are_rejected_with_a_reason():
    [protein] = read_all(SEQ / "genbank" / "protein_refseq.gb")
    assert isinstance(protein, RecordError) and "protein record" in protein.reason
    [master] = read_all(SEQ / "genbank" / "DS830848.gb")
    assert isinstance(master, RecordError) and "no sequence" in master.reason
    fasta_protein = read_all(SEQ / "fasta" / "f001")
    assert "not IUPAC nucleotide codes" in fasta_protein[0].reason


def test_fasta_headers_source_modifiers_gi_ids_and_unite_taxonomy():
    assert split_header("X1 some gene [organism=Oryza sativa] [specimen_voucher=CTU:CAY-0001]") == \
        ("X1", "some gene", [("organism", "Oryza sativa"), ("specimen_voucher", "CTU:CAY-0001")])
    seq = to_sequence("gi|5690369|gb|AF158246.1|AF158246 Cricetulus griseus GPI gene", "acgtn")
    assert seq.record_id == "AF158246.1" and seq.sequence == "ACGTN"
    unite = to_sequence("KY106088|k__Fungi;p__Ascomycota;g__Zygotorulaspora;s__Zygotorulaspora_mrakii|"
                        "SH1312607.09FU", "ACGT")
    assert unite.record_id == "KY106088" and unite.organism == "Zygotorulaspora mrakii"
    assert unite.lineage == ["Fungi", "Ascomycota", "Zygotorulaspora"] and unite.marker == "ITS"
    assert "position 3" in to_sequence("bad", "ACJT")


def test_measures_and_flags():
    length, checksum, gc, ambiguous = measures("GGCCAATTNN")
    assert (length, gc, ambiguous) == (10, 0.5, 0.2)
    assert checksum == measures("GGCCAATTNN")[1] != measures("GGCCAATTNA")[1]
    assert marker_of("Homo sapiens cytochrome c oxidase subunit I (COX1) gene", []) == "COI-5P"
    assert marker_of("Arabidopsis chloroplast, complete genome", ["rbcL", "matK"]) is None  # a genome, many genes
    assert marker_of(None, ["maturase K"]) == "matK"
    assert has_stop_codon("ATGAGAAAA", table=2, frame=0) and not has_stop_codon("ATGAGAAAA", table=5, frame=0)


@pytest.mark.parametrize("length", [1, 700, 65_536, 65_537, 300_000])
def test_measures_count_a_barcode_and_a_genome_alike(length):
    """Barcodes are counted by popcount over one integer, longer sequences byte by byte: the same figures."""
    import random

    rnd = random.Random(length)
    seq = "".join(rnd.choice("ACGTTGCAN-RY") for _ in range(length))
    gc, gaps = seq.count("G") + seq.count("C"), seq.count("-")
    ambiguous = length - gc - gaps - seq.count("A") - seq.count("T")
    at = length - gc - ambiguous - gaps
    assert measures(seq) == (length, measures(seq)[1], round(gc / (gc + at), 4) if gc + at else None,
                             round(ambiguous / length, 4))
    assert measures(seq, check=True) == measures(seq)
    assert measures(seq[:-1] + "J", check=True) is None and measures(seq + "é", check=True) is None


def test_row_keeps_source_qualifiers_and_country_as_geo_loc_name():
    [rec] = read_all(SEQ / "genbank" / "GU949562.1.gb")
    row = row_of(rec)
    assert row["record_id"] == "GU949562.1" and row["accession_base"] == "GU949562" and row["version"] == 1
    assert row["lat_lon"] == "55.03 N 8.45 E" and row["collected_by"] == "Olga Matantseva"
    assert row["collection_date"] == "14-Oct-2009" and row["db_xref"] == "taxon:748143"
    assert row["marker"] == "16S"
    [flu] = read_all(SEQ / "genbank" / "EU851978.gbk")
    assert row_of(flu)["geo_loc_name"] == "USA"  # written /country in this 2008 record


def test_lifting_residues_out_reads_exactly_what_biopython_reads():
    import warnings

    from Bio import GenBank

    from importers.genbank import GenBankReader, to_sequence

    def key(items):
        return [i if isinstance(i, str) else (i.record_id, i.sequence, i.organism, i.definition, i.keywords,
                                              i.lineage, i.references, i.molecule_type, i.topology, i.date,
                                              [(f.type, f.location, f.qualifiers) for f in i.features])
                for i in items]

    reader = GenBankReader("x")
    for path in sorted((SEQ / "genbank").glob("*.gb*")) + [SEQ / "genbank" / "gbvrl1_start.seq"]:
        text = open_text(path).read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                expected = key(to_sequence(r) for r in GenBank.parse(io.StringIO(text)))
            except ValueError:
                continue  # files Biopython refuses are covered by the error tests
            assert key(reader.parse_records(text)) == expected, path.name

"""Sheets for submitting the registry's sequences to INSDC: the source-modifier table that table2asn and
BankIt read (tab-separated, one row per sequence) and a BioSample-style attribute sheet.

Built from the sequence public form, so the public download carries generalised /lat_lon (or `missing:
endangered species`) and never a person's name: collected_by names the collecting institution. An operator's
staff export (`--all`) keeps exact values for the researcher who submits their own data.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from sqlmodel import Session

from genbank_registry.models import Accession, Institution
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.catalogue.public_form import PublicFormBuilder
from genbank_registry.sequences.public import SequenceFormBuilder, format_lat_lon, select_sequences

SOURCE_COLUMNS = ("Sequence_ID", "organism", "specimen_voucher", "culture_collection", "bio_material",
                  "geo_loc_name", "lat_lon", "collection_date", "collected_by")
BIOSAMPLE_COLUMNS = ("sample_name", "organism", "specimen_voucher", "culture_collection", "bio_material",
                     "geo_loc_name", "lat_lon", "collection_date", "collected_by", "description")
CAN_THO = "Viet Nam: Can Tho"
_NUMBER = re.compile(r"^([A-Za-z]+)[-_ ]?(\d+)$")


def structured_voucher(instcode: str, accenumb: str) -> str:
    """INST:COLL:ID when the accession number has a collection prefix (TS-0004 → CTU:TS:0004), else INST:ID."""
    m = _NUMBER.match(accenumb)
    return f"{instcode}:{m.group(1)}:{m.group(2)}" if m else f"{instcode}:{accenumb}"


def insdc_date(partial: str | None) -> str | None:
    """MCPD YYYYMMDD with -- for unknown parts → ISO 8601 as INSDC writes it (2024-01-05, 2024-01, 2024)."""
    if not partial:
        return None
    year, month, day = partial[:4], partial[4:6], partial[6:8]
    return year if month == "--" else f"{year}-{month}" if day == "--" else f"{year}-{month}-{day}"


def source_rows(session: Session, *, staff: bool = False, taxon_ids: list[int] | None = None,
                marker: str | None = None, institution_id: int | None = None) -> Iterator[dict]:
    sequences = SequenceFormBuilder(session, staff=staff)
    accessions = PublicFormBuilder(session, sequences.sensitivity)
    stmt = select_sequences(taxon_ids=taxon_ids, marker=marker, institution_id=institution_id,
                            public_only=not staff).order_by(SequenceRecord.record_id)
    for seq in session.exec(stmt):
        form = sequences.build(seq)
        row = {"Sequence_ID": form.record_id, "organism": form.scientific_name or form.organism,
               "specimen_voucher": form.specimen_voucher, "culture_collection": form.culture_collection,
               "bio_material": form.bio_material, "geo_loc_name": form.geo_loc_name, "lat_lon": form.lat_lon,
               "collection_date": form.collection_date,
               "collected_by": seq.collected_by if staff else None}
        acc = session.get(Accession, seq.accession_id) if seq.accession_id else None
        if acc is not None:
            inst = session.get(Institution, acc.institution_id)
            voucher = structured_voucher(inst.code, acc.accenumb)
            # Strains go in /culture_collection, everything else in /specimen_voucher (INSDC's rule).
            key = "culture_collection" if acc.category == "microorganism" else "specimen_voucher"
            row[key] = voucher
            if acc.district_code or (acc.admin_unit_recorded or "").endswith("Cần Thơ"):
                row["geo_loc_name"] = row["geo_loc_name"] or CAN_THO
            row["collection_date"] = row["collection_date"] or insdc_date(acc.colldate)
            if staff:
                row["collected_by"] = row["collected_by"] or acc.collector_names
            else:
                row["collected_by"] = acc.collname or inst.name_en  # an institution, never a person
            if not row["lat_lon"] and acc.publication_status == "published":
                pub = accessions.build(acc)
                if pub.declatitude is not None:
                    row["lat_lon"] = format_lat_lon(pub.declatitude, pub.declongitude)
                elif pub.sensitivity_category == 1 and acc.declatitude is not None:
                    row["lat_lon"] = "missing: endangered species"
            if staff and not row["lat_lon"] and acc.declatitude is not None:
                row["lat_lon"] = format_lat_lon(acc.declatitude, acc.declongitude)
        yield row


def _tsv(rows, columns) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter="\t", lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: ("" if row.get(c) is None else row[c]) for c in columns})
    return out.getvalue()


def source_table(session: Session, **filters) -> str:
    return _tsv(source_rows(session, **filters), SOURCE_COLUMNS)


def biosample_sheet(session: Session, **filters) -> str:
    rows = ({**r, "sample_name": r["specimen_voucher"] or r["culture_collection"] or r["Sequence_ID"],
             "description": f"Cần Thơ gene fund; sequence {r['Sequence_ID']}"} for r in source_rows(session, **filters))
    return _tsv(rows, BIOSAMPLE_COLUMNS)

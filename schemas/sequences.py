"""Sequence records (INSDC flat files and FASTA): code lists, the parsed-record contract and the model families.

`SequenceIn` is what a parser yields: a slotted dataclass rather than a pydantic model, because imports run at
tens of thousands of records a second and validation is one explicit call (`check_residues`), the same one
the pydantic `SequenceCreate` runs. `SequencePublic` is built only by the core's public sequence form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from .codes import Label
from .dates import UtcDatetime
from .messages import N_

# IUPAC nucleotide codes (upper case) and the alignment gap. Anything else rejects the record.
IUPAC_NUCLEOTIDES = "ACGTURYSWKMBDHVN-"
UNAMBIGUOUS = "ACGTU"
_NOT_IUPAC = str.maketrans("", "", IUPAC_NUCLEOTIDES)
_IUPAC_BYTES = IUPAC_NUCLEOTIDES.encode()


def check_residues(sequence: str) -> str | None:
    """None when `sequence` (upper case) holds only IUPAC nucleotide codes, else a sentence naming the culprits."""
    if sequence.isascii() and not sequence.encode().translate(None, _IUPAC_BYTES):
        return None  # the common case, at bytes speed (str.translate is twice as slow on a genome)
    bad = sequence.translate(_NOT_IUPAC)
    if not bad:
        return None
    shown = "".join(sorted(set(bad)))[:12]
    position = next(i for i, c in enumerate(sequence) if c in bad) + 1
    if set(bad) & set("EFILPQ*"):
        return N_("sequence has characters that are not IUPAC nucleotide codes: %(shown)s, first at position "
                  "%(position)s (a protein sequence?); allowed: %(allowed)s", shown=repr(shown), position=position,
                  allowed=IUPAC_NUCLEOTIDES)
    return N_("sequence has characters that are not IUPAC nucleotide codes: %(shown)s, first at position "
              "%(position)s; allowed: %(allowed)s", shown=repr(shown), position=position, allowed=IUPAC_NUCLEOTIDES)


class QcFlag(StrEnum):
    """BOLD's barcode checks (shared/standards/insdc-sequences.md): flags to show and filter, never rejections."""

    SHORT = "short"
    AMBIGUOUS = "ambiguous"
    STOP_CODON = "stop_codon"
    DUPLICATE = "duplicate"


QC_LABELS: dict[str, Label] = {
    QcFlag.SHORT: Label("Quá ngắn so với chỉ thị", "Too short for its marker"),
    QcFlag.AMBIGUOUS: Label("Trên 1 % nucleotide không xác định", "Ambiguous bases over 1 %"),
    QcFlag.STOP_CODON: Label("Có mã kết thúc trong khung đọc COI", "Stop codon in the COI reading frame"),
    QcFlag.DUPLICATE: Label("Trùng với trình tự đã lưu", "Duplicate of a stored sequence"),
}

AMBIGUOUS_LIMIT = 0.01

# Canonical barcode markers and the shortest length BOLD accepts as a barcode (None: no length rule).
MARKER_MIN_LENGTH: dict[str, int | None] = {
    "COI-5P": 500, "rbcL": 200, "matK": 200, "ITS": 200, "ITS1": 200, "ITS2": 200,
    "16S": None, "18S": None, "12S": None, "cytb": None, "trnH-psbA": None,
}

# Source-feature qualifiers kept as queryable columns (INSDC names; /country is the pre-2024 /geo_loc_name).
SOURCE_COLUMNS = ("specimen_voucher", "culture_collection", "bio_material", "geo_loc_name", "lat_lon",
                  "collection_date", "collected_by", "db_xref")
VOUCHER_QUALIFIERS = ("specimen_voucher", "culture_collection", "bio_material")
# Never public: people's names (Decree 13/2023/NĐ-CP), whatever INSDC does.
PERSONAL_QUALIFIERS = ("collected_by", "identified_by")
WITHHELD_LAT_LON = "missing: endangered species"


@dataclass(slots=True)
class FeatureIn:
    type: str
    location: str
    qualifiers: list[tuple[str, str | None]] = field(default_factory=list)

    def first(self, key: str) -> str | None:
        for k, v in self.qualifiers:
            if k == key:
                return v
        return None

    def as_json(self) -> dict:
        return {"type": self.type, "location": self.location, "qualifiers": [list(q) for q in self.qualifiers]}


@dataclass(slots=True)
class ReferenceIn:
    authors: str | None = None
    title: str | None = None
    journal: str | None = None
    pubmed_id: str | None = None
    bases: str | None = None


@dataclass(slots=True)
class SequenceIn:
    """One parsed record, residues already upper-cased and checked."""

    record_id: str
    sequence: str
    name: str | None = None
    definition: str | None = None
    molecule_type: str = "DNA"
    topology: str = "linear"
    division: str | None = None
    date: str | None = None
    organism: str | None = None
    lineage: list[str] = field(default_factory=list)
    marker: str | None = None
    keywords: list[str] = field(default_factory=list)
    features: list[FeatureIn] = field(default_factory=list)
    references: list[ReferenceIn] = field(default_factory=list)
    comment: str | None = None

    def source(self) -> FeatureIn | None:
        for f in self.features:
            if f.type == "source":
                return f
        return None


class SequenceBase(SQLModel):
    """The stored scalar fields of a sequence record; features, references and keywords are JSON columns."""

    record_id: str = Field(max_length=100, unique=True, index=True,
                           description="INSDC accession.version, or the FASTA id")
    accession_base: str = Field(max_length=100, description="the record id without its version")
    version: int | None = None
    name: str | None = Field(default=None, max_length=100, description="GenBank LOCUS name")
    definition: str | None = None
    molecule_type: str = Field(default="DNA", max_length=20)
    topology: str = Field(default="linear", max_length=10)
    division: str | None = Field(default=None, max_length=10)
    locus_date: str | None = Field(default=None, max_length=11, description="the LOCUS line's date, DD-MON-YYYY")
    marker: str | None = Field(default=None, max_length=30)
    length: int = 0
    checksum: str = Field(max_length=32, index=True, description="MD5 of the upper-case sequence")
    gc_content: float | None = None
    ambiguous_fraction: float = 0.0
    organism: str | None = Field(default=None, max_length=300, description="as written in the file")
    specimen_voucher: str | None = Field(default=None, max_length=300)
    culture_collection: str | None = Field(default=None, max_length=300)
    bio_material: str | None = Field(default=None, max_length=300)
    geo_loc_name: str | None = Field(default=None, max_length=300)
    lat_lon: str | None = Field(default=None, max_length=60)
    collection_date: str | None = Field(default=None, max_length=40)
    collected_by: str | None = Field(default=None, max_length=300)
    db_xref: str | None = Field(default=None, max_length=300, description="source /db_xref values, '; '-joined")
    voucher: str | None = Field(default=None, max_length=300, description="the voucher as written, kept when "
                                                                          "it matches no accession")
    qc_flags: str = Field(default="", max_length=100, description="space-separated QcFlag codes")
    is_current: bool = True
    sequence: str = ""

    @field_validator("sequence")
    @classmethod
    def _residues(cls, v: str) -> str:
        v = (v or "").upper()
        problem = check_residues(v)
        if problem:
            raise ValueError(problem)
        return v


class SequenceCreate(SequenceBase):
    features: list[dict] = []
    references: list[dict] = []
    keywords: list[str] = []


class FeaturePublic(SQLModel):
    type: str
    location: str
    qualifiers: list[tuple[str, str | None]] = []


class ReferencePublic(SQLModel):
    authors: str | None = None
    title: str | None = None
    journal: str | None = None
    pubmed_id: str | None = None


class SequenceSummary(SQLModel):
    """One line of a list: what the accession page and the API list show."""

    id: int
    record_id: str
    definition: str | None = None
    marker: str | None = None
    length: int
    organism: str | None = None
    scientific_name: str | None = None
    accession_key: str | None = None
    qc_flags: list[str] = []
    is_current: bool = True


class SequencePublic(SQLModel):
    """What anyone may see of a sequence record (generalised /lat_lon, no personal names)."""

    id: int
    record_id: str
    accession_base: str
    version: int | None = None
    name: str | None = None
    definition: str | None = None
    molecule_type: str
    topology: str
    division: str | None = None
    locus_date: str | None = None
    marker: str | None = None
    length: int
    checksum: str
    gc_content: float | None = None
    ambiguous_fraction: float
    organism: str | None = None
    taxon_id: int | None = None
    scientific_name: str | None = None
    taxon_verified: bool | None = None
    lineage: list[str] = []
    accession_id: int | None = None
    accession_key: str | None = Field(default=None, description="INSTCODE:ACCENUMB of the voucher accession")
    specimen_voucher: str | None = None
    culture_collection: str | None = None
    bio_material: str | None = None
    geo_loc_name: str | None = None
    lat_lon: str | None = None
    collection_date: str | None = None
    db_xref: str | None = None
    keywords: list[str] = []
    qc_flags: list[str] = []
    features: list[FeaturePublic] = []
    references: list[ReferencePublic] = []
    is_current: bool = True
    versions: list[str] = Field(default=[], description="every stored version of this accession, oldest first")
    sensitivity_category: int | None = None
    data_generalizations: str | None = None
    information_withheld: str | None = None
    sequence: str
    created_at: UtcDatetime | None = None


class SequencePage(SQLModel):
    total: int
    items: list[SequenceSummary]

"""Model families of the catalogue: *Base (stored fields), *Create (input, validated), *Public (what anyone may see).

Table classes live in genbank_registry.models and inherit the Base classes here. Validators sit on the Base
classes so that every input class validates the same way; SQLModel skips them on table classes, which is why
services always build a *Create first (`AccessionCreate.model_validate(row)`) and never trust raw dicts.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from . import codes
from .dates import UtcDatetime, normalize_partial_date
from .messages import N_
from .text import nfc


def _code_in(value: Any, field: str, table: dict[int, codes.Label]) -> int | None:
    if value.__class__ is int and value in table:  # what importers pass, on every row of a bulk file
        return value
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number not in table:
        raise ValueError(N_("%(field)s %(value)s is not in the MCPD v2.1 code list; allowed: %(allowed)s",
                            field=field, value=repr(value), allowed=codes.allowed(table)))
    return number


@lru_cache(maxsize=4096)  # a bulk file repeats a few storage combinations; errors are never cached
def _storage_codes(text: str) -> str:
    parts = [p.strip() for p in text.split(";") if p.strip()]
    return ";".join(str(_code_in(p, "STORAGE", codes.STORAGE)) for p in parts)


@lru_cache(maxsize=None)
def _enum_values(enum) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


def _enum_in(value: Any, field: str, enum) -> str | None:
    if value is None or value == "":
        return None
    text = str(value.value if hasattr(value, "value") else value).strip()
    allowed = _enum_values(enum)
    if text not in allowed:
        raise ValueError(N_("%(field)s %(value)s is not allowed; allowed: %(allowed)s", field=field,
                            value=repr(value), allowed=codes.allowed(allowed)))
    return text


class InstitutionBase(SQLModel):
    code: str = Field(max_length=16, index=True, unique=True,
                      description="FAO WIEWS INSTCODE where one exists, else a local code")
    is_wiews_code: bool = Field(default=False, description="True when `code` is an FAO WIEWS INSTCODE")
    name_vi: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    acronym: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=500, description="Public postal address")
    website: str | None = Field(default=None, max_length=300)

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        v = (v or "").strip().upper()
        if not v or not all(c.isalnum() or c in "-_" for c in v):
            raise ValueError(N_("code %(value)s: use letters, digits, - or _ (e.g. VNM049 or CTU-BIO)", value=repr(v)))
        return v

    @field_validator("name_vi", "name_en", "address")
    @classmethod
    def _nfc(cls, v):
        return nfc(v)


class InstitutionCreate(InstitutionBase):
    contact_person: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


class InstitutionPublic(InstitutionBase):
    id: int


class GeneFundTaskBase(SQLModel):
    code: str = Field(max_length=40, index=True, unique=True)
    title_vi: str = Field(max_length=500)
    title_en: str = Field(max_length=500)
    legal_basis: str | None = Field(default=None, max_length=300, description="e.g. Quyết định 53/QĐ-UBND (2021)")
    period_start: int | None = Field(default=None, ge=1990, le=2100, description="first year")
    period_end: int | None = Field(default=None, ge=1990, le=2100, description="last year")
    status: str = Field(default=codes.TaskStatus.ONGOING, max_length=20)
    lifecycle_stage: str = Field(default=codes.LifecycleStage.SURVEY, max_length=20,
                                 description="the furthest stage the task has reached")
    description_vi: str | None = None
    description_en: str | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, v):
        return _enum_in(v, "status", codes.TaskStatus)

    @field_validator("lifecycle_stage")
    @classmethod
    def _stage(cls, v):
        return _enum_in(v, "lifecycle_stage", codes.LifecycleStage)

    @model_validator(mode="after")
    def _period(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError(N_("period_end %(end)s is before period_start %(start)s",
                                end=str(self.period_end), start=str(self.period_start)))
        return self


class GeneFundTaskCreate(GeneFundTaskBase):
    host_institution_code: str


class GeneFundTaskPublic(GeneFundTaskBase):
    id: int
    host_institution_code: str | None = None


class TaxonBase(SQLModel):
    scientific_name: str = Field(max_length=300, index=True, description="name without authorship")
    authorship: str | None = Field(default=None, max_length=200)
    rank: str = Field(default=codes.TaxonRank.SPECIES, max_length=20)
    taxonomic_status: str = Field(default=codes.TaxonomicStatus.ACCEPTED, max_length=20)
    verified: bool = Field(default=True, description="False for names created by an import and not yet checked")
    kingdom: str | None = Field(default=None, max_length=40)
    family: str | None = Field(default=None, max_length=80, index=True)
    ncbi_taxon_id: int | None = None
    gbif_key: int | None = None

    @field_validator("rank")
    @classmethod
    def _rank(cls, v):
        return _enum_in(v, "rank", codes.TaxonRank)

    @field_validator("taxonomic_status")
    @classmethod
    def _tstatus(cls, v):
        return _enum_in(v, "taxonomic_status", codes.TaxonomicStatus)

    @field_validator("scientific_name")
    @classmethod
    def _name(cls, v):
        v = nfc((v or "").strip())
        if not v:
            raise ValueError(N_("%(field)s is empty", field="scientific_name"))
        return " ".join(v.split())


class TaxonCreate(TaxonBase):
    parent_name: str | None = None
    accepted_name: str | None = Field(default=None, description="for a synonym: its accepted name")
    vernacular_vi: list[str] = []
    vernacular_en: list[str] = []


class VernacularNameBase(SQLModel):
    name: str = Field(max_length=300)
    lang: str = Field(max_length=8, description="vi or en")
    preferred: bool = False


class VernacularNamePublic(VernacularNameBase):
    pass


class AssessmentBase(SQLModel):
    scheme: str = Field(max_length=30)
    code: str = Field(max_length=20)
    source_document: str | None = Field(default=None, max_length=500)
    assessed_on: dt.date | None = None
    remarks: str | None = None

    @field_validator("scheme")
    @classmethod
    def _scheme(cls, v):
        return _enum_in(v, "scheme", codes.AssessmentScheme)

    @model_validator(mode="after")
    def _code(self):
        allowed = codes.SCHEME_CODES[self.scheme]
        if self.code not in allowed:
            raise ValueError(N_("code %(value)s is not in scheme %(scheme)s; allowed: %(allowed)s",
                                value=repr(self.code), scheme=self.scheme, allowed=codes.allowed(allowed)))
        return self


class AssessmentCreate(AssessmentBase):
    taxon_name: str


class AssessmentPublic(AssessmentBase):
    id: int
    taxon_id: int


class TaxonPublic(TaxonBase):
    id: int
    parent_id: int | None = None
    accepted_id: int | None = None
    vernacular_names: list[VernacularNamePublic] = []
    assessments: list[AssessmentPublic] = []
    sensitivity_category: int | None = None


class CharacterizationBase(SQLModel):
    descriptor: str = Field(max_length=200)
    value: str = Field(max_length=500)
    unit: str | None = Field(default=None, max_length=40)
    method: str | None = Field(default=None, max_length=300)
    observed_on: dt.date | None = None
    level: str = Field(default=codes.EvaluationLevel.CHARACTERISATION, max_length=20)

    @field_validator("level")
    @classmethod
    def _level(cls, v):
        return _enum_in(v, "level", codes.EvaluationLevel)


class CharacterizationCreate(CharacterizationBase):
    pass


class CharacterizationPublic(CharacterizationBase):
    pass


class AccessionBase(SQLModel):
    """Everything stored about an accession. Personal data and private notes are here too; see AccessionPublic."""

    accenumb: str = Field(max_length=60, description="MCPD ACCENUMB: unique within the institution")
    puid: str | None = Field(default=None, max_length=300)
    category: str = Field(max_length=30, index=True)
    # MCPD v2.1 passport descriptors, named by their codes.
    collnumb: str | None = Field(default=None, max_length=60)
    collcode: str | None = Field(default=None, max_length=100)
    collname: str | None = Field(default=None, max_length=300)
    collinstaddress: str | None = Field(default=None, max_length=500)
    collmissid: str | None = Field(default=None, max_length=300)
    genus: str | None = Field(default=None, max_length=80)
    species: str | None = Field(default=None, max_length=80)
    spauthor: str | None = Field(default=None, max_length=200)
    subtaxa: str | None = Field(default=None, max_length=200)
    subtauthor: str | None = Field(default=None, max_length=200)
    cropname: str | None = Field(default=None, max_length=200)
    accename: str | None = Field(default=None, max_length=300, description="names separated by ;")
    acqdate: str | None = Field(default=None, max_length=8)
    origcty: str | None = Field(default="VNM", max_length=3)
    collsite: str | None = Field(default=None, max_length=500)
    declatitude: float | None = None
    declongitude: float | None = None
    coorduncert: int | None = Field(default=None, description="metres")
    coorddatum: str | None = Field(default="WGS84", max_length=20)
    georefmeth: str | None = Field(default=None, max_length=40)
    elevation: float | None = Field(default=None, description="metres")
    colldate: str | None = Field(default=None, max_length=8)
    bredcode: str | None = Field(default=None, max_length=100)
    bredname: str | None = Field(default=None, max_length=300)
    sampstat: int | None = None
    ancest: str | None = Field(default=None, max_length=1000)
    collsrc: int | None = None
    donorcode: str | None = Field(default=None, max_length=40)
    donorname: str | None = Field(default=None, max_length=300)
    donor_is_person: bool = Field(default=False, description="DONORNAME names a private person: personal data")
    donornumb: str | None = Field(default=None, max_length=60)
    othernumb: str | None = Field(default=None, max_length=500)
    duplsite: str | None = Field(default=None, max_length=100)
    duplinstname: str | None = Field(default=None, max_length=300)
    storage: str | None = Field(default=None, max_length=60, description="codes separated by ;")
    mlsstat: int | None = None
    remarks: str | None = Field(default=None, max_length=2000, description="MCPD REMARKS, public")
    historic: bool = False
    # Collecting site as people record it; the district level was abolished on 01/07/2025, so the unit is
    # kept as written together with the date it was written.
    admin_unit_recorded: str | None = Field(default=None, max_length=300)
    admin_unit_recorded_on: dt.date | None = None
    district_code: str | None = Field(default=None, max_length=10, index=True,
                                      description="GSO code of the historical district (before 01/07/2025)")
    commune: str | None = Field(default=None, max_length=120)
    # Personal data: never public.
    collector_names: str | None = Field(default=None, max_length=500)
    collector_contact: str | None = Field(default=None, max_length=500)
    donor_contact: str | None = Field(default=None, max_length=500)
    # Management.
    conservation_mode: str | None = Field(default=None, max_length=20)
    lifecycle_stage: str = Field(default=codes.LifecycleStage.COLLECT, max_length=20)
    publication_status: str = Field(default=codes.PublicationStatus.DRAFT, max_length=20, index=True)
    sensitivity_override: int | None = Field(default=None, ge=1, le=4,
                                             description="a curator's stricter category for this record")
    public_remarks: str | None = None
    private_remarks: str | None = None

    @field_validator("category")
    @classmethod
    def _category(cls, v):
        return _enum_in(v, "category", codes.Category)

    @field_validator("conservation_mode")
    @classmethod
    def _mode(cls, v):
        return _enum_in(v, "conservation_mode", codes.ConservationMode)

    @field_validator("lifecycle_stage")
    @classmethod
    def _stage(cls, v):
        return _enum_in(v, "lifecycle_stage", codes.LifecycleStage)

    @field_validator("publication_status")
    @classmethod
    def _pub(cls, v):
        return _enum_in(v, "publication_status", codes.PublicationStatus)

    @field_validator("sampstat", mode="before")
    @classmethod
    def _sampstat(cls, v):
        return _code_in(v, "SAMPSTAT", codes.SAMPSTAT)

    @field_validator("collsrc", mode="before")
    @classmethod
    def _collsrc(cls, v):
        return _code_in(v, "COLLSRC", codes.COLLSRC)

    @field_validator("mlsstat", mode="before")
    @classmethod
    def _mlsstat(cls, v):
        return _code_in(v, "MLSSTAT", codes.MLSSTAT)

    @field_validator("storage", mode="before")
    @classmethod
    def _storage(cls, v):
        if v is None or str(v).strip() == "":
            return None
        return _storage_codes(str(v))

    @field_validator("acqdate", "colldate", mode="before")
    @classmethod
    def _dates(cls, v, info):
        return normalize_partial_date(v, info.field_name.upper())

    @field_validator("declatitude")
    @classmethod
    def _lat(cls, v):
        if v is not None and not -90 <= v <= 90:
            raise ValueError(N_("DECLATITUDE %(value)s is outside -90..90 (decimal degrees, WGS84, north positive)",
                                value=str(v)))
        return v

    @field_validator("declongitude")
    @classmethod
    def _lon(cls, v):
        if v is not None and not -180 <= v <= 180:
            raise ValueError(N_("DECLONGITUDE %(value)s is outside -180..180 (decimal degrees, WGS84, east "
                                "positive)", value=str(v)))
        return v

    @field_validator("coorduncert")
    @classmethod
    def _uncert(cls, v):
        if v is not None and v < 0:
            raise ValueError(N_("COORDUNCERT %(value)s must be a positive number of metres", value=str(v)))
        return v

    @field_validator("origcty")
    @classmethod
    def _cty(cls, v):
        if v is None or v == "":
            return None
        v = v.strip().upper()
        if len(v) != 3 or not v.isalpha():
            raise ValueError(N_("ORIGCTY %(value)s is not an ISO 3166-1 alpha-3 code (e.g. VNM)", value=repr(v)))
        return v

    @field_validator("georefmeth")
    @classmethod
    def _georef(cls, v):
        if v is None or v == "":
            return None
        if v not in codes.GEOREFMETH:
            raise ValueError(N_("%(field)s %(value)s is not allowed; allowed: %(allowed)s", field="GEOREFMETH",
                                value=repr(v), allowed=codes.allowed(codes.GEOREFMETH)))
        return v

    @field_validator("accenumb")
    @classmethod
    def _accenumb(cls, v):
        v = (v or "").strip()
        if not v:
            raise ValueError(N_("ACCENUMB is empty: every accession needs its number within the institution"))
        return v

    @field_validator("accename", "collsite", "cropname", "admin_unit_recorded", "commune", "remarks",
                     "public_remarks", "donorname", "collector_names")
    @classmethod
    def _text(cls, v):
        return nfc(v.strip()) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _pair(self):
        if (self.declatitude is None) != (self.declongitude is None):
            raise ValueError(N_("DECLATITUDE and DECLONGITUDE go together: give both or neither"))
        return self


class AccessionCreate(AccessionBase):
    instcode: str = Field(description="INSTCODE of the holding institution, which must exist in the registry")
    taxon_name: str | None = Field(default=None, description="scientific name; GENUS + SPECIES + SUBTAXA if empty")
    task_code: str | None = None
    characterizations: list[CharacterizationCreate] = []


class AccessionPublic(SQLModel):
    """What the public may see of an accession: built only by the core's public-form function."""

    id: int
    instcode: str
    institution_name_vi: str
    institution_name_en: str
    accenumb: str
    puid: str | None = None
    category: str
    taxon_id: int | None = None
    scientific_name: str | None = None
    authorship: str | None = None
    family: str | None = None
    vernacular_vi: list[str] = []
    vernacular_en: list[str] = []
    genus: str | None = None
    species: str | None = None
    spauthor: str | None = None
    subtaxa: str | None = None
    subtauthor: str | None = None
    cropname: str | None = None
    accename: str | None = None
    acqdate: str | None = None
    origcty: str | None = None
    collsite: str | None = None
    collnumb: str | None = None
    collcode: str | None = None
    collname: str | None = None
    collmissid: str | None = None
    colldate: str | None = None
    district_code: str | None = None
    commune: str | None = None
    admin_unit_recorded: str | None = None
    admin_unit_recorded_on: dt.date | None = None
    declatitude: float | None = None
    declongitude: float | None = None
    coorduncert: int | None = None
    coorddatum: str | None = None
    georefmeth: str | None = None
    elevation: float | None = None
    bredcode: str | None = None
    bredname: str | None = None
    sampstat: int | None = None
    ancest: str | None = None
    collsrc: int | None = None
    donorcode: str | None = None
    donor_display: str | None = Field(default=None, description="the donor institution, or 'private donor'")
    donornumb: str | None = None
    othernumb: str | None = None
    duplsite: str | None = None
    duplinstname: str | None = None
    storage: str | None = None
    mlsstat: int | None = None
    remarks: str | None = None
    historic: bool = False
    conservation_mode: str | None = None
    lifecycle_stage: str
    task_code: str | None = None
    task_title_vi: str | None = None
    task_title_en: str | None = None
    public_remarks: str | None = None
    sensitivity_category: int | None = None
    data_generalizations: str | None = None
    information_withheld: str | None = None
    characterizations: list[CharacterizationPublic] = []
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class ImportBatchBase(SQLModel):
    format: str = Field(max_length=30)
    source_filename: str = Field(max_length=500)
    checksum: str | None = Field(default=None, max_length=64, description="SHA-256 of the source file")
    created_by: str | None = Field(default=None, max_length=120)
    status: str = Field(default=codes.ImportStatus.RUNNING, max_length=20)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    message: str | None = None


class ImportBatchPublic(ImportBatchBase):
    id: int
    started_at: UtcDatetime
    finished_at: UtcDatetime | None = None
    report: dict | None = None


class AccessionSummaryPublic(SQLModel):
    """One search result: built from the public search index, itself built from the public form."""

    id: int
    instcode: str
    accenumb: str
    name_vi: str | None = None
    name_en: str | None = None
    scientific_name: str | None = None
    family: str | None = None
    category: str
    district_code: str | None = Field(default=None, description="withheld (null) for category-1 taxa")
    commune: str | None = None
    sampstat: int | None = None
    storage: list[int] = []
    conservation: list[str] = Field(default=[], description="'scheme:code' of the taxon's assessments")
    task_code: str | None = None
    declatitude: float | None = Field(default=None, description="generalised for sensitive taxa")
    declongitude: float | None = None
    colldate: str | None = None


class FacetValuePublic(SQLModel):
    value: str | None = Field(description="null: not given, or withheld for a sensitive taxon")
    count: int


class AccessionSearchPublic(SQLModel):
    total: int = Field(description="every match: whole_word_total + prefix_total")
    whole_word_total: int = Field(default=0, description="matches holding every query word as a whole word; "
                                  "listed first when sorted by relevance (all of them without a query)")
    prefix_total: int = Field(default=0, description="further matches where a query word (3 letters or more) "
                              "only begins a word: 'xoai' finding 'xoài' is whole, 'tra' finding 'trắng' a prefix")
    limit: int
    offset: int
    items: list[AccessionSummaryPublic]
    facets: dict[str, list[FacetValuePublic]] = {}
    suggestions: list[str] = []


class ErrorPublic(SQLModel):
    code: int | str
    message: str

"""The accession's contracts: its passport as stored (AccessionBase), as submitted (AccessionCreate) and as
anyone may see it (AccessionPublic, built by the public-form function)."""
from __future__ import annotations

import datetime as dt

from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from . import codes
from .catalogue import CharacterizationCreate, CharacterizationPublic
from .code_checks import code_in, enum_in, storage_codes
from .dates import UtcDatetime, normalize_partial_date
from .messages import N_
from .text import nfc


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
        return enum_in(v, "category", codes.Category)

    @field_validator("conservation_mode")
    @classmethod
    def _mode(cls, v):
        return enum_in(v, "conservation_mode", codes.ConservationMode)

    @field_validator("lifecycle_stage")
    @classmethod
    def _stage(cls, v):
        return enum_in(v, "lifecycle_stage", codes.LifecycleStage)

    @field_validator("publication_status")
    @classmethod
    def _pub(cls, v):
        return enum_in(v, "publication_status", codes.PublicationStatus)

    @field_validator("sampstat", mode="before")
    @classmethod
    def _sampstat(cls, v):
        return code_in(v, "SAMPSTAT", codes.SAMPSTAT)

    @field_validator("collsrc", mode="before")
    @classmethod
    def _collsrc(cls, v):
        return code_in(v, "COLLSRC", codes.COLLSRC)

    @field_validator("mlsstat", mode="before")
    @classmethod
    def _mlsstat(cls, v):
        return code_in(v, "MLSSTAT", codes.MLSSTAT)

    @field_validator("storage", mode="before")
    @classmethod
    def _storage(cls, v):
        if v is None or str(v).strip() == "":
            return None
        return storage_codes(str(v))

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

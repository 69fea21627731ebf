"""Model families of the catalogue (institutions, tasks, taxa, assessments, characterizations; accessions in
schemas.accessions): *Base (stored fields), *Create (input, validated), *Public (what anyone may see).

Table classes live in each domain package's models (genbank_registry.catalogue.models) and inherit the Base classes here. Validators sit on the Base
classes so that every input class validates the same way; SQLModel skips them on table classes, which is why
services always build a *Create first (`AccessionCreate.model_validate(row)`) and never trust raw dicts.
"""
from __future__ import annotations

import datetime as dt

from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from . import codes
from .code_checks import enum_in
from .dates import UtcDatetime
from .messages import N_
from .text import nfc


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
        return enum_in(v, "status", codes.TaskStatus)

    @field_validator("lifecycle_stage")
    @classmethod
    def _stage(cls, v):
        return enum_in(v, "lifecycle_stage", codes.LifecycleStage)

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
        return enum_in(v, "rank", codes.TaxonRank)

    @field_validator("taxonomic_status")
    @classmethod
    def _tstatus(cls, v):
        return enum_in(v, "taxonomic_status", codes.TaxonomicStatus)

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
        return enum_in(v, "scheme", codes.AssessmentScheme)

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
        return enum_in(v, "level", codes.EvaluationLevel)


class CharacterizationCreate(CharacterizationBase):
    pass


class CharacterizationPublic(CharacterizationBase):
    pass


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


class ErrorPublic(SQLModel):
    code: int | str
    message: str

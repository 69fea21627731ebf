"""The catalogue's tables: institutions, gene-fund tasks, taxa, accessions, characterizations, import batches.

Fields come from the Base contracts in `schemas.catalogue`; private columns are added here."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from genbank_registry.base import timestamp_field as _ts
from schemas.accessions import AccessionBase
from schemas.catalogue import AssessmentBase, CharacterizationBase, GeneFundTaskBase, ImportBatchBase, InstitutionBase, TaxonBase


class Institution(InstitutionBase, table=True):
    __tablename__ = "institution"
    id: int | None = Field(default=None, primary_key=True)
    contact_person: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=60)
    created_at: dt.datetime = _ts()


class GeneFundTask(GeneFundTaskBase, table=True):
    __tablename__ = "gene_fund_task"
    id: int | None = Field(default=None, primary_key=True)
    host_institution_id: int = Field(foreign_key="institution.id", index=True)
    created_at: dt.datetime = _ts()


class Taxon(TaxonBase, table=True):
    __tablename__ = "taxon"
    __table_args__ = (UniqueConstraint("scientific_name", "rank"),)
    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="taxon.id", index=True)
    accepted_id: int | None = Field(default=None, foreign_key="taxon.id", index=True,
                                    description="set on a synonym: the accepted taxon")
    name_folded: str = Field(default="", max_length=300, index=True)
    created_at: dt.datetime = _ts()


class VernacularName(SQLModel, table=True):
    __tablename__ = "vernacular_name"
    __table_args__ = (UniqueConstraint("taxon_id", "lang", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    taxon_id: int = Field(foreign_key="taxon.id", index=True)
    name: str = Field(max_length=300)
    lang: str = Field(max_length=8)
    preferred: bool = False
    name_folded: str = Field(default="", max_length=300, index=True)


class ConservationAssessment(AssessmentBase, table=True):
    __tablename__ = "conservation_assessment"
    __table_args__ = (UniqueConstraint("taxon_id", "scheme"),)
    id: int | None = Field(default=None, primary_key=True)
    taxon_id: int = Field(foreign_key="taxon.id", index=True)


class Accession(AccessionBase, table=True):
    __tablename__ = "accession"
    __table_args__ = (
        UniqueConstraint("institution_id", "accenumb"),
        Index("ix_accession_status_category", "publication_status", "category"),
    )
    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    taxon_id: int | None = Field(default=None, foreign_key="taxon.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="gene_fund_task.id", index=True)
    search_text: str = Field(default="", description="folded names and places, for diacritic-free search")
    created_at: dt.datetime = _ts()
    updated_at: dt.datetime = _ts()


class Characterization(CharacterizationBase, table=True):
    __tablename__ = "characterization"
    id: int | None = Field(default=None, primary_key=True)
    accession_id: int = Field(foreign_key="accession.id", index=True, ondelete="CASCADE")


class ImportBatch(ImportBatchBase, table=True):
    __tablename__ = "import_batch"
    id: int | None = Field(default=None, primary_key=True)
    started_at: dt.datetime = _ts()
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    report: dict | None = Field(default=None, sa_column=Column(JSON))

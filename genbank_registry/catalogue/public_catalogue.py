"""Public forms of taxa, institutions and gene-fund tasks (names and statuses are public; contacts are not)."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from schemas.catalogue import (
    AssessmentPublic,
    GeneFundTaskPublic,
    InstitutionPublic,
    TaxonPublic,
    VernacularNamePublic,
)

from genbank_registry.errors import NotFound
from genbank_registry.models import ConservationAssessment, GeneFundTask, Institution, Taxon, VernacularName
from genbank_registry.catalogue.sensitivity import SensitivityResolver


def taxon_public(session: Session, taxon: Taxon, resolver: SensitivityResolver | None = None) -> TaxonPublic:
    names = session.exec(select(VernacularName).where(VernacularName.taxon_id == taxon.id)
                         .order_by(VernacularName.lang.desc(), VernacularName.preferred.desc(), VernacularName.id))
    assessments = session.exec(select(ConservationAssessment).where(ConservationAssessment.taxon_id == taxon.id)
                               .order_by(ConservationAssessment.scheme))
    return TaxonPublic.model_validate(taxon, from_attributes=True, update={
        "vernacular_names": [VernacularNamePublic.model_validate(n, from_attributes=True) for n in names],
        "assessments": [AssessmentPublic.model_validate(a, from_attributes=True) for a in assessments],
        "sensitivity_category": (resolver or SensitivityResolver(session)).taxon_category(taxon.id),
    })


def get_taxon(session: Session, taxon_id: int) -> Taxon:
    taxon = session.get(Taxon, taxon_id)
    if taxon is None:
        raise NotFound(f"taxon {taxon_id} not found")
    return taxon


def synonyms(session: Session, taxon_id: int) -> list[Taxon]:
    return list(session.exec(select(Taxon).where(Taxon.accepted_id == taxon_id).order_by(Taxon.scientific_name)))


def children_ids(session: Session, taxon_id: int) -> list[int]:
    return list(session.exec(select(Taxon.id).where(Taxon.parent_id == taxon_id)))


def list_taxa(session: Session, limit: int, offset: int) -> tuple[int, list[TaxonPublic]]:
    total = session.exec(select(func.count()).select_from(Taxon)).one()
    resolver = SensitivityResolver(session)
    rows = session.exec(select(Taxon).order_by(Taxon.scientific_name, Taxon.id).limit(limit).offset(offset))
    return total, [taxon_public(session, t, resolver) for t in rows]


def institution_public(inst: Institution) -> InstitutionPublic:
    return InstitutionPublic.model_validate(inst.model_dump(exclude={"contact_person", "contact_email",
                                                                    "contact_phone", "created_at"}))


def get_institution(session: Session, code: str) -> Institution:
    inst = session.exec(select(Institution).where(Institution.code == code.upper())).first()
    if inst is None:
        raise NotFound(f"institution {code!r} not found")
    return inst


def list_institutions(session: Session) -> list[InstitutionPublic]:
    return [institution_public(i) for i in session.exec(select(Institution).order_by(Institution.code))]


def task_public(session: Session, task: GeneFundTask) -> GeneFundTaskPublic:
    host = session.get(Institution, task.host_institution_id)
    return GeneFundTaskPublic.model_validate(task.model_dump(exclude={"host_institution_id", "created_at"})
                                             | {"host_institution_code": host.code if host else None})


def get_task(session: Session, code: str) -> GeneFundTask:
    task = session.exec(select(GeneFundTask).where(GeneFundTask.code == code)).first()
    if task is None:
        raise NotFound(f"gene-fund task {code!r} not found")
    return task


def list_tasks(session: Session) -> list[GeneFundTaskPublic]:
    return [task_public(session, t) for t in session.exec(select(GeneFundTask).order_by(GeneFundTask.code))]

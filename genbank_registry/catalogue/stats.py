"""Counts of the published catalogue for the home page and the CLI. Drafts never count."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from schemas import codes

from genbank_registry.models import Accession, GeneFundTask, Institution, Taxon
from genbank_registry.catalogue.sensitivity import SensitivityResolver


@dataclass
class CatalogueCounts:
    accessions: int = 0
    taxa: int = 0
    institutions: int = 0
    tasks: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_district: list[tuple[str | None, int]] = field(default_factory=list)
    by_institution: list[tuple[str, str, str, int]] = field(default_factory=list)  # code, name_vi, name_en, n


def catalogue_counts(session: Session) -> CatalogueCounts:
    published = Accession.publication_status == codes.PublicationStatus.PUBLISHED
    counts = CatalogueCounts()
    counts.accessions = session.exec(select(func.count()).select_from(Accession).where(published)).one()
    counts.taxa = session.exec(select(func.count(func.distinct(Accession.taxon_id))).where(published)).one()
    counts.institutions = session.exec(select(func.count(func.distinct(Accession.institution_id)))
                                       .where(published)).one()
    counts.tasks = session.exec(select(func.count()).select_from(GeneFundTask)).one()
    counts.by_category = [(c, n) for c, n in session.exec(
        select(Accession.category, func.count()).where(published).group_by(Accession.category)
        .order_by(func.count().desc(), Accession.category))]
    # District counts go through sensitivity: a category-1 record's district is withheld from the public.
    resolver = SensitivityResolver(session)
    by_district: dict[str | None, int] = {}
    for acc in session.exec(select(Accession).where(published)):
        category = resolver.accession_category(acc)
        key = None if category == 1 else acc.district_code
        by_district[key] = by_district.get(key, 0) + 1
    counts.by_district = sorted(by_district.items(), key=lambda kv: (-kv[1], kv[0] or "~"))
    counts.by_institution = [(code, vi, en, n) for code, vi, en, n in session.exec(
        select(Institution.code, Institution.name_vi, Institution.name_en, func.count(Accession.id))
        .join(Accession, Accession.institution_id == Institution.id).where(published)
        .group_by(Institution.code, Institution.name_vi, Institution.name_en)
        .order_by(func.count(Accession.id).desc(), Institution.code))]
    return counts


def taxa_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Taxon)).one()

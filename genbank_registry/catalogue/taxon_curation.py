"""Curators edit taxa and conservation assessments. Both change what is sensitive, so every accession of the
taxon, its subtaxa and its synonyms gets its search text rebuilt in the same transaction."""
from __future__ import annotations

from pydantic import ValidationError
from sqlmodel import Session, select

from schemas.catalogue import AssessmentCreate, TaxonBase, TaxonCreate
from schemas.text import fold

from genbank_registry.errors import Forbidden, InvalidRecord, NotFound
from genbank_registry.models import Accession, ConservationAssessment, Taxon
from genbank_registry.accounts import audit
from genbank_registry.catalogue import records as catalogue
from genbank_registry.accounts.audit import Actor
from genbank_registry.search.text import refresh_search_text
from genbank_registry.catalogue.sensitivity import SensitivityResolver

TAXON_FIELDS = tuple(TaxonBase.model_fields) + ("parent_id", "accepted_id")


def _require_curator(actor: Actor) -> None:
    if not actor.is_curator:
        raise Forbidden("only curators edit taxa and conservation assessments")


def _snap(obj, fields) -> dict:
    return {f: audit._jsonable(getattr(obj, f)) for f in fields}


def affected_taxa(session: Session, taxon_id: int) -> set[int]:
    """The taxon, its subtaxa and synonyms, transitively: everything that inherits its sensitivity."""
    found, stack = set(), [taxon_id]
    while stack:
        tid = stack.pop()
        if tid in found:
            continue
        found.add(tid)
        stack.extend(session.exec(select(Taxon.id).where((Taxon.parent_id == tid) | (Taxon.accepted_id == tid))))
    return found


def refresh_accessions_of(session: Session, taxon_id: int) -> int:
    taxa = affected_taxa(session, taxon_id)
    resolver = SensitivityResolver(session)
    accessions = session.exec(select(Accession).where(Accession.taxon_id.in_(taxa))).all()
    for acc in accessions:
        refresh_search_text(session, acc, resolver)
        session.add(acc)
    session.flush()
    return len(accessions)


def update_taxon(session: Session, actor: Actor, taxon: Taxon, changes: dict) -> Taxon:
    _require_curator(actor)
    unknown = set(changes) - set(TaxonBase.model_fields) - {"parent_name", "accepted_name"}
    if unknown:
        raise InvalidRecord(f"taxon {taxon.scientific_name}", [(f, changes[f], "not an editable field")
                                                               for f in sorted(unknown)])
    merged = {f: getattr(taxon, f) for f in TaxonBase.model_fields} | changes
    try:
        valid = TaxonCreate.model_validate(merged)
    except ValidationError as exc:
        raise InvalidRecord.from_validation(f"taxon {taxon.scientific_name}", exc) from None
    before = _snap(taxon, TAXON_FIELDS)
    for field in TaxonBase.model_fields:
        setattr(taxon, field, getattr(valid, field))
    for ref, key in (("parent_name", "parent_id"), ("accepted_name", "accepted_id")):
        if ref in changes:
            target = catalogue.find_taxon(session, changes[ref]) if changes[ref] else None
            if changes[ref] and target is None:
                raise InvalidRecord(f"taxon {taxon.scientific_name}", [(ref, changes[ref], "not in the registry")])
            if target is not None and target.id in affected_taxa(session, taxon.id):
                raise InvalidRecord(f"taxon {taxon.scientific_name}", [(ref, changes[ref],
                                                                       "would make the taxon its own ancestor")])
            setattr(taxon, key, target.id if target else None)
    taxon.taxonomic_status = "synonym" if taxon.accepted_id else "accepted"
    taxon.name_folded = fold(taxon.scientific_name)
    after = _snap(taxon, TAXON_FIELDS)
    if after == before:
        return taxon
    session.add(taxon)
    session.flush()
    audit.record(session, actor, entity="taxon", entity_id=taxon.id, action="update", before=before, after=after)
    refresh_accessions_of(session, taxon.id)
    return taxon


def set_assessment(session: Session, actor: Actor, data: AssessmentCreate | dict) -> ConservationAssessment:
    _require_curator(actor)
    data = catalogue.validate(AssessmentCreate, data, "assessment")
    taxon = catalogue.find_taxon(session, data.taxon_name)
    existing = None if taxon is None else session.exec(select(ConservationAssessment).where(
        ConservationAssessment.taxon_id == taxon.id, ConservationAssessment.scheme == data.scheme)).first()
    fields = ("scheme", "code", "source_document", "assessed_on", "remarks", "taxon_id")
    before = _snap(existing, fields) if existing else None
    row, outcome = catalogue.upsert_assessment(session, data)
    if outcome != "unchanged":
        audit.record(session, actor, entity="assessment", entity_id=row.id,
                     action="create" if outcome == "added" else "update", before=before, after=_snap(row, fields))
        refresh_accessions_of(session, row.taxon_id)
    return row


def delete_assessment(session: Session, actor: Actor, assessment_id: int) -> None:
    _require_curator(actor)
    row = session.get(ConservationAssessment, assessment_id)
    if row is None:
        raise NotFound(f"assessment {assessment_id} does not exist")
    fields = ("scheme", "code", "source_document", "assessed_on", "remarks", "taxon_id")
    before, taxon_id = _snap(row, fields), row.taxon_id
    session.delete(row)
    session.flush()
    audit.record(session, actor, entity="assessment", entity_id=assessment_id, action="delete", before=before,
                 after={})
    refresh_accessions_of(session, taxon_id)

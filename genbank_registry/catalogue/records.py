"""Writes to the catalogue: institutions, tasks, taxa, assessments, accessions. Idempotent upserts.

Each upsert answers "added", "updated" or "unchanged", so importers can report what a re-run changed.
"""
from __future__ import annotations

from typing import Literal

from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, select

from schemas import codes
from schemas.accessions import AccessionBase, AccessionCreate
from schemas.catalogue import AssessmentCreate, GeneFundTaskCreate, InstitutionCreate, TaxonCreate
from schemas.text import fold, nfc

from genbank_registry.errors import InvalidRecord, NotFound
from genbank_registry.models import (
    Accession,
    Characterization,
    ConservationAssessment,
    GeneFundTask,
    Institution,
    Taxon,
    VernacularName,
    utcnow,
)
from genbank_registry.accounts import audit
from genbank_registry.accounts.audit import SYSTEM, Actor
from genbank_registry.search.text import refresh_search_text

Outcome = Literal["added", "updated", "unchanged"]


def validate(model, data, record: str):
    """Build a Create model from a dict, turning pydantic's errors into one InvalidRecord naming `record`."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord.from_validation(record, exc) from None


def _apply(obj, values: dict) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def institution_by_code(session: Session, code: str) -> Institution:
    inst = session.exec(select(Institution).where(Institution.code == code.strip().upper())).first()
    if inst is None:
        raise NotFound(f"institution {code!r} is not in the registry; add it first (genbank-registry institutions add) "
                       f"or check the INSTCODE")
    return inst


def upsert_institution(session: Session, data: InstitutionCreate | dict) -> tuple[Institution, Outcome]:
    data = validate(InstitutionCreate, data, f"institution {data.get('code') if isinstance(data, dict) else ''}")
    existing = session.exec(select(Institution).where(Institution.code == data.code)).first()
    if existing is None:
        inst = Institution.model_validate(data.model_dump())
        session.add(inst)
        session.flush()
        return inst, "added"
    return existing, "updated" if _apply(existing, data.model_dump(exclude={"code"})) else "unchanged"


def upsert_task(session: Session, data: GeneFundTaskCreate | dict) -> tuple[GeneFundTask, Outcome]:
    data = validate(GeneFundTaskCreate, data, f"task {data.get('code') if isinstance(data, dict) else ''}")
    host = institution_by_code(session, data.host_institution_code)
    values = data.model_dump(exclude={"host_institution_code"}) | {"host_institution_id": host.id}
    existing = session.exec(select(GeneFundTask).where(GeneFundTask.code == data.code)).first()
    if existing is None:
        task = GeneFundTask(**values)
        session.add(task)
        session.flush()
        return task, "added"
    return existing, "updated" if _apply(existing, values) else "unchanged"


def _clean_name(name: str) -> str:
    return " ".join(nfc(name).split())


def find_taxon(session: Session, name: str) -> Taxon | None:
    """By exact scientific name first, then ignoring case and diacritics (cultivar names carry Vietnamese)."""
    if not name or not name.strip():
        return None
    name = _clean_name(name)
    taxon = session.exec(select(Taxon).where(Taxon.scientific_name == name).order_by(Taxon.id)).first()
    if taxon is None:
        taxon = session.exec(select(Taxon).where(Taxon.name_folded == fold(name)).order_by(Taxon.id)).first()
    return taxon


def accepted(session: Session, taxon: Taxon) -> Taxon:
    seen = set()
    while taxon.accepted_id is not None and taxon.id not in seen:
        seen.add(taxon.id)
        taxon = session.get(Taxon, taxon.accepted_id)
    return taxon


def resolve_taxon(session: Session, name: str) -> Taxon | None:
    """The accepted taxon for a name that may be a synonym."""
    taxon = find_taxon(session, name)
    return accepted(session, taxon) if taxon else None


def upsert_taxon(session: Session, data: TaxonCreate | dict) -> tuple[Taxon, Outcome]:
    data = validate(TaxonCreate, data, f"taxon {data.get('scientific_name') if isinstance(data, dict) else ''}")
    values = data.model_dump(exclude={"parent_name", "accepted_name", "vernacular_vi", "vernacular_en"})
    for ref, key in (("parent_name", "parent_id"), ("accepted_name", "accepted_id")):
        ref_name = getattr(data, ref)
        if ref_name:
            target = find_taxon(session, ref_name)
            if target is None:
                raise NotFound(f"taxon {data.scientific_name!r}: {ref} {ref_name!r} is not in the registry; "
                               f"add it first")
            values[key] = target.id
        else:
            values[key] = None
    if values["accepted_id"] is not None:
        values["taxonomic_status"] = codes.TaxonomicStatus.SYNONYM
    values["name_folded"] = fold(data.scientific_name)
    existing = session.exec(select(Taxon).where(Taxon.scientific_name == data.scientific_name,
                                                Taxon.rank == data.rank)).first()
    if existing is None:
        taxon, outcome = Taxon(**values), "added"
        session.add(taxon)
        session.flush()
    else:
        taxon = existing
        outcome = "updated" if _apply(existing, values) else "unchanged"
    if _sync_vernaculars(session, taxon, data.vernacular_vi, data.vernacular_en) and outcome == "unchanged":
        outcome = "updated"
    return taxon, outcome


def _sync_vernaculars(session: Session, taxon: Taxon, names_vi: list[str], names_en: list[str]) -> bool:
    """Add the names not yet known; existing ones stay (other sources may have added them)."""
    existing = {(v.lang, v.name) for v in session.exec(select(VernacularName).where(VernacularName.taxon_id == taxon.id))}
    changed = False
    for lang, names in (("vi", names_vi), ("en", names_en)):
        for i, raw in enumerate(names):
            name = _clean_name(raw)
            if name and (lang, name) not in existing:
                session.add(VernacularName(taxon_id=taxon.id, name=name, lang=lang, preferred=(i == 0),
                                           name_folded=fold(name)))
                existing.add((lang, name))
                changed = True
    if changed:
        session.flush()
    return changed


def upsert_assessment(session: Session, data: AssessmentCreate | dict) -> tuple[ConservationAssessment, Outcome]:
    data = validate(AssessmentCreate, data, "assessment")
    taxon = find_taxon(session, data.taxon_name)
    if taxon is None:
        raise NotFound(f"assessment {data.scheme}={data.code}: taxon {data.taxon_name!r} is not in the registry")
    values = data.model_dump(exclude={"taxon_name"}) | {"taxon_id": taxon.id}
    existing = session.exec(select(ConservationAssessment).where(ConservationAssessment.taxon_id == taxon.id,
                                                                 ConservationAssessment.scheme == data.scheme)).first()
    if existing is None:
        row = ConservationAssessment(**values)
        session.add(row)
        session.flush()
        return row, "added"
    return existing, "updated" if _apply(existing, values) else "unchanged"


def taxon_name_of(data: AccessionCreate) -> str | None:
    if data.taxon_name:
        return data.taxon_name
    parts = [p for p in (data.genus, data.species, data.subtaxa) if p]
    return " ".join(parts) or None


def upsert_accession(session: Session, data: AccessionCreate | dict,
                     actor: Actor = SYSTEM) -> tuple[Accession, Outcome]:
    """Add or update by (institution, ACCENUMB); every add and update goes on the audit trail as `actor`."""
    record = "accession"
    if isinstance(data, dict):
        record = f"accession {data.get('instcode', '?')}:{data.get('accenumb', '?')}"
    data = validate(AccessionCreate, data, record)
    record = f"accession {data.instcode}:{data.accenumb}"
    inst = institution_by_code(session, data.instcode)
    values = data.model_dump(include=set(AccessionBase.model_fields))
    values["institution_id"] = inst.id
    name = taxon_name_of(data)
    taxon = resolve_taxon(session, name) if name else None
    if name and taxon is None:
        raise InvalidRecord(record, [("taxon_name", name, "not in the registry; add the taxon first or fix the "
                                                          "spelling")])
    values["taxon_id"] = taxon.id if taxon else None
    values["task_id"] = None
    if data.task_code:
        task = session.exec(select(GeneFundTask).where(GeneFundTask.code == data.task_code)).first()
        if task is None:
            raise InvalidRecord(record, [("task_code", data.task_code, "no gene-fund task has this code")])
        values["task_id"] = task.id

    existing = session.exec(select(Accession).where(Accession.institution_id == inst.id,
                                                    Accession.accenumb == data.accenumb)).first()
    before = audit.snapshot(existing) if existing is not None else None
    if existing is None:
        acc, outcome = Accession(**values), "added"
        session.add(acc)
        session.flush()
    else:
        acc = existing
        outcome = "updated" if _apply(existing, values) else "unchanged"
    if _sync_characterizations(session, acc, data) and outcome == "unchanged":
        outcome = "updated"
    refresh_search_text(session, acc)
    if outcome == "updated":
        acc.updated_at = utcnow()
    session.add(acc)
    session.flush()
    if outcome != "unchanged":
        audit.record(session, actor, entity="accession", entity_id=acc.id,
                     action="create" if outcome == "added" else "update", before=before, after=audit.snapshot(acc))
    return acc, outcome


def _sync_characterizations(session: Session, acc: Accession, data: AccessionCreate) -> bool:
    if not data.characterizations:
        return False
    current = session.exec(select(Characterization).where(Characterization.accession_id == acc.id)
                           .order_by(Characterization.id)).all()
    wanted = [c.model_dump() for c in data.characterizations]
    keys = list(wanted[0].keys())
    if [{k: getattr(c, k) for k in keys} for c in current] == wanted:
        return False
    for c in current:
        session.delete(c)
    session.flush()
    for w in wanted:
        session.add(Characterization(accession_id=acc.id, **w))
    session.flush()
    return True


def count_accessions(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Accession)).one()

"""Read queries shared by the CLI and the web: find accessions by key and list them with filters."""
from __future__ import annotations

from sqlmodel import Session, select

from genbank_registry.errors import NotFound
from genbank_registry.models import Accession, Institution


def parse_key(key: str) -> tuple[str | None, str]:
    """'CTU:CAY-0001' → ('CTU', 'CAY-0001'); a bare number is an accession number in any institution."""
    if ":" in key:
        inst, number = key.split(":", 1)
        return inst.strip().upper(), number.strip()
    return None, key.strip()


def get_accession(session: Session, key: str | int) -> Accession:
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        acc = session.get(Accession, int(key))
        if acc is not None:
            return acc
    inst, number = parse_key(str(key))
    stmt = select(Accession).join(Institution, Institution.id == Accession.institution_id) \
        .where(Accession.accenumb == number)
    if inst:
        stmt = stmt.where(Institution.code == inst)
    found = session.exec(stmt).all()
    if not found:
        raise NotFound(f"accession {key!r} not found; give INSTCODE:ACCENUMB (e.g. CTU:CAY-0001) or the numeric id")
    if len(found) > 1:
        raise NotFound(f"accession number {number!r} exists in several institutions; write INSTCODE:{number}")
    return found[0]


def list_accessions(session: Session, *, status: str | None = None, category: str | None = None,
                    institution: str | None = None, limit: int | None = None, offset: int = 0) -> list[Accession]:
    stmt = select(Accession).join(Institution, Institution.id == Accession.institution_id)
    if status:
        stmt = stmt.where(Accession.publication_status == status)
    if category:
        stmt = stmt.where(Accession.category == category)
    if institution:
        stmt = stmt.where(Institution.code == institution.upper())
    stmt = stmt.order_by(Institution.code, Accession.accenumb).offset(offset)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt))

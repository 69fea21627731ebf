"""What the public may see of a sequence record, and the read queries the pages, API and exports share.

A sequence whose voucher accession is not published is not public (answer as if it did not exist). Its /lat_lon
is generalised by the stricter of the linked accession's and the taxon's sensitivity category
(`generalise_point`), or replaced by INSDC's `missing: endangered species`; people's names never leave.
"""
from __future__ import annotations

import re

from sqlalchemy import func, or_
from sqlmodel import Session, select

from schemas import codes
from schemas.sequences import (PERSONAL_QUALIFIERS, WITHHELD_LAT_LON, FeaturePublic, ReferencePublic,
                               SequencePublic, SequenceSummary)

from genbank_registry.errors import NotFound, NotPublic
from genbank_registry.models import Accession, Institution, Taxon
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.catalogue.public_form import generalise_point, is_public
from genbank_registry.catalogue.sensitivity import SensitivityResolver, strictest

_LAT_LON = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([NS])\s+(\d+(?:\.\d+)?)\s*([EW])\s*$", re.I)


def parse_lat_lon(text: str | None) -> tuple[float, float] | None:
    """INSDC `/lat_lon="10.03 N 105.78 E"` → (10.03, 105.78); None when it is not a position."""
    m = _LAT_LON.match(text or "")
    if not m:
        return None
    lat, ns, lon, ew = m.groups()
    return float(lat) * (-1 if ns.upper() == "S" else 1), float(lon) * (-1 if ew.upper() == "W" else 1)


def format_lat_lon(lat: float, lon: float) -> str:
    return f"{abs(lat):g} {'S' if lat < 0 else 'N'} {abs(lon):g} {'W' if lon < 0 else 'E'}"


def public_sequence_filter(stmt):
    """Restrict a select over SequenceRecord to what the public may see: published records with no voucher or a
    published one."""
    published = select(Accession.id).where(Accession.publication_status == codes.PublicationStatus.PUBLISHED)
    return stmt.where(SequenceRecord.publication_status == codes.PublicationStatus.PUBLISHED,
                      or_(SequenceRecord.accession_id.is_(None), SequenceRecord.accession_id.in_(published)))


class SequenceFormBuilder:
    """Builds public (or, for staff exports, exact) forms of many sequences with shared look-ups."""

    def __init__(self, session: Session, *, staff: bool = False):
        self.session = session
        self.staff = staff
        self.sensitivity = SensitivityResolver(session)
        self._acc: dict[int, tuple[Accession, str]] = {}
        self._taxa: dict[int, Taxon | None] = {}

    def accession(self, accession_id: int | None) -> tuple[Accession | None, str | None]:
        if accession_id is None:
            return None, None
        if accession_id not in self._acc:
            acc = self.session.get(Accession, accession_id)
            inst = self.session.get(Institution, acc.institution_id)
            self._acc[accession_id] = (acc, f"{inst.code}:{acc.accenumb}")
        return self._acc[accession_id]

    def taxon(self, taxon_id: int | None) -> Taxon | None:
        if taxon_id is None:
            return None
        if taxon_id not in self._taxa:
            self._taxa[taxon_id] = self.session.get(Taxon, taxon_id)
        return self._taxa[taxon_id]

    def visible(self, seq: SequenceRecord) -> bool:
        if self.staff:
            return True
        if seq.publication_status != codes.PublicationStatus.PUBLISHED:
            return False
        acc, _ = self.accession(seq.accession_id)
        return acc is None or is_public(acc)

    def category(self, seq: SequenceRecord) -> int | None:
        acc, _ = self.accession(seq.accession_id)
        return strictest(self.sensitivity.accession_category(acc) if acc else None,
                         self.sensitivity.taxon_category(seq.taxon_id))

    def summary(self, seq: SequenceRecord) -> SequenceSummary:
        if not self.visible(seq):
            raise NotPublic("this sequence is not published")
        taxon = self.taxon(seq.taxon_id)
        return SequenceSummary(id=seq.id, record_id=seq.record_id, definition=seq.definition, marker=seq.marker,
                               length=seq.length, organism=seq.organism,
                               scientific_name=taxon.scientific_name if taxon else None,
                               accession_key=self.accession(seq.accession_id)[1], qc_flags=seq.qc_flags.split(),
                               is_current=seq.is_current)

    def build(self, seq: SequenceRecord) -> SequencePublic:
        if not self.visible(seq):
            raise NotPublic("this sequence is not published")
        acc, acc_key = self.accession(seq.accession_id)
        taxon = self.taxon(seq.taxon_id)
        category = None if self.staff else self.category(seq)
        lat_lon, geo, generalised, withheld = self._place(seq.lat_lon, seq.geo_loc_name, category)
        features = []
        for f in seq.features or []:
            quals = [tuple(q) for q in f["qualifiers"]]
            if f["type"] == "source" and not self.staff:
                quals = [(k, _scrub(k, v, lat_lon, geo)) for k, v in quals if k not in PERSONAL_QUALIFIERS]
            features.append(FeaturePublic(type=f["type"], location=f["location"], qualifiers=quals))
        if seq.collected_by and not self.staff:
            withheld.append("Names of collectors and identifiers withheld (Decree 13/2023/NĐ-CP).")
        versions = [seq.record_id] if seq.version is None else self.session.exec(
            select(SequenceRecord.record_id).where(SequenceRecord.version.is_not(None),
                                                   SequenceRecord.accession_base == seq.accession_base)
            .order_by(SequenceRecord.version, SequenceRecord.id)).all()
        return SequencePublic(
            id=seq.id, record_id=seq.record_id, accession_base=seq.accession_base, version=seq.version,
            name=seq.name, definition=seq.definition, molecule_type=seq.molecule_type, topology=seq.topology,
            division=seq.division, locus_date=seq.locus_date, marker=seq.marker, length=seq.length, checksum=seq.checksum,
            gc_content=seq.gc_content, ambiguous_fraction=seq.ambiguous_fraction, organism=seq.organism,
            taxon_id=seq.taxon_id, scientific_name=taxon.scientific_name if taxon else None,
            taxon_verified=taxon.verified if taxon else None, lineage=seq.lineage or [],
            accession_id=seq.accession_id, accession_key=acc_key,
            specimen_voucher=seq.specimen_voucher, culture_collection=seq.culture_collection,
            bio_material=seq.bio_material, geo_loc_name=geo, lat_lon=lat_lon,
            collection_date=seq.collection_date, db_xref=seq.db_xref, keywords=seq.keywords or [],
            qc_flags=seq.qc_flags.split(), features=features,
            references=[ReferencePublic(**{k: r.get(k) for k in ("authors", "title", "journal", "pubmed_id")})
                        for r in seq.references or []],
            is_current=seq.is_current, versions=list(versions), sensitivity_category=category,
            data_generalizations=" ".join(generalised) or None, information_withheld=" ".join(withheld) or None,
            sequence=seq.sequence, created_at=seq.created_at)

    @staticmethod
    def _place(lat_lon: str | None, geo: str | None, category: int | None):
        generalised, withheld = [], []
        if category is None:
            return lat_lon, geo, generalised, withheld
        reason = f"sensitive taxon, category {category}"
        point = parse_lat_lon(lat_lon)
        grid = codes.SENSITIVITY_GRID_DEGREES[category]
        if grid is None:
            if lat_lon:
                lat_lon = WITHHELD_LAT_LON
                withheld.append(f"/lat_lon withheld ({reason}).")
            if geo and ":" in geo:
                geo = geo.split(":", 1)[0].strip()
                withheld.append(f"/geo_loc_name reduced to the country ({reason}).")
        elif point:
            lat, lon, _ = generalise_point(point[0], point[1], category)
            lat_lon = format_lat_lon(lat, lon)
            generalised.append(f"/lat_lon generalised to the centre of a {grid}° grid cell ({reason}).")
        elif lat_lon:
            lat_lon = WITHHELD_LAT_LON  # not a position we can generalise: withhold rather than guess
            withheld.append(f"/lat_lon withheld ({reason}).")
        if category <= 2 and geo and geo.count(":") and grid is not None:
            head, _, rest = geo.partition(":")
            geo = f"{head.strip()}: {rest.split(',')[0].strip()}"
        return lat_lon, geo, generalised, withheld


def _scrub(key: str, value, lat_lon, geo):
    if key == "lat_lon":
        return lat_lon
    if key in ("geo_loc_name", "country"):
        return geo
    return value


def get_sequence(session: Session, key: str | int) -> SequenceRecord:
    """By numeric id or by record id (accession.version or FASTA id); a bare accession gives its current version."""
    seq = None
    if isinstance(key, int) or str(key).isdigit():
        seq = session.get(SequenceRecord, int(key))
    if seq is None:
        seq = session.exec(select(SequenceRecord).where(SequenceRecord.record_id == str(key))).first()
    if seq is None:
        seq = session.exec(select(SequenceRecord).where(SequenceRecord.version.is_not(None),
                                                        SequenceRecord.accession_base == str(key))
                           .order_by(SequenceRecord.is_current.desc(), SequenceRecord.version.desc())).first()
    if seq is None:
        raise NotFound(f"sequence {key!r} not found; give its record id (e.g. X55053.1) or numeric id")
    return seq


def public_sequence(session: Session, key: str | int) -> SequencePublic:
    return SequenceFormBuilder(session).build(get_sequence(session, key))


def select_sequences(*, taxon_ids: list[int] | None = None, marker: str | None = None, flag: str | None = None,
                     accession_id: int | None = None, institution_id: int | None = None,
                     current_only: bool = True, public_only: bool = True):
    stmt = select(SequenceRecord)
    if public_only:
        stmt = public_sequence_filter(stmt)
    if current_only:
        stmt = stmt.where(SequenceRecord.is_current.is_(True))
    if taxon_ids is not None:
        stmt = stmt.where(SequenceRecord.taxon_id.in_(taxon_ids))
    if marker:
        stmt = stmt.where(func.lower(SequenceRecord.marker) == marker.lower())
    if flag:
        stmt = stmt.where((" " + SequenceRecord.qc_flags + " ").contains(f" {flag} "))
    if accession_id is not None:
        stmt = stmt.where(SequenceRecord.accession_id == accession_id)
    if institution_id is not None:
        stmt = stmt.where(SequenceRecord.accession_id.in_(select(Accession.id)
                                                          .where(Accession.institution_id == institution_id)))
    return stmt


def list_public_sequences(session: Session, *, limit: int = 50, offset: int = 0, **filters):
    stmt = select_sequences(**filters)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(SequenceRecord.record_id).offset(offset).limit(limit)).all()
    builder = SequenceFormBuilder(session)
    return total, [builder.summary(s) for s in rows]


def sequences_for_accession(session: Session, accession_id: int) -> list[SequenceSummary]:
    """Public summaries of the current sequences vouchered by an accession (empty when it is not published)."""
    acc = session.get(Accession, accession_id)
    if acc is None or not is_public(acc):
        return []
    builder = SequenceFormBuilder(session)
    rows = session.exec(select_sequences(accession_id=accession_id).order_by(SequenceRecord.record_id)).all()
    return [builder.summary(s) for s in rows]


def taxon_ids_for(session: Session, name: str) -> list[int]:
    """The taxon a name resolves to, its synonyms and everything below it (export --taxon Oryza)."""
    from genbank_registry.catalogue.records import resolve_taxon

    taxon = resolve_taxon(session, name)
    if taxon is None:
        raise NotFound(f"taxon {name!r} is not in the registry; check the spelling")
    ids, frontier = {taxon.id}, [taxon.id]
    while frontier:
        children = session.exec(select(Taxon.id).where(or_(Taxon.parent_id.in_(frontier),
                                                           Taxon.accepted_id.in_(frontier)))).all()
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return sorted(ids)

"""Keeps `accession_index` (search/models.py) in step with the public form of each accession.

To add a facet: add its column to AccessionIndex (and the migration), fill it in `index_values`, and list it in
`search.query.FACETS`. A facet value computed here can only come from the public form, so a new facet
cannot leak what the public form withholds.
"""
from __future__ import annotations

from sqlmodel import Session, select

from genbank_registry.catalogue.public_form import PublicFormBuilder
from genbank_registry.errors import NotPublic
from genbank_registry.models import Accession, ConservationAssessment, Taxon
from genbank_registry.search.models import AccessionIndex, facet_values
from genbank_registry.search.shared import shared_parts
from schemas import codes
from schemas.accessions import AccessionPublic
from schemas.text import fold, words


def _joined(values) -> str | None:
    values = [str(v) for v in values if v not in (None, "")]
    return ";" + ";".join(values) + ";" if values else None


def primary_names(form: AccessionPublic) -> tuple[str | None, str | None]:
    """The name a reader knows the accession by, in Vietnamese and in English."""
    variety = (form.accename or "").split(";")[0].strip() or None
    vi = form.cropname or variety or (form.vernacular_vi[0] if form.vernacular_vi else None)
    en = (form.vernacular_en[0] if form.vernacular_en else None) or vi
    if variety and en and variety not in en:
        en = f"{en} '{variety}'"
    return vi or form.scientific_name, en or form.scientific_name


class IndexBuilder:
    """Index rows for many accessions with shared lookups (the seed, a reindex, the benchmark generator)."""

    def __init__(self, session: Session, builder: PublicFormBuilder | None = None, *, all_new: bool = False):
        self.session = session
        self.forms = builder or PublicFormBuilder(session)
        self.all_new = all_new  # bulk loads into an empty index need not look for existing rows
        self._statuses: dict[int, list[str]] = {}
        self._synonyms: dict[int, list[str]] = {}
        self._shared: dict[tuple[int, int | None], list[str]] = {}

    def shared_parts(self, institution_id: int, taxon_id: int | None) -> list[str]:
        """Search words from the institution and taxon, computed once per pair (search.shared)."""
        key = (institution_id, taxon_id)
        if key not in self._shared:
            self._shared[key] = shared_parts(self.session, institution_id, taxon_id)
        return self._shared[key]

    def _taxon_chain(self, taxon_id: int | None) -> list[Taxon]:
        """The taxon and its ancestors below the family (a cultivar's species names are its names too)."""
        chain, seen = [], set()
        while taxon_id and taxon_id not in seen:
            seen.add(taxon_id)
            taxon = self.session.get(Taxon, taxon_id)
            if taxon is None or taxon.rank in (codes.TaxonRank.FAMILY, codes.TaxonRank.ORDER, codes.TaxonRank.CLASS,
                                               codes.TaxonRank.PHYLUM, codes.TaxonRank.KINGDOM):
                break
            chain.append(taxon)
            taxon_id = taxon.parent_id
        return chain

    def statuses(self, taxon_id: int | None) -> list[str]:
        """'scheme:code' of every assessment on the taxon, its accepted name and its ancestors."""
        if taxon_id is None:
            return []
        if taxon_id not in self._statuses:
            ids = [t.id for t in self._taxon_chain(taxon_id)]
            ids += [t.accepted_id for t in self._taxon_chain(taxon_id) if t.accepted_id]
            found = self.session.exec(select(ConservationAssessment).where(ConservationAssessment.taxon_id.in_(ids))
                                      .order_by(ConservationAssessment.scheme)).all() if ids else []
            self._statuses[taxon_id] = sorted({f"{a.scheme}:{a.code}" for a in found})
        return self._statuses[taxon_id]

    def names(self, form: AccessionPublic) -> list[str]:
        tid = form.taxon_id
        if tid is not None and tid not in self._synonyms:
            chain = self._taxon_chain(tid)
            names: list[str] = []
            for taxon in chain:
                names.append(taxon.scientific_name)
                _, vi, en = self.forms._taxon_of(taxon.id)
                names += vi + en
            names += [s.scientific_name for s in self.session.exec(select(Taxon).where(Taxon.accepted_id == tid))]
            self._synonyms[tid] = names
        vi, en = primary_names(form)
        parts = [vi, en, *(form.accename or "").split(";"), form.cropname, form.subtaxa,
                 " ".join(p for p in (form.genus, form.species) if p), *self._synonyms.get(tid, [])]
        out: list[str] = []
        for p in parts:
            w = words(p)
            if w and w not in out:
                out.append(w)
        return out

    def index_values(self, form: AccessionPublic) -> dict:
        vi, en = primary_names(form)
        names = self.names(form)
        return dict(
            accession_id=form.id, taxon_id=form.taxon_id, accenumb=form.accenumb, name_text=" | ".join(names),
            sort_name=fold(vi or form.accenumb)[:300], name_vi=vi, name_en=en, scientific_name=form.scientific_name,
            instcode=form.instcode, category=form.category, family=form.family,
            district=form.district_code, commune=form.commune,
            storage=_joined((form.storage or "").split(";")), sampstat=form.sampstat,
            conservation=_joined(self.statuses(form.taxon_id)), task_code=form.task_code,
            latitude=form.declatitude, longitude=form.declongitude, colldate=form.colldate,
            published_at=form.created_at,
        )

    def refresh(self, acc: Accession) -> None:
        """Write (or remove, when the record is not public) the index row of `acc`."""
        row = None if self.all_new else self.session.get(AccessionIndex, acc.id)
        try:
            values = self.index_values(self.forms.build(acc)) | {"search_words": acc.search_text}
            values["facet_values"] = facet_values(values)
        except NotPublic:
            if row is not None:
                self.session.delete(row)
            return
        if row is None:
            self.session.add(AccessionIndex(**values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            self.session.add(row)

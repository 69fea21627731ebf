"""The one function that turns an accession into what the public may see.

Every public route (pages, API, exports, downloads, search, facets, map) must build its output from
`public_form`; nothing else reads exact coordinates, personal data or private notes for the public.
Generalisation snaps to a grid cell's centre (GBIF, Chapman 2020: generalise, never randomise).
"""
from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal

from sqlmodel import Session, select

from schemas import codes
from schemas.accessions import AccessionPublic
from schemas.catalogue import CharacterizationPublic

from genbank_registry.errors import NotPublic
from genbank_registry.models import Accession, Characterization, GeneFundTask, Institution, Taxon, VernacularName
from genbank_registry.catalogue.sensitivity import SensitivityResolver

PRIVATE_DONOR = "private donor"
METRES_PER_DEGREE = 111_320


def snap(value: float, grid: float) -> float:
    """The centre of the grid cell that holds `value` (exact decimal arithmetic: no 0.30000000000000004)."""
    g = Decimal(str(grid))
    cell = (Decimal(str(value)) / g).to_integral_value(rounding=ROUND_FLOOR)
    return float((cell * g + g / 2).normalize())


def generalise_point(lat: float | None, lon: float | None, category: int | None):
    """(lat, lon, uncertainty_m) as published for `category`; all None when withheld."""
    if lat is None or lon is None:
        return None, None, None
    if category is None:
        return lat, lon, None
    grid = codes.SENSITIVITY_GRID_DEGREES[category]
    if grid is None:
        return None, None, None
    # Half the cell's diagonal: the furthest the true point can be from the published centre.
    return snap(lat, grid), snap(lon, grid), math.ceil(grid * METRES_PER_DEGREE * math.sqrt(2) / 2)


def is_public(acc: Accession) -> bool:
    return acc.publication_status == codes.PublicationStatus.PUBLISHED


class PublicFormBuilder:
    """Builds public forms for many accessions with shared lookups (one per request or export)."""

    def __init__(self, session: Session, resolver: SensitivityResolver | None = None):
        self.session = session
        self.sensitivity = resolver or SensitivityResolver(session)
        self._inst: dict[int, Institution] = {}
        self._task: dict[int, GeneFundTask | None] = {}
        self._taxon: dict[int, tuple[Taxon | None, list[str], list[str]]] = {}

    def _institution(self, inst_id: int) -> Institution:
        if inst_id not in self._inst:
            self._inst[inst_id] = self.session.get(Institution, inst_id)
        return self._inst[inst_id]

    def _task_of(self, task_id: int | None) -> GeneFundTask | None:
        if task_id is None:
            return None
        if task_id not in self._task:
            self._task[task_id] = self.session.get(GeneFundTask, task_id)
        return self._task[task_id]

    def _taxon_of(self, taxon_id: int | None):
        if taxon_id is None:
            return None, [], []
        if taxon_id not in self._taxon:
            taxon = self.session.get(Taxon, taxon_id)
            names = self.session.exec(select(VernacularName).where(VernacularName.taxon_id == taxon_id)
                                      .order_by(VernacularName.preferred.desc(), VernacularName.id)).all()
            self._taxon[taxon_id] = (taxon, [n.name for n in names if n.lang == "vi"],
                                     [n.name for n in names if n.lang == "en"])
        return self._taxon[taxon_id]

    def build(self, acc: Accession) -> AccessionPublic:
        if not is_public(acc):
            # Answer as if it did not exist: a draft's number is not public either.
            raise NotPublic("this accession is not published")
        category = self.sensitivity.accession_category(acc)
        lat, lon, uncert = generalise_point(acc.declatitude, acc.declongitude, category)
        generalised, withheld = [], []
        district, commune, collsite, admin_unit = acc.district_code, acc.commune, acc.collsite, acc.admin_unit_recorded
        elevation = acc.elevation
        if category is not None:
            grid = codes.SENSITIVITY_GRID_DEGREES[category]
            reason = f"sensitive taxon, category {category}"
            if grid is None:
                district = commune = collsite = admin_unit = elevation = None
                withheld.append(f"Coordinates, elevation and locality withheld ({reason}); ask the holding "
                                f"institution for access.")
            else:
                if acc.declatitude is not None:
                    generalised.append(f"Coordinates generalised to the centre of a {grid}° grid cell ({reason}).")
                if category <= 2:
                    commune = admin_unit = None
                collsite = None
                withheld.append(f"Collecting site description withheld ({reason}); ask the holding institution "
                                f"for access.")
        else:
            uncert = acc.coorduncert
        if (acc.donor_is_person and acc.donorname) or acc.donor_contact or acc.collector_names or acc.collector_contact:
            withheld.append("Personal details of donors and collectors withheld (Decree 13/2023/NĐ-CP).")

        inst = self._institution(acc.institution_id)
        task = self._task_of(acc.task_id)
        taxon, names_vi, names_en = self._taxon_of(acc.taxon_id)
        if acc.donorcode or (acc.donorname and not acc.donor_is_person):
            donor_display = acc.donorname or acc.donorcode
        elif acc.donorname:
            donor_display = PRIVATE_DONOR
        else:
            donor_display = None
        characterizations = self.session.exec(select(Characterization)
                                              .where(Characterization.accession_id == acc.id)
                                              .order_by(Characterization.id)).all()
        return AccessionPublic(
            id=acc.id, instcode=inst.code, institution_name_vi=inst.name_vi, institution_name_en=inst.name_en,
            accenumb=acc.accenumb, puid=acc.puid, category=acc.category,
            taxon_id=acc.taxon_id,
            scientific_name=taxon.scientific_name if taxon else None,
            authorship=taxon.authorship if taxon else None,
            family=taxon.family if taxon else None,
            vernacular_vi=names_vi, vernacular_en=names_en,
            genus=acc.genus, species=acc.species, spauthor=acc.spauthor, subtaxa=acc.subtaxa,
            subtauthor=acc.subtauthor, cropname=acc.cropname, accename=acc.accename, acqdate=acc.acqdate,
            origcty=acc.origcty, collsite=collsite, collnumb=acc.collnumb, collcode=acc.collcode,
            collname=acc.collname, collmissid=acc.collmissid, colldate=acc.colldate,
            district_code=district, commune=commune, admin_unit_recorded=admin_unit,
            admin_unit_recorded_on=acc.admin_unit_recorded_on if admin_unit else None,
            declatitude=lat, declongitude=lon, coorduncert=uncert,
            coorddatum=acc.coorddatum if lat is not None else None,
            georefmeth=acc.georefmeth if lat is not None else None,
            elevation=elevation, bredcode=acc.bredcode, bredname=acc.bredname, sampstat=acc.sampstat,
            ancest=acc.ancest, collsrc=acc.collsrc, donorcode=acc.donorcode, donor_display=donor_display,
            donornumb=acc.donornumb, othernumb=acc.othernumb, duplsite=acc.duplsite,
            duplinstname=acc.duplinstname, storage=acc.storage, mlsstat=acc.mlsstat, remarks=acc.remarks,
            historic=acc.historic, conservation_mode=acc.conservation_mode, lifecycle_stage=acc.lifecycle_stage,
            task_code=task.code if task else None, task_title_vi=task.title_vi if task else None,
            task_title_en=task.title_en if task else None, public_remarks=acc.public_remarks,
            sensitivity_category=category,
            data_generalizations=" ".join(generalised) or None,
            information_withheld=" ".join(withheld) or None,
            characterizations=[CharacterizationPublic.model_validate(c, from_attributes=True)
                               for c in characterizations],
            created_at=acc.created_at, updated_at=acc.updated_at,
        )


def public_form(session: Session, acc: Accession) -> AccessionPublic:
    return PublicFormBuilder(session).build(acc)

"""Gene-fund reports: what the published catalogue holds, which threatened taxa it conserves, how complete
its passport data are. Published accessions only; a category-1 record's district is withheld, as on the home
page (catalogue/stats.py).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from schemas import codes
from schemas.places import district_name
from schemas.surveys import OccurrenceStatus

from genbank_registry.models import Accession, ConservationAssessment, GeneFundTask, Institution, SurveyOccurrence, Taxon, \
    VernacularName
from genbank_registry.catalogue.sensitivity import SensitivityResolver

WITHHELD = "withheld"
UNKNOWN = "unknown"


@dataclass
class Breakdown:
    name: str
    rows: list[tuple[str, str, str, int]] = field(default_factory=list)  # key, label vi, label en, n


def _published(session: Session) -> list[Accession]:
    return list(session.exec(select(Accession).where(
        Accession.publication_status == codes.PublicationStatus.PUBLISHED).order_by(Accession.id)))


def _label(table: dict, key) -> tuple[str, str]:
    item = table.get(key)
    return (item.vi, item.en) if item else (str(key), str(key))


def accession_breakdowns(session: Session) -> list[Breakdown]:
    """Published accessions by category, district, storage type, lifecycle stage, task and year collected."""
    accs = _published(session)
    resolver = SensitivityResolver(session)
    tasks = {t.id: t for t in session.exec(select(GeneFundTask))}
    counters = {name: Counter() for name in ("category", "district", "storage", "lifecycle_stage", "task", "year")}
    for acc in accs:
        counters["category"][acc.category] += 1
        withheld = resolver.accession_category(acc) == 1
        counters["district"][WITHHELD if withheld else (acc.district_code or UNKNOWN)] += 1
        for code in (acc.storage or "").split(";") if acc.storage else [UNKNOWN]:
            counters["storage"][code] += 1
        counters["lifecycle_stage"][acc.lifecycle_stage] += 1
        counters["task"][tasks[acc.task_id].code if acc.task_id in tasks else UNKNOWN] += 1
        date = acc.colldate or acc.acqdate
        counters["year"][date[:4] if date else UNKNOWN] += 1
    result = []
    for name, counter in counters.items():
        rows = []
        for key, n in counter.items():
            if key in (WITHHELD, UNKNOWN):
                vi, en = ("Ẩn vị trí", "Locality withheld") if key == WITHHELD else ("Không rõ", "Unknown")
            elif name == "category":
                vi, en = _label(codes.CATEGORY_LABELS, key)
            elif name == "district":
                vi, en = district_name(key, "vi") or key, district_name(key, "en") or key
            elif name == "storage":
                vi, en = _label(codes.STORAGE, int(key))
            elif name == "lifecycle_stage":
                vi, en = _label(codes.LIFECYCLE_LABELS, key)
            elif name == "task":
                task = next(t for t in tasks.values() if t.code == key)
                vi, en = f"{key}: {task.title_vi}", f"{key}: {task.title_en}"
            else:
                vi = en = key
            rows.append((key, vi, en, n))
        order = (lambda r: r[0]) if name == "year" else (lambda r: (-r[3], r[0]))
        result.append(Breakdown(name, sorted(rows, key=order)))
    return result


@dataclass
class CoverageRow:
    taxon_id: int
    scientific_name: str
    vernacular_vi: str | None
    statuses: list[str]  # "scheme:code", e.g. "iucn:CR"; status_label() for readers
    survey_events: int
    accessions: int


def status_label(status: str, lang: str = "en") -> str:
    scheme, code = status.split(":", 1)
    return f"{codes.SCHEME_LABELS[scheme].get(lang)}: {code}"


@dataclass
class Coverage:
    rows: list[CoverageRow]

    @property
    def covered(self) -> list[CoverageRow]:
        return [r for r in self.rows if r.accessions]

    @property
    def gaps(self) -> list[CoverageRow]:
        return [r for r in self.rows if not r.accessions]

    @property
    def percent(self) -> float | None:
        return 100 * len(self.covered) / len(self.rows) if self.rows else None


def threatened_coverage(session: Session) -> Coverage:
    """Taxa with a Vietnamese or IUCN threat status (codes.THREATENED_CODES) in the checklist or the surveys,
    against those with at least one published accession (of the taxon, a synonym or an infraspecific taxon)."""
    threatened: dict[int, list[str]] = {}
    for a in session.exec(select(ConservationAssessment).order_by(ConservationAssessment.scheme)):
        if a.code in codes.THREATENED_CODES.get(a.scheme, ()):
            threatened.setdefault(a.taxon_id, []).append(f"{a.scheme}:{a.code}")
    taxa = {t.id: t for t in session.exec(select(Taxon))}

    def roots(taxon_id: int | None) -> set[int]:
        """The taxon, its accepted name and all their ancestors: an accession of any of them counts."""
        seen, stack = set(), [taxon_id]
        while stack:
            tid = stack.pop()
            if tid is None or tid in seen or tid not in taxa:
                continue
            seen.add(tid)
            stack.extend((taxa[tid].parent_id, taxa[tid].accepted_id))
        return seen

    held: Counter = Counter()
    for taxon_id in session.exec(select(Accession.taxon_id).where(
            Accession.publication_status == codes.PublicationStatus.PUBLISHED)):
        for tid in roots(taxon_id):
            held[tid] += 1
    surveyed: Counter = Counter()
    for taxon_id, n in session.exec(select(SurveyOccurrence.taxon_id, func.count(SurveyOccurrence.id))
                                    .where(SurveyOccurrence.occurrence_status == OccurrenceStatus.PRESENT)
                                    .group_by(SurveyOccurrence.taxon_id)):
        for tid in roots(taxon_id):
            surveyed[tid] += n
    names = {v.taxon_id: v.name for v in session.exec(select(VernacularName).where(VernacularName.lang == "vi")
                                                      .order_by(VernacularName.preferred, VernacularName.id))}
    rows = [CoverageRow(tid, taxa[tid].scientific_name, names.get(tid), statuses, surveyed[tid], held[tid])
            for tid, statuses in threatened.items()]
    return Coverage(sorted(rows, key=lambda r: (bool(r.accessions), r.scientific_name)))


# Passport completeness in the spirit of Genesys's PDCI (van Hintum et al. 2011): weighted MCPD fields, the
# origin block chosen by SAMPSTAT (wild and traditional material: collecting data; bred material: pedigree),
# scored 0–10 against the maximum reachable for that kind of material.
COMMON_WEIGHTS = {"genus": 120, "species": 80, "spauthor": 5, "subtaxa": 40, "cropname": 45, "acqdate": 10,
                  "sampstat": 80, "donor": 40, "othernumb": 35, "duplsite": 30, "storage": 15, "mlsstat": 15,
                  "puid": 40, "origcty": 40}
COLLECTED_WEIGHTS = {"collsite": 70, "coordinates": 120, "elevation": 20, "colldate": 30, "collsrc": 30,
                     "collnumb": 60, "collcode": 40}
BRED_WEIGHTS = {"bredcode": 110, "ancest": 150, "accename": 50}


def _has(acc: Accession, name: str) -> bool:
    if name == "coordinates":
        return acc.declatitude is not None and acc.declongitude is not None
    if name == "donor":
        return bool(acc.donorcode or acc.donorname)
    value = getattr(acc, name)
    return value not in (None, "")


def completeness(acc: Accession) -> float:
    bred = acc.sampstat is not None and 400 <= acc.sampstat < 999
    weights = COMMON_WEIGHTS | (BRED_WEIGHTS if bred else COLLECTED_WEIGHTS)
    got = sum(w for name, w in weights.items() if _has(acc, name))
    return round(10 * got / sum(weights.values()), 2)


def passport_completeness(session: Session) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, int, float]]]:
    """Per published record (INSTCODE:ACCENUMB, category, score) and per institution (code, name, n, mean)."""
    insts = {i.id: i for i in session.exec(select(Institution))}
    records, per_inst = [], {}
    for acc in _published(session):
        score = completeness(acc)
        code = insts[acc.institution_id].code
        records.append((f"{code}:{acc.accenumb}", acc.category, score))
        per_inst.setdefault(code, []).append(score)
    by_inst = [(code, next(i.name_vi for i in insts.values() if i.code == code), len(s), round(sum(s) / len(s), 2))
               for code, s in sorted(per_inst.items())]
    return records, by_inst


def coverage_tables(session: Session) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the gene-fund report as (header, rows), for CSV, XLSX and the CLI."""
    tables = {f"accessions_by_{b.name}": (["key", "label_vi", "label_en", "accessions"], [list(r) for r in b.rows])
              for b in accession_breakdowns(session)}
    cov = threatened_coverage(session)
    tables["threatened_coverage"] = (
        ["scientific_name", "vernacular_vi", "status", "survey_records", "published_accessions", "gap"],
        [[r.scientific_name, r.vernacular_vi, "; ".join(status_label(x) for x in r.statuses), r.survey_events, r.accessions,
          "yes" if not r.accessions else "no"] for r in cov.rows])
    records, by_inst = passport_completeness(session)
    tables["passport_completeness_by_institution"] = (["instcode", "name", "accessions", "mean_score"],
                                                      [list(r) for r in by_inst])
    tables["passport_completeness_by_record"] = (["accession", "category", "score"], [list(r) for r in records])
    return tables

"""Diversity reports from survey data: the queries that build count vectors per group, then the metrics.

Counts are summed in SQL (present occurrences only; absences are kept as data but add no individuals) into
`survey_summary` when a survey is loaded, one row per (grouping, group, year or all years, taxon), so a district
report over a million occurrences reads only groups × taxa rows. Per-site reports sum the occurrences directly.
Only aggregates leave this module: no coordinates, so no sensitive locality can leak through a report.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import String, cast, delete, func, insert, literal
from sqlmodel import Session, select

from schemas.places import DISTRICTS, district_name
from schemas.surveys import DiversityReportPublic, DiversityRowPublic, GroupBy, OccurrenceStatus, \
    RarefactionPointPublic

from genbank_registry import metrics
from genbank_registry.models import SamplingEvent, SurveyOccurrence, SurveySummary

MAX_CURVE_POINTS = 30


SUMMARISED = (GroupBy.DISTRICT, GroupBy.COMMUNE, GroupBy.HABITAT, GroupBy.YEAR)
ALL_YEARS = 0


def _key(by: str):
    """The SQL expression of a group's key (a string, the same on both engines)."""
    E = SamplingEvent
    return {GroupBy.DISTRICT: func.coalesce(E.district_code, ""),
            GroupBy.COMMUNE: func.coalesce(E.district_code, "") + "/" + func.coalesce(E.municipality, ""),
            GroupBy.SITE: E.location_id,
            GroupBy.HABITAT: func.coalesce(E.habitat, ""),
            GroupBy.YEAR: cast(E.year, String)}[GroupBy(by)]


def _label(by: str, key: str) -> str:
    if by == GroupBy.DISTRICT:
        return district_name(key) or "—"
    if by == GroupBy.COMMUNE:
        code, _, commune = key.partition("/")
        district = district_name(code)
        return f"{commune or '—'} ({district})" if district else commune or "—"
    return key or "—"


def _sort_key(by: str, key: str):
    if by == GroupBy.DISTRICT:
        return (list(DISTRICTS).index(key) if key in DISTRICTS else len(DISTRICTS), key)
    return (0, key)


def python_keys(event: SamplingEvent) -> dict[str, str]:
    """An event's group keys as `_key` computes them in SQL (to find the groups an update moves it out of)."""
    return {GroupBy.DISTRICT: event.district_code or "",
            GroupBy.COMMUNE: f"{event.district_code or ''}/{event.municipality or ''}",
            GroupBy.HABITAT: event.habitat or "", GroupBy.YEAR: str(event.year)}


def refresh_summary(session: Session, event_ids: set[int] | None = None,
                    old_keys: dict[str, set[str]] | None = None) -> None:
    """Rebuild survey_summary from the occurrences; the loader calls it before it commits.

    With `event_ids` (the events a load changed) only the groups holding them, or holding them before the load
    (`old_keys`), are summed again, so a small survey added to a large registry costs little.
    """
    E, O, S = SamplingEvent, SurveyOccurrence, SurveySummary
    present = O.occurrence_status == OccurrenceStatus.PRESENT
    ids = sorted(event_ids or ())
    for by in SUMMARISED:
        key = _key(by)
        where = []
        if event_ids is not None:
            keys = set((old_keys or {}).get(by, ()))
            for start in range(0, len(ids), 500):
                keys.update(session.exec(select(key).where(E.id.in_(ids[start:start + 500])).distinct()))
            if not keys:
                continue
            where = [key.in_(sorted(keys))]
            session.execute(delete(S).where(S.grouping == str(by), S.group_key.in_(sorted(keys))))
        else:
            session.execute(delete(S).where(S.grouping == str(by)))
        years = [(E.year, True)] if by != GroupBy.YEAR else []
        for year_col, by_year in years + [(literal(ALL_YEARS), False)]:
            group = [key, O.taxon_id] + ([E.year] if by_year else [])
            query = (select(literal(str(by)), key, year_col, O.taxon_id, func.sum(O.individual_count))
                     .join(E, E.id == O.event_pk).where(present, *where).group_by(*group))
            session.execute(insert(S).from_select(["grouping", "group_key", "year", "taxon_id", "individuals"], query))
    session.flush()


def _fetch_tuples(session: Session, stmt) -> list[tuple]:
    """Rows as the driver returns them: tens of thousands of (key, taxon, count) tuples, where SQLAlchemy's
    per-row Result processing would cost more than the query (bench/diversity.py)."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect)
    params = ([compiled.params[k] for k in compiled.positiontup] if compiled.positional else compiled.params)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


@dataclass
class GroupCounts:
    by: str
    keys: list[str]
    labels: list[str]
    taxon_ids: list[int]
    matrix: np.ndarray  # groups × taxa, individuals
    events: list[int]
    effort: list[float | None]
    effort_unit: list[str | None]


def group_counts(session: Session, by: str, year: int | None = None) -> GroupCounts:
    """Individuals per taxon per group: from the summary, or from the occurrences for sites."""
    E, O, S = SamplingEvent, SurveyOccurrence, SurveySummary
    by = GroupBy(by)
    key = _key(by)
    where = [E.year == year] if year is not None else []
    if by in SUMMARISED:
        stmt = select(S.group_key, S.taxon_id, S.individuals).where(S.grouping == str(by))
        if by == GroupBy.YEAR:
            stmt = stmt.where(S.year == ALL_YEARS, *([S.group_key == str(year)] if year is not None else []))
        else:
            stmt = stmt.where(S.year == (year if year is not None else ALL_YEARS))
    else:
        stmt = (select(key, O.taxon_id, func.sum(O.individual_count)).join(E, E.id == O.event_pk)
                .where(O.occurrence_status == OccurrenceStatus.PRESENT, *where).group_by(key, O.taxon_id))
    rows = _fetch_tuples(session, stmt)
    meta = session.exec(select(key, func.count(E.id), func.sum(E.sample_size_value), func.min(E.sample_size_unit),
                               func.max(E.sample_size_unit)).where(*where).group_by(key)).all()
    groups = {k: (int(n), float(effort) if effort is not None else None, lo if lo == hi else "mixed")
              for k, n, effort, lo, hi in meta}
    keys = sorted(groups, key=lambda k: _sort_key(by, k))
    index = {k: i for i, k in enumerate(keys)}
    taxa = sorted({r[1] for r in rows})
    tindex = {t: j for j, t in enumerate(taxa)}
    matrix = np.zeros((len(keys), len(taxa)), dtype=np.int64)
    if rows:
        gi = np.fromiter((index[r[0]] for r in rows), dtype=np.int64, count=len(rows))
        tj = np.fromiter((tindex[r[1]] for r in rows), dtype=np.int64, count=len(rows))
        vals = np.fromiter((r[2] or 0 for r in rows), dtype=np.int64, count=len(rows))
        np.add.at(matrix, (gi, tj), vals)
    return GroupCounts(by.value, keys, [_label(by, k) for k in keys], taxa, matrix, [groups[k][0] for k in keys],
                       [groups[k][1] for k in keys], [groups[k][2] for k in keys])


def report_from_counts(gc: GroupCounts, year: int | None = None, curve_points: int = MAX_CURVE_POINTS,
                       ordination: bool = True) -> DiversityReportPublic:
    report = DiversityReportPublic(by=gc.by, year=year)
    for i, key in enumerate(gc.keys):
        s = metrics.summarise(gc.matrix[i])
        report.groups.append(DiversityRowPublic(key=key, label=gc.labels[i], events=gc.events[i],
                                                effort=gc.effort[i], effort_unit=gc.effort_unit[i], **s))
    if len(gc.keys) >= 2 and ordination:
        bc = metrics.bray_curtis(gc.matrix)
        report.bray_curtis = np.round(bc, 6).tolist()
        report.jaccard = np.round(metrics.jaccard(gc.matrix), 6).tolist()
        coords, explained = metrics.pcoa(bc, gc.keys)
        report.pcoa, report.pcoa_explained = np.round(coords, 6).tolist(), explained
    sizes = [g.individuals for g in report.groups if g.individuals > 0]
    report.rarefied_at = min(sizes) if sizes else None
    for i, g in enumerate(report.groups):
        if g.individuals == 0:
            continue
        curve = metrics.rarefaction_curve(gc.matrix[i], curve_points)
        report.rarefaction[g.key] = [RarefactionPointPublic(individuals=m, richness=s, lower=lo, upper=hi)
                                     for m, s, lo, hi in zip(curve.individuals, curve.richness, curve.lower,
                                                             curve.upper)]
        report.rarefied_richness[g.key] = metrics.rarefied_richness(gc.matrix[i], report.rarefied_at)
    found = metrics.effort_warnings({g.label: (g.effort, g.effort_unit, g.individuals) for g in report.groups})
    report.warnings = [w["message"] for w in found]
    report.warning_details = [{"kind": w["kind"], **w["params"]} for w in found]
    return report


def diversity_report(session: Session, by: str = "district", year: int | None = None,
                     curve_points: int = MAX_CURVE_POINTS) -> DiversityReportPublic:
    return report_from_counts(group_counts(session, by, year), year, curve_points)


def survey_years(session: Session) -> list[int]:
    return list(session.exec(select(SamplingEvent.year).distinct().order_by(SamplingEvent.year)))


def survey_totals(session: Session) -> dict:
    E, O = SamplingEvent, SurveyOccurrence
    return {"events": session.exec(select(func.count(E.id))).one(),
            "sites": session.exec(select(func.count(func.distinct(E.location_id)))).one(),
            "occurrences": session.exec(select(func.count(O.id))).one(),
            "taxa": session.exec(select(func.count(func.distinct(O.taxon_id)))
                                 .where(O.occurrence_status == OccurrenceStatus.PRESENT)).one()}


def diversity_tables(report: DiversityReportPublic) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the report as (header, rows), for CSV, XLSX and the CLI. Plain machine names."""
    index_cols = ["key", "label", "events", "effort", "effort_unit", "individuals", "richness", "shannon",
                  "simpson", "inverse_simpson", "pielou", "chao1", "chao1_lower", "chao1_upper", "goods_coverage",
                  "rarefied_richness"]
    tables = {"indices": (index_cols, [[getattr(g, c) if c != "rarefied_richness"
                                        else report.rarefied_richness.get(g.key) for c in index_cols]
                                       for g in report.groups])}
    labels = [g.label for g in report.groups]
    for name in ("bray_curtis", "jaccard"):
        matrix = getattr(report, name)
        if matrix:
            tables[name] = (["label", *labels], [[labels[i], *row] for i, row in enumerate(matrix)])
    if report.pcoa:
        tables["pcoa"] = (["label", "axis1", "axis2"], [[labels[i], *row] for i, row in enumerate(report.pcoa)])
    tables["rarefaction"] = (["key", "label", "individuals", "richness", "lower95", "upper95"],
                             [[g.key, g.label, p.individuals, p.richness, p.lower, p.upper]
                              for g in report.groups for p in report.rarefaction.get(g.key, [])])
    return tables

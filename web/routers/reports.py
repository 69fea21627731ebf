"""Reports for environmental staff: survey diversity and gene-fund coverage, as pages, CSV, XLSX, PDF and JSON.

Only aggregates are shown (indices per group, counts per category): no survey coordinates, so the locality
of a sensitive taxon cannot leak here. Gene-fund counts are built from published accessions only.
"""
from __future__ import annotations

import csv
import io

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from genbank_registry.catalogue import genefund_reports

from genbank_registry.surveys import reports as survey_reports

from genbank_registry.standards import tabular
from schemas.surveys import CoverageReportPublic, CoverageRowPublic, DiversityReportPublic, GroupBy, \
    TEMPLATE_COLUMNS, TEMPLATE_HELP

from .. import i18n
from ..deps import LangDep, SessionDep
from ..report_documents import coverage_context, coverage_pdf, diversity_context, diversity_pdf
from ..templating import render

router = APIRouter()
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf"}
# A survey year: anything past four digits names no survey (and would overflow the database's integer).
Year = Annotated[int | None, Query(ge=1, le=9999)]


def _by(by: str) -> str:
    if by not in {g.value for g in GroupBy}:
        raise HTTPException(400, f"by={by!r} is not allowed; allowed: {', '.join(g.value for g in GroupBy)}")
    return by


def _download(data: bytes | str, name: str, fmt: str) -> Response:
    if isinstance(data, str):
        data = ("\ufeff" + data).encode("utf-8")  # the BOM lets spreadsheets read Vietnamese correctly
    return Response(data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _table(tables: dict, table: str | None) -> tuple[str, tuple]:
    name = table or next(iter(tables))
    if name not in tables:
        raise HTTPException(404, f"no table {name!r}; tables: {', '.join(tables)}")
    return name, tables[name]


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_index(request: Request, session: SessionDep):
    return render(request, "reports/index.html", {"totals": survey_reports.survey_totals(session),
                                                  "years": survey_reports.survey_years(session),
                                                  "columns": [(c, TEMPLATE_HELP[c]) for c in TEMPLATE_COLUMNS]})


@router.get("/reports/survey-template.csv", include_in_schema=False)
def survey_template():
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(TEMPLATE_COLUMNS)
    out.writerow(["CT-917-02-20240317", "2024-03-17", "CT-917-02", "10.1268", "105.6332", "Ô Môn", "Thới An", "canal",
                  "cast net", "2", "hour", "Channa striata", "Cá lóc", "7", "present"])
    return _download(buf.getvalue(), "survey-template.csv", "csv")


@router.get("/reports/diversity", response_class=HTMLResponse, include_in_schema=False)
def diversity_page(request: Request, session: SessionDep, by: str = "district", year: Year = None):
    i18n.set_language(request.state.lang)
    report = survey_reports.diversity_report(session, _by(by), year)
    context = diversity_context(report) | {"by": by, "year": year, "years": survey_reports.survey_years(session),
                                           "groupings": [g.value for g in GroupBy],
                                           "tables": list(survey_reports.diversity_tables(report))}
    return render(request, "reports/diversity.html", context)


@router.get("/reports/diversity.{fmt}", include_in_schema=False)
def diversity_download(fmt: str, session: SessionDep, lang: LangDep, by: str = "district",
                       year: Year = None, table: str | None = None):
    if fmt not in MEDIA:
        raise HTTPException(404, f"no .{fmt} download; use csv, xlsx or pdf")
    report = survey_reports.diversity_report(session, _by(by), year)
    stem = f"diversity-{by}" + (f"-{year}" if year else "")
    if fmt == "pdf":
        return _download(diversity_pdf(report, lang), f"{stem}-{lang}.pdf", fmt)
    tables = survey_reports.diversity_tables(report)
    if fmt == "xlsx":
        return _download(tabular.to_xlsx(tables), f"{stem}.xlsx", fmt)
    name, t = _table(tables, table)
    return _download(tabular.to_csv(t), f"{stem}-{name}.csv", fmt)


@router.get("/reports/coverage", response_class=HTMLResponse, include_in_schema=False)
def coverage_page(request: Request, session: SessionDep):
    i18n.set_language(request.state.lang)
    context = coverage_context(session, request.state.lang)
    context["tables"] = list(genefund_reports.coverage_tables(session))
    return render(request, "reports/coverage.html", context)


@router.get("/reports/coverage.{fmt}", include_in_schema=False)
def coverage_download(fmt: str, session: SessionDep, lang: LangDep, table: str | None = None):
    if fmt not in MEDIA:
        raise HTTPException(404, f"no .{fmt} download; use csv, xlsx or pdf")
    if fmt == "pdf":
        return _download(coverage_pdf(session, lang), f"coverage-{lang}.pdf", fmt)
    tables = genefund_reports.coverage_tables(session)
    if fmt == "xlsx":
        return _download(tabular.to_xlsx(tables), "coverage.xlsx", fmt)
    name, t = _table(tables, table)
    return _download(tabular.to_csv(t), f"coverage-{name}.csv", fmt)


@router.get("/api/v1/reports/diversity", response_model=DiversityReportPublic, tags=["reports"])
def diversity_api(session: SessionDep, by: GroupBy = GroupBy.DISTRICT, year: Year = None):
    """Diversity indices per group (Shannon in natural log), Bray–Curtis and Jaccard matrices, PCoA, rarefaction."""
    return survey_reports.diversity_report(session, by.value, year)


@router.get("/api/v1/reports/coverage", response_model=CoverageReportPublic, tags=["reports"])
def coverage_api(session: SessionDep):
    """Threatened taxa against those with at least one published accession: the gene fund's to-do list."""
    cov = genefund_reports.threatened_coverage(session)
    return CoverageReportPublic(threatened=len(cov.rows), conserved=len(cov.covered), percent=cov.percent,
                                taxa=[CoverageRowPublic(**vars(r)) for r in cov.rows])


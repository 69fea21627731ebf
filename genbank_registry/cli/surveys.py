"""`import survey`, `report diversity|coverage|template`: biodiversity surveys and gene-fund reports."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table
from sqlmodel import Session

from importers.base import UnknownFormat, UnreadableFile
from importers.formats import reader
from importers.survey_csv import write_template
from importers.survey_loader import LoadResult, load_survey_file
from schemas.surveys import INDEX_NAMES, GroupBy

from genbank_registry import migrate
from genbank_registry.catalogue import genefund_reports
from genbank_registry.surveys import reports as survey_reports
from genbank_registry.standards import tabular
from genbank_registry.cli.common import console, engine_for, err_console, fail, progress_bar, settings
from genbank_registry.cli.groups import import_app, report_app

FORMATS = ("table", "json", "csv", "xlsx", "pdf")


def print_load_result(path: Path, result: LoadResult) -> None:
    c = result.counts
    if not result.ok:
        console.print(f"{path.name}: rejected: {c['rejected']} of {sum(c.values())} rows; nothing was written "
                      f"(import batch {result.batch_id})")
    else:
        console.print(f"{path.name}: added: {c['added']}, updated: {c['updated']}, unchanged: {c['unchanged']}, "
                      f"rejected: {c['rejected']} (import batch {result.batch_id})")
    if result.new_taxa:
        console.print(f"[yellow]{len(result.new_taxa)} name(s) not in the registry were added as unverified taxa; "
                      f"a curator should check them:[/] " + ", ".join(result.new_taxa))
    for problem in result.problems[:50]:
        err_console.print(f"[red]•[/] {problem}")
    if len(result.problems) > 50:
        err_console.print(f"… and {len(result.problems) - 50} more: genbank-registry import batches --id "
                          f"{result.batch_id}")


def import_survey_file(path: Path) -> LoadResult:
    url = settings().database_url
    if not migrate.is_up_to_date(url):
        fail("the database schema is not up to date; run `genbank-registry db upgrade` first")
    try:
        rows = reader(path, "survey-csv")
        total = rows.count()
    except (UnreadableFile, UnknownFormat) as exc:
        fail(str(exc))
    with engine_for(url) as engine, progress_bar() as progress:
        task = progress.add_task(f"{path.name}", total=total)
        return load_survey_file(engine, path, progress=lambda: progress.advance(task))


@import_app.command("survey")
def import_survey(path: Path = typer.Argument(..., help="survey CSV in the template's columns "
                                                        "(genbank-registry report template)")):
    """Import a biodiversity survey CSV (Darwin Core Event + Occurrence terms). Safe to re-run."""
    result = import_survey_file(path)
    print_load_result(path, result)
    if not result.ok:
        fail(f"{len(result.problems)} problem(s) in {path.name}: nothing was written; fix them and run the "
             f"import again" if result.problems else f"{path.name}: {result.failure}")


@report_app.command("template")
def template(out: Path = typer.Option(Path("survey-template.csv"), help="where to write the CSV template"),
             empty: bool = typer.Option(False, help="header only, without the two example rows")):
    """Write the survey CSV template (Darwin Core term names; see docs/surveys.md for each column)."""
    write_template(out, example=not empty)
    console.print(f"template → {out}")


def _emit(fmt: str, out: Path | None, tables: dict, as_json, pdf) -> None:
    if fmt == "json":
        text = json.dumps(as_json(), ensure_ascii=False, indent=1)
    elif fmt == "csv":
        text = "".join((f"# {name}\n" if len(tables) > 1 else "") + tabular.to_csv(t) + ("\n" if len(tables) > 1
                       else "") for name, t in tables.items())
    elif fmt in ("xlsx", "pdf"):
        if out is None:
            fail(f"--format {fmt} needs --out FILE")
        data = tabular.to_xlsx(tables) if fmt == "xlsx" else pdf()
        tmp = out.with_suffix(out.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
        console.print(f"{fmt.upper()} → {out}")
        return
    else:
        return
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(f"{fmt.upper()} → {out}")
    else:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


@report_app.command("diversity")
def diversity(
    by: GroupBy = typer.Option(GroupBy.DISTRICT, help="group the survey by district, commune, site, habitat or year"),
    year: int = typer.Option(None, help="only events of this year"),
    fmt: str = typer.Option("table", "--format", help="table, json, csv, xlsx or pdf"),
    out: Path = typer.Option(None, help="write to this file (required for xlsx and pdf)"),
    lang: str = typer.Option("vi", help="language of the PDF: vi or en"),
):
    """Diversity indices per group (Shannon in natural log), dissimilarities, PCoA and rarefaction."""
    if fmt not in FORMATS:
        fail(f"--format {fmt!r} is not allowed; allowed: {', '.join(FORMATS)}")
    with engine_for() as engine, Session(engine) as session:
        report = survey_reports.diversity_report(session, by.value, year)
    if not report.groups:
        fail("no survey data" + (f" for {year}" if year else "") + "; import a survey first "
             "(genbank-registry import survey FILE.csv)")
    tables = survey_reports.diversity_tables(report)

    def as_json():
        return {"by": report.by, "year": report.year, "log_base": "e", "warnings": report.warnings,
                "groups": [{"key": g.key, "label": g.label, "sample_size": g.individuals, "events": g.events,
                            "effort": g.effort, "effort_unit": g.effort_unit,
                            **{name: getattr(g, name) for name in INDEX_NAMES},
                            "chao1_ci95": [g.chao1_lower, g.chao1_upper],
                            "rarefied_richness": report.rarefied_richness.get(g.key)} for g in report.groups],
                "rarefied_at": report.rarefied_at}

    def pdf():
        from web.report_documents import diversity_pdf
        return diversity_pdf(report, lang)

    if fmt == "table":
        table = Table(title=f"Chỉ số đa dạng / diversity by {by.value}" + (f", {year}" if year else "")
                      + " (Shannon: ln)")
        cols = ("label", "events", "individuals", "richness", "shannon", "simpson", "inverse_simpson", "pielou",
                "chao1", "goods_coverage")
        for c in cols:
            table.add_column(c, justify="left" if c == "label" else "right")
        for g in report.groups:
            table.add_row(*[_fmt(getattr(g, c)) for c in cols])
        console.print(table)
        for w in report.warnings:
            console.print(f"[yellow]! {w}[/]")
        return
    _emit(fmt, out, tables, as_json, pdf)


def _fmt(v) -> str:
    if v is None:
        return "–"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


@report_app.command("coverage")
def coverage(
    fmt: str = typer.Option("table", "--format", help="table, json, csv, xlsx or pdf"),
    out: Path = typer.Option(None, help="write to this file (required for xlsx and pdf)"),
    lang: str = typer.Option("vi", help="language of the PDF: vi or en"),
):
    """Threatened taxa with and without a conserved accession, accessions by category, district, storage,
    stage, task and year, and passport completeness."""
    if fmt not in FORMATS:
        fail(f"--format {fmt!r} is not allowed; allowed: {', '.join(FORMATS)}")
    with engine_for() as engine, Session(engine) as session:
        cov = genefund_reports.threatened_coverage(session)
        tables = genefund_reports.coverage_tables(session)

        def pdf():
            from web.report_documents import coverage_pdf
            return coverage_pdf(session, lang)

        def as_json():
            return {"threatened": len(cov.rows), "covered": len(cov.covered), "percent": cov.percent,
                    "gaps": [r.scientific_name for r in cov.gaps],
                    "tables": {name: [dict(zip(h, row)) for row in rows] for name, (h, rows) in tables.items()}}

        if fmt == "table":
            pct = f"{cov.percent:.0f} %" if cov.percent is not None else "–"
            console.print(f"Loài bị đe dọa có mẫu bảo tồn / threatened taxa conserved: {len(cov.covered)} of "
                          f"{len(cov.rows)} ({pct})")
            table = Table(title="Khoảng trống / gaps: threatened taxa without a conserved accession")
            for c in ("scientific name", "tên Việt", "status", "survey records"):
                table.add_column(c)
            for r in cov.gaps:
                table.add_row(f"[italic]{r.scientific_name}[/]", r.vernacular_vi or "",
                              "; ".join(genefund_reports.status_label(x) for x in r.statuses),
                              str(r.survey_events))
            console.print(table)
            header, rows = tables["passport_completeness_by_institution"]
            inst = Table(title="Passport completeness (PDCI-like, 0–10)")
            for c in header:
                inst.add_column(c)
            for row in rows:
                inst.add_row(*[str(v) for v in row])
            console.print(inst)
            return
        _emit(fmt, out, tables, as_json, pdf)

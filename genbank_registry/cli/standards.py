"""`import mcpd|dwca`, `export mcpd|mcpd-template|dwca`: the field's exchange formats (docs/standards.md)."""
from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.table import Table
from sqlmodel import Session, select

from importers import dwca as dwca_format
from importers import dwca_loader, loader
from importers.base import ReaderError
from importers.tables import Table as DataTable
from schemas import codes

from genbank_registry.models import Institution
from genbank_registry.standards import dwca_export
from genbank_registry.standards.mcpd_export import published_forms, write_mcpd_csv, write_template
from genbank_registry.surveys.export import public_survey_rows
from genbank_registry.cli.common import console, engine_for, fail, progress_bar, reported_errors
from genbank_registry.cli.groups import export_app, import_app

SHOWN_PROBLEMS = 40


def _problem_table(problems, title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for col in ("Dòng / row", "Cột / column", "Giá trị / value", "Lỗi / problem", "Gợi ý / suggestion"):
        table.add_column(col, overflow="fold")
    for p in problems[:SHOWN_PROBLEMS]:
        style = "red" if p.severity == "error" else "yellow"
        table.add_row(str(p.row or ""), p.column, p.value[:60], f"[{style}]{p.problem}[/]", p.suggestion)
    return table


def _print_result(result, report_path: Path | None) -> None:
    if result.problems:
        console.print(_problem_table(result.problems, f"Báo cáo / report: {result.source}"))
        if len(result.problems) > SHOWN_PROBLEMS:
            console.print(f"… {len(result.problems) - SHOWN_PROBLEMS} more in the report file")
    for note in result.notes:
        console.print(f"[dim]{note}[/]")
    if report_path is not None:
        console.print(f"Báo cáo / report: {report_path}")
    console.print(loader.summary(result))


@import_app.command("mcpd")
def import_mcpd(
    file: Path = typer.Argument(..., help="MCPD v2.1 passport data: .csv (any encoding/delimiter) or .xlsx"),
    institution: str = typer.Option(None, help="INSTCODE for every row when the file has no INSTCODE column"),
    dry_run: bool = typer.Option(False, "--dry-run", help="validate and report; write nothing"),
    on_duplicate: str = typer.Option("skip", help="an accession already in the registry with other values: skip (keep the registry's), update or fail"),
    on_error: str = typer.Option("abort", help="abort: a file with errors imports nothing; skip: store good rows"),
    publish: bool = typer.Option(False, "--publish", help="publish the imported records (default: drafts)"),
    report: Path = typer.Option(None, help="report CSV (default: FILE.report.csv beside the input)"),
):
    """Import MCPD passport data; every problem is reported by row, column, value, problem and suggestion."""
    if on_duplicate not in loader.ON_DUPLICATE:
        fail(f"--on-duplicate {on_duplicate!r}: use one of {', '.join(loader.ON_DUPLICATE)}")
    if on_error not in loader.ON_ERROR:
        fail(f"--on-error {on_error!r}: use one of {', '.join(loader.ON_ERROR)}")
    options = loader.ImportOptions(institution=institution, dry_run=dry_run, on_duplicate=on_duplicate,
                                   on_error=on_error, publish=publish, created_by=getpass.getuser())
    with engine_for() as engine, reported_errors():
        try:
            total = DataTable(file).estimate_rows()
            with progress_bar() as progress:
                task = progress.add_task("MCPD", total=total)
                result = loader.import_mcpd(engine, file, options, progress=lambda n: progress.advance(task, n))
        except ReaderError as exc:
            fail(str(exc))
    report_path = report or file.with_name(file.stem + ".report.csv")
    loader.write_report_csv(result.problems, report_path)
    _print_result(result, report_path)
    if dry_run:
        console.print("Chạy thử: không ghi gì / dry run: nothing written")
    elif result.failure is not None and not result.errors:
        fail(f"{file.name}: {result.failure}")
    elif not result.written:
        fail(f"{len(result.errors)} errors: nothing imported. Fix the rows in {report_path.name}, or pass "
             f"--on-error skip to store the good rows")


@import_app.command("dwca")
def import_dwca(
    archive: Path = typer.Argument(..., help="Darwin Core Archive: .zip, .tgz or a directory with meta.xml"),
    dry_run: bool = typer.Option(False, "--dry-run", help="read and report; write nothing"),
    publish: bool = typer.Option(False, "--publish", help="publish the imported specimens (default: drafts)"),
    on_duplicate: str = typer.Option("skip", help="a specimen already in the registry with other values: skip, "
                                                  "update or fail"),
    report: Path = typer.Option(None, help="report CSV (default: ARCHIVE.report.csv beside the input)"),
):
    """Import a Darwin Core Archive: specimens become accessions, MeasurementOrFact becomes characterization."""
    if on_duplicate not in loader.ON_DUPLICATE:
        fail(f"--on-duplicate {on_duplicate!r}: use one of {', '.join(loader.ON_DUPLICATE)}")
    with engine_for() as engine, reported_errors():
        try:
            with progress_bar() as progress:
                task = progress.add_task("DwC-A", total=None)
                result = dwca_loader.import_dwca(engine, archive, dry_run=dry_run, publish=publish,
                                                 on_duplicate=on_duplicate, created_by=getpass.getuser(),
                                                 progress=lambda n: progress.advance(task, n))
        except dwca_format.ArchiveError as exc:
            fail(str(exc))
    report_path = report or archive.with_name(archive.name.removesuffix(".zip") + ".report.csv")
    loader.write_report_csv(result.problems, report_path)
    _print_result(result, report_path)
    if not result.written and not dry_run:
        fail(f"{archive.name}: {result.failure}" if result.failure is not None else "nothing imported: see the report")


def _published_forms(session: Session, institution: str | None, category: str | None):
    if institution and session.exec(select(Institution).where(Institution.code == institution.upper())).first() is None:
        fail(f"institution {institution!r} is not in the registry")
    return published_forms(session, institution, category)


@export_app.command("mcpd")
def export_mcpd(
    out: Path = typer.Option(..., help="CSV file to write"),
    institution: str = typer.Option(None, help="only this INSTCODE"),
    category: str = typer.Option(None, help=", ".join(c.value for c in codes.Category)),
):
    """MCPD v2.1 CSV of the published accessions, from their public forms (re-importable with `import mcpd`)."""
    with engine_for() as engine, Session(engine) as session, reported_errors():
        n = write_mcpd_csv(_published_forms(session, institution, category), out)
    console.print(f"{n} published accessions → {out}")


@export_app.command("mcpd-template")
def export_template(out: Path = typer.Option(..., help="FILE.csv or FILE.xlsx (code lists on a second sheet)")):
    """A blank MCPD sheet to fill in (CSV, or XLSX with the code lists on the sheet 'Codes')."""
    write_template(out)
    console.print(f"Mẫu MCPD / MCPD template → {out}")


@export_app.command("dwca")
def export_dwca(
    out: Path = typer.Option(..., help="ZIP file to write"),
    institution: str = typer.Option(None, help="only this INSTCODE"),
    category: str = typer.Option(None, help=", ".join(c.value for c in codes.Category)),
    license_: str = typer.Option(dwca_export.DEFAULT_LICENSE, "--license", help="licence URI of the data"),
):
    """Darwin Core Archive (meta.xml, eml.xml, occurrence.txt, measurementorfact.txt, event.txt) of published
    accessions and, without filters, the survey occurrences and their sampling events."""
    with engine_for() as engine, Session(engine) as session, reported_errors():
        institutions = session.exec(select(Institution).order_by(Institution.code)).all()
        forms = list(_published_forms(session, institution, category))
        # Surveys are not an institution's or a category's: only the whole-registry archive carries them.
        surveys = [] if institution or category else list(public_survey_rows(session))
        dwca_export.write_archive(forms, institutions, out, license_uri=license_, surveys=surveys)
    console.print(f"{len(forms)} published accessions, {len(surveys)} survey occurrences → {out}")

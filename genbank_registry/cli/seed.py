"""`genbank-registry seed demo`: the demonstration catalogue."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import func
from sqlmodel import select

from importers.sequences_loader import Options, import_file

from genbank_registry.db import session_scope
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.catalogue import records as catalogue
from genbank_registry.catalogue import seed as seed_service
from genbank_registry.surveys.store import has_surveys
from genbank_registry.cli.common import console, engine_for, fail, progress_bar, reported_errors, settings
from genbank_registry.cli.surveys import import_survey_file, print_load_result

SURVEY_FIXTURES = seed_service.demo_catalogue_path().parents[1] / "surveys"

app = typer.Typer(help="Load demonstration data.", no_args_is_help=True)


@app.command()
def demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="do nothing when the catalogue has accessions already"),
    path: Path = typer.Option(None, help="catalogue JSON (default: fixtures/demo/catalogue.json)"),
):
    """Load the demo catalogue (clearly marked demonstration data). Safe to run again: nothing is duplicated."""
    url = settings().database_url  # engine_for below refuses a database without the newest schema
    path = path or seed_service.demo_catalogue_path()
    if not path.exists():
        fail(f"{path} not found: the demo catalogue ships in the repository's fixtures/demo/")
    data = seed_service.read_catalogue(path)
    with engine_for(url) as engine, reported_errors():
        with session_scope(engine) as session:
            if if_empty and catalogue.count_accessions(session) > 0:
                console.print("Danh mục đã có dữ liệu, bỏ qua / catalogue not empty, demo not loaded")
                # A registry seeded before surveys or sequences existed gets them now.
                if not has_surveys(session):
                    _seed_surveys()
                if session.exec(select(func.count()).select_from(SequenceRecord)).one() == 0:
                    _demo_sequences(url, path.parent)
                return
            total = sum(len(data.get(s, [])) for s, _ in seed_service.SECTIONS)
            with progress_bar() as progress:
                task = progress.add_task("Đang nạp / loading", total=total)
                results = seed_service.load_catalogue(session, data, progress=lambda _s: progress.advance(task))
    table = Table(title="Dữ liệu minh họa / demo catalogue")
    for col in ("", "added", "updated", "unchanged"):
        table.add_column(col, justify="right" if col else "left")
    for section, counter in results.items():
        table.add_row(section, str(counter["added"]), str(counter["updated"]), str(counter["unchanged"]))
    console.print(table)
    _seed_surveys()
    _demo_sequences(url, path.parent)


def _seed_surveys() -> None:
    """The demo survey (fixtures/surveys/): its common taxa, then the CSV through the survey importer."""
    taxa_path = SURVEY_FIXTURES / "taxa.json"
    with engine_for() as engine, session_scope(engine) as session:
        seed_service.load_catalogue(session, seed_service.read_catalogue(taxa_path), source=taxa_path.name)
    csv_path = SURVEY_FIXTURES / "demo_surveys.csv"
    result = import_survey_file(csv_path)
    print_load_result(csv_path, result)
    if not result.ok:
        fail(f"the demo survey {csv_path} did not load")


def _demo_sequences(url: str, folder: Path) -> None:
    """Synthetic sequences whose vouchers point at demo accessions, so the demo catalogue shows sequences."""
    files = [(folder / "sequences.gb", None), (folder / "sequences.fasta", folder / "sequences-vouchers.csv")]
    table = Table(title="Trình tự gen minh họa / demo sequences")
    for col in ("", "added", "updated", "unchanged", "rejected"):
        table.add_column(col, justify="right" if col else "left")
    with engine_for(url) as engine, reported_errors():
        for path, voucher_map in files:
            if not path.exists():
                continue
            report = import_file(engine, str(path), Options(voucher_map=voucher_map, workers=0))
            table.add_row(path.name, *(str(report.counts[c]) for c in ("added", "updated", "unchanged", "rejected")))
    console.print(table)

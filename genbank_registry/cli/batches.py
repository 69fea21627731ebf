"""`import batches`, `export catalogue`, `report counts`: the commands the core itself offers in each group."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table
from sqlmodel import Session, select

from schemas import codes
from schemas.places import district_name

from genbank_registry.models import Accession, ImportBatch
from genbank_registry.jobs.batches import mark_interrupted, sweep
from genbank_registry.catalogue.public_form import PublicFormBuilder
from genbank_registry.catalogue.stats import catalogue_counts
from genbank_registry.cli.common import console, engine_for, fail, progress_bar, reported_errors
from genbank_registry.cli.groups import export_app, import_app, report_app


@import_app.command("batches")
def list_batches(
    limit: int = typer.Option(20, help="the most recent N batches"),
    batch_id: int = typer.Option(None, "--id", help="show one batch's full report as JSON"),
    interrupted: list[int] = typer.Option(None, "--interrupted", metavar="ID",
                                          help="mark a batch that says running but whose import is known to be "
                                               "dead (started on another machine) as interrupted"),
):
    """List recent import batches, or show one batch's full report.

    A batch whose import was killed (kill -9, power cut) is found and shown as interrupted: nothing it had not
    committed was kept, and running the same command again completes it."""
    with engine_for() as engine, Session(engine) as session, reported_errors():
        swept = sweep(engine)
        if swept:
            console.print(f"{len(swept)} batch(es) whose import was killed marked interrupted: "
                          f"{', '.join(map(str, swept))}")
        if interrupted:
            marked = mark_interrupted(engine, interrupted)
            console.print(f"{marked} of {len(interrupted)} batch(es) marked interrupted "
                          "(only batches still marked running are changed)")
        if batch_id is not None:
            batch = session.get(ImportBatch, batch_id)
            if batch is None:
                fail(f"import batch {batch_id} does not exist; `genbank-registry import batches` lists them")
            typer.echo(json.dumps(batch.model_dump(mode="json"), ensure_ascii=False, indent=1))
            return
        batches = session.exec(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)).all()
    table = Table(title="Lượt nhập dữ liệu / import batches")
    for col in ("ID", "format", "file", "started", "status", "added", "updated", "unchanged", "rejected"):
        table.add_column(col)
    for b in batches:
        table.add_row(str(b.id), b.format, b.source_filename, b.started_at.strftime("%d/%m/%Y %H:%M"), b.status,
                      str(b.added), str(b.updated), str(b.unchanged), str(b.rejected))
    console.print(table)


@export_app.command("catalogue")
def export_catalogue(out: Path = typer.Option(..., help="JSON file to write")):
    """Write the public form of every published accession as JSON (what the API and pages show)."""
    with engine_for() as engine, Session(engine) as session, reported_errors():
        accs = session.exec(select(Accession).where(
            Accession.publication_status == codes.PublicationStatus.PUBLISHED).order_by(Accession.id)).all()
        builder = PublicFormBuilder(session)
        items = []
        with progress_bar() as progress:
            task = progress.add_task("export", total=len(accs))
            for acc in accs:
                items.append(builder.build(acc).model_dump(mode="json"))
                progress.advance(task)
    tmp = out.with_suffix(out.suffix + ".part")
    tmp.write_text(json.dumps({"total": len(items), "items": items}, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out)  # never a half-written file under the real name
    console.print(f"{len(items)} published accessions → {out}")


@report_app.command("counts")
def report_counts(as_json: bool = typer.Option(False, "--json")):
    """Published accessions by category, district and institution."""
    with engine_for() as engine, Session(engine) as session:
        counts = catalogue_counts(session)
    if as_json:
        typer.echo(json.dumps({
            "accessions": counts.accessions, "taxa": counts.taxa, "institutions": counts.institutions,
            "by_category": dict(counts.by_category),
            "by_district": {district_name(k) or "withheld": n for k, n in counts.by_district},
            "by_institution": {code: n for code, _, _, n in counts.by_institution},
        }, ensure_ascii=False, indent=1))
        return
    for title, rows in (("Loại / category", [(codes.CATEGORY_LABELS[c].vi, n) for c, n in counts.by_category]),
                        ("Quận huyện / district", [(district_name(k) or "(ẩn / withheld)", n)
                                                   for k, n in counts.by_district]),
                        ("Đơn vị / institution", [(code, n) for code, _, _, n in counts.by_institution])):
        table = Table(title=title)
        table.add_column("")
        table.add_column("n", justify="right")
        for name, n in rows:
            table.add_row(name, str(n))
        console.print(table)


@export_app.command("insdc-source")
def export_insdc_source(
    out: Path = typer.Option(..., help="source-modifier table (TSV) for table2asn / BankIt"),
    biosample: Path = typer.Option(None, help="also write a BioSample-style attribute sheet (TSV) here"),
    all_records: bool = typer.Option(False, "--all", help="staff export: unpublished records and exact values"),
    marker: str = typer.Option(None, help="only this marker (e.g. COI-5P, ITS, matK)"),
):
    """Sheets for submitting the registry's sequences to GenBank/ENA/DDBJ, vouchers as INST:COLL:ID."""
    from genbank_registry.standards import insdc_export

    with engine_for() as engine, Session(engine) as session, reported_errors():
        table = insdc_export.source_table(session, staff=all_records, marker=marker)
        sheet = insdc_export.biosample_sheet(session, staff=all_records, marker=marker) if biosample else None
    for path, text in ((out, table), (biosample, sheet)):
        if path is not None:
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    console.print(f"{table.count(chr(10)) - 1} sequence(s) → {out}" + (f" and {biosample}" if biosample else ""))

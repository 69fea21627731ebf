"""`import sequences` (FASTA / GenBank) and `export fasta|genbank`."""
from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.table import Table
from sqlmodel import Session

from importers.base import ReaderError
from importers.sequences_loader import ImportAborted, Options, import_paths

from genbank_registry import migrate
from genbank_registry.errors import NotPublic
from genbank_registry.catalogue import queries
from genbank_registry.catalogue.records import institution_by_code
from genbank_registry.sequences.formats import write_all
from genbank_registry.sequences.public import SequenceFormBuilder, select_sequences, taxon_ids_for
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.cli.common import console, engine_for, err_console, fail, progress_bar, reported_errors, settings
from genbank_registry.cli.groups import export_app, import_app

COLUMNS = ("added", "updated", "unchanged", "rejected")


@import_app.command("sequences")
def import_sequences(
    paths: list[str] = typer.Argument(..., help="FASTA or GenBank files (.gz too); - reads standard input"),
    fmt: str = typer.Option("auto", "--format", help="auto (sniffed), fasta or genbank"),
    institution: str = typer.Option(None, help="INSTCODE for vouchers written without one (e.g. TS-0003)"),
    marker: str = typer.Option(None, help="marker of every record (COI-5P, rbcL, matK, ITS…) when files omit it"),
    voucher_map: Path = typer.Option(None, help="CSV: sequence_id, institution, accession_number"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and count everything, store nothing"),
    on_error: str = typer.Option("skip", help="skip: store the good records and list the bad; abort: store nothing"),
    workers: int = typer.Option(None, help="parser processes (default: both cores for files over 4 MB)"),
):
    """Import DNA sequence records, link taxa and voucher accessions, flag barcode quality (BOLD rules)."""
    if on_error not in ("skip", "abort"):
        fail(f"--on-error {on_error!r}: use skip or abort")
    url = settings().database_url
    if not migrate.is_up_to_date(url):
        fail("the database schema is not up to date; run `genbank-registry db upgrade` first")
    options = Options(fmt=fmt.lower(), marker=marker, institution=institution, voucher_map=voucher_map,
                      dry_run=dry_run, on_error=on_error, workers=workers, created_by=_user())
    with engine_for(url) as engine, reported_errors():
        with progress_bar() as progress:
            task = progress.add_task("Đang nhập / importing", total=None)

            def advance(n: int, estimate: int | None) -> None:
                progress.update(task, advance=n, total=estimate)

            try:
                reports = import_paths(engine, paths, options, advance)
            except ImportAborted as exc:
                fail(str(exc))
            except (ReaderError, FileNotFoundError) as exc:  # UnknownFormat, a damaged compressed file
                fail(str(exc))
            except KeyboardInterrupt:
                fail("interrupted: whole blocks of records are stored, none half-written; run the same command "
                     "again to complete the import (`genbank-registry import batches` shows what was done)", 130)
    table = Table(title="Trình tự gen / sequences" + (" — thử, không lưu / dry run, nothing stored"
                                                      if dry_run else ""))
    table.add_column("file", overflow="fold")
    for col in COLUMNS:
        table.add_column(col, justify="right")
    table.add_column("batch", justify="right")
    for r in reports:
        table.add_row(Path(r.source).name if r.source != "-" else "<stdin>", *(str(r.counts[c]) for c in COLUMNS),
                      str(r.batch_id or "–"))
    console.print(table)
    for r in reports:
        for e in r.errors[:50]:
            err_console.print(f"[yellow]rejected:[/] {e}")
        if len(r.errors) > 50:
            err_console.print(f"… and {len(r.errors) - 50} more (genbank-registry import batches --id {r.batch_id})")
        for v in r.unresolved_vouchers[:20]:
            err_console.print(f"[yellow]voucher not found:[/] {r.source}: {v['record_id']}: {v['voucher']!r} "
                              f"(kept as text; add the accession or use --voucher-map)")
        if r.new_taxa:
            err_console.print(f"{len(r.new_taxa)} organism name(s) not in the registry were added as unverified "
                              f"taxa: {', '.join(r.new_taxa[:5])}{' …' if len(r.new_taxa) > 5 else ''}")
    failed = [r for r in reports if r.failure is not None]
    if failed:
        fail("; ".join(f"{Path(r.source).name}: {r.failure}" for r in failed))


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return None


def _export(fmt: str, out: Path, taxon: str | None, marker: str | None, accession: str | None,
            institution: str | None, include_all: bool, flag: str | None) -> None:
    with engine_for() as engine, Session(engine) as session, reported_errors():
        stmt = select_sequences(
            taxon_ids=taxon_ids_for(session, taxon) if taxon else None, marker=marker, flag=flag,
            accession_id=queries.get_accession(session, accession).id if accession else None,
            institution_id=institution_by_code(session, institution).id if institution else None,
            current_only=True, public_only=not include_all)
        builder = SequenceFormBuilder(session, staff=include_all)
        ids = session.exec(stmt.with_only_columns(SequenceRecord.id).order_by(SequenceRecord.record_id)).all()
        tmp = out.with_suffix(out.suffix + ".part")
        written = 0
        with open(tmp, "w", encoding="utf-8") as handle, progress_bar() as progress:
            task = progress.add_task("Đang xuất / exporting", total=len(ids))
            for start in range(0, len(ids), 500):
                chunk = session.exec(select_sequences(current_only=False, public_only=not include_all)
                                     .where(SequenceRecord.id.in_(ids[start:start + 500]))
                                     .order_by(SequenceRecord.record_id)).all()
                forms = []
                for seq in chunk:
                    try:
                        forms.append(builder.build(seq))
                    except NotPublic:
                        continue
                written += write_all(forms, fmt, handle)
                progress.advance(task, len(chunk))
        tmp.replace(out)  # never a half-written file under the real name
    scope = "tất cả, gồm chưa công bố / all, unpublished and exact included" if include_all else \
        "đã công bố / published"
    console.print(f"{written} sequences ({scope}) → {out}")


def _export_command(fmt: str):
    def command(
        out: Path = typer.Option(..., help="file to write"),
        taxon: str = typer.Option(None, help="a taxon name: it, its synonyms and everything below it"),
        marker: str = typer.Option(None, help="COI-5P, rbcL, matK, ITS…"),
        accession: str = typer.Option(None, help="INSTCODE:ACCENUMB of the voucher accession"),
        institution: str = typer.Option(None, help="sequences vouchered by this institution's accessions"),
        flag: str = typer.Option(None, help="only records with this QC flag (short, ambiguous, stop_codon, "
                                            "duplicate)"),
        include_all: bool = typer.Option(False, "--all", help="staff export: unpublished records too, with exact "
                                                             "/lat_lon and names; not for publication"),
    ):
        _export(fmt, out, taxon, marker, accession, institution, include_all, flag)

    command.__doc__ = (f"Write the current sequence records as {'FASTA' if fmt == 'fasta' else 'GenBank'} "
                       f"(published only, public form, unless --all).")
    return command


export_app.command("fasta")(_export_command("fasta"))
export_app.command("genbank")(_export_command("genbank"))

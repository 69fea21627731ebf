"""Import every file of ../shared/data/sequences through the CLI and say what happened to each.

    .venv/bin/python bench/check_shared_sequences.py

For each file: how many records Biopython's SeqIO reads from it (as GenBank or FASTA, whichever the file is),
and what `genbank-registry import sequences FILE` answered (stored / rejected, or its error). "Done" for issue 3
means: every file Biopython parses imports, and each record is either stored or rejected with a reason
(protein records and sequence-less CONTIG/WGS masters are rejected: the registry stores nucleotide sequences).
"""
from __future__ import annotations

import io
import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "sequences"
sys.path.insert(0, str(ROOT))


def biopython_count(path: Path) -> tuple[str, int | str]:
    """(format, records) as Biopython's SeqIO reads the file, or ("-", its reason) when it cannot."""
    from Bio import SeqIO

    from importers.sequence_base import UnknownFormat, open_text, sniff

    try:
        formats = [sniff(open_text(path), str(path))]
    except UnknownFormat:
        formats = ["genbank", "fasta"]
    reason = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in formats:
            try:
                n = sum(1 for _ in SeqIO.parse(io.StringIO(open_text(path).read()), fmt))
            except Exception as exc:  # noqa: BLE001 - any failure means "Biopython does not parse it as fmt"
                reason = f"{fmt}: {' '.join(str(exc).split())[:40]}"
                continue
            if n:
                return fmt, n
    return "-", reason or "no records"


def main() -> None:
    from typer.testing import CliRunner

    from sqlalchemy import select

    from genbank_registry import migrate
    from genbank_registry.cli import app
    from genbank_registry.db import make_engine
    from genbank_registry.models import ImportBatch

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/check.db"
        os.environ["GENBANK_REGISTRY_DATABASE_URL"] = url
        migrate.upgrade(url)
        engine = make_engine(url)
        runner = CliRunner()
        files = sorted(p for p in SHARED.rglob("*") if p.is_file() and p.suffix not in (".rst",)
                       and p.name != "README")
        print(f"{'file':48} {'Biopython':>16} {'stored':>7} {'rejected':>8}  note")
        parsed_ok = imported_ok = 0
        for path in files:
            fmt, n = biopython_count(path)
            result = runner.invoke(app, ["import", "sequences", str(path)])
            name = str(path.relative_to(SHARED))
            if result.exit_code == 0:
                with engine.connect() as conn:
                    batch = conn.execute(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(1)).one()
                stored = batch.added + batch.updated + batch.unchanged
                reasons = sorted({e["reason"][:50] for e in batch.report["errors"]})
                print(f"{name:48} {fmt + ' ' + str(n):>16} {stored:>7} {batch.rejected:>8}  "
                      f"{'; '.join(reasons)[:90]}")
                imported_ok += isinstance(n, int) and n > 0
            else:
                message = " ".join(result.output.split())[:90]
                print(f"{name:48} {fmt + ' ' + str(n)[:30]:>16} {'-':>7} {'-':>8}  {message}")
            parsed_ok += isinstance(n, int) and n > 0
        print(f"\n{parsed_ok} files Biopython parses; {imported_ok} of them imported through the CLI "
              f"(every record stored or rejected with a reason).")


if __name__ == "__main__":
    main()

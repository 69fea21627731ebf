"""Import functions for background jobs (format → handler), wired into the web app by `genbank-registry serve`.

A handler takes (engine, job, progress) and returns the id of the ImportBatch it recorded; raising ends the job
as failed with the message. The upload's format was read from its bytes (genbank_registry.jobs.uploads):
CSV is told apart by its header (an MCPD passport sheet has ACCENUMB, a survey sheet has eventID). Web imports
are drafts: a curator publishes them. A researcher imports for their own institution only.
"""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from genbank_registry.models import Institution
from genbank_registry.accounts.models import User
from genbank_registry.jobs.models import ImportJob
from schemas.messages import N_

from .loader import ImportOptions, import_mcpd
from .mcpd import McpdReader


class JobRefused(Exception):
    """The upload cannot be imported as it is; the message says why and what to do."""


def _uploader(engine: Engine, job: ImportJob) -> tuple[str, str, str | None]:
    """(username, role, institution code) of whoever uploaded the job."""
    with Session(engine) as session:
        user = session.get(User, job.user_id) if job.user_id else None
        if user is None:
            return "system", "admin", None
        inst = session.get(Institution, user.institution_id) if user.institution_id else None
        return user.username, (job.options or {}).get("role", user.role), inst.code if inst else None


def _csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        sample = f.read(8192)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    except csv.Error:  # one column, or no clear delimiter: read it as plain CSV, the importer says what is wrong
        dialect = csv.excel
    return [h.strip() for h in next(csv.reader(sample.splitlines(), dialect), [])]


def _count_rows(path: Path) -> int | None:
    if path.suffix.lower() == ".xlsx" or path.read_bytes()[:2] == b"PK":
        return None
    with open(path, "rb") as f:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1, 0)


def _own_institution_only(path: Path, role: str, institution: str | None) -> None:
    """A researcher's sheet may only hold accessions of their institution: checked before anything is written."""
    if role in ("curator", "admin"):
        return
    if institution is None:
        raise JobRefused(N_("your account belongs to no institution; ask an administrator"))
    reader = McpdReader(path)
    others = sorted({(cells.get("INSTCODE") or institution).strip().upper() for _, cells in reader} - {institution})
    if others:
        raise JobRefused(N_("the sheet has accessions of %(others)s; researchers import for their own institution "
                            "(%(institution)s) only — ask a curator to import the others",
                            others=", ".join(others), institution=institution))


def mcpd(engine: Engine, job: ImportJob, progress) -> int | None:
    path = Path(job.stored_path)
    username, role, institution = _uploader(engine, job)
    _own_institution_only(path, role, institution)
    total, done = _count_rows(path), [0]

    def tick(n: int = 1) -> None:
        done[0] += n
        progress(done[0], total)

    options = ImportOptions(institution=institution, created_by=username)
    return import_mcpd(engine, path, options, progress=tick).batch_id


def survey(engine: Engine, job: ImportJob, progress) -> int | None:
    from .survey_loader import load_survey_file

    path = Path(job.stored_path)
    username, _, _ = _uploader(engine, job)
    total, done = _count_rows(path), [0]

    def tick() -> None:
        done[0] += 1
        progress(done[0], total)

    return load_survey_file(engine, path, created_by=username, progress=tick).batch_id


def csv_sheet(engine: Engine, job: ImportJob, progress) -> int | None:
    header = set(_csv_header(Path(job.stored_path)))
    if "ACCENUMB" in header or "Số đăng ký" in header:
        return mcpd(engine, job, progress)
    if "eventID" in header:
        return survey(engine, job, progress)
    raise JobRefused(N_("this CSV is neither an MCPD passport sheet (it needs an ACCENUMB column) nor a survey "
                        "sheet (it needs eventID): download a template from the downloads or reports page"))


def dwca(engine: Engine, job: ImportJob, progress) -> int | None:
    from .dwca_loader import import_dwca

    done = [0]

    def tick(n: int = 1) -> None:
        done[0] += n
        progress(done[0], None)

    return import_dwca(engine, Path(job.stored_path), progress=tick).batch_id


def sequences(engine: Engine, job: ImportJob, progress) -> int | None:
    """FASTA and GenBank: stored as drafts; the uploader submits the batch and a curator publishes it."""
    from .sequences_loader import Options, import_file

    username, _, institution = _uploader(engine, job)
    done = [0]

    def tick(delta: int, total: int | None = None) -> None:
        done[0] += delta
        progress(done[0], total)

    options = Options(fmt=job.format, institution=institution, created_by=username, status="draft", workers=0)
    return import_file(engine, job.stored_path, options, progress=tick).batch_id


HANDLERS: dict = {"csv": csv_sheet, "xlsx": mcpd, "dwca": dwca, "fasta": sequences, "genbank": sequences}


def handlers() -> dict:
    return dict(HANDLERS)

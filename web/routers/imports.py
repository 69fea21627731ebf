"""Importing through the web: upload, a background job with a live progress bar, and the report."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, select

from genbank_registry.models import ImportBatch
from genbank_registry.jobs.models import ImportJob
from genbank_registry.errors import Forbidden, InvalidRecord
from genbank_registry.jobs import runner as jobs
from genbank_registry.sequences import curation as sequence_curation
from genbank_registry.jobs.uploads import UploadRejected, accept_upload
from schemas.accounts import Role
from schemas.messages import N_, message_of

from .. import i18n
from ..auth import FormUserDep, Principal, TokenUserDep, UserDep
from ..deps import RecordId, SessionDep, SettingsDep
from ..templating import render

router = APIRouter(prefix="/imports", include_in_schema=False)
api = APIRouter(prefix="/api/v1/imports", tags=["imports"])


def _chunks(upload: UploadFile, size: int = 1 << 16):
    while chunk := upload.file.read(size):
        yield chunk


def _receive(request: Request, session: Session, principal: Principal, file: UploadFile) -> ImportJob:
    settings = request.app.state.settings
    handlers = request.app.state.job_handlers
    limit = settings.upload_max_mb * 1024 * 1024
    # Refuse before reading when the client says the body is too big.
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 64 * 1024:
        raise UploadRejected(N_("the upload is larger than the limit of %(mb)s MB; split it or ask an administrator "
                                "to import it with the command line", mb=settings.upload_max_mb))
    if not handlers:
        raise UploadRejected(N_("this server has no importers installed; start it with `genbank-registry serve`"))
    stored = accept_upload(_chunks(file), Path(settings.upload_dir), file.filename, limit,
                           allowed_formats=set(handlers))
    job = jobs.enqueue(session, stored, principal.user.id, options={"role": principal.role})
    session.commit()
    if settings.job_queue == "procrastinate":
        from genbank_registry.jobs import procrastinate_queue as queue  # PostgreSQL deployments only
        queue.defer(settings.database_url, job.id)
    return job


def _job_for(session: Session, principal: Principal, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None or (job.user_id != principal.user.id and principal.role not in (Role.CURATOR, Role.ADMIN)):
        raise HTTPException(status_code=404, detail="no such import")
    return job


def job_view(session: Session, job: ImportJob) -> dict:
    """What the progress bar and the report need, the same for the page and the API."""
    elapsed = rate = eta = None
    if job.started_at is not None:
        end = job.finished_at or jobs.now()
        elapsed = max((jobs._aware(end) - jobs._aware(job.started_at)).total_seconds(), 0.001)
        rate = job.records_done / elapsed if job.records_done else None
        if rate and job.records_total and job.status == "running":
            eta = max(job.records_total - job.records_done, 0) / rate
    batch = session.get(ImportBatch, job.batch_id) if job.batch_id else None
    return {"id": job.id, "status": job.status, "format": job.format, "filename": job.original_filename,
            "size_bytes": job.size_bytes, "records_done": job.records_done, "records_total": job.records_total,
            "percent": round(100 * job.records_done / job.records_total) if job.records_total else None,
            "rate_per_s": round(rate, 1) if rate else None, "seconds_left": round(eta) if eta is not None else None,
            "error": job.error, "error_message": job.error_message, "batch_id": job.batch_id,
            "report": None if batch is None else {"added": batch.added, "updated": batch.updated,
                                                  "unchanged": batch.unchanged, "rejected": batch.rejected,
                                                  "status": batch.status, "details": batch.report}}


def _upload_page(request: Request, session: Session, principal: Principal, error: str | None = None,
                 status_code: int = 200):
    """The upload form with the person's 20 latest imports, and the refusal message when there is one."""
    mine = session.exec(select(ImportJob).where(ImportJob.user_id == principal.user.id)
                        .order_by(ImportJob.id.desc()).limit(20)).all()
    return render(request, "imports/index.html", {"jobs": [job_view(session, j) for j in mine],
                                                  "formats": sorted(request.app.state.job_handlers), "error": error},
                  status_code=status_code)


@router.get("", response_class=HTMLResponse)
def upload_page(request: Request, session: SessionDep, principal: UserDep):
    return _upload_page(request, session, principal)


@router.post("", response_class=HTMLResponse)
def upload(request: Request, session: SessionDep, principal: FormUserDep, file: Annotated[UploadFile, File()]):
    try:
        job = _receive(request, session, principal, file)
    except UploadRejected as exc:
        i18n.set_language(request.state.lang)
        return _upload_page(request, session, principal, error=i18n.translate(message_of(exc)), status_code=400)
    return RedirectResponse(f"/imports/{job.id}", status_code=303)


@router.get("/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, session: SessionDep, principal: UserDep, job_id: RecordId):
    job = _job_for(session, principal, job_id)
    sequences = sequence_curation.batch_status_counts(session, job.batch_id) if job.batch_id else {}
    return render(request, "imports/job.html", {"job": job_view(session, job), "sequence_statuses": sequences,
                                                "is_curator": principal.role in (Role.CURATOR, Role.ADMIN)})


@router.post("/{job_id}/sequences")
def move_sequences(session: SessionDep, principal: FormUserDep, job_id: RecordId, status: Annotated[str, Form()]):
    """Submit an uploaded batch of sequences for review, or (curators) publish or return it."""
    job = _job_for(session, principal, job_id)
    if job.batch_id is None:
        raise HTTPException(status_code=404, detail="this import has no records yet")
    try:
        sequence_curation.move_batch(session, principal.actor(batch_id=job.batch_id), job.batch_id, status)
    except Forbidden as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except InvalidRecord as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    session.commit()
    return RedirectResponse(f"/imports/{job_id}", status_code=303)


@api.post("", status_code=202, response_model=dict,
          responses={400: {"description": "The upload was refused (too large, empty, or not a format we read)"}})
def api_upload(request: Request, session: SessionDep, principal: TokenUserDep, settings: SettingsDep,
               file: Annotated[UploadFile, File()], note: Annotated[str | None, Form()] = None):
    try:
        job = _receive(request, session, principal, file)
    except UploadRejected as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return {"id": job.id, "status": job.status, "url": f"/api/v1/imports/{job.id}"}


@api.get("/{job_id}", response_model=dict)
def api_job(session: SessionDep, principal: TokenUserDep, job_id: RecordId):
    return job_view(session, _job_for(session, principal, job_id))

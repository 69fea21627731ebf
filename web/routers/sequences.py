"""Sequence records: public pages, JSON under /api/v1/sequences, FASTA and GenBank downloads.

Everything here is built from the core's public sequence form (`SequenceFormBuilder`): a sequence of an
unpublished accession answers 404 like a record that does not exist, and /lat_lon is generalised.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from genbank_registry.errors import NotFound
from genbank_registry.sequences.formats import to_fasta, to_genbank
from genbank_registry.sequences.public import (list_public_sequences, public_sequence,
                                                       taxon_ids_for)
from schemas.sequences import QC_LABELS, QcFlag, SequencePage, SequencePublic

from ..deps import SessionDep, missing_is_404
from ..templating import render

router = APIRouter()
PAGE = 50


def _public(session, key: str) -> SequencePublic:
    with missing_is_404(f"sequence {key!r} not found"):
        return public_sequence(session, key)


def _page(session, taxon, marker, flag, limit, offset) -> SequencePage:
    if flag and flag not in {f.value for f in QcFlag}:
        raise HTTPException(status_code=422, detail=f"flag {flag!r}: use one of {', '.join(f.value for f in QcFlag)}")
    try:
        taxon_ids = taxon_ids_for(session, taxon) if taxon else None
    except NotFound:
        return SequencePage(total=0, items=[])
    total, items = list_public_sequences(session, taxon_ids=taxon_ids, marker=marker, flag=flag, limit=limit,
                                         offset=offset)
    return SequencePage(total=total, items=items)


Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/api/v1/sequences", response_model=SequencePage, tags=["sequences"])
def api_list(session: SessionDep, taxon: str | None = None, marker: str | None = None, flag: str | None = None,
             limit: Limit = PAGE, offset: Annotated[int, Query(ge=0)] = 0):
    """Current public sequence records; filter by taxon (with synonyms and lower ranks), marker or QC flag."""
    return _page(session, taxon, marker, flag, limit, offset)


@router.get("/api/v1/sequences/{key}", response_model=SequencePublic, tags=["sequences"])
def api_detail(session: SessionDep, key: str):
    """One sequence record by numeric id or record id (accession.version)."""
    return _public(session, key)


@router.get("/sequences", response_class=HTMLResponse, include_in_schema=False)
def list_page(request: Request, session: SessionDep, taxon: str | None = None, marker: str | None = None,
              flag: str | None = None, page: Annotated[int, Query(ge=1)] = 1):
    result = _page(session, taxon, marker or None, flag or None, PAGE, (page - 1) * PAGE)
    return render(request, "sequences/list.html", {"result": result, "taxon": taxon or "", "marker": marker or "",
                                                    "flag": flag or "", "page": page, "page_size": PAGE,
                                                    "qc_labels": QC_LABELS})


@router.get("/sequences/{key}", response_class=HTMLResponse, include_in_schema=False)
def detail_page(request: Request, session: SessionDep, key: str):
    seq = _public(session, key)
    return render(request, "sequences/detail.html", {"seq": seq, "qc_labels": QC_LABELS,
                                                      "rows": sequence_rows(seq.sequence)})


@router.get("/sequences/{key}/fasta", response_class=PlainTextResponse, include_in_schema=False)
def download_fasta(session: SessionDep, key: str):
    seq = _public(session, key)
    return PlainTextResponse(to_fasta(seq), media_type="text/x-fasta", headers=_attachment(seq, "fasta"))


@router.get("/sequences/{key}/genbank", response_class=PlainTextResponse, include_in_schema=False)
def download_genbank(session: SessionDep, key: str):
    seq = _public(session, key)
    return PlainTextResponse(to_genbank(seq), media_type="text/x-genbank", headers=_attachment(seq, "gb"))


def _attachment(seq: SequencePublic, suffix: str) -> dict:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in seq.record_id)
    return {"Content-Disposition": f'attachment; filename="{safe}.{suffix}"'}


def sequence_rows(sequence: str, width: int = 60, group: int = 10) -> list[tuple[int, str]]:
    """GenBank-style display: the 1-based start of each line and its residues in groups of ten."""
    return [(i + 1, " ".join(sequence[j:j + group] for j in range(i, min(i + width, len(sequence)), group)))
            for i in range(0, len(sequence), width)]

"""Sequences uploaded through the web are reviewed by batch: the uploader submits the batch, a curator publishes
it (or returns it). Every move is audited against the import batch with how many records it changed."""
from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, select

from schemas import codes

from genbank_registry.errors import Forbidden, InvalidRecord, NotFound
from genbank_registry.models import ImportBatch
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.accounts import audit
from genbank_registry.accounts.audit import Actor

S = codes.PublicationStatus
# (from, to) → may the uploader (not a curator) do it?
BATCH_TRANSITIONS = {(S.DRAFT, S.SUBMITTED): True, (S.SUBMITTED, S.DRAFT): True,
                     (S.SUBMITTED, S.PUBLISHED): False, (S.PUBLISHED, S.WITHDRAWN): False}


def batch_status_counts(session: Session, batch_id: int) -> dict[str, int]:
    rows = session.exec(select(SequenceRecord.publication_status, func.count())
                        .where(SequenceRecord.batch_id == batch_id)
                        .group_by(SequenceRecord.publication_status)).all()
    return {status: n for status, n in rows}


def move_batch(session: Session, actor: Actor, batch_id: int, to: str) -> int:
    """Move every sequence of the batch that is in the matching state; returns how many moved."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(f"import batch {batch_id} does not exist")
    sources = [f for (f, t) in BATCH_TRANSITIONS if t == to]
    if not sources:
        raise InvalidRecord(f"import batch {batch_id}", [("status", to, "allowed: submitted, published, draft, "
                                                                        "withdrawn")])
    uploader_may = all(BATCH_TRANSITIONS[(f, to)] for f in sources)
    if not (actor.is_curator or (uploader_may and batch.created_by == actor.username)):
        raise Forbidden(f"only {'a curator' if not uploader_may else 'the uploader or a curator'} may move the "
                        f"sequences of import batch {batch_id} to {to}")
    before = batch_status_counts(session, batch_id)
    moved = session.exec(update(SequenceRecord).where(SequenceRecord.batch_id == batch_id,
                                                      SequenceRecord.publication_status.in_(sources))
                         .values(publication_status=to)).rowcount
    if moved == 0:
        raise InvalidRecord(f"import batch {batch_id}", [("status", to, f"no sequence of the batch is "
                                                                        f"{' or '.join(sources)}")])
    session.flush()
    audit.record(session, actor, entity="import_batch", entity_id=batch_id, action="status",
                 before=before, after=batch_status_counts(session, batch_id),
                 note=f"{moved} sequence record(s) moved to {to}")
    return moved


def batches_waiting(session: Session) -> list[tuple[ImportBatch, int]]:
    """Import batches with submitted sequences: the curators' queue."""
    rows = session.exec(select(SequenceRecord.batch_id, func.count())
                        .where(SequenceRecord.publication_status == S.SUBMITTED)
                        .group_by(SequenceRecord.batch_id)).all()
    return [(session.get(ImportBatch, bid), n) for bid, n in rows if bid is not None]

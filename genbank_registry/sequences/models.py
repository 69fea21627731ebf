"""Sequence tables: one row per record version. Fields come from `schemas.sequences.SequenceBase`."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, Index, Text, text
from sqlmodel import Field

from schemas.sequences import SequenceBase

from genbank_registry.base import timestamp_field as _ts


class SequenceRecord(SequenceBase, table=True):
    """A DNA sequence record. `is_current` marks the newest version of an accession; older ones stay as history.

    Features, references, keywords and lineage are JSON: they are read whole, never queried inside; the source
    qualifiers that are queried have columns of their own (SequenceBase).
    """

    __tablename__ = "sequence_record"
    # Few indexes on purpose: each one slows bulk imports. Taxon (+ marker) and accession serve the pages; the
    # partial ones skip the many rows without a version or a voucher, which bulk barcode files are made of.
    __table_args__ = (
        Index("ix_sequence_record_taxon_marker", "taxon_id", "marker"),
        Index("ix_sequence_record_accession_base", "accession_base", sqlite_where=text("version IS NOT NULL"),
              postgresql_where=text("version IS NOT NULL")),
        Index("ix_sequence_record_accession_id", "accession_id", sqlite_where=text("accession_id IS NOT NULL"),
              postgresql_where=text("accession_id IS NOT NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    definition: str | None = Field(default=None, sa_type=Text)
    sequence: str = Field(default="", sa_type=Text)
    taxon_id: int | None = Field(default=None, foreign_key="taxon.id")
    accession_id: int | None = Field(default=None, foreign_key="accession.id")
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    lineage: list | None = Field(default=None, sa_column=Column(JSON))
    keywords: list | None = Field(default=None, sa_column=Column(JSON))
    features: list | None = Field(default=None, sa_column=Column(JSON))
    references: list | None = Field(default=None, sa_column=Column(JSON))
    content_hash: str = Field(default="", max_length=32, description="MD5 over every stored field: unchanged "
                                                                     "records are recognised without comparing")
    # Operators' command-line imports publish at once; a researcher's web upload stays a draft until a curator
    # publishes its batch (sequences/curation.py).
    publication_status: str = Field(default="published", max_length=20,
                                    sa_column_kwargs={"server_default": "published"})
    created_at: dt.datetime = _ts()
    updated_at: dt.datetime = _ts()

"""The format → reader map for every format the registry imports, and `reader`/`parse` (like Bio.SeqIO.parse).

An unknown name is an explicit error that lists the known ones.
"""
from __future__ import annotations

from pathlib import Path

from . import fasta, genbank  # noqa: F401  (register their readers in sequence_base.READERS)
from .base import UnknownFormat
from .dwca import DwcaReader
from .mcpd import McpdReader
from .sequence_base import READERS as SEQUENCE_READERS
from .survey_csv import SurveyCsvIterator

READERS: dict[str, type] = {
    SurveyCsvIterator.format: SurveyCsvIterator,
    "mcpd": McpdReader,
    "dwca": DwcaReader,
    **SEQUENCE_READERS,
}


def reader_for(format: str) -> type:
    try:
        return READERS[format]
    except KeyError:
        raise UnknownFormat(f"unknown format {format!r}; the registry reads: {', '.join(sorted(READERS))}") from None


def reader(path: Path | str, format: str):
    return reader_for(format)(path)


def parse(path: Path | str, format: str):
    return iter(reader(path, format))

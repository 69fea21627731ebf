"""The format → reader map, and `reader`/`parse` to open a file in a named format (like Bio.SeqIO.parse)."""
from __future__ import annotations

from pathlib import Path

from .base import RecordIterator, UnknownFormat
from .survey_csv import SurveyCsvIterator

READERS: dict[str, type[RecordIterator]] = {
    SurveyCsvIterator.format: SurveyCsvIterator,
}


def reader(path: Path | str, format: str) -> RecordIterator:
    try:
        cls = READERS[format]
    except KeyError:
        raise UnknownFormat(f"unknown format {format!r}; known formats: {', '.join(sorted(READERS))}") from None
    return cls(path)


def parse(path: Path | str, format: str):
    return iter(reader(path, format))

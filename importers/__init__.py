"""One module per format: streaming parsers that yield `schemas` objects, and the loader that calls the core.

`parse(path, format)` is the one entry point (like Biopython's `SeqIO.parse`); `READERS` maps format names
to reader classes.
"""
from __future__ import annotations

from pathlib import Path

from .base import Parsed, Problem, RecordIterator, UnknownFormat, UnreadableFile
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


__all__ = ["READERS", "Parsed", "Problem", "RecordIterator", "UnknownFormat", "UnreadableFile", "parse", "reader"]

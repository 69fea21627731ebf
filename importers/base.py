"""What every format module shares: the error base, the streaming-reader base and the format → reader map
(shaped like Biopython's SeqIO: `parse(path, "mcpd")`, an explicit error for a format we do not read)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


class ReaderError(Exception):
    """A file that cannot be read at all; `str(err)` names the file and what to do."""


class UnknownFormat(ReaderError):
    pass


class RecordReader:
    """A streaming parser: iterate it to get `schemas` objects one at a time."""

    format_name = ""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


def _readers() -> dict[str, type[RecordReader]]:
    from .dwca import DwcaReader
    from .mcpd import McpdReader

    return {"mcpd": McpdReader, "dwca": DwcaReader}


def reader_for(fmt: str) -> type[RecordReader]:
    readers = _readers()
    if fmt not in readers:
        raise UnknownFormat(f"unknown format {fmt!r}; the registry reads: {', '.join(sorted(readers))}")
    return readers[fmt]


def parse(path: Path | str, fmt: str) -> Iterator[Any]:
    """Records of `path` read as `fmt`, one at a time."""
    return iter(reader_for(fmt)(path))

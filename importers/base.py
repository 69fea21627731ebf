"""What every reader shares: a streaming iterator over a file that yields parsed rows with their problems.

Shaped like Biopython's SeqIO: `importers.parse(path, format)` picks the reader from `READERS`; each reader
yields `Parsed` items one at a time (a file is never read whole), each naming its file, row and line.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class UnknownFormat(ValueError):
    """The format name is not one of `importers.READERS`."""


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (missing, wrong encoding, wrong header): nothing is loaded."""


@dataclass
class Problem:
    """One thing wrong with one value, and what to do about it."""

    file: str
    row: int | None
    line: int | None
    column: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f", line {self.line}" if self.line else "") + (f" (row {self.row})" if self.row else "")
        return f"{where}, column {self.column}: value {self.value!r}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "line": self.line, "column": self.column,
                "value": None if self.value is None else str(self.value), "message": self.message}


@dataclass
class Parsed:
    """One record as read: `record` is a validated schemas object, or None when `problems` says why not."""

    row: int
    line: int
    record: Any = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"line {self.line} (row {self.row})"


class RecordIterator:
    """Base class of readers: open `path`, yield `Parsed` items from `parse()`."""

    format: str = ""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.is_file():
            raise UnreadableFile(f"{self.path}: no such file; check the path")

    def __iter__(self) -> Iterator[Parsed]:
        return self.parse()

    def parse(self) -> Iterator[Parsed]:  # pragma: no cover - each reader implements it
        raise NotImplementedError

    def count(self) -> int | None:
        """How many records the file holds, cheaply, for a progress bar (None when unknown)."""
        return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()

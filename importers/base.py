"""What every reader shares: errors, streaming iterator bases, and reporting a problem by file, row and line.

Shaped like Biopython's SeqIO: `importers.parse(path, format)` picks the reader from `importers.formats.READERS`
(one map for every format); each reader yields records one at a time, so a file is never read whole.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.messages import Message, N_, as_dict


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bulk import runs. An import keeps every row it has read alive
    until its chunk is written (and the file's keys until the end), so each full collection walks them all
    again while finding almost nothing: a fifth of a 100,000-row MCPD import's time. Rows hold no cycles;
    reference counting frees them as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def nothing_stored(stored: int, rejected: int, reason: Message) -> Message | None:
    """Why an import that stored nothing (no record added, updated or found unchanged) and rejected nothing
    counts as failed; None when it stored something, or rejected rows (their problems say why). A re-import
    whose records are all unchanged stored them: it succeeds."""
    if stored or rejected:
        return None
    return N_("the file holds no record that the registry could store: %(reason)s", reason=reason)


def without_nul(text: str) -> str:
    """NUL characters (damage, or UTF-16 read as another encoding) as U+FFFD, which the checks then name:
    PostgreSQL stores no NUL in text, not even in the report that quotes the value."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


class ReaderError(Exception):
    """A file that cannot be read at all; `str(err)` names the file and what to do. Nothing is loaded."""


class UnknownFormat(ReaderError, ValueError):
    """The format name is not one of `importers.formats.READERS`."""


class UnreadableFile(ReaderError, ValueError):
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
                "value": None if self.value is None else str(self.value), "message": str(self.message),
                "message_msg": as_dict(self.message)}  # the web says it in the reader's language


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
    """Base of row readers that yield `Parsed` items from `parse()` (survey CSV)."""

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


class RecordReader:
    """Base of readers that yield `schemas` objects with their own problem lists (MCPD, Darwin Core)."""

    format_name = ""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError



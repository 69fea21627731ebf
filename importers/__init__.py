"""One module per format: streaming parsers that yield `schemas` objects, and the loader that calls the core.

`parse(path, format)` is the one entry point (like Biopython's `SeqIO.parse`); `READERS` maps format names
to reader classes (importers/formats.py).
"""
from __future__ import annotations

from .base import Parsed, Problem, RecordIterator, UnknownFormat, UnreadableFile
from .formats import READERS, parse, reader

__all__ = ["READERS", "Parsed", "Problem", "RecordIterator", "UnknownFormat", "UnreadableFile", "parse", "reader"]

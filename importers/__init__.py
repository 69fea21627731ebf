"""One module per format: streaming parsers that yield `schemas` objects, and the loader that calls the core.

`parse(path, format)` is the one entry point (like Biopython's `SeqIO.parse`); `READERS` maps format names
to reader classes (importers/formats.py).

The names are loaded on first use: importing one importer (a sequence import's parser workers) must not load
every format's dependencies (pandas for Darwin Core, SQLModel for the registry index): that was half of each
worker's memory.
"""
from __future__ import annotations

import importlib

_LAZY = {"Parsed": ".base", "Problem": ".base", "RecordIterator": ".base", "UnknownFormat": ".base",
         "UnreadableFile": ".base", "READERS": ".formats", "parse": ".formats", "reader": ".formats"}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

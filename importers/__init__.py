"""One module per format: streaming parsers that yield `schemas` objects, and the loader that calls the core."""
from . import fasta, genbank  # noqa: F401  (each registers its reader in base.READERS)
from .base import READERS, RecordError, UnknownFormat, open_text, reader_for, sniff  # noqa: F401

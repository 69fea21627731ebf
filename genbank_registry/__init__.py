"""genbank-registry: the gene bank and biological resource registry of Cần Thơ's gene fund (domain core)."""

__version__ = "0.1.0"

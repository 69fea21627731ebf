"""Data contracts of genbank-registry: code lists, validators and the non-table model classes.

This package imports nothing of ours, so every other package may depend on it.
"""

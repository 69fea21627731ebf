"""Biodiversity surveys: sampling events and occurrences, their store, the report tables and the public export rows."""

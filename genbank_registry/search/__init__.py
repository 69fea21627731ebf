"""Catalogue search: the public search index and search words, the query, its SQL for each engine, ranking, facets and suggestions."""

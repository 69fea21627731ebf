"""Import functions for background jobs (format → handler), wired into the web app by `genbank-registry serve`.

A handler takes (engine, job, progress) and returns the id of the ImportBatch it recorded. Formats whose
importer is not installed are simply absent, and the upload page refuses them with a clear message.
"""
from __future__ import annotations

HANDLERS: dict = {}


def handlers() -> dict:
    return dict(HANDLERS)

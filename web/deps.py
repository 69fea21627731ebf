"""Request dependencies as Annotated aliases (SessionDep, SettingsDep, LangDep, PublicBaseDep), FastAPI-template style."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from sqlmodel import Session

from genbank_registry.errors import NotFound, NotPublic
from genbank_registry.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_lang(request: Request) -> str:
    return request.state.lang


def get_public_base_url(request: Request) -> str:
    """The address permanent links, QR codes, citations and the sitemap start with, without a trailing slash:
    GENBANK_REGISTRY_BASE_URL when set (the public name behind a proxy), else the scheme, host and port the
    request came to (so a server on port 8101 links to port 8101)."""
    configured = request.app.state.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


SettingsDep = Annotated[Settings, Depends(get_settings)]
PublicBaseDep = Annotated[str, Depends(get_public_base_url)]
SessionDep = Annotated[Session, Depends(get_session)]
LangDep = Annotated[str, Depends(get_lang)]
# A record's numeric id in a path. Ids are 32-bit on PostgreSQL (and SQLite refuses numbers past 64 bits): a larger
# number names no record and answers 422 before it reaches the database, instead of a database error (500).
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the record's numeric id")]


@contextmanager
def missing_is_404(message: str) -> Iterator[None]:
    """A record that does not exist and one that is not public both answer 404 with `message` (the same for
    both, so a draft stays unseen); the API shows the message, pages their bilingual 404."""
    try:
        yield
    except (NotFound, NotPublic):
        raise HTTPException(404, message) from None

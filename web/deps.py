"""Request dependencies as Annotated aliases (SessionDep, SettingsDep, LangDep), FastAPI-template style."""
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


SettingsDep = Annotated[Settings, Depends(get_settings)]
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

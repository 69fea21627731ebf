"""Request dependencies as Annotated aliases (SessionDep, SettingsDep, LangDep), FastAPI-template style."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request
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


@contextmanager
def missing_is_404(message: str) -> Iterator[None]:
    """A record that does not exist and one that is not public both answer 404 with `message` (the same for
    both, so a draft stays unseen); the API shows the message, pages their bilingual 404."""
    try:
        yield
    except (NotFound, NotPublic):
        raise HTTPException(404, message) from None

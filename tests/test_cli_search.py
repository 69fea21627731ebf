"""`genbank-registry db reindex` rebuilds the public search index a search reads."""
from __future__ import annotations

from sqlmodel import Session

from genbank_registry.cli import app
from genbank_registry.db import make_engine
from genbank_registry.models import AccessionIndex
from genbank_registry.search.query import SearchQuery, search


def test_reindex_restores_search(demo_url, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", demo_url)
    engine = make_engine(demo_url)
    with Session(engine) as session:
        before = search(session, SearchQuery(q="sam")).total
        session.exec(AccessionIndex.__table__.delete())
        session.commit()
        assert search(session, SearchQuery(q="sam")).total == 0
    result = CliRunner().invoke(app, ["db", "reindex"])
    assert result.exit_code == 0, result.output
    assert "accessions indexed" in result.output
    with Session(engine) as session:
        assert search(session, SearchQuery(q="sam")).total == before > 0
    engine.dispose()

"""The workflow and the audit trail: who may do what, and every change on the record with a revert."""
from __future__ import annotations

import pytest

from genbank_registry.errors import Forbidden, InvalidRecord
from genbank_registry.accounts import people as accounts
from genbank_registry.accounts import audit
from genbank_registry.catalogue import records as catalogue
from genbank_registry.catalogue import curation
from genbank_registry.accounts.audit import Actor

from .factories import accession, base_catalogue


@pytest.fixture
def setup(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(publication_status="draft"))
    catalogue.upsert_institution(session, {"code": "OTHER", "name_vi": "Khác", "name_en": "Other"})
    users = {}
    for name, role, inst in (("lan", "researcher", "TST"), ("hai", "researcher", "OTHER"), ("minh", "curator", None)):
        users[name] = accounts.create_user(session, {"username": name, "full_name": name, "role": role,
                                                     "institution_code": inst, "password": "x" * 12})

    def actor(name, via):
        u = users[name]
        return Actor(u.username, u.role, u.id, u.institution_id, via=via)

    return session, acc, {"own": actor("lan", "form"), "other": actor("hai", "form"), "curator": actor("minh", "api")}


def test_researcher_submits_only_a_curator_publishes(setup):
    session, acc, who = setup
    with pytest.raises(Forbidden, match="only a curator or a researcher of the holding institution"):
        curation.transition(session, who["other"], acc, "submitted")
    curation.transition(session, who["own"], acc, "submitted")
    with pytest.raises(Forbidden, match="only a curator may move"):
        curation.transition(session, who["own"], acc, "published")
    curation.transition(session, who["curator"], acc, "published")
    with pytest.raises(InvalidRecord, match="cannot go from published to draft"):
        curation.transition(session, who["curator"], acc, "draft")
    curation.transition(session, who["curator"], acc, "withdrawn")
    assert acc.publication_status == "withdrawn"


def test_visibility_by_role(setup):
    session, acc, who = setup
    assert curation.can_view(who["own"], acc) and curation.can_view(who["curator"], acc)
    assert not curation.can_view(who["other"], acc) and not curation.can_view(None, acc)
    assert curation.can_see_exact(who["curator"], acc) and not curation.can_see_exact(who["other"], acc)


def test_edits_are_validated_like_imports_and_audited(setup):
    session, acc, who = setup
    with pytest.raises(InvalidRecord, match="SAMPSTAT '301' is not in the MCPD v2.1 code list"):
        curation.update_accession(session, who["own"], acc, {"sampstat": "301"})
    with pytest.raises(Forbidden):
        curation.update_accession(session, who["other"], acc, {"accename": "X"})
    curation.update_accession(session, who["own"], acc, {"accename": "Tên mới", "storage": "13;20"})
    events = audit.history(session, "accession", acc.id)
    assert [e.action for e in events] == ["create", "update"]
    assert events[0].actor == "system" and events[0].via == "cli"
    last = events[-1]
    assert last.actor == "lan" and last.via == "form"
    assert last.changes == {"accename": [None, "Tên mới"], "storage": [None, "13;20"]}


def test_revert_to_an_earlier_version_is_itself_audited(setup):
    session, acc, who = setup
    first_version = audit.history(session, "accession", acc.id)[0].id
    curation.update_accession(session, who["curator"], acc, {"accename": "Sai", "collnumb": "X-9"})
    curation.revert(session, who["curator"], first_version)
    assert acc.accename is None and acc.collnumb is None
    events = audit.history(session, "accession", acc.id)
    assert events[-1].action == "revert" and events[-1].changes["accename"] == ["Sai", None]
    with pytest.raises(Forbidden, match="only curators revert"):
        curation.revert(session, who["own"], first_version)


def test_import_batch_is_named_in_the_audit_trail(setup):
    session, acc, _ = setup
    from genbank_registry.models import ImportBatch
    batch = ImportBatch(format="mcpd", source_filename="x.csv")
    session.add(batch)
    session.flush()
    importer = Actor("lan", "researcher", None, acc.institution_id, via="import", batch_id=batch.id)
    catalogue.upsert_accession(session, accession(publication_status="draft", accename="Từ tệp"), actor=importer)
    last = audit.history(session, "accession", acc.id)[-1]
    assert (last.via, last.batch_id, last.changes["accename"]) == ("import", batch.id, [None, "Từ tệp"])


def test_exact_views_are_recorded(setup):
    session, acc, who = setup
    curation.record_exact_view(session, who["curator"], acc)
    assert audit.history(session, "accession", acc.id)[-1].action == "view_exact"

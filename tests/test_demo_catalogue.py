"""The demo catalogue is realistic and complete enough to show every feature."""
from __future__ import annotations

from collections import Counter

from sqlmodel import select

from genbank_registry.models import Accession, ConservationAssessment, GeneFundTask, Institution
from genbank_registry.catalogue import seed
from genbank_registry.catalogue.public_form import PublicFormBuilder
from schemas import codes
from schemas.places import DISTRICTS


def test_demo_catalogue_covers_what_the_registry_shows(demo_session):
    accs = demo_session.exec(select(Accession)).all()
    assert len(accs) >= 60
    assert {a.category for a in accs} == {c.value for c in codes.Category}
    assert {a.district_code for a in accs} == set(DISTRICTS)
    for a in accs:
        assert DISTRICTS[a.district_code].contains(a.declatitude, a.declongitude), a.accenumb
    assert len(demo_session.exec(select(Institution)).all()) >= 3
    assert len(demo_session.exec(select(GeneFundTask)).all()) >= 3
    statuses = Counter(a.publication_status for a in accs)
    assert statuses["draft"] >= 3
    decree37 = demo_session.exec(select(ConservationAssessment).where(
        ConservationAssessment.scheme == "decree_37_2024")).all()
    assert len(decree37) >= 5
    builder = PublicFormBuilder(demo_session)
    sensitive_published = [a for a in accs if a.publication_status == "published"
                           and builder.sensitivity.accession_category(a) == 1]
    assert len(sensitive_published) >= 3
    assert any(a.sensitivity_override for a in accs)


def test_loading_twice_changes_nothing(demo_session):
    before = len(demo_session.exec(select(Accession)).all())
    results = seed.load_catalogue(demo_session, seed.read_catalogue(seed.demo_catalogue_path()))
    assert all(counter["added"] == 0 and counter["updated"] == 0 for counter in results.values())
    assert len(demo_session.exec(select(Accession)).all()) == before

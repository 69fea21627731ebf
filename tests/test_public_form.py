"""The public form: drafts refused, sensitive localities generalised, personal data never present."""
from __future__ import annotations

import json

import pytest

from genbank_registry.errors import NotPublic
from genbank_registry.catalogue import records as catalogue
from genbank_registry.catalogue.public_form import generalise_point, public_form, snap
from genbank_registry.catalogue.sensitivity import SensitivityResolver

from .factories import accession, base_catalogue

SECRETS = ("10.123456", "105.654321", "10.12345", "105.65432", "Nguyễn Văn Tám", "0909 123 456",
           "Phạm Minh Khoa", "ghi chú mật", "Ao nhà ông Tám", "Thới An", "secret@example.invalid", "Ông Bí Mật")


def _dump(pub) -> str:
    return json.dumps(pub.model_dump(mode="json"), ensure_ascii=False)


def test_category_1_withholds_coordinates_locality_and_people(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession())
    pub = public_form(session, acc)
    assert pub.sensitivity_category == 1
    assert pub.declatitude is None and pub.declongitude is None
    assert pub.district_code is None and pub.commune is None and pub.collsite is None
    assert pub.donor_display == "private donor"
    assert "withheld" in pub.information_withheld
    text = _dump(pub)
    for secret in SECRETS:
        assert secret not in text, secret


def test_category_2_snaps_to_tenth_of_a_degree(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(accenumb="S-1", taxon_name="Scleropages formosus"))
    pub = public_form(session, acc)
    assert pub.sensitivity_category == 2  # CITES II
    assert (pub.declatitude, pub.declongitude) == (10.15, 105.65)
    assert pub.coorduncert > 7000
    assert pub.district_code == "917" and pub.commune is None and pub.collsite is None
    assert "0.1° grid" in pub.data_generalizations
    text = _dump(pub)
    for secret in SECRETS:
        assert secret not in text, secret


def test_subtaxa_and_synonyms_inherit_sensitivity(session):
    base_catalogue(session)
    resolver = SensitivityResolver(session)
    cultivar = catalogue.find_taxon(session, "Pangasianodon gigas 'Demo'")
    synonym = catalogue.find_taxon(session, "Pangasius gigas")
    sibling = catalogue.find_taxon(session, "Pangasianodon hypophthalmus")
    assert resolver.taxon_category(cultivar.id) == 1
    assert resolver.taxon_category(synonym.id) == 1
    assert resolver.taxon_category(sibling.id) is None


def test_curator_override_makes_a_record_stricter(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(accenumb="D-1", taxon_name="Polyscias fruticosa",
                                                           category="medicinal_plant", sensitivity_override=3))
    pub = public_form(session, acc)
    assert pub.sensitivity_category == 3
    assert (pub.declatitude, pub.declongitude) == (10.125, 105.655)
    assert pub.commune == "Thới An" and pub.collsite is None


def test_non_sensitive_record_keeps_locality_but_not_people(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(accenumb="D-2", taxon_name="Polyscias fruticosa",
                                                           category="medicinal_plant"))
    pub = public_form(session, acc)
    assert pub.sensitivity_category is None
    assert (pub.declatitude, pub.declongitude) == (10.123456, 105.654321)
    assert pub.collsite.startswith("Ao nhà")
    text = _dump(pub)
    for secret in ("Nguyễn Văn Tám", "0909 123 456", "Phạm Minh Khoa", "ghi chú mật"):
        assert secret not in text


@pytest.mark.parametrize("status", ["draft", "submitted", "withdrawn"])
def test_unpublished_records_are_refused(session, status):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(publication_status=status))
    with pytest.raises(NotPublic):
        public_form(session, acc)


def test_search_text_never_holds_a_sensitive_locality(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession())
    assert "thoi an" not in acc.search_text and "ao nha" not in acc.search_text
    assert "ca tra dau" in acc.search_text and "pangasius gigas" in acc.search_text


def test_snap_is_exact_and_generalise_never_randomises():
    assert snap(10.123456, 0.1) == 10.15
    assert snap(-0.05, 0.1) == -0.05
    assert generalise_point(10.123456, 105.654321, 3) == generalise_point(10.123456, 105.654321, 3)
    assert generalise_point(10.1, 105.6, 1) == (None, None, None)


def test_bulk_search_text_equals_the_one_record_refresh(demo_session):
    """Imports build search text in bulk (SearchTextBuilder); it must be exactly what a single refresh writes."""
    from sqlmodel import select

    from genbank_registry.models import Accession
    from genbank_registry.search.text import SearchTextBuilder, refresh_search_text
    builder = SearchTextBuilder(demo_session)
    for acc in demo_session.exec(select(Accession)).all():
        bulk = builder.text(acc)
        refresh_search_text(demo_session, acc)
        assert bulk == acc.search_text, acc.accenumb

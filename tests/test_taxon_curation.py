"""Curators edit taxa and assessments; sensitivity and search follow at once, and every change is audited."""
from __future__ import annotations

import pytest

from genbank_registry.errors import Forbidden, InvalidRecord
from genbank_registry.accounts import audit
from genbank_registry.catalogue import records as catalogue
from genbank_registry.catalogue import taxon_curation
from genbank_registry.accounts.audit import Actor
from genbank_registry.catalogue.public_form import public_form

from .factories import accession, base_catalogue

CURATOR = Actor("minh", "curator")
RESEARCHER = Actor("lan", "researcher", institution_id=1)


def test_a_new_assessment_makes_existing_accessions_sensitive_at_once(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(accenumb="D-1", taxon_name="Polyscias fruticosa",
                                                           category="medicinal_plant"))
    assert public_form(session, acc).declatitude == 10.123456 and "thoi an" in acc.search_text
    row = taxon_curation.set_assessment(session, CURATOR, {"taxon_name": "Polyscias fruticosa",
                                                           "scheme": "vn_red_book_2007", "code": "EN"})
    assert public_form(session, acc).declatitude == 10.15  # category 2 now
    assert "thoi an" not in acc.search_text
    assert audit.history(session, "assessment", row.id)[-1].action == "create"
    taxon_curation.delete_assessment(session, CURATOR, row.id)
    assert public_form(session, acc).declatitude == 10.123456


def test_researchers_cannot_edit_taxa_or_assessments(session):
    base_catalogue(session)
    taxon = catalogue.find_taxon(session, "Polyscias fruticosa")
    with pytest.raises(Forbidden):
        taxon_curation.update_taxon(session, RESEARCHER, taxon, {"authorship": "(L.) Harms"})
    with pytest.raises(Forbidden):
        taxon_curation.set_assessment(session, RESEARCHER, {"taxon_name": "Polyscias fruticosa",
                                                            "scheme": "iucn", "code": "LC"})


def test_taxon_edits_are_validated_and_audited(session):
    base_catalogue(session)
    taxon = catalogue.find_taxon(session, "Polyscias fruticosa")
    with pytest.raises(InvalidRecord, match="rank 'clade' is not allowed"):
        taxon_curation.update_taxon(session, CURATOR, taxon, {"rank": "clade"})
    with pytest.raises(InvalidRecord, match="accepted_name='Nope nope': not in the registry"):
        taxon_curation.update_taxon(session, CURATOR, taxon, {"accepted_name": "Nope nope"})
    taxon_curation.update_taxon(session, CURATOR, taxon, {"authorship": "(L.) Harms", "ncbi_taxon_id": 1028897})
    event = audit.history(session, "taxon", taxon.id)[-1]
    assert event.changes == {"authorship": [None, "(L.) Harms"], "ncbi_taxon_id": [None, 1028897]}


def test_making_a_taxon_a_synonym_of_a_sensitive_one_protects_its_accessions(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(accenumb="H-1", taxon_name="Pangasianodon hypophthalmus"))
    assert public_form(session, acc).declatitude is not None
    taxon = catalogue.find_taxon(session, "Pangasianodon hypophthalmus")
    taxon_curation.update_taxon(session, CURATOR, taxon, {"accepted_name": "Pangasianodon gigas"})
    assert taxon.taxonomic_status == "synonym"
    assert public_form(session, acc).declatitude is None
    gigas = catalogue.find_taxon(session, "Pangasianodon gigas")
    with pytest.raises(InvalidRecord, match="its own ancestor"):
        taxon_curation.update_taxon(session, CURATOR, gigas, {"parent_name": "Pangasianodon gigas 'Demo'"})

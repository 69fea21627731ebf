"""Bad values are refused with the field, the value and what is allowed; the database enforces its keys."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from genbank_registry.errors import InvalidRecord, NotFound
from genbank_registry.models import Accession
from genbank_registry.catalogue import records as catalogue
from schemas.dates import format_partial_date, normalize_partial_date

from .factories import accession, base_catalogue


@pytest.mark.parametrize("raw, stored", [
    ("20050317", "20050317"), ("200503--", "200503--"), ("20050300", "200503--"),
    ("2005----", "2005----"), ("20050000", "2005----"), ("", None), (None, None),
])
def test_partial_dates_accepted(raw, stored):
    assert normalize_partial_date(raw) == stored


@pytest.mark.parametrize("raw, fragment", [
    ("2005-03-17", "is not an MCPD date"), ("20051317", "month 13"), ("20050230", "day 30 does not exist"),
    ("2005--17", "a day is given without a month"), ("16990101", "before 1700"), ("29990101", "in the future"),
])
def test_partial_dates_refused_with_reason(raw, fragment):
    with pytest.raises(ValueError, match=fragment):
        normalize_partial_date(raw, "COLLDATE")


def test_partial_dates_display_dd_mm_yyyy():
    assert format_partial_date("20050317") == "17/03/2005"
    assert format_partial_date("200503--") == "03/2005"
    assert format_partial_date("2005----") == "2005"


@pytest.mark.parametrize("field, value, fragment", [
    ("sampstat", "301", "SAMPSTAT '301' is not in the MCPD v2.1 code list; allowed: 100, 110"),
    ("collsrc", 16, "COLLSRC 16 is not in the MCPD v2.1 code list"),
    ("storage", "12;21", "STORAGE '21' is not in the MCPD v2.1 code list; allowed: 10, 11, 12, 13, 20, 30, 40, 50, 99"),
    ("mlsstat", 2, "MLSSTAT 2"),
    ("category", "fungus", "category 'fungus' is not allowed; allowed: medicinal_plant"),
    ("declatitude", 95.0, "DECLATITUDE 95.0 is outside -90..90"),
    ("origcty", "VN", "ORIGCTY 'VN' is not an ISO 3166-1 alpha-3 code"),
    ("georefmeth", "phone", "GEOREFMETH 'phone' is not allowed"),
    ("publication_status", "public", "publication_status 'public' is not allowed"),
    ("colldate", "17/03/2005", "COLLDATE '17/03/2005' is not an MCPD date"),
])
def test_accession_code_lists(session, field, value, fragment):
    base_catalogue(session)
    with pytest.raises(InvalidRecord) as info:
        catalogue.upsert_accession(session, accession(**{field: value}))
    message = str(info.value)
    assert message.startswith("accession TST:A-1: ")
    assert fragment in message
    assert info.value.problems[0][0] == field


def test_storage_is_multi_valued(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(storage=" 13; 20 ;50"))
    assert acc.storage == "13;20;50"


def test_coordinates_go_in_pairs(session):
    base_catalogue(session)
    with pytest.raises(InvalidRecord, match="DECLATITUDE and DECLONGITUDE go together"):
        catalogue.upsert_accession(session, accession(declongitude=None))


def test_unknown_institution_and_taxon_are_named(session):
    base_catalogue(session)
    with pytest.raises(NotFound, match="institution 'NOPE' is not in the registry"):
        catalogue.upsert_accession(session, accession(instcode="NOPE"))
    with pytest.raises(InvalidRecord, match="taxon_name='Oryza nonexistens': not in the registry"):
        catalogue.upsert_accession(session, accession(taxon_name="Oryza nonexistens"))


def test_assessment_code_must_belong_to_scheme(session):
    base_catalogue(session)
    with pytest.raises(InvalidRecord, match="code 'EN' is not in scheme decree_37_2024; allowed: I, II"):
        catalogue.upsert_assessment(session, {"taxon_name": "Pangasianodon gigas", "scheme": "decree_37_2024",
                                              "code": "EN"})


def test_accession_number_unique_per_institution(session):
    base_catalogue(session)
    first, outcome = catalogue.upsert_accession(session, accession())
    assert outcome == "added"
    session.commit()
    # The service updates in place; the database refuses a second row with the same key.
    session.add(Accession(institution_id=first.institution_id, accenumb="A-1", category="aquatic"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    catalogue.upsert_institution(session, {"code": "OTHER", "name_vi": "Khác", "name_en": "Other"})
    _, outcome = catalogue.upsert_accession(session, accession(instcode="OTHER"))
    assert outcome == "added"


def test_upsert_reports_unchanged_and_updated(session):
    base_catalogue(session)
    assert catalogue.upsert_accession(session, accession())[1] == "added"
    assert catalogue.upsert_accession(session, accession())[1] == "unchanged"
    assert catalogue.upsert_accession(session, accession(accename="Tên mới"))[1] == "updated"


def test_synonym_resolves_to_accepted_taxon(session):
    base_catalogue(session)
    acc, _ = catalogue.upsert_accession(session, accession(taxon_name="Pangasius gigas"))
    assert catalogue.find_taxon(session, "Pangasianodon gigas").id == acc.taxon_id


def test_text_is_stored_nfc(session):
    import unicodedata
    base_catalogue(session)
    decomposed = unicodedata.normalize("NFD", "Cá tra dầu Thới An")
    acc, _ = catalogue.upsert_accession(session, accession(accename=decomposed))
    assert acc.accename == unicodedata.normalize("NFC", decomposed)

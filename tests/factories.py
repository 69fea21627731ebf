"""Small builders for tests: one institution, a taxon tree with assessments, accessions."""
from __future__ import annotations

from genbank_registry.catalogue import records as catalogue

INST = {"code": "TST", "name_vi": "Viện Thử nghiệm", "name_en": "Test Institute", "address": "Cần Thơ",
        "contact_person": "Ông Bí Mật", "contact_email": "secret@example.invalid", "contact_phone": "0909000111"}


def base_catalogue(session):
    catalogue.upsert_institution(session, INST)
    for t in (
        {"scientific_name": "Animalia", "rank": "kingdom"},
        {"scientific_name": "Pangasiidae", "rank": "family", "parent_name": "Animalia", "family": "Pangasiidae"},
        {"scientific_name": "Pangasianodon", "rank": "genus", "parent_name": "Pangasiidae"},
        {"scientific_name": "Pangasianodon gigas", "rank": "species", "parent_name": "Pangasianodon",
         "vernacular_vi": ["Cá tra dầu"], "vernacular_en": ["Mekong giant catfish"]},
        {"scientific_name": "Pangasianodon gigas 'Demo'", "rank": "cultivar", "parent_name": "Pangasianodon gigas"},
        {"scientific_name": "Pangasius gigas", "rank": "species", "accepted_name": "Pangasianodon gigas"},
        {"scientific_name": "Pangasianodon hypophthalmus", "rank": "species", "parent_name": "Pangasianodon",
         "vernacular_vi": ["Cá tra"]},
        {"scientific_name": "Scleropages formosus", "rank": "species", "vernacular_vi": ["Cá mơn"]},
        {"scientific_name": "Polyscias fruticosa", "rank": "species", "vernacular_vi": ["Đinh lăng"]},
    ):
        catalogue.upsert_taxon(session, t)
    catalogue.upsert_assessment(session, {"taxon_name": "Pangasianodon gigas", "scheme": "decree_37_2024",
                                          "code": "I"})
    catalogue.upsert_assessment(session, {"taxon_name": "Scleropages formosus", "scheme": "cites", "code": "II"})
    session.commit()


def accession(**overrides) -> dict:
    data = {"instcode": "TST", "accenumb": "A-1", "category": "aquatic", "taxon_name": "Pangasianodon gigas",
            "declatitude": 10.123456, "declongitude": 105.654321, "coorduncert": 10, "district_code": "917",
            "commune": "Thới An", "collsite": "Ao nhà ông Tám, ấp 3, xã Thới An",
            "admin_unit_recorded": "phường Thới An, quận Ô Môn, TP. Cần Thơ",
            "donorname": "Nguyễn Văn Tám", "donor_is_person": True, "donor_contact": "ĐT 0909 123 456",
            "collector_names": "Phạm Minh Khoa", "private_remarks": "ghi chú mật",
            "publication_status": "published", "colldate": "20230517"}
    data.update(overrides)
    return data

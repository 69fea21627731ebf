"""Exports in the field's formats: golden files, and round trips. The demo catalogue exported as MCPD and as a
Darwin Core Archive re-imports into an empty registry (same institutions and taxa) with identical public data."""
from __future__ import annotations

import os
import zipfile

import pytest
from dwca.read import DwCAReader
from sqlalchemy import delete
from sqlmodel import Session, select

from genbank_registry.models import Accession, Characterization, Institution
from genbank_registry.catalogue import records as catalogue
from genbank_registry.catalogue.public_form import PublicFormBuilder
from genbank_registry.standards import dwca_export
from genbank_registry.standards.mcpd_export import write_mcpd_csv
from importers import dwca_loader, loader
from tests.conftest import FIXTURES
from tests.factories import accession, base_catalogue

GOLDEN = FIXTURES / "standards"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
# What MCPD carries of the public form. Not carried: district/commune (not MCPD), task, characterizations,
# and the "private donor" marker (a person's name never leaves the registry, so nothing marks it either).
MCPD_FIELDS = ("instcode", "accenumb", "puid", "category", "scientific_name", "authorship", "family", "genus",
               "species", "spauthor", "subtaxa", "subtauthor", "cropname", "accename", "acqdate", "origcty",
               "collsite", "collnumb", "collcode", "collname", "collmissid", "colldate", "declatitude",
               "declongitude", "coorduncert", "coorddatum", "georefmeth", "elevation", "bredcode", "bredname",
               "sampstat", "ancest", "collsrc", "donorcode", "donornumb", "othernumb", "duplsite", "duplinstname",
               "storage", "mlsstat", "remarks", "historic", "sensitivity_category", "data_generalizations",
               "vernacular_vi")
DWC_FIELDS = ("instcode", "accenumb", "category", "scientific_name", "authorship", "family", "genus", "species",
              "subtaxa", "spauthor", "cropname", "accename", "acqdate", "origcty", "collsite", "collnumb",
              "colldate", "declatitude", "declongitude", "coorduncert", "elevation", "sampstat", "collsrc", "storage",
              "mlsstat", "puid", "sensitivity_category", "data_generalizations", "characterizations",
              "district_code", "commune")


def _public(session, fields):
    builder = PublicFormBuilder(session)
    accs = session.exec(select(Accession).where(Accession.publication_status == "published")).all()
    forms = {}
    for acc in accs:
        form = builder.build(acc).model_dump(include=set(fields))
        forms[(form["instcode"], form["accenumb"])] = form
    return forms


def _forms(session):
    builder = PublicFormBuilder(session)
    return [builder.build(a) for a in session.exec(select(Accession).where(
        Accession.publication_status == "published").order_by(Accession.id))]


def _empty_accessions(engine):
    with Session(engine) as s:
        s.exec(delete(Characterization))
        s.exec(delete(Accession))
        s.commit()


def test_demo_catalogue_round_trips_through_mcpd(demo_engine, tmp_path):
    path = tmp_path / "demo.mcpd.csv"
    with Session(demo_engine) as s:
        before = _public(s, MCPD_FIELDS)
        assert write_mcpd_csv(_forms(s), path) == len(before) >= 60
    text = path.read_text(encoding="utf-8-sig")
    assert "Nguyễn Văn Tám" not in text and "example.invalid" not in text  # donors and contacts stay private
    _empty_accessions(demo_engine)
    result = loader.import_mcpd(demo_engine, path, loader.ImportOptions(publish=True))
    assert result.errors == [] and result.added == len(before), result.problems[:5]
    with Session(demo_engine) as s:
        after = _public(s, MCPD_FIELDS)
    assert after == before
    again = loader.import_mcpd(demo_engine, path, loader.ImportOptions(publish=True))
    assert again.unchanged == len(before) and again.added == again.updated == 0


def test_demo_catalogue_round_trips_through_darwin_core(demo_engine, tmp_path):
    path = tmp_path / "demo.dwca.zip"
    with Session(demo_engine) as s:
        before = _public(s, DWC_FIELDS)
        dwca_export.write_archive(_forms(s), s.exec(select(Institution)).all(), path)
    with DwCAReader(str(path)) as archive:  # the reference reader agrees it is an archive
        rows = list(archive)
        assert len(rows) == len(before)
        assert archive.metadata.find("dataset/title").text.startswith("Cơ sở dữ liệu nguồn gen")
        assert sum(len(r.extensions) for r in rows) == sum(len(f["characterizations"]) for f in before.values())
    _empty_accessions(demo_engine)
    result = dwca_loader.import_dwca(demo_engine, path, publish=True)
    assert result.problems == [] and result.added == len(before)
    with Session(demo_engine) as s:
        after = _public(s, DWC_FIELDS)
    assert after == before
    again = dwca_loader.import_dwca(demo_engine, path, publish=True)
    assert again.unchanged == len(before)


@pytest.fixture
def small_catalogue(session):
    base_catalogue(session)
    catalogue.upsert_accession(session, accession())  # Pangasianodon gigas: category 1, a private donor
    catalogue.upsert_accession(session, accession(
        accenumb="A-2", taxon_name="Scleropages formosus", declatitude=10.0333, declongitude=105.7667,
        donorname=None, donor_is_person=False, donor_contact=None, collector_names=None, storage="20;50"))
    catalogue.upsert_accession(session, accession(
        accenumb="P-1", category="medicinal_plant", taxon_name="Polyscias fruticosa", genus="Polyscias",
        species="fruticosa", accename="Đinh lăng lá nhỏ", sampstat=300, collsrc=23, storage="20",
        donorname=None, donor_is_person=False, donor_contact=None, collector_names=None, colldate="202305--",
        characterizations=[{"descriptor": "Chiều cao cây / Plant height", "value": "85", "unit": "cm",
                            "observed_on": "2024-01-15", "level": "characterisation"}]))
    catalogue.upsert_accession(session, accession(accenumb="D-1", publication_status="draft"))
    session.commit()
    return session


def _golden(name: str, text: str):
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from the golden file (UPDATE_GOLDEN=1)"


def test_golden_mcpd_and_darwin_core_exports(small_catalogue, tmp_path):
    forms = _forms(small_catalogue)
    assert [f.accenumb for f in forms] == ["A-1", "A-2", "P-1"]  # never the draft
    write_mcpd_csv(forms, tmp_path / "x.csv")
    _golden("golden.mcpd.csv", (tmp_path / "x.csv").read_text(encoding="utf-8-sig"))
    dwca_export.write_archive(forms, small_catalogue.exec(select(Institution)).all(), tmp_path / "x.zip")
    with zipfile.ZipFile(tmp_path / "x.zip") as z:
        assert sorted(z.namelist()) == ["eml.xml", "measurementorfact.txt", "meta.xml", "occurrence.txt"]
        for name in z.namelist():
            _golden(f"golden-dwca/{name}", z.read(name).decode("utf-8"))
        occurrences = z.read("occurrence.txt").decode()
        eml = z.read("eml.xml").decode()
    assert "Nguyễn Văn Tám" not in occurrences and "Phạm Minh Khoa" not in occurrences
    assert "Coordinates, elevation and locality withheld" in occurrences  # informationWithheld, category 1
    assert "generalised to the centre of a 0.1° grid cell" in occurrences  # dataGeneralizations, category 2
    assert "secret@example.invalid" not in eml and "Ông Bí Mật" not in eml  # contacts are institutions
    assert "<organizationName>Test Institute</organizationName>" in eml and "by/4.0" in eml

"""Writing a Darwin Core Archive of public forms (for the CLI and for web downloads): meta.xml, eml.xml, occurrence.txt, measurementorfact.txt, and event.txt when surveys are included.

Only `AccessionPublic` objects go in, so coordinates are as published (generalised or withheld) and
dataGeneralizations / informationWithheld say so; contacts are institutions with their public addresses.
Survey occurrences (`surveys.export.public_survey_rows`, already generalised for sensitive taxa) join
the specimens in the Occurrence core as HumanObservation rows with their eventID and counts; their sampling
events go in event.txt, an Event extension row per occurrence (a Darwin Core Archive has one core, and the
specimens have no sampling event), which GBIF and python-dwca-reader read as the occurrence's event.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from schemas.accessions import AccessionPublic
from schemas.places import DISTRICTS
from schemas.standards import DYNAMIC_FIELDS


DEFAULT_LICENSE = "http://creativecommons.org/licenses/by/4.0/legalcode"
DWC = "http://rs.tdwg.org/dwc/terms/"
DC = "http://purl.org/dc/terms/"
OCCURRENCE_TERMS = (
    ("occurrenceID", DWC), ("basisOfRecord", DWC), ("institutionCode", DWC), ("catalogNumber", DWC),
    ("recordNumber", DWC), ("scientificName", DWC), ("scientificNameAuthorship", DWC), ("family", DWC),
    ("genus", DWC), ("specificEpithet", DWC), ("vernacularName", DWC), ("eventDate", DWC), ("countryCode", DWC),
    ("stateProvince", DWC), ("county", DWC), ("municipality", DWC), ("locality", DWC), ("decimalLatitude", DWC),
    ("decimalLongitude", DWC), ("geodeticDatum", DWC), ("coordinateUncertaintyInMeters", DWC),
    ("minimumElevationInMeters", DWC), ("maximumElevationInMeters", DWC), ("license", DC), ("rightsHolder", DC),
    ("dataGeneralizations", DWC), ("informationWithheld", DWC), ("dynamicProperties", DWC),
)
# Core columns only an archive with surveys has (the specimen-only archive keeps its columns).
SURVEY_CORE_TERMS = (("eventID", DWC), ("individualCount", DWC), ("organismQuantity", DWC),
                     ("organismQuantityType", DWC), ("occurrenceStatus", DWC))
EVENT_TERMS = ("eventID", "eventDate", "locationID", "habitat", "samplingProtocol", "sampleSizeValue",
               "sampleSizeUnit", "countryCode", "stateProvince", "county", "municipality", "decimalLatitude",
               "decimalLongitude", "geodeticDatum", "coordinateUncertaintyInMeters", "dataGeneralizations",
               "informationWithheld")
MOF_TERMS = ("measurementType", "measurementValue", "measurementUnit", "measurementMethod",
             "measurementDeterminedDate", "measurementRemarks")


def occurrence_id(p: AccessionPublic) -> str:
    return p.puid or f"urn:catalog:{p.instcode}:{p.accenumb}"


def iso_date(partial: str | None) -> str:
    """MCPD `20221217` / `202212--` / `2022----` → ISO `2022-12-17` / `2022-12` / `2022`."""
    if not partial:
        return ""
    year, month, day = partial[:4], partial[4:6], partial[6:8]
    return year if month == "--" else f"{year}-{month}" if day == "--" else f"{year}-{month}-{day}"


def _num(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def occurrence_row(p: AccessionPublic, license_uri: str) -> dict[str, str]:
    dynamic = {k: getattr(p, k) for k in DYNAMIC_FIELDS if getattr(p, k, None) not in (None, "", False)}
    district = DISTRICTS.get(p.district_code or "")
    return {
        "occurrenceID": occurrence_id(p),
        "basisOfRecord": "MaterialSample" if p.storage == "50" else "LivingSpecimen",
        "institutionCode": p.instcode, "catalogNumber": p.accenumb, "recordNumber": p.collnumb or "",
        "scientificName": p.scientific_name or " ".join(x for x in (p.genus, p.species) if x),
        "scientificNameAuthorship": p.authorship or "", "family": p.family or "", "genus": p.genus or "",
        "specificEpithet": p.species or "", "vernacularName": (p.vernacular_vi or [""])[0],
        "eventDate": iso_date(p.colldate), "countryCode": "VN" if p.origcty == "VNM" else "",
        "stateProvince": "Cần Thơ" if district else "", "county": district.name_vi if district else "",
        "municipality": p.commune or "", "locality": p.collsite or "",
        "decimalLatitude": _num(p.declatitude), "decimalLongitude": _num(p.declongitude),
        "geodeticDatum": p.coorddatum or "", "coordinateUncertaintyInMeters": _num(p.coorduncert),
        "minimumElevationInMeters": _num(p.elevation), "maximumElevationInMeters": _num(p.elevation),
        "license": license_uri, "rightsHolder": p.institution_name_en,
        "dataGeneralizations": p.data_generalizations or "", "informationWithheld": p.information_withheld or "",
        "dynamicProperties": json.dumps(dynamic, ensure_ascii=False, sort_keys=True) if dynamic else "",
    }


def survey_occurrence_row(row: dict, license_uri: str) -> dict[str, str]:
    """A survey occurrence (a public survey row) in the Occurrence core."""
    placed = row["decimalLatitude"] is not None
    out = {term: _num(row.get(term)) if row.get(term) is not None else "" for term, _ in SURVEY_CORE_TERMS}
    out.update({
        "occurrenceID": row["occurrenceID"], "basisOfRecord": "HumanObservation",
        "scientificName": row["scientificName"], "vernacularName": row["vernacularName"] or "",
        "eventDate": row["eventDate"], "countryCode": "VN", "stateProvince": "Cần Thơ",
        "county": row["county"] or "", "municipality": row["municipality"] or "",
        "decimalLatitude": _num(row["decimalLatitude"]), "decimalLongitude": _num(row["decimalLongitude"]),
        "geodeticDatum": "WGS84" if placed else "",
        "coordinateUncertaintyInMeters": _num(row["coordinateUncertaintyInMeters"]), "license": license_uri,
        "dataGeneralizations": row["dataGeneralizations"] or "", "informationWithheld": row["informationWithheld"] or ""})
    return out


def event_row(row: dict) -> dict[str, str]:
    """The occurrence's sampling event, in event.txt (linked by the occurrence's id)."""
    out = {"id": row["occurrenceID"], "countryCode": "VN", "stateProvince": "Cần Thơ",
           "geodeticDatum": "WGS84" if row["decimalLatitude"] is not None else ""}
    for term in EVENT_TERMS:
        if term not in out:
            out[term] = _num(row.get(term)) if row.get(term) is not None else ""
    return out


def _tsv(rows: list[dict[str, str]], fields: Sequence[str]) -> str:
    buffer = io.StringIO()
    # meta.xml declares no quoting (fieldsEnclosedBy=""): tabs and line breaks inside values become spaces.
    writer = csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([" ".join((row.get(f) or "").split("\t")).replace("\r", " ").replace("\n", " ")
                         for f in fields])
    return buffer.getvalue()


def core_terms(surveys: bool) -> tuple[tuple[str, str], ...]:
    return OCCURRENCE_TERMS + SURVEY_CORE_TERMS if surveys else OCCURRENCE_TERMS


def meta_xml(surveys: bool = False) -> str:
    fields = "\n".join(f'    <field index="{i}" term="{ns}{term}"/>' for i, (term, ns) in enumerate(core_terms(surveys)))
    mof = "\n".join(f'    <field index="{i + 1}" term="{DWC}{t}"/>' for i, t in enumerate(MOF_TERMS))
    events = "\n".join(f'    <field index="{i + 1}" term="{DWC}{t}"/>' for i, t in enumerate(EVENT_TERMS))
    event_extension = f"""
  <extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="{DWC}Event">
    <files><location>event.txt</location></files>
    <coreid index="0"/>
{events}
  </extension>""" if surveys else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">
  <core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="{DWC}Occurrence">
    <files><location>occurrence.txt</location></files>
    <id index="0"/>
{fields}
  </core>
  <extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="{DWC}MeasurementOrFact">
    <files><location>measurementorfact.txt</location></files>
    <coreid index="0"/>
{mof}
  </extension>{event_extension}
</archive>
"""


def eml_xml(forms: Sequence[AccessionPublic], institutions, license_uri: str, title: str) -> str:
    used = {p.instcode for p in forms}
    contacts = []
    for inst in institutions:
        if inst.code not in used:
            continue
        address = f"<address><deliveryPoint>{escape(inst.address)}</deliveryPoint><country>VN</country></address>" \
            if inst.address else ""
        url = f"<onlineUrl>{escape(inst.website)}</onlineUrl>" if inst.website else ""
        contacts.append(f"<organizationName>{escape(inst.name_en)}</organizationName>{address}{url}")
    people = "\n".join(f"    <creator>{c}</creator>" for c in contacts)
    contact = "\n".join(f"    <contact>{c}</contact>" for c in contacts)
    lats = [p.declatitude for p in forms if p.declatitude is not None]
    lons = [p.declongitude for p in forms if p.declongitude is not None]
    years = sorted(p.colldate[:4] for p in forms if p.colldate)
    geo = (f"""      <geographicCoverage>
        <geographicDescription>Cần Thơ, Viet Nam (published coordinates; sensitive records generalised or withheld)</geographicDescription>
        <boundingCoordinates><westBoundingCoordinate>{min(lons)}</westBoundingCoordinate><eastBoundingCoordinate>{max(lons)}</eastBoundingCoordinate><northBoundingCoordinate>{max(lats)}</northBoundingCoordinate><southBoundingCoordinate>{min(lats)}</southBoundingCoordinate></boundingCoordinates>
      </geographicCoverage>
""" if lats else "")
    temporal = (f"""      <temporalCoverage><rangeOfDates><beginDate><calendarDate>{years[0]}</calendarDate></beginDate><endDate><calendarDate>{years[-1]}</calendarDate></endDate></rangeOfDates></temporalCoverage>
""" if years else "")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<eml:eml xmlns:eml="eml://ecoinformatics.org/eml-2.1.1" packageId="genbank-registry" system="genbank-registry" xml:lang="vi">
  <dataset>
    <title xml:lang="en">{escape(title)}</title>
{people}
    <abstract><para>{escape(f"{len(forms)} published accessions of the gene bank and biological resource registry of Cần Thơ city's gene fund (Decision 53/QĐ-UBND, 2021). Coordinates of sensitive taxa are generalised or withheld and donors' personal data are left out (see dataGeneralizations and informationWithheld per record).")}</para></abstract>
    <intellectualRights><para>This work is licensed under <ulink url={quoteattr(license_uri)}><citetitle>{escape(license_uri)}</citetitle></ulink>.</para></intellectualRights>
    <coverage>
{geo}{temporal}    </coverage>
{contact}
  </dataset>
</eml:eml>
"""


def write_archive(forms: Sequence[AccessionPublic], institutions, target: Path | BinaryIO, *,
                  license_uri: str = DEFAULT_LICENSE,
                  title: str = "Cơ sở dữ liệu nguồn gen TP. Cần Thơ / Can Tho gene fund registry",
                  surveys: Sequence[dict] = ()) -> None:
    """The archive into a file (written beside and renamed when done) or a binary stream (a web download).
    `surveys`: public survey rows (surveys.export) to include with their sampling events."""
    if not isinstance(target, (str, Path)):
        _write_zip(forms, institutions, target, license_uri, title, surveys)
        return
    path = Path(target)
    tmp = path.with_name(path.name + ".part")
    _write_zip(forms, institutions, tmp, license_uri, title, surveys)
    tmp.replace(path)


def _write_zip(forms, institutions, target, license_uri: str, title: str, surveys: Sequence[dict]) -> None:
    occurrences = [occurrence_row(p, license_uri) for p in forms]
    occurrences += [survey_occurrence_row(r, license_uri) for r in surveys]
    mof = [{"id": occurrence_id(p), "measurementType": c.descriptor, "measurementValue": c.value,
            "measurementUnit": c.unit or "", "measurementMethod": c.method or "",
            "measurementDeterminedDate": c.observed_on.isoformat() if c.observed_on else "",
            "measurementRemarks": c.level}
           for p in forms for c in p.characterizations]
    files = [("meta.xml", meta_xml(bool(surveys))), ("eml.xml", eml_xml(forms, institutions, license_uri, title)),
             ("occurrence.txt", _tsv(occurrences, [t for t, _ in core_terms(bool(surveys))])),
             ("measurementorfact.txt", _tsv(mof, ["id", *MOF_TERMS]))]
    if surveys:
        files.append(("event.txt", _tsv([event_row(r) for r in surveys], ["id", *EVENT_TERMS])))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in files:
            info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))  # fixed: identical data, identical zip
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))

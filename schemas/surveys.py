"""Biodiversity survey contracts after Darwin Core's Event core and Occurrence extension.

Stored fields are the Darwin Core terms in snake case (`eventID` → `event_id`); `SurveyRow`, one row of the
CSV template (one taxon in one sampling event), reads the Darwin Core term names themselves, so the CSV
template and a Darwin Core Archive's Event core + Occurrence extension validate through the same class.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import AliasChoices, ConfigDict, field_validator, model_validator
from sqlmodel import Field, SQLModel

from .messages import N_
from .places import DISTRICTS, VIET_NAM_BBOX
from .text import fold, nfc


class OccurrenceStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"


# The CSV template's columns, in order: Darwin Core term names (shared/standards/darwin-core.md).
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "eventID", "eventDate", "locationID", "decimalLatitude", "decimalLongitude", "county", "municipality",
    "habitat", "samplingProtocol", "sampleSizeValue", "sampleSizeUnit", "scientificName", "vernacularName",
    "individualCount", "occurrenceStatus",
)
OPTIONAL_COLUMNS = frozenset({"vernacularName"})

# What each column means, for the downloadable template and its documentation.
# Messages (str): the CLI and the template show the English, the web translates them.
TEMPLATE_HELP: dict[str, str] = {
    "eventID": N_("one sampling event (a visit to a site with one protocol); the same on every row of the event"),
    "eventDate": N_("date of the event: YYYY-MM-DD or dd/mm/yyyy"),
    "locationID": N_("the survey site's own code, the same on every visit (e.g. CT-917-02)"),
    "decimalLatitude": N_("WGS84 decimal degrees, north positive (e.g. 10.1268)"),
    "decimalLongitude": N_("WGS84 decimal degrees, east positive (e.g. 105.6332)"),
    "county": N_("the district as recorded (before 01/07/2025: quận/huyện, e.g. Ô Môn)"),
    "municipality": N_("the commune or ward as recorded (xã/phường, e.g. Thới An)"),
    "habitat": N_("e.g. rice field, canal, orchard, mangrove"),
    "samplingProtocol": N_("method, e.g. cast net, point count, transect"),
    "sampleSizeValue": N_("sampling effort as a number (e.g. 2)"),
    "sampleSizeUnit": N_("unit of the effort (e.g. hour, net haul, m2)"),
    "scientificName": N_("the taxon's scientific name without authorship"),
    "vernacularName": N_("optional local name (e.g. Cá lóc)"),
    "individualCount": N_("individuals counted (0 when absent)"),
    "occurrenceStatus": N_("present or absent"),
}

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ADMIN_PREFIX = re.compile(r"^(quan|huyen|thi xa|thanh pho|tp\.?)\s+")


def parse_event_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        if _ISO.match(text):
            day = dt.date.fromisoformat(text)
        elif m := _VN.match(text):
            day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        else:
            raise ValueError
    except ValueError:
        raise ValueError(N_("eventDate %(value)s is not a date: write YYYY-MM-DD (2024-03-17) or dd/mm/yyyy "
                            "(17/03/2024)", value=repr(text))) from None
    if day > dt.date.today():
        raise ValueError(N_("eventDate %(value)s is in the future", value=repr(text)))
    return day


@lru_cache(maxsize=4096)
def district_code_for(county: str | None) -> str | None:
    """The historical district's GSO code for a county name as people write it ('quận Ô Môn', 'O Mon', '917')."""
    if not county:
        return None
    key = _ADMIN_PREFIX.sub("", fold(county))
    for code, d in DISTRICTS.items():
        if key in (code, fold(d.name_vi)):
            return code
    return None


def _blank_to_none(value):
    return None if isinstance(value, str) and value.strip() == "" else value


class SamplingEventBase(SQLModel):
    event_id: str = Field(max_length=120, index=True, unique=True, description="dwc:eventID")
    event_date: dt.date = Field(description="dwc:eventDate (a single day)")
    year: int = Field(index=True, description="year of event_date, for grouping")
    location_id: str = Field(max_length=120, index=True, description="dwc:locationID, the survey site")
    decimal_latitude: float | None = None
    decimal_longitude: float | None = None
    county: str | None = Field(default=None, max_length=120, description="district as recorded")
    municipality: str | None = Field(default=None, max_length=120, description="commune or ward as recorded")
    admin_unit_recorded_on: dt.date | None = Field(default=None, description="when the unit was recorded")
    district_code: str | None = Field(default=None, max_length=10, index=True,
                                      description="GSO code of the historical district (before 01/07/2025)")
    habitat: str | None = Field(default=None, max_length=200)
    sampling_protocol: str | None = Field(default=None, max_length=300)
    sample_size_value: float | None = Field(default=None, description="sampling effort")
    sample_size_unit: str | None = Field(default=None, max_length=60)


class OccurrenceBase(SQLModel):
    scientific_name: str = Field(max_length=300, description="dwc:scientificName as recorded")
    vernacular_name: str | None = Field(default=None, max_length=300)
    individual_count: int | None = Field(default=None, description="dwc:individualCount")
    organism_quantity: float | None = Field(default=None, description="dwc:organismQuantity")
    organism_quantity_type: str | None = Field(default=None, max_length=60)
    occurrence_status: str = Field(default=OccurrenceStatus.PRESENT, max_length=10)


MAX_COUNT = 2**31 - 1  # individualCount is a 32-bit integer column on PostgreSQL
# The stored columns' lengths, checked on the row so that a long value is a row's problem, not a database error.
_MAX_LENGTHS = {name: meta.max_length for base in (SamplingEventBase, OccurrenceBase)
                for name, info in base.model_fields.items() for meta in info.metadata
                if getattr(meta, "max_length", None)}


def _alias(term: str, default: Any = ...):
    return Field(default=default, validation_alias=AliasChoices(term, _snake(term)))


def _snake(term: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", term).lower().replace("_i_d", "_id")


class SurveyRow(SQLModel):
    """One template row (one taxon in one sampling event), validated; accepts DwC term names or snake case."""

    model_config = ConfigDict(populate_by_name=True)

    event_id: str = _alias("eventID")
    event_date: dt.date = _alias("eventDate")
    location_id: str = _alias("locationID")
    decimal_latitude: float | None = _alias("decimalLatitude", None)
    decimal_longitude: float | None = _alias("decimalLongitude", None)
    county: str | None = _alias("county", None)
    municipality: str | None = _alias("municipality", None)
    habitat: str | None = _alias("habitat", None)
    sampling_protocol: str | None = _alias("samplingProtocol", None)
    sample_size_value: float | None = _alias("sampleSizeValue", None)
    sample_size_unit: str | None = _alias("sampleSizeUnit", None)
    scientific_name: str = _alias("scientificName")
    vernacular_name: str | None = _alias("vernacularName", None)
    individual_count: int | None = _alias("individualCount", None)
    organism_quantity: float | None = _alias("organismQuantity", None)
    organism_quantity_type: str | None = _alias("organismQuantityType", None)
    occurrence_status: str = _alias("occurrenceStatus")

    @field_validator("*", mode="before")
    @classmethod
    def _blanks(cls, v):
        if isinstance(v, str) and "\x00" in v:  # PostgreSQL stores no NUL; it is damage, not data
            raise ValueError(N_("contains a NUL character (\\x00): the file is damaged or not text; save it again "
                                "as CSV UTF-8"))
        return _blank_to_none(v)

    @field_validator("*")
    @classmethod
    def _fits(cls, v, info):
        limit = _MAX_LENGTHS.get(info.field_name)
        if isinstance(v, str) and limit and len(v) > limit:
            raise ValueError(N_("%(field)s is %(n)s characters long; at most %(limit)s are kept",
                                field=info.field_name, n=len(v), limit=limit))
        return v

    @field_validator("event_date", mode="before")
    @classmethod
    def _date(cls, v):
        return parse_event_date(v)

    @field_validator("event_id", "location_id", "scientific_name")
    @classmethod
    def _required(cls, v, info):
        v = " ".join(nfc(str(v)).split())
        if not v:
            raise ValueError(N_("%(field)s is empty", field=info.field_name))
        return v

    @field_validator("county", "municipality", "habitat", "sampling_protocol", "sample_size_unit",
                     "vernacular_name", "organism_quantity_type")
    @classmethod
    def _text(cls, v):
        return " ".join(nfc(v).split()) if isinstance(v, str) else v

    @field_validator("individual_count", mode="before")
    @classmethod
    def _count(cls, v):
        if v is None:
            return None
        try:
            number = float(str(v).strip())
        except ValueError:
            raise ValueError(N_("individualCount %(value)s is not a number: write a whole number such as 12",
                                value=repr(v))) from None
        if not math.isfinite(number) or number < 0 or number != int(number):
            raise ValueError(N_("individualCount %(value)s must be a whole number ≥ 0", value=repr(v)))
        if number > MAX_COUNT:
            raise ValueError(N_("individualCount %(value)s is too large: at most %(n)s individuals",
                                value=repr(v), n=MAX_COUNT))
        return int(number)

    @field_validator("sample_size_value")
    @classmethod
    def _effort(cls, v):
        if v is not None and v <= 0:
            raise ValueError(N_("sampleSizeValue %(value)s must be positive (the effort spent, e.g. 2 hours)",
                                value=str(v)))
        return v

    @field_validator("occurrence_status", mode="before")
    @classmethod
    def _status(cls, v):
        text = str(v or "").strip().lower()
        if text not in (OccurrenceStatus.PRESENT, OccurrenceStatus.ABSENT):
            raise ValueError(N_("occurrenceStatus %(value)s is not allowed; write present or absent", value=repr(v)))
        return text

    @field_validator("decimal_latitude")
    @classmethod
    def _lat(cls, v):
        if v is not None and not VIET_NAM_BBOX[1] <= v <= VIET_NAM_BBOX[3]:
            raise ValueError(N_("decimalLatitude %(value)s is outside Viet Nam (about 8.2–23.4); check the sign "
                                "and order", value=str(v)))
        return v

    @field_validator("decimal_longitude")
    @classmethod
    def _lon(cls, v):
        if v is not None and not VIET_NAM_BBOX[0] <= v <= VIET_NAM_BBOX[2]:
            raise ValueError(N_("decimalLongitude %(value)s is outside Viet Nam (about 102.1–117.8); check latitude "
                                "and longitude are not swapped", value=str(v)))
        return v

    @model_validator(mode="after")
    def _consistent(self):
        if (self.decimal_latitude is None) != (self.decimal_longitude is None):
            raise ValueError(N_("decimalLatitude and decimalLongitude go together: give both or neither"))
        if self.occurrence_status == OccurrenceStatus.PRESENT and not self.individual_count \
                and self.organism_quantity is None:
            raise ValueError(N_("a present taxon needs individualCount ≥ 1 (diversity indices need counts); "
                                "write absent if it was not seen"))
        if self.occurrence_status == OccurrenceStatus.ABSENT and self.individual_count:
            raise ValueError(N_("occurrenceStatus is absent but individualCount is %(n)s; write present or a count "
                                "of 0", n=self.individual_count))
        code = district_code_for(self.county)
        if self.county and code is None:
            raise ValueError(N_("county %(value)s is not one of Cần Thơ's 9 historical districts; allowed: "
                                "%(allowed)s", value=repr(self.county),
                                allowed=", ".join(d.name_vi for d in DISTRICTS.values())))
        if code and self.decimal_latitude is not None \
                and not DISTRICTS[code].contains(self.decimal_latitude, self.decimal_longitude):
            raise ValueError(N_("the point %(lat)s, %(lon)s lies outside %(district)s; check the coordinates or "
                                "the county", lat=str(self.decimal_latitude), lon=str(self.decimal_longitude),
                                district=DISTRICTS[code].name_vi))
        return self

    def event(self) -> dict:
        """The sampling event's stored fields."""
        code = district_code_for(self.county)
        if code is None and self.decimal_latitude is not None:
            code = next((c for c, d in DISTRICTS.items()
                         if d.contains(self.decimal_latitude, self.decimal_longitude)), None)
        return {"event_id": self.event_id, "event_date": self.event_date, "year": self.event_date.year,
                "location_id": self.location_id, "decimal_latitude": self.decimal_latitude,
                "decimal_longitude": self.decimal_longitude, "county": self.county,
                "municipality": self.municipality,
                "admin_unit_recorded_on": self.event_date if (self.county or self.municipality) else None,
                "district_code": code, "habitat": self.habitat, "sampling_protocol": self.sampling_protocol,
                "sample_size_value": self.sample_size_value, "sample_size_unit": self.sample_size_unit}

    def occurrence(self) -> dict:
        count = self.individual_count
        if self.occurrence_status == OccurrenceStatus.ABSENT:
            count = 0
        return {"scientific_name": self.scientific_name, "vernacular_name": self.vernacular_name,
                "individual_count": count, "organism_quantity": self.organism_quantity,
                "organism_quantity_type": self.organism_quantity_type,
                "occurrence_status": self.occurrence_status}


# --- reports ----------------------------------------------------------------------------------------

class GroupBy(StrEnum):
    DISTRICT = "district"
    COMMUNE = "commune"
    SITE = "site"
    HABITAT = "habitat"
    YEAR = "year"


INDEX_NAMES: tuple[str, ...] = ("richness", "shannon", "simpson", "inverse_simpson", "pielou", "chao1",
                                "goods_coverage")


class DiversityRowPublic(SQLModel):
    key: str
    label: str
    events: int
    individuals: int
    effort: float | None = None
    effort_unit: str | None = None
    richness: int
    shannon: float | None = None
    simpson: float | None = None
    inverse_simpson: float | None = None
    pielou: float | None = None
    chao1: float | None = None
    chao1_lower: float | None = None
    chao1_upper: float | None = None
    goods_coverage: float | None = None


class RarefactionPointPublic(SQLModel):
    individuals: int
    richness: float
    lower: float
    upper: float


class DiversityReportPublic(SQLModel):
    by: str
    year: int | None = None
    log_base: str = "e"
    groups: list[DiversityRowPublic] = []
    bray_curtis: list[list[float]] = []
    jaccard: list[list[float]] = []
    pcoa: list[list[float]] = Field(default_factory=list, description="first two axes per group")
    pcoa_explained: list[float] = []
    rarefaction: dict[str, list[RarefactionPointPublic]] = {}
    rarefied_at: int | None = Field(default=None, description="the smallest group's individuals")
    rarefied_richness: dict[str, float] = {}
    warnings: list[str] = []
    warning_details: list[dict[str, str]] = Field(default_factory=list, description="kind and values of each warning")


class CoverageRowPublic(SQLModel):
    taxon_id: int
    scientific_name: str
    vernacular_vi: str | None = None
    statuses: list[str] = []
    survey_events: int = Field(description="present records of the taxon in surveys")
    accessions: int = Field(description="published accessions of the taxon, its synonyms or infraspecific taxa")


class CoverageReportPublic(SQLModel):
    threatened: int
    conserved: int
    percent: float | None = None
    taxa: list[CoverageRowPublic] = []

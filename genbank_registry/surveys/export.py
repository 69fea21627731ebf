"""Survey occurrences as the public may see them, for the Darwin Core export.

Each occurrence carries its sampling event as published: exact when no sensitive taxon was seen in that event;
otherwise the WHOLE event is generalised by the strictest category seen in it (`generalise_point`, the rule
accessions follow) for every one of its occurrences — an ordinary fish netted beside an endangered one would
otherwise give away the point, the date and the site. The commune is withheld from category 2 up, the district
too for category 1, and the event and site get an opaque identifier unrelated to the real one.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sqlmodel import Session, select

from schemas import codes

from genbank_registry.surveys.models import SamplingEvent, SurveyOccurrence
from genbank_registry.catalogue.public_form import generalise_point
from genbank_registry.catalogue.sensitivity import SensitivityResolver, strictest


def _reason(category: int) -> str:
    return f"a sensitive taxon (category {category}) was recorded in this sampling event"


def public_survey_rows(session: Session) -> Iterator[dict]:
    """One dict per survey occurrence: Darwin Core term → value (None when empty), in event order."""
    resolver = SensitivityResolver(session)
    event_category: dict[int, int | None] = {}
    for event_pk, taxon_id in session.exec(select(SurveyOccurrence.event_pk, SurveyOccurrence.taxon_id)):
        event_category[event_pk] = strictest(event_category.get(event_pk), resolver.taxon_category(taxon_id))
    stmt = (select(SurveyOccurrence, SamplingEvent).join(SamplingEvent, SurveyOccurrence.event_pk == SamplingEvent.id)
            .order_by(SamplingEvent.event_id, SurveyOccurrence.scientific_name))
    for occ, event in session.exec(stmt):
        category = event_category.get(event.id)
        row = {"eventDate": event.event_date.isoformat(), "scientificName": occ.scientific_name,
               "vernacularName": occ.vernacular_name, "individualCount": occ.individual_count,
               "organismQuantity": occ.organism_quantity, "organismQuantityType": occ.organism_quantity_type,
               "occurrenceStatus": occ.occurrence_status, "habitat": event.habitat,
               "samplingProtocol": event.sampling_protocol, "sampleSizeValue": event.sample_size_value,
               "sampleSizeUnit": event.sample_size_unit, "dataGeneralizations": None, "informationWithheld": None}
        if category is None:
            row.update(eventID=event.event_id, locationID=event.location_id, county=event.county,
                       municipality=event.municipality, decimalLatitude=event.decimal_latitude,
                       decimalLongitude=event.decimal_longitude, coordinateUncertaintyInMeters=None)
        else:
            row.update(_generalised(event, category))
        row["occurrenceID"] = f"urn:survey:{row['eventID']}:{occ.scientific_name}"
        yield row


def _generalised(event: SamplingEvent, category: int) -> dict:
    lat, lon, uncertainty = generalise_point(event.decimal_latitude, event.decimal_longitude, category)
    grid = codes.SENSITIVITY_GRID_DEGREES[category]
    # An opaque id: the same for every sensitive occurrence of one event and category, unrelated to the real one.
    opaque = hashlib.sha256(f"{event.event_id}|{category}".encode()).hexdigest()[:16]
    withheld = ["Sampling event and site not identified"]
    if category <= 2:
        withheld.append("commune")
    if category == 1:
        withheld.append("district and coordinates")
    generalised = (f"Coordinates generalised to the centre of a {grid}° grid cell ({_reason(category)})."
                   if lat is not None else None)
    return {"eventID": f"generalised:{opaque}",
            "locationID": f"generalised:{lat},{lon}" if lat is not None else "withheld",
            "county": event.county if category > 1 else None,
            "municipality": event.municipality if category > 2 else None,
            "decimalLatitude": lat, "decimalLongitude": lon, "coordinateUncertaintyInMeters": uncertainty,
            "dataGeneralizations": generalised,
            "informationWithheld": f"{', '.join(withheld)} ({_reason(category)}); ask the surveying institution "
                                   f"for access."}

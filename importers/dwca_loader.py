"""Loading a Darwin Core Archive: specimen occurrences become accessions (through the core's upsert, one
transaction per archive), MeasurementOrFact rows their characterization data.

Observations and survey events are parsed into row objects and counted; storing them needs the biodiversity
survey tables, which this module does not own (see docs/standards.md, "What is not wired yet").
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from genbank_registry.errors import InvalidRecord, NotFound
from genbank_registry.models import Accession, ImportBatch
from genbank_registry.services import catalogue
from schemas import codes
from schemas.catalogue import AccessionBase
from schemas.standards import DYNAMIC_FIELDS, EventRow, ImportProblem, OccurrenceRow

from .dwca import DwcaReader
from .loader import ImportResult, sha256_of, summary
from .registry_index import RegistryIndex

_ISO2_TO_ISO3 = {"VN": "VNM", "KH": "KHM", "LA": "LAO", "TH": "THA", "CN": "CHN", "PH": "PHL", "ID": "IDN",
                 "MY": "MYS", "MM": "MMR", "JP": "JPN", "IN": "IND", "US": "USA", "BE": "BEL", "NL": "NLD"}


def event_date_to_mcpd(value: str | None) -> str | None:
    """ISO 8601 (`2022-12-17`, `2022-12`, `2022`, or a range: its start) → MCPD `YYYYMMDD` with `--`."""
    if not value:
        return None
    start = value.split("/")[0].split("T")[0].strip()
    parts = start.split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4:
        raise ValueError(f"eventDate {value!r} is not an ISO 8601 date (YYYY-MM-DD)")
    if len(parts) == 1:
        return f"{parts[0]}----"
    month = parts[1].zfill(2)
    return f"{parts[0]}{month}--" if len(parts) == 2 else f"{parts[0]}{month}{parts[2][:2].zfill(2)}"


def occurrence_to_accession(occ: OccurrenceRow, index: RegistryIndex, publish: bool) -> dict:
    """The AccessionCreate input for a specimen occurrence."""
    extra = {}
    if occ.dynamic_properties:
        try:
            loaded = json.loads(occ.dynamic_properties)
            extra = {k: v for k, v in loaded.items() if k in DYNAMIC_FIELDS} if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            extra = {}
    name = occ.scientific_name or " ".join(p for p in (occ.genus, occ.specific_epithet) if p)
    if name and occ.scientific_name_authorship and name.endswith(occ.scientific_name_authorship):
        name = name[: -len(occ.scientific_name_authorship)].strip()
    data = {
        "instcode": occ.institution_code or "", "accenumb": occ.catalog_number or "",
        "taxon_name": name or None, "genus": occ.genus, "species": occ.specific_epithet,
        "collnumb": occ.record_number, "colldate": event_date_to_mcpd(occ.event_date),
        "collsite": occ.locality, "declatitude": occ.decimal_latitude, "declongitude": occ.decimal_longitude,
        "coorduncert": round(occ.coordinate_uncertainty_in_meters) if occ.coordinate_uncertainty_in_meters else None,
        "coorddatum": occ.geodetic_datum or "WGS84",  # the table's default: an empty term must not differ
        "elevation": occ.minimum_elevation_in_meters,
        "origcty": _ISO2_TO_ISO3.get((occ.country_code or "").upper(), None) if occ.country_code else None,
        "collector_names": occ.recorded_by,
        "publication_status": codes.PublicationStatus.PUBLISHED if publish else codes.PublicationStatus.DRAFT,
        "characterizations": [
            {"descriptor": m.measurement_type, "value": m.measurement_value, "unit": m.measurement_unit,
             "method": m.measurement_method, "observed_on": (m.measurement_determined_date or None),
             "level": m.measurement_remarks if m.measurement_remarks in {e.value for e in codes.EvaluationLevel}
             else codes.EvaluationLevel.CHARACTERISATION}
            for m in occ.measurements],
    }
    if "sensitivity_category" in extra:
        extra["sensitivity_override"] = extra.pop("sensitivity_category")
    data.update(extra)
    if not data.get("category"):
        hit = index.match(occ.genus, occ.specific_epithet, extra.get("subtaxa"))[0] if occ.genus else None
        data["category"] = index.infer_category(hit, data.get("sampstat"))
    return {k: v for k, v in data.items() if k in AccessionBase.model_fields or k in
            ("instcode", "taxon_name", "characterizations")}


def import_dwca(engine: Engine, path: Path | str, *, dry_run: bool = False, publish: bool = False,
                on_duplicate: str = "skip", progress: Callable[[int], None] | None = None) -> ImportResult:
    """Read the archive and store its specimens; the parsed observations and events are in `result.parsed`."""
    path = Path(path)
    result = ImportResult(source=path.name, format="dwca")
    observations: list[OccurrenceRow] = []
    events: list[EventRow] = []
    with DwcaReader(path) as archive, Session(engine, expire_on_commit=False) as session:
        index = RegistryIndex(session)
        for record in archive:
            result.rows += 1
            if progress:
                progress(1)
            if isinstance(record, EventRow):
                events.append(record)
                continue
            if not record.is_specimen:
                observations.append(record)
                continue
            try:
                data = occurrence_to_accession(record, index, publish)
                existing = _existing(session, index, data)
                if existing is not None and not publish:
                    data["publication_status"] = existing.publication_status  # a re-import never unpublishes
                savepoint = session.begin_nested()
                try:
                    _, outcome = catalogue.upsert_accession(session, data)
                except BaseException:
                    savepoint.rollback()  # this record only: the archive's other records stay
                    raise
                if outcome == "updated" and on_duplicate != "update":
                    savepoint.rollback()  # the registry's values stay; the archive's are reported
                    _duplicate(result, record, on_duplicate)
                    continue
                savepoint.commit()
                setattr(result, outcome, getattr(result, outcome) + 1)
            except (InvalidRecord, NotFound, ValueError) as exc:
                result.rejected += 1
                result.problems.append(_problem(record, exc))
        result.problems[:0] = archive.problems
        if observations or events:
            result.notes.append(
                f"{len(observations)} observations and {len(events)} sampling events "
                f"({sum(len(e.occurrences) for e in events)} occurrences) were read but not stored: the survey "
                f"tables are not part of this registry version yet.")
        result.parsed = {"observations": observations, "events": events}
        result.status = codes.ImportStatus.COMPLETED
        if dry_run:
            session.rollback()
            return result
        batch = ImportBatch(format="dwca", source_filename=path.name,
                            checksum=sha256_of(path) if path.is_file() else None, status=result.status,
                            added=result.added, updated=result.updated, unchanged=result.unchanged,
                            rejected=result.rejected, message=summary(result),
                            report={"title": archive.title, "notes": result.notes,
                                    "problems": [p.model_dump() for p in result.problems]})
        session.add(batch)
        session.commit()
        result.written, result.batch_id = True, batch.id
    return result


def _existing(session: Session, index: RegistryIndex, data: dict) -> Accession | None:
    inst_id = index.institutions.get((data.get("instcode") or "").strip().upper())
    if inst_id is None:
        return None
    return session.exec(select(Accession).where(Accession.institution_id == inst_id,
                                                Accession.accenumb == (data.get("accenumb") or "").strip())).first()


def _duplicate(result: ImportResult, record: OccurrenceRow, on_duplicate: str) -> None:
    fail = on_duplicate == "fail"
    if fail:
        result.rejected += 1
    else:
        result.skipped += 1
    result.problems.append(ImportProblem(
        row=record.line, column="catalogNumber", value=record.catalog_number or "",
        severity="error" if fail else "warning",
        problem="already in the registry with other values" + ("" if fail else "; left as it is"),
        suggestion="use --on-duplicate update to overwrite"))


def _problem(record: OccurrenceRow, exc: Exception) -> ImportProblem:
    if isinstance(exc, InvalidRecord):
        field, value, message = exc.problems[0]
        return ImportProblem(row=record.line, column=str(field), value=str(value or ""),
                             problem="; ".join(m for _, _, m in exc.problems),
                             suggestion="fix the occurrence row, or add what is missing to the registry first")
    return ImportProblem(row=record.line, column="occurrence", value=record.catalog_number or "",
                         problem=str(exc), suggestion="add the institution to the registry first"
                         if isinstance(exc, NotFound) else "fix the occurrence row")

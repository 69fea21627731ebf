"""Loading a Darwin Core Archive: specimen occurrences become accessions (through the core's upsert, one
transaction per archive), MeasurementOrFact rows their characterization data; sampling events with their
occurrences (and observations that name their event) become survey data through the survey loader. One import
batch records it all, also a refused archive.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from genbank_registry.accounts.audit import Actor
from genbank_registry.catalogue import records as catalogue
from genbank_registry.checksums import sha256_of
from genbank_registry.errors import InvalidRecord, NotFound
from genbank_registry.jobs.batches import finish_batch, open_batch, record_refused
from genbank_registry.models import Accession
from schemas import codes
from schemas.accessions import AccessionBase
from schemas.accounts import AuditVia, Role
from schemas.messages import N_, as_dict
from schemas.standards import DYNAMIC_FIELDS, EventRow, ImportProblem, OccurrenceRow
from schemas.surveys import district_code_for

from .base import Problem, nothing_stored
from .dwca import ArchiveError, DwcaReader
from .dwca_surveys import has_event, survey_rows
from .loader import ImportResult, summary
from .registry_index import RegistryIndex
from .survey_loader import LoadResult, load_rows

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
        # county and municipality as our export writes them (withheld there for sensitive taxa): the district's
        # name back to its code, the commune as written.
        "district_code": district_code_for(occ.county), "commune": occ.municipality,
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
                on_duplicate: str = "skip", progress: Callable[[int], None] | None = None,
                created_by: str | None = None) -> ImportResult:
    """Read the archive; store its specimens as accessions and its survey events and observations through the
    survey loader, all under one import batch. Everything read is also in `result.parsed`."""
    path = Path(path)
    result = ImportResult(source=path.name, format="dwca")
    observations: list[OccurrenceRow] = []
    events: list[EventRow] = []
    checksum = sha256_of(path) if path.is_file() else None
    try:
        archive = DwcaReader(path)
    except ArchiveError as exc:
        if not dry_run and path.exists():
            record_refused(engine, "dwca", path, str(exc), checksum, created_by)
        raise
    batch_id = None if dry_run else open_batch(engine, "dwca", path.name, checksum, created_by)
    actor = Actor(username=created_by or "system", role=Role.ADMIN, via=AuditVia.IMPORT, batch_id=batch_id)
    try:
        with archive, Session(engine, expire_on_commit=False) as session:
            index = RegistryIndex(session)
            for record in archive:
                result.rows += 1
                if progress:
                    progress(1)
                if isinstance(record, EventRow):
                    events.append(record)
                elif not record.is_specimen:
                    observations.append(record)
                else:
                    _specimen(session, index, record, result, publish, on_duplicate, actor)
            result.problems[:0] = archive.problems
            if dry_run:
                session.rollback()
            else:
                session.commit()
            occurrence_file = archive.occurrence_file
            title = archive.title
    except ArchiveError as exc:
        if batch_id is not None:
            finish_batch(engine, batch_id, codes.ImportStatus.FAILED, str(exc), {"problems": [], "notes": [str(exc)]})
        raise
    result.parsed = {"observations": observations, "events": events}
    surveys = _store_surveys(engine, path, events, observations, occurrence_file, result, dry_run, batch_id,
                             created_by)
    result.status = codes.ImportStatus.FAILED if surveys is not None and not surveys.ok else codes.ImportStatus.COMPLETED
    if surveys is not None and not surveys.ok:
        result.failure = N_("the archive's survey data has %(n)s problem(s): nothing of it was stored; fix them "
                            "and import the archive again", n=len(surveys.problems))
    else:
        result.failure = nothing_stored(result.stored, result.rejected, N_(
            "none of its %(n)s row(s) is a specimen, or a survey occurrence counted in a sampling event (eventID "
            "and eventDate)", n=result.rows) if result.rows else N_("its core data file has no rows"))
        if result.failure is not None:
            result.status = codes.ImportStatus.FAILED
    if dry_run:
        return result
    finish_batch(engine, batch_id, result.status, summary(result) if result.failure is None else str(result.failure),
                 {"title": title, "notes": result.notes, "problems": [p.model_dump() for p in result.problems],
                  "failure": as_dict(result.failure),
                  **({"survey": surveys.counts} if surveys is not None else {})},
                 counts=(result.added, result.updated, result.unchanged, result.rejected))
    result.written, result.batch_id = result.status == codes.ImportStatus.COMPLETED, batch_id
    return result


def _specimen(session: Session, index: RegistryIndex, record: OccurrenceRow, result: ImportResult, publish: bool,
              on_duplicate: str, actor: Actor) -> None:
    try:
        data = occurrence_to_accession(record, index, publish)
        existing = _existing(session, index, data)
        if existing is not None and not publish:
            data["publication_status"] = existing.publication_status  # a re-import never unpublishes
        savepoint = session.begin_nested()
        try:
            _, outcome = catalogue.upsert_accession(session, data, actor)
        except BaseException:
            savepoint.rollback()  # this record only: the archive's other records stay
            raise
        if outcome == "updated" and on_duplicate != "update":
            savepoint.rollback()  # the registry's values stay; the archive's are reported
            _duplicate(result, record, on_duplicate)
            return
        savepoint.commit()
        setattr(result, outcome, getattr(result, outcome) + 1)
    except (InvalidRecord, NotFound, ValueError) as exc:
        result.rejected += 1
        result.problems.append(_problem(record, exc))


def _store_surveys(engine: Engine, path: Path, events: list[EventRow], observations: list[OccurrenceRow],
                   occurrence_file: str, result: ImportResult, dry_run: bool, batch_id: int | None,
                   created_by: str | None) -> LoadResult | None:
    """Survey occurrences go through the survey loader (all or nothing, like a survey CSV); observations
    without a sampling event are counted and reported as not stored."""
    loose = [o for o in observations if not has_event(o)]
    if loose:
        result.notes.append(
            f"{len(loose)} observations were not stored: they name no sampling event (eventID and eventDate), "
            f"and the registry keeps observations only as survey occurrences counted in a sampling event. Add "
            f"eventID and eventDate (and locationID) to store them as survey data.")
    empty = [e.event_id for e in events if not e.occurrences]
    if empty:
        result.notes.append(f"{len(empty)} sampling event(s) without occurrences were not stored "
                            f"({', '.join(empty[:5])}): the registry stores a survey as taxa counted in events.")
    if any(e.measurements for e in events):
        result.notes.append("MeasurementOrFact rows of sampling events (e.g. water temperature) were not stored: "
                            "the registry keeps measurements for specimens only.")
    parsed = list(survey_rows(events, observations, f"{path.name}:{occurrence_file}"))
    if not parsed:
        return None
    if dry_run:
        problems = [p for item in parsed for p in item.problems]
        result.problems.extend(_as_import_problem(p) for p in problems)
        result.rejected += sum(1 for item in parsed if item.problems)
        return None
    loaded = load_rows(engine, parsed, source=path.name, fmt="dwca", created_by=created_by, batch_id=batch_id)
    result.problems.extend(_as_import_problem(p) for p in loaded.problems)
    result.rejected += loaded.counts["rejected"]
    if loaded.ok:
        for outcome in ("added", "updated", "unchanged"):
            setattr(result, outcome, getattr(result, outcome) + loaded.counts[outcome])
        result.notes.append(f"{len(parsed)} survey occurrences in {len(events) or len(parsed)} sampling "
                            f"event(s) stored as survey data (reports: genbank-registry report diversity).")
    else:
        result.notes.append(f"{len(parsed)} survey occurrences: nothing stored, {len(loaded.problems)} problem(s); "
                            f"a survey is stored whole, fix them and import the archive again.")
    return loaded


def _as_import_problem(p: Problem) -> ImportProblem:
    return ImportProblem(row=p.line, column=f"{p.file.split(':')[-1]}:{p.column}",
                         value="" if p.value is None else str(p.value), problem=p.message,
                         suggestion=N_("fix the value in the archive and import it again"))


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
        problem=N_("already in the registry with other values") if fail else
        N_("already in the registry with other values; left as it is"),
        suggestion=N_("use --on-duplicate update to overwrite")))


def _problem(record: OccurrenceRow, exc: Exception) -> ImportProblem:
    if isinstance(exc, InvalidRecord):
        field, value, message = exc.problems[0]
        return ImportProblem(row=record.line, column=str(field), value=str(value or ""),
                             problem="; ".join(m for _, _, m in exc.problems),
                             suggestion=N_("fix the occurrence row, or add what is missing to the registry first"))
    return ImportProblem(row=record.line, column="occurrence", value=record.catalog_number or "",
                         problem=str(exc), suggestion=N_("add the institution to the registry first")
                         if isinstance(exc, NotFound) else N_("fix the occurrence row"))

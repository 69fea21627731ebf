"""The survey CSV template: Darwin Core term names as columns, one row per taxon per sampling event.

Columns (schemas.surveys.TEMPLATE_COLUMNS): eventID, eventDate, locationID, decimalLatitude, decimalLongitude,
county, municipality, habitat, samplingProtocol, sampleSizeValue, sampleSizeUnit, scientificName,
vernacularName (optional), individualCount, occurrenceStatus. UTF-8 (with or without BOM), comma separated.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator

from pydantic import ValidationError

from schemas.messages import N_, validation_message
from schemas.surveys import OPTIONAL_COLUMNS, TEMPLATE_COLUMNS, TEMPLATE_HELP, SurveyRow

from .base import Parsed, Problem, RecordIterator, UnreadableFile

_TERM = {c: c for c in TEMPLATE_COLUMNS}
_TERM.update({"event_id": "eventID", "event_date": "eventDate", "location_id": "locationID",
              "decimal_latitude": "decimalLatitude", "decimal_longitude": "decimalLongitude",
              "sampling_protocol": "samplingProtocol", "sample_size_value": "sampleSizeValue",
              "sample_size_unit": "sampleSizeUnit", "scientific_name": "scientificName",
              "vernacular_name": "vernacularName", "individual_count": "individualCount",
              "occurrence_status": "occurrenceStatus"})


class SurveyCsvIterator(RecordIterator):
    format = "survey-csv"

    def _open(self):
        return open(self.path, encoding="utf-8-sig", newline="")

    def count(self) -> int:
        with self._open() as f:
            return max(sum(1 for _ in csv.reader(f)) - 1, 0)

    def parse(self) -> Iterator[Parsed]:
        name = self.path.name
        try:
            f = self._open()
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
        except UnicodeDecodeError:
            raise UnreadableFile(f"{name}: not UTF-8 text; save the sheet as 'CSV UTF-8 (comma delimited)'") from None
        with f:
            missing = [c for c in TEMPLATE_COLUMNS if c not in header and c not in OPTIONAL_COLUMNS]
            unknown = [c for c in header if c not in TEMPLATE_COLUMNS]
            if missing or unknown:
                raise UnreadableFile(
                    f"{name}, line 1 (header): " + (f"missing columns {', '.join(missing)}; " if missing else "")
                    + (f"unknown columns {', '.join(unknown)}; " if unknown else "")
                    + "use the template's column names exactly (genbank-registry report template)")
            reader.fieldnames = header
            row_number = 0
            line = 1
            try:
                for raw in reader:
                    row_number += 1
                    start, line = line + 1, reader.line_num
                    values = {k: v for k, v in raw.items() if k is not None}
                    if None in raw:
                        yield Parsed(row_number, start, problems=[Problem(
                            name, row_number, start, "(row)", ",".join(raw[None]),
                            f"{len(raw[None])} more value(s) than the {len(header)} columns; quote values that "
                            f"contain commas")])
                        continue
                    try:
                        yield Parsed(row_number, start, record=SurveyRow.model_validate(values))
                    except ValidationError as exc:
                        yield Parsed(row_number, start, problems=[
                            Problem(name, row_number, start, _column(err), _value(err, values), _message(err))
                            for err in exc.errors()])
            except UnicodeDecodeError:
                raise UnreadableFile(f"{name}, after line {line}: not UTF-8 text; save the sheet as "
                                     f"'CSV UTF-8 (comma delimited)'") from None
            except csv.Error as exc:
                raise UnreadableFile(f"{name}, line {reader.line_num}: {exc}; check the quotes") from None


def _column(err) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    return _TERM.get(loc[0], loc[0]) if loc else "(row)"


def _value(err, values: dict):
    column = _column(err)
    return values.get(column) if column in values else None


def _message(err) -> str:
    msg = validation_message(err)
    column = _column(err)
    help_ = TEMPLATE_HELP.get(column, "")
    if err.get("type") in ("float_parsing", "int_parsing", "float_type"):
        return N_("not a number; write digits with a dot for decimals (e.g. 10.1268). %(help)s", help=help_)
    if err.get("type") == "missing" or (err.get("input") is None and err.get("type", "").endswith("_type")):
        return N_("required; %(help)s", help=help_)
    return msg


def write_template(path, example: bool = True) -> None:
    """The template: the header, then two example rows of one event (delete them before filling in)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(TEMPLATE_COLUMNS)
        if example:
            event = ["CT-917-02-20240317", "2024-03-17", "CT-917-02", "10.1268", "105.6332", "Ô Môn", "Thới An",
                     "canal", "cast net", "2", "hour"]
            out.writerow(event + ["Channa striata", "Cá lóc", "7", "present"])
            out.writerow(event + ["Anabas testudineus", "Cá rô đồng", "0", "absent"])

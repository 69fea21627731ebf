"""Darwin Core Archives read with python-dwca-reader (which honours meta.xml: delimiters, quotes, encodings,
header lines, default values, extension row links), turned into `schemas.standards` row objects.

An Occurrence core yields `OccurrenceRow`s (MeasurementOrFact rows attached); an Event core yields `EventRow`s
with their Occurrence and MeasurementOrFact extension rows. A broken archive is refused with a message that
names the file and what to do (`ArchiveError`), or read in part with a warning for what was left out
(`DwcaReader.problems`).
"""
from __future__ import annotations

import csv
import os
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator

from dwca.exceptions import InvalidArchive, InvalidSimpleArchive
from dwca.read import DwCAReader

from schemas.messages import N_
from schemas.standards import EventRow, ImportProblem, MeasurementRow, OccurrenceRow

from .base import ReaderError, RecordReader

OCCURRENCE = "http://rs.tdwg.org/dwc/terms/Occurrence"
EVENT = "http://rs.tdwg.org/dwc/terms/Event"
MEASUREMENT_TYPES = ("http://rs.tdwg.org/dwc/terms/MeasurementOrFact",
                     "http://rs.iobis.org/obis/terms/ExtendedMeasurementOrFact")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class ArchiveError(ReaderError):
    """The archive is refused; the message names the archive, the file inside it and what to do."""


def short_term(term: str) -> str:
    return re.split(r"[/#]", term)[-1]


def _snake(term: str) -> str:
    return _CAMEL.sub("_", term).lower()


_OCC_FIELDS = set(OccurrenceRow.model_fields) - {"line", "measurements"}
_EVENT_FIELDS = set(EventRow.model_fields) - {"line", "occurrences", "measurements"}
_MOF_FIELDS = set(MeasurementRow.model_fields) - {"core_id"}
_NUMBER_FIELDS = {"decimal_latitude", "decimal_longitude", "coordinate_uncertainty_in_meters",
                  "minimum_elevation_in_meters", "sample_size_value"}


class DwcaReader(RecordReader):
    """Use as a context manager: `with DwcaReader(path) as archive: for row in archive: …`."""

    format_name = "dwca"

    def __init__(self, path):
        super().__init__(path)
        self.name = self.path.name
        self.problems: list[ImportProblem] = []
        if not self.path.exists():
            raise ArchiveError(f"{self.name}: no such file or directory")
        self._reader = self._open()
        try:
            self._check_encodings()
            self.core_type = self._core_type()
        except ArchiveError:
            self._reader.close()
            raise
        self.title = self._eml_text("dataset/title")
        self._extensions = {ext.file_descriptor.type: ext for ext in self._reader.extension_files}
        self.core_file = os.path.basename(self._reader.core_file_location or "core")
        occurrences = self._extensions.get(OCCURRENCE)
        # Where occurrence rows come from, for reports: the core file, or the Occurrence extension's file.
        self.occurrence_file = (os.path.basename(occurrences.file_descriptor.file_location) if occurrences
                                else self.core_file)

    # --- opening ------------------------------------------------------------------------------

    def _open(self) -> DwCAReader:
        try:
            return self._open_reader()
        except FileNotFoundError as exc:
            missing = os.path.basename(exc.filename or "") or "a data file"
            raise ArchiveError(f"{self.name}: meta.xml names {missing}, which is not in the archive; add the file, "
                               f"or correct its <location> in meta.xml") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            # NotImplementedError: zipfile meets a compression method it lacks (or damaged flags saying so)
            raise ArchiveError(f"{self.name}: the archive is damaged ({exc}); zip it again") from None
        except LookupError as exc:  # meta.xml declares an encoding Python does not know
            raise ArchiveError(f"{self.name}: meta.xml declares an unknown encoding ({exc}); write a real one, "
                               f"e.g. encoding=\"UTF-8\"") from None
        except (ValueError, AttributeError, TypeError) as exc:
            # python-dwca-reader parses meta.xml without checking it: a missing element or attribute, or a
            # number that is not one (index="x", ignoreHeaderLines="x"), surfaces as one of these.
            raise ArchiveError(f"{self.name}: meta.xml is malformed ({exc}); check its <core>, <files>, "
                               f"<location> and <field index=…> against the Darwin Core text guide, or "
                               f"re-export the archive") from None
        except csv.Error as exc:  # a single data file without meta.xml whose delimiter cannot be told
            raise ArchiveError(f"{self.name}: without meta.xml, the data file must be CSV or tab-separated with "
                               f"a header row of Darwin Core terms ({exc}); add a meta.xml describing it") from None

    def _open_reader(self) -> DwCAReader:
        try:
            return DwCAReader(str(self.path))
        except InvalidSimpleArchive:
            raise ArchiveError(self._simple_archive_message()) from None
        except InvalidArchive as exc:
            text = str(exc)
            if "referenced in the archive descriptor but missing" in text:
                missing = text.split(" is referenced")[0]
                self.problems.append(ImportProblem(
                    column="meta.xml", value=missing, severity="warning",
                    problem=N_("meta.xml names the metadata file %(file)s, which is not in the archive: read "
                               "without metadata (no title, licence or contacts)", file=missing),
                    suggestion=N_("add %(file)s to the archive, or remove the metadata attribute from meta.xml",
                                  file=missing)))
                try:
                    return DwCAReader(str(self.path), skip_metadata=True)
                except InvalidArchive as again:
                    raise ArchiveError(self._invalid_message(str(again))) from None
            raise ArchiveError(self._invalid_message(text)) from None
        except ET.ParseError as exc:
            raise ArchiveError(f"{self.name}: meta.xml or eml.xml is not well-formed XML ({exc}); fix the "
                               f"descriptor with an XML editor or re-export the archive") from None
        except UnicodeDecodeError as exc:
            raise ArchiveError(f"{self.name}: meta.xml is not in the encoding it declares ({exc.reason}); save it "
                               f"as UTF-8") from None

    def _simple_archive_message(self) -> str:
        files = sorted(f for f in _archive_listing(self.path) if not f.startswith("__MACOSX"))
        return (f"{self.name}: no meta.xml, and the archive holds several files ({', '.join(files)}); an archive "
                f"without meta.xml may only hold one data file (and eml.xml). Add a meta.xml describing the core "
                f"file, or remove the other files")

    def _invalid_message(self, text: str) -> str:
        if "path is not specified" in text:
            return (f"{self.name}: meta.xml declares an <extension> without <files><location>: the reader cannot "
                    f"tell which file holds its rows. Add the file name to the extension in meta.xml, or remove "
                    f"the extension")
        if "non-existent field" in text:
            index = re.search(r"index=(\d+)", text)
            return (f"{self.name}: meta.xml is malformed: it describes a field at index {index.group(1) if index else '?'}"
                    f" but the rows of its data file have fewer columns. Correct the field indexes in meta.xml "
                    f"(they count from 0) or add the missing column")
        if "zip nor" in text or "not a" in text.lower():
            return f"{self.name}: not a Darwin Core Archive (a .zip, a .tgz or a directory with meta.xml)"
        return f"{self.name}: not a valid Darwin Core Archive: {text}"

    def _check_encodings(self) -> None:
        """python-dwca-reader replaces undecodable bytes with U+FFFD; a wrong encoding would silently garble
        every Vietnamese name, so each data file is decoded strictly first and refused at the first bad line."""
        import codecs

        for data_file in [self._reader.core_file, *self._reader.extension_files]:
            descriptor = data_file.file_descriptor
            encoding = descriptor.file_encoding or "utf-8"
            decoder = codecs.getincrementaldecoder(encoding)()
            line = 1
            with open(data_file._file_path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        line += chunk[:exc.start].count(b"\n")
                        raise ArchiveError(
                            f"{self.name}: {descriptor.file_location} line {line} is not {encoding} as meta.xml "
                            f"declares (byte 0x{chunk[exc.start]:02x}); save the file as {encoding}, or declare its "
                            f"real encoding in meta.xml (e.g. encoding=\"windows-1252\")") from None
                    line += chunk.count(b"\n")

    def _orphan_problems(self) -> list[ImportProblem]:
        problems = []
        if not self._reader.extension_files:
            return problems
        try:
            found = self._reader.orphaned_extension_rows()
        except InvalidArchive as exc:
            raise ArchiveError(self._invalid_message(str(exc))) from None
        for location, orphans in found.items():
            if not orphans:
                continue
            lines = sorted(p + 2 for positions in orphans.values() for p in positions)
            problems.append(ImportProblem(
                column=location, value=", ".join(sorted(orphans)), severity="warning",
                problem=N_("%(n)s row(s) of %(file)s refer to core ids that do not exist (%(ids)s; line(s) "
                           "%(lines)s): left out", n=len(lines), file=location, ids=", ".join(sorted(orphans)),
                           lines=", ".join(map(str, lines))),
                suggestion=N_("correct the coreid column, or add the missing core rows")))
        return problems

    def _core_type(self) -> str:
        descriptor = self._reader.descriptor
        if descriptor is None:
            # A single CSV without meta.xml: its headers are the terms; GBIF treats it as occurrences.
            self.problems.append(ImportProblem(
                column="meta.xml", severity="warning",
                problem=N_("no meta.xml: the single data file was read with its header row as Darwin Core terms"),
                suggestion=N_("add a meta.xml to state the core type and the file's format")))
            return OCCURRENCE
        core = descriptor.core.type
        if core not in (OCCURRENCE, EVENT):
            orphans = " ".join(f"It also has orphaned extension rows: {p.problem.removesuffix(': left out')}."
                               for p in self._orphan_problems())
            raise ArchiveError(f"{self.name}: the core is {short_term(core or '?')} (e.g. a checklist); the registry "
                               f"imports archives whose core is Occurrence (specimens, observations) or Event "
                               f"(surveys). {orphans}".strip())
        return core

    def _eml_text(self, path: str) -> str | None:
        meta = self._reader.metadata
        if meta is None:
            return None
        found = meta.find(path) if meta.tag.endswith("eml") else meta.find(".//" + path.split("/")[-1])
        return found.text.strip() if found is not None and found.text else None

    # --- reading ------------------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._reader.close()

    def _line(self, row) -> int:
        return row.position + 1 + row.descriptor.lines_to_ignore

    def _build(self, model, fields: set[str], row, file_label: str, **extra):
        values = dict(extra)
        for term, value in row.data.items():
            name = _snake(short_term(term))
            if name == "id":
                continue
            if name == "measurement_i_d":
                continue
            name = name.replace("_i_d", "_id")
            if name not in fields or value in (None, ""):
                continue
            value = value.strip()
            if name in _NUMBER_FIELDS or name == "individual_count":
                try:
                    value = int(value) if name == "individual_count" else float(value)
                except ValueError:
                    self.problems.append(ImportProblem(
                        row=self._line(row), column=f"{file_label}:{short_term(term)}", value=value,
                        problem=N_("not a number: left empty"),
                        suggestion=N_("write digits, with '.' for decimals")))
                    continue
            values[name] = value
        return model.model_validate(values)

    def _data_rows(self, file_label: str, rows: Iterator) -> Iterator:
        try:
            yield from rows
        except UnicodeDecodeError as exc:
            encoding = exc.encoding
            raise ArchiveError(f"{self.name}: {file_label} is not in the encoding meta.xml declares ({encoding}: "
                               f"{exc.reason} at byte {exc.start}); save the file as {encoding} or declare its "
                               f"real encoding (e.g. encoding=\"windows-1252\") in meta.xml") from None
        except InvalidArchive as exc:
            raise ArchiveError(self._invalid_message(str(exc))) from None

    def _measurements(self, core_row) -> list[MeasurementRow]:
        out = []
        for ext in core_row.extensions:
            if ext.rowtype in MEASUREMENT_TYPES:
                out.append(self._build(MeasurementRow, _MOF_FIELDS, ext, "measurementorfact", core_id=core_row.id))
        return out

    def _merge_event(self, occ: OccurrenceRow, row) -> None:
        """An Event extension of an Occurrence core (our export's event.txt) describes the occurrence's
        sampling event: its terms fill what the occurrence row leaves empty."""
        for ext in row.extensions:
            if ext.rowtype == EVENT:
                event = self._build(OccurrenceRow, _OCC_FIELDS, ext, "event")
                for name in event.model_fields_set:
                    if getattr(occ, name) in (None, ""):
                        setattr(occ, name, getattr(event, name))

    def __iter__(self) -> Iterator[OccurrenceRow | EventRow]:
        # Extension rows are read as each core row's `extensions` are: their errors show here, not in the core's.
        return self._data_rows(self.core_file, self._records())

    def _records(self) -> Iterator[OccurrenceRow | EventRow]:
        core_label = self.core_file
        for row in self._data_rows(core_label, iter(self._reader)):
            if self.core_type == OCCURRENCE:
                occ = self._build(OccurrenceRow, _OCC_FIELDS, row, core_label, line=self._line(row))
                if not occ.occurrence_id and row.id:
                    occ.occurrence_id = row.id
                occ.measurements = self._measurements(row)
                self._merge_event(occ, row)
                yield occ
                continue
            event = self._build(EventRow, _EVENT_FIELDS, row, core_label, line=self._line(row),
                                event_id=row.data.get("http://rs.tdwg.org/dwc/terms/eventID") or row.id or "")
            for ext in row.extensions:
                if ext.rowtype == OCCURRENCE:
                    occ = self._build(OccurrenceRow, _OCC_FIELDS, ext, "occurrence", line=self._line(ext))
                    occ.event_id = occ.event_id or event.event_id
                    event.occurrences.append(occ)
            event.measurements = self._measurements(row)
            yield event
        self._report_orphans()

    def _report_orphans(self) -> None:
        self.problems.extend(self._orphan_problems())


def _archive_listing(path) -> list[str]:
    import tarfile
    import zipfile

    if os.path.isdir(path):
        return os.listdir(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return z.namelist()
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            return t.getnames()
    return []

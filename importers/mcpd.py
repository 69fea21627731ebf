"""MCPD v2.1 passport data: reading CSV/XLSX rows into validated `AccessionCreate`s. (Writing MCPD, from public
forms only, is the core's: genbank_registry.standards.mcpd_export.)

Validation works cell by cell so that every problem names the row, the column, the value, what is wrong and
what to write instead; the row then goes through `AccessionCreate`, the same contract every input path uses.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import lru_cache
from operator import itemgetter

from pydantic import ValidationError
from pydantic_core import SchemaValidator

from genbank_registry.standards.tabular import restore
from schemas import codes
from schemas.messages import Message, N_, validation_message
from schemas.accessions import AccessionCreate
from schemas.dates import normalize_partial_date
from schemas.places import VIET_NAM_BBOX
from schemas.standards import ALL_COLUMNS, CODE_LISTS, ImportProblem, column_for_header
from schemas.text import fold

from .base import RecordReader
from .registry_index import RegistryIndex
from .tables import Table, TableError

_DMS = {"LATITUDE": re.compile(r"^(\d{2})(\d{2}|--)(\d{2}|--)([NS])$"),
        "LONGITUDE": re.compile(r"^(\d{3})(\d{2}|--)(\d{2}|--)([EW])$")}
_DDMMYYYY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TRUE = {"1", "y", "yes", "true", "co", "có", "x"}
_FALSE = {"0", "n", "no", "false", "khong", "không", ""}
# The columns whose text goes straight to the accession field of the same (lower-case) name.
_TEXT_COLUMNS = ("PUID", "ACCENUMB", "COLLNUMB", "COLLCODE", "COLLNAME", "COLLINSTADDRESS", "COLLMISSID",
                 "GENUS", "SPECIES", "SPAUTHOR", "SUBTAXA", "SUBTAUTHOR", "CROPNAME", "ACCENAME", "ORIGCTY",
                 "COLLSITE", "COORDDATUM", "GEOREFMETH", "BREDCODE", "BREDNAME", "ANCEST", "DONORCODE",
                 "DONORNAME", "DONORNUMB", "OTHERNUMB", "DUPLSITE", "DUPLINSTNAME", "REMARKS")
ELEVATION_RANGE = (-500.0, 9000.0)
_fold = lru_cache(maxsize=65536)(fold)


def _plain_validator(model):
    """`model`'s own pydantic validator, building instances as plain pydantic does. Otherwise pydantic hands
    each row to the __init__ SQLModel gives every model, which calls the validator again from Python: a tenth
    of the cost of each row of a bulk file. On non-table models the result is the same object. Falls back to
    the usual validator if the schema has another shape (a newer pydantic)."""
    def plain(node):
        if isinstance(node, dict):
            if node.get("type") == "model" and node.get("cls") is model:
                return {**node, "custom_init": False}
            return {k: plain(v) for k, v in node.items()}
        return [plain(v) for v in node] if isinstance(node, list) else node

    schema = model.__pydantic_core_schema__
    patched = plain(schema)
    if patched == schema:
        return model.__pydantic_validator__.validate_python
    return SchemaValidator(patched).validate_python


_VALIDATE = _plain_validator(AccessionCreate)
_CATEGORY_BY_NAME = {_fold(name): cat.value for cat in codes.Category
                     for name in (cat.value, codes.CATEGORY_LABELS[cat].vi, codes.CATEGORY_LABELS[cat].en)}


class ColumnMap:
    """Header cells → MCPD codes, with the problems a header row can have."""

    def __init__(self, headers: list[str]):
        self.index: dict[str, int] = {}
        self.problems: list[ImportProblem] = []
        self._getter = None
        for i, header in enumerate(headers):
            if not header.strip():
                continue
            code = column_for_header(header)
            if code is None:
                close = difflib.get_close_matches(header.strip().upper(), ALL_COLUMNS, n=1, cutoff=0.6)
                self.problems.append(ImportProblem(
                    row=1, column=header, value=header, severity="warning",
                    problem=N_("not an MCPD v2.1 column nor a known Vietnamese header: the column is ignored"),
                    suggestion=N_("did you mean %(name)s?", name=close[0]) if close else
                    N_("rename it to an MCPD code (see docs/standards.md)")))
            elif code in self.index:
                self.problems.append(ImportProblem(
                    row=1, column=header, value=header,
                    problem=N_("a second column for %(code)s (the first is column %(n)s)", code=code,
                               n=self.index[code] + 1),
                    suggestion=N_("keep one column per MCPD code")))
            else:
                self.index[code] = i

    @property
    def columns(self) -> set[str]:
        return set(self.index)

    def cells(self, values: list[str]) -> dict[str, str]:
        if self._getter is None:
            self._codes = list(self.index)
            self._width = max(self.index.values()) + 1
            self._getter = itemgetter(*self.index.values()) if len(self.index) > 1 else (lambda v: (v[0],))
        if len(values) < self._width:  # a short row: the missing cells are empty
            values = values + [""] * (self._width - len(values))
        return dict(zip(self._codes, self._getter(values)))


class McpdReader(RecordReader):
    """(row number, {MCPD code: text}) for each data row; `columns` holds the header's problems."""

    format_name = "mcpd"

    def __init__(self, path):
        super().__init__(path)
        self.table = Table(self.path)
        self._rows = self.table.rows()
        first = next(self._rows, None)
        if first is None:
            raise TableError(f"{self.path.name} is empty: the first row must hold the MCPD column codes")
        self.columns = ColumnMap(first[1])
        if "ACCENUMB" not in self.columns.index:
            raise TableError(f"{self.path.name}: no ACCENUMB column in the first row (found: "
                             f"{', '.join(h for h in first[1] if h) or 'nothing'}); the first row must hold MCPD "
                             f"codes or their Vietnamese names, e.g. ACCENUMB or 'Số đăng ký'")

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        cells = self.columns.cells
        for number, values in self._rows:
            if any(v[:1] == "'" for v in values):  # our export's quote before text a spreadsheet would run
                values = [restore(v) for v in values]
            yield number, cells(values)


def _float(text: str) -> float:
    return float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)


def dms_to_decimal(text: str, column: str) -> tuple[float, float]:
    """MCPD `DDMMSSH` / `DDDMMSSH` (`--` for unknown minutes or seconds) → (decimal degrees, precision)."""
    m = _DMS[column].match(text.strip().upper())
    if not m:
        raise ValueError
    deg, mins, secs, hemi = m.groups()
    value, precision = float(deg), 1.0
    if mins != "--":
        value, precision = value + int(mins) / 60, 1 / 60
        if secs != "--":
            value, precision = value + int(secs) / 3600, 1 / 3600
    if int(mins if mins != "--" else 0) >= 60 or int(secs if secs != "--" else 0) >= 60:
        raise ValueError
    return (-value if hemi in "SW" else value), precision


class PassportValidator:
    """Turns one row's cells into an `AccessionCreate`, collecting every problem it finds."""

    def __init__(self, index: RegistryIndex, columns: set[str], institution: str | None = None,
                 publish: bool = False):
        self.index = index
        self.columns = columns
        self.institution = institution.strip().upper() if institution else None
        self.publish = publish
        self.seen: dict[tuple[str, str], int] = {}
        self.taxon_ids: dict[tuple[str, str], int | None] = {}
        self.inferred_category: set[tuple[str, str]] = set()  # rows whose category was guessed, not given
        # Only the file's own columns are looked at on each row (a 100,000-row file repeats the loop each time).
        self._text_columns = [(c, c.lower()) for c in _TEXT_COLUMNS if c in columns]
        self._code_lists = [(c, t) for c, t in CODE_LISTS.items() if c in columns]
        self._codes_seen: dict[tuple[str, str], int | str] = {}  # valid code cells → their value

    def validate(self, row: int, cells: dict[str, str]) -> tuple[AccessionCreate | None, list[ImportProblem]]:
        problems: list[ImportProblem] = []

        def bad(column, value, problem, suggestion="", severity="error"):
            problems.append(ImportProblem(row=row, column=column, value=value or "", problem=problem,
                                          suggestion=suggestion, severity=severity))

        values: dict = {}
        for column, name in self._text_columns:
            text = cells[column]
            if text:
                values[name] = text
        if "ORIGCTY" in self.columns and not cells.get("ORIGCTY"):
            values["origcty"] = None

        instcode = (cells.get("INSTCODE") or self.institution or "").strip().upper()
        if not instcode:
            bad("INSTCODE", "", N_("no holding institute"), N_("add an INSTCODE column or pass --institution CODE"))
        elif instcode not in self.index.institutions:
            close = difflib.get_close_matches(instcode, list(self.index.institutions), n=1, cutoff=0.6)
            bad("INSTCODE", instcode, N_("this institute is not in the registry"),
                N_("did you mean %(name)s?", name=close[0]) if close else
                N_("add the institution first, or check the FAO WIEWS code"))
        values["instcode"] = instcode
        accenumb = cells.get("ACCENUMB", "")
        if not accenumb:
            bad("ACCENUMB", "", N_("empty: every accession needs its number within the institute"),
                N_("write the accession number, e.g. CAY-0001"))
        elif instcode:
            key = (instcode, accenumb)
            if key in self.seen:
                bad("ACCENUMB", accenumb, N_("duplicate of row %(row)s in this file", row=self.seen[key]),
                    N_("give each accession its own number, or delete one of the rows"))
            else:
                self.seen[key] = row

        for column, table in self._code_lists:
            text = cells[column]
            if text:
                known = self._codes_seen.get((column, text))
                if known is not None:
                    values[column.lower()] = known
                else:
                    self._codes(column, text, table, values, bad)
        for column in ("ACQDATE", "COLLDATE"):
            self._date(column, cells.get(column, ""), values, bad)
        self._coordinates(cells, values, bad)
        self._number("ELEVATION", cells.get("ELEVATION", ""), values, bad, ELEVATION_RANGE)
        self._number("COORDUNCERT", cells.get("COORDUNCERT", ""), values, bad, (0, 10_000_000), integer=True)
        historic = _fold(cells.get("HISTORIC", ""))
        if historic in _TRUE or historic in _FALSE:
            values["historic"] = historic in _TRUE
        else:
            bad("HISTORIC", cells["HISTORIC"], N_("not a yes/no value"), N_("write Y or N (or 1 / 0)"))

        sensitivity = cells.get("SENSITIVITY", "")
        if sensitivity:
            if sensitivity in ("1", "2", "3", "4"):
                values["sensitivity_override"] = int(sensitivity)
            else:
                bad("SENSITIVITY", sensitivity, N_("not a sensitivity category"),
                    N_("write 1 (coordinates withheld) … 4 (0.001° grid), or leave empty"))
        hit = self._taxon(cells, values, bad)
        self._category(cells.get("CATEGORY", ""), hit, values, bad)
        donorname = values.get("donorname")
        if donorname:
            # MCPD cannot say whether a donor is a person; unless it is an institute, treat it as personal data.
            values["donor_is_person"] = not (values.get("donorcode") or _fold(donorname) in self.index.institution_names)
        if self.publish:
            values["publication_status"] = codes.PublicationStatus.PUBLISHED
        if problems and any(p.severity == "error" for p in problems):
            return None, problems
        try:
            # pydantic's own validator: the same checks as AccessionCreate.model_validate, without SQLModel's
            # wrapper (a third of the cost, paid on every row of a 100,000-row file).
            data = _VALIDATE(values)
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err.get("loc") else ""
                column = field.upper() if field.upper() in ALL_COLUMNS else field or "(row)"
                bad(column, str(err.get("input") or ""), validation_message(err),
                    N_("see docs/standards.md for the allowed values"))
            return None, problems
        self.taxon_ids[(instcode, accenumb)] = hit.id if hit else None
        if not cells.get("CATEGORY"):
            self.inferred_category.add((instcode, accenumb))
        return data, problems

    # --- one check per kind of cell ----------------------------------------------------------------

    def _codes(self, column, text, table, values, bad):
        if not text:
            return
        parts = [p.strip() for p in text.split(";") if p.strip()] if column == "STORAGE" else [text]
        if column == "STORAGE" and "," in text:
            bad(column, text, N_("several codes must be separated by ';'"),
                N_("write %(value)s", value=text.replace(",", ";").replace(" ", "")))
            return
        good = []
        for part in parts:
            try:
                number = int(float(part))
            except (ValueError, OverflowError):  # not a number, or inf / 1e400
                number = None
            if number in table:
                good.append(str(number))
                continue
            by_label = [c for c, label in table.items() if fold(part) in (fold(label.vi), fold(label.en))]
            suggestion = (N_("did you mean %(name)s?", name=f"{by_label[0]} ({table[by_label[0]].vi} / "
                                                           f"{table[by_label[0]].en})")
                          if by_label else
                          N_("use a code of the MCPD v2.1 list: %(codes)s", codes=codes.allowed(table)))
            bad(column, text if len(parts) == 1 else part,
                N_("%(value)s is not a %(column)s code", value=repr(part), column=column), suggestion)
        if len(good) == len(parts):
            values[column.lower()] = self._codes_seen[(column, text)] = (
                ";".join(good) if column == "STORAGE" else int(good[0]))

    def _date(self, column, text, values, bad):
        if not text:
            return
        try:
            values[column.lower()] = normalize_partial_date(text, column)
        except ValueError as exc:
            m = _DDMMYYYY.match(text)
            hint = (N_("write %(value)s (YYYYMMDD)", value=f"{m.group(3)}{int(m.group(2)):02d}{int(m.group(1)):02d}")
                    if m else
                    N_("write YYYYMMDD with -- for an unknown month or day, e.g. 200503--"))
            said = exc.args[0] if exc.args else str(exc)
            problem = said.params.get("problem", said) if isinstance(said, Message) else str(said)
            bad(column, text, problem, hint)

    def _number(self, column, text, values, bad, bounds, integer=False):
        if not text:
            return
        try:
            number = _float(text)
        except ValueError:
            bad(column, text, N_("not a number"), N_("write digits only, e.g. 12 (metres), with '.' for decimals"))
            return
        if not bounds[0] <= number <= bounds[1]:
            bad(column, text, N_("outside %(low)s..%(high)s metres", low=f"{bounds[0]:g}", high=f"{bounds[1]:g}"),
                N_("check the unit: metres are expected"))
            return
        values[column.lower()] = round(number) if integer else number

    def _coordinates(self, cells, values, bad):
        decimal = {}
        for column, dms_column, limit in (("DECLATITUDE", "LATITUDE", 90), ("DECLONGITUDE", "LONGITUDE", 180)):
            text, dms = cells.get(column, ""), cells.get(dms_column, "")
            value = None
            if text:
                try:
                    value = _float(text)
                except ValueError:
                    bad(column, text, N_("not a decimal degree"), N_("write e.g. 10.0452 (north and east positive)"))
                if value is not None and not -limit <= value <= limit:
                    other = cells.get("DECLONGITUDE", "")
                    swapped = column == "DECLATITUDE" and other.replace(".", "", 1).isdigit() and float(other) <= 90
                    bad(column, text, N_("outside -%(limit)s..%(limit)s", limit=str(limit)),
                        N_("latitude and longitude look swapped: DECLATITUDE %(lat)s, DECLONGITUDE %(lon)s?",
                           lat=other, lon=text) if swapped
                        else N_("decimal degrees, WGS84 (north and east positive)"))
                    value = None
            if dms:
                try:
                    from_dms, precision = dms_to_decimal(dms, dms_column)
                except ValueError:
                    example = "100712N" if dms_column == "LATITUDE" else "1054530E"
                    bad(dms_column, dms, N_("not an MCPD degrees-minutes-seconds value"),
                        N_("write %(pattern)s, e.g. %(example)s",
                           pattern="DDMMSSH" if dms_column == "LATITUDE" else "DDDMMSSH", example=example))
                else:
                    if value is None and not text:
                        value = round(from_dms, 6)
                    elif value is not None and abs(value - from_dms) > precision + 0.0005:
                        bad(column, text, N_("does not agree with %(column)s %(dms)s (= %(value)s)", column=dms_column,
                                             dms=dms, value=f"{from_dms:.5f}"),
                            N_("correct one of the two; the difference is %(diff)s°",
                               diff=f"{abs(value - from_dms):.4f}"))
            decimal[column] = value
        lat, lon = decimal["DECLATITUDE"], decimal["DECLONGITUDE"]
        if (lat is None) != (lon is None) and (cells.get("DECLATITUDE") or cells.get("DECLONGITUDE")
                                              or cells.get("LATITUDE") or cells.get("LONGITUDE")):
            missing = "DECLONGITUDE" if lon is None else "DECLATITUDE"
            if not any(p for p in (cells.get(missing), cells.get(missing.removeprefix("DEC")))):
                bad(missing, "", N_("latitude and longitude go together"),
                    N_("fill %(column)s too, or empty both", column=missing))
            return
        if lat is None:
            return
        min_lon, min_lat, max_lon, max_lat = VIET_NAM_BBOX
        if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
            swapped = min_lat <= lon <= max_lat and min_lon <= lat <= max_lon
            bad("DECLATITUDE", f"{lat}, {lon}", N_("the point is outside Viet Nam"),
                N_("latitude and longitude look swapped") if swapped else N_("check the signs and the columns"),
                severity="error" if swapped else "warning")
        values["declatitude"], values["declongitude"] = lat, lon

    def _taxon(self, cells, values, bad):
        genus, species, subtaxa = cells.get("GENUS") or None, cells.get("SPECIES") or None, cells.get("SUBTAXA") or None
        if not genus:
            if species or subtaxa:
                bad("GENUS", "", N_("SPECIES or SUBTAXA given without GENUS"), N_("fill GENUS"))
            return None
        hit, note = self.index.match(genus, species, subtaxa)
        name = " ".join(p for p in (genus, species, subtaxa) if p)
        if hit is None:
            close = self.index.suggestions(genus, species, subtaxa)
            bad("GENUS+SPECIES", name, N_("no accepted name or synonym in the registry"),
                N_("did you mean %(name)s?", name=" or ".join(close)) if close else
                N_("add the taxon to the registry first"))
            return None
        if note:
            bad("SUBTAXA", subtaxa, note, N_("add the subtaxon to the registry to file it exactly"), severity="warning")
        if hit.synonym:
            bad("GENUS+SPECIES", name, N_("a synonym of %(name)s", name=hit.name),
                N_("filed under the accepted name %(name)s", name=hit.name),
                severity="warning")
        values["taxon_name"] = hit.name
        return hit

    def _category(self, text, hit, values, bad):
        if text:
            if _fold(text) in _CATEGORY_BY_NAME:
                values["category"] = _CATEGORY_BY_NAME[_fold(text)]
                return
            bad("CATEGORY", text, N_("not a registry category"),
                N_("use one of: %(codes)s", codes=codes.allowed(c.value for c in codes.Category)))
            return
        values["category"] = self.index.infer_category(hit, values.get("sampstat"))

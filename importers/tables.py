"""Spreadsheet rows as text, streamed: CSV in any common encoding and delimiter (BOM or not) and XLSX.

Curators' files come from Excel on Windows (cp1258 or windows-1252, `;` delimiters), LibreOffice (UTF-8, `,`)
and other registries (TSV): the reader guesses once from the file's start and then streams, so a 100,000-row
file is never held in memory.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path

from .base import ReaderError, without_nul

SAMPLE_BYTES = 256 * 1024
DELIMITERS = ",;\t|"


class TableError(ReaderError):
    """The file cannot be read as a table at all (wrong type, unreadable encoding, no header)."""


def detect_encoding(raw: bytes) -> str:
    """The encoding of a file's first bytes: BOMs first, then UTF-8, then charset-normalizer's best guess."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A sample may end inside a multi-byte character: ignore at most 3 trailing bytes.
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise TableError("the file is not text in any encoding we recognise; save it as CSV (UTF-8) or XLSX")
    return best.encoding


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        return max(DELIMITERS, key=header.count) if header else ","


def _cell_text(value) -> str:
    """An XLSX cell as the text a CSV would hold: 300.0 → '300', a date → 'YYYYMMDD'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y%m%d")
    return str(value).strip()


class Table:
    """Header and rows of a CSV or XLSX file. Rows are numbered as a spreadsheet shows them (header = 1)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.exists():
            raise TableError(f"{self.path}: no such file")
        self.kind = "xlsx" if self.path.suffix.lower() in (".xlsx", ".xlsm") else "csv"
        self.encoding: str | None = None
        self.delimiter: str | None = None
        if self.kind == "csv":
            with open(self.path, "rb") as f:
                raw = f.read(SAMPLE_BYTES)
            if raw.startswith(b"PK\x03\x04"):
                raise TableError(f"{self.path.name} is a zip file (an XLSX saved as .csv?): rename it to .xlsx")
            self.encoding = detect_encoding(raw)
            self.delimiter = detect_delimiter(raw.decode(self.encoding, errors="ignore"))

    def estimate_rows(self) -> int | None:
        """Data rows, roughly (for a progress bar's ETA): newlines in a CSV, the sheet's dimension in an XLSX."""
        if self.kind == "csv":
            with open(self.path, "rb") as f:
                return max(sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1, 0)
        from openpyxl import load_workbook

        try:
            wb = load_workbook(self.path, read_only=True)
        except Exception:  # noqa: BLE001 - unreadable: rows() reports why; the bar just has no total
            return None
        try:
            return max((wb.worksheets[0].max_row or 1) - 1, 0)
        finally:
            wb.close()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) including the header row as row 1; empty rows are skipped."""
        source = self._xlsx_rows() if self.kind == "xlsx" else self._csv_rows()
        for number, cells in source:
            if any(cells):  # both sources strip every cell
                yield number, cells

    def _csv_rows(self):
        with open(self.path, encoding=self.encoding, newline="") as f:
            number = 0
            try:
                for number, cells in enumerate(csv.reader(map(without_nul, f), delimiter=self.delimiter), start=1):
                    yield number, list(map(str.strip, cells))
            except UnicodeDecodeError as exc:
                raise TableError(f"{self.path.name}: after row {number} the file is not {self.encoding} "
                                 f"({exc.reason} at byte {exc.start}); save the whole file as CSV UTF-8") from None
            except csv.Error as exc:  # a cell over the csv module's size limit (an unclosed quote, usually)
                raise TableError(f"{self.path.name}: row {number + 1} cannot be read as CSV ({exc}); look for a "
                                 f"quote (\") that is opened and never closed") from None

    def _xlsx_rows(self):
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException
        from zipfile import BadZipFile

        try:
            wb = load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, BadZipFile, KeyError, OSError, EOFError, zlib.error, ET.ParseError) as exc:
            raise TableError(f"{self.path.name} is not a readable XLSX workbook ({exc}); save it again from "
                             f"the spreadsheet program as .xlsx or as CSV UTF-8") from None
        number = 0
        try:
            ws = wb.worksheets[0]
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        except (zlib.error, ET.ParseError, BadZipFile, EOFError, KeyError, ValueError) as exc:
            # Read-only workbooks are read as they are iterated: a damaged sheet shows only here.
            raise TableError(f"{self.path.name}: the workbook is damaged after row {number} ({exc}); save it again "
                             f"from the spreadsheet program as .xlsx or as CSV UTF-8") from None
        finally:
            wb.close()

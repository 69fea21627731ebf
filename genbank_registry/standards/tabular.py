"""Tables as CSV and XLSX downloads: one (header, rows) pair per table, the same for the web and the CLI; and the
rule every CSV and XLSX export applies to its text cells (`neutralise`) against spreadsheet formula injection."""
from __future__ import annotations

import csv
import io
import re

Table = tuple[list[str], list[list]]

# OWASP's CSV injection rule: a spreadsheet reads a cell starting with one of these as a formula
# (=HYPERLINK(…) sends the reader to any site, +1+1 and -1+1 are evaluated, @SUM(…) is Lotus syntax).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Text a spreadsheet would run, or that already carries our quotes before such text: one more quote, so that
# `restore` can tell our quote from one the text had.
_NEUTRALISED = re.compile("'*[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def neutralise(value):
    """A text cell as a spreadsheet may safely open it: text starting with a formula trigger gets a leading
    single quote ("=HYPERLINK(…)" → "'=HYPERLINK(…)"), and so does text that looks like a number written as
    text ("-12" as a string: a spreadsheet would not compute it but a quoted cell is never a formula). Numbers
    (int, float, Decimal) and everything else are returned unchanged, so they stay numbers."""
    if isinstance(value, str) and _NEUTRALISED.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text `neutralise` was given: the importers of our own exports (MCPD) strip the quote it added, only
    where the rest starts with a trigger (or with quotes before one)."""
    if text[:1] == "'" and _NEUTRALISED.match(text, 1):
        return text[1:]
    return text


def _cell(value):
    if isinstance(value, float):
        return round(value, 6)
    return neutralise(value)


def to_csv(table: Table) -> str:
    """UTF-8 CSV text; the caller adds a BOM for spreadsheets that need one to read Vietnamese."""
    header, rows = table
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow([neutralise(h) for h in header])  # a matrix's header holds its groups' labels
    out.writerows([["" if v is None else _cell(v) for v in row] for row in rows])
    return buf.getvalue()


def to_xlsx(tables: dict[str, Table]) -> bytes:
    """One worksheet per table, header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    for name, (header, rows) in tables.items():
        ws = wb.create_sheet(title=name[:31])  # Excel's limit on sheet names
        ws.append([neutralise(h) for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for row in rows:
            ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

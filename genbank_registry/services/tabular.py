"""Tables as CSV and XLSX downloads: one (header, rows) pair per table, the same for the web and the CLI."""
from __future__ import annotations

import csv
import io

Table = tuple[list[str], list[list]]


def _cell(value):
    if isinstance(value, float):
        return round(value, 6)
    return value


def to_csv(table: Table) -> str:
    """UTF-8 CSV text; the caller adds a BOM for spreadsheets that need one to read Vietnamese."""
    header, rows = table
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(header)
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
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for row in rows:
            ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

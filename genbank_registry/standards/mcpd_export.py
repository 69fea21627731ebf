"""Writing MCPD v2.1: published accessions as MCPD CSV (from their public forms only) and the blank template.

In the core, not in `importers`, because both the CLI and web downloads write them; `importers.mcpd` reads what
these functions write (round trip: tests/test_standards_roundtrip.py).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from sqlmodel import Session, select

from schemas import codes
from schemas.accessions import AccessionPublic
from schemas.standards import ALL_COLUMNS, CODE_LISTS, DMS_COLUMNS

from genbank_registry.models import Accession, Institution
from genbank_registry.catalogue.public_form import PRIVATE_DONOR, PublicFormBuilder
from genbank_registry.standards.tabular import neutralise

def published_forms(session: Session, institution: str | None = None,
                    category: str | None = None) -> Iterator[AccessionPublic]:
    """Public forms of the published accessions, optionally of one institution or category (for exports)."""
    query = select(Accession).where(Accession.publication_status == codes.PublicationStatus.PUBLISHED)
    if institution:
        inst = session.exec(select(Institution).where(Institution.code == institution.strip().upper())).first()
        query = query.where(Accession.institution_id == (inst.id if inst else -1))
    if category:
        query = query.where(Accession.category == category)
    builder = PublicFormBuilder(session)
    for acc in session.exec(query.order_by(Accession.id)):
        yield builder.build(acc)


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)


def public_to_mcpd(p: AccessionPublic) -> dict[str, str]:
    """One MCPD row from a public form: coordinates as published, donors only when they are institutes. Text
    that a spreadsheet would read as a formula is neutralised (tabular.neutralise; importers.mcpd restores it);
    numbers are formatted after, so a negative latitude stays a number."""
    row = {code: "" for code in ALL_COLUMNS}
    for code in ALL_COLUMNS:
        if code in DMS_COLUMNS or code in ("DONORNAME", "HISTORIC", "CATEGORY", "SENSITIVITY"):
            continue
        row[code] = _fmt(neutralise(getattr(p, code.lower(), None)))
    # donor_display is the donor institute's name, or a placeholder for a private person: never a person's name.
    if p.donor_display and p.donor_display != PRIVATE_DONOR:
        row["DONORNAME"] = neutralise(p.donor_display)
    if not p.genus and p.scientific_name:
        # Records filed by taxon only still name it, so that the file re-imports onto the same taxon.
        genus, _, rest = p.scientific_name.partition(" ")
        species, _, subtaxa = rest.partition(" ")
        row["GENUS"], row["SPECIES"], row["SUBTAXA"] = map(neutralise, (genus, species, subtaxa))
    row["HISTORIC"] = "Y" if p.historic else "N"
    row["CATEGORY"] = p.category
    row["SENSITIVITY"] = _fmt(p.sensitivity_category)
    return row


def write_mcpd(forms: Iterable[AccessionPublic], stream: TextIO) -> int:
    writer = csv.DictWriter(stream, fieldnames=list(ALL_COLUMNS))
    writer.writeheader()
    n = 0
    for form in forms:
        writer.writerow(public_to_mcpd(form))
        n += 1
    return n


def write_mcpd_csv(forms: Iterable[AccessionPublic], path: Path) -> int:
    """MCPD CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly); written beside and renamed when done."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
        n = write_mcpd(forms, f)
    tmp.replace(path)
    return n


def code_list_rows() -> list[tuple[str, str, str, str]]:
    """(column, code, Vietnamese label, English label) for the template's second sheet."""
    rows = []
    for column, table in CODE_LISTS.items():
        rows += [(column, str(code), label.vi, label.en) for code, label in table.items()]
    rows += [("GEOREFMETH", m, m, m) for m in codes.GEOREFMETH]
    rows += [("CATEGORY", c.value, codes.CATEGORY_LABELS[c].vi, codes.CATEGORY_LABELS[c].en) for c in codes.Category]
    rows += [("HISTORIC", "Y", "Không còn tồn tại", "No longer exists"), ("HISTORIC", "N", "Còn tồn tại", "Exists")]
    rows += [("SENSITIVITY", str(c), label.vi, label.en) for c, label in codes.SENSITIVITY_LABELS.items()]
    return rows


def template_bytes(kind: str) -> bytes:
    """A blank MCPD sheet: "csv" (header only) or "xlsx" (header, and the code lists on the sheet "Codes")."""
    if kind == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "MCPD"
        ws.append(list(ALL_COLUMNS))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        codes_ws = wb.create_sheet("Codes")
        codes_ws.append(["column", "code", "nhãn (tiếng Việt)", "label (English)"])
        for row in code_list_rows():
            codes_ws.append(list(row))
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()
    text = io.StringIO()
    csv.writer(text).writerow(ALL_COLUMNS)
    return text.getvalue().encode("utf-8-sig")


def write_template(path: Path) -> None:
    path = Path(path)
    path.write_bytes(template_bytes("xlsx" if path.suffix.lower() == ".xlsx" else "csv"))

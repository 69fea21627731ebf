"""`--voucher-map`: which accession each sequence is the voucher of, when the files do not say it."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from genbank_registry.errors import RegistryError


@dataclass
class VoucherMap:
    """`--voucher-map`: sequence id → (institution code, accession number), from a CSV with a header row."""

    links: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> "VoucherMap":
        links = {}
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            need = {"sequence_id", "institution", "accession_number"}
            if not reader.fieldnames or not need <= {h.strip() for h in reader.fieldnames}:
                raise RegistryError(f"{path}: a voucher map needs the columns sequence_id, institution, "
                                    f"accession_number (found: {', '.join(reader.fieldnames or [])})")
            for n, row in enumerate(reader, start=2):
                row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
                if not all(row.get(k) for k in need):
                    raise RegistryError(f"{path}: row {n}: sequence_id, institution and accession_number must all "
                                        f"be filled")
                links[row["sequence_id"]] = (row["institution"].upper(), row["accession_number"])
        return cls(links)

    def get(self, record_id: str, base: str) -> tuple[str, str] | None:
        return self.links.get(record_id) or self.links.get(base)

"""Checks of coded cells shared by the catalogue's contracts: MCPD code lists, STORAGE lists, enum values."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import codes
from .messages import N_


def code_in(value: Any, field: str, table: dict[int, codes.Label]) -> int | None:
    if value.__class__ is int and value in table:  # what importers pass, on every row of a bulk file
        return value
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number not in table:
        raise ValueError(N_("%(field)s %(value)s is not in the MCPD v2.1 code list; allowed: %(allowed)s",
                            field=field, value=repr(value), allowed=codes.allowed(table)))
    return number


@lru_cache(maxsize=4096)  # a bulk file repeats a few storage combinations; errors are never cached
def storage_codes(text: str) -> str:
    parts = [p.strip() for p in text.split(";") if p.strip()]
    return ";".join(str(code_in(p, "STORAGE", codes.STORAGE)) for p in parts)


@lru_cache(maxsize=None)
def enum_values(enum) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


def enum_in(value: Any, field: str, enum) -> str | None:
    if value is None or value == "":
        return None
    text = str(value.value if hasattr(value, "value") else value).strip()
    allowed = enum_values(enum)
    if text not in allowed:
        raise ValueError(N_("%(field)s %(value)s is not allowed; allowed: %(allowed)s", field=field,
                            value=repr(value), allowed=codes.allowed(allowed)))
    return text

"""MCPD partial dates (`YYYYMMDD`, unknown month or day as `--` or `00`) and dd/mm/yyyy display."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator

from .messages import N_

def _utc(value: dt.datetime) -> dt.datetime:
    """Stored timestamps are UTC; SQLite hands them back without their zone, which is put back here."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


# A timestamp as the API answers it: always with its UTC offset (RFC 3339 `date-time`, as the OpenAPI says).
UtcDatetime = Annotated[dt.datetime, AfterValidator(_utc)]

_PARTIAL = re.compile(r"^(\d{4})(\d{2}|--)(\d{2}|--)$")


def _bad(field: str, text: str, problem) -> ValueError:
    """'COLLDATE '20241399': month 13 is not 01–12 …': the field and value, then the problem alone (an importer
    that shows the column and the value apart takes `problem` from the message's parameters)."""
    if problem.msgid.startswith("is "):  # a predicate of the value itself: no colon
        return ValueError(N_("%(field)s %(value)s %(problem)s", field=field, value=repr(text), problem=problem))
    return ValueError(N_("%(field)s %(value)s: %(problem)s", field=field, value=repr(text), problem=problem))


@lru_cache(maxsize=65536)  # bulk imports repeat the same dates thousands of times; errors are never cached
def normalize_partial_date(value: str | None, field: str = "date") -> str | None:
    """Return the date as `YYYYMMDD` with `--` for unknown parts, or raise ValueError naming the field.

    `00` is accepted for an unknown month or day (MCPD allows both) and stored as `--` so that equal
    dates compare equal.
    """
    if value is None:
        return None
    text = str(value).strip()
    if text == "":
        return None
    m = _PARTIAL.match(text)
    if not m:
        raise _bad(field, text, N_("is not an MCPD date: write YYYYMMDD, with -- or 00 for an unknown month or day "
                                   "(e.g. 20050317, 200503--, 2005----)"))
    year, month, day = m.groups()
    month = "--" if month == "00" else month
    day = "--" if day == "00" else day
    if int(year) < 1700:
        raise _bad(field, text, N_("year %(year)s is before 1700; check the value", year=year))
    if month == "--" and day != "--":
        raise _bad(field, text, N_("a day is given without a month; write %(year)s---- or add the month",
                                   year=year))
    if month != "--" and not 1 <= int(month) <= 12:
        raise _bad(field, text, N_("month %(month)s is not 01–12 (or -- when unknown)", month=month))
    if day != "--":
        last = calendar.monthrange(int(year), int(month))[1]
        if not 1 <= int(day) <= last:
            raise _bad(field, text, N_("day %(day)s does not exist in %(year)s-%(month)s (1–%(last)s)",
                                       day=day, year=year, month=month, last=str(last)))
    result = f"{year}{month}{day}"
    if day != "--" and dt.date(int(year), int(month), int(day)) > dt.date.today():
        raise _bad(field, text, N_("is in the future"))
    return result


def partial_date_year(value: str | None) -> int | None:
    return int(value[:4]) if value else None


def format_partial_date(value: str | None, lang: str = "vi") -> str:
    """`20050317` → `17/03/2005`; `200503--` → `03/2005`; `2005----` → `2005` (dd/mm/yyyy in both languages:
    the registry's readers are Vietnamese, and an English reader of a Vietnamese catalogue expects the same)."""
    if not value:
        return ""
    year, month, day = value[:4], value[4:6], value[6:8]
    if month == "--":
        return year
    if day == "--":
        return f"{month}/{year}"
    return f"{day}/{month}/{year}"


def format_date(value: dt.date | dt.datetime | None, lang: str = "vi") -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")

"""The mutations the importer fuzz applies to real files: bytes, lines, fields, encodings, XLSX cells, DwC-A
members; pure functions of (data, random), listed per format in MUTATIONS."""
from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable




HUGE = (b"9" * 40, b"1e308", b"-1e309", b"NaN", b"inf", b"-0", b"18446744073709551616", b"-2147483649",
        b"0.0000000000000000000000001", b"1" * 400)
DELIMS = (b",", b"\t", b";")


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _delim(line: bytes) -> bytes:
    return max(DELIMS, key=line.count)


def flip_byte(data: bytes, r: random.Random) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    i = r.randrange(len(b))
    b[i] ^= 1 << r.randrange(8)
    return bytes(b)


def truncate(data: bytes, r: random.Random) -> bytes:
    return data[:r.randrange(len(data) + 1)]


def duplicate_line(data: bytes, r: random.Random) -> bytes:
    lines = _lines(data)
    i = r.randrange(len(lines))
    return b"".join(lines[:i + 1] + [lines[i]] + lines[i + 1:])


def delete_line(data: bytes, r: random.Random) -> bytes:
    lines = _lines(data)
    del lines[r.randrange(len(lines))]
    return b"".join(lines)


def _edit_field(data: bytes, r: random.Random, edit: Callable[[list[bytes], random.Random], None]) -> bytes:
    lines = _lines(data)
    i = r.randrange(len(lines))
    body = lines[i].rstrip(b"\r\n")
    end = lines[i][len(body):]
    delim = _delim(body)
    fields = body.split(delim)
    edit(fields, r)
    lines[i] = delim.join(fields) + end
    return b"".join(lines)


def swap_fields(data: bytes, r: random.Random) -> bytes:
    def edit(fields, r):
        if len(fields) > 1:
            a, b = r.sample(range(len(fields)), 2)
            fields[a], fields[b] = fields[b], fields[a]
    return _edit_field(data, r, edit)


def empty_field(data: bytes, r: random.Random) -> bytes:
    def edit(fields, r):
        fields[r.randrange(len(fields))] = b""
    return _edit_field(data, r, edit)


def long_field(data: bytes, r: random.Random) -> bytes:
    def edit(fields, r):
        fields[r.randrange(len(fields))] = r.choice((b"A", "Ạ".encode(), b" ", b'"')) * r.choice((300, 5000, 70000))
    return _edit_field(data, r, edit)


def huge_number(data: bytes, r: random.Random) -> bytes:
    numbers = list(re.finditer(rb"-?\d+(\.\d+)?", data))
    if not numbers:
        return data + r.choice(HUGE)
    m = r.choice(numbers)
    return data[:m.start()] + r.choice(HUGE) + data[m.end():]


def as_latin1(data: bytes, r: random.Random) -> bytes:
    return data.decode("utf-8", "replace").encode("latin-1", "replace")


def as_utf16(data: bytes, r: random.Random) -> bytes:
    return data.decode("utf-8", "replace").encode(r.choice(("utf-16", "utf-16-le")))


def add_bom(data: bytes, r: random.Random) -> bytes:
    return b"\xef\xbb\xbf" + data


def insert_nul(data: bytes, r: random.Random) -> bytes:
    i = r.randrange(len(data) + 1)
    return data[:i] + b"\x00" * r.choice((1, 3)) + data[i:]


def line_endings(data: bytes, r: random.Random) -> bytes:
    plain = data.replace(b"\r\n", b"\n")
    return plain.replace(b"\n", r.choice((b"\r\n", b"\r", b"\n\n")))


def invalid_utf8(data: bytes, r: random.Random) -> bytes:
    i = r.randrange(len(data) + 1)
    return data[:i] + r.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82")) + data[i:]


TEXT_MUTATIONS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    flip_byte, truncate, duplicate_line, delete_line, swap_fields, empty_field, long_field, huge_number, as_latin1,
    as_utf16, add_bom, insert_nul, line_endings, invalid_utf8)
ZIP_DAMAGE = (flip_byte, truncate, insert_nul)


# --- mutations of XLSX and DwC-A ---------------------------------------------------------------------------------

CELL_VALUES = (None, "", " ", 10 ** 40, 1e308, -1, 0, 3.5, "=1/0", "x" * 5000, True, "Ạ" * 50, "20230517",
               "2023-05-17", "--", "N/A", "-99999999999999999999")


def xlsx_cells(data: bytes, r: random.Random) -> bytes:
    """Change the workbook through openpyxl: a cell's value, a row dropped or doubled, two columns swapped,
    a sheet put first. A workbook damaged by an earlier mutation is left as it is."""
    import datetime as dt

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a damaged seed is the importer's problem, not the mutator's
        return data
    ws = wb.worksheets[0]
    rows, cols = max(ws.max_row, 1), max(ws.max_column, 1)
    action = r.randrange(6)
    if action == 0:
        value = r.choice(CELL_VALUES + (dt.datetime(1900, 1, 1), dt.date(2999, 12, 31)))
        ws.cell(row=r.randint(1, rows), column=r.randint(1, cols), value=value)
    elif action == 1:
        ws.delete_rows(r.randint(1, rows))
    elif action == 2:
        src = r.randint(1, rows)
        ws.append([c.value for c in ws[src]])
    elif action == 3 and cols > 1:
        a, b = r.sample(range(1, cols + 1), 2)
        for row in range(1, rows + 1):
            x, y = ws.cell(row=row, column=a), ws.cell(row=row, column=b)
            x.value, y.value = y.value, x.value
    elif action == 4:
        wb.create_sheet("Ghi chú", 0).append(["nothing", "here"])
    else:
        ws.insert_rows(1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


META_EDITS = ((rb'index="\d+"', (b'index="99"', b'index="-1"', b'index="x"', b'index=""')),
              (rb'encoding="[^"]*"', (b'encoding="bogus-8"', b'encoding="UTF-16"', b'encoding="latin1"')),
              (rb'ignoreHeaderLines="\d+"', (b'ignoreHeaderLines="999999"', b'ignoreHeaderLines="x"')),
              (rb'fieldsTerminatedBy="[^"]*"', (b'fieldsTerminatedBy=""', b'fieldsTerminatedBy=";"')),
              (rb'rowType="[^"]*"', (b'rowType="http://example.org/Nothing"', b'rowType=""')),
              (rb'<location>[^<]*</location>', (b'<location>missing.txt</location>', b'<location>../x</location>',
                                                b'<location></location>')),
              (rb'term="[^"]*"', (b'term=""', b'term="http://rs.tdwg.org/dwc/terms/eventDate"')))


def meta_edit(data: bytes, r: random.Random) -> bytes:
    pattern, choices = r.choice(META_EDITS)
    found = list(re.finditer(pattern, data))
    if not found:
        return flip_byte(data, r)
    m = r.choice(found)
    return data[:m.start()] + r.choice(choices) + data[m.end():]


def dwca_member(data: bytes, r: random.Random) -> bytes:
    """Mutate one file inside the archive (meta.xml or a data file) and zip it again."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [(i, z.read(i)) for i in z.infolist()]
    except Exception:  # noqa: BLE001 - an archive damaged by an earlier mutation stays damaged
        return data
    if not members:
        return data
    k = r.randrange(len(members))
    info, content = members[k]
    mutate = r.choice((meta_edit,) * 3 + TEXT_MUTATIONS) if info.filename.endswith("meta.xml") \
        else r.choice(TEXT_MUTATIONS)
    members[k] = (info, mutate(content, r))
    if r.random() < 0.1:
        del members[k]  # a file the descriptor names is missing
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, c in members:
            z.writestr(i.filename, c)
    return buf.getvalue()


MUTATIONS = {"fasta": TEXT_MUTATIONS, "genbank": TEXT_MUTATIONS, "mcpd-csv": TEXT_MUTATIONS,
             "survey-csv": TEXT_MUTATIONS, "mcpd-xlsx": (xlsx_cells,) * 12 + ZIP_DAMAGE,
             "dwca": (dwca_member,) * 8 + ZIP_DAMAGE}


def mutate(fmt: str, data: bytes, ops: list[tuple[int, int]]) -> bytes:
    choices = MUTATIONS[fmt]
    for which, rnd in ops:
        data = choices[which % len(choices)](data, random.Random(rnd))
    return data


def describe(fmt: str, ops: list[tuple[int, int]]) -> str:
    choices = MUTATIONS[fmt]
    return ", ".join(f"{choices[w % len(choices)].__name__}({rnd})" for w, rnd in ops) or "unmutated"


# --- running one input ------------------------------------------------------------------------------------------

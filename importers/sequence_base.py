"""What every sequence reader shares: opening sources (plain, gzip/BGZF, `-` for stdin), sniffing the format,
cutting the stream into blocks of whole records, and reporting a bad record by file, record and line.

Shaped like Biopython's SeqIO: a format name maps to a reader class (`READERS`, filled by the format modules),
and an unknown name is an explicit error listing the known ones.
"""
from __future__ import annotations

import gzip
import importlib
import io
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from genbank_registry.sequences.rows import Row, build_row
from schemas.messages import N_, as_dict
from schemas.sequences import SequenceIn

BLOCK_CHARS = 1 << 20  # ~1 MB of text per block: a commit and a worker round trip amortised; smaller blocks
# keep memory low (a third less than 4 MB blocks) and the two workers evenly busy at the start and end of a file


from .base import UnknownFormat, UnreadableFile, without_nul  # noqa: E402  (one error class for every reader)


@dataclass(slots=True)
class RecordError:
    source: str
    record: int
    line: int
    reason: str
    record_id: str | None = None

    def __str__(self) -> str:
        ident = f" ({self.record_id})" if self.record_id else ""
        return f"{self.source}: record {self.record}{ident}, line {self.line}: {self.reason}"

    def as_dict(self) -> dict:
        return {"file": self.source, "record": self.record, "line": self.line, "record_id": self.record_id,
                "reason": str(self.reason), "reason_msg": as_dict(self.reason)}


@dataclass(slots=True)
class Block:
    """Whole records of one source: the text, the line and record numbers its first record starts at."""

    source: str
    text: str
    first_line: int
    first_record: int


@dataclass(slots=True)
class FileRange:
    """The records of a plain file (`source`, its path) that start in bytes [start, stop): a worker reads them
    (`read_range`)."""

    source: str
    start: int
    stop: int


def _block_sizes(size: int) -> Iterator[int]:
    """The first blocks are smaller: the writer waits for the first one, and a 64 KB block is parsed in a
    millisecond or two where 1 MB takes tens."""
    yield size // 16
    yield size // 4
    while True:
        yield size


def _record_start(f, marker: bytes, offset: int, limit: int | None, chunk: int = 1 << 16) -> int | None:
    """Offset of the first record start after `offset` (where `marker`, a line end and the record's first
    characters, is found from `offset` on), if it is before `limit`; None when there is none (or only past it)."""
    f.seek(offset)
    carry = b""
    while limit is None or offset < limit:
        data = f.read(chunk)
        if not data:
            return None
        found = (carry + data).find(marker)
        if found >= 0:
            start = offset - len(carry) + found + 1
            return start if limit is None or start < limit else None
        carry = data[-(len(marker) - 1):]
        offset += len(data)
    return None


@dataclass(slots=True)
class Parsed:
    """A parsed block: records (with their record number) and the records that failed."""

    records: list[tuple[int, SequenceIn]] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


class SequenceReader:
    """A streaming reader of one format. Subclasses set `name`, `record_start` and implement `parse_records`."""

    name: str = ""
    record_start: str = ""  # the text each record begins with, at the start of a line

    def __init__(self, source: str = "-"):
        self.source = source

    def __iter__(self) -> Iterator[SequenceIn]:
        """The file's good records one at a time, like Bio.SeqIO.parse; the loader uses blocks and workers."""
        handle = open_text(self.source)
        try:
            for block in self.blocks(handle):
                for _, record in self.parse_block(block).records:
                    yield record
        finally:
            if handle is not sys.stdin:
                handle.close()

    def parse_records(self, text: str) -> Iterator[SequenceIn | str]:
        """Each record of `text` in order: a SequenceIn, or the reason the record is rejected."""
        raise NotImplementedError

    def _numbered(self, block: Block):
        return enumerate(self.parse_records(block.text), start=block.first_record)

    def parse_block(self, block: Block) -> Parsed:
        return parse_lenient(self, block, self._numbered)

    def parse_rows(self, block: Block, marker: str | None) -> tuple[list[Row], list[RecordError]]:
        """The stored form of the block's good records (`build_row`) and its bad records. A format may build its
        rows without SequenceIn objects, as long as they come out the same."""
        parsed = self.parse_block(block)
        return [build_row(seq, marker) for _, seq in parsed.records], parsed.errors

    def blocks(self, handle, block_chars: int | None = None, numbered: bool = True) -> Iterator[Block]:
        """Cut `handle` into blocks that end where a record starts; nothing but string search runs here.

        `numbered=False`: every block numbers its lines and records from 1, and the caller shifts them by what
        the blocks before it held (`count_lines`, `count_records`). The import's writer is its bottleneck, so
        the counting, a pass over every character, goes to the parser workers.
        """
        block_chars = block_chars or BLOCK_CHARS
        marker = "\n" + self.record_start
        line, record, carry = 1, 1, ""
        sizes = _block_sizes(block_chars)
        while True:
            try:
                chunk = handle.read(next(sizes))
            except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
                raise UnreadableFile(f"{self.source}: the compressed file is damaged after line {line} ({exc}); "
                                     f"compress the file again, or import it uncompressed") from None
            chunk = without_nul(chunk)
            text = carry + chunk
            if not chunk:
                if text.strip():
                    yield Block(self.source, text, line, record)
                return
            cut = text.rfind(marker)
            if cut <= 0:
                carry = text
                continue
            body, carry = text[:cut + 1], text[cut + 1:]
            yield Block(self.source, body, line, record)
            if numbered:
                line += count_lines(body)
                record += self.count_records(body)

    def ranges(self, size: int, block_bytes: int | None = None) -> Iterator[FileRange]:
        """Byte ranges of this reader's file (a plain file of `size` bytes), the same sizes as `blocks`;
        `read_range` turns each into a block. The import's workers read their ranges themselves, so its writer,
        the bottleneck, never touches the text."""
        sizes = _block_sizes(block_bytes or BLOCK_CHARS)
        start = 0
        while start < size:
            stop = min(start + next(sizes), size)
            yield FileRange(self.source, start, stop)
            start = stop

    def read_range(self, part: FileRange) -> tuple[Block, int, int]:
        """The block of the records that start in `part` (numbered from 1, as `blocks(numbered=False)`), and the
        offset where it ends: where the first record at or after `part.stop` starts, or the end of the file.
        The first range also holds what comes before the first record; a range in which no record starts (inside
        a long one) gives an empty block. Decoded as `open_text` decodes: UTF-8 with replacement characters,
        and CR LF or a lone CR read as a line end. Returns (block, offset it starts at, offset it ends at)."""
        marker = ("\n" + self.record_start).encode()
        with open(part.source, "rb") as f:
            begin = 0 if part.start == 0 else _record_start(f, marker, part.start - 1, part.stop)
            if begin is None:
                return Block(part.source, "", 1, 1), part.stop, part.stop
            end = _record_start(f, marker, part.stop - 1, None)
            f.seek(begin)
            data = f.read() if end is None else f.read(end - begin)
        text = without_nul(data.decode("utf-8", "replace"))
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return Block(part.source, text, 1, 1), begin, begin + len(data)

    def counts_before(self, f, offset: int, since: tuple[int, int, int] = (0, 0, 0)) -> tuple[int, int, int]:
        """(offset, lines, records) of bytes [0, offset) of a binary file, counted as the blocks before that offset
        count them (`count_lines` of the decoded text, `count_records`); `since`: an earlier answer to go on
        from. The import asks only when a block at `offset` has a bad record to number."""
        start, lines, records = since
        marker = ("\n" + self.record_start).encode()
        after_cr = b"\r" + marker[1:]
        if start == 0 < offset:
            f.seek(0)
            records += f.read(len(marker) - 1) == marker[1:]
        f.seek(max(start - (len(marker) - 1), 0))
        carry = f.read(start - f.tell())
        while start < offset:
            data = f.read(min(1 << 20, offset - start))
            if not data:
                break
            both = carry + data
            # A line ends at LF, CR LF or a lone CR (universal newlines); a record starts after a line end.
            lines += data.count(b"\n") + data.count(b"\r") - both.count(b"\r\n") + carry.count(b"\r\n")
            records += both.count(marker) - carry.count(marker) + both.count(after_cr) - carry.count(after_cr)
            carry = both[-(len(marker) - 1):]
            start += len(data)
        return start, lines, records

    def count_records(self, text: str) -> int:
        return text.count("\n" + self.record_start) + text.startswith(self.record_start)

    def split_records(self, block: Block) -> Iterator[tuple[int, int, str]]:
        """(record number, line number, text) of each record of a block, for reporting failures one by one."""
        marker = "\n" + self.record_start
        starts = [0] if block.text.startswith(self.record_start) else []
        pos = block.text.find(marker)
        while pos >= 0:
            starts.append(pos + 1)
            pos = block.text.find(marker, pos + 1)
        if not starts or starts[0] != 0:
            starts.insert(0, 0)  # text before the first record belongs to it (and makes it fail)
        record = block.first_record - (0 if block.text.startswith(self.record_start) else 1)
        line = block.first_line
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(block.text)
            text = block.text[start:end]
            if i or block.text.startswith(self.record_start) or text.strip():
                yield max(record + i, 1), line, text
            line += text.count("\n")

    def read(self, handle) -> Iterator[SequenceIn | RecordError]:
        """Stream records (or errors) from a text handle, in file order."""
        for block in self.blocks(handle):
            parsed = self.parse_block(block)
            items = [*parsed.records, *((e.record, e) for e in parsed.errors)]
            for _, item in sorted(items, key=lambda x: x[0]):
                yield item


READERS: dict[str, type[SequenceReader]] = {}


def register(cls: type[SequenceReader]) -> type[SequenceReader]:
    READERS[cls.name] = cls
    return cls


_MODULES = {"fasta": ".fasta", "genbank": ".genbank"}


def reader_for(fmt: str, source: str = "-") -> SequenceReader:
    # Only the format's own module is imported (the readers register on import): GenBank's loads Biopython's
    # parser, which a FASTA import never needs, and every import starts with this call.
    module = _MODULES.get(fmt.lower())
    if module is None:
        raise UnknownFormat(f"{source}: format {fmt!r} is not supported; use one of: "
                            f"{', '.join(sorted(_MODULES))} (or auto)")
    importlib.import_module(module, __package__)
    return READERS[fmt.lower()](source)


def open_text(source):
    """A text handle on a path or a binary handle: `-` is stdin; gzip and BGZF (.gz, .bgz) are recognised by
    their magic bytes, not their names."""
    if isinstance(source, (str, Path)):
        raw = sys.stdin.buffer if str(source) == "-" else open(source, "rb")
    else:
        raw = source
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        buffered = io.BufferedReader(gzip.GzipFile(fileobj=buffered))  # type: ignore[arg-type]
    return io.TextIOWrapper(buffered, encoding="utf-8", errors="replace", newline=None)


def sniff(handle, source: str) -> str:
    """The format of an opened (peekable) handle, from its first meaningful line."""
    head = handle.buffer.peek(4096)[:4096] if hasattr(handle.buffer, "peek") else b""
    for line in head.decode("utf-8", "replace").splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("LOCUS"):
            return "genbank"
        if stripped.startswith(">"):
            return "fasta"
        break
    if "\nLOCUS " in head.decode("utf-8", "replace"):
        return "genbank"  # a GenBank release file opens with a header before its first LOCUS
    raise UnknownFormat(f"{source}: not a FASTA or GenBank file (its first line is neither '>' nor 'LOCUS'); "
                        f"give --format fasta|genbank if it is one")


def count_lines(text: str) -> int:
    return text.count("\n")


def shift_errors(errors: list[RecordError], lines: int, records: int) -> None:
    """Numbers of a block numbered from 1 made the file's: `lines` and `records` precede the block."""
    for e in errors:
        e.line += lines
        e.record += records


def parse_lenient(reader: SequenceReader, block: Block, parse_all) -> Parsed:
    """Parse a block whole (fast); when the parser fails, record by record, so one bad record costs only itself.

    `parse_all(block)` yields (record number, SequenceIn or a reason string) per record.
    """
    try:
        items = list(parse_all(block))
    except Exception:  # noqa: BLE001 - any parser failure is reported per record below
        items = None
    parsed = Parsed()
    if items is not None:
        lines = None
        for number, item in items:
            if isinstance(item, str):
                if lines is None:
                    lines = {n: (line, _first_id(text)) for n, line, text in reader.split_records(block)}
                line, ident = lines.get(number, (block.first_line, None))
                parsed.errors.append(RecordError(block.source, number, line, item, ident))
            else:
                parsed.records.append((number, item))
        return parsed
    for number, line, text in reader.split_records(block):
        try:
            sub = list(parse_all(Block(block.source, text, line, number)))
        except Exception as exc:  # noqa: BLE001 - the parser's reason is what the user needs
            reason = N_("the record could not be read: %(reason)s; compare it with a well-formed record",
                        reason=" ".join(str(exc).split()) or type(exc).__name__)
            parsed.errors.append(RecordError(block.source, number, line, reason, _first_id(text)))
            continue
        for n, item in sub:
            if isinstance(item, str):
                parsed.errors.append(RecordError(block.source, n, line, item, _first_id(text)))
            else:
                parsed.records.append((n, item))
    return parsed


def _first_id(text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith(">"):
        return first[1:].split(None, 1)[0] if first[1:].strip() else None
    parts = first.split()
    return parts[1] if len(parts) > 1 and parts[0] == "LOCUS" else None

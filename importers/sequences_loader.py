"""Load FASTA and GenBank files into the registry: parse in worker processes, write in this one.

(Over 400 lines on purpose: the source, the parser pool, the commit groups and the batch row interlock - a
commit must follow whole blocks, progress is told only after a commit, checkpoints close after the pool - and
splitting them would spread that order over several files.)

The file is cut into blocks of whole records (byte ranges that the workers read themselves, for a plain file:
see _Source); workers parse blocks and turn records into rows (pure work, on the other core); this process
stores the rows in file order, committing after whole blocks (up to COMMIT_BLOCKS blocks, COMMIT_RECORDS
records or COMMIT_SECONDS per transaction) while a thread checkpoints SQLite's WAL (genbank_registry/
bulk_sqlite.py). So a killed import leaves whole blocks or nothing of a block, and running it again finds those
rows unchanged and completes the rest. `--on-error abort` and `--dry-run` use a single transaction for the
whole run instead: abort rolls everything back at the first bad record, dry-run at the end.
"""
from __future__ import annotations

import ctypes
import hashlib
import io
import marshal
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from genbank_registry.bulk_sqlite import Checkpoints, tuned
from genbank_registry.checksums import sha256_of
from genbank_registry.jobs import batches
from genbank_registry.sequences.rows import pack
from genbank_registry.sequences.store import SequenceStore, StoreResult
from genbank_registry.sequences.vouchers import VoucherMap
from schemas.codes import ImportStatus
from schemas.messages import N_, Message, as_dict

from .base import collector_paused, nothing_stored
from .sequence_base import (
    Block,
    FileRange,
    RecordError,
    UnknownFormat,
    count_lines,
    open_text,
    reader_for,
    shift_errors,
    sniff,
)

IN_FLIGHT = 2  # blocks queued per worker: keeps both cores busy with bounded memory
# A transaction spans several blocks: each commit rewrites every index page the transaction touched, and in a
# large database random keys (ids, checksums) touch a different page per record, so 1 MB commits wrote tens of
# times the data (a 1 GB FASTA file: 80 s with a commit per 1 MB block, 58 s per 16 MB). Still whole blocks.
COMMIT_RECORDS = 20_000
COMMIT_BLOCKS = 16
COMMIT_SECONDS = 0.5  # and at least twice a second, for the progress bar
PARALLEL_FROM_BYTES = 4 << 20  # smaller inputs parse in-process: starting workers costs more than it saves


class ImportAborted(Exception):
    """--on-error abort met a bad record: nothing was stored."""

    def __init__(self, error: RecordError):
        self.error = error
        super().__init__(f"{error}; nothing was stored (--on-error abort)")


@dataclass
class FileReport:
    source: str
    format: str
    batch_id: int | None = None
    counts: Counter = field(default_factory=Counter)
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unresolved_vouchers: list[dict] = field(default_factory=list)
    new_taxa: list[str] = field(default_factory=list)
    sha256: str | None = None
    failure: Message | None = None  # why nothing was stored, when the import failed

    def as_report(self) -> dict:
        return {"file": self.source, "format": self.format, "counts": dict(self.counts),
                "failure": as_dict(self.failure),
                "errors": [e.as_dict() for e in self.errors], "warnings": self.warnings[:200],
                "unresolved_vouchers": self.unresolved_vouchers, "new_unverified_taxa": self.new_taxa}


@dataclass
class Options:
    fmt: str = "auto"
    marker: str | None = None
    institution: str | None = None
    voucher_map: Path | None = None
    dry_run: bool = False
    on_error: str = "skip"
    workers: int | None = None  # None: both cores for large files, in-process for small ones
    created_by: str | None = None
    status: str = "published"  # "draft": a curator publishes the batch (web uploads)


class _HashingReader(io.RawIOBase):
    """Passes bytes through while hashing them: the batch records the file's SHA-256 without a second read."""

    def __init__(self, raw):
        self.raw, self.sha, self.consumed = raw, hashlib.sha256(), 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha.update(data)
        self.consumed += n
        return n


def _parse(fmt: str, marker: str | None, block: Block | FileRange):
    """Runs in a worker: read (a FileRange) and parse one block, and build its rows."""
    import warnings

    reader = reader_for(fmt, block.source)
    ranged = isinstance(block, FileRange)
    begin = end = None
    if ranged:
        block, begin, end = reader.read_range(block)
    # A block allocates many small objects and keeps none: collections would only cost time.
    with collector_paused(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows, errors = reader.parse_rows(block, marker)
    notes = sorted({" ".join(str(w.message).split())[:200] for w in caught})
    # The block was numbered from 1 (see SequenceReader.blocks): the writer shifts errors by what came before.
    # A range's offset says it; a streamed block's lines and records are counted here, off the writer.
    spans = (None, None, begin, end) if ranged else (count_lines(block.text), reader.count_records(block.text),
                                                     None, None)
    rows, layout = pack(rows)
    # The rows cross to the writer as one marshal blob: a third cheaper to write than pickle's, a tenth to read
    # (plain tuples of str, int, float and None; both ends run the same interpreter).
    return marshal.dumps(rows), layout, errors, len(rows) + len(errors), notes, spans


class _Source:
    """Where an import's blocks come from, how far it has read, and the file's SHA-256.

    A plain file is cut into byte ranges that the workers read themselves (`SequenceReader.ranges`), and a
    thread hashes it: hashlib and file reads release the GIL, so the writer spends nothing per byte. A gzipped
    file, stdin, or a file whose lines end in a lone CR (no LF to cut at) is read and cut here.
    """

    def __init__(self, path: str, fmt: str):
        self.path, self.consumed = path, 0
        raw = _HashingReader(open(path, "rb") if path != "-" else sys.stdin.buffer)
        buffered = io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[arg-type]
        head = buffered.peek(4096)[:4096]  # before sniffing: a gzip reader would move the stream on
        compressed = head[:2] == b"\x1f\x8b"
        handle = open_text(buffered)
        self.fmt = sniff(handle, path) if fmt == "auto" else fmt
        reader = reader_for(self.fmt, path)
        self.size = os.path.getsize(path) if path != "-" and not compressed else None
        self._raw, self._digest, self._reader, self._counted = raw, None, reader, (0, 0, 0)
        if self.size is not None and (b"\n" in head or b"\r" not in head):
            raw.raw.close()
            self._raw = None
            self._digest = _FileDigest(path)
            self.blocks = reader.ranges(self.size)
        else:
            self.blocks = reader.blocks(handle, numbered=False)

    def counts_before(self, offset: int) -> tuple[int, int]:
        """(lines, records) of the file before byte `offset` (of a byte range), to number a bad record."""
        if self._counted[0] > offset:
            self._counted = (0, 0, 0)
        with open(self.path, "rb") as f:
            self._counted = self._reader.counts_before(f, offset, self._counted)
        return self._counted[1], self._counted[2]

    def read_to(self, end: int | None) -> None:
        """A stored block ended at byte `end` of the file (None: it came from this process's reading)."""
        self.consumed = self._raw.consumed if self._raw is not None else max(self.consumed, end or 0)

    def close(self) -> str | None:
        """Close the file; the SHA-256 of everything read (of the whole file, for byte ranges)."""
        if self._digest is not None:
            return self._digest.hexdigest()
        if self.path != "-":
            self._raw.raw.close()
        return self._raw.sha.hexdigest()


class _FileDigest:
    """`sha256_of` a file, computed by a thread while the import runs (file reads and hashlib release the GIL)."""

    def __init__(self, path: str):
        self._digest: str | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), name="file-sha256", daemon=True)
        self._thread.start()

    def _run(self, path: str) -> None:
        try:
            self._digest = sha256_of(Path(path))
        except OSError:
            pass  # the import reads the same file and says what is wrong with it

    def hexdigest(self) -> str | None:
        self._thread.join()
        return self._digest


def import_file(engine: Engine, path: str, options: Options,
                progress: Callable[[int, int | None], None] | None = None) -> FileReport:
    """Import one file (or `-`). `progress(records_done_delta, estimated_total)` is called after each block."""
    source = _Source(path, options.fmt)
    fmt, size = source.fmt, source.size
    report = FileReport(source=path, format=fmt)
    voucher_map = VoucherMap.read(options.voucher_map) if options.voucher_map else None
    single_transaction = options.dry_run or options.on_error == "abort"
    workers = options.workers
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if (size is None or size >= PARALLEL_FROM_BYTES) else 0

    batch_id = None if options.dry_run else batches.open_batch(
        engine, f"sequences-{fmt}", Path(path).name if path != "-" else "<stdin>", None, options.created_by)
    report.batch_id = batch_id
    store = SequenceStore(batch_id=batch_id, institution=options.institution, voucher_map=voucher_map,
                          status=options.status)
    result = StoreResult()
    done = 0
    status = ImportStatus.FAILED
    try:
        with ExitStack() as stack:
            # For the whole run, not only around each store: the pool's thread unpickles every block's rows too.
            stack.enter_context(collector_paused())
            # Entered before the pool, left after it: the last checkpoint runs while the workers shut down.
            checkpoints = stack.enter_context(Checkpoints(engine))
            pool = stack.enter_context(_pool(workers)) if workers else None
            outer: Connection | None = None
            if single_transaction:
                outer = stack.enter_context(engine.connect())
                stack.enter_context(tuned(outer))
                outer_tx = stack.enter_context(outer.begin())  # ended (rolled back on an error) before tuned()
            group: _Group | None = None  # the open transaction
            unreported = 0
            try:
                for rows, layout, errors, n, notes, end in _results(pool, workers, source, options.marker):
                    report.errors.extend(errors)
                    report.warnings.extend(note for note in notes if note not in report.warnings)
                    if errors and options.on_error == "abort":
                        raise ImportAborted(errors[0])
                    before = _snapshot(result)
                    if outer is None and group is None:
                        group = _Group(engine, before)
                    try:
                        store.store(outer if outer is not None else group.conn, rows, result, layout)
                    except BaseException:
                        if outer is not None:  # the run's one transaction: the failing block's counts go
                            _restore(result, before)
                        raise
                    unreported += n
                    if group is not None:
                        group.records += n
                        group.blocks += 1
                        if group.records >= COMMIT_RECORDS or group.blocks >= COMMIT_BLOCKS or \
                                time.monotonic() - group.start >= COMMIT_SECONDS:
                            group.close(commit=True)
                            group = None
                            checkpoints.committed()
                    # Progress counts stored records, so it is told after a commit: its callback may write to the
                    # database itself (a web import job), which would wait for the open transaction.
                    source.read_to(end)
                    if group is None:
                        done += unreported
                        if progress:
                            estimate = int(done * size / source.consumed) if size and source.consumed else None
                            progress(unreported, estimate)
                        unreported = 0
                if group is not None:
                    group.close(commit=True)
                    group = None
                    checkpoints.committed()
                    done += unreported
                    if progress:
                        progress(unreported, done)
            except BaseException:
                if group is not None:
                    # The open transaction rolled back: so do its counts, or the batch would claim them.
                    try:
                        group.close(commit=False)
                    finally:
                        _restore(result, group.before)
                raise
            if outer is not None:
                if options.dry_run:
                    outer_tx.rollback()
                else:
                    outer_tx.commit()
        status = ImportStatus.COMPLETED
    except ImportAborted:
        status = ImportStatus.ABORTED
        raise
    except KeyboardInterrupt:
        status = ImportStatus.ABORTED
        raise
    finally:
        report.counts = result.counts
        report.counts["rejected"] = len(report.errors)
        report.unresolved_vouchers = result.unresolved_vouchers
        report.new_taxa = result.new_taxa
        report.warnings.extend(f"record id {rid!r} appears more than once; the later record was kept"
                               for rid in result.repeated_ids)
        report.sha256 = source.close()
        if status == ImportStatus.COMPLETED and not options.dry_run:
            report.failure = nothing_stored(sum(report.counts[k] for k in ("added", "updated", "unchanged")),
                                            report.counts["rejected"], N_("it has no FASTA or GenBank record"))
            if report.failure is not None:
                status = ImportStatus.FAILED
        if batch_id is not None:
            _finish_batch(engine, batch_id, report, status)
    return report


def _snapshot(result: StoreResult) -> tuple:
    return result.counts.copy(), len(result.unresolved_vouchers), len(result.new_taxa)


def _restore(result: StoreResult, snapshot: tuple) -> None:
    result.counts = snapshot[0]
    del result.unresolved_vouchers[snapshot[1]:], result.new_taxa[snapshot[2]:]


class _Group:
    """A transaction of several blocks, on a connection tuned for bulk writes while it lasts."""

    def __init__(self, engine: Engine, before: tuple):
        self._stack = ExitStack()
        self.conn = self._stack.enter_context(engine.connect())
        self._stack.enter_context(tuned(self.conn))
        self.tx = self.conn.begin()
        self.before, self.records, self.blocks, self.start = before, 0, 0, time.monotonic()

    def close(self, commit: bool) -> None:
        try:
            self.tx.commit() if commit else self.tx.rollback()
        finally:
            self._stack.close()  # the connection's own settings back, then the connection back to the pool


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_worker_started)


def _worker_started() -> None:
    # The writer is the import's bottleneck: at a lower priority the parsers take what CPU it leaves, rather
    # than each taking a third of two cores while it waits for its turn.
    os.nice(10)
    keep_freed_memory()


def keep_freed_memory(limit: int = 64 << 20) -> None:
    """glibc returns freed heap memory to the system as soon as 128 KB (or twice the last freed big block) is
    free at the top, so a process that builds and drops megabytes per block faults its pages in again every
    block: ~60,000 page faults (a tenth of the parsers' CPU) in a 55 MB FASTA import. Keep up to `limit` freed
    bytes, and serve big blocks from the heap too; the peak memory is unchanged. A no-op off glibc."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-1, limit)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks up to 32 MB come from the heap
    except (OSError, AttributeError):
        pass


def _results(pool, workers: int, source: _Source, marker: str | None):
    """Parsed blocks in file order, their errors numbered in the file; with a pool, up to IN_FLIGHT blocks per
    worker are parsed ahead."""
    lines = records = 0
    for rows, layout, errors, n, notes, (block_lines, block_records, begin, end) in _parsed(
            pool, workers, source.blocks, source.fmt, marker):
        if begin is None:
            shift_errors(errors, lines, records)
            lines, records = lines + block_lines, records + block_records
        elif errors:
            shift_errors(errors, *source.counts_before(begin))
        yield marshal.loads(rows), layout, errors, n, notes, end


def _parsed(pool, workers: int, blocks: Iterator[Block], fmt: str, marker: str | None):
    if pool is None:
        for block in blocks:
            yield _parse(fmt, marker, block)
        return
    blocks = iter(blocks)
    first = next(blocks, None)
    if first is None:
        return
    # The next blocks go to the workers first; the first (small) one is parsed here meanwhile, so the writer
    # starts storing while the freshly forked workers warm up (their first block takes ~15 ms longer).
    pending = [pool.submit(_parse, fmt, marker, block) for block in islice(blocks, IN_FLIGHT * workers)]
    yield _parse(fmt, marker, first)
    for block in blocks:
        pending.append(pool.submit(_parse, fmt, marker, block))
        yield pending.pop(0).result()
    for future in pending:
        yield future.result()


def _finish_batch(engine: Engine, batch_id: int, report: FileReport, status: str) -> None:
    counts = report.counts
    message = None
    if report.failure is not None:
        message = str(report.failure)
    elif status == ImportStatus.ABORTED and report.errors:
        message = f"aborted: {report.errors[0]}"
    elif status == ImportStatus.ABORTED:
        message = str(N_("interrupted: run the same command again to complete it"))
    batches.finish_batch(engine, batch_id, status, message, report.as_report(),
                         counts=(counts["added"], counts["updated"], counts["unchanged"], counts["rejected"]),
                         checksum=report.sha256)


def import_paths(engine: Engine, paths: list[str], options: Options, progress=None) -> list[FileReport]:
    """Import several files; an unknown format stops before anything is read from the others."""
    for path in paths:
        if path != "-" and not Path(path).exists():
            raise FileNotFoundError(f"{path}: no such file")
        if options.fmt not in ("auto", "fasta", "genbank"):
            raise UnknownFormat(f"format {options.fmt!r} is not supported; use auto, fasta or genbank")
    return [import_file(engine, path, options, progress) for path in paths]

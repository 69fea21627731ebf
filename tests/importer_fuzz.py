"""Fuzzing every importer from mutated real files (shared by tests/test_importer_fuzz.py and bench/fuzz_importers.py).

Seeds are the real files in fixtures/ (sequences, MCPD, Darwin Core Archives, surveys) and an MCPD export of the
demo catalogue (CSV and XLSX). Hypothesis picks a seed and up to four mutations (byte flips, truncation, line
duplication and deletion, swapped and emptied fields, Latin-1 / UTF-16 / BOM / NUL / CRLF, huge numbers, very
long values; for XLSX cell values changed through openpyxl or the zip damaged; for a DwC-A meta.xml or a data
file inside the zip mutated, or the zip damaged). Each input goes through the loader entry point the CLI uses
or, as a web upload would, through the upload sniffer and the importers.jobs handler, on a real migrated
database. For every input it checks:

- no exception escapes but the registry's own refusals (ReaderError, RegistryError, ImportAborted, JobRefused),
  and each carries a message;
- every rejected record has a reason naming its row (and line, for sequences and surveys);
- the database agrees with the import batches: the records stored are the batches' `added`, nothing is left
  half-written, and no batch is left `running`.
"""
from __future__ import annotations

import csv
import io
import itertools
import traceback
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from genbank_registry.errors import RegistryError
from genbank_registry.jobs.models import ImportJob
from genbank_registry.accounts import people as accounts
from genbank_registry.standards.mcpd_export import published_forms, write_mcpd
from genbank_registry.jobs.uploads import sniff
from importers.base import ReaderError
from importers.jobs import HANDLERS, JobRefused
from importers.sequences_loader import ImportAborted

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
FORMATS = ("fasta", "genbank", "mcpd-csv", "mcpd-xlsx", "dwca", "survey-csv")
SUFFIX = {"fasta": ".fasta", "genbank": ".gb", "mcpd-csv": ".csv", "mcpd-xlsx": ".xlsx", "dwca": ".zip",
          "survey-csv": ".csv"}
# The registry's own refusals: each says what is wrong with the file and what to do.
REFUSALS = (ReaderError, RegistryError, ImportAborted, JobRefused)
# The fixed profile for CI: the same inputs on every run, no example database, no shrinking.
PROFILE = settings(derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck), print_blob=False)
MAX_BYTES = 64 * 1024 * 1024


# --- seeds ------------------------------------------------------------------------------------------------------

def _zip_dir(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
    return buf.getvalue()


def _demo_mcpd(engine: Engine, rows: int = 25) -> bytes:
    out = io.StringIO()
    with Session(engine) as session:
        write_mcpd(itertools.islice(published_forms(session), rows), out)
    return out.getvalue().encode("utf-8")


def _xlsx(csv_bytes: bytes) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def seeds(fmt: str, engine: Engine) -> list[tuple[str, bytes]]:
    """(name, bytes) of the real files a format's fuzzing starts from."""
    if fmt == "fasta":
        files = sorted(p for p in (FIXTURES / "sequences" / "fasta").iterdir() if p.is_file())
        files.append(FIXTURES / "demo" / "sequences.fasta")
    elif fmt == "genbank":
        files = sorted(p for p in (FIXTURES / "sequences" / "genbank").iterdir() if p.is_file())
        files.append(FIXTURES / "demo" / "sequences.gb")
    elif fmt == "mcpd-csv":
        files = [FIXTURES / "mcpd" / "mistakes.csv", FIXTURES / "standards" / "golden.mcpd.csv"]
        return [(f.name, f.read_bytes()) for f in files] + [("demo.mcpd.csv", _demo_mcpd(engine))]
    elif fmt == "mcpd-xlsx":
        return [("demo.mcpd.xlsx", _xlsx(_demo_mcpd(engine))),
                ("mistakes.xlsx", _xlsx((FIXTURES / "mcpd" / "mistakes.csv").read_bytes()))]
    elif fmt == "dwca":
        dwca = FIXTURES / "dwca"
        out = [(p.name, p.read_bytes()) for p in sorted(dwca.glob("*.zip"))]
        out += [(p.name + ".zip", _zip_dir(p)) for p in sorted(dwca.iterdir()) if p.is_dir()]
        return out + [("golden-dwca.zip", _zip_dir(FIXTURES / "standards" / "golden-dwca"))]
    elif fmt == "survey-csv":
        lines = (FIXTURES / "surveys" / "demo_surveys.csv").read_bytes().splitlines(keepends=True)
        return [("demo_surveys-head.csv", b"".join(lines[:40])), ("demo_surveys-tail.csv", lines[0] + b"".join(lines[-25:]))]
    else:
        raise ValueError(fmt)
    return [(f.name, f.read_bytes()) for f in files]


# --- mutations of bytes -----------------------------------------------------------------------------------------

from .fuzz_mutations import MUTATIONS, describe, mutate  # noqa: F401  (bench/fuzz_importers.py reads them here)

COUNTED = ("accession", "sequence_record", "survey_occurrence")
STORED = {"fasta": ("sequence_record",), "genbank": ("sequence_record",), "mcpd-csv": ("accession",),
          "mcpd-xlsx": ("accession",), "dwca": ("accession", "survey_occurrence"),
          "survey-csv": ("survey_occurrence",)}


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        out = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in COUNTED}
        out["batch"] = conn.execute(text("SELECT coalesce(max(id), 0) FROM import_batch")).scalar_one()
    return out


def _batches(engine: Engine, after: int) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, format, status, added, updated, unchanged, rejected FROM import_batch "
                                 "WHERE id > :id ORDER BY id"), {"id": after}).mappings()
        return [dict(r) for r in rows]


def researcher(engine: Engine) -> int:
    """A researcher of CTU (their uploads may hold CTU's accessions only)."""
    with Session(engine) as session:
        user = accounts.create_user(session, {"username": f"fuzz{uuid.uuid4().hex[:6]}", "full_name": "Fuzz",
                                              "role": "researcher", "institution_code": "CTU",
                                              "password": "mật-khẩu-đủ-dài"})
        session.commit()
        return user.id


def _problems(result) -> list[str]:
    """Rejected records without a reason naming where they are, as sentences."""
    out: list[str] = []
    if hasattr(result, "errors") and hasattr(result, "counts") and hasattr(result, "unresolved_vouchers"):
        for e in result.errors:  # sequences: RecordError
            if not (e.reason and e.record >= 1 and e.line >= 1):
                out.append(f"sequence error without record/line/reason: {e!r}")
        return out
    problems = getattr(result, "problems", [])
    rows: set = set()
    for p in problems:
        message = getattr(p, "problem", None) or getattr(p, "message", None)
        if not message or not str(message).strip():
            out.append(f"problem without a message: {p!r}")
        if getattr(p, "severity", "error") == "error" and getattr(p, "row", None) is not None:
            rows.add(p.row)
        if hasattr(p, "line") and p.row is not None and not p.line:
            out.append(f"survey problem naming a row but no line: {p!r}")
    rejected = result.rejected if hasattr(result, "rejected") else result.counts["rejected"]
    if rejected > len(rows):
        out.append(f"{rejected} records rejected but only {len(rows)} rows named in the problems: "
                   f"{[str(p) for p in problems[:5]]}")
    return out


def _result_counts(result) -> tuple[int, int, int] | None:
    if hasattr(result, "unresolved_vouchers"):
        return tuple(result.counts[k] for k in ("added", "updated", "unchanged"))
    if hasattr(result, "counts"):  # survey LoadResult: counts only when stored
        return tuple(result.counts[k] for k in ("added", "updated", "unchanged")) if result.ok else (0, 0, 0)
    return result.added, result.updated, result.unchanged


def run_importer(engine: Engine, fmt: str, path: Path, via_job: bool, user_id: int | None, on_error: str):
    """Import `path` as the CLI does, or as a web upload (sniffed, then the jobs handler); the result or None."""
    if via_job:
        detected = sniff(path, path.stat().st_size, MAX_BYTES)
        job = ImportJob(user_id=user_id, format=detected, original_filename=path.name, stored_path=str(path),
                        sha256="", options={})
        HANDLERS[detected](engine, job, lambda done, total=None: None)
        return None
    if fmt in ("fasta", "genbank"):
        from importers.sequences_loader import Options, import_file

        return import_file(engine, str(path), Options(fmt=fmt, workers=0, on_error=on_error))
    if fmt in ("mcpd-csv", "mcpd-xlsx"):
        from importers.loader import ImportOptions, import_mcpd

        options = ImportOptions()
        options.on_error = on_error
        return import_mcpd(engine, path, options)
    if fmt == "dwca":
        from importers.dwca_loader import import_dwca

        return import_dwca(engine, path)
    from importers.survey_loader import load_survey_file

    return load_survey_file(engine, path)


def _where(exc: BaseException) -> str:
    """Where the registry's own code let the exception through: its deepest frame of ours, and the last one."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if str(ROOT) in f.filename and ".venv" not in f.filename]
    show = [f for f in (ours[-1:] + frames[-1:]) if f]
    return " ← ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in show)


def check_one(engine: Engine, fmt: str, path: Path, via_job: bool, user_id: int | None,
              on_error: str = "skip") -> tuple[list[str], bool]:
    """(everything wrong with importing `path`, whether the file was refused as a whole)."""
    before = _counts(engine)
    failures: list[str] = []
    result = None
    refused = False
    try:
        result = run_importer(engine, fmt, path, via_job, user_id, on_error)
    except REFUSALS as exc:
        refused = True
        if len(str(exc).strip()) < 10:
            failures.append(f"{type(exc).__name__} without a message: {exc!r}")
    except Exception as exc:  # noqa: BLE001 - exactly what the fuzzing looks for
        failures.append(f"traceback: {type(exc).__name__}: {exc} (raised {_where(exc)})")
    after = _counts(engine)
    batches = _batches(engine, before["batch"])
    running = [b for b in batches if b["status"] == "running"]
    if running:
        failures.append(f"batch left running: {running}")
    stored = sum(after[t] - before[t] for t in STORED[fmt]) if not via_job else \
        sum(after[t] - before[t] for t in COUNTED)
    added = sum(b["added"] or 0 for b in batches)
    if stored != added:
        failures.append(f"{stored} records stored but the batches say added={added}: {batches}")
    others = [t for t in COUNTED if t not in STORED[fmt] and after[t] != before[t]]
    if others and not via_job:
        failures.append(f"rows of {others} changed by a {fmt} import")
    if result is not None:
        failures += _problems(result)
        counts = _result_counts(result)
        if batches and counts is not None and counts != (batches[-1]["added"], batches[-1]["updated"],
                                                         batches[-1]["unchanged"]):
            failures.append(f"the report says added/updated/unchanged={counts}, the batch {batches[-1]}")
    return failures, refused


# --- the fuzzing loop -------------------------------------------------------------------------------------------

@dataclass
class Stats:
    fmt: str
    tried: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)


def fuzz(fmt: str, engine: Engine, workdir: Path, examples: int, keep: Path | None = None,
         log: Callable[[str], None] | None = None) -> Stats:
    """Run `examples` mutated inputs of `fmt` against `engine`; failing inputs are copied to `keep`."""
    stats = Stats(fmt)
    pool = seeds(fmt, engine)
    user_id = researcher(engine)
    workdir.mkdir(parents=True, exist_ok=True)

    @settings(PROFILE, max_examples=examples)
    @given(seed=st.sampled_from(pool),
           ops=st.lists(st.tuples(st.integers(0, 63), st.integers(0, 2 ** 32 - 1)), max_size=4),
           via_job=st.booleans(), as_researcher=st.booleans(), on_error=st.sampled_from(("skip", "abort")))
    def probe(seed, ops, via_job, as_researcher, on_error):
        name, data = seed
        stats.tried += 1
        payload = mutate(fmt, data, ops)
        path = workdir / f"{stats.tried:05d}-{Path(name).stem}{SUFFIX[fmt]}"
        path.write_bytes(payload)
        found, refused = check_one(engine, fmt, path, via_job, user_id if as_researcher else None, on_error)
        stats.refused += refused
        what = f"{fmt} #{stats.tried} from {name} [{describe(fmt, ops)}] {'upload' if via_job else 'cli'}"
        if found:
            stats.failures.append(f"{what}: " + "\n  ".join(found))
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / path.name).write_bytes(payload)
        if log:
            log(f"{what}: {'FAIL' if found else 'ok'}")
        path.unlink(missing_ok=True)

    probe()
    return stats

"""Taking a file from a stranger: stream it to disk under a limit, check what it really is, leave nothing behind.

Nothing here trusts the file's name or its claimed type: the name is only sanitised for display, the stored
file gets a random name, and the format is decided from the first bytes.
"""
from __future__ import annotations

import gzip
import hashlib
import re
import secrets
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from schemas.messages import N_

from genbank_registry.errors import RegistryError

CHUNK = 1 << 16
MAX_EXPANSION = 20  # a compressed upload may expand at most this many times (zip bombs expand millions)


class UploadRejected(RegistryError):
    """The upload is refused; the message says why and what to do. Nothing of it is kept."""


@dataclass
class StoredUpload:
    path: Path
    original_filename: str
    size: int
    sha256: str
    format: str


def safe_filename(name: str | None) -> str:
    """A display name with no path, no control characters and no markup: 'x/../<script>.gb' → 'script_.gb'."""
    name = unicodedata.normalize("NFC", (name or "upload").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.\- ()]+", "_", name, flags=re.UNICODE).strip(" ._") or "upload"
    return name[:200]


def store_stream(chunks, directory: Path, original_name: str | None, max_bytes: int) -> tuple[Path, int, str]:
    """Write `chunks` to a new random file in `directory`; past `max_bytes` delete it and refuse."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{secrets.token_hex(16)}.upload"
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRejected(N_("%(file)s is larger than the upload limit of %(mb)s MB; split it or ask "
                                            "an administrator to import it with the command line",
                                            file=safe_filename(original_name), mb=max_bytes // (1024 * 1024)))
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRejected(N_("%(file)s is empty", file=safe_filename(original_name)))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest()


def _head(path: Path, n: int = 4096) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def _check_gzip(path: Path, size: int, max_bytes: int) -> bytes:
    limit = min(max_bytes * MAX_EXPANSION, max(size * MAX_EXPANSION, 1 << 20))
    total, head = 0, b""
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                if not head:
                    head = chunk[:4096]
                total += len(chunk)
                if total > limit:
                    raise UploadRejected(N_("the compressed file expands to more than %(mb)s MB (a compression "
                                            "bomb?); upload it uncompressed or split it", mb=limit // (1024 * 1024)))
    except (OSError, EOFError, zlib.error) as exc:
        raise UploadRejected(N_("the file looks gzip-compressed but cannot be read (%(error)s)", error=str(exc))) \
            from None
    return head


def _check_zip(path: Path, size: int, max_bytes: int) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UploadRejected(N_("the file looks like a zip archive but is damaged")) from None
    total = sum(info.file_size for info in archive.infolist())
    if total > max(size * MAX_EXPANSION * 5, 1 << 20) and total > max_bytes:
        raise UploadRejected(N_("the archive expands to %(mb)s MB (a compression bomb?); refused",
                                mb=total // (1024 * 1024)))
    for info in archive.infolist():
        if info.filename.startswith("/") or ".." in Path(info.filename).parts:
            raise UploadRejected(N_("the archive holds a file outside itself (%(name)s); refused",
                                    name=repr(info.filename)))
    return archive


def sniff(path: Path, size: int, max_bytes: int) -> str:
    """The format the bytes say: fasta, genbank, csv, xlsx or dwca; else UploadRejected."""
    head = _head(path)
    if head[:2] == b"\x1f\x8b":
        head = _check_gzip(path, size, max_bytes)
    elif head[:4] == b"PK\x03\x04":
        names = {n.rsplit("/", 1)[-1] for n in _check_zip(path, size, max_bytes).namelist()}
        if "[Content_Types].xml" in names:
            return "xlsx"
        if "meta.xml" in names or any(n.endswith(".txt") or n.endswith(".csv") for n in names):
            return "dwca"
        raise UploadRejected(N_("the zip archive is neither a spreadsheet (XLSX) nor a Darwin Core Archive"))
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if b"\x00" in head:
        raise UploadRejected(N_("the file is binary, not one of the formats the registry imports "
                                "(FASTA, GenBank, CSV, XLSX, Darwin Core Archive)"))
    if text.startswith(b">"):
        return "fasta"
    if text.startswith(b"LOCUS"):
        return "genbank"
    if text[:1] == b"<" or b"<script" in text.lower() or b"<html" in text.lower():
        raise UploadRejected(N_("the file is HTML or XML, not one of the formats the registry imports"))
    first_line = text.split(b"\n", 1)[0]
    if b"," in first_line or b"\t" in first_line or b";" in first_line:
        return "csv"
    raise UploadRejected(N_("the file's format is not recognised: FASTA starts with '>', GenBank with 'LOCUS', "
                            "CSV has a header row; XLSX and Darwin Core Archives are zip files"))


# Formats whose readers tell them by the file name: the stored file gets the suffix its bytes say (an XLSX
# stored as .upload was read as a CSV and refused as "a zip file").
NAMED_BY_SUFFIX = {"xlsx": ".xlsx"}


def accept_upload(chunks, directory: Path, original_name: str | None, max_bytes: int,
                  allowed_formats: set[str] | None = None) -> StoredUpload:
    path, size, digest = store_stream(chunks, directory, original_name, max_bytes)
    try:
        fmt = sniff(path, size, max_bytes)
        if allowed_formats is not None and fmt not in allowed_formats:
            raise UploadRejected(N_("%(format)s files cannot be imported here; allowed: %(allowed)s",
                                    format=fmt, allowed=", ".join(sorted(allowed_formats))))
        if fmt in NAMED_BY_SUFFIX:
            path = path.rename(path.with_suffix(NAMED_BY_SUFFIX[fmt]))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredUpload(path=path, original_filename=safe_filename(original_name), size=size, sha256=digest,
                        format=fmt)

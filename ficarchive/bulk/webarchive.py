"""Where the web archive files of a source are: one WARC or ARC file, a WACZ bundle, or a
folder (on this machine or behind an fsspec URL) of them, with any CDX indexes beside.

Each file to read is an `ArchiveFile`: a name for reports (``site.warc.gz``,
``crawl.wacz/archive/data.warc.gz``), where its bytes are, and, for a WARC inside a WACZ
(stored, as the WACZ spec asks, not compressed again), where in the zip they start, so
a record is read by seeking in the bundle. A WARC gzipped whole rather than record by
record (``gzip site.warc``) cannot be read at random: it is decompressed once into the
run's cache folder, and its offsets are those of the decompressed file.
"""

from __future__ import annotations

import gzip
import io
import posixpath
import shutil
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

import fsspec

from ficarchive.bulk.cdx import INDEX_SUFFIXES
from ficarchive.errors import InputNotFound

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
WACZ_SUFFIX = ".wacz"
_ZIP_HEADER = struct.Struct("<4s22xHH")  # a zip local file header: signature, name/extra sizes


@dataclass(frozen=True)
class ArchiveFile:
    """One WARC or ARC file: its report name and where its bytes are."""

    name: str
    location: str  # a path or fsspec URL
    start: int = 0  # where its bytes start in `location` (a member of a WACZ)
    size: int = -1  # bytes from `start` (-1: to the end)


@dataclass(frozen=True)
class Index:
    """A CDX or CDXJ index: its report name and where it is (`member` inside a WACZ)."""

    name: str
    location: str
    member: str | None = None


def is_web_archive(location: str) -> bool:
    """Whether a location names a web archive file by its name."""
    lower = location.lower().rstrip("/")
    return lower.endswith((*ARCHIVE_SUFFIXES, WACZ_SUFFIX))


# Files a folder of web archives may hold beside them: a crawl's log, configuration, checksums.
_CRAWL_NOTES = (".log", ".yaml", ".yml", ".json", ".md5", ".sha1", ".sha256")


def is_archive_folder(location: str) -> bool:
    """Whether `location` is a folder of web archive files (with their indexes and a
    crawl's notes, nothing else: a site mirror with a WARC in it is a mirror)."""
    try:
        fs, root = _fs(location)
        if not fs.isdir(root):
            return False
        names = [p.lower() for p in fs.find(root) if not _hidden(posixpath.relpath(p, root))]
    except (OSError, ValueError):
        return False
    archives = [n for n in names if n.endswith((*ARCHIVE_SUFFIXES, WACZ_SUFFIX))]
    allowed = (*ARCHIVE_SUFFIXES, WACZ_SUFFIX, *INDEX_SUFFIXES, *_CRAWL_NOTES)
    return bool(archives) and all(n.endswith(allowed) for n in names)


class Window(io.RawIOBase):
    """The bytes `start` … `start + size` of an open file, seekable, as a file of its own."""

    def __init__(self, raw: BinaryIO, start: int, size: int) -> None:
        self.raw, self.start = raw, start
        if size < 0:
            raw.seek(0, io.SEEK_END)
            size = raw.tell() - start
        self.size, self.pos = size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.size - self.pos)
        if want <= 0:
            return 0
        self.raw.seek(self.start + self.pos)
        data = self.raw.read(want)
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_file(found: ArchiveFile) -> BinaryIO:
    """A seekable binary file of one archive file's bytes."""
    local = "://" not in found.location or found.location.startswith("file://")
    raw: BinaryIO = (
        open(found.location.removeprefix("file://"), "rb")  # noqa: SIM115 (the caller closes it)
        if local
        else fsspec.open(found.location, "rb").open()
    )
    if found.start == 0 and found.size < 0:
        return raw
    return io.BufferedReader(Window(raw, found.start, found.size), 2**16)


def _fs(location: str) -> tuple[Any, str]:
    fs, root = fsspec.core.url_to_fs(location)
    return fs, root


def _url(fs: Any, path: str) -> str:
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return path if protocol in ("file", "local") else f"{protocol}://{path}"


def find(location: str) -> tuple[list[ArchiveFile], list[Index]]:
    """The web archive files and the indexes at `location`, in name order;
    `InputNotFound` when there is none."""
    fs, root = _fs(location)
    if not fs.exists(root):
        raise InputNotFound(f"{location}: no such file or folder; check the name")
    if fs.isdir(root):
        names = sorted(p for p in fs.find(root) if not _hidden(posixpath.relpath(p, root)))
        files: list[ArchiveFile] = []
        indexes: list[Index] = []
        for path in names:
            rel = posixpath.relpath(path, root)
            if path.lower().endswith(WACZ_SUFFIX):
                more, found = _wacz(_url(fs, path), rel)
                files += more
                indexes += found
            elif path.lower().endswith(ARCHIVE_SUFFIXES):
                files.append(ArchiveFile(rel, _url(fs, path)))
            elif path.lower().endswith(INDEX_SUFFIXES):
                indexes.append(Index(rel, _url(fs, path)))
        if not files:
            raise InputNotFound(f"{location}: no WARC, ARC or WACZ files in this folder")
        return files, indexes
    name = posixpath.basename(root)
    if root.lower().endswith(WACZ_SUFFIX):
        return _wacz(location, name)
    return [ArchiveFile(name, location)], _beside(fs, root)


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def _beside(fs: Any, path: str) -> list[Index]:
    """A CDX index written beside one WARC (``site.cdx`` by ``site.warc.gz``)."""
    stem = posixpath.basename(path)
    for suffix in ARCHIVE_SUFFIXES[::-1]:
        stem = stem.removesuffix(suffix) if stem.lower().endswith(suffix) else stem
    folder = posixpath.dirname(path)
    return [
        Index(posixpath.basename(p), _url(fs, p))
        for p in (f"{folder}/{stem}{s}" for s in INDEX_SUFFIXES)
        if fs.exists(p)
    ]


def _wacz(location: str, name: str) -> tuple[list[ArchiveFile], list[Index]]:
    """The WARCs and indexes of a WACZ bundle (WACZ 1.1: ``archive/``, ``indexes/``)."""
    with fsspec.open(location, "rb") as raw:
        try:
            bundle = zipfile.ZipFile(raw)
        except zipfile.BadZipFile:
            raise InputNotFound(f"{name}: not a WACZ file (it is not a zip)") from None
        files, indexes = [], []
        for info in bundle.infolist():
            member = info.filename
            if member.startswith("archive/") and member.lower().endswith(ARCHIVE_SUFFIXES):
                if info.compress_type != zipfile.ZIP_STORED:
                    files.append(ArchiveFile(f"{name}/{member}", f"zip://{member}::{location}"))
                    continue
                raw.seek(info.header_offset)
                _sig, length, extra = _ZIP_HEADER.unpack(raw.read(_ZIP_HEADER.size))
                start = info.header_offset + _ZIP_HEADER.size + length + extra
                files.append(ArchiveFile(f"{name}/{member}", location, start, info.file_size))
            elif member.startswith("indexes/") and member.lower().endswith(INDEX_SUFFIXES):
                indexes.append(Index(f"{name}/{member}", location, member))
    if not files:
        raise InputNotFound(f"{name}: a WACZ with no WARC files in its archive/ folder")
    return files, indexes


def index_lines(index: Index) -> Iterator[str]:
    """The lines of a CDX or CDXJ index (gzipped or not), streamed."""
    with fsspec.open(index.location, "rb") as raw:
        if index.member is not None:
            with zipfile.ZipFile(raw) as bundle, bundle.open(index.member) as inner:
                yield from _lines(inner, index.member)
        else:
            yield from _lines(raw, index.name)


def _lines(raw: IO[bytes], name: str) -> Iterator[str]:
    stream = gzip.GzipFile(fileobj=raw) if name.lower().endswith(".gz") else raw
    with io.TextIOWrapper(stream, "utf-8", errors="replace", newline="") as text:
        yield from text


def unpack(found: ArchiveFile, target: Path) -> ArchiveFile:
    """A WARC gzipped whole, decompressed to `target` (streamed): a file read at random."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open_file(found) as raw, gzip.GzipFile(fileobj=raw) as inner, target.open("wb") as out:
        shutil.copyfileobj(inner, out, 2**20)
    return ArchiveFile(found.name, str(target))

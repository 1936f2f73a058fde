"""Where a site mirror is: a folder, a zip or tar(.gz) archive, or any fsspec URL.

A `Source` lists its files as a stream of `Entry` (key, size) — never the whole list at
once — and reads one file's bytes by key. Sources are small and picklable (they hold a
location, not open files), so a worker process or a Dask worker opens its own.

Keys are POSIX paths relative to the source's root (``a/story.html``); they name a file
in every report and output. Hidden files and folders (a leading dot) are skipped, as
``ficarchive rescue`` skips them.

Tar archives cannot be read at random cheaply (a ``.tar.gz`` must be decompressed from
the start), so a tar source says ``random_access = False`` and the engines read its
bytes in order while listing and ship them with each task.

Archives are read within caps, each named in the message that refuses them: a member
may unpack to `MAX_MEMBER_BYTES` at most, a zip member over `RATIO_FROM_BYTES` to at
most `MAX_RATIO` times its packed size, and a tar archive as a whole to at most
`MAX_RATIO` times its size (after a first `RATIO_FROM_BYTES`) and `MAX_UNPACKED_BYTES`
in all: a zip bomb is refused, not expanded. Only regular files of a folder are read,
and a link back up the folder tree is followed once.
"""

from __future__ import annotations

import io
import os
import posixpath
import shutil
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ficarchive.errors import InputError, InputNotFound, InputTooLarge
from ficarchive.files import open_regular, read_file
from ficarchive.rescue.decoding.sniff import MAX_INPUT_BYTES

if TYPE_CHECKING:
    from ficarchive.work import Work

# Bytes of a file the planning pass reads to find part markers and next/previous links.
HEAD_BYTES = 64 * 1024
# Bytes read at a time from a file streamed whole (`Source.chunks`).
CHUNK_BYTES = 2**20
# An HTML page up to this size is read whole in the planning pass (a listing of a
# thousand stories is a few hundred KB; a story's page past its head has no links the
# site's structure needs, only Next/Previous, read from the head).
PAGE_BYTES = 4 * 2**20
# The caps on archives (see the module's docstring). A database dump is the largest
# member a site mirror has (a few GB for a big archive); HTML and text pack 3-10 times.
MAX_MEMBER_BYTES = 4 * 2**30
MAX_RATIO = 100
RATIO_FROM_BYTES = 64 * 2**20
MAX_UNPACKED_BYTES = 64 * 2**30
# What reading a broken archive raises, besides OSError (gzip's and lzma's errors are).
_ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error)


@dataclass(frozen=True)
class Entry:
    """One file of a source: its key (relative POSIX path) and size in bytes."""

    key: str
    size: int


def _hidden(key: str) -> bool:
    return any(part.startswith(".") for part in key.split("/"))


class Source:
    """A mirror of files; subclasses say how they are listed and read."""

    random_access = True
    remote = False  # reads go over a network: the planning pass reads heads in parallel

    def __init__(self, location: str) -> None:
        self.location = location

    def entries(self) -> Iterator[Entry]:
        """Every file, in a stable order, streamed."""
        raise NotImplementedError

    def read(self, key: str) -> bytes:
        """The bytes of one file (refused over the single-story size limit)."""
        raise NotImplementedError

    def head(self, key: str, size: int = HEAD_BYTES) -> bytes:
        return self.read(key)[:size]

    def chunks(self, key: str, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The bytes of one file a piece at a time, with no size limit (a database dump
        can be far larger than any story)."""
        with self._open_file(key) as handle:
            while chunk := handle.read(size):
                yield chunk

    def _open_file(self, key: str) -> BinaryIO:
        return io.BytesIO(self.read(key))

    def stream(self) -> Iterator[tuple[Entry, bytes]]:
        """Every file with its bytes, in listing order (how tar sources are read)."""
        for entry in self.entries():
            yield entry, self.read(entry.key)

    # -- what a web archive source adds (`warcsource.WarcSource`); a folder has none -------
    def planning_head(self, entry: Entry) -> bytes:
        """What the planning pass reads of a file: its first `HEAD_BYTES`, and an HTML page
        whole up to `PAGE_BYTES` (a listing's links run past its head)."""
        from ficarchive.bulk.links import looks_like_html

        head = self.head(entry.key, HEAD_BYTES)
        if HEAD_BYTES < entry.size <= PAGE_BYTES and looks_like_html(head[:2048].decode("latin-1")):
            head = self.head(entry.key, entry.size)
        return head

    def aliases(self) -> Iterator[tuple[str, str]]:
        """(key, target): a link to `key` leads to the file `target` (a captured redirect)."""
        return iter(())

    def notes(self) -> Iterator[tuple[str, str, str]]:
        """(file, reason, kind) rows of the report that the source itself gives."""
        return iter(())

    def rescue(self, key: str, data: bytes) -> Work:
        """The Work of one file's bytes."""
        from ficarchive.rescue import rescue

        return rescue(data, key.rsplit("/", 1)[-1])

    def other_captures(self, key: str) -> list[tuple[str, bytes]]:
        """(name, bytes) of other versions of a file to keep with its originals."""
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"


def _too_large(key: str, size: int) -> InputError:
    return InputTooLarge(
        f"{key}: {size / 2**20:.0f} MB is more than the {MAX_INPUT_BYTES // 2**20} MB a "
        "single story may be; split it into parts (one file per chapter)"
    )


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.1f} MB"


def _member_checked(key: str, size: int, packed: int | None, limit: int) -> None:
    """Refuse a member over `limit`, or (with its packed size known) packed too tight."""
    if size > limit:
        raise InputTooLarge(
            f"{key}: unpacks to {_size(size)}, more than the {_size(limit)} a file of an "
            "archive may be; unpack the archive yourself if you trust it"
        )
    if packed is not None and size > RATIO_FROM_BYTES and size > MAX_RATIO * max(packed, 1):
        raise InputTooLarge(
            f"{key}: unpacks to {_size(size)} from {_size(packed)}, more than {MAX_RATIO} "
            "times its packed size (a zip bomb); unpack the archive yourself if you trust it"
        )


def _broken(location: str, exc: BaseException, kind: str) -> InputError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return InputError(
        f"{location}: not a {kind} archive, or a damaged one ({reason}); check the file, "
        "or unpack it and give the folder"
    )


class FolderSource(Source):
    """A folder on this machine, walked one directory at a time in sorted order."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.root = Path(location)

    def entries(self) -> Iterator[Entry]:
        yield from self._walk(self.root, "", set())

    def _walk(self, folder: Path, prefix: str, seen: set[tuple[int, int]]) -> Iterator[Entry]:
        """Depth first in sorted order; each folder once (a link back up is not followed
        again); a folder that cannot be listed is an entry, reported when it is read."""
        try:
            info = folder.stat()
            with os.scandir(folder) as it:
                children = sorted(
                    (e.name, e.is_dir(), e) for e in it if not e.name.startswith(".")
                )
        except OSError:
            if prefix:
                yield Entry(prefix.rstrip("/"), 0)
                return
            raise
        if (info.st_dev, info.st_ino) in seen:
            return
        seen.add((info.st_dev, info.st_ino))
        for name, is_dir, entry in children:
            if is_dir:
                yield from self._walk(folder / name, prefix + name + "/", seen)
            elif entry.is_file():  # not pipes, sockets or devices: they would block a read
                yield Entry(prefix + name, entry.stat().st_size)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def read(self, key: str) -> bytes:
        return read_file(self._path(key), key)

    def head(self, key: str, size: int = HEAD_BYTES) -> bytes:
        """The first bytes, or none when the file cannot be read (its reading reports it)."""
        try:
            with open_regular(self._path(key), key) as handle:
                return handle.read(size)
        except (InputError, OSError):
            return b""

    def _open_file(self, key: str) -> BinaryIO:
        return open_regular(self._path(key), key)


class ZipSource(Source):
    """A zip archive (local or any fsspec URL): its central directory is the listing."""

    def _open(self) -> tuple[BinaryIO, zipfile.ZipFile]:
        import fsspec

        raw: BinaryIO = fsspec.open(self.location, "rb").open()
        try:
            return raw, zipfile.ZipFile(raw)
        except (*_ARCHIVE_ERRORS, OSError, ValueError) as exc:
            raw.close()
            raise _broken(self.location, exc, "zip") from None

    def entries(self) -> Iterator[Entry]:
        raw, archive = self._open()
        with raw, archive:
            for info in archive.infolist():
                if not info.is_dir() and not _hidden(info.filename):
                    yield Entry(info.filename, info.file_size)

    def read(self, key: str) -> bytes:
        raw, archive = self._open()
        with raw, archive:
            info = archive.getinfo(key)
            if info.file_size > MAX_INPUT_BYTES:
                raise _too_large(key, info.file_size)
            _member_checked(key, info.file_size, info.compress_size, MAX_INPUT_BYTES)
            try:
                return archive.read(key)
            except (*_ARCHIVE_ERRORS, ValueError) as exc:
                raise InputError(f"{key}: damaged in the zip archive ({exc}); skipped") from None

    def head(self, key: str, size: int = HEAD_BYTES) -> bytes:
        """The first bytes of a member (none for one refused: its reading reports it)."""
        raw, archive = self._open()
        with raw, archive:
            try:
                info = archive.getinfo(key)
                _member_checked(key, info.file_size, info.compress_size, MAX_MEMBER_BYTES)
                with archive.open(info) as handle:
                    return handle.read(size)
            except (InputError, KeyError, ValueError, *_ARCHIVE_ERRORS):
                return b""

    def chunks(self, key: str, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        raw, archive = self._open()
        with raw, archive:
            info = archive.getinfo(key)
            _member_checked(key, info.file_size, info.compress_size, MAX_MEMBER_BYTES)
            with archive.open(key) as handle:
                while chunk := handle.read(size):
                    yield chunk


class TarSource(Source):
    """A tar archive, plain or compressed, read front to back as a stream."""

    random_access = False

    def _members(self) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
        """Every regular, visible member, its declared sizes within the caps; raises
        `InputError` for an archive that is broken or cut short where it breaks."""
        import fsspec

        try:
            with fsspec.open(self.location, "rb") as raw:
                allowed = min(MAX_UNPACKED_BYTES, MAX_RATIO * _length(raw) + RATIO_FROM_BYTES)
                total = 0
                with tarfile.open(fileobj=raw, mode="r|*") as tar:
                    for info in tar:
                        key = posixpath.normpath(info.name).lstrip("/")
                        if not info.isfile() or _hidden(key):
                            continue
                        _member_checked(key, info.size, None, MAX_MEMBER_BYTES)
                        total += info.size
                        if total > allowed:
                            raise self._bomb(total, allowed, key)
                        yield tar, info
        except (*_ARCHIVE_ERRORS, OSError) as exc:
            raise _broken(self.location, exc, "tar") from None

    def _bomb(self, total: int, allowed: int, key: str) -> InputTooLarge:
        cap = (
            f"the {_size(MAX_UNPACKED_BYTES)} an archive may unpack to"
            if allowed == MAX_UNPACKED_BYTES
            else f"{MAX_RATIO} times its size"
        )
        return InputTooLarge(
            f"{self.location}: unpacks to more than {_size(total)} by {key}, more than {cap} "
            "(a zip bomb?); unpack it yourself if you trust it, and give the folder"
        )

    def entries(self) -> Iterator[Entry]:
        for _tar, info in self._members():
            yield Entry(posixpath.normpath(info.name).lstrip("/"), info.size)

    def stream(self) -> Iterator[tuple[Entry, bytes]]:
        for tar, info in self._members():
            entry = Entry(posixpath.normpath(info.name).lstrip("/"), info.size)
            if info.size > MAX_INPUT_BYTES:
                yield entry, b""  # refused by the worker with the size in the message
                continue
            handle = tar.extractfile(info)
            yield entry, handle.read() if handle is not None else b""

    def read(self, key: str) -> bytes:
        for entry, data in self.stream():
            if entry.key == key:
                return data
        raise InputNotFound(f"{key}: not in {self.location}")

    def unpack(self, folder: Path) -> list[tuple[str, str]]:
        """Every member written under `folder`, streamed: any size within the caps, even a
        database dump far over the size of a story. Returns (key, reason) of what could
        not be unpacked: a member whose name a folder already has (or the reverse), or
        where the archive breaks off, the members before it unpacked. An archive over the
        caps is refused (`InputTooLarge`) and what was unpacked of it removed."""
        problems: list[tuple[str, str]] = []
        unpacked = 0
        try:
            for tar, info in self._members():
                key = posixpath.normpath(info.name).lstrip("/")
                try:
                    problem = _unpack_member(tar, info, folder, key)
                except _ARCHIVE_ERRORS as exc:  # the archive breaks off inside this member
                    folder.joinpath(*key.split("/")).unlink(missing_ok=True)
                    raise _broken(self.location, exc, "tar") from None
                if problem is not None:
                    problems.append((key, problem))
                else:
                    unpacked += 1
        except InputTooLarge:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        except InputError as exc:
            if not unpacked:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            reason = f"{exc}; the {unpacked} files before the break are rescued"
            problems.append((self.location, reason))
        return problems


def _length(raw: Any) -> int:
    """The size in bytes of an open fsspec or local file."""
    size = getattr(raw, "size", None)
    if isinstance(size, int):
        return size
    here = raw.tell()
    end = int(raw.seek(0, os.SEEK_END))
    raw.seek(here)
    return end


def _unpack_member(
    tar: tarfile.TarFile, info: tarfile.TarInfo, folder: Path, key: str
) -> str | None:
    """Write one member under `folder`; the reason it could not be, or None."""
    target = folder.joinpath(*key.split("/"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = tar.extractfile(info)
        with target.open("wb") as sink:
            if handle is not None:
                shutil.copyfileobj(handle, sink, CHUNK_BYTES)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        return (
            f"{key}: the archive holds a file and a folder of this name (or of a folder "
            "above it); the first one unpacked was kept"
        )
    except OSError as exc:
        return f"{key}: cannot be unpacked ({exc.strerror or exc}); check the free disk space"
    return None


class FsspecSource(Source):
    """A folder behind any fsspec URL (``s3://bucket/dump/``, ``gcs://``, ``memory://``)."""

    remote = True

    def _fs(self) -> tuple[Any, str]:
        import fsspec

        fs, root = fsspec.core.url_to_fs(self.location)
        return fs, root.rstrip("/")

    def entries(self) -> Iterator[Entry]:
        fs, root = self._fs()
        for folder, _dirs, files in fs.walk(root, detail=True):
            base = folder.rstrip("/")
            for name in sorted(files):
                key = posixpath.relpath(f"{base}/{name}", root)
                if not _hidden(key):
                    yield Entry(key, int(files[name].get("size") or 0))

    def read(self, key: str) -> bytes:
        fs, root = self._fs()
        path = f"{root}/{key}"
        size = int(fs.size(path) or 0)
        if size > MAX_INPUT_BYTES:
            raise _too_large(key, size)
        data: bytes = fs.cat_file(path)
        return data

    def head(self, key: str, size: int = HEAD_BYTES) -> bytes:
        fs, root = self._fs()
        data: bytes = fs.cat_file(f"{root}/{key}", start=0, end=size)
        return data

    def _open_file(self, key: str) -> BinaryIO:
        fs, root = self._fs()
        handle: BinaryIO = fs.open(f"{root}/{key}", "rb")
        return handle


_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


def open_source(location: str) -> Source:
    """The source at `location`: a folder, a .zip, a .tar(.gz|.bz2|.xz), a web archive
    (.warc, .warc.gz, .arc, .arc.gz, .wacz, or a folder of them), or an fsspec URL.

    Raises `InputNotFound` when nothing is there.
    """
    from ficarchive.bulk import webarchive

    lower = location.lower().rstrip("/")
    remote = "://" in location and not location.startswith("file://")
    if webarchive.is_web_archive(lower) or webarchive.is_archive_folder(location):
        from ficarchive.bulk.warcsource import WarcSource

        source: Source = WarcSource(location)
        source.check()  # type: ignore[attr-defined]
        return source
    if lower.endswith(".zip"):
        source = ZipSource(location)
    elif lower.endswith(_TAR_SUFFIXES):
        source = TarSource(location)
    elif remote:
        source = FsspecSource(location)
    else:
        path = location.removeprefix("file://")
        if not Path(path).is_dir():
            raise InputNotFound(
                f"{location}: no such folder; give a folder, a .zip or .tar(.gz) of a site "
                "mirror, or an fsspec URL"
            )
        return FolderSource(path)
    if not remote and not Path(location).is_file():
        raise InputNotFound(f"{location}: no such file; check the name and the folder")
    if isinstance(source, ZipSource):
        raw, archive = source._open()  # not a zip: one line now, not a traceback later
        archive.close()
        raw.close()
    return source

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
"""

from __future__ import annotations

import io
import os
import posixpath
import shutil
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ficarchive.errors import InputError, InputNotFound
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
    from ficarchive.errors import InputTooLarge

    return InputTooLarge(
        f"{key}: {size / 2**20:.0f} MB is more than the {MAX_INPUT_BYTES // 2**20} MB a "
        "single story may be"
    )


class FolderSource(Source):
    """A folder on this machine, walked one directory at a time in sorted order."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.root = Path(location)

    def entries(self) -> Iterator[Entry]:
        yield from self._walk(self.root, "")

    def _walk(self, folder: Path, prefix: str) -> Iterator[Entry]:
        with os.scandir(folder) as it:
            children = sorted((e.name, e.is_dir(), e) for e in it if not e.name.startswith("."))
        for name, is_dir, entry in children:
            if is_dir:
                yield from self._walk(folder / name, prefix + name + "/")
            elif entry.is_file():  # not pipes, sockets or devices: they would block a read
                yield Entry(prefix + name, entry.stat().st_size)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def read(self, key: str) -> bytes:
        path = self._path(key)
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise _too_large(key, size)
        return path.read_bytes()

    def head(self, key: str, size: int = HEAD_BYTES) -> bytes:
        with self._path(key).open("rb") as handle:
            return handle.read(size)

    def _open_file(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")


class ZipSource(Source):
    """A zip archive (local or any fsspec URL): its central directory is the listing."""

    def _open(self) -> tuple[BinaryIO, zipfile.ZipFile]:
        import fsspec

        raw: BinaryIO = fsspec.open(self.location, "rb").open()
        return raw, zipfile.ZipFile(raw)

    def entries(self) -> Iterator[Entry]:
        raw, archive = self._open()
        with raw, archive:
            for info in archive.infolist():
                if not info.is_dir() and not _hidden(info.filename):
                    yield Entry(info.filename, info.file_size)

    def read(self, key: str) -> bytes:
        raw, archive = self._open()
        with raw, archive:
            size = archive.getinfo(key).file_size
            if size > MAX_INPUT_BYTES:
                raise _too_large(key, size)
            return archive.read(key)

    def chunks(self, key: str, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        raw, archive = self._open()
        with raw, archive, archive.open(key) as handle:
            while chunk := handle.read(size):
                yield chunk


class TarSource(Source):
    """A tar archive, plain or compressed, read front to back as a stream."""

    random_access = False

    def _members(self) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
        import fsspec

        with fsspec.open(self.location, "rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as tar:
            for info in tar:
                key = posixpath.normpath(info.name).lstrip("/")
                if info.isfile() and not _hidden(key):
                    yield tar, info

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

    def unpack(self, folder: Path) -> None:
        """Every member written under `folder`, streamed: any size, even a database dump
        far over the size of a story."""
        for tar, info in self._members():
            handle = tar.extractfile(info)
            target = folder.joinpath(*posixpath.normpath(info.name).lstrip("/").split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as sink:
                if handle is not None:
                    shutil.copyfileobj(handle, sink, CHUNK_BYTES)


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
    return source

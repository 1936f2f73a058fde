"""Web archive files as a source: every captured page a file at its mirror path.

``ficarchive bulk rescue site.warc.gz`` (or a WACZ, an ARC file, a folder of them, an
fsspec URL of any) reads a crawl as the mirror folder a mirroring tool would have written
from it: the keys are the captured URLs as mirror paths (`urls.place`), the bytes of a
key are the payload of the capture chosen for it (`captures.CaptureIndex`), and the
planning pass reads each page's links as the mirror would have them (`urls.mirror_links`),
so a site's pages are grouped and joined into stories exactly as from the folder: the
Works are the same by construction. What is particular to a capture is added to each
Work here (`rescue`): the source's URL, capture time, WARC file and record offset; the
charset the HTTP header gave where the page itself says none; every other capture of
the page, kept with the originals (`other_captures`).
"""

from __future__ import annotations

import codecs
import hashlib
import posixpath
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ficarchive.bulk.captures import Capture, CaptureIndex, iso
from ficarchive.bulk.links import looks_like_html
from ficarchive.bulk.sources import HEAD_BYTES, PAGE_BYTES, Entry, Source
from ficarchive.bulk.urls import mirror_links
from ficarchive.bulk.warc import Payload, sniff
from ficarchive.bulk.webarchive import find, is_archive_folder, open_file
from ficarchive.errors import FicarchiveError, InputError, InputNotFound
from ficarchive.rescue.decoding.decode import declared_charset
from ficarchive.work import Diagnostic, Work

# Charsets the rescue tells apart itself from the bytes (a declaration of one is a hint
# it may overrule); a header naming another is taken when the bytes fit it.
_DETECTED = {"cp1252", "latin_1", "iso8859_15", "ascii", "utf_8", "mac_roman", "cp437", "cp850"}


class NotAWebArchive(InputError):
    """A file named like a WARC that is not one."""


class WarcSource(Source):
    """The captures of one or more web archive files, as the files of a site mirror."""

    def __init__(self, location: str, index: str | None = None) -> None:
        super().__init__(location)
        self.index_path = index
        self._index: CaptureIndex | None = None
        self._last: tuple[str, Payload] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"location": self.location, "index_path": self.index_path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["location"], state["index_path"])  # type: ignore[misc]

    # -- the index ------------------------------------------------------------------------
    def check(self) -> None:
        """`InputNotFound` or `NotAWebArchive`, in one line, before anything is planned."""
        files, _indexes = find(self.location)
        if len(files) > 1 or is_archive_folder(self.location):
            return  # in a folder, a file that is no web archive is one row of the report
        for found in files:
            try:
                with open_file(found) as handle:
                    head = handle.read(512)
            except OSError as exc:
                raise InputNotFound(
                    f"{found.name}: cannot be read ({exc.strerror or exc})"
                ) from None
            if sniff(head) is None:
                raise NotAWebArchive(
                    f"{found.name}: not a WARC or ARC file (its first bytes are not a record); "
                    "give a .warc, .warc.gz, .arc(.gz) or .wacz file as written by a crawler"
                )

    def indexed(self, folder: Path) -> WarcSource:
        """This source with its capture index in `folder` (built there the first time)."""
        path = folder / "captures.sqlite"
        index = CaptureIndex(path)
        try:
            if not index.built:
                files, indexes = find(self.location)
                index.build(files, indexes, folder)
        finally:
            index.close()
        return WarcSource(self.location, str(path))

    @property
    def index(self) -> CaptureIndex:
        if self._index is None:
            if self.index_path is None or not Path(self.index_path).exists():
                raise FicarchiveError(
                    f"{self.location}: the index of its captures is not at {self.index_path} on "
                    "this machine; run bulk rescue of a web archive on the local engine or a "
                    "Dask LocalCluster, or with --out on a file system every worker shares"
                )
            self._index = CaptureIndex(Path(self.index_path))
        return self._index

    # -- the Source interface --------------------------------------------------------------
    def entries(self) -> Iterator[Entry]:
        for key, size in self.index.entries():
            yield Entry(key, size)

    def _payload(self, key: str) -> Payload:
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        found = self.index.capture(key)
        if found is None:
            raise InputNotFound(f"{key}: not a page of {self.location}")
        chosen, _others = found
        try:
            payload = self.index.payload(chosen.body)
        except FicarchiveError as exc:
            raise type(exc)(f"{key}: {exc}") from None
        self._last = (key, payload)
        return payload

    def read(self, key: str) -> bytes:
        return self._payload(key).body

    def head(self, key: str, size: int = HEAD_BYTES) -> bytes:
        return self.read(key)[:size]

    def chunks(self, key: str, size: int = 2**20) -> Iterator[bytes]:
        data = self.read(key)
        for start in range(0, len(data), size):
            yield data[start : start + size]

    # -- what the planning pass and the workers ask of a web archive -----------------------
    def planning_head(self, entry: Entry) -> bytes:
        """What the planning pass reads of a page, as from the mirror folder (its first
        `HEAD_BYTES`, an HTML page whole up to `PAGE_BYTES`), with its links as the
        mirror would have them."""
        data = self.read(entry.key)
        head = data[:HEAD_BYTES]
        if HEAD_BYTES < len(data) <= PAGE_BYTES and looks_like_html(head[:2048].decode("latin-1")):
            head = data
        found = self.index.capture(entry.key)
        if found is None or (b"//" not in head and b"/web/" not in head):
            return head
        return mirror_links(head, found[0].url, entry.key, self.index.key_for)

    def aliases(self) -> Iterator[tuple[str, str]]:
        """(key, target) of each captured redirect: a link to `key` leads to `target`."""
        yield from self.index.aliases()

    def notes(self) -> Iterator[tuple[str, str, str]]:
        """(file, reason, kind) report rows: capture choices, pages not rescued, bad records."""
        yield from self.index.notes()

    def rescue(self, key: str, data: bytes) -> Work:
        """The Work of one captured page: rescued, its capture in the source."""
        payload = self._payload(key)
        found = self.index.capture(key)
        work = rescue_page(data, posixpath.basename(key) or key, payload.charset)
        if found is None:
            return work
        chosen, others = found
        return stamp(work, chosen, others, key)

    def other_captures(self, key: str) -> list[tuple[str, bytes]]:
        """(name, bytes) of every other capture of the page, for the Work's originals."""
        found = self.index.capture(key)
        if found is None:
            return []
        kept = []
        for other in found[1]:
            if other.body == found[0].body:
                continue  # a revisit: the same bytes, kept once
            try:
                data = self.index.payload(other.body).body
            except FicarchiveError:
                continue
            kept.append((f"captures/{other.date}/{key}", data))
        return kept


def stamp(work: Work, chosen: Capture, others: list[Capture], key: str) -> Work:
    """`work` with its capture in the source, and its other captures in a diagnostic."""
    if work.source is None:
        return work
    source = replace(
        work.source,
        url=chosen.url,
        captured=iso(chosen.date),
        warc_file=chosen.archive,
        warc_offset=chosen.offset,
    )
    notes = [
        Diagnostic(
            "capture",
            f"another capture of {other.url}, {iso(other.date)} ({other.archive}, record at "
            f"byte {other.offset:,}); its bytes are kept with the originals as "
            f"captures/{other.date}/{key}",
            other.url,
        )
        for other in others
    ]
    return work.evolve(source=source, diagnostics=(*work.diagnostics, *notes))


def rescue_page(data: bytes, name: str, charset: str | None) -> Work:
    """`rescue`, with the charset of the HTTP header as a declaration where the page has
    none: taken when it is one rescue cannot tell from the bytes and they fit it."""
    from ficarchive.rescue import rescue as rescue_bytes

    if not charset or declared_charset(data) is not None:
        return rescue_bytes(data, name)
    try:
        codec = codecs.lookup(charset).name.replace("-", "_")
    except LookupError:
        return rescue_bytes(data, name)
    if codec in _DETECTED:
        return rescue_bytes(data, name)
    try:
        data.decode("utf-8")
        return rescue_bytes(data, name)  # valid UTF-8 wins, as everywhere in rescue
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return rescue_bytes(data, name)
    work = rescue_bytes(text.encode("utf-8"), name)
    assert work.source is not None
    source = replace(
        work.source, encoding=charset, sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )
    note = Diagnostic("encoding", f"the HTTP header says charset={charset} and the bytes fit "
                      f"it (the page declares none); read as {charset}")  # fmt: skip
    return work.evolve(source=source, diagnostics=(note, *work.diagnostics))


__all__ = ["NotAWebArchive", "WarcSource", "rescue_page", "stamp"]

"""The captures of a source's web archive files, indexed once, and the page each URL gives.

Building the index (a small SQLite file beside the run's plan) reads each file's CDX or
CDXJ index when one is there (so no record is read for it), else scans the file once
(`warc.scan`). Every capture record is a row: its file and offset, URL, time, HTTP
status, payload digest. Then, for each page of the site (a captured URL as its mirror
key, `urls.place`), the capture to rescue is chosen:

- only a ``response`` or ``resource`` with status 200 is a page; a ``revisit`` is the
  payload it points at (the same digest, or the capture it names); a redirect makes its
  URL stand for its target (an alias); any other status is reported, not rescued;
- of several captures of one page, the most complete: not an error page saved under a
  200 (a 404 page, "not found"), then the most visible text (a later "site closed" or
  "moved" page is shorter), then the latest; the choice and every other capture are
  reported, and every capture's bytes are kept with the Work.

Memory stays flat: rows are written a thousand at a time and read back with cursors.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ficarchive.bulk import cdx
from ficarchive.bulk.links import read_links
from ficarchive.bulk.urls import Place, key_of, place
from ficarchive.bulk.warc import Fault, Payload, Record, read_payload, scan
from ficarchive.bulk.webarchive import ArchiveFile, Index, index_lines, open_file, unpack
from ficarchive.errors import FicarchiveError

BATCH = 1000
# Web archive files kept open at once for reading records (a crawl may have thousands).
OPEN_FILES = 8
# Payload bytes read to score a capture against others of the same page.
SCORE_BYTES = 2**20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS archives (fid INTEGER PRIMARY KEY, name TEXT, location TEXT,
    start INTEGER, size INTEGER);
CREATE TABLE IF NOT EXISTS records (rid INTEGER PRIMARY KEY, fid INTEGER, offset INTEGER,
    length INTEGER, kind TEXT, url TEXT, date TEXT, status INTEGER, mime TEXT, digest TEXT,
    location TEXT, refers_url TEXT, refers_date TEXT, size INTEGER, host TEXT, path TEXT,
    page_url TEXT, wayback TEXT);
CREATE INDEX IF NOT EXISTS records_page ON records (host, path);
CREATE INDEX IF NOT EXISTS records_digest ON records (digest);
CREATE INDEX IF NOT EXISTS records_url ON records (url, date);
CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, sort BLOB, rid INTEGER,
    body INTEGER, size INTEGER, others TEXT);
CREATE INDEX IF NOT EXISTS entries_sort ON entries (sort);
CREATE TABLE IF NOT EXISTS aliases (key TEXT PRIMARY KEY, target TEXT);
CREATE TABLE IF NOT EXISTS notes (n INTEGER PRIMARY KEY, file TEXT, reason TEXT, kind TEXT);
"""
_COLUMNS = (
    "fid, offset, length, kind, url, date, status, mime, digest, location, refers_url, "
    "refers_date, size, host, path, page_url, wayback"
)


@dataclass(frozen=True)
class Capture:
    """One capture of a page: which record, and which record holds its payload."""

    rid: int
    body: int  # the record whose payload it is (a revisit's points elsewhere)
    url: str  # the page's address (the original, for a capture through the Wayback Machine)
    date: str  # 14 digits
    archive: str  # the report name of the file it is in
    offset: int


def iso(date: str) -> str:
    """14 digits as ISO 8601 in UTC.

    >>> iso("20030412093000")
    '2003-04-12T09:30:00Z'
    """
    return f"{date[:4]}-{date[4:6]}-{date[6:8]}T{date[8:10]}:{date[10:12]}:{date[12:14]}Z"


def sort_key(key: str) -> bytes:
    """Keys in the order a folder walk sorted by name gives them (`FolderSource`)."""
    return b"\x00".join(part.encode("utf-8", "surrogateescape") for part in key.split("/"))


class CaptureIndex:
    """The SQLite index of one source's captures (made if absent)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")  # a cache: rebuilt if a crash spoils it
        self.db.executescript(_SCHEMA)
        self._handles: dict[int, BinaryIO] = {}

    def __del__(self) -> None:  # a source's index lives as long as the process using it
        with contextlib.suppress(Exception):
            self.close()

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
        self.db.close()

    @property
    def built(self) -> bool:
        return self.db.execute("SELECT v FROM meta WHERE k = 'built'").fetchone() is not None

    # -- building ---------------------------------------------------------------------------
    def build(self, files: list[ArchiveFile], indexes: list[Index], cache: Path) -> None:
        """Index every capture of `files` (from `indexes` where they cover a file)."""
        self.db.executescript(
            "DELETE FROM archives; DELETE FROM records; DELETE FROM entries; "
            "DELETE FROM aliases; DELETE FROM notes; DELETE FROM meta;"
        )
        fids = {}
        for found in files:
            cursor = self.db.execute(
                "INSERT INTO archives (name, location, start, size) VALUES (?, ?, ?, ?)",
                (found.name, found.location, found.start, found.size),
            )
            fids[found.name] = int(cursor.lastrowid or 0)
        covered = self._from_indexes(indexes, fids)
        for found in files:
            if found.name not in covered:
                self._scan(found, fids[found.name], cache)
        self.db.execute("BEGIN")
        self._choose()
        self.db.execute("INSERT INTO meta VALUES ('built', '1')")
        self.db.execute("COMMIT")

    def _note(self, file: str, reason: str, kind: str) -> None:
        self.db.execute(
            "INSERT INTO notes (file, reason, kind) VALUES (?, ?, ?)", (file, reason, kind)
        )

    def _insert(self, rows: list[tuple[object, ...]]) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self.db.execute("BEGIN")
        self.db.executemany(
            f"INSERT INTO records ({_COLUMNS}) VALUES ({', '.join('?' * 17)})", rows
        )
        self.db.execute("COMMIT")

    def _scan(self, found: ArchiveFile, fid: int, cache: Path) -> None:
        try:
            with open_file(found) as handle:
                handle.seek(0, 2)
                size = handle.tell()
                self._scan_handle(found, fid, handle, size, cache)
        except OSError as exc:
            self._note(found.name, f"{found.name}: cannot be read ({exc.strerror or exc}); "
                       "none of its captures is rescued", "failed")  # fmt: skip

    def _scan_handle(
        self, found: ArchiveFile, fid: int, handle: object, size: int, cache: Path
    ) -> None:
        rows: list[tuple[object, ...]] = []
        for item in scan(handle, size):  # type: ignore[arg-type]
            if isinstance(item, Fault):
                if "gzipped whole" in item.reason:
                    self._insert(rows)
                    self._whole_gzip(found, fid, cache)
                    return
                said = f"{found.name}, the record at byte {item.offset:,}: {item.reason}"
                if "cut short" not in item.reason:
                    said += "; the records after it were read"
                self._note(found.name, said, "failed")
                continue
            rows.append(_row(fid, item))
            if len(rows) >= BATCH:
                self._insert(rows)
                rows = []
        self._insert(rows)

    def _whole_gzip(self, found: ArchiveFile, fid: int, cache: Path) -> None:
        """A WARC gzipped whole: decompressed into the cache, then scanned there."""
        self.db.execute("DELETE FROM records WHERE fid = ?", (fid,))
        plain = unpack(found, cache / f"unpacked-{fid}.warc")
        self.db.execute("UPDATE archives SET location = ?, start = 0, size = -1 WHERE fid = ?",
                        (plain.location, fid))  # fmt: skip
        said = "gzipped whole rather than record by record; read from a decompressed copy"
        self._note(found.name, f"{found.name}: {said} (its offsets are the copy's)", "index")
        with open_file(plain) as handle:
            handle.seek(0, 2)
            self._scan_handle(plain, fid, handle, handle.tell(), cache)

    def _from_indexes(self, indexes: list[Index], fids: dict[str, int]) -> set[str]:
        """Rows from the CDX/CDXJ indexes; the names of the files they cover."""
        by_base = {name.rsplit("/", 1)[-1]: fid for name, fid in fids.items()}
        covered: set[str] = set()
        for index in indexes:
            rows: list[tuple[object, ...]] = []
            bad = 0
            try:
                for line in cdx.parse(index_lines(index)):
                    if isinstance(line, str):
                        bad += 1
                        continue
                    fid = by_base.get(line.filename.rsplit("/", 1)[-1])
                    if fid is not None:
                        rows.append(_line_row(fid, line))
            except (OSError, EOFError, UnicodeError) as exc:
                self._note(index.name, f"{index.name}: the index cannot be read ({exc}); the "
                           "WARCs are scanned instead", "failed")  # fmt: skip
                continue
            self._insert(rows)
            names = {n for n, fid in fids.items() if fid in {r[0] for r in rows}}
            covered |= names
            if bad:
                self._note(index.name, f"{index.name}: {bad} lines of the index cannot be "
                           "read and were left out", "failed")  # fmt: skip
        self._fill_lengths(covered, fids)
        return covered

    def _fill_lengths(self, covered: set[str], fids: dict[str, int]) -> None:
        """An index without record lengths (wget's CDX): up to the next listed record."""
        for name in covered:
            fid = fids[name]
            self.db.execute(
                "UPDATE records SET length = coalesce((SELECT min(n.offset) FROM records n "
                "WHERE n.fid = records.fid AND n.offset > records.offset) - offset, 0) "
                "WHERE fid = ? AND (length IS NULL OR length <= 0)",
                (fid,),
            )

    # -- choosing -------------------------------------------------------------------------
    def _choose(self) -> None:
        hosts = self.db.execute(
            "SELECT count(DISTINCT host) FROM records WHERE host IS NOT NULL"
        ).fetchone()[0]
        single = hosts <= 1
        self.db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('single_host', ?)", (str(int(single)),)
        )
        pages = self.db.execute(
            "SELECT host, path FROM records WHERE host IS NOT NULL GROUP BY host, path "
            "ORDER BY host, path"
        )
        batch: list[tuple[object, ...]] = []
        for host, path in _cursor(pages):
            key = key_of(Place(host, path, ""), single)
            entry = self._page(key, host, path)
            if entry is not None:
                batch.append(entry)
            if len(batch) >= BATCH:
                self._entries(batch)
                batch = []
        self._entries(batch)
        self._resolve_aliases()

    def _entries(self, rows: list[tuple[object, ...]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)", rows)

    def _page(self, key: str, host: str, path: str) -> tuple[object, ...] | None:
        """The entry of one page: its chosen capture and the others (None: no page)."""
        rows = self.db.execute(
            "SELECT rid, kind, status, digest, refers_url, refers_date, location, url, date, "
            "size FROM records WHERE host = ? AND path = ? ORDER BY date, rid",
            (host, path),
        ).fetchall()
        good = []
        for rid, kind, status, digest, refers_url, refers_date, _loc, _url, date, size in rows:
            if status not in (200, None):
                continue
            body = rid if kind != "revisit" else self._payload_of(digest, refers_url, refers_date)
            if body is None:
                said = f"the capture of {_url} on {iso(date)} is a revisit of a capture"
                self._note(key, f"{key}: {said} not in these files; not rescued", "failed")
                continue
            good.append((rid, body, date, size, digest))
        if not good:
            if not any(r[2] in (200, None) for r in rows):  # else reported above
                self._no_page(key, rows)
            return None
        chosen, others = self._best(key, good)
        size = chosen[3] if chosen[3] is not None else 0
        kept = json.dumps([[o[0], o[1], o[2]] for o in others])
        return key, sort_key(key), chosen[0], chosen[1], size, kept

    def _payload_of(self, digest: str | None, url: str | None, date: str | None) -> int | None:
        """The record holding a revisit's payload: the same digest, else the one it names."""
        if digest:
            row = self.db.execute(
                "SELECT rid FROM records WHERE digest = ? AND kind != 'revisit' LIMIT 1", (digest,)
            ).fetchone()
            if row:
                return int(row[0])
        if url:
            row = self.db.execute(
                "SELECT rid FROM records WHERE url = ? AND kind != 'revisit' "
                "ORDER BY abs(CAST(date AS INTEGER) - CAST(? AS INTEGER)) LIMIT 1",
                (url, date or "0"),
            ).fetchone()
            if row:
                return int(row[0])
        return None

    def _no_page(self, key: str, rows: list[tuple[object, ...]]) -> None:
        """A page with no capture to rescue: a redirect (an alias), or what the server said."""
        last = rows[-1]
        status, location, url, date = last[2], last[6], last[7], str(last[8])
        if isinstance(status, int) and 300 <= status < 400 and location:
            target = place(_join(str(url), str(location)))
            if target is not None:
                self.db.execute("INSERT OR REPLACE INTO aliases VALUES (?, ?)",
                                (key, json.dumps([target.host, target.path])))  # fmt: skip
                return
        said = f"answered HTTP {status}" if status else "gave no page"
        self._note(key, f"{key}: {url} {said} when it was captured ({iso(date)}); "
                   "not a page to rescue", "skipped")  # fmt: skip

    def _resolve_aliases(self) -> None:
        single = self.single_host
        for key, target in self.db.execute("SELECT key, target FROM aliases").fetchall():
            host, path = json.loads(target)
            resolved = key_of(Place(host, path, ""), single)
            if self.db.execute("SELECT 1 FROM entries WHERE key = ?", (resolved,)).fetchone():
                self.db.execute("UPDATE aliases SET target = ? WHERE key = ?", (resolved, key))
                self._note(key, f"{key}: a redirect to {resolved}, which is rescued in its "
                           "place", "skipped")  # fmt: skip
            else:
                self.db.execute("DELETE FROM aliases WHERE key = ?", (key,))
                self._note(key, f"{key}: a redirect to {resolved}, which was not captured",
                           "skipped")  # fmt: skip

    def _best(
        self, key: str, good: list[tuple[int, int, str, int | None, str | None]]
    ) -> tuple[
        tuple[int, int, str, int | None, str | None],
        list[tuple[int, int, str, int | None, str | None]],
    ]:
        """The most complete of a page's captures, and the others (the choice reported)."""
        if len(good) == 1:
            return good[0], []
        scored = []
        seen: dict[str, tuple[tuple[int, int], str]] = {}
        for capture in good:
            digest = capture[4]
            if digest and digest in seen:
                score, why = seen[digest]
            else:
                score, why = self._score(key, capture[1])
                if digest:
                    seen[digest] = (score, why)
            original = int(capture[0] == capture[1])  # the bytes' own record, not a revisit
            scored.append(((*score, original, capture[2]), capture, why))
        scored.sort(key=lambda item: item[0], reverse=True)
        chosen = scored[0][1]
        others = [c for _, c, _ in scored[1:]]
        said = "; ".join(f"{iso(c[2])}: {why}" for _, c, why in scored)
        self._note(key, f"{key}: {len(good)} captures; the one of {iso(chosen[2])} is "
                   f"rescued, the most complete ({said}); every capture's bytes are kept "
                   "with the work", "capture")  # fmt: skip
        return chosen, others

    def _score(self, key: str, body: int) -> tuple[tuple[int, int], str]:
        """(not an error page, visible characters) of a capture's payload, and in words."""
        try:
            payload = self.payload(body)
        except FicarchiveError as exc:
            return (-1, 0), f"cannot be read ({exc})"
        text = payload.body[:SCORE_BYTES].decode("cp1252", errors="replace")
        facts = read_links(key, text) if "<" in text[:4096] else None
        if facts is not None and facts.error:
            return (0, facts.visible), f"an error page (“{facts.error}”)"
        visible = facts.visible if facts is not None else len(" ".join(text.split()))
        return (1, visible), f"{visible:,} characters"

    # -- reading --------------------------------------------------------------------------
    @property
    def single_host(self) -> bool:
        row = self.db.execute("SELECT v FROM meta WHERE k = 'single_host'").fetchone()
        return row is None or row[0] == "1"

    def entries(self) -> Iterator[tuple[str, int]]:
        """(key, payload size) of every page, in the order of a sorted folder walk."""
        cursor = self.db.cursor()
        cursor.execute("SELECT key, size FROM entries ORDER BY sort")
        for key, size in _cursor(cursor):
            yield str(key), int(size or 0)

    def capture(self, key: str) -> tuple[Capture, list[Capture]] | None:
        """The chosen capture of a page and its others (None: no such page)."""
        row = self.db.execute(
            "SELECT rid, body, others FROM entries WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        chosen = self._capture(int(row[0]), int(row[1]))
        others = [self._capture(int(rid), int(body)) for rid, body, _d in json.loads(row[2])]
        return chosen, others

    def _capture(self, rid: int, body: int) -> Capture:
        url, date, name, offset = self.db.execute(
            "SELECT r.page_url, r.date, a.name, r.offset FROM records r JOIN archives a "
            "ON a.fid = r.fid WHERE r.rid = ?",
            (rid,),
        ).fetchone()
        return Capture(rid, body, str(url), str(date), str(name), int(offset))

    def payload(self, body: int) -> Payload:
        """The payload of record `body`, read from its file."""
        name, location, start, size, offset, length = self.db.execute(
            "SELECT a.name, a.location, a.start, a.size, r.offset, r.length FROM records r "
            "JOIN archives a ON a.fid = r.fid WHERE r.rid = ?",
            (body,),
        ).fetchone()
        try:
            handle = self._handle(ArchiveFile(str(name), str(location), int(start), int(size)))
            return read_payload(handle, int(offset), int(length or 0))
        except OSError as exc:
            raise WarcUnreadable(f"{name}: cannot be read ({exc.strerror or exc})") from None

    def _handle(self, found: ArchiveFile) -> BinaryIO:
        """The file of `found`, kept open for the next read of it (a few at a time)."""
        key = hash((found.location, found.start))
        if key not in self._handles:
            if len(self._handles) >= OPEN_FILES:
                self._handles.pop(next(iter(self._handles))).close()
            self._handles[key] = open_file(found)
        return self._handles[key]

    def aliases(self) -> Iterator[tuple[str, str]]:
        yield from ((str(k), str(t)) for k, t in self.db.execute("SELECT key, target FROM aliases"))

    def notes(self) -> Iterator[tuple[str, str, str]]:
        cursor = self.db.cursor()
        cursor.execute("SELECT file, reason, kind FROM notes ORDER BY n")
        for file, reason, kind in _cursor(cursor):
            yield str(file), str(reason), str(kind)

    def key_for(self, url: str) -> str | None:
        """The key of the page captured from `url` (an alias's target), None if none."""
        found = place(url)
        if found is None:
            return None
        key = key_of(found, self.single_host)
        row = self.db.execute(
            "SELECT key FROM entries WHERE key = ? UNION ALL SELECT target FROM aliases "
            "WHERE key = ? LIMIT 1",
            (key, key),
        ).fetchone()
        return str(row[0]) if row else None


class WarcUnreadable(FicarchiveError):
    """A web archive file cannot be read any more (moved, removed, no permission)."""


def _cursor(cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    while rows := cursor.fetchmany(BATCH):
        yield from rows


def _join(base: str, href: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, href)


def _row(fid: int, record: Record) -> tuple[object, ...]:
    where = place(record.url)
    return (
        fid, record.offset, record.length, record.kind, record.url, _when(where, record.date),
        record.status, record.mime, record.digest, record.location, record.refers_url,
        record.refers_date, record.size, where.host if where else None,
        where.path if where else None, where.url if where else None,
        where.wayback_time if where else None,
    )  # fmt: skip


def _when(where: Place | None, date: str) -> str:
    """A capture through the Wayback Machine is of the time its address says."""
    if where is not None and where.wayback_time:
        return where.wayback_time.replace("-", "").replace(":", "").replace("T", "")[:14]
    return date


def _line_row(fid: int, line: cdx.Line) -> tuple[object, ...]:
    where = place(line.url)
    kind = "revisit" if line.revisit else "response"
    return (
        fid, line.offset, line.length, kind, line.url, _when(where, line.date), line.status,
        line.mime, line.digest, line.redirect, None, None, None,
        where.host if where else None, where.path if where else None,
        where.url if where else None, where.wayback_time if where else None,
    )  # fmt: skip

"""``ficarchive check``: is the archive whole, and if not, what is wrong with it.

On SQLite the file is opened read-only (nothing is ever written by a check) and gets:
``PRAGMA integrity_check`` (every page, index and constraint), the full-text index
against the works (the same works, and FTS5's own ``integrity-check`` where the file can
be locked), foreign keys, and the kept tag counts against counting. On both backends:
every work row is read as the reader would (`validate.read_work`, the Work as rescued
too), every original's bytes are hashed and compared with the hash they are kept under,
every edit can be read, and second copies of one file (from before schema 3) are
listed. A check reads every row once: on a large archive it takes a while.

Works are found from the table and from each of its indexes, so a damaged page hides as
few of them as it can; each is then read on its own, and one that cannot be is a
problem for that work alone. `salvage` (in `salvage.py`) copies what reads.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ficarchive.archive.records import hit
from ficarchive.archive.sqlite_file import Mode, connect
from ficarchive.archive.validate import read_work
from ficarchive.errors import ArchiveDamaged, ArchiveUnavailable, DamagedWork

# Lines of PRAGMA integrity_check reported at most (the first say enough).
INTEGRITY_LINES = 20
# Indexes of ``works`` whose entries name every work: read when the table itself is not.
WORK_INDEXES = ("works_added", "works_words", "works_sha256", "works_source_key")


class Unreadable(Exception):
    """A statement the database could not answer (a damaged page, a lost connection)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong: `part` is ``file``, ``search``, ``work``, ``original``, ``edit``
    or ``tags``; `work_id` names the work when it is about one."""

    part: str
    message: str
    work_id: int | None = None


@dataclass
class CheckReport:
    location: str
    works: int = 0  # rows found
    readable: int = 0  # of them, readable as a Work
    originals: int = 0  # kept originals whose bytes match their hash
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # not wrong, worth knowing

    @property
    def sound(self) -> bool:
        return not self.problems


class Rows:
    """Statements against one archive, read-only; `Unreadable` for what cannot be read."""

    param = "?"

    def all(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:  # pragma: no cover
        raise NotImplementedError

    def as_far_as_it_reads(self, sql: str) -> tuple[list[tuple[Any, ...]], str | None]:
        """The rows up to the first that cannot be read, and why not (None: all read)."""
        try:
            return self.all(sql), None
        except Unreadable as exc:
            return [], str(exc)

    def sql(self, text: str) -> str:
        return text.replace("{p}", self.param)

    def close(self) -> None:  # pragma: no cover
        raise NotImplementedError


class SQLiteRows(Rows):
    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = _open_read_only(path)

    def all(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        try:
            return [tuple(r) for r in self.conn.execute(sql, params)]
        except sqlite3.Error as exc:
            raise Unreadable(str(exc)) from None

    def as_far_as_it_reads(self, sql: str) -> tuple[list[tuple[Any, ...]], str | None]:
        rows: list[tuple[Any, ...]] = []
        try:
            for row in self.conn.execute(sql):
                rows.append(tuple(row))
        except sqlite3.Error as exc:
            return rows, str(exc)
        return rows, None

    def close(self) -> None:
        self.conn.close()


class ArchiveRows(Rows):
    """Through an open archive's own connection (PostgreSQL)."""

    def __init__(self, archive: Any) -> None:
        self.archive = archive
        self.param = archive.PARAM

    def all(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        try:
            return [tuple(r) for r in self.archive._run(sql, params)]
        except ArchiveUnavailable as exc:
            raise Unreadable(str(exc)) from None

    def close(self) -> None:
        self.archive.close()


def _open_read_only(path: str) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro``, or ``immutable`` when a read-only
    write-ahead-logged file has no shared-memory file and none can be made."""
    if not Path(path).is_file():
        raise ArchiveUnavailable(f"{path}: no archive here; check the path")
    modes: tuple[Mode, ...] = ("read-only", "immutable")
    for mode in modes:
        conn = connect(path, mode, wal=False, busy_ms=0)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if "unable to open" not in str(exc):
                raise ArchiveDamaged(
                    f"archive {path} cannot be read at all ({exc}); nothing can be saved from it"
                ) from None
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveDamaged(
                f"archive {path} is not a readable SQLite database ({exc}); nothing can be "
                "read from it"
            ) from None
    raise ArchiveUnavailable(f"archive {path} cannot be opened; check its permissions")


def open_rows(location: str) -> Rows:
    """Read-only access to the archive at `location` for `check` and `salvage`."""
    if location.startswith(("postgresql://", "postgres://")):
        from ficarchive.archive import Archive

        return ArchiveRows(Archive.open(location, create=False))
    return SQLiteRows(location)


# -- finding and reading works -------------------------------------------------------------


def work_ids(rows: Rows, report: CheckReport) -> list[int]:
    """Every work id the table or any of its indexes still knows."""
    found, why = rows.as_far_as_it_reads("SELECT id FROM works ORDER BY id")
    ids = {int(r[0]) for r in found}
    if why is not None and isinstance(rows, SQLiteRows):
        report.problems.append(Problem("file", f"the works table cannot be read through: {why}"))
        for index in WORK_INDEXES:
            more, _ = rows.as_far_as_it_reads(f"SELECT id FROM works INDEXED BY {index}")
            ids.update(int(r[0]) for r in more)
    elif why is not None:
        raise ArchiveUnavailable(f"archive {report.location}: the works cannot be listed ({why})")
    return sorted(ids)


WORK_ROW = (
    "SELECT id, work_json, rescued_json, added_at, updated_at, sha256, source_key, title, "
    "authors, rating, word_count FROM works WHERE id = {p}"
)


@dataclass(frozen=True)
class WorkRow:
    """A work as read from its row (the Work itself checked by `read_work`)."""

    id: int
    work: Any  # Work
    rescued: Any  # Work, or None when that copy is damaged
    added_at: str
    updated_at: str
    sha256: str | None
    source_key: str | None


def read_row(rows: Rows, work_id: int) -> WorkRow:
    """The work `work_id`; `DamagedWork` saying why when it cannot be read as one."""
    try:
        found = rows.all(rows.sql(WORK_ROW), (work_id,))
    except Unreadable as exc:
        raise DamagedWork(f"work {work_id} cannot be read from the file ({exc})") from None
    if not found:
        raise DamagedWork(f"work {work_id} is listed by an index but not in the table")
    (wid, work_json, rescued_json, added, updated, sha, key, title, authors, rating, words) = found[
        0
    ]
    work = read_work(work_json, f"work {work_id}")
    hit((wid, title, authors, rating, words, added, 0, ""))  # the columns search shows
    if not isinstance(updated, str):
        raise DamagedWork(f"work {work_id} is damaged: updated_at is {updated!r}, not a date")
    try:
        rescued = read_work(rescued_json, f"work {work_id} (as rescued)")
    except DamagedWork:
        rescued = None
    return WorkRow(int(wid), work, rescued, added, updated, sha, key)


def readable_works(rows: Rows, report: CheckReport) -> Iterator[WorkRow]:
    """Each work that reads; the others are problems in `report`."""
    ids = work_ids(rows, report)
    report.works = len(ids)
    for work_id in ids:
        try:
            row = read_row(rows, work_id)
        except DamagedWork as exc:
            report.problems.append(Problem("work", str(exc), work_id))
            continue
        if row.rescued is None:
            report.problems.append(
                Problem("work", f"work {work_id}: its copy as rescued is damaged", work_id)
            )
        report.readable += 1
        yield row


# -- originals ------------------------------------------------------------------------------


def original_matches(sha: str, data: bytes) -> bool:
    """Whether `data` are the bytes kept under `sha`: the file's own hash, or for the zip
    of a work joined from several files, the hash of its members' hashes in order."""
    if hashlib.sha256(data).hexdigest() == sha:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            parts = "".join(hashlib.sha256(bundle.read(i)).hexdigest() for i in bundle.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return False
    return hashlib.sha256(parts.encode()).hexdigest() == sha


def read_original(rows: Rows, sha: str) -> tuple[str, int, bytes, str] | None:
    """(name, size, data, added_at) of the original kept under `sha`; None if none is."""
    try:
        found = rows.all(
            rows.sql("SELECT name, size, data, added_at FROM sources WHERE sha256 = {p}"), (sha,)
        )
    except Unreadable as exc:
        raise DamagedWork(
            f"the original {sha[:12]}… cannot be read from the file ({exc})"
        ) from None
    if not found or found[0][2] is None:
        return None
    name, size, data, added = found[0]
    return str(name), int(size), bytes(data), str(added)


def _check_original(rows: Rows, row: WorkRow, report: CheckReport) -> None:
    if not row.sha256:
        return
    try:
        found = read_original(rows, row.sha256)
    except DamagedWork as exc:
        report.problems.append(Problem("original", f"work {row.id}: {exc}", row.id))
        return
    if found is None:
        report.problems.append(
            Problem("original", f"work {row.id}: its original file is missing", row.id)
        )
    elif not original_matches(row.sha256, found[2]) or found[1] != len(found[2]):
        report.problems.append(
            Problem(
                "original", f"work {row.id}: its original's bytes do not match their hash", row.id
            )
        )
    else:
        report.originals += 1


def _check_edits(rows: Rows, row: WorkRow, report: CheckReport) -> None:
    import json

    try:
        edits = rows.all(
            rows.sql("SELECT id, before, after FROM edits WHERE work_id = {p}"), (row.id,)
        )
    except Unreadable as exc:
        report.problems.append(
            Problem("edit", f"work {row.id}: its edits cannot be read ({exc})", row.id)
        )
        return
    for edit_id, before, after in edits:
        try:
            json.loads(before)
            json.loads(after)
        except (TypeError, ValueError, RecursionError):
            report.problems.append(
                Problem("edit", f"work {row.id}: edit {edit_id} cannot be read", row.id)
            )


# -- the whole check -----------------------------------------------------------------------


def check(location: str) -> CheckReport:
    """Check the archive at `location` (never writing to it); what is wrong is in the
    report's `problems`, and `sound` when there is nothing."""
    rows = open_rows(location)
    report = CheckReport(getattr(getattr(rows, "archive", None), "location", location))
    try:
        if isinstance(rows, SQLiteRows):
            _check_file(rows, report)
        keys: dict[str, int] = {}
        second: list[WorkRow] = []
        for row in readable_works(rows, report):
            _check_original(rows, row, report)
            _check_edits(rows, row, report)
            if row.source_key:
                keys[row.source_key] = row.id
            elif row.sha256:
                second.append(row)
        for row in second:
            if row.sha256 in keys:
                report.notes.append(
                    f"work {row.id} is a second copy of work {keys[row.sha256]} (the same "
                    f"file, stored twice before schema 3); `ficarchive remove {row.id}` if "
                    "it is not needed"
                )
        _check_search(rows, report)
        if isinstance(rows, SQLiteRows):
            _note_ranking_index(rows, report)
        _check_tag_counts(rows, report)
    finally:
        rows.close()
    return report


def _check_file(rows: SQLiteRows, report: CheckReport) -> None:
    found, why = rows.as_far_as_it_reads(f"PRAGMA integrity_check({INTEGRITY_LINES})")
    lines = [str(r[0]) for r in found]
    if why is not None:
        lines.append(why)
    damaged = [line for line in lines if line != "ok"]
    report.problems += [Problem("file", line) for line in damaged]
    keys, why = rows.as_far_as_it_reads("PRAGMA foreign_key_check")
    if why is None and keys:
        report.problems.append(
            Problem("file", f"{len(keys)} rows point at rows that are gone (foreign keys)")
        )
    if not damaged:  # never write-lock a damaged file, even for a check that writes nothing
        _fts_integrity(rows, report)


def _fts_integrity(rows: SQLiteRows, report: CheckReport) -> None:
    """FTS5's own check of its index, in a transaction rolled back (it writes nothing,
    but needs the write lock); on a file that cannot be locked, a note instead."""
    folder = Path(rows.path).resolve().parent
    if not os.access(rows.path, os.W_OK) or not os.access(folder, os.W_OK):
        report.notes.append("the search index's own check was not run (the file is read-only)")
        return
    try:
        conn = sqlite3.connect(rows.path, timeout=5)
    except sqlite3.Error:
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO works_fts(works_fts) VALUES ('integrity-check')")
    except sqlite3.OperationalError as exc:
        if any(w in str(exc) for w in ("readonly", "read-only", "locked", "unable to open")):
            report.notes.append(f"the search index's own check was not run ({exc})")
        else:
            report.problems.append(Problem("search", f"the search index is damaged ({exc})"))
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem("search", f"the search index is damaged ({exc})"))
    finally:
        if conn.in_transaction:
            conn.rollback()
        conn.close()


def _check_search(rows: Rows, report: CheckReport) -> None:
    """Every work has its entry in the full-text index, and the index nothing more."""
    column = "rowid" if isinstance(rows, SQLiteRows) else "work_id"
    for sql, what in (
        (f"SELECT count(*) FROM works WHERE id NOT IN (SELECT {column} FROM works_fts)",
         "works missing from the search index"),
        (f"SELECT count(*) FROM works_fts WHERE {column} NOT IN (SELECT id FROM works)",
         "search entries for works that are gone"),
    ):  # fmt: skip
        try:
            n = int(rows.all(sql)[0][0])
        except Unreadable as exc:
            report.problems.append(Problem("search", f"the search index cannot be read ({exc})"))
            return
        if n:
            report.problems.append(Problem("search", f"{n} {what}"))


def _note_ranking_index(rows: SQLiteRows, report: CheckReport) -> None:
    """The tantivy index beside the file (`search_tantivy`), in a note: it is made from
    the file, so whatever is wrong with it is mended by making it again, never lost."""
    from ficarchive.archive.search_tantivy import SearchIndex

    try:
        found = SearchIndex(rows.path).status(rows.conn)
        works = int(rows.all("SELECT count(*) FROM works")[0][0])
    except (sqlite3.Error, Unreadable, OSError, ValueError) as exc:
        report.notes.append(f"the tantivy index beside the file could not be read ({exc})")
        return
    if not found.get("kept"):
        return
    index = "the tantivy index beside the file (`ficarchive search-index`)"
    rebuild = "`ficarchive search-index build` makes it again; SQLite ranks searches meanwhile"
    if not found.get("usable"):
        report.notes.append(f"{index} is missing or unreadable: {rebuild}")
    elif found["behind"]:
        report.notes.append(
            f"{index} is {found['behind']:,} changed works behind (the next search or "
            "`ficarchive search-index update` takes them in)"
        )
    elif found["works"] != works:
        report.notes.append(f"{index} holds {found['works']:,} of {works:,} works: {rebuild}")


def _check_tag_counts(rows: Rows, report: CheckReport) -> None:
    try:
        kept = dict(rows.all("SELECT tag_id, works FROM tag_counts WHERE works > 0"))
        counted = dict(rows.all("SELECT tag_id, count(*) FROM work_tags GROUP BY tag_id"))
    except Unreadable as exc:
        report.problems.append(Problem("tags", f"the tags cannot be read ({exc})"))
        return
    wrong = sum(1 for tag in set(kept) | set(counted) if kept.get(tag) != counted.get(tag))
    if wrong:
        report.problems.append(Problem("tags", f"{wrong} tags' kept counts are out of step"))

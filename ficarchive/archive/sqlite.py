"""The archive on SQLite: one file, WAL, foreign keys, FTS5 for search.

Writes go through one connection per thread; every write is a transaction. The
original bytes of every work are kept (``sources``) with their SHA-256, so a rescue can
always be redone; the Work as rescued is kept beside the Work as edited, and every
archivist's edit is a row of ``edits``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ficarchive.archive import fingerprint as fp
from ficarchive.archive.base import ArchiveBase
from ficarchive.archive.model import (
    AddResult,
    FacetCount,
    Filters,
    SearchResults,
    Stats,
    StoredWork,
)
from ficarchive.archive.records import (
    EDITED_COLUMNS,
    WORK_COLUMNS,
    Prepared,
    build_stats,
    edited_values,
    now,
    plan_edit,
    source_sha,
    source_values,
    stored,
    work_values,
)
from ficarchive.archive.schema import SCHEMA_VERSION, SQLITE_MIGRATIONS
from ficarchive.archive.search_sql import facet_counts, run_search
from ficarchive.archive.text import fts_fields
from ficarchive.archive.wrangling import Wrangling
from ficarchive.errors import ArchiveUnavailable
from ficarchive.work import Work

# Adds committed together inside `batch()`.
BATCH_SIZE = 50
# How long a writer waits for another to finish before saying the archive is busy.
BUSY_TIMEOUT_MS = 15_000


class SQLiteArchive(Wrangling, ArchiveBase):
    """An archive in one SQLite file (``":memory:"`` for a throwaway one)."""

    PARAM = "?"

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = str(path)
        self.location = self.path
        self._local = threading.local()
        self._memory: sqlite3.Connection | None = None
        self._batch_size = 0
        self._pending = 0
        if (
            self.path != ":memory:"
            and not create
            and Path(self.path).is_file()
            and (Path(self.path).stat().st_size == 0)
        ):
            raise ArchiveUnavailable(
                f"{self.path}: an empty file, not an archive; check the path "
                "(`ficarchive add` makes a new archive)"
            )
        if self.path != ":memory:" and not create and not Path(self.path).exists():
            raise ArchiveUnavailable(f"{self.path}: no archive here; run `ficarchive add` first")
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._migrate()
        self._retag_all()

    # -- connections ------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=self.path != ":memory:"
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            return conn
        except sqlite3.DatabaseError as exc:
            raise self._unavailable(exc) from None

    @property
    def conn(self) -> sqlite3.Connection:
        if self.path == ":memory:":
            if self._memory is None:
                self._memory = self._connect()
            return self._memory
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _unavailable(self, exc: sqlite3.Error) -> ArchiveUnavailable:
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            why = "is not a ficarchive archive (the file is not a readable SQLite database)"
            advice = "check the path, or move the file aside and start a new archive"
        elif "locked" in text or "busy" in text:
            why, advice = "is busy: another ficarchive is writing to it", "try again in a moment"
        elif "readonly" in text or "read-only" in text:
            why, advice = (
                "is read-only",
                "check the file's permissions, or copy it somewhere writable",
            )
        elif "unable to open" in text:
            why, advice = "cannot be opened", "check that the folder exists and can be written to"
        else:
            why, advice = f"cannot be used ({text})", "check the file"
        return ArchiveUnavailable(f"archive {self.path} {why}; {advice}")

    def _run(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise self._unavailable(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self._unavailable(exc) from None

    def _migrate(self) -> None:
        try:
            with self.conn:
                version = self._version()
                for target in sorted(SQLITE_MIGRATIONS):
                    if target > version:
                        for statement in SQLITE_MIGRATIONS[target]:
                            self.conn.execute(statement)
                        self.conn.execute(
                            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                            (str(target),),
                        )
        except sqlite3.DatabaseError as exc:
            raise self._unavailable(exc) from None
        if self._version() > SCHEMA_VERSION:
            raise ArchiveUnavailable(
                f"archive {self.path} was made by a newer ficarchive (schema {self._version()}); "
                "upgrade ficarchive to open it"
            )

    def _version(self) -> int:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if not exists:
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        conn = getattr(self._local, "conn", None) or self._memory
        if conn is not None:
            conn.close()
        self._local = threading.local()
        self._memory = None

    # -- adding -------------------------------------------------------------------------

    def add_work(
        self,
        work: Work,
        data: bytes | None = None,
        *,
        prepared: Prepared | None = None,
        source_name: str | None = None,
    ) -> AddResult:
        """Store a rescued Work (and, when given, the bytes it was rescued from, kept under
        `source_name`, by default the name the Work's source gives).

        `prepared` (`Prepared.of(work)`, computed elsewhere, say in a worker process)
        saves computing the searchable text and fingerprint here.
        """
        sha = source_sha(work, data)
        existing = self.find_by_sha256(sha) if sha else None
        if existing is not None:
            return AddResult(existing, "unchanged")
        work = self.wrangled(work)
        ready = prepared or Prepared.of(work)
        stamp = now()
        try:
            with self._write():
                if data is not None and sha:
                    self.conn.execute(
                        "INSERT OR IGNORE INTO sources(sha256, name, size, data, added_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        source_values(work, sha, data, source_name, stamp),
                    )
                kept = sha if data is not None else None
                values = work_values(work, kept, ready.fingerprint, stamp)
                cursor = self.conn.execute(
                    f"INSERT INTO works({WORK_COLUMNS}) VALUES ({', '.join('?' * len(values))})",
                    values,
                )
                assert cursor.lastrowid is not None
                work_id = cursor.lastrowid
                self._index(work_id, work, ready.fields)
                near = self._link_near_duplicates(work_id, ready.fingerprint)
        except sqlite3.DatabaseError as exc:
            raise self._unavailable(exc) from None
        return AddResult(work_id, "added", near)

    @contextmanager
    def batch(self, size: int = BATCH_SIZE) -> Iterator[None]:
        """Commit adds in batches of `size` (one transaction each) instead of one by one:
        a bulk add writes several times faster. An interrupted batch is simply added again
        by the next run (the same bytes are never stored twice)."""
        self._batch_size, self._pending = size, 0
        try:
            yield
        finally:
            self._batch_size = 0
            if self.conn.in_transaction:
                self.conn.commit()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction (a savepoint inside a batch)."""
        with self._write():
            yield

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One work's writes: a transaction of its own, or a savepoint inside a batch."""
        if not self._batch_size:
            with self.conn:
                yield
            return
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")  # so that releasing the savepoint does not commit
        self.conn.execute("SAVEPOINT work")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO work")
            self.conn.execute("RELEASE work")
            raise
        self.conn.execute("RELEASE work")
        self._pending += 1
        if self._pending >= self._batch_size:
            self.conn.commit()
            self._pending = 0

    def _index(self, work_id: int, work: Work, fields: dict[str, str]) -> None:
        self.conn.execute("DELETE FROM works_fts WHERE rowid = ?", (work_id,))
        self.conn.execute(
            "INSERT INTO works_fts(rowid, title, authors, summary, notes, text) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                work_id,
                fields["title"],
                fields["authors"],
                fields["summary"],
                fields["notes"],
                fields["text"],
            ),
        )
        self._index_tags(work_id, work)

    def _link_near_duplicates(self, work_id: int, print_: int) -> tuple[int, ...]:
        if print_ == 0:
            return ()
        rows = self.conn.execute(
            "SELECT id, fingerprint FROM works WHERE id != ? AND fingerprint != 0 AND "
            "(band0 = ? OR band1 = ? OR band2 = ? OR band3 = ?)",
            (work_id, *fp.bands(print_)),
        ).fetchall()
        near = fp.near_matches(print_, rows)
        for other, distance in near:
            self.conn.executemany(
                "INSERT OR IGNORE INTO links(work_id, other_id, kind, distance) "
                "VALUES (?, ?, 'near-duplicate', ?)",
                [(work_id, other, distance), (other, work_id, distance)],
            )
        return tuple(sorted(other for other, _ in near))

    # -- reading ------------------------------------------------------------------------

    def works(
        self, *, sort: str = "date", limit: int | None = None, offset: int = 0
    ) -> Iterator[StoredWork]:
        order = {
            "date": "added_at DESC, id DESC",
            "words": "word_count DESC, id",
            "title": "title COLLATE NOCASE, id",
            "id": "id",
        }.get(sort, "id")
        sql = f"SELECT id, work_json, added_at, updated_at FROM works ORDER BY {order}"
        sql += " LIMIT ? OFFSET ?"
        for row in self._run(sql, (-1 if limit is None else limit, offset)):
            yield stored(*row)

    # -- search -------------------------------------------------------------------------
    def search(
        self,
        query: str = "",
        filters: Filters | None = None,
        *,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
        facets: bool = True,
    ) -> SearchResults:
        try:
            return run_search(
                self.conn,
                query,
                filters or Filters(),
                sort=sort,
                limit=limit,
                offset=offset,
                with_facets=facets,
            )
        except sqlite3.DatabaseError as exc:
            raise self._unavailable(exc) from None

    def facets(
        self, filters: Filters | None = None, query: str = ""
    ) -> dict[str, tuple[FacetCount, ...]]:
        return facet_counts(self.conn, query, filters or Filters())

    # -- changing -----------------------------------------------------------------------
    def edit(self, work_id: int, changes: Mapping[str, Any], note: str | None = None) -> StoredWork:
        """An archivist's correction: the fields changed, each recorded in the history."""
        updated, recorded = plan_edit(self.get(work_id).work, changes)
        stamp = now()
        try:
            with self.conn:
                self.conn.executemany(
                    "INSERT INTO edits(work_id, at, field, before, after, note) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(work_id, stamp, c.field, c.before, c.after, note) for c in recorded],
                )
                assignments = ", ".join(f"{column} = ?" for column in EDITED_COLUMNS)
                self.conn.execute(
                    f"UPDATE works SET {assignments} WHERE id = ?",
                    (*edited_values(updated, stamp), work_id),
                )
                self._index(work_id, updated, fts_fields(updated))
        except sqlite3.DatabaseError as exc:
            raise self._unavailable(exc) from None
        return self.get(work_id)

    def remove(self, work_id: int) -> None:
        """Take a work out of the archive (its source bytes go too, if nothing else uses them)."""
        self.get(work_id)
        try:
            with self.conn:
                sha = self.conn.execute(
                    "SELECT sha256 FROM works WHERE id = ?", (work_id,)
                ).fetchone()[0]
                self.conn.execute("DELETE FROM works_fts WHERE rowid = ?", (work_id,))
                self.conn.execute("DELETE FROM works WHERE id = ?", (work_id,))
                if sha:
                    self.conn.execute(
                        "DELETE FROM sources WHERE sha256 = ? AND NOT EXISTS "
                        "(SELECT 1 FROM works WHERE sha256 = ?)",
                        (sha, sha),
                    )
                self.conn.execute(
                    "DELETE FROM tags WHERE NOT EXISTS "
                    "(SELECT 1 FROM work_tags WHERE tag_id = tags.id)"
                )
        except sqlite3.DatabaseError as exc:
            raise self._unavailable(exc) from None

    def stats(self) -> Stats:
        counted = "SELECT kind, count(*) FROM tags WHERE merger_id IS NULL GROUP BY kind"
        kinds = [(r[0], r[1]) for r in self._run(counted)]
        return build_stats(self._one, kinds, facet_counts(self.conn, "", Filters(), per_kind=5))

"""The archive on SQLite: one file, WAL, foreign keys, FTS5 for search.

Writes go through one connection per thread; every write is a transaction that takes
the write lock first (``BEGIN IMMEDIATE``), so two programs adding at once wait for each
other instead of failing, and the unique source hash makes the second add of a file a
skip. The original bytes of every work are kept (``sources``) with their SHA-256, so a
rescue can always be redone; the Work as rescued is kept beside the Work as edited, and
every archivist's edit is a row of ``edits``.

A file that cannot be written (permissions, a read-only disk) is opened read-only: it
is read and served, and every write says "read-only". Before its first write a process
runs ``PRAGMA quick_check``: a damaged file is refused (`ArchiveDamaged`, naming
``ficarchive check``) and never written into.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from ficarchive.archive import failures
from ficarchive.archive import fingerprint as fp
from ficarchive.archive.base import ArchiveBase, Fetched
from ficarchive.archive.library_schema import (
    LIBRARY_VERSION,
    META_KEY,
    SQLITE_LIBRARY_MIGRATIONS,
    library_version,
)
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
    work_values,
)
from ficarchive.archive.schema import SCHEMA_VERSION, SQLITE_MIGRATIONS, TAG_WORDS_SQL
from ficarchive.archive.search_index import SearchIndexKeeping
from ficarchive.archive.search_sql import facet_counts, run_search
from ficarchive.archive.sqlite_file import Mode, connect, writable
from ficarchive.archive.text import fts_fields
from ficarchive.archive.validate import check_work
from ficarchive.archive.wrangling import Wrangling
from ficarchive.errors import ArchiveDamaged, ArchiveReadOnly, ArchiveUnavailable
from ficarchive.work import Work

# The full-text index's columns of text (then ``tags``), as `fts_fields` names them.
TEXT_COLUMNS = ("title", "authors", "summary", "notes", "text")
# Adds committed together inside `batch()`.
BATCH_SIZE = 50
# How long a writer waits for another to finish before saying the archive is busy.
BUSY_TIMEOUT_MS = 15_000


class SQLiteArchive(Wrangling, ArchiveBase, SearchIndexKeeping):
    """An archive in one SQLite file (``":memory:"`` for a throwaway one)."""

    PARAM = "?"
    NO_LIMIT = -1
    ORDERS: ClassVar[dict[str, str]] = {
        "date": "added_at DESC, id DESC",
        "words": "word_count DESC, id",
        "title": "title COLLATE NOCASE, id",
        "id": "id",
    }

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = str(path)
        self.location = self.path
        self._local = threading.local()
        self._memory: sqlite3.Connection | None = None
        self._batch_size = 0
        self._pending = 0
        self._sound = False  # quick_check passed: writes may go ahead
        self.damaged: str | None = None  # why the file is known to be damaged
        self.read_only = False
        self._immutable = False
        self._new = self.path == ":memory:"  # a file made now is put in WAL mode
        if self.path != ":memory:":
            self._refuse_missing(create)
            file = Path(self.path)
            self._new = not file.exists() or file.stat().st_size == 0
            self.read_only = not writable(file)
        self._migrate()
        if not self.read_only:  # a read-only file is read with the tags it has
            self._retag_all()

    def _refuse_missing(self, create: bool) -> None:
        file = Path(self.path)
        if not create and file.is_file() and file.stat().st_size == 0:
            raise ArchiveUnavailable(
                f"{self.path}: an empty file, not an archive; check the path "
                "(`ficarchive add` makes a new archive)"
            )
        if not create and not file.exists():
            raise ArchiveUnavailable(f"{self.path}: no archive here; run `ficarchive add` first")
        if not file.exists():
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArchiveUnavailable(
                    f"archive {self.path} cannot be made: {exc.strerror or exc}; check the "
                    "folder"
                ) from None

    # -- connections ------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            return self._open_connection()
        except sqlite3.Error as exc:
            error = self._error(exc)
            if self.read_only or not isinstance(error, ArchiveReadOnly):
                raise error from None
        self.read_only = True  # SQLite found it read-only (say, a read-only file format)
        try:
            return self._open_connection()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _open_connection(self) -> sqlite3.Connection:
        mode: Mode = None
        if self.read_only:
            mode = "immutable" if self._immutable else "read-only"
        return connect(self.path, mode, wal=self._new, busy_ms=BUSY_TIMEOUT_MS)

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

    def _error(self, exc: sqlite3.Error) -> ArchiveUnavailable:
        """Our error for a driver's; a damaged file is remembered, and not written again."""
        error = failures.sqlite_error(self.path, exc)
        if isinstance(error, ArchiveDamaged):
            self.damaged = self.damaged or str(exc)
        return error

    def _run(self, sql: str, params: Any = ()) -> Fetched:
        try:
            return Fetched(self.conn.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _migrate(self) -> None:
        try:
            version = self._version()
        except sqlite3.OperationalError as exc:
            if self.read_only and "unable to open" in str(exc) and not self._immutable:
                # a read-only WAL file with no -shm beside it, and none can be made: it is
                # read as it is (nothing can be writing to it)
                self.close()
                self._immutable = True
                return self._migrate()
            raise self._error(exc) from None
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        if version > SCHEMA_VERSION:
            raise ArchiveUnavailable(
                f"archive {self.path} was made by a newer ficarchive (schema {version}); "
                "upgrade ficarchive to open it"
            )
        if version == SCHEMA_VERSION:
            return self._migrate_library()
        if self.read_only:
            raise failures.read_only(
                self.path,
                f"and made by an older ficarchive, schema {version}, so it cannot be brought "
                "up to date where it is",
            )
        if version > 0:
            self._before_writing()
        with self._transaction():
            version = self._version()  # another process may have migrated it meanwhile
            for target in sorted(SQLITE_MIGRATIONS):
                if target > version:
                    for statement in SQLITE_MIGRATIONS[target]:
                        self.conn.execute(statement)
                    self.conn.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                        (str(target),),
                    )
        return self._migrate_library()

    def _migrate_library(self) -> None:
        """The reader's library tables (`library_schema`), versioned on their own; a
        read-only file is read without them."""
        if self.read_only or library_version(self._run) >= LIBRARY_VERSION:
            return
        self._before_writing()
        with self._transaction():
            version = library_version(self._run)
            for target in sorted(SQLITE_LIBRARY_MIGRATIONS):
                if target > version:
                    for statement in SQLITE_LIBRARY_MIGRATIONS[target]:
                        self.conn.execute(statement)
                    self.conn.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                        (META_KEY, str(target)),
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
        if self._search_index is not None:
            self._search_index.close()

    # -- writing ------------------------------------------------------------------------
    def _before_writing(self) -> None:
        """Refuse to write into a read-only or damaged file; the first time, check it."""
        if self.read_only:
            raise failures.read_only(self.path)
        self.check_sound()

    def check_sound(self) -> None:
        """`ArchiveDamaged` unless ``PRAGMA quick_check`` finds the file whole (run once
        per process: on a large archive it reads every page, about a second a GB)."""
        if self.damaged is not None:
            raise failures.damaged(self.path, self.damaged)
        if self._sound or self.path == ":memory:":
            return
        found = [str(r[0]) for r in self._run("PRAGMA quick_check(5)")]
        if found != ["ok"]:
            self.damaged = "; ".join(found)
            raise failures.damaged(self.path, self.damaged)
        self._sound = True

    def check_writable(self, wait_ms: int = BUSY_TIMEOUT_MS) -> None:
        """Raise (read-only, damaged, busy) unless a write could be made now."""
        self._before_writing()
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction holding the write lock from its start; driver errors become
        ours once it is rolled back."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.commit()
        except BaseException as exc:
            if conn.in_transaction:
                conn.rollback()
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One work's writes: a transaction of its own, or a savepoint inside a batch."""
        self._before_writing()
        if not self._batch_size:
            with self._transaction():
                yield
            return
        conn = self.conn
        try:
            if not conn.in_transaction:
                conn.execute("BEGIN IMMEDIATE")
            conn.execute("SAVEPOINT work")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            yield
        except BaseException as exc:
            if conn.in_transaction:  # SQLite rolls all back itself on a full disk
                conn.execute("ROLLBACK TO work")
                conn.execute("RELEASE work")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise
        conn.execute("RELEASE work")
        self._pending += 1
        if self._pending >= self._batch_size:
            self.flush()

    @contextmanager
    def batch(self, size: int = BATCH_SIZE) -> Iterator[None]:
        """Commit adds in batches of `size` (one transaction each) instead of one by one:
        a bulk add writes several times faster. An interrupted batch is simply added again
        by the next run (the same bytes are never stored twice). `flush` commits early:
        call it before waiting on something slow, so other writers are not kept waiting."""
        self._batch_size, self._pending = size, 0
        try:
            yield
        finally:
            self._batch_size = 0
            self.flush()

    def flush(self) -> None:
        """Commit the adds of the batch so far (nothing to do outside a batch)."""
        self._pending = 0
        try:
            if self.conn.in_transaction:
                self.conn.commit()
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.rollback()
            raise self._error(exc) from None

    def add_work(
        self,
        work: Work,
        data: bytes | None = None,
        *,
        prepared: Prepared | None = None,
        source_name: str | None = None,
        sha256: str | None = None,
    ) -> AddResult:
        """Store a rescued Work (and, when given, the bytes it was rescued from, kept under
        `source_name`, by default the name the Work's source gives). `sha256` is the hash
        the work is known by (by default its source's, else the bytes'): a second work
        with the same hash is never stored, the first one's id is given back.

        `prepared` (`Prepared.of(work)`, computed elsewhere, say in a worker process)
        saves computing the searchable text and fingerprint here.
        """
        key = sha256 or source_sha(work, data)
        check_work(work, work.source.name if work.source else "the work")
        existing = self.find_by_sha256(key) if key else None
        if existing is not None:
            return AddResult(existing, "unchanged")
        work = self.wrangled(work)
        ready = prepared or Prepared.of(work)
        stamp = now()
        with self._write():
            existing = self.find_by_sha256(key) if key else None  # under the write lock
            if existing is not None:
                return AddResult(existing, "unchanged")
            if data is not None and key:
                self.conn.execute(
                    "INSERT INTO sources(sha256, name, size, data, added_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    source_values(work, key, data, source_name, stamp),
                )
            values = work_values(
                work, key if data is not None else None, key, ready.fingerprint, stamp
            )
            row = self.conn.execute(
                f"INSERT INTO works({WORK_COLUMNS}) VALUES ({', '.join('?' * len(values))}) "
                "ON CONFLICT DO NOTHING RETURNING id",
                values,
            ).fetchall()
            assert row  # the write lock is held: no other writer got in between
            work_id = int(row[0][0])
            self._index(work_id, work, ready.fields)
            near = self._link_near_duplicates(work_id, ready.fingerprint)
        return AddResult(work_id, "added", near)

    def _index(self, work_id: int, work: Work, fields: dict[str, str]) -> None:
        """The work's full-text row, with its tags (made first: the row holds them)."""
        self.conn.execute("DELETE FROM works_fts WHERE rowid = ?", (work_id,))
        self._index_tags(work_id, work)
        self.conn.execute(
            "INSERT INTO works_fts(rowid, title, authors, summary, notes, text, tags) "
            f"VALUES (?, ?, ?, ?, ?, ?, {TAG_WORDS_SQL.format(work='?')})",
            (work_id, *(fields[k] for k in TEXT_COLUMNS), work_id),
        )

    def _tags_changed(self, work_id: int) -> None:
        """The tags in the work's full-text row made again (none when it has no row yet)."""
        self.conn.execute(
            f"UPDATE works_fts SET tags = {TAG_WORDS_SQL.format(work='?')} WHERE rowid = ?",
            (work_id, work_id),
        )

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
                ranker=self._ranker(),
            )
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def facets(
        self, filters: Filters | None = None, query: str = ""
    ) -> dict[str, tuple[FacetCount, ...]]:
        try:
            return facet_counts(self.conn, query, filters or Filters())
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    # -- changing -----------------------------------------------------------------------
    def edit(self, work_id: int, changes: Mapping[str, Any], note: str | None = None) -> StoredWork:
        """An archivist's correction: the fields changed, each recorded in the history."""
        updated, recorded = plan_edit(self.get(work_id).work, changes)
        stamp = now()
        with self._write():
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
        return self.get(work_id)

    def remove(self, work_id: int) -> None:
        """Take a work out of the archive (its source bytes go too, if nothing else uses
        them). A damaged work can be removed like any other."""
        self._must_exist(work_id)
        with self._write():
            sha = self.conn.execute("SELECT sha256 FROM works WHERE id = ?", (work_id,)).fetchone()
            self.conn.execute("DELETE FROM works_fts WHERE rowid = ?", (work_id,))
            self.conn.execute("DELETE FROM works WHERE id = ?", (work_id,))
            if sha and sha[0]:
                self.conn.execute(
                    "DELETE FROM sources WHERE sha256 = ? AND NOT EXISTS "
                    "(SELECT 1 FROM works WHERE sha256 = ?)",
                    (sha[0], sha[0]),
                )
            self.conn.execute(
                "DELETE FROM tags WHERE NOT EXISTS "
                "(SELECT 1 FROM work_tags WHERE tag_id = tags.id)"
            )

    def stats(self) -> Stats:
        counted = "SELECT kind, count(*) FROM tags WHERE merger_id IS NULL GROUP BY kind"
        kinds = [(r[0], r[1]) for r in self._run(counted)]
        return build_stats(self._one, kinds, self.facets_top())

    def facets_top(self) -> dict[str, tuple[FacetCount, ...]]:
        try:
            return facet_counts(self.conn, "", Filters(), per_kind=5)
        except sqlite3.Error as exc:
            raise self._error(exc) from None

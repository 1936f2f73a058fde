"""The archive on PostgreSQL: a shared server, the same methods as `SQLiteArchive`.

Selected by a ``postgresql://`` URL (``Archive.open("postgresql://user@host/db")``).
Each thread gets its own connection, in autocommit mode; every write is one
transaction. Full-text search uses a stored, weighted tsvector (title A, authors B,
summary C, notes and text D) with English stemming, and folds accents with the
``unaccent`` extension when the server lets it be created: if not, accents are not
folded (`fts_note` says so) and everything else works the same.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg

from ficarchive.archive import failures
from ficarchive.archive import fingerprint as fp
from ficarchive.archive.base import ArchiveBase, Fetched
from ficarchive.archive.library_schema import (
    LIBRARY_TABLES,
    META_KEY,
    POSTGRES_LIBRARY_MIGRATIONS,
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
from ficarchive.archive.schema import POSTGRES_MIGRATIONS, SCHEMA_VERSION
from ficarchive.archive.search_pg import facet_counts, run_search
from ficarchive.archive.text import fts_fields
from ficarchive.archive.validate import check_work
from ficarchive.archive.wrangling import Wrangling
from ficarchive.errors import ArchiveUnavailable
from ficarchive.work import Work

# Seconds to wait for the server before saying it cannot be reached.
CONNECT_TIMEOUT = 10
# Times an add is tried again when the server chose it as a deadlock's victim.
DEADLOCK_RETRIES = 3
# The text search configuration: English stemming after unaccent, when it can be made.
FOLDED_CONFIG = "ficarchive_english"
PLAIN_CONFIG = "english"
TABLES = (
    "tag_changes",
    "tag_parents",
    "tag_decisions",
    "work_raw_tags",
    "raw_tags",
    "links",
    "edits",
    "tag_counts",
    "work_tags",
    "tags",
    "works_fts",
    "works",
    "sources",
    "meta",
)
_DOCUMENT = (
    "setweight(to_tsvector({c}, %s), 'A') || setweight(to_tsvector({c}, %s), 'B') || "
    "setweight(to_tsvector({c}, %s), 'C') || setweight(to_tsvector({c}, %s), 'D')"
)
_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


class PostgresArchive(Wrangling, ArchiveBase):
    """An archive in a PostgreSQL database, named by a ``postgresql://`` URL."""

    PARAM = "%s"
    NO_LIMIT = None
    ORDERS: ClassVar[dict[str, str]] = {
        "date": "added_at DESC, id DESC",
        "words": "word_count DESC, id",
        "title": 'lower(title) COLLATE "C" NULLS FIRST, id',
        "id": "id",
    }

    def __init__(self, url: str) -> None:
        self.url = url
        self.location = _PASSWORD.sub(r"\1@", url)  # shown to people: no password
        self.fts_note: str | None = None
        self._local = threading.local()
        self._connections: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._config = PLAIN_CONFIG
        try:
            self._migrate()
            self._retag_all()
        except BaseException:  # refused (newer schema, unreachable): no connection left open
            self.close()
            raise

    # -- connections ------------------------------------------------------------------
    @property
    def conn(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
            except psycopg.Error as exc:
                raise self._unavailable(exc) from None
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _unavailable(self, exc: psycopg.Error) -> ArchiveUnavailable:
        return failures.postgres_error(self.location, exc)

    def _run(self, sql: str, params: Any = ()) -> Fetched:
        try:
            cursor = self.conn.execute(sql, params)
            return Fetched(cursor.fetchall() if cursor.description is not None else [])
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction; driver errors become ours once it is rolled back."""
        try:
            with self.conn.transaction():
                yield
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None

    def restored(self) -> None:
        """Works put back with their own ids: new ones are numbered after them."""
        self._run(
            "SELECT setval(pg_get_serial_sequence('works', 'id'), "
            "(SELECT coalesce(max(id), 0) + 1 FROM works), false)"
        )

    def check_writable(self, wait_ms: int = 0) -> None:
        """Raise (read-only server, no rights) unless this user could write the archive."""
        row = self._run(
            "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'), "
            "has_table_privilege('works', 'INSERT, UPDATE, DELETE')"
        ).fetchone()
        if row[0] or row[1] == "on":
            raise failures.read_only(self.location, "the server takes no writes")
        if not row[2]:
            raise failures.read_only(self.location, "this user may not change it")

    def _migrate(self) -> None:
        try:
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(4242)")
                # the library's deferred change counter fires at once here: a migration
                # may update works and then index them (no pending trigger events)
                self.conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
                version = self._version()
                for target in sorted(POSTGRES_MIGRATIONS):
                    if target > version:
                        for statement in POSTGRES_MIGRATIONS[target]:
                            self.conn.execute(statement)
                        self.conn.execute(
                            "INSERT INTO meta(key, value) VALUES ('schema_version', %s) "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                            (str(target),),
                        )
                self._migrate_library()
                self._text_search()
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None
        if self._version() > SCHEMA_VERSION:
            raise ArchiveUnavailable(
                f"archive {self.location} was made by a newer ficarchive "
                f"(schema {self._version()}); upgrade ficarchive to open it"
            )

    def _migrate_library(self) -> None:
        """The reader's library tables (`library_schema`), in the migration's transaction."""
        version = library_version(self._run)
        for target in sorted(POSTGRES_LIBRARY_MIGRATIONS):
            if target > version:
                for statement in POSTGRES_LIBRARY_MIGRATIONS[target]:
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO meta(key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    (META_KEY, str(target)),
                )

    def _version(self) -> int:
        row = self.conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _text_search(self) -> None:
        """Choose (making it the first time) the text search configuration."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'fts_config'").fetchone()
        if row is None:
            config = self._make_folded_config()
            self.conn.execute("INSERT INTO meta(key, value) VALUES ('fts_config', %s)", (config,))
        else:
            config = row[0]
        self._config = config if config in (FOLDED_CONFIG, PLAIN_CONFIG) else PLAIN_CONFIG
        if self._config == PLAIN_CONFIG:
            self.fts_note = (
                "accents are not folded in search: the unaccent extension could not be "
                "created (a superuser can run CREATE EXTENSION unaccent)"
            )

    def _make_folded_config(self) -> str:
        try:
            with self.conn.transaction():
                self.conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
                self.conn.execute(
                    f"CREATE TEXT SEARCH CONFIGURATION {FOLDED_CONFIG} (COPY = english)"
                )
                self.conn.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION {FOLDED_CONFIG} ALTER MAPPING FOR "
                    "hword, hword_part, word WITH unaccent, english_stem"
                )
        except psycopg.Error:
            return PLAIN_CONFIG
        return FOLDED_CONFIG

    def reset_for_tests(self) -> None:
        """Drop every table of the archive and make them again, empty (tests only)."""
        try:
            with self.conn.transaction():
                dropped = ", ".join((*LIBRARY_TABLES, *TABLES))
                self.conn.execute(f"DROP TABLE IF EXISTS {dropped} CASCADE")
                self.conn.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {FOLDED_CONFIG}")
                self.conn.execute("DROP FUNCTION IF EXISTS ficarchive_count_tag() CASCADE")
                for name in ("ficarchive_work_people", "ficarchive_changed", "ficarchive_jsonb"):
                    self.conn.execute(f"DROP FUNCTION IF EXISTS {name} CASCADE")
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None
        self._migrate()
        self._retag_all()

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections = []
        self._local = threading.local()

    # -- adding -------------------------------------------------------------------------

    def add_work(
        self,
        work: Work,
        data: bytes | None = None,
        *,
        prepared: Prepared | None = None,
        source_name: str | None = None,
        sha256: str | None = None,
    ) -> AddResult:
        """Store a rescued Work (and, when given, the bytes it was rescued from). A work
        with the same hash (`sha256`, by default its source's) is never stored twice: an
        add racing another of the same file inserts nothing and gives the first's id."""
        key = sha256 or source_sha(work, data)
        check_work(work, work.source.name if work.source else "the work")
        existing = self.find_by_sha256(key) if key else None
        if existing is not None:
            return AddResult(existing, "unchanged")
        work = self.wrangled(work)
        ready = prepared or Prepared.of(work)
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                return self._insert(work, data, key, ready, source_name)
            except psycopg.errors.DeadlockDetected as exc:
                if attempt == DEADLOCK_RETRIES:
                    raise self._unavailable(exc) from None
            except psycopg.Error as exc:
                raise self._unavailable(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _insert(
        self,
        work: Work,
        data: bytes | None,
        key: str | None,
        ready: Prepared,
        source_name: str | None,
    ) -> AddResult:
        """Insert the work, or nothing when one with its key is there: one transaction."""
        stamp = now()
        with self.conn.transaction():
            if data is not None and key:
                self.conn.execute(
                    "INSERT INTO sources(sha256, name, size, data, added_at) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    source_values(work, key, data, source_name, stamp),
                )
            values = work_values(
                work, key if data is not None else None, key, ready.fingerprint, stamp
            )
            row = self.conn.execute(
                f"INSERT INTO works({WORK_COLUMNS}) "
                f"VALUES ({', '.join(['%s'] * len(values))}) "
                "ON CONFLICT DO NOTHING RETURNING id",
                values,
            ).fetchone()
            if row is None:  # another add of the same file committed first
                found = self.conn.execute(
                    "SELECT id FROM works WHERE source_key = %s", (key,)
                ).fetchone()
                assert found is not None
                return AddResult(int(found[0]), "unchanged")
            work_id = int(row[0])
            self._index(work_id, work, ready.fields)
            near = self._link_near_duplicates(work_id, ready.fingerprint)
        return AddResult(work_id, "added", near)

    def _index(self, work_id: int, work: Work, fields: dict[str, str]) -> None:
        document = _DOCUMENT.format(c=f"'{self._config}'::regconfig")
        notes_and_text = f"{fields['notes']}\n{fields['text']}"
        self.conn.execute(
            f"INSERT INTO works_fts(work_id, text, document) VALUES (%s, %s, {document}) "
            "ON CONFLICT (work_id) DO UPDATE SET text = EXCLUDED.text, "
            "document = EXCLUDED.document",
            (
                work_id,
                _clean(fields["text"]),
                _clean(fields["title"]),
                _clean(fields["authors"]),
                _clean(fields["summary"]),
                _clean(notes_and_text),
            ),
        )
        self._index_tags(work_id, work)

    def _link_near_duplicates(self, work_id: int, print_: int) -> tuple[int, ...]:
        if print_ == 0:
            return ()
        rows = self.conn.execute(
            "SELECT id, fingerprint FROM works WHERE id != %s AND fingerprint != 0 AND "
            "(band0 = %s OR band1 = %s OR band2 = %s OR band3 = %s)",
            (work_id, *fp.bands(print_)),
        ).fetchall()
        near = fp.near_matches(print_, rows)
        with self.conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO links(work_id, other_id, kind, distance) "
                "VALUES (%s, %s, 'near-duplicate', %s) ON CONFLICT DO NOTHING",
                [p for o, d in near for p in ((work_id, o, d), (o, work_id, d))],
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
                _clean(query),
                filters or Filters(),
                self._config,
                sort=sort,
                limit=limit,
                offset=offset,
                with_facets=facets,
            )
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None

    def facets(
        self, filters: Filters | None = None, query: str = ""
    ) -> dict[str, tuple[FacetCount, ...]]:
        try:
            return facet_counts(self.conn, _clean(query), filters or Filters(), self._config)
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None

    # -- changing -----------------------------------------------------------------------
    def edit(self, work_id: int, changes: Mapping[str, Any], note: str | None = None) -> StoredWork:
        """An archivist's correction: the fields changed, each recorded in the history."""
        updated, recorded = plan_edit(self.get(work_id).work, changes)
        stamp = now()
        try:
            with self.conn.transaction(), self.conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO edits(work_id, at, field, before, after, note) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    [(work_id, stamp, c.field, c.before, c.after, note) for c in recorded],
                )
                assignments = ", ".join(f"{column} = %s" for column in EDITED_COLUMNS)
                cursor.execute(
                    f"UPDATE works SET {assignments} WHERE id = %s",
                    (*edited_values(updated, stamp), work_id),
                )
                self._index(work_id, updated, fts_fields(updated))
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None
        return self.get(work_id)

    def remove(self, work_id: int) -> None:
        """Take a work out of the archive (its source bytes go too, if nothing else uses
        them). A damaged work can be removed like any other."""
        self._must_exist(work_id)
        try:
            with self.conn.transaction():
                row = self.conn.execute(
                    "DELETE FROM works WHERE id = %s RETURNING sha256", (work_id,)
                ).fetchone()
                sha = row[0] if row else None
                if sha:
                    self.conn.execute(
                        "DELETE FROM sources WHERE sha256 = %s AND NOT EXISTS "
                        "(SELECT 1 FROM works WHERE sha256 = %s)",
                        (sha, sha),
                    )
                self.conn.execute(
                    "DELETE FROM tags WHERE NOT EXISTS "
                    "(SELECT 1 FROM work_tags WHERE tag_id = tags.id)"
                )
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None

    def stats(self) -> Stats:
        counted = "SELECT kind, count(*) FROM tags WHERE merger_id IS NULL GROUP BY kind"
        kinds = [(r[0], r[1]) for r in self._run(counted)]
        try:
            top = facet_counts(self.conn, "", Filters(), self._config, per_kind=5)
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None
        return build_stats(self._one, kinds, top)


def _clean(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters; they carry nothing, so they go."""
    return text.replace("\x00", "")

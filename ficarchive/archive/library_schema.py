"""The reader's library tables, and their own migrations beside the archive's.

Accounts (users, sessions, failed sign-ins), reading (progress, bookmarks, collections,
KOReader's synced positions) and the people and series of the works (each work's
authors, the pseudonyms an archivist linked, each work's series). They are versioned on
their own (``meta`` key ``library_version``), so that they never compete with the
numbering of the archive's schema: an archive of any schema version gets them the first
time a writable process opens it, and a read-only one is read without them (then no
account can exist and the reader keeps progress in the browser only).

``work_authors`` and ``work_series`` are kept by triggers on ``works``, read from the
row itself (the ``authors`` column; the Work JSON's ``series`` list of ``{"name",
"part"}``), so every way a work is stored, edited, salvaged or removed keeps them true,
and a Work that carries a series (a newer Work model) is placed in it with no other
change. Names are found case-folded (the database's ``lower``) and trimmed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

LIBRARY_VERSION = 1
META_KEY = "library_version"

_TABLES = [
    """CREATE TABLE IF NOT EXISTS users (
        id {identity},
        name TEXT NOT NULL,
        name_key TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        kosync_hash TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY,
        user_id {ref} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id)",
    """CREATE TABLE IF NOT EXISTS signin_failures (
        key TEXT NOT NULL,
        at {real} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS signin_failures_key ON signin_failures(key, at)",
    """CREATE TABLE IF NOT EXISTS progress (
        user_id {ref} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        work_id {ref} NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        paragraph INTEGER NOT NULL,
        fraction {real} NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        PRIMARY KEY (user_id, work_id)
    )""",
    "CREATE INDEX IF NOT EXISTS progress_recent ON progress(user_id, updated_at)",
    "CREATE INDEX IF NOT EXISTS progress_work ON progress(work_id)",
    """CREATE TABLE IF NOT EXISTS bookmarks (
        id {identity},
        user_id {ref} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        work_id {ref} NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        paragraph INTEGER,
        note TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS bookmarks_user ON bookmarks(user_id, created_at)",
    "CREATE INDEX IF NOT EXISTS bookmarks_work ON bookmarks(work_id)",
    """CREATE TABLE IF NOT EXISTS collections (
        id {identity},
        user_id {ref} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        private INTEGER NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS collections_user ON collections(user_id)",
    """CREATE TABLE IF NOT EXISTS collection_works (
        collection_id {ref} NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        work_id {ref} NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        added_at TEXT NOT NULL,
        PRIMARY KEY (collection_id, work_id)
    )""",
    "CREATE INDEX IF NOT EXISTS collection_works_work ON collection_works(work_id)",
    """CREATE TABLE IF NOT EXISTS kosync_progress (
        user_id {ref} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        document TEXT NOT NULL,
        progress TEXT NOT NULL,
        percentage {real} NOT NULL,
        device TEXT NOT NULL,
        device_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (user_id, document)
    )""",
    """CREATE TABLE IF NOT EXISTS work_authors (
        work_id {ref} NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (work_id, key)
    )""",
    "CREATE INDEX IF NOT EXISTS work_authors_key ON work_authors(key, work_id)",
    """CREATE TABLE IF NOT EXISTS pseuds (
        key TEXT PRIMARY KEY,
        person TEXT NOT NULL,
        linked_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS pseuds_person ON pseuds(person)",
    """CREATE TABLE IF NOT EXISTS work_series (
        work_id {ref} NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        part INTEGER,
        PRIMARY KEY (work_id, key)
    )""",
    "CREATE INDEX IF NOT EXISTS work_series_key ON work_series(key, part, work_id)",
    # How many times works or their tags have changed: what the reader's caches are keyed by.
    "CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
    "INSERT INTO changes(id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
]

# -- SQLite: triggers that read the row with SQLite's JSON functions -----------------------
_SQLITE_AUTHORS = """INSERT OR IGNORE INTO work_authors(work_id, key, name)
    SELECT {w}.id, lower(trim(value)), trim(value) FROM {source} json_each(
        CASE WHEN json_valid({w}.authors) AND json_type({w}.authors) = 'array'
        THEN {w}.authors ELSE '[]' END)
    WHERE type = 'text' AND trim(value) != ''"""
_SQLITE_SERIES = """INSERT OR IGNORE INTO work_series(work_id, key, name, part)
    SELECT {w}.id, lower(trim(json_extract(value, '$.name'))), trim(json_extract(value, '$.name')),
        CASE WHEN json_type(value, '$.part') = 'integer' THEN json_extract(value, '$.part') END
    FROM {source} json_each(CASE WHEN json_valid({w}.work_json)
        AND json_type({w}.work_json, '$.series') = 'array'
        THEN json_extract({w}.work_json, '$.series') ELSE '[]' END)
    WHERE type = 'object' AND json_type(value, '$.name') = 'text'
        AND trim(json_extract(value, '$.name')) != ''"""

SQLITE_LIBRARY_MIGRATIONS: dict[int, list[str]] = {
    1: [
        *(s.format(identity="INTEGER PRIMARY KEY", ref="INTEGER", real="REAL") for s in _TABLES),
        f"CREATE TRIGGER IF NOT EXISTS works_people_added AFTER INSERT ON works BEGIN "
        f"{_SQLITE_AUTHORS.format(w='NEW', source='')}; "
        f"{_SQLITE_SERIES.format(w='NEW', source='')}; END",
        f"CREATE TRIGGER IF NOT EXISTS works_authors_edited AFTER UPDATE OF authors ON works "
        f"BEGIN DELETE FROM work_authors WHERE work_id = NEW.id; "
        f"{_SQLITE_AUTHORS.format(w='NEW', source='')}; END",
        f"CREATE TRIGGER IF NOT EXISTS works_series_edited AFTER UPDATE OF work_json ON works "
        f"BEGIN DELETE FROM work_series WHERE work_id = NEW.id; "
        f"{_SQLITE_SERIES.format(w='NEW', source='')}; END",
        *(
            f"CREATE TRIGGER IF NOT EXISTS {table}_changed_{event.lower()} AFTER {event} ON "
            f"{table} BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END"
            for table, events in (("works", ("INSERT", "UPDATE", "DELETE")),
                                  ("work_tags", ("INSERT", "DELETE")))
            for event in events
        ),
        # the works already stored
        _SQLITE_AUTHORS.format(w="works", source="works,"),
        _SQLITE_SERIES.format(w="works", source="works,"),
    ],
}

# -- PostgreSQL: one trigger function, reading the row as jsonb when it is JSON -------------
_EVERY_WORK = "FROM works w CROSS JOIN LATERAL"
_PG_JSONB = """CREATE OR REPLACE FUNCTION ficarchive_jsonb(text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN $1::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$"""
_PG_AUTHORS = """INSERT INTO work_authors(work_id, key, name)
    SELECT {id}, lower(trim(v #>> '{{}}')), trim(v #>> '{{}}')
    {source} jsonb_array_elements(CASE WHEN jsonb_typeof(ficarchive_jsonb({authors})) = 'array'
        THEN ficarchive_jsonb({authors}) ELSE '[]'::jsonb END) AS v
    WHERE jsonb_typeof(v) = 'string' AND trim(v #>> '{{}}') != ''
    ON CONFLICT DO NOTHING"""
_PG_SERIES = """INSERT INTO work_series(work_id, key, name, part)
    SELECT {id}, lower(trim(s ->> 'name')), trim(s ->> 'name'),
        CASE WHEN jsonb_typeof(s -> 'part') = 'number'
            AND (s ->> 'part') ~ '^[0-9]{{1,9}}$' THEN (s ->> 'part')::integer END
    {source} jsonb_array_elements(
        CASE WHEN jsonb_typeof(ficarchive_jsonb({doc}) -> 'series') = 'array'
        THEN ficarchive_jsonb({doc}) -> 'series' ELSE '[]'::jsonb END) AS s
    WHERE jsonb_typeof(s) = 'object' AND jsonb_typeof(s -> 'name') = 'string'
        AND trim(s ->> 'name') != ''
    ON CONFLICT DO NOTHING"""
_PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION ficarchive_work_people() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM work_authors WHERE work_id = NEW.id;
        DELETE FROM work_series WHERE work_id = NEW.id;
    END IF;
    {_PG_AUTHORS.format(id="NEW.id", authors="NEW.authors", source="FROM")};
    {_PG_SERIES.format(id="NEW.id", doc="NEW.work_json", source="FROM")};
    RETURN NEW;
END $$"""

POSTGRES_LIBRARY_MIGRATIONS: dict[int, list[str]] = {
    1: [
        *(
            s.format(
                identity="BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                ref="BIGINT",
                real="DOUBLE PRECISION",
            )
            for s in _TABLES
        ),
        _PG_JSONB,
        _PG_FUNCTION,
        """CREATE OR REPLACE TRIGGER works_people AFTER INSERT OR UPDATE OF authors, work_json
        ON works FOR EACH ROW EXECUTE FUNCTION ficarchive_work_people()""",
        # counted at commit (a deferred trigger), so the row is locked only while committing
        """CREATE OR REPLACE FUNCTION ficarchive_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE changes SET n = n + 1 WHERE id = 1;
            RETURN NULL;
        END $$""",
        *(
            f"CREATE CONSTRAINT TRIGGER {table}_changed AFTER {events} ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ficarchive_changed()"
            for table, events in (("works", "INSERT OR UPDATE OR DELETE"),
                                  ("work_tags", "INSERT OR DELETE"))
        ),
        # the works already stored
        _PG_AUTHORS.format(id="w.id", authors="w.authors", source=_EVERY_WORK),
        _PG_SERIES.format(id="w.id", doc="w.work_json", source=_EVERY_WORK),
    ],
}

LIBRARY_TABLES = (
    "changes",
    "kosync_progress",
    "collection_works",
    "collections",
    "bookmarks",
    "progress",
    "signin_failures",
    "sessions",
    "users",
    "work_series",
    "pseuds",
    "work_authors",
)


def library_version(run: Callable[[str], Sequence[Any]]) -> int:
    """The library tables' version in an archive whose ``meta`` table exists (0: none)."""
    rows = run(f"SELECT value FROM meta WHERE key = '{META_KEY}'")
    return int(rows[0][0]) if rows else 0


def changes(run: Callable[[str], Sequence[Any]]) -> str:
    """The stamp of `changes` (the reader keys its caches by it)."""
    rows = run("SELECT n FROM changes WHERE id = 1")
    return str(rows[0][0]) if rows else ""

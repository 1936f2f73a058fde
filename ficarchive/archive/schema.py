"""The archive's tables, and the migrations that bring an older archive up to date.

Each migration is a list of statements, applied in one transaction; ``meta`` records
the version reached. SQL is kept portable between SQLite and PostgreSQL where it can
be; what differs (identity columns, full-text index) is per dialect.
"""

from __future__ import annotations

SCHEMA_VERSION = 6

# Version 2: how many works carry each tag, kept by triggers on ``work_tags``, so the
# facets of the whole archive (the browsing pages) are read, not counted, at any size.
_TAG_COUNTS = """CREATE TABLE IF NOT EXISTS tag_counts (
    tag_id INTEGER PRIMARY KEY REFERENCES tags(id) ON DELETE CASCADE,
    works INTEGER NOT NULL
)"""
_TAG_COUNTS_FILLED = (
    "INSERT INTO tag_counts(tag_id, works) SELECT tag_id, count(*) FROM work_tags "
    "GROUP BY tag_id ON CONFLICT (tag_id) DO UPDATE SET works = EXCLUDED.works"
)

# Version 3: one work per source hash, kept by a unique index, so two `add`s of the same
# file at the same moment store it once (each inserts or skips, in one transaction).
# ``source_key`` is the hash a work is known by; ``sha256`` still names its kept original.
# An archive from before may hold second copies of one file: the first (lowest id) keeps
# the key, the others keep their original and their edits but no key (nothing is
# deleted), and `ficarchive check` lists them so the archivist can remove them.
_SOURCE_KEY_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS works_source_key ON works(source_key)"

# Version 4: tag wrangling. Raw tags as written and their uses, people's decisions,
# parents, the log of every change, and synonym rows in ``tags`` (``merger_id``) so any
# spelling is searchable. Tag keys no longer sort a relationship's names (``&`` and ``/``
# are different tags), so every work's tags are made again once, in Python, after the
# statements (meta ``retag``).
_WRANGLING = [
    """CREATE TABLE IF NOT EXISTS raw_tags (
        id {identity},
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        fandom TEXT NOT NULL DEFAULT '',
        resolved INTEGER NOT NULL DEFAULT 0,
        targets TEXT NOT NULL DEFAULT '[]',
        UNIQUE (kind, name, fandom)
    )""",
    """CREATE TABLE IF NOT EXISTS work_raw_tags (
        work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        raw_id INTEGER NOT NULL REFERENCES raw_tags(id),
        PRIMARY KEY (work_id, raw_id)
    )""",
    "CREATE INDEX IF NOT EXISTS work_raw_tags_raw ON work_raw_tags(raw_id, work_id)",
    """CREATE TABLE IF NOT EXISTS tag_decisions (
        raw_id INTEGER PRIMARY KEY REFERENCES raw_tags(id),
        targets TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS tag_parents (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        parent_kind TEXT NOT NULL,
        parent_name TEXT NOT NULL,
        PRIMARY KEY (kind, name, parent_kind, parent_name)
    )""",
    """CREATE TABLE IF NOT EXISTS tag_changes (
        id {identity},
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        fandom TEXT NOT NULL,
        before TEXT,
        after TEXT,
        note TEXT,
        undone INTEGER NOT NULL DEFAULT 0
    )""",
    "INSERT INTO meta(key, value) VALUES ('retag', '1') "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
]

# Version 5 (SQLite): the full-text index holds each work's canonical tags too, as one
# word per tag id (``tag17``) in a column of its own, so a search with words and tag
# filters is one MATCH: FTS5 intersects the lists of the words and of the tags, where a
# lookup in ``work_tags`` for every match of a common word cost twice the search itself
# on a million works. Searches keep the reader's words to the other columns. The index is
# made again from the old one (about 15 s a 100,000 works) and merged.
TAG_WORD = "tag"
_FTS5_COLUMNS = "title, authors, summary, notes, text, tags"
_FTS5 = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5(" + _FTS5_COLUMNS + ", "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
TAG_WORDS_SQL = (
    f"coalesce((SELECT group_concat('{TAG_WORD}' || x.tag_id, ' ') FROM work_tags x "
    "WHERE x.work_id = {work}), '')"
)
_FTS5_WITH_TAGS = [
    "DROP TABLE IF EXISTS works_fts_v5",
    _FTS5.format(name="works_fts_v5"),
    f"INSERT INTO works_fts_v5(rowid, {_FTS5_COLUMNS}) SELECT f.rowid, f.title, f.authors, "
    f"f.summary, f.notes, f.text, {TAG_WORDS_SQL.format(work='f.rowid')} FROM works_fts f "
    "ORDER BY f.rowid",
    "DROP TABLE works_fts",
    "ALTER TABLE works_fts_v5 RENAME TO works_fts",
    "INSERT INTO works_fts(works_fts) VALUES ('optimize')",
]

# Version 6 (SQLite): the log of changed works a search index beside the file (tantivy,
# `search_tantivy`) has still to take in. The triggers write it only while meta names an
# index, so an archive without one logs nothing; one row per work, its ``seq`` the latest
# change (a change made again replaces the row).
_LOGGED = "WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'search_index')"
_SEARCH_CHANGES = [
    """CREATE TABLE IF NOT EXISTS search_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        work_id INTEGER NOT NULL UNIQUE
    )""",
    *(
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_{event.lower()} AFTER {event} ON {table} "
        f"{_LOGGED} BEGIN INSERT OR REPLACE INTO search_changes(work_id) VALUES ({row}); END"
        for table, event, row in (
            ("works", "INSERT", "new.id"),
            ("works", "UPDATE", "new.id"),
            ("works", "DELETE", "old.id"),
            ("work_tags", "INSERT", "new.work_id"),
            ("work_tags", "DELETE", "old.work_id"),
        )
    ),
]

_COMMON = [
    """CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS sources (
        sha256 TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        data {blob},
        added_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS works (
        id {identity},
        sha256 TEXT REFERENCES sources(sha256),
        title TEXT,
        authors TEXT NOT NULL,
        rating TEXT NOT NULL,
        word_count INTEGER NOT NULL,
        looks_like_story INTEGER NOT NULL,
        published TEXT,
        added_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        fingerprint BIGINT NOT NULL,
        band0 INTEGER NOT NULL, band1 INTEGER NOT NULL,
        band2 INTEGER NOT NULL, band3 INTEGER NOT NULL,
        work_json TEXT NOT NULL,
        rescued_json TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS works_sha256 ON works(sha256)",
    "CREATE INDEX IF NOT EXISTS works_added ON works(added_at)",
    "CREATE INDEX IF NOT EXISTS works_words ON works(word_count)",
    "CREATE INDEX IF NOT EXISTS works_band0 ON works(band0)",
    "CREATE INDEX IF NOT EXISTS works_band1 ON works(band1)",
    "CREATE INDEX IF NOT EXISTS works_band2 ON works(band2)",
    "CREATE INDEX IF NOT EXISTS works_band3 ON works(band3)",
    """CREATE TABLE IF NOT EXISTS tags (
        id {identity},
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        UNIQUE (kind, key)
    )""",
    """CREATE TABLE IF NOT EXISTS work_tags (
        work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        PRIMARY KEY (work_id, tag_id)
    )""",
    "CREATE INDEX IF NOT EXISTS work_tags_tag ON work_tags(tag_id, work_id)",
    """CREATE TABLE IF NOT EXISTS edits (
        id {identity},
        work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        field TEXT NOT NULL,
        before TEXT,
        after TEXT,
        note TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS edits_work ON edits(work_id)",
    """CREATE TABLE IF NOT EXISTS links (
        work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        other_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        distance INTEGER NOT NULL,
        PRIMARY KEY (work_id, other_id, kind)
    )""",
]

SQLITE_MIGRATIONS: dict[int, list[str]] = {
    1: [
        *(s.format(blob="BLOB", identity="INTEGER PRIMARY KEY") for s in _COMMON),
        """CREATE VIRTUAL TABLE IF NOT EXISTS works_fts USING fts5(
            title, authors, summary, notes, text,
            tokenize = 'porter unicode61 remove_diacritics 2'
        )""",
    ],
    2: [
        _TAG_COUNTS,
        _TAG_COUNTS_FILLED.replace("GROUP BY tag_id", "WHERE true GROUP BY tag_id"),
        """CREATE TRIGGER IF NOT EXISTS work_tags_counted AFTER INSERT ON work_tags BEGIN
            INSERT INTO tag_counts(tag_id, works) VALUES (NEW.tag_id, 1)
            ON CONFLICT (tag_id) DO UPDATE SET works = works + 1;
        END""",
        """CREATE TRIGGER IF NOT EXISTS work_tags_uncounted AFTER DELETE ON work_tags BEGIN
            UPDATE tag_counts SET works = works - 1 WHERE tag_id = OLD.tag_id;
        END""",
    ],
    3: [
        "ALTER TABLE works ADD COLUMN source_key TEXT",
        """UPDATE works SET source_key = sha256 WHERE sha256 IS NOT NULL
        AND id = (SELECT min(d.id) FROM works d WHERE d.sha256 = works.sha256)""",
        _SOURCE_KEY_INDEX,
    ],
    4: [
        "ALTER TABLE tags ADD COLUMN merger_id INTEGER REFERENCES tags(id) ON DELETE SET NULL",
        *(s.format(identity="INTEGER PRIMARY KEY") for s in _WRANGLING),
    ],
    5: _FTS5_WITH_TAGS,
    6: _SEARCH_CHANGES,
}

POSTGRES_MIGRATIONS: dict[int, list[str]] = {
    1: [
        *(
            s.format(blob="BYTEA", identity="BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
            for s in _COMMON
        ),
        # `text` is kept for ts_headline's snippets; `document` is the weighted tsvector
        # of title (A), authors (B), summary (C), notes and text (D).
        """CREATE TABLE IF NOT EXISTS works_fts (
            work_id BIGINT PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            document tsvector NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS works_fts_document ON works_fts USING GIN (document)",
    ],
    2: [
        _TAG_COUNTS,
        _TAG_COUNTS_FILLED,
        """CREATE OR REPLACE FUNCTION ficarchive_count_tag() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO tag_counts(tag_id, works) VALUES (NEW.tag_id, 1)
                ON CONFLICT (tag_id) DO UPDATE SET works = tag_counts.works + 1;
                RETURN NEW;
            END IF;
            UPDATE tag_counts SET works = works - 1 WHERE tag_id = OLD.tag_id;
            RETURN OLD;
        END $$""",
        """CREATE OR REPLACE TRIGGER work_tags_counted AFTER INSERT OR DELETE ON work_tags
        FOR EACH ROW EXECUTE FUNCTION ficarchive_count_tag()""",
    ],
    3: [
        "ALTER TABLE works ADD COLUMN IF NOT EXISTS source_key TEXT",
        """UPDATE works w SET source_key = w.sha256 FROM (SELECT min(id) AS id FROM works
        WHERE sha256 IS NOT NULL GROUP BY sha256) f WHERE w.id = f.id""",
        _SOURCE_KEY_INDEX,
    ],
    4: [
        "ALTER TABLE tags ADD COLUMN IF NOT EXISTS merger_id BIGINT "
        "REFERENCES tags(id) ON DELETE SET NULL",
        *(
            s.format(identity="BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
            for s in _WRANGLING
        ),
    ],
    5: [],  # the tags in the full-text index are SQLite's: PostgreSQL's GIN index differs
    6: [],  # the search index beside the file is SQLite's
}

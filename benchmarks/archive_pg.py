"""The same search benchmark on PostgreSQL: `archive_build`'s works copied into a database.

    python benchmarks/archive_speed.py --works 1000000 --postgres postgresql://… [--pg-works N]

The first N works of the SQLite benchmark archive (all of them by default) are copied
with COPY into the archive's own tables (made by `PostgresArchive`, so the schema is the
real one), the weighted tsvector made by the server as `PostgresArchive` makes it
(title A, authors B, text D, the configuration the archive chose), the GIN index built
after the rows, the tag counts filled, ANALYZE run. Triggers are off while copying
(``session_replication_role``, so the URL's user must be allowed to set it: the
superuser of a test cluster). The Work JSON of each row is not copied (search never
reads it): ``{}`` stands in, so the table is smaller than a real archive's. The copy is
kept (meta ``bench_works``) and reused by the next run.

Then the queries of `archive_speed` run through `PostgresArchive.search` and `facets`,
beside the bare full-text query for the same words (``@@`` and ``ts_rank`` ordered, 20
rows).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from ficarchive.archive import Filters
from ficarchive.archive.postgres import PostgresArchive
from ficarchive.archive.search_pg import RANK_WEIGHTS, tsquery

_WORK_COLUMNS = (
    "id, sha256, title, authors, rating, word_count, looks_like_story, published, added_at, "
    "updated_at, fingerprint, band0, band1, band2, band3, work_json, rescued_json, source_key"
)


def load(archive: Path, url: str, works: int) -> tuple[PostgresArchive, float]:
    """The PostgreSQL archive holding the first `works` works of `archive`; seconds spent
    copying them (0 when the copy was kept)."""
    store = PostgresArchive(url)
    kept = store.conn.execute("SELECT value FROM meta WHERE key = 'bench_works'").fetchone()
    if kept and int(kept[0]) == works:
        return store, 0.0
    started = time.perf_counter()
    config = store._config
    store.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '2GB'")
        conn.execute("TRUNCATE works_fts, work_tags, tag_counts, tags, works CASCADE")
        conn.execute("DROP INDEX IF EXISTS works_fts_document")
        source = sqlite3.connect(archive)
        _copy(conn, "tags(id, kind, key, name)", source, "SELECT id, kind, key, name FROM tags")
        _copy(
            conn,
            f"works({_WORK_COLUMNS})",
            source,
            "SELECT id, NULL, title, authors, rating, word_count, looks_like_story, published, "
            "added_at, updated_at, fingerprint, band0, band1, band2, band3, '{}', '{}', NULL "
            f"FROM works WHERE id <= {works}",
        )
        _copy(
            conn,
            "work_tags(work_id, tag_id)",
            source,
            f"SELECT work_id, tag_id FROM work_tags WHERE work_id <= {works}",
        )
        conn.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_stage "
            "(work_id BIGINT, title TEXT, authors TEXT, text TEXT)"
        )
        conn.execute("TRUNCATE bench_stage")
        _copy(
            conn,
            "bench_stage(work_id, title, authors, text)",
            source,
            f"SELECT rowid, title, authors, text FROM works_fts WHERE rowid <= {works}",
        )
        source.close()
        _index(conn, config)
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('bench_works', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (str(works),),
        )
    return PostgresArchive(url), time.perf_counter() - started


def _index(conn: psycopg.Connection[Any], config: str) -> None:
    """The weighted documents, the GIN index, the tag counts, the planner's statistics."""
    c = f"'{config}'::regconfig"
    conn.execute(
        "INSERT INTO works_fts(work_id, text, document) SELECT work_id, text, "
        f"setweight(to_tsvector({c}, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector({c}, authors), 'B') || setweight(to_tsvector({c}, text), 'D') "
        "FROM bench_stage"
    )
    conn.execute("DROP TABLE bench_stage")
    conn.execute("CREATE INDEX works_fts_document ON works_fts USING GIN (document)")
    conn.execute(
        "INSERT INTO tag_counts(tag_id, works) SELECT tag_id, count(*) FROM work_tags "
        "GROUP BY tag_id"
    )
    conn.execute("ANALYZE")


def _copy(
    conn: psycopg.Connection[Any], target: str, source: sqlite3.Connection, sql: str
) -> None:
    with conn.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in source.execute(sql):
            copy.write_row(row)


def bare(store: PostgresArchive, query: str) -> Callable[[], object]:
    """The bare full-text query for the words: matches ranked by ts_rank, 20 ids."""
    found = tsquery(query, store._config)
    assert found is not None
    expression, params = found
    sql = (
        f"SELECT f.work_id FROM works_fts f, (SELECT {expression}) AS q(q) WHERE "
        f"f.document @@ q.q ORDER BY ts_rank({RANK_WEIGHTS}, f.document, q.q) DESC LIMIT 20"
    )
    return lambda: store.conn.execute(sql, params).fetchall()


def measure(
    store: PostgresArchive,
    cases: dict[str, list[tuple[str, Filters]]],
    facet_cases: dict[str, list[tuple[str, Filters]]],
    timed: Callable[[Callable[[], object]], list[float]],
    summary: Callable[[list[float], list[float]], dict[str, float]],
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for kind, queries in cases.items():
        ours: list[float] = []
        peer: list[float] = []
        for query, chosen in queries:
            ours += timed(lambda q=query, f=chosen: store.search(q, f, facets=False))
            peer += timed(bare(store, query))
        out[kind] = summary(ours, peer)
    for kind, queries in facet_cases.items():
        times: list[float] = []
        for query, chosen in queries:
            times += timed(lambda q=query, f=chosen: store.facets(f, q))
        out[kind] = summary(times, [])
    return out

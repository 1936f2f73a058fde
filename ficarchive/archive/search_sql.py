"""Search on SQLite: FTS5 MATCH with bm25 ranking, tag filters, facet counts.

Tag filters resolve each name through its key (see `tags`), so any spelling finds the
same works; an unknown tag matches nothing rather than being ignored. The search is
bounded first (`query.bounded`, `query.parse`), so no input reaches SQLite that it
cannot take.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ficarchive.archive.model import FacetCount, Filters, SearchResults
from ficarchive.archive.query import bounded, clamp, fts5, parse, split_tags
from ficarchive.archive.records import MARK_CLOSE, MARK_OPEN, column_filters, facets_by_kind, hits
from ficarchive.archive.tags import KINDS, filter_keys

# Column weights for bm25: a match in the title counts most, then authors, summary, notes.
BM25 = "bm25(works_fts, 10.0, 6.0, 3.0, 1.5, 1.0)"
FACETS_PER_KIND = 20
_ORDER = {
    "relevance": "rank, w.id DESC",
    "date": "w.added_at DESC, w.id DESC",
    "words": "w.word_count DESC, w.id DESC",
    "title": "w.title COLLATE NOCASE, w.id",
}


# Facets of the whole archive are read from the counts the triggers keep (schema v2).
EVERYTHING = "FROM works w"
_KEPT_COUNTS = (
    "SELECT g.kind, g.name, g.n FROM (SELECT t.kind, t.name, c.works AS n, "
    "row_number() OVER (PARTITION BY t.kind ORDER BY c.works DESC, t.name) AS r "
    "FROM tag_counts c JOIN tags t ON t.id = c.tag_id WHERE c.works > 0) g "
    "WHERE g.r <= ? ORDER BY g.kind, g.n DESC, g.name"
)


def tag_id(conn: sqlite3.Connection, kind: str, name: str) -> int | None:
    """The id of the tag a filter names, by any spelling of it (None: no work has it): a
    synonym row leads to its canonical tag."""
    for key in filter_keys(kind, name.replace("\x00", "")):  # no NUL, as on PostgreSQL
        row = conn.execute(
            "SELECT coalesce(merger_id, id) FROM tags WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        if row is not None:
            return int(row[0])
    return None


def _where(
    conn: sqlite3.Connection, query: str, filters: Filters
) -> tuple[str, list[Any], bool] | None:
    """FROM/WHERE for the matching works; None when a filter names an unknown tag."""
    clauses: list[str] = []
    params: list[Any] = []
    expression = fts5(query)
    joins = ""
    if expression:
        joins = " JOIN works_fts f ON f.rowid = w.id"
        clauses.append("works_fts MATCH ?")
        params.append(expression)
    else:
        for term in parse(query):  # only exclusions ("-angst"): every work but those
            clauses.append("w.id NOT IN (SELECT rowid FROM works_fts WHERE works_fts MATCH ?)")
            params.append(fts5(term.text))
    for kind, name in filters.tag_filters():
        tag = tag_id(conn, kind, name)
        if tag is None:
            return None
        clauses.append("w.id IN (SELECT work_id FROM work_tags WHERE tag_id = ?)")
        params.append(tag)
    for kind, name in filters.exclusions():
        tag = tag_id(conn, kind, name)
        if tag is not None:  # a tag no work carries leaves nothing out
            clauses.append("w.id NOT IN (SELECT work_id FROM work_tags WHERE tag_id = ?)")
            params.append(tag)
    more, values = column_filters(filters, "?")
    clauses += more
    params += values
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return f"{EVERYTHING}{joins}{where}", params, bool(expression)


def run_search(
    conn: sqlite3.Connection,
    query: str,
    filters: Filters,
    *,
    sort: str,
    limit: int,
    offset: int,
    with_facets: bool,
) -> SearchResults:
    query, filters = split_tags(query, filters)
    filters = bounded(filters)
    limit, offset = clamp(limit), clamp(offset)
    found = _where(conn, query, filters)
    if found is None:
        return SearchResults(0, (), {k: () for k in KINDS} if with_facets else {})
    source, params, matching = found
    total = _count(conn, query, filters, source, params)
    order = _ORDER.get(sort, _ORDER["relevance"])
    if not matching and sort == "relevance":
        order = _ORDER["date"]
    rank = f"{BM25} AS rank" if matching else "0 AS rank"
    # the page first (ids only: cheap), then titles and snippets for that page alone
    if matching and sort == "relevance" and filters == Filters():
        page = conn.execute(  # the index alone can rank a bare query
            f"SELECT rowid, {BM25} AS rank FROM works_fts WHERE works_fts MATCH ? "
            "ORDER BY rank, rowid DESC LIMIT ? OFFSET ?",
            [fts5(query), limit, offset],
        ).fetchall()
    else:
        page = conn.execute(
            f"SELECT w.id, {rank} {source} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
    ids = [int(r[0]) for r in page]
    page_hits = hits(_page_rows(conn, ids, fts5(query) if matching else None))
    facets = _facets(conn, *_ids(conn, query, filters, source, params)) if with_facets else {}
    return SearchResults(total, page_hits, facets)


def _ids(
    conn: sqlite3.Connection, query: str, filters: Filters, source: str, params: list[Any]
) -> tuple[str, list[Any]]:
    """SQL for the ids of the matching works, with no join it can do without."""
    if source == EVERYTHING and not params:
        return EVERYTHING, []
    expression = fts5(query)
    if filters == Filters() and expression:
        return "SELECT rowid FROM works_fts WHERE works_fts MATCH ?", [expression]
    only_tags = (
        filters.words_min,
        filters.words_max,
        filters.added_since,
        filters.added_until,
        filters.stories_only,
        filters.excluded,
    ) == (None, None, None, None, False, ())
    if not expression and filters.tag_filters() and only_tags:
        # then _where's parameters are exactly the tag ids, one a filter
        sql = " INTERSECT ".join("SELECT work_id FROM work_tags WHERE tag_id = ?" for _ in params)
        return sql, list(params)
    return f"SELECT w.id {source}", params


def _count(
    conn: sqlite3.Connection, query: str, filters: Filters, source: str, params: list[Any]
) -> int:
    """How many works match; a bare full-text query is counted on the index alone."""
    expression = fts5(query)
    if expression and filters == Filters():
        row = conn.execute(
            "SELECT count(*) FROM works_fts WHERE works_fts MATCH ?", (expression,)
        ).fetchone()
    else:
        row = conn.execute(f"SELECT count(*) {source}", params).fetchone()
    return int(row[0])


def _page_rows(
    conn: sqlite3.Connection, ids: list[int], expression: str | None
) -> list[tuple[Any, ...]]:
    """Rows for `hit`, in the order of `ids`, with a snippet when there is a query."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = {
        int(r[0]): tuple(r)
        for r in conn.execute(
            "SELECT id, title, authors, rating, word_count, added_at FROM works "
            f"WHERE id IN ({marks})",
            ids,
        )
    }
    snippets: dict[int, str] = {}
    if expression:
        snippets = {
            int(r[0]): r[1]
            for r in conn.execute(
                f"SELECT rowid, snippet(works_fts, 4, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 16) "
                f"FROM works_fts WHERE works_fts MATCH ? AND rowid IN ({marks})",
                [expression, *ids],
            )
        }
    return [(*rows[i], 0, snippets.get(i, "")) for i in ids if i in rows]


def _facets(
    conn: sqlite3.Connection, ids: str, params: list[Any], per_kind: int = FACETS_PER_KIND
) -> dict[str, tuple[FacetCount, ...]]:
    """Tag counts over the works `ids` (SQL selecting their ids) selects."""
    if ids == EVERYTHING:
        return facets_by_kind(conn.execute(_KEPT_COUNTS, (per_kind,)).fetchall())
    # count by tag id over the matching works first, then name the few tags counted
    counts = conn.execute(
        f"SELECT tag_id, count(*) FROM work_tags WHERE work_id IN ({ids}) GROUP BY tag_id",
        params,
    ).fetchall()
    if not counts:
        return facets_by_kind([])
    names = {
        int(r[0]): (r[1], r[2])
        for r in conn.execute(
            f"SELECT id, kind, name FROM tags WHERE id IN ({','.join('?' * len(counts))})",
            [int(c[0]) for c in counts],
        )
    }
    by_kind: dict[str, list[tuple[str, str, int]]] = {}
    for tag_id, n in counts:
        kind, name = names[int(tag_id)]
        by_kind.setdefault(kind, []).append((kind, name, int(n)))
    rows = [
        row
        for kind in sorted(by_kind)
        for row in sorted(by_kind[kind], key=lambda r: (-r[2], r[1]))[:per_kind]
    ]
    return facets_by_kind(rows)


def facet_counts(
    conn: sqlite3.Connection, query: str, filters: Filters, per_kind: int = FACETS_PER_KIND
) -> dict[str, tuple[FacetCount, ...]]:
    query, filters = split_tags(query, filters)
    filters = bounded(filters)
    found = _where(conn, query, filters)
    if found is None:
        return {k: () for k in KINDS}
    return _facets(conn, *_ids(conn, query, filters, found[0], found[1]), per_kind)

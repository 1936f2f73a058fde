"""Search on SQLite: FTS5 MATCH with bm25 ranking, tag filters, facet counts.

Tag filters resolve each name through its key (see `tags`), so any spelling finds the
same works; an unknown tag matches nothing rather than being ignored. The search is
bounded first (`query.bounded`, `query.parse`), so no input reaches SQLite that it
cannot take.

What keeps it fast on a million works (``benchmarks/archive_speed.py --works 1000000``):

- a search with words is driven by the full-text index alone: the index ranks its
  matches (bm25), tag filters are index lookups on each match (``EXISTS`` on
  ``work_tags``' primary key) and ``works`` is read only for the page of ids found, or
  when a filter or a sort needs its columns;
- a search with tags and no words is driven by the first tag's ``work_tags`` index;
- on an archive that keeps a tantivy index beside it (`search_tantivy`), a search with
  words in relevance order takes its page's ids and its count (exact) from there, where
  FTS5 would score every match to rank them;
- matches are counted up to `COUNT_LIMIT` (``total_exact`` says whether all were), and
  facets count the `FACET_SAMPLE` most recently added matches (``facets_exact``); the
  whole archive is counted exactly and its facets are read from the counts the triggers
  keep (schema v2).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ficarchive.archive.model import (
    COUNT_LIMIT,
    FACET_SAMPLE,
    FacetCount,
    Filters,
    SearchResults,
)
from ficarchive.archive.query import bounded, clamp, fts5, parse, split_tags
from ficarchive.archive.records import MARK_CLOSE, MARK_OPEN, column_filters, facets_by_kind, hits
from ficarchive.archive.schema import TAG_WORD
from ficarchive.archive.search_tantivy import Ranked
from ficarchive.archive.tags import KINDS, filter_keys

# Column weights for bm25: a match in the title counts most, then authors, summary, notes.
# The tags column (schema v5) counts for nothing: no reader's word is searched in it.
BM25 = "bm25(works_fts, 10.0, 6.0, 3.0, 1.5, 1.0, 0.0)"
TEXT_COLUMNS = "{title authors summary notes text}"
FACETS_PER_KIND = 20
_ORDER = {
    "date": "w.added_at DESC, w.id DESC",
    "words": "w.word_count DESC, w.id DESC",
    "title": "w.title COLLATE NOCASE, w.id",
}
# Asked for a page's ids in relevance order and the count of the matches before FTS5
# ranks and counts them (`search_tantivy`); None from it: FTS5 does.
Ranker = Callable[[Ranked, int, int], "tuple[list[int], int] | None"]
_HAS_TAG = "SELECT 1 FROM work_tags x WHERE x.work_id = {} AND x.tag_id = ?"
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


@dataclass(frozen=True)
class Matching:
    """The works a search selects: the reader's words (kept to the text columns), the tag
    ids required and left out, the words left out of a search with no others, the column
    filters."""

    words: str | None
    tags: tuple[int, ...] = ()
    excluded_tags: tuple[int, ...] = ()
    excluded_words: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    values: tuple[Any, ...] = field(default=())

    @property
    def everything(self) -> bool:
        selective = self.words or self.tags or self.excluded_tags or self.excluded_words
        return not selective and not self.columns

    @property
    def expression(self) -> str | None:
        """The MATCH of a search with words: the words, and the tags as words of the
        ``tags`` column, so FTS5 intersects them itself."""
        if not self.words:
            return None
        anded = " AND ".join([self.words, *(f'tags : "{TAG_WORD}{t}"' for t in self.tags)])
        if not self.excluded_tags:
            return anded
        # flat, as `query` keeps its expressions: "(x) NOT a NOT b" is read left to right,
        # where nesting each NOT overflows FTS5's parser at a hundred or so
        return f"({anded})" + "".join(f' NOT tags : "{TAG_WORD}{t}"' for t in self.excluded_tags)

    def source(self, with_works: bool = False) -> tuple[str, str, list[Any]]:
        """(FROM … WHERE …, the id column, parameters): driven by the full-text index for
        words, by the first tag's index for tags alone, else by ``works``."""
        clauses: list[str] = []
        params: list[Any] = []
        tags, excluded = list(self.tags), list(self.excluded_tags)
        if self.expression:
            ident, sql = "f.rowid", "FROM works_fts f"
            if with_works or self.columns:
                sql += " JOIN works w ON w.id = f.rowid"
            clauses.append("works_fts MATCH ?")
            params.append(self.expression)
            tags, excluded = [], []  # in the MATCH
        elif tags and not with_works and not self.columns:
            ident, sql = "t0.work_id", "FROM work_tags t0"
            clauses.append("t0.tag_id = ?")
            params.append(tags.pop(0))
        else:
            ident, sql = "w.id", "FROM works w"
            if tags:  # the planner chooses: the tag's index, or works in the order asked
                clauses.append("w.id IN (SELECT work_id FROM work_tags WHERE tag_id = ?)")
                params.append(tags.pop(0))
        for words in self.excluded_words:
            clauses.append(f"{ident} NOT IN (SELECT rowid FROM works_fts WHERE works_fts MATCH ?)")
            params.append(words)
        for tag in tags:
            clauses.append(f"EXISTS ({_HAS_TAG.format(ident)})")
            params.append(tag)
        for tag in excluded:
            clauses.append(f"NOT EXISTS ({_HAS_TAG.format(ident)})")
            params.append(tag)
        clauses += self.columns
        params += self.values
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return sql + where, ident, params


def matching(conn: sqlite3.Connection, query: str, filters: Filters) -> Matching | None:
    """What a search selects; None when a filter names a tag no work carries."""
    expression = fts5(query)
    words = f"{TEXT_COLUMNS} : ({expression})" if expression else None
    left_out = () if expression else tuple(f"{TEXT_COLUMNS} : {fts5(t.text)}" for t in parse(query))
    tags: list[int] = []
    for kind, name in filters.tag_filters():
        tag = tag_id(conn, kind, name)
        if tag is None:
            return None
        if tag not in tags:
            tags.append(tag)
    if len(tags) > 1:  # the rarest first: it drives a search of tags alone
        marks = ",".join("?" * len(tags))
        counted = dict(
            conn.execute(f"SELECT tag_id, works FROM tag_counts WHERE tag_id IN ({marks})", tags)
        )
        tags.sort(key=lambda t: counted.get(t, 0))
    excluded: list[int] = []
    for kind, name in filters.exclusions():
        tag = tag_id(conn, kind, name)
        if tag is not None:  # a tag no work carries leaves nothing out
            excluded.append(tag)
    columns, values = column_filters(filters, "?")
    return Matching(words, tuple(tags), tuple(excluded), left_out, tuple(columns), tuple(values))


def run_search(
    conn: sqlite3.Connection,
    query: str,
    filters: Filters,
    *,
    sort: str,
    limit: int,
    offset: int,
    with_facets: bool,
    ranker: Ranker | None = None,
) -> SearchResults:
    query, filters = split_tags(query, filters)
    filters = bounded(filters)
    limit, offset = clamp(limit), clamp(offset)
    found = matching(conn, query, filters)
    if found is None:
        return SearchResults(0, (), {k: () for k in KINDS} if with_facets else {})
    ranked = None
    if ranker is not None and found.expression and sort not in _ORDER:
        ranked = ranker(Ranked(query, found.tags, found.excluded_tags, filters), limit, offset)
    if ranked is not None:
        ids, total = ranked
        exact = True  # the index counts every match
    else:
        total = _count(conn, found)
        ids = _page_ids(conn, found, sort, limit, offset)
        exact = found.everything or total <= COUNT_LIMIT
    page_hits = hits(_page_rows(conn, ids, found.words))
    facets = _facets(conn, found) if with_facets else {}
    sampled = with_facets and not found.everything and total > FACET_SAMPLE
    return SearchResults(total if exact else COUNT_LIMIT, page_hits, facets, exact, not sampled)


def _count(conn: sqlite3.Connection, found: Matching) -> int:
    """How many works match, counted up to one past `COUNT_LIMIT` (all of the archive)."""
    if found.everything:
        return int(conn.execute("SELECT count(*) FROM works").fetchone()[0])
    sql, _, params = found.source()
    row = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 {sql} LIMIT ?)", [*params, COUNT_LIMIT + 1]
    ).fetchone()
    return int(row[0])


def _page_ids(
    conn: sqlite3.Connection, found: Matching, sort: str, limit: int, offset: int
) -> list[int]:
    """The ids of one page: ranked by the full-text index, or in a column's order."""
    if found.expression and sort not in _ORDER:
        sql, ident, params = found.source()
        rows = conn.execute(
            f"SELECT {ident}, {BM25} AS rank {sql} ORDER BY rank, {ident} DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
    else:
        sql, ident, params = found.source(with_works=True)
        order = _ORDER.get(sort, _ORDER["date"])
        rows = conn.execute(
            f"SELECT {ident} {sql} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
        ).fetchall()
    return [int(r[0]) for r in rows]


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
    conn: sqlite3.Connection, found: Matching, per_kind: int = FACETS_PER_KIND
) -> dict[str, tuple[FacetCount, ...]]:
    """Tag counts over the matching works (the `FACET_SAMPLE` most recently added)."""
    if found.everything:
        return facets_by_kind(conn.execute(_KEPT_COUNTS, (per_kind,)).fetchall())
    sql, ident, params = found.source()
    # count by tag id over the newest matches first, then name the few tags counted
    counts = conn.execute(
        "SELECT tag_id, count(*) FROM work_tags WHERE work_id IN "
        f"(SELECT {ident} {sql} ORDER BY {ident} DESC LIMIT ?) GROUP BY tag_id",
        [*params, FACET_SAMPLE],
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
    for tag, n in counts:
        kind, name = names[int(tag)]
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
    found = matching(conn, query, filters)
    if found is None:
        return {k: () for k in KINDS}
    return _facets(conn, found, per_kind)

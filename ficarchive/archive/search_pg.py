"""Search on PostgreSQL: a tsquery built from the search box, ts_rank, ts_headline, facets.

The tsquery is assembled from `query.parse` terms with ``plainto_tsquery`` (a word) and
``phraseto_tsquery`` (a phrase) joined by ``&&``, ``||`` and ``!!``; every word is a bound
parameter, so nothing typed in the box is tsquery syntax and no input can break it.
Tag filters resolve each name through its key, as on SQLite. The search is bounded
first (`query.bounded`, `query.parse`), matches are counted up to `COUNT_LIMIT` and facets
count the `FACET_SAMPLE` most recently added matches, as on SQLite.
"""

from __future__ import annotations

from typing import Any

import psycopg

from ficarchive.archive.model import (
    COUNT_LIMIT,
    FACET_SAMPLE,
    FacetCount,
    Filters,
    SearchResults,
)
from ficarchive.archive.query import Term, bounded, clamp, split_tags, tsquery_terms
from ficarchive.archive.records import MARK_CLOSE, MARK_OPEN, column_filters, facets_by_kind, hits
from ficarchive.archive.tags import KINDS, filter_keys

FACETS_PER_KIND = 20
# Weights of D, C, B, A (notes and text, summary, authors, title) for ts_rank.
RANK_WEIGHTS = "'{0.1, 0.3, 0.6, 1.0}'"
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_OPEN}", StopSel="{MARK_CLOSE}", MaxWords=16, MinWords=8, '
    "ShortWord=2, MaxFragments=1, FragmentDelimiter=…"
)
_ORDER = {
    "relevance": "rank DESC, w.id DESC",
    "date": "w.added_at DESC, w.id DESC",
    "words": "w.word_count DESC, w.id DESC",
    "title": 'lower(w.title) COLLATE "C" NULLS FIRST, w.id',
}


# Facets of the whole archive are read from the counts the triggers keep (schema v2).
EVERYTHING = "FROM works w"
_TAGGED_WHERE = "WHERE t.work_id = w.id AND t.tag_id"
_TAGGED = f"SELECT 1 FROM work_tags t {_TAGGED_WHERE}"
_KEPT_COUNTS = (
    "SELECT g.kind, g.name, g.n FROM (SELECT t.kind, t.name, c.works AS n, "
    'row_number() OVER (PARTITION BY t.kind ORDER BY c.works DESC, t.name COLLATE "C") AS r '
    "FROM tag_counts c JOIN tags t ON t.id = c.tag_id WHERE c.works > 0) g "
    'WHERE g.r <= %s ORDER BY g.kind, g.n DESC, g.name COLLATE "C"'
)


def tsquery(query: str, config: str) -> tuple[str, list[str]] | None:
    """SQL for the tsquery of a search box query and its parameters; None without words.

    Flat, as `query.groups` gives it: ``a && (b || c || d) && (!!e)``, no deeper however
    many terms there are.

    >>> sql, params = tsquery('bells "sound of" OR x OR y -angst', "english")
    >>> sql.replace("_tsquery('english'::regconfig, %s)", "")
    'plainto && (phraseto || plainto || plainto) && (!!plainto)'
    >>> params
    ['bells', 'sound of', 'x', 'y', 'angst']
    """
    positive, excluded = tsquery_terms(query)
    if not positive:
        return None

    def piece(term: Term) -> str:
        function = "phraseto_tsquery" if term.phrase else "plainto_tsquery"
        return f"{function}('{config}'::regconfig, %s)"

    parts: list[str] = []
    params: list[str] = []
    for group in positive:
        joined = " || ".join(piece(t) for t in group)
        parts.append(joined if len(group) == 1 else f"({joined})")
        params.extend(t.text for t in group)
    for term in excluded:
        parts.append(f"(!!{piece(term)})")
        params.append(term.text)
    return " && ".join(parts), params


def tag_id(conn: psycopg.Connection[Any], kind: str, name: str) -> int | None:
    """The id of the tag a filter names, by any spelling of it (None: no work has it): a
    synonym row leads to its canonical tag."""
    for key in filter_keys(kind, name.replace("\x00", "")):  # stored text never holds NUL
        row = conn.execute(
            "SELECT coalesce(merger_id, id) FROM tags WHERE kind = %s AND key = %s", (kind, key)
        ).fetchone()
        if row is not None:
            return int(row[0])
    return None


def _where(
    conn: psycopg.Connection[Any], query: str, filters: Filters, config: str
) -> tuple[str, list[Any], bool] | None:
    """FROM/WHERE for the matching works; None when a filter names an unknown tag."""
    clauses: list[str] = []
    params: list[Any] = []
    joins = ""
    expression = tsquery(query, config)
    if expression:
        joins = f" JOIN works_fts f ON f.work_id = w.id CROSS JOIN (SELECT {expression[0]}) AS q(q)"
        params.extend(expression[1])
        clauses.append("f.document @@ q.q")
    wanted: list[int] = []
    for kind, name in filters.tag_filters():
        tag = tag_id(conn, kind, name)
        if tag is None:
            return None
        if tag not in wanted:
            wanted.append(tag)
    left_out = sorted({t for k, n in filters.exclusions() if (t := tag_id(conn, k, n)) is not None})
    # one tag is one semi-join; more are counted in one probe a work (a semi-join each
    # made a plan of a hundred joins, seconds to make)
    if len(wanted) == 1:
        clauses.append(f"EXISTS ({_TAGGED} = %s)")
        params.append(wanted[0])
    elif wanted:
        clauses.append(f"(SELECT count(*) FROM work_tags t {_TAGGED_WHERE} = ANY(%s)) = %s")
        params += [wanted, len(wanted)]
    if left_out:  # a tag no work carries leaves nothing out
        clauses.append(f"NOT EXISTS ({_TAGGED} = ANY(%s))")
        params.append(left_out)
    more, values = column_filters(filters, "%s")
    clauses += more
    params += values
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return f"{EVERYTHING}{joins}{where}", params, bool(expression)


def run_search(
    conn: psycopg.Connection[Any],
    query: str,
    filters: Filters,
    config: str,
    *,
    sort: str,
    limit: int,
    offset: int,
    with_facets: bool,
) -> SearchResults:
    query, filters = split_tags(query, filters)
    filters = bounded(filters)
    limit, offset = clamp(limit), clamp(offset)
    found = _where(conn, query, filters, config)
    if found is None:
        return SearchResults(0, (), {k: () for k in KINDS} if with_facets else {})
    source, params, matching = found
    if source == EVERYTHING:  # the whole archive, counted exactly
        row = conn.execute("SELECT count(*) FROM works").fetchone()
    else:  # counted up to one past the limit, as on SQLite
        row = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 {source} LIMIT %s) c", [*params, COUNT_LIMIT + 1]
        ).fetchone()
    total = int(row[0]) if row else 0
    rank = f"ts_rank({RANK_WEIGHTS}, f.document, q.q)" if matching else "0"
    order = _ORDER.get(sort, _ORDER["relevance"])
    if not matching and sort == "relevance":
        order = _ORDER["date"]
    page = (
        f"SELECT w.id, w.title, w.authors, w.rating, w.word_count, w.added_at, {rank} AS rank"
        f"{', q.q AS q' if matching else ''} {source} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    snippet = f"ts_headline('{config}'::regconfig, f.text, p.q, %s)" if matching else "''"
    outer_order = order.replace("w.", "p.").replace("rank", "p.rank")
    rows = conn.execute(
        f"SELECT p.id, p.title, p.authors, p.rating, p.word_count, p.added_at, p.rank, "
        f"{snippet} FROM ({page}) p LEFT JOIN works_fts f ON f.work_id = p.id "
        f"ORDER BY {outer_order}",
        [*([HEADLINE_OPTIONS] if matching else []), *params, limit, offset],
    ).fetchall()
    page_hits = hits(rows)
    facets = _facets(conn, source, params) if with_facets else {}
    sampled = with_facets and source != EVERYTHING and total > FACET_SAMPLE
    exact = source == EVERYTHING or total <= COUNT_LIMIT
    return SearchResults(total if exact else COUNT_LIMIT, page_hits, facets, exact, not sampled)


def _facets(
    conn: psycopg.Connection[Any],
    source: str,
    params: list[Any],
    per_kind: int = FACETS_PER_KIND,
) -> dict[str, tuple[FacetCount, ...]]:
    if source == EVERYTHING:
        return facets_by_kind(conn.execute(_KEPT_COUNTS, (per_kind,)).fetchall())
    rows = conn.execute(
        "SELECT g.kind, g.name, g.n FROM (SELECT t.kind, t.name, count(*) AS n, "
        'row_number() OVER (PARTITION BY t.kind ORDER BY count(*) DESC, t.name COLLATE "C") '
        "AS r "
        "FROM work_tags wt JOIN tags t ON t.id = wt.tag_id WHERE wt.work_id IN "
        f"(SELECT w.id {source} ORDER BY w.id DESC LIMIT %s) GROUP BY t.id) g WHERE g.r <= %s "
        'ORDER BY g.kind, g.n DESC, g.name COLLATE "C"',
        [*params, FACET_SAMPLE, per_kind],
    ).fetchall()
    return facets_by_kind(rows)


def facet_counts(
    conn: psycopg.Connection[Any],
    query: str,
    filters: Filters,
    config: str,
    per_kind: int = FACETS_PER_KIND,
) -> dict[str, tuple[FacetCount, ...]]:
    query, filters = split_tags(query, filters)
    filters = bounded(filters)
    found = _where(conn, query, filters, config)
    if found is None:
        return {k: () for k in KINDS}
    return _facets(conn, found[0], found[1], per_kind)

"""What every backend computes the same way: rows from Works, edits, stored works, stats.

The backends differ in SQL dialect and in full-text search; what goes into a row, how
an archivist's edit becomes recorded changes, and how a row becomes a `StoredWork` are
decided here once.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ficarchive.archive import fingerprint as fp
from ficarchive.archive.model import EDITABLE, FacetCount, Filters, Hit, Stats, StoredWork
from ficarchive.archive.tags import KINDS
from ficarchive.archive.text import fts_fields
from ficarchive.errors import ArchiveError, WorkNotFound
from ficarchive.work import Work

# The columns of ``works`` an insert fills, in the order `work_values` gives them.
WORK_COLUMNS = (
    "sha256, title, authors, rating, word_count, looks_like_story, published, added_at, "
    "updated_at, fingerprint, band0, band1, band2, band3, work_json, rescued_json"
)
# The columns an edit changes, in the order `edited_values` gives them (then the id).
EDITED_COLUMNS = (
    "title",
    "authors",
    "rating",
    "looks_like_story",
    "published",
    "updated_at",
    "work_json",
)

# One statement a number for `build_stats`; portable SQL.
STATS_SQL = {
    "works": "SELECT count(*) FROM works",
    "stories": "SELECT count(*) FROM works WHERE looks_like_story = 1",
    "words": "SELECT sum(word_count) FROM works",
    "sources": "SELECT count(*) FROM sources",
    "source_bytes": "SELECT sum(size) FROM sources",
    "edits": "SELECT count(*) FROM edits",
    "links": "SELECT count(*) FROM links",
}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def not_found(work_id: int) -> WorkNotFound:
    return WorkNotFound(
        f"no work {work_id} in the archive; `ficarchive list` shows the works it has"
    )


@dataclass(frozen=True)
class Prepared:
    """A Work ready to store: its searchable text and its fingerprint, computed once."""

    work: Work
    fields: dict[str, str]
    fingerprint: int

    @classmethod
    def of(cls, work: Work) -> Prepared:
        fields = fts_fields(work)
        return cls(work, fields, fp.simhash(fields["text"]))


def source_sha(work: Work, data: bytes | None) -> str | None:
    """The SHA-256 a work is known by: its source's, else that of the bytes given."""
    if work.source and work.source.sha256:
        return work.source.sha256
    return sha256(data) if data else None


def source_values(
    work: Work, sha: str, data: bytes, name: str | None, stamp: str
) -> tuple[str, str, int, bytes, str]:
    """The values for a ``sources`` row: (sha256, name, size, data, added_at)."""
    name = name or (work.source.name if work.source else "")
    return (sha, name, len(data), data, stamp)


def work_values(work: Work, sha: str | None, fingerprint: int, stamp: str) -> tuple[Any, ...]:
    """The values for `WORK_COLUMNS` of a newly stored Work (as rescued = as stored)."""
    as_json = work.to_json(indent=None)
    return (
        sha,
        work.title,
        json.dumps(list(work.authors)),
        work.rating,
        work.word_count,
        int(work.looks_like_story),
        work.published,
        stamp,
        stamp,
        fp.signed(fingerprint),
        *fp.bands(fingerprint),
        as_json,
        as_json,
    )


def edited_values(work: Work, stamp: str) -> tuple[Any, ...]:
    """The values for `EDITED_COLUMNS` after an edit."""
    return (
        work.title,
        json.dumps(list(work.authors)),
        work.rating,
        int(work.looks_like_story),
        work.published,
        stamp,
        work.to_json(indent=None),
    )


@dataclass(frozen=True)
class Change:
    """One field an edit changed, with its values as JSON text for the history."""

    field: str
    before: str
    after: str


def plan_edit(work: Work, changes: Mapping[str, Any]) -> tuple[Work, list[Change]]:
    """The edited Work, and the fields that really changed (in the order given)."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ArchiveError(
            f"cannot edit {', '.join(unknown)}; editable fields are {', '.join(EDITABLE)}"
        )
    data = work.to_dict()
    updated = Work.from_dict({**data, **{k: _plain(v) for k, v in changes.items()}})
    after = updated.to_dict()
    recorded = [
        Change(name, json.dumps(data[name]), json.dumps(after[name]))
        for name in changes
        if data[name] != after[name]
    ]
    return updated, recorded


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def stored(work_id: Any, work_json: str, added_at: str, updated_at: str) -> StoredWork:
    return StoredWork(int(work_id), Work.from_json(work_json), added_at, updated_at)


def build_stats(
    one: Callable[[str], int],
    tag_counts: Iterable[tuple[str, int]],
    top: dict[str, tuple[FacetCount, ...]],
) -> Stats:
    """Stats from `one` (runs a `STATS_SQL` statement), tags a kind, and the top facets."""
    tags = dict.fromkeys(KINDS, 0)
    for kind, n in tag_counts:
        tags[kind] = int(n)
    numbers = {name: int(one(sql) or 0) for name, sql in STATS_SQL.items()}
    links = numbers.pop("links")
    return Stats(**numbers, tags=tags, near_duplicate_pairs=links // 2, top=top)


# Snippets come from the database with these around each match, then are escaped as
# HTML and the markers become <mark> tags: the only markup a snippet has.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


def snippet_html(raw: str | None) -> str:
    """A snippet as HTML: the text escaped, the marked matches in ``<mark>``.

    >>> snippet_html("a <b> & \\x02bells\\x03")
    'a &lt;b&gt; &amp; <mark>bells</mark>'
    """
    escaped = html.escape(raw or "", quote=False)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def hit(row: Any) -> Hit:
    """A Hit from a row (id, title, authors JSON, rating, word_count, added_at, rank, snippet)."""
    work_id, title, authors, rating, words, added_at, _rank, snippet = row
    return Hit(
        int(work_id),
        title,
        tuple(json.loads(authors)),
        rating,
        int(words),
        snippet_html(snippet),
        added_at,
    )


def facets_by_kind(rows: Iterable[tuple[str, str, int]]) -> dict[str, tuple[FacetCount, ...]]:
    """(kind, name, count) rows, already in order, as the facets of each kind."""
    facets: dict[str, list[FacetCount]] = {k: [] for k in KINDS}
    for kind, name, n in rows:
        facets.setdefault(kind, []).append(FacetCount(name, int(n)))
    return {k: tuple(v) for k, v in facets.items()}


def column_filters(filters: Filters, param: str) -> tuple[list[str], list[Any]]:
    """WHERE clauses (and their values) for the filters that are plain columns of works:
    length, date added, story or not. `param` is the driver's placeholder."""
    clauses: list[str] = []
    values: list[Any] = []
    for column, op, value in (
        ("w.word_count", ">=", filters.words_min),
        ("w.word_count", "<=", filters.words_max),
        ("w.added_at", ">=", filters.added_since),
        ("w.added_at", "<=", filters.added_until),
    ):
        if value is not None:
            clauses.append(f"{column} {op} {param}")
            values.append(value)
    if filters.stories_only:
        clauses.append("w.looks_like_story = 1")
    return clauses, values

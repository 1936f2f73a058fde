"""What every backend computes the same way: rows from Works, edits, stored works, stats.

The backends differ in SQL dialect and in full-text search; what goes into a row, how
an archivist's edit becomes recorded changes, and how a row becomes a `StoredWork` are
decided here once.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ficarchive.archive import fingerprint as fp
from ficarchive.archive.model import EDITABLE, FacetCount, Filters, Hit, Stats, StoredWork
from ficarchive.archive.tags import KINDS
from ficarchive.archive.text import fts_fields
from ficarchive.archive.validate import problem, read_work
from ficarchive.errors import ArchiveError, DamagedWork, InvalidWork, WorkNotFound
from ficarchive.work import Work

LOG = logging.getLogger("ficarchive.archive")

# The columns of ``works`` an insert fills, in the order `work_values` gives them.
WORK_COLUMNS = (
    "sha256, title, authors, rating, word_count, looks_like_story, published, added_at, "
    "updated_at, fingerprint, band0, band1, band2, band3, work_json, rescued_json, source_key"
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


def keyed(work: Work, digest: str, size: int) -> Work:
    """The Work with its source's hash (and size) those of the bytes it was rescued from,
    whatever a Work JSON among them claimed, so the archive knows it by the real file."""
    if work.source is None or (work.source.sha256, work.source.size) == (digest, size):
        return work
    return work.evolve(source=replace(work.source, sha256=digest, size=size))


def source_values(
    work: Work, sha: str, data: bytes, name: str | None, stamp: str
) -> tuple[str, str, int, bytes, str]:
    """The values for a ``sources`` row: (sha256, name, size, data, added_at)."""
    name = name or (work.source.name if work.source else "")
    return (sha, name, len(data), data, stamp)


def work_values(
    work: Work, sha: str | None, key: str | None, fingerprint: int, stamp: str
) -> tuple[Any, ...]:
    """The values for `WORK_COLUMNS` of a newly stored Work (as rescued = as stored):
    `sha` names its kept original (None: kept without it), `key` the hash it is known by."""
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
        key,
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
    merged = {**data, **{k: _plain(v) for k, v in changes.items()}}
    wrong = problem(merged)
    if wrong is not None:
        raise InvalidWork(f"cannot make that edit: {wrong}")
    updated = Work.from_dict(merged)
    after = updated.to_dict()
    recorded = [
        Change(name, json.dumps(data[name]), json.dumps(after[name]))
        for name in changes
        if data[name] != after[name]
    ]
    return updated, recorded


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def stored(work_id: Any, work_json: Any, added_at: Any, updated_at: Any) -> StoredWork:
    """A row as a StoredWork; `DamagedWork` (one line, naming the work) if it cannot be."""
    what = f"work {work_id}"
    work = read_work(work_json, what)
    for name, stamp in (("added_at", added_at), ("updated_at", updated_at)):
        if not isinstance(stamp, str):
            raise DamagedWork(f"{what} is damaged: {name} is {stamp!r}, not a date")
    return StoredWork(int(work_id), work, added_at, updated_at)


def report_damaged(damaged: DamagedWork) -> None:
    """Where a skipped work is reported when the caller gave nowhere: the log."""
    LOG.warning("%s; skipped (`ficarchive check` lists every damaged work)", damaged)


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
    """A Hit from a row (id, title, authors JSON, rating, word_count, added_at, rank,
    snippet); `DamagedWork` when a column does not hold what it should."""
    work_id, title, authors, rating, words, added_at, _rank, snippet = row
    try:
        names = json.loads(authors)
    except (TypeError, ValueError, RecursionError):
        names = None
    columns = (
        ("title", title, title is None or isinstance(title, str)),
        ("authors", authors, isinstance(names, list) and all(isinstance(a, str) for a in names)),
        ("rating", rating, isinstance(rating, str)),
        ("word_count", words, isinstance(words, int) and not isinstance(words, bool)),
        ("added_at", added_at, isinstance(added_at, str)),
    )
    for name, value, right in columns:
        if not right:
            raise DamagedWork(f"work {work_id} is damaged: its {name} column holds {value!r}")
    assert isinstance(names, list)
    return Hit(int(work_id), title, tuple(names), rating, words, snippet_html(snippet), added_at)


def hits(rows: Iterable[Any]) -> tuple[Hit, ...]:
    """The Hits of a page of rows; a damaged row is reported and left out."""
    found: list[Hit] = []
    for row in rows:
        try:
            found.append(hit(row))
        except DamagedWork as damaged:
            report_damaged(damaged)
    return tuple(found)


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

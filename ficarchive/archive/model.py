"""What the archive hands back: stored works, add results, search results, edits, stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ficarchive.work import Work

# The Work fields an archivist may correct (the text itself is changed by re-rescue).
EDITABLE = (
    "title",
    "authors",
    "rating",
    "rating_source",
    "warnings",
    "fandoms",
    "relationships",
    "characters",
    "tags",
    "summary",
    "spoilers",
    "disclaimer",
    "challenge",
    "feedback",
    "archive_permission",
    "published",
    "language",
    "end_mark",
    "looks_like_story",
)
SORTS = ("relevance", "date", "words", "title")


@dataclass(frozen=True)
class StoredWork:
    id: int
    work: Work
    added_at: str
    updated_at: str


@dataclass(frozen=True)
class Original:
    """The bytes a work was rescued from. `sha256` is the hash the archive knows them by:
    the file's own, or for a work joined from several files the hash of their hashes in
    order (`ficarchive.bulk.joining.join_works`)."""

    name: str
    sha256: str
    data: bytes


@dataclass(frozen=True)
class AddResult:
    """``added``: a new work; ``unchanged``: these exact bytes were already in the archive."""

    id: int
    status: Literal["added", "unchanged"]
    near_duplicates: tuple[int, ...] = ()


@dataclass(frozen=True)
class Edit:
    at: str
    field: str
    before: object
    after: object
    note: str | None = None


@dataclass(frozen=True)
class Filters:
    """Search filters: every tag named must be on the work (any spelling of it), and no
    tag of `excluded` ((kind, name) pairs, kinds as `tags.KINDS` names them) may be."""

    fandoms: tuple[str, ...] = ()
    relationships: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    words_min: int | None = None
    words_max: int | None = None
    added_since: str | None = None
    added_until: str | None = None
    stories_only: bool = False
    excluded: tuple[tuple[str, str], ...] = ()

    def exclusions(self) -> list[tuple[str, str]]:
        """The excluded tags, a rating as AO3 names it."""
        return [(k, _ao3_rating(n) if k == "rating" else n) for k, n in self.excluded]

    def tag_filters(self) -> list[tuple[str, str]]:
        kinds = (
            ("fandom", self.fandoms),
            ("relationship", self.relationships),
            ("character", self.characters),
            ("rating", tuple(map(_ao3_rating, self.ratings))),
            ("warning", self.warnings),
            ("freeform", self.tags),
        )
        return [(kind, name) for kind, names in kinds for name in names]


@dataclass(frozen=True)
class Hit:
    id: int
    title: str | None
    authors: tuple[str, ...]
    rating: str
    word_count: int
    snippet: str  # HTML: escaped text with <mark> around the matched words
    added_at: str


@dataclass(frozen=True)
class FacetCount:
    name: str
    count: int


# A search counts its matches up to this many (a reader pages through 500 pages of 20 at
# most): counting every match of a common word in a million works costs more than the
# search. The whole archive is counted exactly (its count is cheap).
COUNT_LIMIT = 10_000
# Facet counts of a search cover at most this many matching works, the most recently
# added: 5,000 works' tags are counted in about 15 ms on a million works, 10,000 in 35.
FACET_SAMPLE = 5_000


@dataclass(frozen=True)
class SearchResults:
    """One page of hits. `total` is how many works match when `total_exact`, else more
    than `total` (`COUNT_LIMIT`) do; `facets_exact` False: the facets count the
    `FACET_SAMPLE` most recently added of them (the whole archive's are always exact)."""

    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    total_exact: bool = True
    facets_exact: bool = True


@dataclass(frozen=True)
class Stats:
    works: int
    stories: int
    words: int
    sources: int
    source_bytes: int
    tags: dict[str, int]
    edits: int
    near_duplicate_pairs: int
    top: dict[str, tuple[FacetCount, ...]]


def _ao3_rating(written: str) -> str:
    """A rating filter as AO3 names it: ``NC-17`` finds the Explicit works."""
    from ficarchive.tags.ratings import map_rating
    from ficarchive.work import RATINGS

    named = {r.casefold(): r for r in RATINGS}
    return named.get(written.casefold()) or map_rating(written)

"""What the reader's URLs carry, checked before any view runs; the search parameters.

Numbers are whole numbers written with the digits 0–9 (``²``, ``٣`` or ``1e3`` are not),
at most 19 of them, within each parameter's range; a choice is one of its listed values.
Anything else is refused with a message naming the parameter (400; 404 for a path that
names no work), before the archive is asked anything: see `ficarchive.web.refusals`.

Repeatable filters (``?fandom=A&fandom=B``) each name a tag the works must all carry;
every other parameter may be given once (`given_twice`, checked by the guard for every
request). Empty filter values and an empty word count (an empty box in the search form)
mean no filter.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import BeforeValidator, StringConstraints
from starlette.datastructures import QueryParams

from ficarchive.archive import Filters
from ficarchive.archive.query import INT64_MAX

# URL parameter -> the archive's tag kind (as facets name them) and Filters field.
FILTER_PARAMS = (
    ("fandom", "fandom", "fandoms", "Fandoms"),
    ("relationship", "relationship", "relationships", "Relationships"),
    ("character", "character", "characters", "Characters"),
    ("rating", "rating", "ratings", "Ratings"),
    ("warning", "warning", "warnings", "Warnings"),
    ("tag", "freeform", "tags", "Additional Tags"),
)
KIND_TO_PARAM = {kind: param for param, kind, _, _ in FILTER_PARAMS}
# ``exclude_tag=Angst``: leave out the works with that tag (one of each filter's kind).
EXCLUDE_PARAMS = {f"exclude_{param}": kind for param, kind, _, _ in FILTER_PARAMS}
REPEATABLE = frozenset([*KIND_TO_PARAM.values(), *EXCLUDE_PARAMS])
MAX_FILTER_VALUE = 500  # characters in one tag name
MAX_FILTER_VALUES = 20  # values of one filter
MAX_PAGE_SIZE = 100
MAX_DIGITS = 19  # 2^63 - 1, the databases' largest integer, has 19

_DIGITS = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")  # "1,000", as a word count is written


class BadParameter(Exception):
    """A parameter the reader cannot take: `status` (400, or 404 for a path) and why."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def whole_number(value: object) -> object:
    """Before pydantic reads an int from the URL: ASCII digits only, at most 19.

    (Python's ``int`` takes ``²``-free Unicode digits such as ``٣``, ``1_000`` and
    spaces, and refuses 4,300 digits only after reading them.)

    >>> whole_number("42"), whole_number(7)
    ('42', 7)
    >>> for text in ("", "-3", "²", "٣", "1e3", "9" * 4300):
    ...     try:
    ...         whole_number(text)
    ...     except ValueError as error:
    ...         print(error)
    is empty: give a whole number, or leave it out
    cannot be negative
    must be written with the digits 0-9
    must be written with the digits 0-9
    must be written with the digits 0-9
    is too large (4,300 digits)
    """
    if not isinstance(value, str):
        return value
    if value == "":
        raise ValueError("is empty: give a whole number, or leave it out")
    if value.startswith("-"):
        raise ValueError("cannot be negative")
    if not value.isascii() or not _DIGITS.fullmatch(value):
        raise ValueError("must be written with the digits 0-9")
    if len(value) > MAX_DIGITS:
        raise ValueError(f"is too large ({len(value):,} digits)")
    return value


def word_count(value: object) -> object:
    """A count of words from a search box: empty is none, ``1,000`` is 1000.

    >>> word_count(""), word_count(" 1,000 "), word_count("250")
    (None, '1000', '250')
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text == "":
        return None
    return whole_number(text.replace(",", "") if _GROUPED.fullmatch(text) else text)


WorkId = Annotated[
    int,
    Path(ge=1, le=INT64_MAX, description="The work's number"),
    BeforeValidator(whole_number),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE), BeforeValidator(whole_number)]
Offset = Annotated[int, Query(ge=0, le=1_000_000), BeforeValidator(whole_number)]
Page = Annotated[int, Query(ge=1, le=INT64_MAX), BeforeValidator(whole_number)]
# The archive's sorts (ficarchive.archive.model.SORTS, checked equal in the tests).
SearchSort = Literal["relevance", "date", "words", "title"]
ListSort = Literal["date", "words", "title", "id"]
FilterValues = Annotated[
    list[Annotated[str, StringConstraints(max_length=MAX_FILTER_VALUE)]],
    Query(max_length=MAX_FILTER_VALUES),
]


def given_twice(query_string: bytes) -> str | None:
    """What is wrong with a query string that gives a parameter other than a filter more
    than once (``?page=1&page=2`` is not a page; a filter given twice is two tags).

    >>> given_twice(b"q=a&fandom=x&fandom=y"), given_twice(b"page=1&page=2&q=a&q=b")
    (None, "Give each of these once: 'page' (2 times), 'q' (2 times).")
    """
    if not query_string:
        return None
    counts = Counter(name for name, _ in QueryParams(query_string).multi_items())
    twice = sorted(name for name, n in counts.items() if n > 1 and name not in REPEATABLE)
    if not twice:
        return None
    return (
        "Give each of these once: "
        + ", ".join(f"{name[:60]!r} ({counts[name]} times)" for name in twice)
        + "."
    )


@dataclass(frozen=True)
class SearchRequest:
    query: str
    filters: Filters
    sort: str

    def pairs(self) -> list[tuple[str, str]]:
        """The request as URL pairs (for links that keep it and change one thing)."""
        out = [("q", self.query)] if self.query else []
        for param, _, field, _ in FILTER_PARAMS:
            out += [(param, v) for v in getattr(self.filters, field)]
        kind_param = {kind: param for param, kind in EXCLUDE_PARAMS.items()}
        out += [(kind_param[kind], name) for kind, name in self.filters.excluded]
        for param, value in (
            ("min_words", self.filters.words_min),
            ("max_words", self.filters.words_max),
        ):
            if value is not None:
                out.append((param, str(value)))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        return out


def _clean(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def search_request(
    q: Annotated[str, Query(description='Words, "a phrase", -exclude, OR')] = "",
    fandom: FilterValues = [],  # noqa: B006 - FastAPI copies the default
    relationship: FilterValues = [],  # noqa: B006
    character: FilterValues = [],  # noqa: B006
    rating: FilterValues = [],  # noqa: B006
    warning: FilterValues = [],  # noqa: B006
    tag: FilterValues = [],  # noqa: B006
    exclude_fandom: FilterValues = [],  # noqa: B006
    exclude_relationship: FilterValues = [],  # noqa: B006
    exclude_character: FilterValues = [],  # noqa: B006
    exclude_rating: FilterValues = [],  # noqa: B006
    exclude_warning: FilterValues = [],  # noqa: B006
    exclude_tag: FilterValues = [],  # noqa: B006
    min_words: Annotated[
        int | None,
        Query(ge=0, le=INT64_MAX, description="At least this many words"),
        BeforeValidator(word_count),
    ] = None,
    max_words: Annotated[
        int | None,
        Query(ge=0, le=INT64_MAX, description="At most this many words"),
        BeforeValidator(word_count),
    ] = None,
    sort: SearchSort = "relevance",
) -> SearchRequest:
    """A FastAPI dependency: the search named by the query string.

    The query text itself is bounded by the archive (`ficarchive.archive.query`), which
    says what is too long.
    """
    given = {
        "exclude_fandom": exclude_fandom,
        "exclude_relationship": exclude_relationship,
        "exclude_character": exclude_character,
        "exclude_rating": exclude_rating,
        "exclude_warning": exclude_warning,
        "exclude_tag": exclude_tag,
    }
    excluded = tuple(
        (EXCLUDE_PARAMS[param], name) for param, names in given.items() for name in _clean(names)
    )
    filters = Filters(
        excluded=excluded,
        fandoms=_clean(fandom),
        relationships=_clean(relationship),
        characters=_clean(character),
        ratings=_clean(rating),
        warnings=_clean(warning),
        tags=_clean(tag),
        words_min=min_words,
        words_max=max_words,
    )
    return SearchRequest(q, filters, sort)


# The Work's tag fields as the work page lists them: (Work field, URL parameter, label).
WORK_TAG_FIELDS = (
    ("fandoms", "fandom", "Fandoms"),
    ("relationships", "relationship", "Relationships"),
    ("characters", "character", "Characters"),
    ("tags", "tag", "Additional Tags"),
)

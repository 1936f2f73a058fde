"""Search parameters as the URL carries them, shared by the search page and the JSON API.

Repeatable filters (``?fandom=A&fandom=B``) each name a tag the works must all carry;
empty values (an empty box in the search form) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from ficarchive.archive import Filters
from ficarchive.archive.model import SORTS

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
MAX_QUERY = 500
MAX_PAGE_SIZE = 100

Many = Annotated[list[str], Query(max_length=20)]


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
    return tuple(dict.fromkeys(v.strip()[:MAX_QUERY] for v in values if v.strip()))


def search_request(
    q: Annotated[str, Query(description='Words, "a phrase", -exclude, OR')] = "",
    fandom: Many = [],  # noqa: B006 - FastAPI copies the default
    relationship: Many = [],  # noqa: B006
    character: Many = [],  # noqa: B006
    rating: Many = [],  # noqa: B006
    warning: Many = [],  # noqa: B006
    tag: Many = [],  # noqa: B006
    min_words: Annotated[str, Query(description="At least this many words")] = "",
    max_words: Annotated[str, Query(description="At most this many words")] = "",
    sort: Annotated[str, Query(description=" | ".join(SORTS))] = "relevance",
) -> SearchRequest:
    """A FastAPI dependency: the search named by the query string.

    Lenient, as a search box should be: an empty or unreadable number is no limit, an
    unknown sort is relevance.
    """
    filters = Filters(
        fandoms=_clean(fandom),
        relationships=_clean(relationship),
        characters=_clean(character),
        ratings=_clean(rating),
        warnings=_clean(warning),
        tags=_clean(tag),
        words_min=_number(min_words),
        words_max=_number(max_words),
    )
    return SearchRequest(q[:MAX_QUERY], filters, sort if sort in SORTS else "relevance")


def _number(text: str) -> int | None:
    """A count typed into a box, or None.

    >>> _number(" 1,000 "), _number("lots"), _number("")
    (1000, None, None)
    """
    digits = text.strip().replace(",", "").replace("_", "")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


# The Work's tag fields as the work page lists them: (Work field, URL parameter, label).
WORK_TAG_FIELDS = (
    ("fandoms", "fandom", "Fandoms"),
    ("relationships", "relationship", "Relationships"),
    ("characters", "character", "Characters"),
    ("tags", "tag", "Additional Tags"),
)

"""The search page: words, filters, facets to narrow by, sort and pages."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ficarchive.archive import SearchResults
from ficarchive.archive.model import FACET_SAMPLE, SORTS
from ficarchive.web.params import (
    EXCLUDE_PARAMS,
    FILTER_PARAMS,
    KIND_TO_PARAM,
    Page,
    SearchRequest,
    search_request,
)
from ficarchive.web.state import reader_of
from ficarchive.work import RATINGS

router = APIRouter()

PER_PAGE = 20
MAX_PAGE = 500  # deep paging is never what a reader wants, and costs the database


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    search: Annotated[SearchRequest, Depends(search_request)],
    page: Page = 1,
) -> HTMLResponse:
    reader = reader_of(request)
    number = min(page, MAX_PAGE)
    offset = (number - 1) * PER_PAGE
    results = reader.archive.search(
        search.query, search.filters, sort=search.sort, limit=PER_PAGE, offset=offset
    )
    pairs = search.pairs()
    pages = max(1, -(-results.total // PER_PAGE))
    filter_names = {*KIND_TO_PARAM.values(), *EXCLUDE_PARAMS}
    active = [(p, v) for p, v in pairs if p in filter_names]
    return reader.page(
        request,
        "search.html",
        search=search,
        site_query=search.query,
        results=results,
        offset=offset,
        page=number,
        pages=pages,
        previous_url=_page_url(pairs, number - 1) if number > 1 else None,
        next_url=_page_url(pairs, number + 1) if number < min(pages, MAX_PAGE) else None,
        active=active,
        removals=[(p, v, urlencode([x for x in pairs if x != (p, v)])) for p, v in active],
        facets=_facets(results, pairs),
        ratings=RATINGS,
        sorts=SORTS,
        facet_sample=FACET_SAMPLE,
    )


def _page_url(pairs: list[tuple[str, str]], number: int) -> str:
    return "/search?" + urlencode([*pairs, ("page", str(number))] if number > 1 else pairs)


def _facets(results: SearchResults, pairs: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """Per kind: (kind, param, heading, [(name, count, url that adds it, already on,
    url that leaves its works out)])."""
    out: list[tuple[Any, ...]] = []
    for param, kind, _, heading in FILTER_PARAMS:
        items = []
        for facet in results.facets.get(kind, ()):
            on = (param, facet.name) in pairs
            url = "/search?" + urlencode([*pairs, (param, facet.name)])
            without = "/search?" + urlencode([*pairs, (f"exclude_{param}", facet.name)])
            items.append((facet.name, facet.count, url, on, without))
        out.append((kind, param, heading, items))
    return out
